#!/bin/sh
# live.sh - live capture, really: two network namespaces joined by a veth
# pair (10.199.0.1 and 10.199.0.2, inside the namespaces only); mailtap
# captures on one end while Debian's tcpreplay replays captures from pcaps/
# into the other. Checks that SIGINT ends the capture cleanly with the
# summary written (and SIGTERM too), that the kernel's drop counter is
# reported, that privileges were dropped, and that the credentials seen live
# equal those found offline in the same captures. Needs root (prints a
# skip line otherwise). Sends no traffic anywhere but the veth pair; the
# namespaces are removed on exit.
set -u
cd "$(dirname "$0")/.." || exit 2
MAILTAP=${MAILTAP:-./mailtap}
if [ "$(id -u)" -ne 0 ]; then
	echo "skip - live capture needs root"
	exit 0
fi
for tool in ip tcpreplay python3; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "skip - live capture needs $tool"
		exit 0
	fi
done
if [ ! -x "$MAILTAP" ]; then
	echo "not ok - live: $MAILTAP is not built"
	exit 0
fi
MAILTAP=$(realpath "$MAILTAP")
out=tests/out/live
rm -rf "$out"
mkdir -p "$out"
chmod 0755 "$out"

ns1=mt-test-$$-cap
ns2=mt-test-$$-rep
va=mtv$$a
vb=mtv$$b
cap_pid=
cleanup() {
	[ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null
	ip netns del "$ns1" 2>/dev/null
	ip netns del "$ns2" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

setup() {
	ip netns add "$ns1" && ip netns add "$ns2" &&
		ip link add "$va" type veth peer name "$vb" &&
		ip link set "$va" netns "$ns1" && ip link set "$vb" netns "$ns2" &&
		# loopback captures carry segments up to 64 KB
		ip -n "$ns1" link set "$va" mtu 65535 && ip -n "$ns2" link set "$vb" mtu 65535 &&
		ip -n "$ns1" addr add 10.199.0.1/24 dev "$va" && ip -n "$ns2" addr add 10.199.0.2/24 dev "$vb" &&
		ip -n "$ns1" link set lo up && ip -n "$ns2" link set lo up &&
		ip -n "$ns1" link set "$va" up && ip -n "$ns2" link set "$vb" up
}
if ! setup >"$out/setup.log" 2>&1; then
	echo "skip - live capture: cannot create network namespaces ($(tail -1 "$out/setup.log"))"
	exit 0
fi

# Ethernet captures (tcpreplay sends them as they are) with credentials.
caps=""
for c in pop3-typed-qpopper-lab smtp-auth-login-syntax-error smtp-auth-plain-cram-pipelining \
	imap-login-status-fetch starttls-offered-cleartext-login-and-refused telnet-login-23; do
	[ -f "pcaps/$c.pcap" ] && caps="$caps pcaps/$c.pcap"
done
if [ -z "$caps" ]; then
	echo "skip - live capture: no captures to replay"
	exit 0
fi

# start_capture NAME: mailtap on the capture end, stdout/stderr into $out
start_capture() {
	ip netns exec "$ns1" "$MAILTAP" -i "$va" --json --reveal >"$out/$1.json" 2>"$out/$1.err" &
	cap_pid=$!
	# ready when the device is open (it says so when it drops privileges)
	i=0
	while [ $i -lt 50 ] && ! grep -q 'dropped privileges' "$out/$1.err" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.3
}

# stop_capture SIGNAL: signal mailtap, wait (at most 10 s); sets stop_rc
stop_capture() {
	kill -s "$1" "$cap_pid" 2>/dev/null
	i=0
	while [ $i -lt 100 ] && kill -0 "$cap_pid" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	hung=0
	if kill -0 "$cap_pid" 2>/dev/null; then
		kill -9 "$cap_pid" 2>/dev/null
		hung=1
	fi
	wait "$cap_pid"
	stop_rc=$?
	[ $hung -eq 1 ] && stop_rc=124
	cap_pid=""
}

# ---- SIGINT: replay, then compare with offline -------------------------------
start_capture sigint
replay_ok=1
for c in $caps; do
	if ! ip netns exec "$ns2" tcpreplay -q -i "$vb" --mbps=50 "$c" >>"$out/tcpreplay.log" 2>&1; then
		replay_ok=0
	fi
	sleep 0.2
done
sleep 1
stop_rc=
stop_capture INT
if [ $replay_ok -eq 1 ]; then
	echo "ok - live tcpreplay into the namespace"
else
	echo "not ok - live tcpreplay into the namespace: $(tail -2 "$out/tcpreplay.log" | tr '\n' ' ')"
fi
if [ "$stop_rc" -eq 0 ]; then
	echo "ok - live SIGINT ends the capture (exit 0)"
else
	echo "not ok - live SIGINT ends the capture: exit status $stop_rc ($(tail -1 "$out/sigint.err"))"
fi
if grep -q 'dropped privileges' "$out/sigint.err"; then
	echo "ok - live privileges dropped after opening the device"
else
	echo "not ok - live privileges dropped: stderr says $(head -2 "$out/sigint.err" | tr '\n' ' ')"
fi

: >"$out/offline.json"
for c in $caps; do
	"$MAILTAP" -r "$c" --json --reveal >>"$out/offline.json" 2>>"$out/offline.err"
done
python3 - "$out/sigint.json" "$out/offline.json" >"$out/compare.txt" 2>&1 <<'PY'
import json, sys
def load(p):
    return [json.loads(l) for l in open(p, encoding="utf-8") if l.strip()]
live, off = load(sys.argv[1]), load(sys.argv[2])
res = []
summ = [r for r in live if r.get("type") == "summary"]
res.append(("summary written", bool(summ) and live[-1].get("type") == "summary",
            "last record: %s" % (live[-1].get("type") if live else "none")))
s = summ[-1] if summ else {}
res.append(("kernel drop counter reported", "kernel_dropped" in s,
            "summary keys: %s" % sorted(s)))
res.append(("no packet dropped by the kernel", s.get("kernel_dropped", 1) == 0,
            "kernel_dropped = %s" % s.get("kernel_dropped")))
KEYS = ("proto", "client", "server", "mechanism", "username", "password", "challenge", "response", "outcome", "typed")
def creds(rs):
    return sorted(json.dumps([r.get(k) for k in KEYS]) for r in rs if r.get("type") == "credential")
lc, oc = creds(live), creds(off)
res.append(("credentials equal offline (%d)" % len(oc), lc == oc and len(oc) > 0,
            "live only: %s; offline only: %s" % (sorted(set(lc) - set(oc))[:3], sorted(set(oc) - set(lc))[:3])))
def sess(rs):
    return sorted(json.dumps([r.get(k) for k in ("proto", "client", "server", "credentials", "messages")])
                  for r in rs if r.get("type") == "session" and r.get("proto") != "other")
ls, os_ = sess(live), sess(off)
res.append(("mail sessions equal offline (%d)" % len(os_), ls == os_,
            "live only: %s; offline only: %s" % (sorted(set(ls) - set(os_))[:3], sorted(set(os_) - set(ls))[:3])))
for name, ok, why in res:
    print(("ok - live %s" % name) if ok else ("not ok - live %s: %s" % (name, why)))
PY
cat "$out/compare.txt"

# ---- SIGTERM: the summary is written too -----------------------------------
start_capture sigterm
set -- $caps
ip netns exec "$ns2" tcpreplay -q -i "$vb" --mbps=50 "$1" >>"$out/tcpreplay.log" 2>&1
sleep 0.5
stop_rc=
stop_capture TERM
if [ "$stop_rc" -eq 0 ] && tail -1 "$out/sigterm.json" | grep -q '"type":"summary"' &&
	tail -1 "$out/sigterm.json" | grep -q '"kernel_dropped"'; then
	echo "ok - live SIGTERM ends the capture with the summary written"
else
	echo "not ok - live SIGTERM ends the capture: exit $stop_rc, last line $(tail -1 "$out/sigterm.json" | cut -c1-80)"
fi
