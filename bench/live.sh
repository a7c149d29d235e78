#!/bin/sh
# live.sh - the live target of issue 7: replay a capture as fast as tcpreplay
# can into one end of a veth pair (two network namespaces made here, removed
# on exit; no traffic leaves them) and count the packets the kernel dropped for
# `mailtap -i` and for `tcpdump -w /dev/null` at the same rate.
#   sh bench/live.sh [CAPTURE]      (root; default: the 50 MB benchmark capture)
#   ROUNDS=3 sh bench/live.sh
# Prints one line per run and the medians. Not a test: the numbers depend on
# the machine.
set -u
cd "$(dirname "$0")/.." || exit 2
[ "$(id -u)" -eq 0 ] || { echo "bench/live.sh needs root (network namespaces)"; exit 2; }
for tool in ip tcpreplay tcpdump; do
	command -v $tool >/dev/null 2>&1 || { echo "bench/live.sh needs $tool"; exit 2; }
done
CAP=${1:-bench/data/mail-50M-s1-c300.pcap}
[ -f "$CAP" ] || { echo "no capture $CAP: run SIZE_MB=50 sh bench/run.sh first"; exit 2; }
ROUNDS=${ROUNDS:-3}
MAILTAP=$(realpath "${MAILTAP:-./mailtap}")
out=bench/data/live
mkdir -p "$out"
ns1=mt-bench-$$-cap
ns2=mt-bench-$$-rep
va=mtb$$a
vb=mtb$$b
cleanup() {
	ip netns del "$ns1" 2>/dev/null
	ip netns del "$ns2" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
ip netns add "$ns1" && ip netns add "$ns2" &&
	ip link add "$va" type veth peer name "$vb" &&
	ip link set "$va" netns "$ns1" && ip link set "$vb" netns "$ns2" &&
	ip -n "$ns1" link set "$va" mtu 65535 && ip -n "$ns2" link set "$vb" mtu 65535 &&
	ip -n "$ns1" link set "$va" up && ip -n "$ns2" link set "$vb" up || exit 2
pk=$(tcpdump -r "$CAP" -qn 2>/dev/null | wc -l)
echo "capture: $CAP ($pk packets), replayed with tcpreplay --topspeed, $ROUNDS rounds"

# run NAME CMD...: start the capture in ns1, replay in ns2, stop it, print drops
run() {
	name=$1
	shift
	ip netns exec "$ns1" "$@" >"$out/$name.out" 2>"$out/$name.err" &
	pid=$!
	sleep 1
	ip netns exec "$ns2" tcpreplay --topspeed -i "$vb" "$CAP" >"$out/$name.replay" 2>&1
	sleep 1
	kill -INT $pid
	wait $pid 2>/dev/null
	rate=$(grep -o 'Rated: [0-9.]* Bps, [0-9.]* Mbps, [0-9.]* pps' "$out/$name.replay" | head -1)
	case $name in
	mailtap*)
		got=$(grep -o '"packets":[0-9]*' "$out/$name.out" | tail -1 | cut -d: -f2)
		drop=$(grep -o '"kernel_dropped":[0-9]*' "$out/$name.out" | tail -1 | cut -d: -f2) ;;
	tcpdump*)
		got=$(grep -o '^[0-9]* packets captured' "$out/$name.err" | cut -d' ' -f1)
		drop=$(grep -o '^[0-9]* packets dropped by kernel' "$out/$name.err" | cut -d' ' -f1) ;;
	esac
	echo "$name: captured ${got:-?} dropped ${drop:-?} ($rate)"
	echo "${drop:-0}" >>"$out/$name.drops"
}

rm -f "$out"/*.drops
i=1
while [ $i -le "$ROUNDS" ]; do
	run tcpdump tcpdump -i "$va" -n -w /dev/null
	run mailtap "$MAILTAP" -i "$va" --json -Z root
	i=$((i + 1))
done
for t in tcpdump mailtap; do
	printf '%s: median kernel drops %s of %s packets\n' "$t" "$(sort -n "$out/$t.drops" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "$pk"
done
