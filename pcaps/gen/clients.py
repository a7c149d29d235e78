#!/usr/bin/env python3
"""Scripted mail clients for make-pcaps.sh (loopback only).

Usage: clients.py SCENARIO

Each scenario speaks to the servers make-pcaps.sh started on 127.0.0.1: raw
line-at-a-time sockets where the dialogue must be exact (syntax errors,
literals, pipelining), and python's own smtplib/poplib/imaplib where a real
library client is wanted.  Every reply is read before the next command is sent
unless pipelining is the point.
"""
import base64
import hashlib
import hmac
import imaplib
import poplib
import re
import smtplib
import socket
import sys
import time

HOST = "127.0.0.1"

USERS = {
    "labtest": "lab2023",
    "alice": "Wonderland-42",
    "ivan": "пароль2023",
    "bob": 'correct horse "battery" staple',
    "carol": "c4r0l!pass",
}


def b64(s):
    if isinstance(s, str):
        s = s.encode("utf-8")
    return base64.b64encode(s).decode("ascii")


class Line:
    """A line-oriented client on a plain TCP socket."""

    def __init__(self, port, host=HOST):
        self.s = socket.create_connection((host, port), timeout=10)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.s.sendall(data)

    def cmd(self, line):
        self.send(line + "\r\n" if isinstance(line, str) else line + b"\r\n")

    def read_until(self, rx, timeout=10):
        pat = re.compile(rx.encode() if isinstance(rx, str) else rx, re.S | re.M)
        end = time.time() + timeout
        while True:
            m = pat.search(self.buf)
            if m:
                out, self.buf = self.buf[:m.end()], self.buf[m.end():]
                return out
            if time.time() > end:
                raise SystemExit("clients: timeout waiting for %r, have %r" % (rx, self.buf))
            self.s.settimeout(max(0.1, end - time.time()))
            d = self.s.recv(65536)
            if not d:
                raise SystemExit("clients: connection closed waiting for %r, have %r"
                                 % (rx, self.buf))
            self.buf += d

    # protocol-specific reply readers
    def smtp(self):
        """One SMTP reply (multi-line ends with 'NNN ')."""
        return self.read_until(rb"^\d{3} [^\r\n]*\r\n")

    def pop(self, multi=False):
        if multi:
            first = self.read_until(rb"^[+-][^\r\n]*\r\n")
            if first.startswith(b"-"):
                return first
            return first + self.read_until(rb"^\.\r\n")
        return self.read_until(rb"^[+-][^\r\n]*\r\n")

    def imap(self, tag):
        return self.read_until(rb"^" + re.escape(tag.encode()) + rb" (OK|NO|BAD)[^\r\n]*\r\n")

    def cont(self):
        """An IMAP '+' continuation request (or a tagged refusal)."""
        return self.read_until(rb"^(\+|[A-Za-z0-9]+ (NO|BAD))[^\r\n]*\r\n")

    def close(self):
        try:
            self.s.shutdown(socket.SHUT_WR)
            self.s.settimeout(3)
            while self.s.recv(65536):
                pass
        except OSError:
            pass
        self.s.close()
        time.sleep(0.2)


def pause():
    time.sleep(0.15)


# ------------------------------------------------------------------ SMTP
MSG_DOTS = (
    "From: Carol <carol@lab.test>\r\n"
    "To: Alice <alice@lab.test>\r\n"
    "Subject: Dot-stuffing test\r\n"
    "Date: Fri, 05 May 2023 14:00:00 +0000\r\n"
    "Message-ID: <dots-1@lab.test>\r\n"
    "\r\n"
    "The next lines start with a dot and are dot-stuffed on the wire:\r\n"
    "..hidden line one\r\n"
    "...three dots become two\r\n"
    "..\r\n"
    "(the line above is a single dot)\r\n"
    ".\r\n")


def smtp_auth_login_syntax_error():
    """Scenario 3: AUTH LOGIN prompts, a MAIL FROM syntax error, dot-stuffed DATA."""
    c = Line(25)
    c.smtp()
    c.cmd("EHLO client.lab.test"); c.smtp()
    c.cmd("AUTH LOGIN"); c.smtp()                  # 334 VXNlcm5hbWU6
    c.cmd(b64("carol")); c.smtp()                  # 334 UGFzc3dvcmQ6
    c.cmd(b64(USERS["carol"])); c.smtp()           # 235
    c.cmd("mail from <x>"); c.smtp()               # 501 5.5.4 Syntax
    c.cmd("MAIL FROM:<carol@lab.test>"); c.smtp()
    c.cmd("RCPT TO:<alice@lab.test>"); c.smtp()
    c.cmd("DATA"); c.smtp()                        # 354
    c.send(MSG_DOTS); c.smtp()                     # 250 queued
    c.cmd("QUIT"); c.smtp()
    c.close()


def smtp_auth_plain_pipelining():
    """Scenario 4 (first session): AUTH PLAIN fails, then succeeds; pipelining."""
    c = Line(25)
    c.smtp()
    c.cmd("EHLO client.lab.test"); c.smtp()
    # Wrong password, initial response on the AUTH line (RFC 4954 section 4).
    c.cmd("AUTH PLAIN " + b64("\0bob\0wrong horse")); c.smtp()       # 535
    # Right password, sent after an empty 334 challenge.
    c.cmd("AUTH PLAIN"); c.smtp()                                     # 334
    c.cmd(b64("\0bob\0" + USERS["bob"])); c.smtp()                    # 235
    # RFC 2920: MAIL, RCPT, RCPT and DATA in one segment.
    c.send("MAIL FROM:<bob@lab.test> SIZE=300\r\n"
           "RCPT TO:<alice@lab.test>\r\n"
           "RCPT TO:<carol@lab.test>\r\n"
           "DATA\r\n")
    for _ in range(4):
        c.smtp()
    c.send("From: Bob <bob@lab.test>\r\n"
           "To: Alice <alice@lab.test>, Carol <carol@lab.test>\r\n"
           "Subject: Pipelined message\r\n"
           "Message-ID: <pipe-1@lab.test>\r\n"
           "\r\n"
           "Sent with PIPELINING after AUTH PLAIN.\r\n"
           ".\r\n"
           "QUIT\r\n")
    c.smtp(); c.smtp()
    c.close()


def smtp_cram_md5():
    """Scenario 4 (second session): AUTH CRAM-MD5 (RFC 2195), hand-made."""
    c = Line(25)
    c.smtp()
    c.cmd("EHLO client.lab.test"); c.smtp()
    c.cmd("AUTH CRAM-MD5")
    chal = c.smtp()
    m = re.match(rb"334 (\S+)", chal)
    challenge = base64.b64decode(m.group(1))
    digest = hmac.new(USERS["alice"].encode(), challenge, hashlib.md5).hexdigest()
    c.cmd(b64("alice " + digest)); c.smtp()                           # 235
    c.cmd("MAIL FROM:<alice@lab.test>"); c.smtp()
    c.cmd("RCPT TO:<bob@lab.test>"); c.smtp()
    c.cmd("DATA"); c.smtp()
    c.send("Subject: CRAM-MD5 test\r\n\r\nAuthenticated with CRAM-MD5.\r\n.\r\n"); c.smtp()
    c.cmd("QUIT"); c.smtp()
    c.close()


def smtplib_2525():
    """Scenario 9: python smtplib on the non-standard port 2525."""
    s = smtplib.SMTP(HOST, 2525, local_hostname="pyclient.lab.test", timeout=10)
    s.ehlo()
    s.login("carol", USERS["carol"])      # smtplib picks CRAM-MD5 first
    s.sendmail("carol@lab.test", ["alice@lab.test"],
               "From: carol@lab.test\r\nTo: alice@lab.test\r\n"
               "Subject: smtplib on port 2525\r\n\r\nHello from smtplib.\r\n")
    s.quit()
    time.sleep(0.2)


# ------------------------------------------------------------------ POP3
def pop3_cleartext_despite_stls():
    """Scenario 8: CAPA lists STLS, the client logs in with USER/PASS anyway."""
    c = Line(110)
    c.pop()
    c.cmd("CAPA"); c.pop(multi=True)
    c.cmd("USER alice"); c.pop()
    c.cmd("PASS " + USERS["alice"]); c.pop()
    c.cmd("STAT"); c.pop()
    c.cmd("QUIT"); c.pop()
    c.close()


def pop3_stls_refused():
    """Scenario 8: STLS refused by a dovecot without TLS, login in clear after."""
    c = Line(10110)
    c.pop()
    c.cmd("CAPA"); c.pop(multi=True)
    c.cmd("STLS"); c.pop()                                           # -ERR
    c.cmd("USER bob"); c.pop()
    c.cmd("PASS " + USERS["bob"]); c.pop()
    c.cmd("QUIT"); c.pop()
    c.close()


def pop3_rfc2047():
    """Scenario 6: USER/PASS (UTF-8 password), STAT, LIST, RETR of the KOI8-R report."""
    c = Line(110)
    c.pop()
    c.cmd("USER ivan"); c.pop()
    c.cmd("PASS " + USERS["ivan"]); c.pop()
    c.cmd("STAT"); c.pop()
    c.cmd("LIST"); c.pop(multi=True)
    c.cmd("RETR 2"); c.pop(multi=True)
    c.cmd("QUIT"); c.pop()
    c.close()


def poplib_1110():
    """Scenario 9: python poplib on port 1110: APOP, then USER/PASS."""
    p = poplib.POP3(HOST, 1110, timeout=10)
    p.apop("labtest", USERS["labtest"])
    p.stat()
    p.uidl()
    p.retr(3)
    p.quit()
    time.sleep(0.2)
    p = poplib.POP3(HOST, 1110, timeout=10)
    p.user("bob")
    p.pass_(USERS["bob"])
    p.list()
    p.quit()
    time.sleep(0.2)


# ------------------------------------------------------------------ IMAP
def imap_student():
    """Scenario 5: the lab session, typed as a student does (tag 'a' every time)."""
    c = Line(143)
    c.read_until(rb"^\* OK[^\r\n]*\r\n")
    for line in ('a login alice "Wonderland-42"',
                 "a CAPABILITY",
                 "a status INBOX (MESSAGES RECENT UNSEEN)",
                 "a SELECT INBOX",
                 "a FETCH 1 (FLAGS BODY[])",
                 "a LOGOUT"):
        c.cmd(line)
        c.imap("a")
        pause()
    c.close()


def imap_wrong_then_quoted():
    """Scenario 5: a failed LOGIN, then bob's password as a quoted string with escapes."""
    c = Line(143)
    c.read_until(rb"^\* OK[^\r\n]*\r\n")
    c.cmd('b1 LOGIN bob "correct horse battery staple"'); c.imap("b1")   # NO
    c.cmd('b2 LOGIN bob "correct horse \\"battery\\" staple"'); c.imap("b2")
    c.cmd("b3 EXAMINE INBOX"); c.imap("b3")
    c.cmd("b4 LOGOUT"); c.imap("b4")
    c.close()


def imap_literals():
    """Scenario 5: LOGIN with synchronizing literals {n} and LITERAL+ {n+}."""
    pw = USERS["ivan"].encode("utf-8")
    c = Line(143)
    c.read_until(rb"^\* OK[^\r\n]*\r\n")
    # RFC 3501 section 4.3: wait for '+' after each {n}.
    c.send(b"c1 LOGIN {4}\r\n"); c.cont()
    c.send(b"ivan {%d}\r\n" % len(pw)); c.cont()
    c.send(pw + b"\r\n"); c.imap("c1")
    c.cmd("c2 LOGOUT"); c.imap("c2")
    c.close()
    # RFC 7888 LITERAL+: no continuation, all in one go.
    pw = USERS["bob"].encode("utf-8")
    c = Line(143)
    c.read_until(rb"^\* OK[^\r\n]*\r\n")
    c.send(b"d1 LOGIN {3+}\r\nbob {%d+}\r\n%s\r\n" % (len(pw), pw)); c.imap("d1")
    c.cmd("d2 SELECT INBOX"); c.imap("d2")
    c.cmd("d3 LOGOUT"); c.imap("d3")
    c.close()


def imap_authenticate_plain():
    """Scenario 5: AUTHENTICATE PLAIN with SASL-IR (RFC 4959) and with a continuation."""
    c = Line(143)
    c.read_until(rb"^\* OK[^\r\n]*\r\n")
    c.cmd("e1 AUTHENTICATE PLAIN " + b64("\0alice\0" + USERS["alice"])); c.imap("e1")
    c.cmd("e2 LOGOUT"); c.imap("e2")
    c.close()
    c = Line(143)
    c.read_until(rb"^\* OK[^\r\n]*\r\n")
    c.cmd("f1 AUTHENTICATE PLAIN"); c.cont()
    c.cmd(b64("\0carol\0" + USERS["carol"])); c.imap("f1")
    c.cmd("f2 LOGOUT"); c.imap("f2")
    c.close()


def imaplib_session(port=143):
    """python imaplib: LOGIN, SELECT, FETCH, LOGOUT."""
    m = imaplib.IMAP4(HOST, port, timeout=10)
    m.login("alice", USERS["alice"])
    m.select("INBOX")
    m.fetch("2", "(BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)])")
    m.logout()
    time.sleep(0.2)


def imap_cleartext_despite_starttls():
    """Scenario 8: STARTTLS in the greeting's CAPABILITY, LOGIN in clear anyway."""
    c = Line(143)
    c.read_until(rb"^\* OK[^\r\n]*\r\n")
    c.cmd("g1 LOGIN carol " + '"' + USERS["carol"] + '"'); c.imap("g1")
    c.cmd("g2 LOGOUT"); c.imap("g2")
    c.close()


def imap_starttls_refused():
    """Scenario 8: STARTTLS refused (dovecot without TLS), the client logs in anyway."""
    c = Line(10143)
    c.read_until(rb"^\* OK[^\r\n]*\r\n")
    c.cmd("h1 STARTTLS"); c.imap("h1")                                   # BAD
    c.cmd('h2 LOGIN alice "' + USERS["alice"] + '"'); c.imap("h2")
    c.cmd("h3 LOGOUT"); c.imap("h3")
    c.close()


SCENARIOS = {
    "smtp-auth-login-syntax-error": [smtp_auth_login_syntax_error],
    "smtp-auth-plain-pipelining": [smtp_auth_plain_pipelining],
    "smtp-cram-md5": [smtp_cram_md5],
    "smtplib-2525": [smtplib_2525],
    "pop3-cleartext-despite-stls": [pop3_cleartext_despite_stls],
    "pop3-stls-refused": [pop3_stls_refused],
    "pop3-rfc2047": [pop3_rfc2047],
    "poplib-1110": [poplib_1110],
    "imap-student": [imap_student],
    "imap-wrong-then-quoted": [imap_wrong_then_quoted],
    "imap-literals": [imap_literals],
    "imap-authenticate-plain": [imap_authenticate_plain],
    "imaplib-143": [lambda: imaplib_session(143)],
    "imaplib-1143": [lambda: imaplib_session(1143)],
    "imap-cleartext-despite-starttls": [imap_cleartext_despite_starttls],
    "imap-starttls-refused": [imap_starttls_refused],
}

if __name__ == "__main__":
    for name in sys.argv[1:]:
        for fn in SCENARIOS[name]:
            fn()
