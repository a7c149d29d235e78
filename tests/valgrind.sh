#!/bin/sh
# valgrind.sh - mailtap under valgrind: no invalid access, no leak.
#   sh tests/valgrind.sh          a few captures (part of make test, via tests/hostile.sh)
#   sh tests/valgrind.sh --all    every capture in pcaps/ (make check-valgrind)
# Each run is `mailtap -r F --json --transcript --reveal` (every model field
# filled and rendered), and --report on the escape-injection capture; valgrind's
# --error-exitcode makes any invalid read/write, use of uninitialised memory
# or definite/indirect leak a failure. Prints one ok/not ok line per run.
set -u
cd "$(dirname "$0")/.." || exit 2
MAILTAP=${MAILTAP:-./mailtap}
out=tests/out/valgrind
mkdir -p "$out"
if ! command -v valgrind >/dev/null 2>&1; then
	echo "skip - valgrind not installed"
	exit 0
fi
if [ ! -x "$MAILTAP" ]; then
	echo "not ok - valgrind: $MAILTAP is not built"
	exit 0
fi
case "$MAILTAP" in
*asan*) echo "skip - valgrind on a sanitizer build ($MAILTAP)"; exit 0 ;;
esac

if [ "${1:-}" = --all ]; then
	files=$(find pcaps -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort)
	modes="--json"
else
	files="pcaps/pop3-typed-qpopper-lab.pcap pcaps/smtp-auth-plain-cram-pipelining.pcap
pcaps/imap-login-status-fetch.pcap pcaps/hostile/escape-injection.pcap"
	modes="--json"
fi
fail=0
for f in $files; do
	[ -f "$f" ] || continue
	m=$modes
	# the text report's sanitiser on the capture made to abuse it
	case $f in *escape-injection*) m="$modes --report" ;; esac
	for mode in $m; do
		log=$out/$(echo "$f$mode" | tr '/' '_').log
		extra=
		[ "$mode" = --json ] && extra="--transcript"
		# shellcheck disable=SC2086
		timeout 600 valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
			--show-leak-kinds=definite,indirect "$MAILTAP" -r "$f" $mode $extra --reveal >/dev/null 2>"$log"
		rc=$?
		if [ $rc -eq 99 ] || [ $rc -eq 124 ] || [ $rc -gt 128 ]; then
			echo "not ok - valgrind $f $mode (status $rc): $(grep -m1 -E '==[0-9]+== [A-Z].*' "$log" | sed 's/==[0-9]*== //')"
			fail=1
		else
			echo "ok - valgrind $f $mode"
		fi
	done
done
exit $fail
