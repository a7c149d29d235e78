#!/bin/sh
# triage.sh - groups the inputs in tests/fuzz/crashes/NAME/ by failure:
# replays each one alone with the gcc replay build and prints, per distinct
# signature (check message or sanitizer report + first mailtap frame), the
# count and one example file. With -d, keeps only that example per signature
# (the other files are duplicates of a known regression input).
#   sh tests/fuzz/triage.sh [-d] NAME...
set -u
cd "$(dirname "$0")/../.." || exit 2
dedup=0
[ "${1:-}" = -d ] && { dedup=1; shift; }
make -s -f tests/fuzz/fuzz.mk MODE=replay -j2 >/dev/null || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in "$@"; do
	for f in tests/fuzz/crashes/"$n"/*; do
		[ -f "$f" ] || continue
		out=$( (timeout 60 "tests/out/fuzz/replay/fuzz_$n" "$f") 2>&1)
		rc=$?
		if [ $rc -eq 0 ]; then
			sig="passes now"
		else
			what=$(echo "$out" | grep -m1 -E 'fuzz check failed|ERROR: AddressSanitizer|runtime error|ERROR: LeakSanitizer|abort' |
				sed 's/ at byte [0-9]* of [0-9]*.*//; s/0x[0-9a-f]*//g; s/==[0-9]*==//')
			frame=$(echo "$out" | grep -E '^ *#[0-9]+ .* in [a-z_0-9]+ /' | grep -v -E 'fuzz_|replay_main|abort|raise' |
				head -1 | sed 's/.* in \([^ ]*\) \(.*\)/\1 \2/')
			[ $rc -eq 124 ] && what="timeout"
			sig=$(echo "$what | $frame" | sed 's/ *$//')
		fi
		echo "$sig	$f" >>"$tmp/$n"
	done
	[ -f "$tmp/$n" ] || continue
	echo "== $n"
	cut -f1 "$tmp/$n" | sort | uniq -c | sort -rn | while read -r cnt sig; do
		ex=$(grep -F -m1 "$sig	" "$tmp/$n" | cut -f2)
		echo "  $cnt x $sig"
		echo "      e.g. $ex"
		if [ $dedup -eq 1 ]; then
			grep -F "$sig	" "$tmp/$n" | cut -f2 | grep -v -x -F "$ex" | while read -r dup; do rm -f "$dup"; done
		fi
	done
done
