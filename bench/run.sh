#!/bin/sh
# bench/run.sh - the benchmark of issue 7: mailtap against a bare libpcap
# loop, tcpdump, ndpiReader and tshark on one generated mail capture, plus
# a check of mailtap's credentials against the generator's ground truth.
# See bench/README.md. Not a test: nothing here fails `make test`.
#
#   sh bench/run.sh              the main benchmark (400 MB capture)
#   sh bench/run.sh scaling      1k / 10k / 100k concurrent flows (or SCALING=1)
#   sh bench/run.sh ablation     mailtap with parts switched off, to price them
#
# Environment (defaults in brackets):
#   RUNS [5]          timed rounds; the commands alternate inside each round
#   TSHARK_RUNS [3]   rounds in which tshark runs (it takes 20-40 s a run)
#   SIZE_MB [400]     size of the main capture;  SEED [1];  FLOWS [300] concurrent sessions
#   TOOLS             subset of "bare tcpdump ndpiReader tshark mailtap"
#   SCALE_MB [150]    size of each scaling capture (the 100k one comes out larger:
#                     every session that is open is finished)
#   SCALE_FLOWS ["1000 10000 100000"];  SCALE_RUNS [3]
#   MAILTAP [./mailtap]
set -eu
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
TSHARK_RUNS=${TSHARK_RUNS:-3}
SIZE_MB=${SIZE_MB:-400}
SEED=${SEED:-1}
FLOWS=${FLOWS:-300}
TOOLS=${TOOLS:-"bare tcpdump ndpiReader tshark mailtap"}
SCALING=${SCALING:-0}
SCALE_MB=${SCALE_MB:-150}
SCALE_FLOWS=${SCALE_FLOWS:-"1000 10000 100000"}
SCALE_RUNS=${SCALE_RUNS:-3}
MAILTAP=${MAILTAP:-./mailtap}
D=bench/data
[ "${1:-}" = scaling ] && SCALING=1
[ "${1:-}" = ablation ] && SCALING=ablation
mkdir -p "$D"

say() { printf '%s\n' "$*"; }

# ---- tools: Debian packages, installed only when missing ----
need_pkgs=""
[ -x /usr/bin/time ] || need_pkgs="$need_pkgs time"
command -v tcpdump >/dev/null 2>&1 || need_pkgs="$need_pkgs tcpdump"
command -v tshark >/dev/null 2>&1 || need_pkgs="$need_pkgs tshark"
command -v ndpiReader >/dev/null 2>&1 || need_pkgs="$need_pkgs libndpi-bin"
command -v python3 >/dev/null 2>&1 || need_pkgs="$need_pkgs python3"
[ -e /usr/include/pcap/pcap.h ] || need_pkgs="$need_pkgs libpcap-dev"
[ -e /usr/include/openssl/hmac.h ] || need_pkgs="$need_pkgs libssl-dev"
if [ -n "$need_pkgs" ]; then
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO=sudo
	say "bench: installing$need_pkgs"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need_pkgs >/dev/null
fi

# ---- builds (plain cc: the Makefile is not needed for these two) ----
if [ ! -x "$D/gen" ] || [ bench/gen.c -nt "$D/gen" ]; then
	cc -O2 -Wall -Wextra -std=gnu11 -o "$D/gen" bench/gen.c -lcrypto -lm
fi
if [ ! -x "$D/pcapcount" ] || [ bench/pcapcount.c -nt "$D/pcapcount" ]; then
	cc -O2 -Wall -Wextra -o "$D/pcapcount" bench/pcapcount.c -lpcap
fi
[ -x "$MAILTAP" ] || make mailtap

# gen_capture FILE ARGS...: generates FILE (and FILE.truth.jsonl) unless an
# up-to-date one is there. A capture that exists is reused: same seed, same bytes.
gen_capture() {
	f=$1
	shift
	if [ ! -s "$f" ] || [ ! -s "$f.truth.jsonl" ] || [ "$D/gen" -nt "$f" ]; then
		say "bench: generating $f"
		"$D/gen" -o "$f.tmp" -t "$f.truth.jsonl" "$@"
		mv "$f.tmp" "$f"
	fi
}

# measure NAME OUT CMD...: one timed run; appends "NAME wall user sys maxrss_kb" to $RES.
measure() {
	name=$1
	out=$2
	shift 2
	if ! /usr/bin/time -f "%e %U %S %M" -o "$D/time.tmp" "$@" >"$out" 2>"$D/stderr.tmp"; then
		say "bench: $name failed:"
		tail -5 "$D/stderr.tmp"
		exit 1
	fi
	printf '%s %s\n' "$name" "$(tail -1 "$D/time.tmp")" >>"$RES"
}

run_tool() {
	case $1 in
	bare) measure bare /dev/null "$D/pcapcount" "$2" ;;
	tcpdump) measure tcpdump /dev/null tcpdump -r "$2" -w /dev/null ;;
	ndpiReader) measure ndpiReader /dev/null ndpiReader -i "$2" -q ;;
	tshark) measure tshark "$D/tshark-credentials.txt" tshark -r "$2" -q -z credentials ;;
	mailtap) measure mailtap /dev/null "$MAILTAP" -r "$2" --json ;;
	esac
}

# medians FILE: "name runs wall cpu rss_kb" per tool (median of each column)
medians() {
	awk '
	{ n[$1]++; w[$1, n[$1]] = $2; c[$1, n[$1]] = $3 + $4; m[$1, n[$1]] = $5; order[$1] = order[$1] ? order[$1] : ++k; names[order[$1]] = $1 }
	function med(a, t, cnt,   i, j, v, tmp) {
		for (i = 1; i <= cnt; i++) v[i] = a[t, i]
		for (i = 1; i <= cnt; i++) for (j = i + 1; j <= cnt; j++) if (v[j] < v[i]) { tmp = v[i]; v[i] = v[j]; v[j] = tmp }
		return cnt % 2 ? v[(cnt + 1) / 2] : (v[cnt / 2] + v[cnt / 2 + 1]) / 2
	}
	END { for (i = 1; i <= k; i++) { t = names[i]; printf "%s %d %.3f %.3f %d\n", t, n[t], med(w, t, n[t]), med(c, t, n[t]), med(m, t, n[t]) } }
	' "$1"
}

machine_info() {
	say "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(uname -r)"
	say "versions: mailtap $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+local changes'), $(tcpdump --version 2>&1 | head -1), $(tshark --version 2>/dev/null | head -1), ndpiReader $(dpkg-query -W -f '${Version}' libndpi-bin 2>/dev/null || echo '?')"
}

# ---- the main benchmark ----
main_bench() {
	F="$D/mail-${SIZE_MB}M-s$SEED-c$FLOWS.pcap"
	gen_capture "$F" -s "$SIZE_MB" -S "$SEED" -c "$FLOWS"
	T="$F.truth.jsonl"
	set -- $("$D/pcapcount" "$F")
	PKTS=$2
	FBYTES=$(stat -c %s "$F")
	NCRED=$(grep -c '"type":"credential"' "$T" || true)
	NSESS=$(grep -c '"type":"session"' "$T" || true)
	cat "$F" >/dev/null   # every tool reads from the page cache
	say "capture: $F: $FBYTES bytes, $PKTS packets, $NSESS sessions, $NCRED credentials in the ground truth"
	machine_info

	RES="$D/times.txt"
	: >"$RES"
	rounds=$RUNS
	case " $TOOLS " in *" tshark "*) [ "$TSHARK_RUNS" -gt "$rounds" ] && rounds=$TSHARK_RUNS ;; esac
	r=1
	while [ "$r" -le "$rounds" ]; do
		printf 'round %d/%d:' "$r" "$rounds"
		for t in $TOOLS; do
			if [ "$t" = tshark ]; then
				[ "$r" -le "$TSHARK_RUNS" ] || continue
			else
				[ "$r" -le "$RUNS" ] || continue
			fi
			printf ' %s' "$t"
			run_tool "$t" "$F"
		done
		printf '\n'
		r=$((r + 1))
	done

	medians "$RES" >"$D/medians.txt"
	say ""
	say "medians (MB = 10^6 bytes of capture file; ratio = how many times faster mailtap is)"
	awk -v bytes="$FBYTES" -v pkts="$PKTS" '
	{ name[NR] = $1; runs[NR] = $2; wall[NR] = $3; cpu[NR] = $4; rss[NR] = $5; if ($1 == "mailtap") { mw = $3; mc = $4 } }
	END {
		printf "%-11s %4s %8s %8s %8s %8s %10s %10s %10s\n", "tool", "runs", "wall s", "CPU s", "RSS MB", "MB/s", "packets/s", "mailtap x", "x by CPU"
		for (i = 1; i <= NR; i++) {
			w = wall[i] > 0 ? wall[i] : 0.001
			ratio = mw > 0 ? sprintf("%.2f", w / mw) : "-"
			cratio = mc > 0 ? sprintf("%.2f", cpu[i] / mc) : "-"
			printf "%-11s %4d %8.3f %8.3f %8.1f %8.1f %10.0f %10s %10s\n", name[i], runs[i], wall[i], cpu[i], rss[i] / 1024, bytes / w / 1e6, pkts / w, ratio, cratio
		}
	}' "$D/medians.txt" | tee "$D/table.txt"

	# targets of issue 7 (same run, medians)
	say ""
	awk '
	{ w[$1] = $3; c[$1] = $4; rss[$1] = $5 }
	function verdict(ok) { return ok ? "met" : "NOT MET" }
	END {
		if (!("mailtap" in w)) exit
		m = w["mailtap"]
		mc = c["mailtap"] > 0 ? c["mailtap"] : 0.001
		if ("bare" in w) printf "target: mailtap >= 0.5x bare-loop throughput: %.2fx  %s  (by CPU time %.2fx)\n", w["bare"] / m, verdict(w["bare"] / m >= 0.5), c["bare"] / mc
		if ("ndpiReader" in w) printf "target: mailtap >= 3x ndpiReader:           %.2fx  %s  (by CPU time %.2fx)\n", w["ndpiReader"] / m, verdict(w["ndpiReader"] / m >= 3), c["ndpiReader"] / mc
		if ("tshark" in w) printf "target: mailtap >= 50x tshark:              %.1fx  %s  (by CPU time %.1fx)\n", w["tshark"] / m, verdict(w["tshark"] / m >= 50), c["tshark"] / mc
		printf "target: mailtap peak RSS <= 64 MB:          %.1f MB  %s\n", rss["mailtap"] / 1024, verdict(rss["mailtap"] <= 65536)
	}' "$D/medians.txt" | tee -a "$D/table.txt"

	if [ -s "$D/tshark-credentials.txt" ]; then
		n=$(awk '/^------/ { on = 1; next } /^====/ { on = 0 } on && NF' "$D/tshark-credentials.txt" | wc -l)
		say "tshark -z credentials listed $n rows (ground truth: $NCRED credentials)"
	fi

	# correctness: a speed figure from wrong output does not count
	say ""
	say "credentials: $MAILTAP -r $F --json --reveal against $T"
	"$MAILTAP" -r "$F" --json --reveal >"$D/mailtap.jsonl"
	python3 bench/credcheck.py "$T" "$D/mailtap.jsonl" --show "${SHOW:-10}" | tee "$D/credcheck.txt" || true
}

# ---- scaling: time per packet and memory against concurrent flows ----
scaling_bench() {
	machine_info
	RES="$D/scale-times.txt"
	: >"$D/scale-summary.txt"
	for n in $SCALE_FLOWS; do
		F="$D/scale-${SCALE_MB}M-s$SEED-c$n.pcap"
		gen_capture "$F" -l -s "$SCALE_MB" -S "$SEED" -c "$n"
		set -- $("$D/pcapcount" "$F")
		pk=$2
		cat "$F" >/dev/null
		: >"$RES"
		r=1
		while [ "$r" -le "$SCALE_RUNS" ]; do
			run_tool bare "$F"
			run_tool mailtap "$F"
			r=$((r + 1))
		done
		medians "$RES" | awk -v n="$n" -v pk="$pk" -v sz="$(stat -c %s "$F")" '
			{ w[$1] = $3; c[$1] = $4; rss[$1] = $5 }
			END { printf "%d %d %d %.3f %.1f %.1f %.1f %.1f\n", n, pk, sz, w["mailtap"], w["mailtap"] / pk * 1e9, c["mailtap"] / pk * 1e9, w["bare"] / pk * 1e9, rss["mailtap"] / 1024 }' \
			>>"$D/scale-summary.txt"
		"$MAILTAP" -r "$F" --json --reveal >"$D/scale-mailtap.jsonl"
		c=$(python3 bench/credcheck.py "$F.truth.jsonl" "$D/scale-mailtap.jsonl" | tail -1)
		s=$(grep '"type":"summary"' "$D/scale-mailtap.jsonl" | grep -o '"flows_[a-z]*":[0-9]*' | tr -d '"' | tr ':\n' '  ')
		say "flows $n: $c; $s"
	done
	say ""
	say "scaling (medians of $SCALE_RUNS runs; light mix: mail only, 2-4 KB messages)"
	awk '
	function flat(col, name,   i, lo, hi) {
		lo = hi = v[1, col]
		for (i = 2; i <= NR; i++) { if (v[i, col] < lo) lo = v[i, col]; if (v[i, col] > hi) hi = v[i, col] }
		printf "%s per packet: %.2fx from %d to %d flows, max/min %.2fx (target: flat within 20%%): %s\n", name, v[NR, col] / v[1, col], v[1, 1], v[NR, 1], hi / lo, hi / lo <= 1.2 ? "met" : "NOT MET"
	}
	BEGIN { printf "%-8s %9s %7s %8s %10s %10s %10s %8s\n", "flows", "packets", "MB", "wall s", "wall ns/p", "CPU ns/p", "bare ns/p", "RSS MB" }
	{ for (i = 1; i <= NF; i++) v[NR, i] = $i; printf "%-8d %9d %7.1f %8.3f %10.1f %10.1f %10.1f %8.1f\n", $1, $2, $3 / 1e6, $4, $5, $6, $7, $8 }
	END { if (NR > 1) { flat(5, "wall time"); flat(6, "CPU time") } }
	' "$D/scale-summary.txt" | tee "$D/scale-table.txt"
}

# ---- ablation: what each part of mailtap costs on the main capture ----
ablation_bench() {
	F="$D/mail-${SIZE_MB}M-s$SEED-c$FLOWS.pcap"
	gen_capture "$F" -s "$SIZE_MB" -S "$SEED" -c "$FLOWS"
	cat "$F" >/dev/null
	machine_info
	RES="$D/ablation-times.txt"
	: >"$RES"
	r=1
	while [ "$r" -le "$RUNS" ]; do
		measure bare /dev/null "$D/pcapcount" "$F"
		measure full /dev/null "$MAILTAP" -r "$F" --json
		measure no-ndpi /dev/null "$MAILTAP" -r "$F" --json --no-ndpi
		measure no-history /dev/null "$MAILTAP" -r "$F" --json --max-history 0
		measure no-ndpi,no-history /dev/null "$MAILTAP" -r "$F" --json --no-ndpi --max-history 0
		r=$((r + 1))
	done
	say "ablation on $F (medians of $RUNS runs; share = CPU saved / full CPU)"
	medians "$RES" | awk '
	{ n[NR] = $1; w[NR] = $3; c[NR] = $4; rss[NR] = $5; if ($1 == "full") fc = $4 }
	END {
		printf "%-20s %8s %8s %8s %8s\n", "variant", "wall s", "CPU s", "RSS MB", "share"
		for (i = 1; i <= NR; i++) printf "%-20s %8.3f %8.3f %8.1f %7.1f%%\n", n[i], w[i], c[i], rss[i] / 1024, (fc > 0 ? 100 * (fc - c[i]) / fc : 0)
	}' | tee "$D/ablation-table.txt"
}

case $SCALING in
1) scaling_bench ;;
ablation) ablation_bench ;;
*) main_bench ;;
esac
