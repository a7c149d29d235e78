#!/usr/bin/env python3
"""credcheck.py - compares mailtap's credentials with the generator's ground truth.

usage: credcheck.py TRUTH.jsonl MAILTAP.jsonl [--show N]

TRUTH is the file bench/gen writes beside the capture; MAILTAP is the output
of `mailtap -r F --json --reveal`. Credentials are matched per session
(client and server address:port) in order. A ground-truth credential is
  found    when mailtap has one in the same session with the same mechanism,
           username, secret (password, or challenge-response digest),
           outcome and typed flag;
  wrong    when mailtap has one in that session but a field differs;
  missing  when mailtap has none left for it in that session.
mailtap credentials matched by nothing are "extra" (e.g. found inside
sessions the truth says are encrypted). Session protocols are compared too
(reported, not part of the verdict). Exit status 0 only at 100% found and
no extra.
"""
import json
import sys
from collections import defaultdict


def load(path):
    out = []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except ValueError as e:
                sys.exit(f"{path}:{n}: not JSON: {e}")
    return out


def digest_of(c):
    """The challenge-response digest: mailtap may give "user digest" (the
    whole decoded SASL response) or the digest alone."""
    r = c.get("response")
    if r is None:
        return None
    return r.rsplit(" ", 1)[-1]


def secret_of(c):
    if c.get("mechanism") in ("APOP", "AUTH CRAM-MD5", "AUTHENTICATE CRAM-MD5"):
        return digest_of(c)
    return c.get("password")


FIELDS = ("mechanism", "username", "secret", "outcome", "typed")


def view(c):
    return {
        "mechanism": c.get("mechanism"),
        "username": c.get("username"),
        "secret": secret_of(c),
        "outcome": c.get("outcome"),
        "typed": bool(c.get("typed")),
    }


def main():
    args = sys.argv[1:]
    show = 10
    if "--show" in args:
        i = args.index("--show")
        show = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    truth, got = load(args[0]), load(args[1])

    t_creds = defaultdict(list)
    t_sess = {}
    for r in truth:
        key = (r["client"], r["server"])
        if r["type"] == "credential":
            t_creds[key].append(view(r))
        elif r["type"] == "session":
            t_sess[key] = r
    m_creds = defaultdict(list)
    m_sess = {}
    summary = None
    for r in got:
        if r.get("type") == "credential":
            m_creds[(r["client"], r["server"])].append(view(r))
        elif r.get("type") == "session":
            m_sess[(r["client"], r["server"])] = r
        elif r.get("type") == "summary":
            summary = r

    found = wrong = missing = extra = 0
    wrong_fields = defaultdict(int)
    by_mech = defaultdict(lambda: [0, 0, 0])   # found, wrong, missing
    examples = {"wrong": [], "missing": [], "extra": []}
    for key, tl in t_creds.items():
        ml = list(m_creds.get(key, []))
        pending = []
        # exact matches first, wherever they are in the session
        for t in tl:
            if t in ml:
                ml.remove(t)
                found += 1
                by_mech[t["mechanism"]][0] += 1
            else:
                pending.append(t)
        for t in pending:
            if ml:
                m = ml.pop(0)
                wrong += 1
                by_mech[t["mechanism"]][1] += 1
                diff = [f for f in FIELDS if t[f] != m[f]]
                for f in diff:
                    wrong_fields[f] += 1
                if len(examples["wrong"]) < show:
                    examples["wrong"].append((key, {f: (t[f], m[f]) for f in diff}))
            else:
                missing += 1
                by_mech[t["mechanism"]][2] += 1
                if len(examples["missing"]) < show:
                    examples["missing"].append((key, t))
        for m in ml:
            extra += 1
            if len(examples["extra"]) < show:
                examples["extra"].append((key, m))
    for key, ml in m_creds.items():
        if key not in t_creds:
            extra += len(ml)
            for m in ml:
                if len(examples["extra"]) < show:
                    examples["extra"].append((key, m))

    total = found + wrong + missing
    proto_bad = sess_missing = 0
    proto_examples = []
    for key, t in t_sess.items():
        m = m_sess.get(key)
        if not m:
            sess_missing += 1
            continue
        if m.get("proto") != t["proto"]:
            proto_bad += 1
            if len(proto_examples) < show:
                proto_examples.append((key, t["kind"], t["proto"], m.get("proto"), m.get("ndpi")))

    print(f"credentials in ground truth: {total}")
    pct = 100.0 * found / total if total else 100.0
    print(f"  found {found} ({pct:.2f}%), wrong {wrong}, missing {missing}, extra {extra}")
    for mech in sorted(by_mech):
        f, w, m = by_mech[mech]
        print(f"    {mech:22s} found {f:6d}  wrong {w:5d}  missing {m:5d}")
    if wrong_fields:
        print("  fields differing in wrong ones: " +
              ", ".join(f"{k} {v}" for k, v in sorted(wrong_fields.items())))
    for kind in ("wrong", "missing", "extra"):
        for key, e in examples[kind]:
            print(f"  {kind}: {key[0]} -> {key[1]}: {json.dumps(e, ensure_ascii=False)}")
    print(f"sessions in ground truth: {len(t_sess)}, not reported by mailtap: {sess_missing}, "
          f"other proto: {proto_bad}")
    for e in proto_examples:
        print(f"  proto: {e[0][0]} -> {e[0][1]} ({e[1]}): truth {e[2]}, mailtap {e[3]} (nDPI {e[4]})")
    if summary:
        keys = [k for k in ("packets", "sessions", "flows_evicted", "flows_expired", "ooo_dropped_bytes",
                            "bad_tcp_checksum", "bad_ip_checksum", "lines_truncated") if k in summary]
        print("mailtap summary: " + ", ".join(f"{k} {summary[k]}" for k in keys))
    if found == total and extra == 0:
        print(f"CREDENTIALS: PASS ({found}/{total})")
        return 0
    print(f"CREDENTIALS: FAIL ({found}/{total} found, {wrong} wrong, {missing} missing, {extra} extra)"
          " - a speed figure from wrong output does not count")
    return 1


if __name__ == "__main__":
    sys.exit(main())
