#!/bin/sh
# replay.sh - part of `make test`: builds every fuzz harness with gcc as a
# replay program (ASan + UBSan, any report fatal; tests/fuzz/fuzz.mk) and
# runs it over its committed seed corpus tests/fuzz/corpus/NAME and every
# input that ever crashed it, tests/fuzz/crashes/NAME (kept for ever as
# regression inputs). One "ok - fuzz replay NAME" line per harness.
set -u
cd "$(dirname "$0")/../.." || exit 2
out=tests/out/fuzz
mkdir -p "$out"
if ! command -v gcc >/dev/null 2>&1; then
	echo "skip - fuzz replay (no gcc)"
	exit 0
fi
# Sources may change while this builds (other people work in the tree): make
# again until nothing is out of date, so no binary mixes two header versions.
i=0
while :; do
	if ! make -s -f tests/fuzz/fuzz.mk MODE=replay -j2 >"$out/replay-build.log" 2>&1; then
		echo "not ok - fuzz replay build: $(grep -m1 -E 'error' "$out/replay-build.log")"
		exit 0
	fi
	make -q -f tests/fuzz/fuzz.mk MODE=replay >/dev/null 2>&1 && break
	i=$((i + 1))
	[ $i -ge 3 ] && break
done
for src in tests/fuzz/fuzz_*.c; do
	n=$(basename "$src" .c | sed 's/^fuzz_//')
	bin=$out/replay/fuzz_$n
	log=$out/replay-$n.log
	# leaks are checked by valgrind and the unit tests; a harness run is
	# about memory errors and the checks in the harnesses
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		timeout 300 "$bin" "tests/fuzz/corpus/$n" "tests/fuzz/crashes/$n" >"$log" 2>&1
	rc=$?
	cnt=$(sed -n 's/^\([0-9]*\) inputs replayed$/\1/p' "$log")
	if [ $rc -eq 0 ]; then
		echo "ok - fuzz replay $n (${cnt:-0} inputs)"
	else
		# name the input that failed: replay them one by one
		culprit=
		for f in "tests/fuzz/crashes/$n"/* "tests/fuzz/corpus/$n"/*; do
			[ -f "$f" ] || continue
			if ! ASAN_OPTIONS=detect_leaks=0 timeout 60 "$bin" "$f" >/dev/null 2>&1; then
				culprit=$f
				break
			fi
		done
		what=$(grep -m1 -E 'fuzz check failed|ERROR: AddressSanitizer|runtime error|abort' "$log" | cut -c1-200)
		echo "not ok - fuzz replay $n: ${culprit:-status $rc}: $what"
	fi
done
