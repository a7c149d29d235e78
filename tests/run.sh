#!/bin/sh
# run.sh - the whole test suite (called by `make test` after both builds).
# Every check prints one line "ok - NAME", "not ok - NAME" or "skip - NAME";
# the last line is the count: "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 2
mkdir -p tests/out
log=tests/out/run.log
: >"$log"
pass=0 fail=0 skip=0

# Reads check lines on stdin, echoes them, and counts them.
count() {
	while IFS= read -r line; do
		echo "$line"
		case "$line" in
		"ok - "*) pass=$((pass + 1)) ;;
		"not ok - "*) fail=$((fail + 1)) ;;
		"skip - "*) skip=$((skip + 1)) ;;
		esac
	done
}

# A cmocka binary: one check line per test case (from its output).
unit() {   # $1 binary, $2 label
	out=$("$1" 2>&1)
	rc=$?
	echo "$out" >>"$log"
	echo "$out" | sed -n "s|^\[       OK \] \(.*\)|ok - $2 \1|p; s|^\[  FAILED  \] \([^ ].*\)|not ok - $2 \1|p" |
		grep -v 'not ok - .* [0-9]* test(s), listed below:' | grep -v '^not ok - .* [0-9]* test(s)\.$' |
		awk '!seen[$0]++'   # cmocka names a failed test twice (at the end, in its list)
	if [ $rc -ne 0 ] && ! echo "$out" | grep -q '^\[  FAILED  \]'; then
		echo "not ok - $2 exited with status $rc"
		echo "$out" | tail -5 | sed 's/^/#   /'
	fi
}

run_units() {
	for build in build build-asan; do
		for t in "$build"/tests/test_*; do
			[ -x "$t" ] || continue
			unit "$t" "$build/$(basename "$t")"
		done
	done
}

tmp=tests/out/lines
run_units >"$tmp"; count <"$tmp"
MAILTAP=./mailtap sh tests/golden.sh >"$tmp" 2>&1; count <"$tmp"
MAILTAP=build-asan/mailtap sh tests/golden.sh >"$tmp.asan" 2>&1
sed 's/golden /golden(asan) /' "$tmp.asan" >"$tmp"; count <"$tmp"
for s in tests/cli.sh tests/crosscheck_tshark.sh tests/hostile.sh tests/fuzz/replay.sh tests/ui/run.sh tests/live.sh; do
	[ -f "$s" ] || continue
	sh "$s" >"$tmp" 2>&1; count <"$tmp"
done
# the UI again on the sanitizer build
if [ -f tests/ui/run.sh ] && [ -x build-asan/mailtap ]; then
	MAILTAP=build-asan/mailtap sh tests/ui/run.sh 2>&1 | sed 's/^\(not \)\{0,1\}ok - ui /&(asan) /' >"$tmp"
	count <"$tmp"
fi
echo "$pass passed, $fail failed${skip:+, $skip skipped}" | sed 's/, 0 skipped$//'
[ "$fail" -eq 0 ]
