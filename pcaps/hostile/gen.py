#!/usr/bin/env python3
"""Deterministic generator of mailtap's hostile test captures (issue 6).

    python3 pcaps/hostile/gen.py                 # the small captures -> pcaps/hostile/ + README.md
    python3 pcaps/hostile/gen.py --big DIR       # the big ones (on demand, never committed) -> DIR
    python3 pcaps/hostile/gen.py --all DIR       # both -> DIR
    python3 pcaps/hostile/gen.py --only a,b [--big] [DIR]
    python3 pcaps/hostile/gen.py --list

Each hostile input comes in a small committed form (< 200 KB; use mailtap's limit
options, e.g. --max-line or --max-ooo, to make it hit a limit) and, where size is
the point, a big form written at test time (a million SYNs, a 100 MB line, 10 MB of
base64, 1 MB of headers...). Big captures are written by a fast struct-based packet
builder (no scapy per packet) straight to the file, so the largest takes seconds.
Everything is deterministic: a re-run gives byte-identical files.
"""

import base64
import importlib.util
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def _need_scapy():
	try:
		import scapy  # noqa: F401
		return
	except ImportError:
		pass
	deb = "/usr/bin/python3"
	if os.path.exists(deb) and os.path.realpath(sys.executable) != os.path.realpath(deb) \
			and not os.environ.get("MT_GEN_REEXEC"):
		os.environ["MT_GEN_REEXEC"] = "1"
		os.execv(deb, [deb] + sys.argv)
	sys.exit("gen.py: needs scapy (Debian 12: apt-get install python3-scapy)")


_need_scapy()
_spec = importlib.util.spec_from_file_location(
	"mailtap_crafted_gen", os.path.join(HERE, "..", "crafted", "gen.py"))
G = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(G)

C, S = G.C, G.S
BASE_NS = G.BASE_NS
FLAG = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20}
KB, MB = 1024, 1024 * 1024
DRY = False     # big generators only describe themselves (for the README)


# ---------------------------------------------------------------- fast writers

class PcapStream:
	"""A pcap file written record by record, with a deterministic clock."""

	def __init__(self, path, linktype=G.LT_EN10MB, snaplen=262144, step_ns=10_000):
		self.f = open(path, "wb", buffering=4 * MB)
		self.f.write(G.pcap_header(linktype, snaplen))
		self.snaplen = snaplen
		self.t = BASE_NS
		self.step = step_ns
		self.n = 0

	def add(self, data, dt=None, orig_len=None):
		if dt is not None:
			self.t += dt
		sec, ns = divmod(self.t, 10**9)
		cap = data[:self.snaplen]
		self.f.write(struct.pack("<IIII", sec, ns // 1000, len(cap),
		                         len(data) if orig_len is None else orig_len))
		self.f.write(cap)
		self.t += self.step
		self.n += 1
		return self.n

	def sleep(self, sec):
		self.t += int(round(sec * 1e9))

	def close(self):
		self.f.close()


def ip4b(a):
	return bytes(int(x) for x in a.split("."))


def ip4_header(src, dst, plen, ident, proto=6, df=True, frag_off=0, mf=False, ttl=64):
	"""20-byte IPv4 header with a valid checksum; frag_off in bytes."""
	fl = (0x4000 if df else 0) | (0x2000 if mf else 0) | ((frag_off // 8) & 0x1FFF)
	h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + plen, ident & 0xFFFF, fl, ttl, proto, 0, src, dst)
	ck = G.csum_fold(G.csum_partial(h))
	return h[:10] + struct.pack("!H", ck) + h[12:]


class FastFlow:
	"""Ethernet/IPv4/TCP segments built with struct: same API as the crafted
	generator's Flow, fast enough for millions of packets."""

	def __init__(self, w, cport=51000, sport=110, cisn=0x1A2B3C4D, sisn=0x5E6F7081,
	             cli=G.CLI4, srv=G.SRV4, ipid=(0x2A00, 0x6C00)):
		self.w = w
		self.ip = {C: ip4b(cli), S: ip4b(srv)}
		self.addr = {C: cli, S: srv}
		self.port = {C: cport, S: sport}
		self.nxt = {C: cisn & 0xFFFFFFFF, S: sisn & 0xFFFFFFFF}
		self.ipid = {C: ipid[0], S: ipid[1]}
		self.win = {C: 502, S: 509}
		self.nbytes = {C: 0, S: 0}
		self._psum = {}

	def client(self):
		return "%s:%d" % (self.addr[C], self.port[C])

	def server(self):
		return "%s:%d" % (self.addr[S], self.port[S])

	def payload_sum(self, data):
		# identical payloads (floods) are summed once
		if len(data) >= 512:
			s = self._psum.get(data)
			if s is None:
				if len(self._psum) > 64:
					self._psum.clear()
				s = self._psum[data] = G.csum_partial(data)
			return s
		return G.csum_partial(data)

	def tcp_ip(self, side, flags="PA", data=b"", seq=None, ack=None, win=None, opts=b"",
	           advance=True, df=True):
		"""IP bytes of one segment (valid checksums); like Flow.build."""
		o = 1 - side
		if seq is None:
			seq = self.nxt[side]
		if ack is None:
			ack = self.nxt[o] if "A" in flags else 0
		fl = 0
		for ch in flags:
			fl |= FLAG[ch]
		opts = opts + b"\0" * (-len(opts) % 4)
		th = struct.pack("!HHIIBBHHH", self.port[side], self.port[o], seq & 0xFFFFFFFF,
		                 ack & 0xFFFFFFFF, (5 + len(opts) // 4) << 4, fl,
		                 self.win[side] if win is None else win, 0, 0) + opts
		tlen = len(th) + len(data)
		ps = self.ip[side] + self.ip[o] + struct.pack("!HH", 6, tlen)
		s = G.csum_partial(ps) + G.csum_partial(th)
		if data:
			s += self.payload_sum(data)
		ck = G.csum_fold(s)
		th = th[:16] + struct.pack("!H", ck) + th[18:]
		iph = ip4_header(self.ip[side], self.ip[o], tlen, self.ipid[side], df=df)
		self.ipid[side] = (self.ipid[side] + 1) & 0xFFFF
		if advance and seq == self.nxt[side]:
			n = len(data) + (1 if "S" in flags else 0) + (1 if "F" in flags else 0)
			self.nxt[side] = (self.nxt[side] + n) & 0xFFFFFFFF
			self.nbytes[side] += len(data)
		return iph + th + data

	def eth(self, side, ipb):
		return G.MAC[1 - side] + G.MAC[side] + b"\x08\x00" + ipb

	def send(self, side, data=b"", flags="PA", dt=None, **kw):
		return self.w.add(self.eth(side, self.tcp_ip(side, flags, data, **kw)), dt)

	def send_stream(self, side, data, mss=1448, **kw):
		"""data cut into MSS-sized segments, in order; returns (first, last) frame."""
		first = last = None
		for i in range(0, len(data), mss):
			last = self.send(side, data[i:i + mss], "PA" if i + mss >= len(data) else "A", **kw)
			first = first or last
		return first, last

	def handshake(self):
		mss = struct.pack("!BBH", 2, 4, 1460)
		self.send(C, b"", "S", opts=mss)
		self.send(S, b"", "SA", opts=mss)
		self.send(C, b"", "A")

	def close(self, first=S):
		self.send(first, b"", "FA")
		self.send(1 - first, b"", "FA")
		self.send(first, b"", "A")


# ---------------------------------------------------------------- registry

CAPS = []       # (name, shows, expect, how, big)
GENS = []       # (name, fn, kind) kind: "small" or "big"


def small(fn):
	GENS.append((fn.__name__.replace("_", "-"), fn, "small"))
	return fn


def big(fn):
	GENS.append((fn.__name__.replace("_", "-"), fn, "big"))
	return fn


def note(name, shows, expect, how, is_big=False):
	CAPS.append((name, shows, expect, how, is_big))


def smtp_open(f, auth=True):
	f.send(S, b"220 mail.example.org ESMTP Postfix (Debian/GNU)\r\n")
	f.send(C, b"EHLO client.example.org\r\n")
	f.send(S, b"250-mail.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
	          b"250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")
	if auth:
		f.send(C, b"AUTH PLAIN " + G.b64(b"\0alice\0s3cret") + b"\r\n")
		f.send(S, b"235 2.7.0 Authentication successful\r\n")


def smtp_message(f, msg, mss=1448):
	f.send(C, b"MAIL FROM:<alice@example.org>\r\n")
	f.send(S, b"250 2.1.0 Ok\r\n")
	f.send(C, b"RCPT TO:<bob@example.org>\r\n")
	f.send(S, b"250 2.1.5 Ok\r\n")
	f.send(C, b"DATA\r\n")
	f.send(S, b"354 End data with <CR><LF>.<CR><LF>\r\n")
	f.send_stream(C, msg + b".\r\n", mss)
	f.send(S, b"250 2.0.0 Ok: queued as 4QF1J20XYZ\r\n")


def smtp_close(f):
	f.send(C, b"QUIT\r\n")
	f.send(S, b"221 2.0.0 Bye\r\n")
	f.close(S)


def pop3_login(f):
	f.send(S, G.POP3_GREETING)
	f.send(C, b"USER alice\r\n")
	f.send(S, b"+OK\r\n")
	f.send(C, b"PASS s3cret\r\n")
	f.send(S, b"+OK Logged in.\r\n")


def path(out, name):
	return os.path.join(out, name)


CRED_POP3 = "credential USER/PASS alice / s3cret success"
CRED_PLAIN = "credential AUTH PLAIN alice / s3cret success"
SURVIVE = "no crash, no hang, memory under the limits, exit 0"


# ---------------------------------------------------------------- out-of-order flood

def ooo_flood_gen(out, name, nseg):
	w = PcapStream(path(out, name))
	f = FastFlow(w)
	f.handshake()
	pop3_login(f)
	seg = (b"NOOP\r\n" * 200)[:1000]
	hole = f.nxt[C]
	f.tcp_ip(C, "PA", seg)                         # the hole: never captured, never ACKed
	for i in range(nseg):
		f.send(C, seg, "PA")
		if i % 50 == 49:
			f.send(S, b"", "A", ack=hole)           # dup ACKs: the server still waits for the hole
	f.send(C, b"", "FA")
	w.close()
	return f, hole


@small
def ooo_flood(out):
	n = 120
	f, _ = ooo_flood_gen(out, "ooo-flood.pcap", n)
	note("ooo-flood.pcap", "POP3 login, then a 1000-byte client segment is never captured nor ACKed and "
	     "%d segments (%d bytes) and a FIN follow beyond the hole; the server only sends dup ACKs" % (n, n * 1000),
	     "%s; %s; the hole becomes one c2s gap of 1000 bytes at offset 25 at end of input; with "
	     "`--max-ooo 65536` the queue stops at 64 KiB and ooo_dropped_bytes > 0 (counted, turned into gaps); "
	     "never more than the limit queued" % (SURVIVE, CRED_POP3), "gen.py FastFlow")


@big
def ooo_flood_big(out):
	n = 20000
	if not DRY:
		ooo_flood_gen(out, "ooo-flood-big.pcap", n)
	note("ooo-flood-big.pcap", "as ooo-flood.pcap with %d segments (%d MB) beyond the hole" % (n, n * 1000 // MB),
	     "%s; %s; ooo_dropped_bytes > 0 with default limits, RSS stays under the configured OOO caps"
	     % (SURVIVE, CRED_POP3), "gen.py --big", True)


# ---------------------------------------------------------------- overlaps with different data

def overlap_every_gen(out, name, nnoop):
	w = PcapStream(path(out, name))
	f = FastFlow(w)
	f.handshake()
	nconf = [0]

	def both(side, data, evil):
		assert len(evil) == len(data)
		seq = f.nxt[side]
		f.send(side, data)
		f.send(side, evil, seq=seq, advance=False)
		nconf[0] += 1

	both(S, G.POP3_GREETING, b"+OK Evil Server ready, give me.\r\n"[:len(G.POP3_GREETING)])
	both(C, b"USER alice\r\n", b"USER mallet\n")
	both(S, b"+OK\r\n", b"-NO\r\n")
	both(C, b"PASS s3cret\r\n", b"PASS hacked\r\n")
	both(S, b"+OK Logged in.\r\n", b"-ERR Go away!!\r\n")
	for i in range(nnoop):
		both(C, b"NOOP\r\n", b"XXXX\r\n")
		both(S, b"+OK\r\n", b"-NO\r\n")
	both(C, b"QUIT\r\n", b"RETR\r\n")
	both(S, b"+OK Logging out.\r\n", b"-ERR Not so fast\r\n")
	f.close(S)
	w.close()
	return f, nconf[0]


@small
def overlap_every_segment(out):
	f, n = overlap_every_gen(out, "overlap-every-segment.pcap", 300)
	note("overlap-every-segment.pcap", "every data segment in both directions is followed by a "
	     "retransmission of the same range carrying different bytes (`PASS hacked`, `-ERR Go away!!`, ...); "
	     "300 NOOPs", "%s; %s (first copies win, never `mallet`/`hacked`); overlap_conflicts %d, warning "
	     "overlap_conflict; conflict records bounded (a count, not %d unbounded lists)" % (SURVIVE, CRED_POP3, n, n),
	     "gen.py FastFlow")


@big
def overlap_every_segment_big(out):
	n = 2 * 50000 + 7
	if not DRY:
		overlap_every_gen(out, "overlap-every-segment-big.pcap", 50000)
	note("overlap-every-segment-big.pcap", "as overlap-every-segment.pcap with 50000 NOOPs",
	     "%s; %s; overlap_conflicts %d; memory for conflict bookkeeping bounded" % (SURVIVE, CRED_POP3, n),
	     "gen.py --big", True)


# ---------------------------------------------------------------- telnet IAC floods

IAC, SB, SE, WILL, WONT, DO, DONT = 255, 250, 240, 251, 252, 253, 254


def iac_flood_gen(out, name, neg_bytes, sb_bytes):
	w = PcapStream(path(out, name))
	f = FastFlow(w, cport=51001)
	f.handshake()
	f.send(S, G.POP3_GREETING)
	neg = bytearray()
	i = 0
	while len(neg) < neg_bytes:
		neg += bytes([IAC, (WILL, WONT, DO, DONT)[i & 3], i & 0xFF])
		i += 1
	f.send_stream(C, bytes(neg))
	f.send(C, b"USER alice\r\n")
	f.send(S, b"+OK\r\n")
	f.send(C, b"PASS s3cret\r\n")
	f.send(S, b"+OK Logged in.\r\n")
	# IAC SB TERMINAL-TYPE ... never closed by IAC SE; QUIT ends up inside it
	body = bytes([IAC, SB, 24, 0]) + (b"xterm-256color" * (sb_bytes // 14 + 1))[:sb_bytes] + b"\r\nQUIT\r\n"
	f.send_stream(C, body)
	f.send(C, b"", "FA")
	f.send(S, b"", "FA")
	f.send(C, b"", "A")
	w.close()
	return f, i


@small
def iac_flood(out):
	f, n = iac_flood_gen(out, "iac-flood.pcap", 48 * KB, 64 * KB)
	note("iac-flood.pcap", "POP3 port 110: the client sends %d telnet negotiations (IAC WILL/WONT/DO/DONT, "
	     "48 KiB), then USER/PASS, then `IAC SB 24` followed by 64 KiB and `QUIT` with no `IAC SE`" % n,
	     "%s; %s (IAC stripped before the dissector); the unclosed subnegotiation is bounded (its bytes "
	     "discarded up to a cap, counted or flagged), no line is built from it without a cap" % (SURVIVE, CRED_POP3),
	     "gen.py FastFlow")


@big
def iac_flood_big(out):
	if not DRY:
		iac_flood_gen(out, "iac-flood-big.pcap", 10 * MB, 10 * MB)
	note("iac-flood-big.pcap", "as iac-flood.pcap with 10 MiB of negotiations and a 10 MiB unclosed SB",
	     "%s; %s; linear time" % (SURVIVE, CRED_POP3), "gen.py --big", True)


# ---------------------------------------------------------------- IMAP literals

IMAP_GREETING = b"* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR AUTH=PLAIN] Dovecot (Debian) ready.\r\n"


@small
def imap_literal_huge(out):
	w = PcapStream(path(out, "imap-literal-huge.pcap"))
	port = [50100]

	def conn():
		port[0] += 1
		f = FastFlow(w, cport=port[0], sport=143, cisn=port[0] * 7919, sisn=port[0] * 104729)
		f.handshake()
		f.send(S, IMAP_GREETING)
		return f

	# 1: a literal of 4294967295 octets announced; 20 bytes follow
	f = conn()
	f.send(C, b"a LOGIN {4294967295}\r\n")
	f.send(S, b"+ Ready for literal data\r\n")
	f.send(C, b"alice s3cret\r\nb LOGOUT\r\n")
	f.close(C)
	# 2: a literal larger than the whole rest of the stream
	f = conn()
	f.send(C, b"a LOGIN {65536}\r\n")
	f.send(S, b"+ Ready for literal data\r\n")
	f.send(C, b"alice" + b" padding" * 12)
	f.close(C)
	# 3: a length that overflows 64 bits, and a non-synchronising one past 2^32
	f = conn()
	f.send(C, b"a LOGIN {18446744073709551617}\r\n")
	f.send(S, b"a BAD Invalid literal size\r\n")
	f.send(C, b"b LOGIN alice {4294967296+}\r\ns3cret\r\n")
	f.send(S, b"b BAD Invalid literal size\r\n")
	f.send(C, b"c APPEND INBOX ~{99999999999999999999999}\r\n")
	f.send(S, b"c BAD Invalid literal size\r\n")
	f.send(C, b"d LOGIN {-1}\r\n{}\r\n{ 5}\r\n{5\r\n")
	f.send(S, b"d BAD Error in IMAP command\r\n")
	f.close(C)
	# 4: control: a correct LOGIN with literals
	f = conn()
	f.send(C, b"a LOGIN {5}\r\n")
	f.send(S, b"+ OK\r\n")
	f.send(C, b"alice {6}\r\n")
	f.send(S, b"+ OK\r\n")
	f.send(C, b"s3cret\r\n")
	f.send(S, b"a OK [CAPABILITY IMAP4rev1] Logged in\r\n")
	f.send(C, b"b LOGOUT\r\n")
	f.send(S, b"* BYE Logging out\r\nb OK Logout completed.\r\n")
	f.close(S)
	w.close()
	note("imap-literal-huge.pcap", "4 IMAP sessions (port 143, client ports 50101-50104): `a LOGIN "
	     "{4294967295}` then 24 bytes (`alice s3cret`, `b LOGOUT`); `a LOGIN {65536}` then 101 bytes and FIN; literals `{18446744073709551617}`, "
	     "`{4294967296+}`, `~{99999999999999999999999}`, `{-1}`, `{}`, `{ 5}`, `{5`; a correct "
	     "`a LOGIN {5} alice {6} s3cret`",
	     "%s; no allocation sized by a literal (max_literal respected); sessions 1-3 yield no credential, or "
	     "one flagged truncated (never a 4 GiB buffer, never a wrapped length); session 4: credential LOGIN "
	     "alice / s3cret success" % SURVIVE, "gen.py FastFlow")


# ---------------------------------------------------------------- base64 in AUTH

def b64_tok_len(b64len):
	raw_len = b64len // 4 * 3
	return 4 * ((raw_len + 2) // 3)


def b64_auth_gen(out, name, b64len):
	w = PcapStream(path(out, name))
	f = FastFlow(w, sport=25)
	f.handshake()
	smtp_open(f, auth=False)
	raw_len = b64len // 4 * 3
	assert b64_tok_len(b64len) == 4 * ((raw_len + 2) // 3)
	secret = (b"s3cret" * (raw_len // 6 + 1))[:raw_len - 7]
	tok = base64.b64encode(b"\0alice\0" + secret)
	f.send_stream(C, b"AUTH PLAIN " + tok + b"\r\n")
	f.send(S, b"535 5.7.8 Error: authentication failed: line too long\r\n")
	smtp_close(f)
	w.close()
	return len(tok)


@small
def base64_auth_128k(out):
	n = b64_auth_gen(out, "base64-auth-128k.pcap", 128 * KB)
	note("base64-auth-128k.pcap", "SMTP `AUTH PLAIN` with a %d-byte base64 initial response in one line "
	     "(user alice, a ~96 KiB password), answered 535" % n,
	     "%s; one credential AUTH PLAIN user alice, outcome failure, secret flagged truncated (or "
	     "warning line_too_long with `--max-line 4096`); lines_truncated counted when the cap is below the "
	     "line length" % SURVIVE, "gen.py FastFlow")


@big
def base64_10mb_auth(out):
	n = b64_tok_len(10 * MB)
	if not DRY:
		b64_auth_gen(out, "base64-10mb-auth.pcap", 10 * MB)
	note("base64-10mb-auth.pcap", "as base64-auth-128k.pcap with %d bytes of base64 in the AUTH line" % n,
	     "%s; line cap hit (lines_truncated >= 1, warning line_too_long), no quadratic re-scan (seconds, not "
	     "minutes), memory not proportional to the line" % SURVIVE, "gen.py --big", True)


# ---------------------------------------------------------------- MIME nesting

def nested_mime(depth):
	parts = [b"From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\n"
	         b"Subject: nested %d deep\r\nMIME-Version: 1.0\r\n" % depth]
	for i in range(depth):
		parts.append(b"Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n" % (i, i))
	parts.append(b"Content-Type: text/plain\r\n\r\ninnermost\r\n")
	for i in reversed(range(depth)):
		parts.append(b"--b%d--\r\n" % i)
	return b"".join(parts)


def mime_gen(out, name, depth):
	w = PcapStream(path(out, name))
	f = FastFlow(w, sport=25)
	f.handshake()
	smtp_open(f)
	msg = nested_mime(depth)
	smtp_message(f, msg)
	smtp_close(f)
	w.close()
	return len(msg)


@small
def mime_nested_1000(out):
	n = mime_gen(out, "mime-nested-1000.pcap", 1000)
	note("mime-nested-1000.pcap", "SMTP DATA of a %d-byte message whose multipart/mixed bodies nest 1000 deep" % n,
	     "%s; %s; 1 message (Subject `nested 1000 deep`), MIME depth capped without recursion overflow "
	     "(parts beyond the cap not listed, flagged)" % (SURVIVE, CRED_PLAIN), "gen.py FastFlow")


@big
def mime_nested_100k(out):
	n = len(nested_mime(100000))
	if not DRY:
		mime_gen(out, "mime-nested-100k.pcap", 100000)
	note("mime-nested-100k.pcap", "as mime-nested-1000.pcap, 100000 deep (%d bytes)" % n,
	     "%s; %s; no stack overflow, linear time" % (SURVIVE, CRED_PLAIN), "gen.py --big", True)


# ---------------------------------------------------------------- big headers

def header_msg(size):
	fold = b" folded subject text to make a very long header line ...........\r\n"
	subj = b"Subject: huge" + b"\r\n" + fold * (size // len(fold))
	return (b"From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\n" + subj +
	        b"X-Single-Line: " + b"x" * (size // 4) + b"\r\n" + b"\r\nbody\r\n")


def header_gen(out, name, size):
	w = PcapStream(path(out, name))
	f = FastFlow(w, sport=25)
	f.handshake()
	smtp_open(f)
	msg = header_msg(size)
	smtp_message(f, msg)
	smtp_close(f)
	w.close()
	return len(msg)


@small
def header_folded_128k(out):
	n = header_gen(out, "header-folded-128k.pcap", 128 * KB)
	note("header-folded-128k.pcap", "SMTP message (%d bytes) with a Subject folded over 128 KiB of "
	     "continuation lines and a 32 KiB unfolded X-Single-Line header" % n,
	     "%s; %s; 1 message; the Subject kept up to a cap and flagged truncated" % (SURVIVE, CRED_PLAIN),
	     "gen.py FastFlow")


@big
def header_1mb(out):
	n = len(header_msg(MB))
	if not DRY:
		header_gen(out, "header-1mb.pcap", MB)
	note("header-1mb.pcap", "as header-folded-128k.pcap with a 1 MiB folded Subject and a 256 KiB "
	     "unfolded header (%d bytes)" % n,
	     "%s; %s; 1 message, header cap hit and flagged, messages_truncated or lines_truncated counted"
	     % (SURVIVE, CRED_PLAIN), "gen.py --big", True)


# ---------------------------------------------------------------- RFC 2047 garbage

RFC2047_MSG = (
	b"From: =?x-unknown-charset?B?QWxpY2U=?= <alice@example.org>\r\n"
	b"To: =?UTF-8?B?Qm9i!!not*base64?= <bob@example.org>\r\n"
	b"Subject: =?UTF-8?B?SGVsbG8?= =?KOI8-R?Q?=FF=ZZ=?= =?utf-8?X?unknown-encoding?= "
	b"=??B?ZW1wdHk=?= =?UTF-8*en?Q?lang?= =?UTF-8?B?====?= =?UTF-8?B?" + b"QUFB" * 300 + b"?= "
	b"=?windows-1251?B?8O/w?= =?ISO-8859-1?Q?caf=E9?= =?UTF-8?B?w6k?= =?UTF-8?Q?trail=\r\n"
	b"Comments: =?UTF-8?B?\r\n"
	b"Keywords: =?" + b"A" * 2000 + b"?B?QQ==?=\r\n"
	b"MIME-Version: 1.0\r\n"
	b"Content-Type: multipart/mixed; boundary=\"zz\"\r\n"
	b"\r\n"
	b"--zz\r\n"
	b"Content-Type: text/plain; charset=x-no-such-charset\r\n"
	b"Content-Transfer-Encoding: base64\r\n"
	b"\r\n"
	b"!!!! this is not base64 ####\r\n"
	b"--zz\r\n"
	b"Content-Type: application/octet-stream; name=\"=?bogus?B?Zm9vLnR4dA==?=\"\r\n"
	b"Content-Disposition: attachment; filename=\"=?UTF-8?B?Li4vLi4vZXRjL3Bhc3N3ZA==?=\"; "
	b"filename*=x-unknown''%ZZ%2F%2E%2E\r\n"
	b"Content-Transfer-Encoding: base64\r\n"
	b"\r\n"
	b"QUJD\r\n"
	b"--zz--\r\n")


@small
def rfc2047_unknown_charset_broken_b64(out):
	w = PcapStream(path(out, "rfc2047-unknown-charset-broken-b64.pcap"))
	f = FastFlow(w, sport=25)
	f.handshake()
	smtp_open(f)
	smtp_message(f, RFC2047_MSG)
	smtp_close(f)
	w.close()
	note("rfc2047-unknown-charset-broken-b64.pcap", "SMTP message whose From/To/Subject/attachment names "
	     "hold encoded words with unknown charsets, broken base64 (`!!`, missing padding, `====`), bad Q hex "
	     "(`=ZZ`), an unknown encoding `X`, an empty charset, RFC 2231 language, an unterminated word, a "
	     "2000-byte charset name, a 1200-byte word; an attachment named `../../etc/passwd` in base64",
	     "%s; %s; 1 message; undecodable words kept raw (sanitised) instead of dropped or crashing, the "
	     "decodable ones (`caf\u00e9`, windows-1251 `\u0440\u043f\u0440`) decoded; the attachment name "
	     "sanitised (no `/`, no `..` escape) in the report and in --export" % (SURVIVE, CRED_PLAIN),
	     "gen.py FastFlow")


# ---------------------------------------------------------------- IPv4 fragments

def frag_eth(side, ipb):
	return G.MAC[1 - side] + G.MAC[side] + b"\x08\x00" + ipb


def frag_flood_gen(out, name, n):
	w = PcapStream(path(out, name))
	src = ip4b("10.0.9.9")
	dst = ip4b(G.SRV4)
	for i in range(n):
		# first fragments (offset 0, MF) of datagrams that never complete
		pl = struct.pack("!HHII", 40000 + (i % 20000), 110, i, 0) + b"\0" * 16
		ipb = ip4_header(src, dst, len(pl), i & 0xFFFF, df=False, mf=True) + pl
		w.add(frag_eth(C, ipb), orig_len=None)
	# then a real login whose PASS datagram is fragmented: must still work
	f = FastFlow(w)
	f.handshake()
	f.send(S, G.POP3_GREETING)
	f.send(C, b"USER alice\r\n")
	f.send(S, b"+OK\r\n")
	whole = f.tcp_ip(C, "PA", b"PASS s3cret\r\n", df=False)
	ident = struct.unpack("!H", whole[4:6])[0]
	pay = whole[20:]
	for a, b in ((16, len(pay)), (0, 8), (8, 16)):
		w.add(frag_eth(C, ip4_header(f.ip[C], f.ip[S], b - a, ident, df=False, frag_off=a,
		                             mf=b < len(pay)) + pay[a:b]))
	f.send(S, b"+OK Logged in.\r\n")
	f.send(C, b"QUIT\r\n")
	f.send(S, b"+OK Logging out.\r\n")
	f.close(S)
	w.close()


@small
def frag_flood(out):
	n = 1500
	frag_flood_gen(out, "frag-flood.pcap", n)
	note("frag-flood.pcap", "%d first fragments (MF, offset 0, distinct ids) from 10.0.9.9 that never "
	     "complete, then a POP3 login whose PASS datagram comes in 3 fragments out of order" % n,
	     "%s; ip_fragments %d, frags_dropped counted when --max-frags (or the timeout) is hit, fragment "
	     "memory never above --max-frag-bytes; the later login still reassembled: %s"
	     % (SURVIVE, n + 3, CRED_POP3), "gen.py FastFlow + struct fragments")


@big
def frag_flood_big(out):
	n = 300000
	if not DRY:
		frag_flood_gen(out, "frag-flood-big.pcap", n)
	note("frag-flood-big.pcap", "as frag-flood.pcap with %d incomplete datagrams" % n,
	     "%s; frags_dropped > 0 with default limits; %s" % (SURVIVE, CRED_POP3), "gen.py --big", True)


@small
def frag_overlap(out):
	w = PcapStream(path(out, "frag-overlap.pcap"))
	f = FastFlow(w)
	f.handshake()
	f.send(S, G.POP3_GREETING)
	f.send(C, b"USER alice\r\n")
	f.send(S, b"+OK\r\n")
	whole = f.tcp_ip(C, "PA", b"PASS s3cret\r\n", df=False)
	ident = struct.unpack("!H", whole[4:6])[0]
	pay = whole[20:]                     # 20 TCP + 13: "PASS s3cret\r\n" at 20..33
	evil = pay[:24] + b" hacked\r\n"
	src, dst = f.ip[C], f.ip[S]

	def frag(a, b, data, ident=ident, mf=True):
		return w.add(frag_eth(C, ip4_header(src, dst, b - a, ident, df=False, frag_off=a, mf=mf) + data[a:b]))

	a = frag(0, 32, pay)                 # TCP header + "PASS s3cret\r"
	frag(0, 32, pay)                     # exact duplicate
	b = frag(24, 33, evil, mf=False)     # overlaps [24,32) with " hacked\r"
	# other datagrams: teardrop (second fragment inside the first, no MF),
	# tiny first fragment then an offset-1 fragment rewriting the TCP header
	# (RFC 1858), and a fragment reaching past 65535 bytes
	t1 = ident + 100
	junk = struct.pack("!HHII", 51999, 110, 0, 0) + bytes(range(64))   # not the login's tuple
	frag(0, 40, junk, ident=t1)
	frag(8, 16, junk, ident=t1, mf=False)
	t2 = ident + 101
	frag(0, 8, junk, ident=t2)
	frag(8, 48, junk, ident=t2, mf=False)
	w.add(frag_eth(C, ip4_header(src, dst, 16, t2, df=False, frag_off=8, mf=False) +
	               struct.pack("!II", 0, 0x50020000) + b"\0" * 8))
	t3 = ident + 102
	big_off = 65528
	w.add(frag_eth(C, ip4_header(src, dst, 64, t3, df=False, frag_off=big_off, mf=False) + bytes(64)))
	frag(0, 24, junk, ident=t3)
	f.send(S, b"+OK Logged in.\r\n")
	f.send(C, b"QUIT\r\n")
	f.send(S, b"+OK Logging out.\r\n")
	f.close(S)
	w.close()
	note("frag-overlap.pcap", "POP3 login whose PASS datagram (id 0x%04x) is sent as [0,32) twice then "
	     "[24,33) carrying ` hacked\\r\\n` over ` s3cret\\r` (frames %d-%d); also a teardrop pair, a "
	     "tiny-fragment/offset-8 header rewrite (RFC 1858) and a fragment at offset 65528 + 64 bytes, these to port 110 "
	     "from port 51999"
	     % (ident, a, b),
	     "%s; frag_overlaps >= 1 (the exact duplicate is not a conflict); the password is never reported as "
	     "`hacked`: either the first copy wins (%s, TCP checksum valid) or the datagram is dropped "
	     "(frags_dropped, then the PASS line is a gap); the oversize datagram dropped and counted "
	     "(malformed_packets or frags_dropped)" % (SURVIVE, CRED_POP3), "gen.py FastFlow + struct fragments")


# ---------------------------------------------------------------- sequence numbers jumping

@small
def seq_backwards(out):
	w = PcapStream(path(out, "seq-backwards.pcap"))
	f = FastFlow(w)
	f.handshake()
	f.send(S, G.POP3_GREETING)
	f.send(C, b"USER alice\r\n")
	f.send(S, b"+OK\r\n")
	n = f.nxt[C]
	fr = []
	fr.append(f.send(C, b"PASS hacked1\r\n", seq=n - 100000, advance=False))      # far behind (before ISN)
	fr.append(f.send(C, b"PASS hacked2\r\n", seq=n - 0x80000000, advance=False))  # exactly half the space
	fr.append(f.send(C, b"PASS hacked3\r\n", seq=n + 0x7FFFFF00, advance=False))  # far ahead
	fr.append(f.send(S, b"", "A", ack=n + 0x40000000))                             # ACK of data never sent
	fr.append(f.send(S, b"-ERR no\r\n", seq=f.nxt[S] - 1000000, advance=False))    # server behind
	f.send(C, b"PASS s3cret\r\n")
	f.send(S, b"+OK Logged in.\r\n")
	fr.append(f.send(C, b"NOOP\r\n", seq=f.nxt[C] - 13, advance=False))           # backwards into PASS
	f.send(C, b"QUIT\r\n")
	f.send(S, b"+OK Logging out.\r\n")
	f.close(S)
	w.close()
	note("seq-backwards.pcap", "POP3 login with segments whose sequence numbers jump: 100000 back (before "
	     "the ISN), exactly 2^31 back, 2^31-256 ahead, a server ACK 2^30 beyond anything sent, a server "
	     "segment 10^6 back, and `NOOP` written 13 bytes back over `PASS s3cret` (frames %s)"
	     % ", ".join(str(x) for x in fr),
	     "%s; %s: none of `hacked1-3`/`-ERR no` reaches the dissector; the bogus ACK and the far-ahead "
	     "segment do not create a gigabyte gap that swallows the real `PASS s3cret` (at most a counted "
	     "anomaly), no allocation proportional to the jump; the NOOP over PASS is an overlap_conflict"
	     % (SURVIVE, CRED_POP3), "gen.py FastFlow")


# ---------------------------------------------------------------- lying and broken files

def login_frames():
	tr = G.Trace()
	G.pop3_session(tr)
	return G.frames_of(tr, G.l2_en10mb)


@small
def pcap_files(out):
	frames = login_frames()
	hdr64 = G.pcap_header(G.LT_EN10MB, snaplen=64)

	# caplen > snaplen on every record; one record with caplen > len;
	# the last record claims 65535 bytes with 30 left in the file
	with open(path(out, "pcap-lying-caplen.pcap"), "wb") as fh:
		fh.write(hdr64)
		for i, (ts, d) in enumerate(frames):
			orig = len(d)
			if i == 3:
				orig = 60                         # wire length smaller than what was captured
			fh.write(G.pcap_record(ts, d, orig_len=orig))
		fh.write(struct.pack("<IIII", frames[-1][0] // 10**9, 999999, 65535, 65535) + frames[0][1][:30])
	note("pcap-lying-caplen.pcap", "pcap with snaplen 64 in the file header whose 13 records (a full POP3 "
	     "login) all have caplen > 64, frame 4 with len 60 < caplen 83, and a 14th record claiming caplen "
	     "65535 with only 30 bytes left in the file",
	     "libpcap clamps every record to the header's snaplen (it hands out caplen 64, len as written), so "
	     "frames 1, 2, 5, 7, 8, 10 arrive cut (truncated_packets 6; payload beyond byte 64 becomes gaps: "
	     "`USER alice` and `PASS s3cre` lose their ends, so no credential with an invented secret: none, or one "
	     "flagged as cut by a gap) and frame 4 has len 60 < caplen 64 (bounded by the smaller: malformed or "
	     "truncated, counted, no over-read); the 14th record gives libpcap's `truncated dump file` error, "
	     "reported in one line after the 13 packets; exit 0 (damaged but readable); no crash", "gen.py struct")

	with open(path(out, "pcap-caplen-huge.pcap"), "wb") as fh:
		fh.write(G.pcap_header(G.LT_EN10MB))
		for ts, d in frames[:5]:
			fh.write(G.pcap_record(ts, d))
		fh.write(struct.pack("<IIII", frames[5][0] // 10**9, 0, 0xFFFFFFF0, 0xFFFFFFF0) + b"\0" * 64)
	note("pcap-caplen-huge.pcap", "5 good records then one whose caplen and len are 0xfffffff0",
	     "no allocation of 4 GiB: libpcap's `invalid packet capture length` reported in one line; the 5 "
	     "packets before it processed (1 session pop3, no credential: the login was not reached); exit 0 as "
	     "damaged-but-readable, or 2 if mailtap treats a read error as fatal; no crash either way", "gen.py struct")

	blob = b"".join([G.pcap_header(G.LT_EN10MB)] + [G.pcap_record(ts, d) for ts, d in frames])
	cut = len(G.pcap_header(G.LT_EN10MB)) + sum(16 + len(d) for _, d in frames[:7]) + 16 + 20
	with open(path(out, "truncated-file.pcap"), "wb") as fh:
		fh.write(blob[:cut])
	note("truncated-file.pcap", "the POP3 login capture cut after the 16-byte header and 20 of the 70 data bytes of "
	     "record 8 (the `+OK Logged in.` reply)", "7 packets decoded: 1 session pop3 with USER alice and PASS s3cret (outcome unknown: the reply "
	     "is cut); a one-line `truncated` warning, counted; exit 0", "gen.py: bytes of a good pcap cut")

	cut = len(G.pcap_header(G.LT_EN10MB)) + sum(16 + len(d) for _, d in frames[:7]) + 9
	with open(path(out, "truncated-record-header.pcap"), "wb") as fh:
		fh.write(blob[:cut])
	note("truncated-record-header.pcap", "the same capture cut 9 bytes into the 16-byte header of record 8",
	     "as truncated-file.pcap: 7 packets decoded, a truncation warning, exit 0", "gen.py")

	with open(path(out, "truncated-header.pcap"), "wb") as fh:
		fh.write(blob[:12])
	note("truncated-header.pcap", "only the first 12 bytes of a pcap global header",
	     "a one-line error naming the file, exit 2", "gen.py")

	open(path(out, "zero-length.pcap"), "wb").close()
	note("zero-length.pcap", "an empty file", "a one-line error, exit 2", "gen.py")

	with open(path(out, "not-a-pcap.pcap"), "wb") as fh:
		fh.write(b"This is not a capture file.\nIt is text that someone saved as .pcap.\n"
		         b"USER alice\r\nPASS s3cret\r\n")
	note("not-a-pcap.pcap", "a text file named .pcap (containing USER/PASS lines)",
	     "a one-line error (`unknown file format`), exit 2, no credential", "gen.py")

	with open(path(out, "unsupported-linktype.pcap"), "wb") as fh:
		fh.write(G.pcap_header(147))               # LINKTYPE_USER0
		for ts, d in frames:
			fh.write(G.pcap_record(ts, d))
	note("unsupported-linktype.pcap", "the POP3 login with LINKTYPE_USER0 (147) in the header",
	     "a one-line error naming the link type, exit 2", "gen.py")

	# pcapng: two interfaces with different link types
	tr = G.Trace()
	G.pop3_session(tr)
	sll = [(r.ts, G.l2_sll(r)) for r in tr.recs]
	eth = [(r.ts, G.l2_en10mb(r)) for r in tr.recs]
	with open(path(out, "pcapng-mixed-linktype.pcapng"), "wb") as fh:
		fh.write(G.pcapng_shb() + G.pcapng_idb(G.LT_EN10MB, name=b"eth0") +
		         G.pcapng_idb(G.LT_SLL, name=b"any"))
		for i in range(len(eth)):
			fh.write(G.pcapng_epb(i & 1, eth[i][0], (eth if i % 2 == 0 else sll)[i][1]))
	note("pcapng-mixed-linktype.pcapng", "pcapng with IDB 0 Ethernet and IDB 1 Linux SLL before any packet; "
	     "packets alternate between them", "a one-line error saying the link types are mixed, exit 2",
	     "gen.py pcapng writer")

	with open(path(out, "pcapng-mixed-linktype-late.pcapng"), "wb") as fh:
		fh.write(G.pcapng_shb() + G.pcapng_idb(G.LT_EN10MB, name=b"eth0"))
		for ts, d in eth[:6]:
			fh.write(G.pcapng_epb(0, ts, d))
		fh.write(G.pcapng_idb(G.LT_SLL, name=b"any"))
		for i in range(6, len(eth)):
			fh.write(G.pcapng_epb(1, sll[i][0], sll[i][1]))
	note("pcapng-mixed-linktype-late.pcapng", "pcapng whose second IDB (Linux SLL) appears after 6 Ethernet "
	     "packets", "the one-line mixed-link-type error when the second IDB is read (the 6 packets before it "
	     "may have been decoded), exit 2", "gen.py pcapng writer")

	with open(path(out, "pcapng-bad-block-length.pcapng"), "wb") as fh:
		fh.write(G.pcapng_shb() + G.pcapng_idb(G.LT_EN10MB))
		for ts, d in eth[:5]:
			fh.write(G.pcapng_epb(0, ts, d))
		fh.write(struct.pack("<II", 6, 0xFFFFFFF0) + b"\0" * 40)
	note("pcapng-bad-block-length.pcapng", "pcapng: 5 good EPBs then a block whose length is 0xfffffff0",
	     "5 packets processed, the read error in one line, no 4 GiB allocation; exit 0 (damaged but readable) "
	     "or 2, never a crash", "gen.py pcapng writer")


# ---------------------------------------------------------------- SYN floods

def syn_flood_gen(out, name, n):
	"""n SYNs from distinct (address, port) pairs: 60000 ports per address."""
	w = PcapStream(path(out, name), step_ns=1_000)
	dst = ip4b(G.SRV4)
	mss = struct.pack("!BBH", 2, 4, 1460)
	dst_sum = G.csum_partial(dst)
	tcp_len = 24
	eth = G.MAC[S] + G.MAC[C] + b"\x08\x00"
	for i in range(n):
		hi, port = divmod(i, 60000)
		src = bytes((10, 2, (hi >> 8) & 0xFF, hi & 0xFF))
		sport = 1024 + port
		seq = (i * 2654435761) & 0xFFFFFFFF
		th = struct.pack("!HHIIBBHHH", sport, 110, seq, 0, 6 << 4, 0x02, 64240, 0, 0) + mss
		s = G.csum_partial(src) + dst_sum + 6 + tcp_len + G.csum_partial(th)
		th = th[:16] + struct.pack("!H", G.csum_fold(s)) + th[18:]
		ipb = ip4_header(src, dst, tcp_len, i & 0xFFFF) + th
		w.add(eth + ipb)
	# after the flood, a real login must still be followed
	f = FastFlow(w)
	f.handshake()
	pop3_login(f)
	f.send(C, b"QUIT\r\n")
	f.send(S, b"+OK Logging out.\r\n")
	f.close(S)
	w.close()


@small
def syn_flood_2k(out):
	syn_flood_gen(out, "syn-flood-2k.pcap", 2000)
	note("syn-flood-2k.pcap", "2000 SYNs to 10.0.0.1:110 from 10.2.0.0 ports 1024-3023, never answered, then "
	     "a POP3 login", "%s; with `--max-flows 100`: flows_evicted >= 1900, flow memory bounded, and the "
	     "login after the flood still decoded: %s" % (SURVIVE, CRED_POP3), "gen.py struct")


@big
def syn_million(out):
	n = 1000000
	if not DRY:
		syn_flood_gen(out, "syn-million.pcap", n)
	note("syn-million.pcap", "a million SYNs from 10.2.0.0-10.2.0.16 x 60000 ports, then a POP3 login",
	     "%s; flows stay under max_flows, flows_evicted counted (>= 1000000 - max_flows), peak RSS bounded; "
	     "%s" % (SURVIVE, CRED_POP3), "gen.py --big (struct, ~75 MB)", True)


# ---------------------------------------------------------------- a line without end

def long_line_gen(out, name, size):
	w = PcapStream(path(out, name), step_ns=2_000)
	f = FastFlow(w, sport=25)
	f.handshake()
	f.send(S, b"220 mail.example.org ESMTP Postfix (Debian/GNU)\r\n")
	chunk = b"A" * 1448
	sent = 0
	while sent + 1448 <= size:
		f.send(C, chunk, "A")
		sent += 1448
	if size > sent:
		f.send(C, b"A" * (size - sent), "PA")
	f.send(C, b"", "FA")
	f.send(S, b"500 5.5.2 Error: line too long\r\n", "FPA")
	f.send(C, b"", "A")
	w.close()


@small
def line_nocrlf_128k(out):
	long_line_gen(out, "line-nocrlf-128k.pcap", 128 * KB)
	note("line-nocrlf-128k.pcap", "SMTP port 25: greeting, then 128 KiB of `A` without CRLF and a FIN",
	     "%s; 1 session smtp; with `--max-line 4096` the line is cut (lines_truncated 1, warning "
	     "line_too_long), the partial line flushed at FIN" % SURVIVE, "gen.py FastFlow")


@big
def line_100mb(out):
	if not DRY:
		long_line_gen(out, "line-100mb.pcap", 100 * MB)
	note("line-100mb.pcap", "as line-nocrlf-128k.pcap with 100 MiB in one line (~72000 segments)",
	     "%s; line cap hit once (lines_truncated, warning line_too_long); time linear in the size (no re-scan "
	     "of the kept prefix per segment), RSS not proportional to the line" % SURVIVE, "gen.py --big", True)


# ---------------------------------------------------------------- terminal escape injection

ESC = b"\x1b"
OSC52 = ESC + b"]52;c;ZWNobyBwd25lZCB8IHNo\x07"         # would set the clipboard
BADUTF8 = b"\xff\xfe \xc0\xaf \xed\xa0\x80 \xf8\x88\x80\x80\x80 \xe2\x82"


@small
def escape_injection(out):
	w = PcapStream(path(out, "escape-injection.pcap"))
	# SMTP
	f = FastFlow(w, cport=51010, sport=25)
	f.handshake()
	f.send(S, b"220 mail.example.org ESMTP " + ESC + b"[2J" + ESC + b"[H Postfix\r\n")
	f.send(C, b"EHLO " + ESC + b"]0;owned-title\x07evil.example\r\n")
	f.send(S, b"250-mail.example.org\r\n250-AUTH LOGIN PLAIN\r\n250 8BITMIME\r\n")
	f.send(C, b"AUTH LOGIN\r\n")
	f.send(S, b"334 VXNlcm5hbWU6\r\n")
	user = b"alice" + ESC + b"[31mRED" + ESC + b"[0m" + OSC52
	f.send(C, base64.b64encode(user) + b"\r\n")
	f.send(S, b"334 UGFzc3dvcmQ6\r\n")
	f.send(C, base64.b64encode(b"s3cret\r" + ESC + b"[1A" + ESC + b"[2K\x07") + b"\r\n")
	f.send(S, b"235 2.7.0 Authentication successful\r\n")
	msg1 = (b"From: \"" + ESC + b"[1mCEO" + ESC + b"[0m\" <ceo@example.org>\r\n"
	        b"To: bob@example.org\r\n"
	        b"Subject: Invoice " + ESC + b"[1;31mURGENT" + ESC + b"[0m " + OSC52 + b" bell\x07\x07 cr\rhere "
	        + BADUTF8 + b" nul\0end\r\n"
	        b"MIME-Version: 1.0\r\n"
	        b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
	        b"--b1\r\nContent-Type: text/plain\r\n\r\nbody " + ESC + b"[?1049h\r\n"
	        b"--b1\r\nContent-Type: application/octet-stream\r\n"
	        b"Content-Disposition: attachment; filename=\"../../.." + ESC + b"]52;c;aGk=\x07evil\r.txt\"\r\n"
	        b"Content-Transfer-Encoding: base64\r\n\r\nQUJD\r\n"
	        b"--b1\r\nContent-Type: application/octet-stream\r\n"
	        b"Content-Disposition: attachment; filename*=UTF-8''%1B%5B2J%2E%2E%2Fetc%2Fpasswd\r\n\r\nx\r\n"
	        b"--b1--\r\n")
	smtp_message(f, msg1)
	enc = b"=?UTF-8?B?" + base64.b64encode(ESC + b"[5mblink" + ESC + b"[0m\x07" + OSC52) + b"?="
	msg2 = (b"From: =?UTF-8?B?" + base64.b64encode(b"Mallory " + ESC + b"[8m") + b"?= <m@example.org>\r\n"
	        b"Subject: " + enc + b"\r\n\r\nsecond\r\n")
	f.send(C, b"MAIL FROM:<\x07\x07\x07bell@example.org>\r\n")
	f.send(S, b"250 2.1.0 Ok\r\n")
	f.send(C, b"RCPT TO:<bob" + BADUTF8 + b"@example.org>\r\n")
	f.send(S, b"250 2.1.5 Ok\r\n")
	f.send(C, b"DATA\r\n")
	f.send(S, b"354 End data with <CR><LF>.<CR><LF>\r\n")
	f.send(C, msg2 + b".\r\n")
	f.send(S, b"250 2.0.0 Ok: queued as 4QF1J20XY2\r\n")
	smtp_close(f)
	# POP3
	f = FastFlow(w, cport=51011, sport=110, cisn=0x10101010, sisn=0x20202020)
	f.handshake()
	f.send(S, b"+OK " + ESC + b"[2J" + ESC + b"]52;c;aGk=\x07 ready.\r\n")
	f.send(C, b"USER alice" + ESC + b"[2J\r\n")
	f.send(S, b"+OK\r\n")
	f.send(C, b"PASS s3\x07cret" + BADUTF8 + b"\r\n")
	f.send(S, b"+OK Logged in.\r\n")
	f.send(C, b"QUIT\r\n")
	f.send(S, b"+OK Logging out.\r\n")
	f.close(S)
	# IMAP
	f = FastFlow(w, cport=51012, sport=143, cisn=0x30303030, sisn=0x40404040)
	f.handshake()
	f.send(S, IMAP_GREETING)
	f.send(C, b"a LOGIN \"al" + ESC + b"]52;c;aGk=\x07ice\" \"s3cret\xff\\\"" + ESC + b"[0m\"\r\n")
	f.send(S, b"a OK Logged in\r\n")
	f.send(C, b"b LOGOUT\r\n")
	f.send(S, b"* BYE " + ESC + b"[6n\r\nb OK Logout completed.\r\n")
	f.close(S)
	w.close()
	note("escape-injection.pcap", "SMTP (port 25), POP3 and IMAP sessions whose greetings, EHLO, AUTH LOGIN "
	     "username/password, MAIL FROM, RCPT, Subject (raw and RFC 2047-encoded), From display names, body "
	     "and attachment file names (`../../..ESC]52;c;aGk=BELevil\\r.txt`, `filename*=...%1B%5B2J%2E%2E"
	     "%2Fetc%2Fpasswd`) contain CSI sequences (ESC[2J, ESC[31m, ESC[6n, ESC[?1049h), OSC 0 and OSC 52 "
	     "(clipboard), BEL, bare CR, NUL and invalid UTF-8 (0xff, overlong, surrogate, 5-byte, cut sequence)",
	     "3 sessions (smtp, pop3, imap), 3 credentials (AUTH LOGIN, USER/PASS, LOGIN) with usernames starting "
	     "`alice`/`al`; 2 messages, 2 attachments; in the text report and the UI no ESC, BEL, CR, NUL or "
	     "invalid byte reaches the terminal (all shown escaped, e.g. `\\x1b[31m` or `\\e`); JSON output is valid "
	     "UTF-8 with control characters as \\u00XX; --export writes attachment files only inside DIR with "
	     "sanitised names", "gen.py FastFlow")


# ---------------------------------------------------------------- main

README_HEAD = """# Hostile captures

Inputs made to break a packet analyzer (issue 6). For each: no crash, no hang, memory under
the configured limits, a counted anomaly, exit status 0 for a damaged-but-readable capture or
2 with a one-line error for an unreadable one. Counter names are those of `struct mt_counters`
(capture/limits.h); warning names those of docs/json.md.

All are written by `gen.py` (python3; imports `../crafted/gen.py`, which needs Debian's
python3-scapy), deterministically. The small ones are committed here (each < 200 KB; use the
limit options shown to make them hit a limit). The big ones are never committed: a test
writes them on demand with

    python3 pcaps/hostile/gen.py --big tests/out/hostile

(`--only NAME[,NAME]` for some; about 300 MB in all, under a minute). `gen.py` also writes this
file: edit the descriptions there. Addresses as in ../crafted/README.md (client 10.0.0.5,
server 10.0.0.1); first packet at 2023-05-07T06:41:15.123456Z.

Format: name - what it shows - what mailtap must report - how it was made.

"""


def main(argv):
	out = None
	only = None
	kinds = {"small"}
	args = list(argv)
	while args:
		a = args.pop(0)
		if a == "--only":
			only = set(args.pop(0).split(","))
		elif a == "--big":
			kinds = {"big"}
		elif a == "--all":
			kinds = {"small", "big"}
		elif a == "--list":
			for n, _, k in GENS:
				print(n, k)
			return 0
		elif a.startswith("-"):
			print(__doc__)
			return 2
		else:
			out = a
	if out is None:
		if kinds != {"small"}:
			sys.exit("gen.py: big captures are never written into the source tree; give a directory "
			         "(e.g. tests/out/hostile)")
		out = HERE
	unknown = (only or set()) - {n for n, _, _ in GENS}
	if unknown:
		sys.exit("gen.py: no such capture: %s (see --list)" % ", ".join(sorted(unknown)))
	os.makedirs(out, exist_ok=True)
	for n, fn, k in GENS:
		if (only is None and k in kinds) or (only is not None and n in only):
			fn(out)
	if only is None and kinds == {"small"} and os.path.abspath(out) == HERE:
		# the README lists the big ones too: run their note() without writing files
		global DRY
		DRY = True
		for n, fn, k in GENS:
			if k == "big":
				fn(None)
		with open(os.path.join(out, "README.md"), "w") as fh:
			fh.write(README_HEAD)
			for name, shows, expect, how, is_big in CAPS:
				fh.write("- `%s`%s - %s - %s - %s.\n" % (name, " (on demand, not committed)" if is_big else "",
				                                         shows, expect, how))
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
