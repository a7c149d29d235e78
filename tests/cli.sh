#!/bin/sh
# cli.sh - the command line's contract and its error paths.
# One "ok - " / "not ok - " line per check.
set -u
cd "$(dirname "$0")/.." || exit 2
M=${MAILTAP:-./mailtap}
T=tests/out/cli
rm -rf "$T"
mkdir -p "$T"
P=pcaps/crafted/link-en10mb.pcap

ok() { echo "ok - cli $1"; }
nok() { echo "not ok - cli $1"; }
expect_rc() {   # name, expected rc, command...
	name=$1 want=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$name"; else nok "$name (exit $rc, want $want)"; sed 's/^/#   /' "$T/err" | head -3; fi
}
one_line_err() {   # name: stderr of the last command is exactly one line
	if [ "$(wc -l <"$T/err")" -eq 1 ]; then ok "$1 one-line error"; else nok "$1 one-line error"; fi
}

expect_rc "no arguments" 2 "$M"
expect_rc "help" 0 "$M" -h
grep -q -- "--json" "$T/out" && ok "help lists --json" || nok "help lists --json"
expect_rc "version" 0 "$M" -V
expect_rc "both -r and -i" 2 "$M" -r "$P" -i lo
expect_rc "missing file" 2 "$M" -r "$T/nope.pcap" --json
one_line_err "missing file"
: >"$T/empty.pcap"
expect_rc "zero-length file" 2 "$M" -r "$T/empty.pcap" --json
one_line_err "zero-length file"
echo "this is not a capture" >"$T/text.pcap"
expect_rc "not a pcap" 2 "$M" -r "$T/text.pcap" --json
one_line_err "not a pcap"
# link type 160 (DLT_USER13): a pcap header and one record
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\240\000\000\000' >"$T/dlt160.pcap"
expect_rc "unsupported link type" 2 "$M" -r "$T/dlt160.pcap" --json
one_line_err "unsupported link type"
grep -q "unsupported link type 160" "$T/err" && ok "unsupported link type named" || nok "unsupported link type named"
expect_rc "bad BPF filter" 2 "$M" -r "$P" --json "tcp port nonsense"
expect_rc "bad number" 2 "$M" -r "$P" -c abc
expect_rc "json on a good file" 0 "$M" -r "$P" --json
tail -1 "$T/out" | grep -q '"type":"summary"' && ok "summary is last" || nok "summary is last"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/out" && ok "json parses" || nok "json parses"
expect_rc "filter as arguments" 0 "$M" -r "$P" --json tcp port 110
grep -q '"sessions":1' "$T/out" && ok "filter keeps the session" || nok "filter keeps the session"
expect_rc "filter excludes" 0 "$M" -r "$P" --json -f "tcp port 25"
grep -q '"sessions":0' "$T/out" && ok "filter drops the session" || nok "filter drops the session"
expect_rc "-c stops" 0 "$M" -r "$P" --json -c 3
grep -q '"packets":3,' "$T/out" && ok "-c 3 reads 3 packets" || nok "-c 3 reads 3 packets"
expect_rc "read stdin" 0 sh -c "$M -r - --json < $P"
grep -q '"sessions":1' "$T/out" && ok "stdin session" || nok "stdin session"
expect_rc "-w writes" 0 "$M" -r "$P" --json -w "$T/copy.pcap"
cmp -s "$T/copy.pcap" "$P" && ok "-w copy equals input" || nok "-w copy equals input"
expect_rc "-w refuses to overwrite" 2 "$M" -r "$P" --json -w "$T/copy.pcap"
expect_rc "-w --force overwrites" 0 "$M" -r "$P" --json -w "$T/copy.pcap" --force
expect_rc "report mode" 0 "$M" -r "$P" --report
grep -q "== Credentials ==" "$T/out" && ok "report has credentials table" || nok "report has credentials table"
expect_rc "report by default when piped" 0 sh -c "$M -r $P | cat"
grep -q "== Sessions ==" "$T/out" && ok "piped output is the report" || nok "piped output is the report"
expect_rc "export dir" 0 "$M" -r "$P" --json --export "$T/eml"
expect_rc "hashes file" 0 "$M" -r "$P" --json --hashes "$T/hashes.txt"
expect_rc "hashes refuses to overwrite" 2 "$M" -r "$P" --json --hashes "$T/hashes.txt"
expect_rc "no-ndpi" 0 "$M" -r "$P" --json --no-ndpi
grep -q '"ndpi":null' "$T/out" && ok "no-ndpi leaves ndpi null" || nok "no-ndpi leaves ndpi null"
# --hashes lines crack with the known lab passwords (pcaps/README.md)
H=$T/hashes-lab.txt
"$M" -r pcaps/nonstandard-ports-2525-1110.pcap --json --hashes "$H" >/dev/null 2>&1
if python3 - "$H" <<'PY'
import base64, hashlib, hmac, sys
pw = {"carol": "c4r0l!pass", "labtest": "lab2023", "alice": "Wonderland-42"}
n = 0
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("$cram_md5$"):
        _, _, c, r = line.split("$")
        user, digest = base64.b64decode(r).decode().rsplit(" ", 1)
        assert hmac.new(pw[user].encode(), base64.b64decode(c), hashlib.md5).hexdigest() == digest
    else:
        digest, stamp = line.split(":", 1)
        assert hashlib.md5((stamp + pw["labtest"]).encode()).hexdigest() == digest
    n += 1
assert n >= 4, n
PY
then ok "--hashes lines verify against the known passwords"; else nok "--hashes lines verify against the known passwords"; fi
expect_rc "report keeps at most --max-report-sessions" 0 "$M" -r pcaps/nonstandard-ports-2525-1110.pcap --report --max-report-sessions 3
grep -q "more sessions not listed" "$T/out" && ok "report says how many sessions it did not list" || nok "report says how many sessions it did not list"
