#!/usr/bin/env python3
"""crosscheck_tshark.py - every credential tshark finds, mailtap must find too.

For each capture in pcaps/ (and ../shared/pcaps/public/ when present), runs
`tshark -r F -q -z credentials` and `mailtap -r F --json --reveal`, and checks
that each (protocol, username) tshark lists is among mailtap's credentials.
tshark 4.0 shows SMTP AUTH LOGIN usernames still in base64 and keeps IMAP
LOGIN arguments raw; both are normalised first. Where mailtap differs on
purpose, tests/tshark-exceptions.txt says why (file, username, reason).
Each credential mailtap finds beyond tshark's list needs a reason as well: a
mechanism or port tshark 4.0 does not cover, input typed per character, or a
line in tests/tshark-exceptions.txt.
Prints one "ok - " / "not ok - " / "skip - " line per capture."""
import base64, json, os, subprocess, sys, glob

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
os.chdir(root)
mailtap = os.environ.get("MAILTAP", "./mailtap")
if subprocess.run(["sh", "-c", "command -v tshark"], capture_output=True).returncode:
    print("skip - tshark cross-check: tshark is not installed")
    sys.exit(0)

exceptions = {}
if os.path.exists("tests/tshark-exceptions.txt"):
    for line in open("tests/tshark-exceptions.txt", encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        f, user, why = (line.rstrip("\n").split("\t") + ["", ""])[:3]
        exceptions[(f, user)] = why

protos = {"SMTP": "smtp", "POP3": "pop3", "POP": "pop3", "IMAP": "imap"}

def tshark_creds(path):
    out = subprocess.run(["tshark", "-r", path, "-q", "-z", "credentials"], capture_output=True,
                         text=True, errors="replace").stdout
    rows = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0].isdigit() and parts[1] in protos:
            proto, user = protos[parts[1]], parts[2]
            if proto == "smtp":
                try:
                    user = base64.b64decode(user + "==="[: (4 - len(user) % 4) % 4]).decode("utf-8", "replace")
                except Exception:
                    pass
            user = user.strip('"')
            rows.append((proto, user))
    return rows

def mailtap_creds(path):
    p = subprocess.run([mailtap, "-r", path, "--json", "--reveal"], capture_output=True, text=True,
                       errors="replace")
    got, recs = set(), []
    for line in p.stdout.splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if o.get("type") == "credential":
            got.add((o["proto"], (o.get("username") or "").strip('"')))
            recs.append(o)
    return got, recs

# What tshark 4.0's credentials tap can report at all (peers.md, tshark-oracle.md):
# SMTP AUTH LOGIN, POP3 USER/PASS and IMAP LOGIN, on the standard ports only.
TSHARK_MECHS = {("smtp", "AUTH LOGIN"), ("pop3", "USER/PASS"), ("imap", "LOGIN")}
TSHARK_PORTS = {"smtp": {"25", "587"}, "pop3": {"110"}, "imap": {"143"}}

def why_extra(rec):
    """Why tshark cannot list a credential mailtap found, or None."""
    proto, mech = rec["proto"], rec["mechanism"]
    if (proto, mech) not in TSHARK_MECHS:
        return "tshark 4.0 does not report %s %s" % (proto, mech)
    if rec["server"].rsplit(":", 1)[-1] not in TSHARK_PORTS[proto]:
        return "tshark 4.0 dissects %s only on its standard ports" % proto
    if rec.get("typed"):
        return "typed one character per packet: tshark sees one request per letter"
    return None

files = sorted(glob.glob("pcaps/**/*.pcap*", recursive=True) + glob.glob("pcaps/**/*.cap", recursive=True))
files = [f for f in files if "/gen/" not in f and "/big/" not in f]
pub = "../shared/pcaps/public"
if os.path.isdir(pub):
    files += sorted(os.path.join(pub, f) for f in os.listdir(pub) if f.endswith((".pcap", ".pcapng", ".cap")))
else:
    print("skip - tshark cross-check of public captures: ../shared is absent")
for f in files:
    want = tshark_creds(f)
    got, recs = mailtap_creds(f)
    name = os.path.basename(f)
    missing = [(p, u) for p, u in want if (p, u) not in got and not any(
        gp == p and (gu.startswith(u) or u in gu) for gp, gu in got)]
    unexplained = [(p, u) for p, u in missing if (name, u) not in exceptions]
    # every credential mailtap finds beyond tshark's list needs a reason too
    left = list(want)
    extra = []
    for r in recs:
        u = (r.get("username") or "").strip('"')
        hit = None
        if (r["proto"], r["mechanism"]) in TSHARK_MECHS:
            hit = next((w for w in left if w[0] == r["proto"] and (w[1] == u or (w[1] and w[1] in u))), None)
        if hit:
            left.remove(hit)
            continue
        if why_extra(r) is None and (name, u) not in exceptions:
            extra.append((r["proto"], r["mechanism"], u, r["frame"]))
    if unexplained:
        print("not ok - tshark cross-check %s: tshark finds %s, mailtap does not" % (name, unexplained))
    elif extra:
        print("not ok - tshark cross-check %s: mailtap finds %s beyond tshark, with no reason in "
              "tests/tshark-exceptions.txt" % (name, extra))
    else:
        print("ok - tshark cross-check %s (%d tshark, %d mailtap)" % (name, len(want), len(got)))
