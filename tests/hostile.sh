#!/bin/sh
# hostile.sh - mailtap against captures made to break it (issue 6), and the
# safety of the files it writes. Prints "ok - hostile NAME" / "not ok - ..."
# / "skip - ..." lines (counted by tests/run.sh).
#
# For every capture in pcaps/hostile/ (committed, small) and the big ones that
# pcaps/hostile/gen.py writes on demand into tests/out/hostile/ (cached there;
# a million SYNs, a 100 MB line, 10 MB of base64, ...), it runs
#     /usr/bin/time -f %M timeout T  mailtap -r F --json --reveal [limit options]
# and asserts:
#   - no crash and no hang: exit status 0 for a damaged-but-readable capture,
#     2 with exactly one line on stderr for an unreadable one; killed after T s;
#   - peak RSS under a bound: 64 MB for every capture (the defaults' worst case
#     for these inputs is ~20 MB), 128 MB for the million SYNs with
#     --max-flows 10000;
#   - every line of stdout is valid JSON, the last one the summary record;
#   - the anomaly is counted (summary counters, session warnings) and what can
#     still be decoded is (the POP3/SMTP/IMAP login after the flood).
# Then: the terminal-escape capture gives a text report with no ESC, BEL, CR
# or NUL byte; -w, --export and --hashes never overwrite without --force and
# never follow a symlink; --export writes only safely named files inside DIR;
# and valgrind runs on a few captures (tests/valgrind.sh).
#
#   MAILTAP=build-asan/mailtap sh tests/hostile.sh      another binary
#   HOSTILE_BIG=0 sh tests/hostile.sh                   skip the big captures
set -u
cd "$(dirname "$0")/.." || exit 2
MAILTAP=${MAILTAP:-./mailtap}
H=pcaps/hostile
BIG=tests/out/hostile
T=tests/out/hostile-run
rm -rf "$T"
mkdir -p "$T" "$BIG"

if [ ! -x "$MAILTAP" ]; then
	echo "not ok - hostile: $MAILTAP is not built"
	exit 0
fi
have_time=1
[ -x /usr/bin/time ] || have_time=0

# The checker: argv = JSON file, then Python expressions that must be true.
# Names: S (summary, limits_hit merged in), sessions, creds, msgs,
# cred(user, pw, outcome) (a matching credential exists), warn(name)
# (a session has that warning), pw_has(s) (a password contains s).
PYCHK='
import json, sys
recs = []
for i, line in enumerate(open(sys.argv[1], "rb").read().decode("utf-8").splitlines()):
    try:
        recs.append(json.loads(line))
    except Exception as e:
        print("line %d is not JSON: %s" % (i + 1, e)); sys.exit(1)
if not recs or recs[-1].get("type") != "summary":
    print("the last record is not the summary"); sys.exit(1)
S = dict(recs[-1]); S.update(S.pop("limits_hit", {}) or {})
sessions = [r for r in recs if r.get("type") == "session"]
creds = [r for r in recs if r.get("type") == "credential"]
msgs = [r for r in recs if r.get("type") == "message"]
def cred(u, p, o=None):
    return any(c.get("username") == u and c.get("password") == p and (o is None or c.get("outcome") == o) for c in creds)
def warn(w):
    return any(w in (s.get("warnings") or []) for s in sessions)
def pw_has(x):
    return any(x in (c.get("password") or "") or x in (c.get("username") or "") for c in creds)
for e in sys.argv[2:]:
    try:
        ok = eval(e)
    except Exception as ex:
        ok = False; e += " (%s)" % ex
    if not ok:
        short = {k: v for k, v in S.items() if v not in (0, False, None) and k != "type"}
        print("failed: %s; summary: %s; creds: %s" % (e, short, [(c.get("mechanism"), c.get("username"), c.get("outcome")) for c in creds][:4]))
        sys.exit(1)
'

# hostile NAME FILE WANT_RC RSS_MB TIMEOUT_S [mailtap options...] [-- python checks...]
hostile() {
	name=$1 file=$2 want=$3 rss_mb=$4 tmo=$5
	shift 5
	opts=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts="$opts $1"
		shift
	done
	[ $# -gt 0 ] && shift
	if [ ! -f "$file" ]; then
		echo "skip - hostile $name ($file not generated)"
		return
	fi
	if [ $have_time = 1 ]; then
		# shellcheck disable=SC2086
		/usr/bin/time -f %M -o "$T/$name.rss" timeout "$tmo" "$MAILTAP" -r "$file" --json --reveal $opts \
			>"$T/$name.json" 2>"$T/$name.err"
		rc=$?
		rss=$(tail -1 "$T/$name.rss" 2>/dev/null)
	else
		# shellcheck disable=SC2086
		timeout "$tmo" "$MAILTAP" -r "$file" --json --reveal $opts >"$T/$name.json" 2>"$T/$name.err"
		rc=$?
		rss=0
	fi
	why=
	errlines=$(grep -c '' "$T/$name.err")
	if [ "$rc" -eq 124 ]; then
		why="hang: killed after ${tmo}s"
	elif [ "$rc" -ne "$want" ]; then
		why="exit status $rc, want $want ($(head -c 300 "$T/$name.err" | tr '\n' ' '))"
	elif grep -q -E 'AddressSanitizer|runtime error|LeakSanitizer' "$T/$name.err"; then
		why="sanitizer report: $(grep -m1 -E 'ERROR|runtime error' "$T/$name.err")"
	elif [ "$want" -eq 2 ] && [ "$errlines" -ne 1 ]; then
		why="$errlines lines on stderr, want exactly one"
	elif [ "$want" -eq 0 ] && [ "$errlines" -gt 1 ]; then
		why="$errlines lines on stderr, want at most one warning"
	elif [ "${rss:-0}" -gt $((rss_mb * 1024)) ] 2>/dev/null; then
		why="peak RSS ${rss} KB over the ${rss_mb} MB bound"
	elif [ "$want" -eq 0 ]; then
		why=$(python3 -c "$PYCHK" "$T/$name.json" "$@" 2>&1) || true
	fi
	if [ -z "$why" ]; then
		echo "ok - hostile $name (exit $rc, ${rss:-?} KB)"
	else
		echo "not ok - hostile $name: $why"
	fi
}

# ---- the committed captures ------------------------------------------------
ALICE='cred("alice", "s3cret", "success")'
hostile base64-auth-128k $H/base64-auth-128k.pcap 0 64 30 --max-line 4096 -- \
	'S["lines_truncated"] >= 1' 'warn("line_too_long")' \
	'any(c["mechanism"] == "AUTH PLAIN" and c["outcome"] == "failure" for c in creds)'
hostile escape-injection $H/escape-injection.pcap 0 64 30 -- \
	'len(sessions) == 3' 'len(creds) == 3' 'len(msgs) == 2'
hostile frag-flood $H/frag-flood.pcap 0 64 30 --max-frags 100 -- \
	'S["ip_fragments"] >= 1503' 'S["frags_dropped"] > 0' "$ALICE"
hostile frag-overlap $H/frag-overlap.pcap 0 64 30 -- \
	'S["frag_overlaps"] >= 1' 'not pw_has("hacked")'
hostile header-folded-128k $H/header-folded-128k.pcap 0 64 30 -- \
	'S["mime_limits_hit"] + S["lines_truncated"] >= 1' 'len(msgs) == 1' "$ALICE"
hostile iac-flood $H/iac-flood.pcap 0 64 30 -- "$ALICE"
hostile imap-literal-huge $H/imap-literal-huge.pcap 0 64 30 -- \
	'len(sessions) == 4' "$ALICE"
hostile line-nocrlf-128k $H/line-nocrlf-128k.pcap 0 64 30 --max-line 4096 -- \
	'S["lines_truncated"] >= 1' 'warn("line_too_long")'
hostile mime-nested-1000 $H/mime-nested-1000.pcap 0 64 30 -- \
	'S["mime_limits_hit"] >= 1' 'len(msgs) == 1' 'msgs[0]["subject"] == "nested 1000 deep"' "$ALICE"
hostile not-a-pcap $H/not-a-pcap.pcap 2 64 30
hostile ooo-flood $H/ooo-flood.pcap 0 64 30 --max-ooo 65536 -- \
	'S["ooo_dropped_bytes"] > 0' 'S["gaps"] >= 1' "$ALICE"
hostile overlap-every-segment $H/overlap-every-segment.pcap 0 64 30 -- \
	'S["overlap_conflicts"] >= 600' 'warn("overlap_conflict")' "$ALICE" \
	'not pw_has("hacked") and not pw_has("mallet")'
hostile pcap-caplen-huge $H/pcap-caplen-huge.pcap 0 64 30 -- \
	'S["file_damaged"]' 'S["packets"] == 5'
hostile pcap-lying-caplen $H/pcap-lying-caplen.pcap 0 64 30 -- \
	'S["file_damaged"]' 'S["truncated_packets"] >= 6' \
	'all("s3cret".startswith(c.get("password") or "") for c in creds)'
hostile pcapng-bad-block-length $H/pcapng-bad-block-length.pcapng 0 64 30 -- \
	'S["file_damaged"]' 'S["packets"] == 5'
hostile pcapng-mixed-linktype $H/pcapng-mixed-linktype.pcapng 2 64 30
hostile pcapng-mixed-linktype-late $H/pcapng-mixed-linktype-late.pcapng 2 64 30
hostile rfc2047-unknown-charset-broken-b64 $H/rfc2047-unknown-charset-broken-b64.pcap 0 64 30 -- \
	'len(msgs) == 1' "$ALICE"
hostile seq-backwards $H/seq-backwards.pcap 0 64 30 -- \
	"$ALICE" 'not pw_has("hacked")' 'S["overlap_conflicts"] >= 1'
hostile syn-flood-2k $H/syn-flood-2k.pcap 0 64 30 --max-flows 100 -- \
	'S["flows_evicted"] >= 1900' "$ALICE"
hostile truncated-file $H/truncated-file.pcap 0 64 30 -- \
	'S["file_damaged"]' 'S["packets"] == 7' 'cred("alice", "s3cret")'
hostile truncated-record-header $H/truncated-record-header.pcap 0 64 30 -- \
	'S["file_damaged"]' 'S["packets"] == 7' 'cred("alice", "s3cret")'
hostile truncated-header $H/truncated-header.pcap 2 64 30
hostile unsupported-linktype $H/unsupported-linktype.pcap 2 64 30
hostile zero-length $H/zero-length.pcap 2 64 30
# a capture added to pcaps/hostile/ must get a case here
for f in $H/*.pcap $H/*.pcapng; do
	n=$(basename "$f" | sed -e 's/\.pcapng$//' -e 's/\.pcap$//')
	grep -q "^hostile $n " "$0" || echo "not ok - hostile $n: no test case in tests/hostile.sh"
done

# ---- the big ones, written on demand (cached in tests/out/hostile) --------
if [ "${HOSTILE_BIG:-1}" = 1 ]; then
	big="syn-million line-100mb base64-10mb-auth mime-nested-100k header-1mb frag-flood-big ooo-flood-big overlap-every-segment-big iac-flood-big"
	need=
	for b in $big; do
		[ -s "$BIG/$b.pcap" ] && [ "$BIG/$b.pcap" -nt $H/gen.py ] || need=1
	done
	if [ -n "$need" ]; then
		python3 $H/gen.py --big "$BIG" >"$T/gen.log" 2>&1 || echo "not ok - hostile big captures: gen.py failed: $(tail -1 "$T/gen.log")"
	fi
	hostile syn-million $BIG/syn-million.pcap 0 128 120 --max-flows 10000 -- \
		'S["flows_evicted"] >= 1000000 - 10000' "$ALICE"
	hostile line-100mb $BIG/line-100mb.pcap 0 64 60 -- \
		'S["lines_truncated"] >= 1' 'warn("line_too_long")'
	hostile base64-10mb-auth $BIG/base64-10mb-auth.pcap 0 64 60 -- \
		'S["lines_truncated"] >= 1' 'warn("line_too_long")'
	hostile mime-nested-100k $BIG/mime-nested-100k.pcap 0 64 60 -- \
		'S["mime_limits_hit"] >= 1' 'len(msgs) == 1' "$ALICE"
	hostile header-1mb $BIG/header-1mb.pcap 0 64 60 -- \
		'S["mime_limits_hit"] + S["lines_truncated"] >= 1' 'len(msgs) == 1' "$ALICE"
	hostile frag-flood-big $BIG/frag-flood-big.pcap 0 64 60 -- \
		'S["frags_dropped"] > 0' "$ALICE"
	hostile ooo-flood-big $BIG/ooo-flood-big.pcap 0 64 60 -- \
		'S["ooo_dropped_bytes"] > 0' "$ALICE"
	hostile overlap-every-segment-big $BIG/overlap-every-segment-big.pcap 0 64 60 -- \
		'S["overlap_conflicts"] >= 100000' "$ALICE"
	hostile iac-flood-big $BIG/iac-flood-big.pcap 0 64 60 -- "$ALICE"
else
	echo "skip - hostile big captures (HOSTILE_BIG=0)"
fi

# ---- terminal-escape injection -------------------------------------------
# No ESC, BEL, CR or NUL may reach a terminal from the text report, masked or
# revealed; the JSON (with the transcript) must stay valid.
esc_check() {   # NAME FILE
	python3 - "$2" <<'PY' >"$T/esc.why" 2>&1
import sys
b = open(sys.argv[1], "rb").read()
bad = {0x1b: "ESC", 0x07: "BEL", 0x0d: "CR", 0x00: "NUL", 0x9b: "CSI"}
for i, c in enumerate(b):
    if c in bad and not (c == 0x9b and i and b[i - 1] >= 0xc0):
        print("%s at byte %d: %r" % (bad[c], i, b[max(0, i - 30):i + 10])); sys.exit(1)
try:
    b.decode("utf-8")
except UnicodeDecodeError as e:
    print("invalid UTF-8: %s" % e); sys.exit(1)
PY
	if [ $? -eq 0 ]; then echo "ok - hostile $1"; else echo "not ok - hostile $1: $(cat "$T/esc.why")"; fi
}
timeout 30 "$MAILTAP" -r $H/escape-injection.pcap --report >"$T/esc-report.txt" 2>"$T/esc-report.err"
esc_check escape-injection-report "$T/esc-report.txt"
timeout 30 "$MAILTAP" -r $H/escape-injection.pcap --report --reveal >"$T/esc-report-reveal.txt" 2>&1
esc_check escape-injection-report-reveal "$T/esc-report-reveal.txt"
timeout 30 "$MAILTAP" -r $H/escape-injection.pcap --json --transcript --reveal >"$T/esc.json" 2>/dev/null
if python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' <"$T/esc.json" 2>"$T/esc.jerr" &&
	[ -s "$T/esc.json" ]; then
	echo "ok - hostile escape-injection-json-valid"
else
	echo "not ok - hostile escape-injection-json-valid: $(tail -1 "$T/esc.jerr")"
fi

# ---- file output safety ----------------------------------------------------
F=$T/files
mkdir -p "$F"
P=pcaps/smtp-auth-plain-cram-pipelining.pcap
[ -f $P ] || P=$H/escape-injection.pcap
safety() {   # NAME CONDITION-RESULT(0 ok) WHY
	if [ "$2" -eq 0 ]; then echo "ok - hostile files $1"; else echo "not ok - hostile files $1: $3"; fi
}
echo keep >"$F/canary"
# -w
echo old >"$F/w.pcap"
"$MAILTAP" -r $P --json -w "$F/w.pcap" >/dev/null 2>"$F/err"; rc=$?
[ $rc -eq 2 ] && [ "$(cat "$F/w.pcap")" = old ] && [ "$(grep -c '' "$F/err")" -eq 1 ] && grep -q -- --force "$F/err"
safety "-w refuses to overwrite" $? "exit $rc, file now $(head -c 20 "$F/w.pcap" | od -An -c | head -1)"
"$MAILTAP" -r $P --json -w "$F/w.pcap" --force >/dev/null 2>&1; rc=$?
[ $rc -eq 0 ] && [ "$(od -An -tx1 -N4 "$F/w.pcap" | tr -d ' ')" = d4c3b2a1 -o "$(od -An -tx1 -N4 "$F/w.pcap" | tr -d ' ')" = 4d3cb2a1 ]
safety "-w --force overwrites" $? "exit $rc"
ln -s canary "$F/wlink.pcap"
"$MAILTAP" -r $P --json -w "$F/wlink.pcap" --force >/dev/null 2>&1; rc=$?
[ "$(cat "$F/canary")" = keep ] && [ $rc -eq 2 ]
safety "-w never follows a symlink" $? "exit $rc, canary now $(head -c 20 "$F/canary")"
# --hashes
echo old >"$F/h.txt"
"$MAILTAP" -r $P --json --hashes "$F/h.txt" >/dev/null 2>"$F/err"; rc=$?
[ $rc -eq 2 ] && [ "$(cat "$F/h.txt")" = old ] && [ "$(grep -c '' "$F/err")" -eq 1 ]
safety "--hashes refuses to overwrite" $? "exit $rc"
"$MAILTAP" -r $P --json --hashes "$F/h.txt" --force >/dev/null 2>&1; rc=$?
[ $rc -eq 0 ] && ! grep -q -x old "$F/h.txt"
safety "--hashes --force overwrites" $? "exit $rc"
ln -s canary "$F/hlink.txt"
"$MAILTAP" -r $P --json --hashes "$F/hlink.txt" --force >/dev/null 2>&1; rc=$?
[ "$(cat "$F/canary")" = keep ] && [ $rc -eq 2 ]
safety "--hashes never follows a symlink" $? "exit $rc, canary now $(head -c 20 "$F/canary")"
# --export: names from the wire (../../, ESC, /etc/passwd) never become paths
E=$F/export
mkdir -p "$E"
"$MAILTAP" -r $H/escape-injection.pcap --json --export "$E/out" >/dev/null 2>"$F/err"; rc=$?
n=$(ls "$E/out" 2>/dev/null | grep -c '')
bad=$(ls -A "$E/out" 2>/dev/null | grep -v -E '^session[0-9]+-msg[0-9]+-(c2s|s2c)(-[A-Za-z0-9_]+)?\.eml$')
outside=$(ls -A "$E" | grep -v -x out)
[ $rc -eq 0 ] && [ "$n" -ge 2 ] && [ -z "$bad" ] && [ -z "$outside" ] && [ "$(cat "$F/canary")" = keep ] &&
	[ -z "$(find "$E/out" ! -type f ! -path "$E/out")" ]
safety "--export writes only safe names inside DIR" $? "exit $rc, $n files, unsafe: $bad, outside: $outside"
first=$(ls "$E/out" | head -1)
if [ -n "$first" ]; then
	echo marker >"$E/out/$first"
	"$MAILTAP" -r $H/escape-injection.pcap --json --export "$E/out" >/dev/null 2>&1
	[ "$(cat "$E/out/$first")" = marker ]
	safety "--export refuses to overwrite" $? "$first was overwritten without --force"
	"$MAILTAP" -r $H/escape-injection.pcap --json --export "$E/out" --force >/dev/null 2>&1
	[ "$(cat "$E/out/$first")" != marker ]
	safety "--export --force overwrites" $? "$first kept"
	rm -f "$E/out/$first"
	ln -s ../../canary "$E/out/$first"
	"$MAILTAP" -r $H/escape-injection.pcap --json --export "$E/out" --force >/dev/null 2>&1
	[ "$(cat "$F/canary")" = keep ]
	safety "--export never follows a symlink" $? "canary overwritten through $first"
else
	echo "not ok - hostile files --export overwrite checks: nothing exported"
fi

# ---- valgrind on a few captures --------------------------------------------
if [ -f tests/valgrind.sh ]; then
	MAILTAP=$MAILTAP sh tests/valgrind.sh
fi
