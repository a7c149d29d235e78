#!/usr/bin/env python3
"""Rewrites the two README.md sections that show mailtap's output (the lab trace
report and the UI screens) from ./mailtap and docs/screens/*.txt.
Run after `sh tests/ui/run.sh --screens` when the captures or the views change."""
import os, subprocess

os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

def screen(name, first=None, last=None):
    lines = open("docs/screens/" + name, encoding="utf-8").read().rstrip("\n").split("\n")[first:last]
    while lines and not lines[-1].strip():
        lines.pop()
    return "```\n" + "\n".join(l.rstrip() for l in lines) + "\n```\n"

out = subprocess.run(["./mailtap", "--report", "--transcript", "-r", "pcaps/pop3-typed-qpopper-lab.pcap"],
                     capture_output=True, text=True, check=True).stdout.split("\n")
keep, sect = [], None
for l in out:
    if l.startswith("== "):
        sect = l
    if sect and sect.startswith(("== Sessions", "== Credentials", "== Transcript")):
        keep.append(l.rstrip())
while keep and not keep[-1]:
    keep.pop()

lab = """## The lab trace, as mailtap shows it

`make demo` runs `mailtap --report --transcript -r pcaps/pop3-typed-qpopper-lab.pcap`: a student types POP3 by hand,
one character per packet, fails a login, reconnects, logs in, and lists, reads and deletes mail. (The ports and
APOP stamps change when `make pcaps` regenerates the capture.)

```
""" + "\n".join(keep) + """
```

The typed `list` was corrected with backspace: mailtap shows what the student meant and marks the correction,
while the server's reply (`-ERR Unknown command: LISY\\x08T`) shows what it received.

"""
ui = """## The interactive UI

On a terminal, `mailtap -r FILE` (or `-i IFACE`) opens an htop/termshark-like UI: `p` packets, `s` sessions, `c`
credentials, Enter opens a transcript, `/` filters (`pop and not port 110`, `creds`, `starttls`, `host 10.0.0.5`),
`r` reveals secrets, `t` shows the keystrokes of typed lines, `w` saves a session as pcap and its messages as .eml,
`?` lists every key. These are text captures of the real screens (`sh tests/ui/run.sh --screens`).

The lab trace in the packets view: each keystroke is its own packet; the line is rebuilt on the packet that ends it.

""" + screen("packets.txt", 0, 12) + """
Its transcript, with the keystrokes (`t`) and the password masked until `r`:

""" + screen("transcript.txt", 0, 12) + """
The credentials view, and a STARTTLS session (`pcaps/smtp-starttls-submission-openssl.pcap`):

""" + screen("credentials.txt", 0, 4) + "\n" + screen("transcript-starttls.txt", 0, 19) + "\n"

readme = open("README.md", encoding="utf-8").read()
a = readme.index("## The lab trace, as mailtap shows it")
b = readme.index("## What it decodes")
open("README.md", "w", encoding="utf-8").write(readme[:a] + lab + ui + readme[b:])
