#!/usr/bin/python3
"""Builds the seed corpora of tests/fuzz/ from the captures in pcaps/ (and,
if present, ../shared/pcaps/public/).

    /usr/bin/python3 tests/fuzz/make_corpus.py [OUTDIR]   (default tests/fuzz/corpus)

Writes OUTDIR/<harness>/<name>, one seed per file, in each harness's input
format (see the comment at the top of each tests/fuzz/fuzz_*.c). Needs
Debian's python3-scapy. Deterministic; seeds are capped in number and size
so the committed corpus stays small (well under 2 MB)."""

import glob
import hashlib
import os
import re
import struct
import sys

from scapy.all import IP, IPv6, TCP, conf  # noqa: F401
from scapy.utils import RawPcapReader

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "fuzz", "corpus")

DECODE_DLTS = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147]     # fuzz_decode.c
PIPE_DLTS = [1, 276, 113, 0, 108, 101, 228, 229, 12, 14]             # fuzz_pipeline.c
PORTS = {"smtp": {25, 587, 2525, 465}, "pop3": {110, 1110, 995}, "imap": {143, 1143, 993},
         "telnet": {23, 1099, 1337}}


def captures():
	files = sorted(glob.glob(os.path.join(ROOT, "pcaps", "*.pcap*")))
	files += sorted(glob.glob(os.path.join(ROOT, "pcaps", "crafted", "*.pcap*")))
	files += sorted(f for f in glob.glob(os.path.join(ROOT, "pcaps", "hostile", "*.pcap*"))
	                if os.path.getsize(f) < 20000)
	pub = os.path.join(ROOT, "..", "shared", "pcaps", "public")
	files += sorted(f for f in glob.glob(os.path.join(pub, "*")) if re.search(r"\.(pcap|pcapng|cap)$", f))
	return files


def frames(path):
	"""(linktype, bytes, wirelen) for each record; [] if unreadable."""
	out = []
	try:
		r = RawPcapReader(path)
		lt = getattr(r, "linktype", 1)
		for pkt, meta in r:
			ltm = getattr(meta, "linktype", None)
			wl = getattr(meta, "wirelen", None) or len(pkt)
			out.append((ltm if ltm is not None else lt, bytes(pkt), wl))
		r.close()
	except Exception:
		pass
	return out


def tcp_of(lt, data):
	"""(src, sport, dst, dport, seq, ack, flags, payload) or None."""
	try:
		cls = conf.l2types.get(lt)
		if cls is None:
			return None
		p = cls(data)
		t = p.getlayer(TCP)
		if t is None:
			return None
		ip = p.getlayer(IP) or p.getlayer(IPv6)
		if ip is None:
			return None
		return (ip.src, t.sport, ip.dst, t.dport, t.seq, t.ack, int(t.flags), bytes(t.payload))
	except Exception:
		return None


def write(harness, name, data):
	d = os.path.join(OUT, harness)
	os.makedirs(d, exist_ok=True)
	h = hashlib.sha1(data).hexdigest()[:12]
	with open(os.path.join(d, "%s-%s" % (re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:60], h)), "wb") as f:
		f.write(data)


def flows(frs):
	"""{key: [(dir, seg)]} with dir 0 = client (SYN sender or lower port side)."""
	fl = {}
	order = []
	for lt, data, wl in frs:
		t = tcp_of(lt, data)
		if not t:
			continue
		a, b = (t[0], t[1]), (t[2], t[3])
		key = tuple(sorted([a, b]))
		if key not in fl:
			fl[key] = {"client": None, "segs": []}
			order.append(key)
		f = fl[key]
		if f["client"] is None:
			if (t[6] & 0x12) == 0x02:
				f["client"] = a
			elif t[3] in {p for s in PORTS.values() for p in s}:
				f["client"] = a
			elif t[1] in {p for s in PORTS.values() for p in s}:
				f["client"] = b
			else:
				f["client"] = a if t[1] > t[3] else b
		f["segs"].append(((0 if a == f["client"] else 1), t))
	return [(k, fl[k]) for k in order]


def server_port(key, f):
	c = f["client"]
	return key[1][1] if key[0] == c else key[0][1]


def streams(segs):
	"""Per-direction in-order payload, as a list of (dir, bytes) segments,
	retransmissions and overlaps dropped."""
	nxt = [None, None]
	out = []
	for d, t in segs:
		seq, flags, pl = t[4], t[6], t[7]
		if flags & 0x02:
			nxt[d] = (seq + 1) & 0xffffffff
			continue
		if not pl:
			continue
		if nxt[d] is None:
			nxt[d] = seq
		off = (seq - nxt[d]) & 0xffffffff
		if off >= 0x80000000:           # old data
			back = 0x100000000 - off
			if back >= len(pl):
				continue
			pl = pl[back:]
			seq = nxt[d]
		elif off:                        # a hole: keep going from here
			pass
		out.append((d, pl))
		nxt[d] = (seq + len(pl)) & 0xffffffff
	return out


def dissect_seed(segs, cfg=0, limit=60000):
	b = bytearray([cfg])
	for d, pl in segs:
		for i in range(0, len(pl), 60000):
			chunk = pl[i:i + 60000]
			if len(chunk) < 63:
				b.append((len(chunk) << 1) | d)
			else:
				b.append((63 << 1) | d)
				b += struct.pack(">H", len(chunk))
			b += chunk
		if len(b) > limit:
			break
	b.append(0x80 | 2)   # FIN c2s
	b.append(0x80 | 3)   # FIN s2c
	return bytes(b)


def main():
	caps = captures()
	seen_decode = set()
	ndecode = 0
	budget = {"smtp": 0, "pop3": 0, "imap": 0, "telnet": 0}
	msgs, headers, b64s = [], [], []
	for path in caps:
		name = os.path.basename(path)
		frs = frames(path)
		if not frs:
			continue
		# fuzz_decode: distinct frame shapes (link type, first 64 bytes' layout)
		for lt, data, wl in frs:
			if lt not in DECODE_DLTS:
				continue
			k = (lt, data[:54])
			if k in seen_decode or ndecode >= 400:
				continue
			seen_decode.add(k)
			ndecode += 1
			write("decode", name, bytes([DECODE_DLTS.index(lt)]) + data[:1600])
		# fuzz_pipeline: the capture as records (first 40 KB)
		lt = frs[0][0]
		if lt in PIPE_DLTS:
			b = bytearray([PIPE_DLTS.index(lt), 0x04])
			for _, data, wl in frs:
				data = data[:4000]
				b += struct.pack(">HBB", len(data), 1, min(255, max(0, wl - len(data))))
				b += data
				if len(b) > 16000:
					break
			write("pipeline", name, bytes(b))
			if len(frs) < 60:
				b[1] = 0x2f   # with nDPI, small limits, everything kept
				write("pipeline", name + "-cfg", bytes(b))
		# dissectors, reassembly, messages
		for key, f in flows(frs):
			port = server_port(key, f)
			segs = streams(f["segs"])
			proto = next((p for p, ports in PORTS.items() if port in ports), None)
			if proto and segs and budget[proto] < 40:
				budget[proto] += 1
				write(proto, "%s-%d" % (name, port), dissect_seed(segs))
				if budget[proto] % 4 == 0:
					write(proto, "%s-%d-small" % (name, port), dissect_seed(segs, cfg=1, limit=8000))
			if len(os.listdir(os.path.join(OUT, "reasm")) if os.path.isdir(os.path.join(OUT, "reasm")) else []) < 60:
				write("reasm", "%s-%d" % (name, port), reasm_seed(f["segs"]))
			for d in (0, 1):
				text = b"".join(pl for dd, pl in segs if dd == d)
				for m in re.finditer(rb"(?m)^(?:Received|Return-Path|From|Date|Subject|Message-ID|MIME-Version|X-[A-Za-z-]+):"
				                     rb".*?(?:\r?\n\.\r?\n|\Z)", text, re.S):
					msgs.append((name, m.group(0)[:30000]))
				for m in re.finditer(rb"(?mi)^(?:subject|from|to|cc|content-type|content-disposition):(.*(?:\r?\n[ \t].*)*)", text):
					headers.append(m.group(1)[:2000])
				for m in re.finditer(rb"(?m)^(?:AUTH [A-Z0-9-]+ |\+ |334 |AUTHENTICATE [A-Z]+ )?([A-Za-z0-9+/]{8,}={0,2})\r?$", text):
					b64s.append(m.group(1)[:4000])
	seen = set()
	n = 0
	for name, m in msgs:
		h = hashlib.sha1(m).digest()
		if h in seen or n >= 50:
			continue
		seen.add(h)
		n += 1
		write("mime", name, bytes([n]) + m)
	for i, h in enumerate(sorted(set(headers))[:200]):
		write("rfc2047", "hdr%d" % i, b"\x00" + h)
	for i, cs in enumerate([b"koi8-r", b"windows-1251", b"iso-8859-1", b"utf-8", b"gb2312", b"x-unknown", b"ISO-2022-JP",
	                        b"utf-7", b"us-ascii*en"]):
		write("rfc2047", "cs%d" % i, bytes([(len(cs) << 1) | 1]) + cs + "тест café 日本".encode("utf-8"))
	for i, b in enumerate(sorted(set(b64s))[:150]):
		write("base64", "b64-%d" % i, bytes([len(b) % 256]) + b)
	write_writers()


def reasm_seed(segs):
	b = bytearray([0x00, 0x00])
	isn = [None, None]
	hi = [0, 0]
	for d, t in segs:
		if isn[d] is None:
			isn[d] = t[4]
			hi[d] = t[4]
	b += struct.pack(">II", hi[0], hi[1])
	for d, t in segs[:300]:
		seq, ack, flags, pl = t[4], t[5], t[6], t[7]
		if flags & 0x10:
			delta = (ack - hi[1 - d]) & 0xffffffff
			if delta < 0x8000 or delta >= 0xffff8000:
				b.append((1 << 1) | d)
				b += struct.pack(">H", delta & 0xffff)
		chunks = [pl[i:i + 255] for i in range(0, len(pl), 255)] or [b""]
		for i, c in enumerate(chunks):
			s = (seq + 255 * i) & 0xffffffff
			fl = flags & 0x17
			if i < len(chunks) - 1:
				fl &= ~0x01
			delta = (s - hi[d]) & 0xffffffff
			if delta < 0x8000 or delta >= 0xffff8000:
				b.append(d)
				b += struct.pack(">BH", fl, delta & 0xffff)
			else:
				b.append((3 << 1) | d)
				b += struct.pack(">I", s)
			b.append(len(c))
			b += c
			end = (s + len(c) + (1 if fl & 0x03 else 0)) & 0xffffffff
			if ((end - hi[d]) & 0xffffffff) < 0x80000000:
				hi[d] = end
	return bytes(b)


def write_writers():
	"""fuzz_writers.c op streams: every operation with hostile text."""
	def s8(x):
		return bytes([len(x)]) + x
	esc = b"\x1b[31mred\x1b]52;c;aGk=\x07\r\x00\xff\xc0\xaf\xed\xa0\x80\xe2\x80\xae"
	seeds = []
	b = bytearray([0x00])
	b += bytes([6]) + s8(b"+OK Qpopper " + esc)
	b += bytes([7]) + s8(b"Qpopper 4.1 " + esc)
	b += bytes([8]) + s8(b"plain") + bytes([8]) + s8(b"CRAM-MD5" + esc)
	b += bytes([0x20]) + struct.pack(">H", 12) + b"USER labtest" + s8(b"[user] " + esc)
	b += bytes([0x10]) + struct.pack(">H", 11) + b"PASS s3cret" + bytes([0x00])
	b += bytes([0x21, 5, 6]) + s8(b"pass=********")
	b += bytes([2, 3]) + b"\x00\x00P\x00\x10A\x00\x20\x7f"
	b += bytes([3]) + s8(b"USER/PASS") + s8(b"labtest" + esc) + s8(b"s3cret" + esc) + s8(b"") + s8(b"") + s8(b"")
	b += bytes([0x14])
	b += bytes([0x23]) + s8(b"x") + s8(b"bob") + s8(b"") + s8(b"") + s8(b"<1896.697170952@dbc.mtview.ca.us>") + \
		s8(b"c4c9334bac560ecc979e58001b3e22fb")
	b += bytes([0x43]) + s8(b"x") + s8(b"alice") + s8(b"") + s8(b"") + s8(b"<1.2@x>") + s8(b"b913a602c7eda7a495b4e6e7334d3890")
	b += bytes([5, 3, 5, 200, 10, 0x1a, 0x2a, 0x4a, 0x3a])
	b += bytes([9]) + s8(b"mail.example.com" + esc)
	msg = b"From: =?utf-8?B?4pyJ?= <a@b>\r\nSubject: ../../etc/passwd \x1b[2J\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" + \
		b"--b\r\nContent-Disposition: attachment; filename=\"../../x\x1b.txt\"\r\n\r\nhi\r\n--b--\r\n"
	b += bytes([0x0b]) + s8(b"RETR 1" + esc) + bytes([0x1b]) + struct.pack(">H", len(msg)) + msg + bytes([0x7b])
	b += bytes([12]) + s8(b"POP3" + esc) + s8(b"Clear-Text Credentials" + esc)
	b += bytes([0x5e, 15]) + struct.pack(">IIHHI", 123, 456, 7, 89, 1000)
	b += bytes([13, 0x0e, 0x20]) + struct.pack(">H", 4) + b"a1 \xff" + s8(b"")
	seeds.append(bytes(b))
	seeds.append(bytes([0x05]) + bytes(b[1:]))
	seeds.append(bytes([0x0e]) + bytes(b[1:]))
	for i, s in enumerate(seeds):
		write("writers", "ops%d" % i, s)


main()
