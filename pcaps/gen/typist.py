#!/usr/bin/env python3
"""Per-character typist: a human at a telnet client, typing into a TCP port.

Every keystroke goes out in its own TCP segment (TCP_NODELAY, a short pause
between keys), the way Windows telnet or PuTTY in character mode send what a
student types into a POP3/SMTP/IMAP port in the networking lab.  Enter sends
CR LF in one segment, as Windows telnet does.

Driven by a small script (a file argument or stdin), one action per line:

    connect HOST PORT         open the connection (IPv4 or IPv6 literal)
    telnet                    answer telnet option negotiation from the server
    iac-windows               send the opening negotiation Windows telnet sends
    expect REGEX              wait (5 s) until the server's text since the last
                              expect matches REGEX (Python re, search, DOTALL)
    type TEXT                 type TEXT one key per segment, then Enter;
                              escapes: \\b = backspace 0x08, \\d = DEL 0x7f,
                              \\e = no Enter at the end, \\\\ = backslash
    pause SECONDS             think for a while
    close                     close the connection
    # ...                     comment

Timing is deterministic: a fixed per-key delay pattern, no randomness, so the
generated captures differ only in timestamps, ports and ISNs.
"""
import re
import select
import socket
import sys
import threading
import time
import os

DEBUG = bool(os.environ.get("TYPIST_DEBUG"))

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
OPT_ECHO, OPT_SGA, OPT_TTYPE, OPT_NAWS, OPT_TSPEED, OPT_NEWENV = 1, 3, 24, 31, 32, 39

# What Windows telnet (telnet.exe) sends right after connecting (RFC 854
# option negotiation): WILL NAWS, WILL TSPEED, WILL TTYPE, WILL NEW-ENVIRON,
# DO ECHO, WILL SGA, DO SGA.
WINDOWS_OPENING = bytes([IAC, WILL, OPT_NAWS, IAC, WILL, OPT_TSPEED,
                         IAC, WILL, OPT_TTYPE, IAC, WILL, OPT_NEWENV,
                         IAC, DO, OPT_ECHO, IAC, WILL, OPT_SGA,
                         IAC, DO, OPT_SGA])

# Fixed inter-key delays (seconds), cycled: a steady but not robotic typist.
KEY_DELAYS = (0.06, 0.09, 0.07, 0.11, 0.05, 0.08, 0.10, 0.07)


class Typist:
    def __init__(self):
        self.sock = None
        self.buf = b""
        self.lock = threading.Condition()
        self.telnet = False
        self.offered = set()    # options we said WILL for
        self.closed = False
        self.keyno = 0
        self.reader = None

    # --- connection -------------------------------------------------------
    def connect(self, host, port):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.settimeout(10)
        s.connect((host, int(port)))
        self.sock = s
        self.reader = threading.Thread(target=self._read_loop, daemon=True)
        self.reader.start()

    def close(self):
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            # Let the server's FIN arrive so the capture has a clean close.
            self.reader.join(3)
            self.sock.close()
            self.sock = None

    # --- receiving --------------------------------------------------------
    def _read_loop(self):
        pending = b""
        while True:
            try:
                r, _, _ = select.select([self.sock], [], [], 0.2)
                if not r:
                    continue
                data = self.sock.recv(65536)
            except (OSError, ValueError):
                data = b""
            if not data:
                with self.lock:
                    self.closed = True
                    self.lock.notify_all()
                return
            if self.telnet:
                data = self._telnet_filter(pending + data)
                pending = b""
            if DEBUG:
                sys.stderr.write("<< %r\n" % data)
            with self.lock:
                self.buf += data
                self.lock.notify_all()

    def _reply(self, b):
        try:
            self.sock.sendall(bytes(b))
        except OSError:
            pass

    def _telnet_filter(self, data):
        """Strip and answer IAC sequences (RFC 854/855); return the text."""
        out = bytearray()
        i = 0
        while i < len(data):
            c = data[i]
            if c != IAC:
                out.append(c)
                i += 1
                continue
            if i + 1 >= len(data):
                break
            cmd = data[i + 1]
            if cmd == IAC:
                out.append(IAC)
                i += 2
            elif cmd in (DO, DONT, WILL, WONT) and i + 2 < len(data):
                opt = data[i + 2]
                self._negotiate(cmd, opt)
                i += 3
            elif cmd == SB:
                end = data.find(bytes([IAC, SE]), i)
                if end < 0:
                    break
                self._subneg(data[i + 2:end])
                i = end + 2
            else:
                i += 2
        return bytes(out)

    def _negotiate(self, cmd, opt):
        if cmd == WILL:
            if opt in (OPT_ECHO, OPT_SGA):
                self._reply([IAC, DO, opt])
            else:
                self._reply([IAC, DONT, opt])
        elif cmd == DO:
            if opt in self.offered:
                if opt == OPT_NAWS:
                    self._reply([IAC, SB, OPT_NAWS, 0, 80, 0, 24, IAC, SE])
                return
            if opt in (OPT_SGA, OPT_TTYPE, OPT_NAWS):
                self.offered.add(opt)
                self._reply([IAC, WILL, opt])
                if opt == OPT_NAWS:
                    self._reply([IAC, SB, OPT_NAWS, 0, 80, 0, 24, IAC, SE])
            else:
                self._reply([IAC, WONT, opt])
        # WONT/DONT need no answer when we never asked.

    def _subneg(self, body):
        if len(body) >= 2 and body[0] == OPT_TTYPE and body[1] == 1:  # SEND
            self._reply(bytes([IAC, SB, OPT_TTYPE, 0]) + b"VT100" + bytes([IAC, SE]))
        elif len(body) >= 2 and body[0] == OPT_TSPEED and body[1] == 1:
            self._reply(bytes([IAC, SB, OPT_TSPEED, 0]) + b"38400,38400" + bytes([IAC, SE]))
        elif len(body) >= 2 and body[0] == OPT_NEWENV and body[1] == 1:
            self._reply(bytes([IAC, SB, OPT_NEWENV, 0, IAC, SE]))

    def expect(self, pattern, timeout=5.0):
        rx = re.compile(pattern.encode("utf-8"), re.S)
        deadline = time.time() + timeout
        with self.lock:
            while True:
                m = rx.search(self.buf)
                if m:
                    self.buf = self.buf[m.end():]
                    return True
                left = deadline - time.time()
                if left <= 0 or self.closed:
                    sys.stderr.write("typist: expect %r failed; have %r\n"
                                     % (pattern, self.buf[-300:]))
                    return False
                self.lock.wait(left)

    # --- typing -----------------------------------------------------------
    def iac_windows(self):
        self.offered |= {OPT_NAWS, OPT_TSPEED, OPT_TTYPE, OPT_NEWENV, OPT_SGA}
        self.sock.sendall(WINDOWS_OPENING)
        time.sleep(0.2)

    def key(self, b):
        self.sock.sendall(b)
        time.sleep(KEY_DELAYS[self.keyno % len(KEY_DELAYS)])
        self.keyno += 1

    def type(self, text):
        enter = True
        keys = []
        i = 0
        raw = text.encode("utf-8")
        while i < len(raw):
            c = raw[i:i + 1]
            if c == b"\\" and i + 1 < len(raw):
                e = raw[i + 1:i + 2]
                i += 2
                if e == b"b":
                    keys.append(b"\x08")
                elif e == b"d":
                    keys.append(b"\x7f")
                elif e == b"e":
                    enter = False
                else:
                    keys.append(e)
                continue
            # A non-ASCII character is one keystroke of several bytes.
            n = 1
            if raw[i] >= 0xC0:
                n = 2 if raw[i] < 0xE0 else 3 if raw[i] < 0xF0 else 4
            keys.append(raw[i:i + n])
            i += n
        for k in keys:
            if self.telnet and k == b"\xff":
                k = b"\xff\xff"
            self.key(k)
        if enter:
            self.key(b"\r\n")


def run(lines):
    t = Typist()
    ok = True
    for raw in lines:
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        verb, _, arg = line.partition(" ")
        if verb == "connect":
            host, port = arg.split()
            t.connect(host, port)
        elif verb == "telnet":
            t.telnet = True
        elif verb == "iac-windows":
            t.iac_windows()
        elif verb == "expect":
            ok = t.expect(arg) and ok
        elif verb == "type":
            t.type(arg)
        elif verb == "pause":
            time.sleep(float(arg))
        elif verb == "close":
            t.close()
            t = Typist()
        else:
            raise SystemExit("typist: unknown action %r" % verb)
    t.close()
    return 0 if ok else 1


if __name__ == "__main__":
    src = open(sys.argv[1], encoding="utf-8") if len(sys.argv) > 1 else sys.stdin
    sys.exit(run(src.readlines()))
