#!/usr/bin/env python3
"""Deterministic generator of mailtap's crafted test captures.

    python3 pcaps/crafted/gen.py [--only NAME[,NAME...]] [--list] [OUTDIR]

Writes every capture of pcaps/crafted/ (default OUTDIR: the directory of this
script) and pcaps/crafted/README.md. These are the captures real traffic on
loopback cannot produce: one per link type, and TCP/IP reassembly corner cases
(reordering, overlaps with conflicting bytes, sequence wrap, lost segments,
mid-stream starts, snaplen cuts, IP fragments...). Packets are built with scapy
(Debian's python3-scapy); the pcap/pcapng files are written here with struct,
because scapy cannot write every link type. Everything is deterministic: fixed
addresses, ports, ISNs, IP ids and timestamps (2023-05-07T06:41:15.123456Z on),
so a re-run produces byte-identical files.

pcaps/hostile/gen.py imports this file for its packet and file writers.
"""

import calendar
import logging
import os
import struct
import sys
from array import array


def _import_scapy():
	"""Import scapy; if this interpreter lacks it (a pyenv python3 first in
	PATH), re-run the script under Debian's /usr/bin/python3, which has
	python3-scapy."""
	logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
	try:
		from scapy.compat import raw  # noqa: F401
		return True
	except ImportError:
		pass
	deb = "/usr/bin/python3"
	if (__name__ == "__main__" or os.environ.get("MT_GEN_MAIN")) and \
			os.path.exists(deb) and os.path.realpath(sys.executable) != os.path.realpath(deb) and \
			not os.environ.get("MT_GEN_REEXEC"):
		os.environ["MT_GEN_REEXEC"] = "1"
		os.execv(deb, [deb] + sys.argv)
	sys.exit("gen.py: needs scapy (Debian 12: apt-get install python3-scapy)")


_import_scapy()
from scapy.compat import raw  # noqa: E402
from scapy.layers.inet import IP, TCP  # noqa: E402
from scapy.layers.inet6 import IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop  # noqa: E402
from scapy.packet import Raw  # noqa: E402

# ---------------------------------------------------------------- constants

BASE_NS = calendar.timegm((2023, 5, 7, 6, 41, 15, 0, 0, 0)) * 10**9 + 123456000
C, S = 0, 1                      # client side, server side

CLI4, SRV4 = "10.0.0.5", "10.0.0.1"
CLI6, SRV6 = "2001:db8::5", "2001:db8::1"
MAC = {C: bytes.fromhex("020000000005"), S: bytes.fromhex("020000000001")}

# pcap LINKTYPE_ values (the numbers written in files, tcpdump.org/linktypes)
LT_NULL, LT_EN10MB, LT_RAW, LT_LOOP = 0, 1, 101, 108
LT_SLL, LT_IPV4, LT_IPV6, LT_SLL2 = 113, 228, 229, 276
LT_DLT_RAW12 = 12                # DLT_RAW's value on Linux, also seen in files

SYN_OPTS = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (3091127000, 0)),
            ("NOP", None), ("WScale", 7)]
SYNACK_OPTS = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1201345000, 3091127000)),
               ("NOP", None), ("WScale", 7)]


# ---------------------------------------------------------------- checksums

def csum_partial(data, acc=0):
	"""One's-complement sum of data as 16-bit words, unfolded. Fast: the sum
	is byte-order independent, so native words are summed and swapped once."""
	if len(data) & 1:
		data = bytes(data) + b"\0"
	s = sum(array("H", bytes(data)))
	if sys.byteorder == "little":
		# fold then swap to network order
		while s >> 16:
			s = (s & 0xFFFF) + (s >> 16)
		s = ((s & 0xFF) << 8) | (s >> 8)
	return acc + s


def csum_fold(s):
	while s >> 16:
		s = (s & 0xFFFF) + (s >> 16)
	return (~s) & 0xFFFF


# ---------------------------------------------------------------- packets in capture order

class Rec:
	"""One captured packet before link framing: IP bytes, who sent it, time."""
	__slots__ = ("ts", "ip", "side", "v6", "frame")

	def __init__(self, ts, ip, side, v6, frame):
		self.ts, self.ip, self.side, self.v6, self.frame = ts, ip, side, v6, frame


class Trace:
	"""Packets in capture order with deterministic timestamps (ns)."""

	def __init__(self, t0=BASE_NS, step_ns=250_000):
		self.recs = []
		self.t = t0
		self.step = step_ns

	def add(self, ip, side, v6=False, dt=None):
		"""Append a packet at the current time, then advance the clock.
		Returns its frame number (1-based, as Wireshark counts)."""
		if dt is not None:
			self.t += dt
		self.recs.append(Rec(self.t, bytes(ip), side, v6, len(self.recs) + 1))
		self.t += self.step
		return len(self.recs)

	def sleep(self, sec):
		self.t += int(round(sec * 1e9))

	def next_frame(self):
		return len(self.recs) + 1


def patch_bad_ip_csum(b):
	b = bytearray(b)
	b[10] ^= 0x5A
	b[11] ^= 0xA5
	return bytes(b)


def patch_bad_tcp_csum(b, v6):
	b = bytearray(b)
	off = 40 if v6 else (b[0] & 0x0F) * 4
	if v6:
		off = ipv6_l4_offset(b)
	b[off + 16] ^= 0x5A
	b[off + 17] ^= 0xA5
	return bytes(b)


def ipv6_l4_offset(b):
	nh, off = b[6], 40
	while nh in (0, 43, 60):    # hop-by-hop, routing, destination options
		nh, off = b[off], off + (b[off + 1] + 1) * 8
	return off


class Flow:
	"""One TCP connection. Tracks each side's next sequence number and the
	bytes it really put into its stream (for the expectations)."""

	def __init__(self, tr, cport=51000, sport=110, cisn=0x1A2B3C4D, sisn=0x5E6F7081,
	             cli=None, srv=None, v6=False, ext=None, ipid=(0x2A00, 0x6C00)):
		self.tr = tr
		self.v6 = v6
		self.addr = {C: cli or (CLI6 if v6 else CLI4), S: srv or (SRV6 if v6 else SRV4)}
		self.port = {C: cport, S: sport}
		self.nxt = {C: cisn & 0xFFFFFFFF, S: sisn & 0xFFFFFFFF}
		self.ipid = {C: ipid[0], S: ipid[1]}
		self.win = {C: 502, S: 509}
		self.ext = ext              # callable returning IPv6 extension headers
		self.stream = {C: bytearray(), S: bytearray()}
		self.frames = []

	def client(self):
		a = self.addr[C]
		return ("[%s]:%d" if self.v6 else "%s:%d") % (a, self.port[C])

	def server(self):
		a = self.addr[S]
		return ("[%s]:%d" if self.v6 else "%s:%d") % (a, self.port[S])

	def build(self, side, flags="PA", data=b"", seq=None, ack=None, win=None, opts=None,
	          advance=True, bad_ip=False, bad_tcp=False, df=True):
		"""IP bytes of one segment from `side`. By default it carries the next
		sequence number and ACKs everything the peer sent; advance=False
		builds a retransmission (the sequence counter does not move)."""
		o = 1 - side
		if seq is None:
			seq = self.nxt[side]
		if ack is None:
			ack = self.nxt[o] if "A" in flags else 0
		tcp = TCP(sport=self.port[side], dport=self.port[o], seq=seq & 0xFFFFFFFF,
		          ack=ack & 0xFFFFFFFF, flags=flags,
		          window=self.win[side] if win is None else win, options=opts or [])
		if self.v6:
			ip = IPv6(src=self.addr[side], dst=self.addr[o], hlim=64, fl=0)
			if self.ext:
				for h in self.ext():
					ip = ip / h
		else:
			ip = IP(src=self.addr[side], dst=self.addr[o], id=self.ipid[side],
			        flags="DF" if df else 0, ttl=64)
			self.ipid[side] = (self.ipid[side] + 1) & 0xFFFF
		pkt = ip / tcp
		if data:
			pkt = pkt / Raw(bytes(data))
		b = raw(pkt)
		if bad_ip and not self.v6:
			b = patch_bad_ip_csum(b)
		if bad_tcp:
			b = patch_bad_tcp_csum(b, self.v6)
		if advance and seq == self.nxt[side]:
			n = len(data) + (1 if "S" in flags else 0) + (1 if "F" in flags else 0)
			self.nxt[side] = (self.nxt[side] + n) & 0xFFFFFFFF
			self.stream[side] += data
		return b

	def emit(self, side, b, dt=None):
		f = self.tr.add(b, side, self.v6, dt)
		self.frames.append(f)
		return f

	def send(self, side, data=b"", flags="PA", dt=None, **kw):
		"""Build and capture one segment; returns its frame number."""
		return self.emit(side, self.build(side, flags, data, **kw), dt)

	def handshake(self, opts=True, syn_data=b"", syn_opts=None):
		self.send(C, syn_data, "S", opts=(syn_opts or SYN_OPTS) if opts else None)
		self.send(S, b"", "SA", opts=SYNACK_OPTS if opts else None)
		self.send(C, b"", "A")

	def close(self, first=S):
		"""FIN from `first`, FIN from the other, last ACK."""
		self.send(first, b"", "FA")
		self.send(1 - first, b"", "FA")
		self.send(first, b"", "A")


# ---------------------------------------------------------------- link framing

ETH_IP4, ETH_IP6 = 0x0800, 0x86DD


def ethertype(r):
	return ETH_IP6 if r.v6 else ETH_IP4


def l2_en10mb(r):
	return MAC[1 - r.side] + MAC[r.side] + struct.pack("!H", ethertype(r)) + r.ip


def l2_vlan(r, vid=100):
	return (MAC[1 - r.side] + MAC[r.side] + struct.pack("!HH", 0x8100, vid) +
	        struct.pack("!H", ethertype(r)) + r.ip)


def l2_qinq(r, outer=200, inner=100):
	# 802.1ad: S-tag (TPID 0x88a8) outside, C-tag (0x8100) inside
	return (MAC[1 - r.side] + MAC[r.side] + struct.pack("!HHHH", 0x88A8, outer, 0x8100, inner) +
	        struct.pack("!H", ethertype(r)) + r.ip)


def l2_sll(r):
	# capture taken on the client host: its packets are "outgoing" (4),
	# the server's are "to us" (0); the address is the sender's MAC
	ptype = 4 if r.side == C else 0
	return struct.pack("!HHH", ptype, 1, 6) + MAC[r.side] + b"\0\0" + \
		struct.pack("!H", ethertype(r)) + r.ip


def l2_sll2(r):
	ptype = 4 if r.side == C else 0
	return struct.pack("!HHIHBB", ethertype(r), 0, 2, 1, ptype, 6) + MAC[r.side] + b"\0\0" + r.ip


def l2_null_le(r):
	return struct.pack("<I", 2) + r.ip      # AF_INET in the writer's (little-endian) order


def l2_null_be(r):
	return struct.pack(">I", 2) + r.ip      # AF_INET written by a big-endian host


def l2_loop(r):
	return struct.pack("!I", 2) + r.ip      # DLT_LOOP: AF always in network order


def l2_raw(r):
	return r.ip


def frames_of(tr, l2):
	return [(r.ts, l2(r)) for r in tr.recs]


# ---------------------------------------------------------------- file writers

def pcap_header(linktype, snaplen=262144, nsec=False, endian="<"):
	magic = 0xA1B23C4D if nsec else 0xA1B2C3D4
	return struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)


def pcap_record(ts_ns, data, snaplen=262144, nsec=False, endian="<", orig_len=None):
	sec, frac = divmod(ts_ns, 10**9)
	if not nsec:
		frac //= 1000
	cap = data[:snaplen]
	return struct.pack(endian + "IIII", sec, frac, len(cap),
	                   len(data) if orig_len is None else orig_len) + cap


def write_pcap(path, linktype, frames, snaplen=262144, nsec=False, endian="<"):
	"""frames: (ts_ns, bytes) or (ts_ns, bytes, orig_len). Bytes beyond
	snaplen are cut, as the capturing kernel would."""
	with open(path, "wb") as f:
		f.write(pcap_header(linktype, snaplen, nsec, endian))
		for fr in frames:
			f.write(pcap_record(fr[0], fr[1], snaplen, nsec, endian,
			                    fr[2] if len(fr) > 2 else None))


def _pad4(b):
	return b + b"\0" * (-len(b) % 4)


def pcapng_block(btype, body):
	body = _pad4(body)
	n = 12 + len(body)
	return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def pcapng_option(code, val):
	return struct.pack("<HH", code, len(val)) + _pad4(val)


def pcapng_shb(app=b"mailtap crafted gen.py"):
	opts = pcapng_option(4, app) + pcapng_option(0, b"")
	return pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + opts)


def pcapng_idb(linktype, snaplen=262144, name=b"eth0", tsresol=None):
	opts = pcapng_option(2, name)
	if tsresol is not None:
		opts += pcapng_option(9, bytes([tsresol]))
	opts += pcapng_option(0, b"")
	return pcapng_block(1, struct.pack("<HHI", linktype, 0, snaplen) + opts)


def pcapng_epb(ifid, ts_ns, data, tsresol=6):
	units = ts_ns // (10 ** (9 - tsresol))
	return pcapng_block(6, struct.pack("<IIIII", ifid, units >> 32, units & 0xFFFFFFFF,
	                                   len(data), len(data)) + data)


# ---------------------------------------------------------------- dialogues

POP3_GREETING = b"+OK Dovecot (Debian) ready.\r\n"


def pop3_login(f, pw=b"s3cret", ok=True, quit=True):
	"""Greeting, USER alice, PASS, (QUIT): each line one segment."""
	f.send(S, POP3_GREETING)
	f.send(C, b"USER alice\r\n")
	f.send(S, b"+OK\r\n")
	f.send(C, b"PASS " + pw + b"\r\n")
	f.send(S, b"+OK Logged in.\r\n" if ok else b"-ERR [AUTH] Authentication failed.\r\n")
	if quit:
		pop3_quit(f)


def pop3_quit(f):
	f.send(C, b"QUIT\r\n")
	f.send(S, b"+OK Logging out.\r\n")


def pop3_session(tr, **kw):
	"""The reference exchange of every link-type capture."""
	f = Flow(tr, **kw)
	f.handshake()
	pop3_login(f)
	f.close(S)
	return f


MESSAGE = (b"From: Alice <alice@example.org>\r\n"
           b"To: Bob <bob@example.org>\r\n"
           b"Subject: lab test\r\n"
           b"Date: Sun, 07 May 2023 06:41:15 +0000\r\n"
           b"Message-ID: <20230507064115.1@example.org>\r\n"
           b"\r\n"
           b"Hello Bob,\r\n"
           b"..this line was dot-stuffed.\r\n"
           b"Bye.\r\n")


def b64(s):
	import base64
	return base64.b64encode(s).decode().encode()


# ---------------------------------------------------------------- the captures

CAPS = []          # (name, shows, expect, how), in README order
GENERATORS = []    # (name, function(outdir))


def capture(fn):
	GENERATORS.append((fn.__name__.replace("_", "-"), fn))
	return fn


def note(name, shows, expect, how):
	CAPS.append((name, shows, expect, how))


def bytes_note(f):
	return "bytes_c2s %d, bytes_s2c %d" % (len(f.stream[C]), len(f.stream[S]))


def link_expect(f, extra=""):
	return ("1 session pop3 %s -> %s, syn_seen true, %s, gap_bytes 0; 1 credential USER/PASS "
	        "user alice secret s3cret outcome success%s" % (f.client(), f.server(), bytes_note(f), extra))


LINKS = [
	# name, linktype, framing, what
	("link-en10mb.pcap", LT_EN10MB, l2_en10mb, "Ethernet II (LINKTYPE 1)"),
	("link-vlan.pcap", LT_EN10MB, l2_vlan, "Ethernet with one 802.1Q tag (TPID 0x8100, VID 100)"),
	("link-qinq.pcap", LT_EN10MB, l2_qinq,
	 "Ethernet with 802.1ad QinQ: S-tag 0x88a8 VID 200 then C-tag 0x8100 VID 100"),
	("link-sll.pcap", LT_SLL, l2_sll, "Linux cooked v1 (LINKTYPE 113), packet types 4/0"),
	("link-sll2.pcap", LT_SLL2, l2_sll2, "Linux cooked v2 (LINKTYPE 276, tcpdump -i any), ifindex 2"),
	("link-null-le.pcap", LT_NULL, l2_null_le, "BSD NULL (LINKTYPE 0), AF_INET=2 little-endian"),
	("link-loop.pcap", LT_LOOP, l2_loop, "OpenBSD LOOP (LINKTYPE 108), AF_INET=2 in network order"),
	("link-raw.pcap", LT_RAW, l2_raw, "RAW IP (LINKTYPE_RAW 101, DLT_RAW 12)"),
	("link-raw-dlt12.pcap", LT_DLT_RAW12, l2_raw,
	 "RAW IP with the DLT value 12 written in the file header (as some tools do)"),
	("link-ipv4.pcap", LT_IPV4, l2_raw, "LINKTYPE_IPV4 (228): bare IPv4"),
]


@capture
def links(out):
	for name, lt, l2, what in LINKS:
		tr = Trace()
		f = pop3_session(tr)
		write_pcap(os.path.join(out, name), lt, frames_of(tr, l2))
		note(name, what + ": POP3 login with handshake and FIN teardown", link_expect(f),
		     "scapy IPv4/TCP, framing and pcap file written by gen.py")

	# a big-endian host writes the file header and the AF in its own order
	tr = Trace()
	f = pop3_session(tr)
	write_pcap(os.path.join(out, "link-null-be.pcap"), LT_NULL, frames_of(tr, l2_null_be), endian=">")
	note("link-null-be.pcap", "BSD NULL (LINKTYPE 0) from a big-endian host: file header and AF_INET=2 "
	     "big-endian: POP3 login", link_expect(f), "pcap written big-endian (magic a1b2c3d4 as BE) by gen.py")

	tr = Trace()
	f = pop3_session(tr, v6=True)
	write_pcap(os.path.join(out, "link-ipv6.pcap"), LT_IPV6, frames_of(tr, l2_raw))
	note("link-ipv6.pcap", "LINKTYPE_IPV6 (229): bare IPv6: POP3 login", link_expect(f),
	     "scapy IPv6/TCP, pcap by gen.py")

	tr = Trace()
	f = pop3_session(tr, v6=True, ext=lambda: [IPv6ExtHdrHopByHop(), IPv6ExtHdrDestOpt()])
	write_pcap(os.path.join(out, "link-ipv6-exthdr.pcap"), LT_EN10MB, frames_of(tr, l2_en10mb))
	note("link-ipv6-exthdr.pcap", "IPv6 over Ethernet; every packet has a hop-by-hop and a destination "
	     "options header (8 bytes each, PadN) before TCP: POP3 login", link_expect(f),
	     "scapy IPv6/IPv6ExtHdrHopByHop/IPv6ExtHdrDestOpt/TCP")

	tr = Trace(step_ns=1_000_123)
	f = pop3_session(tr)
	write_pcap(os.path.join(out, "link-nsec.pcap"), LT_EN10MB, frames_of(tr, l2_en10mb), nsec=True)
	note("link-nsec.pcap", "Ethernet, nanosecond pcap (magic a1b23c4d), packets 1.000123 ms apart: "
	     "POP3 login", link_expect(f, "; start 2023-05-07T06:41:15.123456000Z, timestamps keep their "
	                               "nanosecond digits where mailtap prints ns (e.g. frame 2 at .124456123)"),
	     "pcap written with ns fractions by gen.py")

	# pcapng with nanosecond if_tsresol: a pcapng reader must honour it
	tr = Trace(step_ns=1_000_123)
	f = pop3_session(tr)
	with open(os.path.join(out, "link-en10mb-nsec.pcapng"), "wb") as fh:
		fh.write(pcapng_shb() + pcapng_idb(LT_EN10MB, tsresol=9))
		for ts, d in frames_of(tr, l2_en10mb):
			fh.write(pcapng_epb(0, ts, d, tsresol=9))
	note("link-en10mb-nsec.pcapng", "pcapng, one Ethernet IDB with if_tsresol=9 (ns): POP3 login",
	     link_expect(f, "; start 2023-05-07T06:41:15.123456Z"), "pcapng blocks written by gen.py")


def write_eth(out, name, tr, **kw):
	write_pcap(os.path.join(out, name), LT_EN10MB, frames_of(tr, l2_en10mb), **kw)


def login_expect(f, extra=""):
	return ("1 session pop3 %s -> %s, %s; credential USER/PASS alice / s3cret success%s"
	        % (f.client(), f.server(), bytes_note(f), extra))


@capture
def reorder_pop3(out):
	tr = Trace()
	f = Flow(tr)
	f.handshake()
	g1 = f.build(S, "A", POP3_GREETING[:12])
	g2 = f.build(S, "PA", POP3_GREETING[12:])
	f.emit(S, g2)                                   # second half first
	f.send(C, b"", "A", ack=(f.nxt[S] - len(POP3_GREETING)),  # dup ACK with SACK of the 2nd half
	       opts=[("NOP", None), ("NOP", None),
	             ("SAck", ((f.nxt[S] - len(POP3_GREETING) + 12) & 0xFFFFFFFF, f.nxt[S]))])
	f.emit(S, g1)
	f.send(C, b"USER alice\r\n")
	f.send(S, b"+OK\r\n")
	p1 = f.build(C, "A", b"PA")
	p2 = f.build(C, "A", b"SS s3c")
	p3 = f.build(C, "PA", b"ret\r\n")
	a = f.emit(C, p3)
	f.emit(C, p1)
	f.emit(C, p2)
	f.send(S, b"+OK Logged in.\r\n")
	f.send(C, b"QUIT\r\n")
	q1 = f.build(S, "A", b"+OK Log")
	q2 = f.build(S, "PA", b"ging out.\r\n")
	f.emit(S, q2)
	f.emit(S, q1)
	f.close(S)
	write_eth(out, "reorder-pop3.pcap", tr)
	note("reorder-pop3.pcap", "out-of-order segments: greeting halves swapped (with a SACK dup ACK), "
	     "PASS line in 3 segments captured 3,1,2 (frames %d,%d,%d), QUIT reply halves swapped" % (a, a + 1, a + 2),
	     login_expect(f, "; same transcript as link-en10mb.pcap, no gap, no overlap_conflict"),
	     "scapy, segments emitted out of order")


@capture
def retrans_dup(out):
	tr = Trace()
	f = Flow(tr)
	f.handshake()
	g = f.build(S, "PA", POP3_GREETING)
	f.emit(S, g)
	f.emit(S, g, dt=200_000_000)                     # RTO retransmission, identical
	f.send(C, b"", "A")
	f.send(C, b"", "A")                               # duplicate ACK
	u1 = f.build(C, "A", b"USER ", advance=False)
	f.emit(C, u1)
	u2 = f.build(C, "PA", b"alice\r\n", seq=f.nxt[C] + 5, advance=False)
	f.emit(C, u2)
	whole = f.build(C, "PA", b"USER alice\r\n")      # coalesced retransmission of both
	f.emit(C, whole, dt=200_000_000)
	f.send(S, b"+OK\r\n")
	p = f.build(C, "PA", b"PASS s3cret\r\n")
	first = f.emit(C, p)
	f.emit(C, p, dt=200_000_000)
	f.emit(C, p, dt=400_000_000)
	f.send(S, b"+OK Logged in.\r\n")
	pop3_quit(f)
	f.close(S)
	write_eth(out, "retrans-dup.pcap", tr)
	note("retrans-dup.pcap", "duplicates and retransmissions: greeting sent twice, a duplicate ACK, "
	     "`USER ` + `alice` then a coalesced retransmission of `USER alice`, PASS sent 3 times "
	     "(frames %d-%d)" % (first, first + 2),
	     login_expect(f, "; each line once in the transcript, no gap, no overlap_conflict, "
	                     "retransmissions counted (4 data segments repeat already-seen bytes)"),
	     "scapy, identical segments re-emitted")


@capture
def overlap_partial(out):
	tr = Trace()
	f = Flow(tr)
	f.handshake()
	f.send(S, POP3_GREETING)
	base = f.nxt[C]
	f.emit(C, f.build(C, "A", b"USER al", advance=False))                  # [0,7)
	f.emit(C, f.build(C, "PA", b"alice\r\n", seq=base + 5, advance=False))  # [5,12): 2 bytes overlap
	f.build(C, "PA", b"USER alice\r\n")                                    # account for the stream
	f.send(S, b"+OK\r\n")
	base = f.nxt[C]
	f.emit(C, f.build(C, "A", b"PASS s3c", advance=False))                 # [0,8)
	f.emit(C, f.build(C, "A", b"SS s3cret", seq=base + 2, advance=False))   # [2,11) over both
	f.emit(C, f.build(C, "PA", b"ret\r\n", seq=base + 8, advance=False))    # [8,13)
	f.build(C, "PA", b"PASS s3cret\r\n")
	base = f.nxt[S]
	line = b"+OK Logged in.\r\n"
	f.emit(S, f.build(S, "PA", line[4:], seq=base + 4, advance=False))   # [4,16) first: queued
	f.emit(S, f.build(S, "A", line[:8], advance=False))                  # [0,8) fills and overlaps 4
	f.build(S, "PA", line)
	pop3_quit(f)
	f.close(S)
	write_eth(out, "overlap-partial.pcap", tr)
	note("overlap-partial.pcap", "partial overlaps with identical bytes: USER line as [0,7)+[5,12), PASS "
	     "line as [0,8)+[2,11)+[8,13), server reply as [4,16) (queued) then [0,8)",
	     login_expect(f, "; no gap, no overlap_conflict"), "scapy, overlapping segments")


@capture
def overlap_conflict(out):
	tr = Trace()
	f = Flow(tr)
	f.handshake()
	f.send(S, POP3_GREETING)
	f.send(C, b"USER alice\r\n")
	f.send(S, b"+OK\r\n")
	off_c = len(f.stream[C])
	p = f.build(C, "PA", b"PASS s3cret\r\n")
	a = f.emit(C, p)
	b = f.emit(C, f.build(C, "PA", b"PASS hacked\r\n", seq=f.nxt[C] - 13, advance=False),
	           dt=200_000_000)
	# server reply: second half captured first (queued), then a conflicting
	# copy of that half, then the first half
	base = f.nxt[S]
	off_s = len(f.stream[S])
	line = b"+OK Logged in.\r\n"
	c1 = f.emit(S, f.build(S, "PA", line[7:], seq=base + 7, advance=False))
	c2 = f.emit(S, f.build(S, "PA", b"ged out\r\n", seq=base + 7, advance=False))
	f.emit(S, f.build(S, "A", line[:7], advance=False))
	f.build(S, "PA", line)
	pop3_quit(f)
	f.close(S)
	write_eth(out, "overlap-conflict.pcap", tr)
	note("overlap-conflict.pcap", "retransmissions carrying different bytes: `PASS s3cret` (frame %d) "
	     "then `PASS hacked` at the same sequence (frame %d); the server's `ged in.\\r\\n` queued out of "
	     "order (frame %d) then `ged out\\r\\n` over it (frame %d)" % (a, b, c1, c2),
	     login_expect(f, " (first copy wins: never `hacked`, reply stays `+OK Logged in.`); "
	                     "2 overlap_conflict anomalies: c2s overlap [%d,%d) frames %d vs %d, s2c overlap [%d,%d) "
	                     "frames %d vs %d; warning overlap_conflict"
	                  % (off_c, off_c + 13, a, b, off_s + 7, off_s + 16, c1, c2)),
	     "scapy, conflicting retransmissions")


@capture
def seq_wrap(out):
	tr = Trace()
	f = Flow(tr, cisn=2**32 - 20, sisn=2**32 - 10)
	f.handshake()
	pop3_login(f)
	f.close(S)
	write_eth(out, "seq-wrap.pcap", tr)
	note("seq-wrap.pcap", "ISNs near 2^32 (client 0xffffffec, server 0xfffffff6): the greeting and the "
	     "PASS line straddle the wrap to 0", login_expect(f, "; no gap"), "scapy, fixed ISNs")


@capture
def gap_lost_segment(out):
	tr = Trace()
	f = Flow(tr)
	f.handshake()
	f.send(S, POP3_GREETING)
	f.send(C, b"USER alice\r\n")
	f.send(S, b"+OK\r\n")
	off = len(f.stream[C])
	f.build(C, "PA", b"NOOP\r\n")          # sent, never captured
	f.send(S, b"+OK\r\n")                   # ...but ACKed here
	f.send(C, b"PASS s3cret\r\n")
	f.send(S, b"+OK Logged in.\r\n")
	f.send(C, b"STAT\r\n")
	f.send(S, b"+OK 0 0\r\n")
	pop3_quit(f)
	f.close(S)
	write_eth(out, "gap-lost-segment.pcap", tr)
	note("gap-lost-segment.pcap", "a client segment (`NOOP\\r\\n`, 6 bytes) never captured but ACKed by "
	     "the server",
	     "1 session pop3 %s -> %s; the c2s stream spans %d bytes of which 6 are a gap at stream offset %d "
	     "(%d captured; gap_bytes 6, warning stream_gap), s2c %d bytes, no gap; credential USER/PASS alice / "
	     "s3cret success; the PASS, STAT and QUIT lines after the gap decoded, nothing spliced across it"
	     % (f.client(), f.server(), len(f.stream[C]), off, len(f.stream[C]) - 6, len(f.stream[S])),
	     "scapy, one built segment left out of the capture")


SMTP_AFTER_AUTH = [
	(C, b"MAIL FROM:<alice@example.org>\r\n"),
	(S, b"250 2.1.0 Ok\r\n"),
	(C, b"RCPT TO:<bob@example.org>\r\n"),
	(S, b"250 2.1.5 Ok\r\n"),
	(C, b"DATA\r\n"),
	(S, b"354 End data with <CR><LF>.<CR><LF>\r\n"),
	(C, MESSAGE + b".\r\n"),
	(S, b"250 2.0.0 Ok: queued as 4QF1J20XYZ\r\n"),
	(C, b"QUIT\r\n"),
	(S, b"221 2.0.0 Bye\r\n"),
]


@capture
def midstream_start(out):
	tr = Trace()
	f = Flow(tr, sport=25, cisn=0x0BADCAFE, sisn=0x7E57AB1E)
	f.send(C, b"AUTH LOGIN\r\n")
	f.send(S, b"334 VXNlcm5hbWU6\r\n")
	f.send(C, b64(b"alice") + b"\r\n")
	f.send(S, b"334 UGFzc3dvcmQ6\r\n")
	f.send(C, b64(b"s3cret") + b"\r\n")
	f.send(S, b"235 2.7.0 Authentication successful\r\n")
	for side, d in SMTP_AFTER_AUTH:
		f.send(side, d)
	f.close(S)
	write_eth(out, "midstream-start.pcap", tr)
	note("midstream-start.pcap", "capture starts after handshake, greeting and EHLO: first packet is "
	     "the client's `AUTH LOGIN` to port 25",
	     "1 session smtp %s -> %s (server by well-known port 25), syn_seen false, warning no_handshake, %s, "
	     "gap_bytes 0; credential AUTH LOGIN alice / s3cret success; 1 message (Subject `lab test`)"
	     % (f.client(), f.server(), bytes_note(f)), "scapy, no SYN emitted")


@capture
def midstream_nonstd_port(out):
	tr = Trace()
	f = Flow(tr, cport=1030, sport=2525, cisn=0x31337000, sisn=0x0D15EA5E)
	f.send(S, b"250-mail.example.org\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")
	f.send(C, b"AUTH PLAIN " + b64(b"\0alice\0s3cret") + b"\r\n")
	f.send(S, b"235 2.7.0 Authentication successful\r\n")
	for side, d in SMTP_AFTER_AUTH:
		f.send(side, d)
	f.close(S)
	write_eth(out, "midstream-nonstd-port.pcap", tr)
	note("midstream-nonstd-port.pcap", "mid-stream SMTP between ports 1030 and 2525 (neither well known, "
	     "the lower port is the client): the first packet is the server's multi-line 250 EHLO reply",
	     "1 session smtp with client %s and server %s chosen by the reply/greeting heuristic (not by port "
	     "nor by who sent first), syn_seen false, warning no_handshake, %s; credential AUTH PLAIN alice / "
	     "s3cret success; 1 message" % (f.client(), f.server(), bytes_note(f)),
	     "scapy, no SYN emitted")


@capture
def snaplen_cut(out):
	tr = Trace()
	f = Flow(tr)
	f.handshake()
	f.send(S, POP3_GREETING)
	f.send(C, b"USER alice\r\n")
	f.send(S, b"+OK\r\n")
	f.send(C, b"PASS s3cret\r\n")
	f.send(S, b"+OK\r\n")
	f.send(C, b"RETR 1\r\n")
	msg = MESSAGE.replace(b"\r\n..", b"\r\n.")
	f.send(S, b"+OK %d octets\r\n" % len(msg))
	f.send(S, MESSAGE)
	f.send(S, b".\r\n")
	pop3_quit(f)
	f.close(S)
	snap = 68
	frames = frames_of(tr, l2_en10mb)
	cut = {C: 0, S: 0}
	ncut = 0
	for r, (ts, d) in zip(tr.recs, frames):
		if len(d) > snap:
			ncut += 1
			hdr = 14 + 20 + (r.ip[20 + 12] >> 4) * 4
			cut[r.side] += max(0, len(d) - max(snap, hdr))
	write_eth(out, "snaplen-cut.pcap", tr, snaplen=snap)
	note("snaplen-cut.pcap", "captured with snaplen 68 (old tcpdump default): 14 payload bytes per data "
	     "packet survive; SYN/SYN-ACK options cut too (%d packets truncated)" % ncut,
	     "1 session pop3 10.0.0.5:51000 -> 10.0.0.1:110, syn_seen true, stream lengths c2s %d s2c %d; credential USER/PASS alice / s3cret success (both lines fit); "
	     "greeting, `+OK 211 octets`, the RETR data and `+OK Logging out.` cut: s2c gaps totalling %d bytes, c2s %d (gap_bytes %d), "
	     "truncated_packets %d, warning stream_gap; no over-read"
	     % (len(f.stream[C]), len(f.stream[S]), cut[S], cut[C], cut[S] + cut[C], ncut),
	     "scapy, pcap records cut at snaplen 68 by gen.py")


def ipv4_fragments(ipb, cuts, ident):
	"""Split IPv4 datagram ipb at payload offsets `cuts` (multiples of 8)."""
	hl = (ipb[0] & 0x0F) * 4
	payload = ipb[hl:]
	src = ".".join(str(x) for x in ipb[12:16])
	dst = ".".join(str(x) for x in ipb[16:20])
	edges = [0] + list(cuts) + [len(payload)]
	out = []
	for i in range(len(edges) - 1):
		a, b = edges[i], edges[i + 1]
		mf = i < len(edges) - 2
		out.append(raw(IP(src=src, dst=dst, id=ident, flags="MF" if mf else 0, frag=a // 8,
		                  ttl=64, proto=6) / Raw(payload[a:b])))
	return out


@capture
def ip_fragments(out):
	tr = Trace()
	f = Flow(tr)
	f.handshake()
	f.send(S, POP3_GREETING)
	f.send(C, b"USER alice\r\n")
	f.send(S, b"+OK\r\n")
	ident = f.ipid[C]
	whole = f.build(C, "PA", b"PASS s3cret\r\n", df=False)
	frs = ipv4_fragments(whole, [8, 16], ident)
	a = f.emit(C, frs[2])
	f.emit(C, frs[0])
	f.emit(C, frs[1])
	f.send(S, b"+OK Logged in.\r\n")
	pop3_quit(f)
	f.close(S)
	write_eth(out, "ip-fragments.pcap", tr)
	note("ip-fragments.pcap", "the IPv4 datagram carrying `PASS s3cret` (33 bytes of TCP) split in 3 "
	     "fragments (8+8+17 bytes, id 0x%04x) captured last, first, middle (frames %d-%d); the ports are "
	     "only in the first" % (ident, a, a + 2),
	     login_expect(f, "; ip_fragments 3, frags_reassembled 1, frags_dropped 0, no gap"),
	     "scapy, fragments built by gen.py")


@capture
def ipv6_pop3(out):
	tr = Trace()
	f = pop3_session(tr, v6=True)
	write_eth(out, "ipv6-pop3.pcap", tr)
	note("ipv6-pop3.pcap", "POP3 login over IPv6 on Ethernet", login_expect(f, ", syn_seen true"),
	     "scapy IPv6/TCP")


@capture
def new_syn_same_tuple(out):
	tr = Trace()
	f1 = Flow(tr, cisn=0x11111111, sisn=0x22222222)
	f1.handshake()
	pop3_login(f1, pw=b"wrong", ok=False)
	f1.close(S)
	tr.sleep(2.0)
	f2 = Flow(tr, cisn=0x33333333, sisn=0x44444444, ipid=(0x2B00, 0x6D00))
	f2.handshake()
	pop3_login(f2)
	f2.close(S)
	write_eth(out, "new-syn-same-tuple.pcap", tr)
	note("new-syn-same-tuple.pcap", "two connections on the same 4-tuple %s -> %s one after the other "
	     "(new ISNs, 2 s apart; the first ended with FIN)" % (f1.client(), f1.server()),
	     "2 sessions pop3, frames 1-%d and %d-%d; credential USER/PASS alice / wrong failure (session 1), "
	     "alice / s3cret success (session 2)" % (f1.frames[-1], f2.frames[0], f2.frames[-1]),
	     "scapy, same ports twice")


@capture
def zero_window_probe(out):
	tr = Trace()
	f = Flow(tr)
	f.handshake()
	f.send(S, POP3_GREETING)
	f.send(C, b"USER alice\r\n")
	f.send(S, b"+OK\r\n", win=0)                      # receiver full
	p1 = f.send(C, b"P", advance=False, dt=200_000_000)  # 1-byte probe of next data
	f.send(S, b"", "A", win=0)
	f.send(C, b"P", advance=False, dt=400_000_000)
	f.send(S, b"", "A", win=0)
	p3 = f.send(C, b"", "A", seq=f.nxt[C] - 1, advance=False, dt=800_000_000)  # Linux style: seq-1, no data
	f.send(S, b"", "A", win=0)
	f.send(S, b"", "A", dt=100_000_000)                 # window update
	f.send(C, b"PASS s3cret\r\n")
	f.send(S, b"+OK Logged in.\r\n")
	pop3_quit(f)
	f.close(S)
	write_eth(out, "zero-window-probe.pcap", tr)
	note("zero-window-probe.pcap", "server advertises window 0 after `USER`; client sends two 1-byte "
	     "probes `P` of its next data (frames %d, %d; not ACKed) and a seq-1 empty probe (frame %d); then "
	     "the window opens and the whole `PASS s3cret` follows" % (p1, p1 + 2, p3),
	     login_expect(f, "; no gap, no overlap_conflict, `P` delivered once"),
	     "scapy, window 0 and probe segments")


@capture
def bad_checksums(out):
	tr = Trace()
	f = Flow(tr)
	f.handshake()
	bad = []
	bad.append(("ip+tcp", f.send(S, POP3_GREETING, bad_ip=True, bad_tcp=True)))
	bad.append(("ip", f.send(C, b"USER alice\r\n", bad_ip=True)))
	f.send(S, b"+OK\r\n")
	bad.append(("tcp", f.send(C, b"PASS s3cret\r\n", bad_tcp=True)))
	bad.append(("tcp", f.send(S, b"+OK Logged in.\r\n", bad_tcp=True)))
	pop3_quit(f)
	f.close(S)
	write_eth(out, "bad-checksums.pcap", tr)
	nip = sum(1 for k, _ in bad if "ip" in k)
	ntcp = sum(1 for k, _ in bad if "tcp" in k)
	note("bad-checksums.pcap", "wrong checksums (as with checksum offload): %s"
	     % ", ".join("frame %d %s" % (fr, k) for k, fr in bad),
	     login_expect(f, " (decoded anyway); bad_ip_checksum %d, bad_tcp_checksum %d" % (nip, ntcp)),
	     "scapy, checksum bytes xor-ed after building")


@capture
def syn_data(out):
	tr = Trace()
	f = Flow(tr)
	tfo = SYN_OPTS + [(34, bytes.fromhex("a1b2c3d4e5f60718"))]      # TCP Fast Open cookie (RFC 7413)
	f.handshake(syn_data=b"USER alice\r\n", syn_opts=tfo)
	f.send(S, POP3_GREETING)
	f.send(S, b"+OK\r\n")
	f.send(C, b"PASS s3cret\r\n")
	f.send(S, b"+OK Logged in.\r\n")
	pop3_quit(f)
	f.close(S)
	write_eth(out, "syn-data.pcap", tr)
	note("syn-data.pcap", "TCP Fast Open style: the SYN (with a TFO cookie option) carries "
	     "`USER alice\\r\\n`; the SYN-ACK acknowledges it",
	     login_expect(f, "; the 12 SYN bytes are c2s stream offset 0, no gap"), "scapy, data on SYN")


# ---------------------------------------------------------------- main

README_HEAD = """# Crafted captures

Captures real traffic on loopback cannot produce: one per link type and the TCP/IP
reassembly corner cases. All are written by `gen.py` (python3 + Debian's python3-scapy;
`python3 pcaps/crafted/gen.py` rewrites them byte for byte), which also writes this file:
edit the descriptions there.

Common to all: client 10.0.0.5 (or 2001:db8::5), server 10.0.0.1 (or 2001:db8::1), MACs
02:00:00:00:00:05 / 02:00:00:00:00:01, first packet at 2023-05-07T06:41:15.123456Z, 250 µs
apart unless said otherwise; checksums valid unless the capture is about checksums. The POP3
login is: greeting `+OK Dovecot (Debian) ready.`, `USER alice`, `+OK`, `PASS s3cret`,
`+OK Logged in.`, `QUIT`, `+OK Logging out.`, server FIN first. Byte counts are stream payload
bytes, each byte counted once.

Format: name - what it shows - what mailtap must report - how it was made.

"""


def main(argv):
	out = os.path.dirname(os.path.abspath(__file__))
	only = None
	args = list(argv)
	while args:
		a = args.pop(0)
		if a == "--only":
			only = set(args.pop(0).split(","))
		elif a == "--list":
			for n, _ in GENERATORS:
				print(n)
			return 0
		elif a.startswith("-"):
			print(__doc__)
			return 2
		else:
			out = a
	unknown = (only or set()) - {n for n, _ in GENERATORS}
	if unknown:
		sys.exit("gen.py: no such generator: %s (see --list)" % ", ".join(sorted(unknown)))
	os.makedirs(out, exist_ok=True)
	for n, fn in GENERATORS:
		if only is None or n in only:
			fn(out)
	if only is None:
		with open(os.path.join(out, "README.md"), "w") as fh:
			fh.write(README_HEAD)
			for name, shows, expect, how in CAPS:
				fh.write("- `%s` - %s - %s - %s.\n" % (name, shows, expect, how))
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
