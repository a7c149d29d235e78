#!/bin/sh
# tests/ui/run.sh - drives the real mailtap UI in tmux and checks the screen.
#
# One line per check: "ok - ui NAME" / "not ok - ui NAME" (or "skip - ...").
# Exits non-zero if a check failed. Uses a private tmux server (-L), so it
# never touches the user's sessions.
#   MAILTAP=path   the binary (default ./mailtap)
#   --screens      also writes docs/screens/<view>.txt (text screenshots)
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
MAILTAP=${MAILTAP:-./mailtap}
case "$MAILTAP" in /*) ;; *) MAILTAP="$ROOT/$MAILTAP" ;; esac
SCREENS=0
[ "${1:-}" = "--screens" ] && SCREENS=1

if ! command -v tmux >/dev/null 2>&1; then
	echo "skip - tmux missing"
	exit 0
fi
if [ ! -x "$MAILTAP" ]; then
	echo "not ok - ui binary $MAILTAP not built"
	exit 1
fi

pick() {   # first existing capture
	for f in "$@"; do
		[ -f "$f" ] && { echo "$ROOT/$f"; return; }
	done
	echo ""
}
TYPED=$(pick pcaps/pop3-typed-qpopper-lab.pcap ../shared/pcaps/public/pop3-user-pass-top-49.pcap)
STARTTLS=$(pick pcaps/smtp-starttls-submission-openssl.pcap ../shared/pcaps/public/smtp-starttls-exim-keylog.pcapng)

SOCK="mailtap-ui-$$"
TMP=$(mktemp -d)
FAILS=0
T="tmux -L $SOCK"
trap '$T kill-server >/dev/null 2>&1; rm -rf "$TMP"' EXIT INT TERM

ok() { echo "ok - ui $1"; }
nok() { echo "not ok - ui $1"; FAILS=$((FAILS + 1)); shift; for l in "$@"; do echo "#   $l"; done; }
screen() { $T capture-pane -p -t ui 2>/dev/null; }
# wait_for REGEX [SECONDS]: until the screen matches (grep -E -i)
wait_for() {
	n=$(( ${2:-5} * 10 ))
	while [ $n -gt 0 ]; do
		screen | grep -Eiq -- "$1" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
keys() { $T send-keys -t ui "$@"; sleep 0.3; }
check() {   # check NAME REGEX: the screen matches now (after a short wait)
	if wait_for "$2" 3; then ok "$1"; else nok "$1" "expected /$2/ on screen:"; screen | sed -n "1,12p;\$p" | sed "s/^/#   | /"; fi
}
check_not() {   # check_not NAME REGEX: the screen does not match
	sleep 0.3
	if screen | grep -Eiq -- "$2"; then nok "$1" "unexpected /$2/"; screen | sed 's/^/#   | /'; else ok "$1"; fi
}
save_screen() {   # save_screen VIEW
	[ $SCREENS -eq 1 ] || return 0
	mkdir -p docs/screens
	screen | sed 's/[[:space:]]*$//' >"docs/screens/$1.txt"
}
# start FILE [W H]: mailtap in a new tmux server; the pane stays after exit
# (the capture's directory is linked as $TMP/pcaps so the status bar shows
# a short relative name, as in the README)
start() {
	$T kill-server >/dev/null 2>&1
	sleep 0.2
	rm -f "$TMP/pcaps"
	ln -s "$(dirname "$1")" "$TMP/pcaps"
	ARG="pcaps/$(basename "$1")"
	$T new-session -d -s ui -x "${2:-120}" -y "${3:-40}" \
		"cd '$TMP' && env LANG=C.UTF-8 TERM=screen-256color '$MAILTAP' --tui -r '$ARG' ${EXTRA:-}; echo EXITED \$?; sleep 60"
	$T set-option -t ui remain-on-exit on >/dev/null 2>&1
	wait_for 'packets \|' 5 || wait_for ' pk \|' 2
	# loaded: the status bar no longer says "loading"
	n=50
	while [ $n -gt 0 ] && screen | grep -q 'loading'; do sleep 0.1; n=$((n - 1)); done
}

# ---- the per-character POP3 lab capture ----
if [ -n "$TYPED" ]; then
	start "$TYPED"
	check "packets view shows the typed characters" 'POP +[0-9]+ C: u$|C: u *$'
	check "packets view shows the reconstructed typed line" 'C: user labtest'
	save_screen packets
	keys c
	check "credentials view lists the failed login" 'USER/PASS +labtest +\*{8} +failure +typed'
	check "credentials view lists the successful login" 'labtest +\*{8} +success'
	save_screen credentials
	keys r
	check "reveal shows the secret and says so" 'SECRETS REVEALED'
	check_not "reveal unmasks the credential rows" 'labtest +\*{8} +failure'
	keys r
	check "reveal toggles back to masked" 'labtest +\*{8} +failure'
	keys s
	check "sessions view: two POP3 sessions, one failed" 'pop3 .*FAILED'
	save_screen sessions
	# the client ports of the two sessions, as the sessions view shows them
	P1=$(screen | sed -n 's/^ *1 [^ ]*:\([0-9][0-9]*\) .*/\1/p' | head -1)
	P2=$(screen | sed -n 's/^ *2 [^ ]*:\([0-9][0-9]*\) .*/\1/p' | head -1)
	keys p / "port $P2" Enter
	check "filter narrows the packet list" ":$P2 .*C: user labtest"
	check_not "filter hides the other session" ":$P1 "
	keys s
	check "filter applies to the sessions view" ":$P2 "
	check_not "filtered sessions view hides the other session" ":$P1 "
	keys / C-u 'pop and bogus' Enter
	check "invalid filter is shown as such" "invalid filter: unknown word 'bogus'"
	check "invalid filter keeps the view" 'Client +Server'
	keys Escape / C-u Enter
	check "cleared filter shows all sessions again" ":$P1 "
	keys g Enter
	check "transcript opens on Enter" '#1 .*→.*POP'
	check "transcript shows the typed line" ' C user labtest +\(typed\)'
	keys t
	check "t shows keystrokes with timing" 'keys: u\+0 s\+[0-9]+'
	save_screen transcript
	keys f
	check_not "f shows the client side only" ' S \+OK'
	keys f f / 'authentication failed' Enter
	check "search finds a line" 'Entire .*/authentication failed'
	check_not "search found its match" 'Not found'
	keys J
	check "J jumps to the packet of the line" 'No\. +Time +Source'
	keys '?'
	check "help is generated from the key table" 'generated from the key table'
	save_screen help
	keys q
	# resizing, down to 80x24 and below, and back
	$T resize-window -t ui -x 80 -y 24; sleep 0.4
	check "80x24 still draws the status bar" 'masked \(r\)'
	save_screen packets-80x24
	keys c
	check "80x24 credentials view" 'labtest'
	$T resize-window -t ui -x 30 -y 6; sleep 0.3
	$T resize-window -t ui -x 10 -y 3; sleep 0.3
	$T resize-window -t ui -x 200 -y 60; sleep 0.4
	check "resizing does not crash" 'Credentials'
	check_not "resizing did not end the program" 'EXITED'
	keys p q
	check "q quits from the top view with status 0" 'EXITED 0'
	alt=$($T display -p -t ui '#{alternate_on}' 2>/dev/null)
	if [ "$alt" = "0" ]; then ok "terminal restored after quit"; else nok "terminal restored after quit" "alternate_on=$alt"; fi
else
	echo "skip - ui no per-character POP3 capture"
fi

# ---- STARTTLS divider ----
if [ -n "$STARTTLS" ]; then
	start "$STARTTLS"
	keys s Enter
	check "transcript shows the STARTTLS divider" 'STARTTLS accepted: TLS from here on'
	check "transcript marks the STARTTLS command" ' C STARTTLS'
	save_screen transcript-starttls
	keys w
	check "w saves the session" 'Saved .*mailtap-session-1-smtp'
	keys w
	n=$(ls "$TMP" | grep -c '^mailtap-session-1-smtp.*\.pcap$')
	if [ "$n" = 2 ] && ls "$TMP" | grep -q -- '-2\.pcap$'; then ok "w never overwrites (second save gets -2)"
	else nok "w never overwrites (second save gets -2)" "files: $(ls "$TMP" | tr '\n' ' ')"; fi
	# a signal ends the UI and restores the terminal
	pid=$(pgrep -n -f "mailtap --tui -r $ARG" || true)
	if [ -n "$pid" ]; then
		kill -TERM "$pid"
		check "SIGTERM ends the UI cleanly" 'EXITED 0'
		alt=$($T display -p -t ui '#{alternate_on}' 2>/dev/null)
		if [ "$alt" = "0" ]; then ok "terminal restored after SIGTERM"; else nok "terminal restored after SIGTERM" "alternate_on=$alt"; fi
	else
		nok "SIGTERM ends the UI cleanly" "no mailtap process found"
	fi
	# with a BPF filter the status bar shows it, and w still copies from the file
	rm -f "$TMP"/mailtap-session-*
	EXTRA="tcp port 587" start "$STARTTLS"
	keys s Enter w
	check "w saves the session's pcap when a filter was given" 'Saved [^ ]*mailtap-session-1-smtp[^ ]*\.pcap'
	if ls "$TMP" | grep -q '^mailtap-session-1-smtp.*\.pcap$'; then ok "the filtered session's pcap exists"
	else nok "the filtered session's pcap exists" "files: $(ls "$TMP" | tr '\n' ' ')"; fi
	keys q q q
else
	echo "skip - ui no STARTTLS capture"
fi

# ---- live capture on loopback (root only): typed keys show up at once ----
# (a tall pane: the whole exchange, about 60 packets, stays on screen under load)
if [ "$(id -u)" != 0 ] || ! command -v python3 >/dev/null 2>&1; then
	echo "skip - ui live capture needs root and python3"
else
	PORT=$(( 20000 + $$ % 20000 ))
	$T kill-server >/dev/null 2>&1
	sleep 0.2
	$T new-session -d -s ui -x 120 -y 80 \
		"env LANG=C.UTF-8 '$MAILTAP' --tui -i lo 'tcp port $PORT'; echo EXITED \$?; sleep 60"
	wait_for 'rx [0-9]+ drop|recv [0-9]+ drop' 5
	python3 - "$PORT" <<'PYEOF' >/dev/null 2>&1
import socket, sys, threading, time
port = int(sys.argv[1])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(1)
def serve():
    c, _ = srv.accept()
    c.sendall(b"+OK ready\r\n")
    buf = b""
    try:
        while True:
            d = c.recv(100)
            if not d:
                break
            buf += d
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                c.sendall(b"-ERR [AUTH] no\r\n" if line.lower().startswith(b"pass") else b"+OK\r\n")
    except OSError:
        pass
threading.Thread(target=serve, daemon=True).start()
s = socket.create_connection(("127.0.0.1", port))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.recv(100)
for ch in b"user livetest\r\npass nope\r\n":
    s.send(bytes([ch]))
    time.sleep(0.02)
time.sleep(0.5)
s.close()
PYEOF
	check "live: typed line appears in the packet list" 'C: user livetest'
	check "live: status shows kernel recv/drop and rate" 'rx [0-9]+ drop [0-9]+|recv [0-9]+ drop [0-9]+'
	keys c
	check "live: failed login in the credentials view" 'livetest +\*{8} +failure +typed'
	keys q
	check "live: q quits with status 0" 'EXITED 0'
fi

[ $FAILS -eq 0 ]
