#!/bin/sh
# run.sh - `make fuzz`: runs every libFuzzer harness for FUZZ_SECONDS
# (default 600), JOBS at a time (default 2), then prints per harness the
# executions and the coverage reached (libFuzzer's cov: and ft:).
#
#   sh tests/fuzz/run.sh [NAME...]        FUZZ_SECONDS=60 JOBS=2 sh tests/fuzz/run.sh smtp pop3
#
# New inputs go to tests/out/fuzz/work/NAME (seeded from tests/fuzz/corpus/NAME,
# which is not modified); crashes, timeouts and OOMs are written to
# tests/fuzz/crashes/NAME/, where tests/fuzz/replay.sh replays them for ever.
# libFuzzer runs in fork mode so that a crash does not end the run.
set -u
cd "$(dirname "$0")/../.." || exit 2
secs=${FUZZ_SECONDS:-600}
jobs=${JOBS:-2}
out=tests/out/fuzz
make -s -f tests/fuzz/fuzz.mk MODE=fuzzer -j"$jobs" >/dev/null || exit 2
names=${*:-$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')}
mkdir -p "$out/logs"

fuzz_one() {   # $1 name
	n=$1
	mkdir -p "$out/work/$n" "tests/fuzz/crashes/$n"
	dict=
	case $n in
	smtp|pop3|imap|telnet|pipeline|mime|writers) dict=-dict=tests/fuzz/mail.dict ;;
	esac
	maxlen=65536
	case $n in base64|rfc2047|decode) maxlen=8192 ;; esac
	"$out/fuzzer/fuzz_$n" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
		-max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -max_len=$maxlen $dict \
		-artifact_prefix="tests/fuzz/crashes/$n/" -print_final_stats=1 \
		"$out/work/$n" "tests/fuzz/corpus/$n" >"$out/logs/$n.log" 2>&1
}

running=0
for n in $names; do
	[ -f "tests/fuzz/fuzz_$n.c" ] || { echo "no harness fuzz_$n" >&2; continue; }
	echo "fuzzing $n for ${secs}s ($(date +%T))"
	fuzz_one "$n" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait   # the batch ends together: every harness gets the same time
		running=0
	fi
done
wait

printf '%-10s %12s %8s %8s %8s %s\n' harness execs cov ft corpus crashes
for n in $names; do
	log=$out/logs/$n.log
	[ -f "$log" ] || continue
	# fork mode status lines: "#N: cov: C ft: F corp: K exec/s E oom/timeout/crash: a/b/c time: ..."
	last=$(grep -E '^#[0-9]+: cov: ' "$log" | tail -1)
	execs=$(echo "$last" | sed -n 's/^#\([0-9]*\):.*/\1/p')
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
	crashes=$(ls "tests/fuzz/crashes/$n" 2>/dev/null | wc -l)
	printf '%-10s %12s %8s %8s %8s %s\n' "$n" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$crashes"
done
