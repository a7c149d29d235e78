#!/usr/bin/env python3
"""Write the fixed test mailboxes (Maildir) for make-pcaps.sh.

Usage: mailboxes.py MAILROOT   -> MAILROOT/<user>/Maildir/{cur,new,tmp}

Every message is fixed text (no dates from the clock), so POP3/IMAP sessions
show the same bytes on every run.  The file names fix the order.
"""
import base64
import os
import sys


def enc_b(charset, text):
    """RFC 2047 "B" encoded word."""
    raw = text.encode(charset)
    return "=?%s?B?%s?=" % (charset.upper(), base64.b64encode(raw).decode())


def enc_q(text):
    """RFC 2047 "Q" encoded word in UTF-8 (section 4.2: '_' is a space)."""
    out = []
    for b in text.encode("utf-8"):
        c = chr(b)
        if c == " ":
            out.append("_")
        elif c.isalnum() and b < 128:
            out.append(c)
        else:
            out.append("=%02X" % b)
    return "=?UTF-8?Q?%s?=" % "".join(out)


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


LAB = [
    """Return-Path: <teacher@lab.test>
From: Lab Teacher <teacher@lab.test>
To: labtest@lab.test
Subject: Welcome to the POP3 lab
Date: Mon, 01 May 2023 09:00:00 +0000
Message-ID: <lab-1@lab.test>

Hello labtest,

this is message 1 of the POP3 lab.
Line 4 of the body.
Line 5 of the body.
Line 6 is not shown by TOP 1 5.
Line 7 is not shown by TOP 1 5.
""",
    """From: Lab Teacher <teacher@lab.test>
To: labtest@lab.test
Subject: Second message
Date: Mon, 01 May 2023 09:05:00 +0000
Message-ID: <lab-2@lab.test>

Message 2.
.A line that starts with a dot (byte-stuffed on the wire).
""",
    """From: Lab Teacher <teacher@lab.test>
To: labtest@lab.test
Subject: Third message
Date: Mon, 01 May 2023 09:10:00 +0000
Message-ID: <lab-3@lab.test>

Message 3.
""",
]

ALICE = [
    """From: Bob <bob@lab.test>
To: Alice <alice@lab.test>
Subject: IMAP lab: first message
Date: Tue, 02 May 2023 10:00:00 +0000
Message-ID: <alice-1@lab.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hi Alice,
please FETCH me.
-- Bob
""",
    """From: Carol <carol@lab.test>
To: Alice <alice@lab.test>
Subject: IMAP lab: second message
Date: Tue, 02 May 2023 10:30:00 +0000
Message-ID: <alice-2@lab.test>

Second message for alice.
""",
]


def ivan_report():
    """The Gmail-like message: RFC 2047 KOI8-R (B) and UTF-8 (Q) words."""
    subj = enc_b("koi8-r", "Отчёт за май")
    frm = enc_b("koi8-r", "Пётр Иванов") + " <petr@lab.test>"
    to = enc_q("Иван Сидоров") + " <ivan@lab.test>"
    fname = "отчёт.pdf"
    fname_2047 = enc_b("utf-8", fname)
    fname_2231 = "UTF-8''" + "".join(
        c if c.isascii() and (c.isalnum() or c in ".-_") else
        "".join("%%%02X" % b for b in c.encode("utf-8")) for c in fname)
    body = "Привет, Иван!\nОтчёт во вложении.\n".encode("koi8-r")
    pdf = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
           b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
           b"trailer << /Root 1 0 R >>\n%%EOF\n")
    b64 = base64.encodebytes(pdf).decode().replace("\n", "\r\n")
    b64body = base64.encodebytes(body).decode().replace("\n", "\r\n")
    head = (
        "From: %s\r\n"
        "To: %s\r\n"
        "Subject: %s\r\n"
        "Date: Wed, 03 May 2023 12:00:00 +0300\r\n"
        "Message-ID: <report-may@lab.test>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"=_mailtap_lab_boundary\"\r\n"
        "\r\n"
        "This is a multi-part message in MIME format.\r\n"
        "\r\n"
        "--=_mailtap_lab_boundary\r\n"
        "Content-Type: text/plain; charset=koi8-r\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n" % (frm, to, subj)).encode("ascii")
    att = (
        "\r\n--=_mailtap_lab_boundary\r\n"
        "Content-Type: application/pdf; name=\"%s\"\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=\"%s\";\r\n"
        " filename*=%s\r\n"
        "\r\n" % (fname_2047, fname_2047, fname_2231)).encode("ascii")
    tail = b"\r\n--=_mailtap_lab_boundary--\r\n"
    return head + b64body.encode() + att + b64.encode() + tail


IVAN_PLAIN = """From: Admin <admin@lab.test>
To: ivan@lab.test
Subject: =?UTF-8?Q?Welcome_=E2=80=94_plain_message?=
Date: Wed, 03 May 2023 11:00:00 +0000
Message-ID: <ivan-1@lab.test>

A plain first message.
"""

BOB = ["""From: Alice <alice@lab.test>
To: Bob <bob@lab.test>
Subject: For bob
Date: Thu, 04 May 2023 08:00:00 +0000
Message-ID: <bob-1@lab.test>

Hi Bob.
"""]


def write_box(root, user, msgs):
    md = os.path.join(root, user, "Maildir")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(md, sub), exist_ok=True)
    for i, m in enumerate(msgs, 1):
        data = m if isinstance(m, bytes) else crlf(m)
        name = "16830%05d.M%dP1.mail.lab.test:2," % (i, i)
        path = os.path.join(md, "cur", name)
        with open(path, "wb") as f:
            f.write(data)
        t = 1683000000 + i * 60
        os.utime(path, (t, t))


def main():
    root = sys.argv[1]
    write_box(root, "labtest", LAB)
    write_box(root, "alice", ALICE)
    write_box(root, "ivan", [IVAN_PLAIN, ivan_report()])
    write_box(root, "bob", BOB)
    write_box(root, "carol", [])


if __name__ == "__main__":
    main()
