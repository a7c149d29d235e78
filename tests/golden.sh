#!/bin/sh
# golden.sh - runs mailtap on every capture in pcaps/ (and, when ../shared is
# beside the checkout, on ../shared/pcaps/public/) and compares the JSON lines
# with the committed expectations in tests/golden/. A missing expectation is a
# failure. `sh tests/golden.sh --update` rewrites the expectations (review the
# diff before committing it).
#   MAILTAP=path  binary to test (default ./mailtap)
# Prints "ok - ..." / "not ok - ..." per capture.
set -u
cd "$(dirname "$0")/.." || exit 2
MAILTAP=${MAILTAP:-./mailtap}
UPDATE=0
[ "${1:-}" = "--update" ] && UPDATE=1
out=tests/out/golden
mkdir -p "$out"
fail=0

# Unreadable captures exit 2 with a one-line error; the expectation holds it.
check() {   # $1 capture, $2 expectation file
	got="$out/$(echo "$2" | tr '/' '_')"
	"$MAILTAP" -r "$1" --json --reveal --transcript >"$got" 2>"$got.err"
	rc=$?
	echo "exit $rc" >>"$got"
	if [ -s "$got.err" ]; then sed 's/^/stderr: /' "$got.err" >>"$got"; fi
	if [ $UPDATE = 1 ]; then
		mkdir -p "$(dirname "$2")"
		cp "$got" "$2"
		echo "ok - golden $1 (updated)"
		return
	fi
	if [ ! -f "$2" ]; then
		echo "not ok - golden $1: no expectation $2 (run make golden-update)"
		fail=1
	elif cmp -s "$got" "$2"; then
		echo "ok - golden $1"
	else
		echo "not ok - golden $1: output differs from $2"
		diff "$2" "$got" | head -20 | sed 's/^/#   /'
		fail=1
	fi
}

for f in $(find pcaps -path pcaps/gen -prune -o -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print | sort); do
	case "$f" in pcaps/hostile/big/*) continue ;; esac
	check "$f" "tests/golden/${f#pcaps/}.jsonl"
done

if [ -d ../shared/pcaps/public ]; then
	for f in $(ls ../shared/pcaps/public/ | grep -E '\.(pcap|pcapng|cap|ntar)$' | sort); do
		check "../shared/pcaps/public/$f" "tests/golden/public/$f.jsonl"
	done
else
	echo "skip - public captures: ../shared/pcaps/public is absent"
fi
exit $fail
