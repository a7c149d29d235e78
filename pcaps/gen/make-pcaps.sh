#!/bin/sh
# make-pcaps.sh - regenerate the real-traffic capture corpus in pcaps/ (issue 4).
#
# Run as root on Debian 12 (`make pcaps`).  It installs dovecot, postfix,
# swaks, inetutils-telnetd ... with apt-get, writes every configuration into a
# temporary directory, starts the servers on loopback ONLY (127.0.0.1 and ::1),
# drives real clients (typist.py, openssl s_client, swaks, curl, python
# smtplib/poplib/imaplib, clients.py) against them, records each scenario with
# tcpdump into its own file and stops everything it started on exit.
#
# Nothing but loopback is ever contacted.  No systemd: the daemons are started
# directly and stopped by PID.  The only change outside the temporary
# directory is a throwaway local user for the telnet login (scenario 11),
# removed again on exit.
#
# Environment: OUT=dir (default: pcaps/ next to this script's directory),
# KEEP=1 keeps the temporary directory for inspection.
set -eu

GEN=$(cd "$(dirname "$0")" && pwd)
# Debian's python3 (the one apt installs), not whatever python3 is first in PATH.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
OUT=${OUT:-$(cd "$GEN/.." && pwd)}

if [ "$(id -u)" != 0 ]; then
	echo "make-pcaps.sh: must run as root (installs packages, binds ports < 1024)" >&2
	exit 1
fi

# ---------------------------------------------------------------- packages
PKGS="dovecot-core dovecot-pop3d dovecot-imapd postfix swaks curl openssl \
tcpdump python3 inetutils-telnetd wireshark-common tshark iproute2 passwd \
libdigest-hmac-perl libio-socket-ssl-perl libnet-ssleay-perl libauthen-sasl-perl"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "== installing:$missing"
	# Keep the packages' own init scripts from starting daemons on all
	# interfaces with /etc configs: policy-rc.d 101 = "action forbidden".
	made_policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		made_policy=1
	fi
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
	if [ -n "$made_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
fi

# Our servers must own these ports: a system dovecot/postfix already
# listening would silently answer in their place.
PORTS="23 25 110 143 465 587 993 995 1110 1143 2525 10025 10110 10143"
for port in $PORTS; do
	if ss -ltnH "sport = :$port" | grep -q .; then
		echo "make-pcaps.sh: port $port is already in use; stop its server first" >&2
		exit 1
	fi
done

# ---------------------------------------------------------------- work dir
W=$(mktemp -d /tmp/mailtap-gen.XXXXXX)
chmod 755 "$W"
PIDS=""
TELNET_USER=mtlab

cleanup() {
	set +e
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	[ -f "$W/postfix/main.cf" ] && postfix -c "$W/postfix" stop >/dev/null 2>&1
	for inst in dovecot dovecot-nossl; do
		[ -f "$W/$inst/dovecot.conf" ] && doveadm -c "$W/$inst/dovecot.conf" stop >/dev/null 2>&1
	done
	# wait for the dovecot masters to be gone before removing their files
	for inst in dovecot dovecot-nossl; do
		pf=$W/$inst/run/master.pid
		[ -f "$pf" ] || continue
		mp=$(cat "$pf")
		i=0
		while kill -0 "$mp" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	done
	sleep 0.5
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	if id "$TELNET_USER" >/dev/null 2>&1 && [ -f "$W/telnet-user-created" ]; then
		userdel -r "$TELNET_USER" >/dev/null 2>&1
	fi
	if [ -z "${KEEP:-}" ]; then rm -rf "$W"; else echo "kept $W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "== $*"; }

# ---------------------------------------------------------------- TLS cert
say "self-signed certificate for mail.lab.test"
mkdir -p "$W/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
	-subj "/CN=mail.lab.test/O=mailtap lab" \
	-addext "subjectAltName=DNS:mail.lab.test,DNS:localhost,IP:127.0.0.1,IP:::1" \
	-keyout "$W/tls/key.pem" -out "$W/tls/cert.pem" 2>/dev/null
chmod 644 "$W/tls/key.pem"

# ---------------------------------------------------------------- users
# passwd-file of test users (plaintext scheme so that APOP and CRAM-MD5 work).
#   labtest / lab2023                      the Qpopper lab user
#   alice   / Wonderland-42                IMAP user
#   ivan    / пароль2023                  non-ASCII (UTF-8) password
#   bob     / correct horse "battery" staple   spaces and double quotes
#   carol   / c4r0l!pass                   SMTP sender
say "test users and mailboxes"
mkdir -p "$W/dovecot" "$W/mail"
cat >"$W/dovecot/users" <<'EOF'
labtest:{PLAIN}lab2023::::::
alice:{PLAIN}Wonderland-42::::::
ivan:{PLAIN}пароль2023::::::
bob:{PLAIN}correct horse "battery" staple::::::
carol:{PLAIN}c4r0l!pass::::::
EOF
chown root:dovecot "$W/dovecot/users"
chmod 640 "$W/dovecot/users"
$PY "$GEN/mailboxes.py" "$W/mail"
chown -R nobody:nogroup "$W/mail"

# ---------------------------------------------------------------- dovecot
# Two instances: the real one (TLS, every listener) and one without TLS
# on 10110/10143 that refuses STLS/STARTTLS (scenario 8).
write_dovecot() { # $1 = instance dir, $2 = ssl yes|no, $3 = listeners
	d=$W/$1
	mkdir -p "$d/run" "$d/state"
	cat >"$d/dovecot.conf" <<EOF
instance_name = mailtap-$1
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
protocols = pop3 imap
listen = 127.0.0.1, ::1
default_internal_user = dovecot
default_login_user = dovenull
ssl = $2
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5 apop
auth_failure_delay = 1 secs
auth_verbose = yes
mail_location = maildir:~/Maildir
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $W/dovecot/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$W/mail/%u
}
protocol pop3 {
  pop3_uidl_format = %08Xu%08Xv
}
$3
EOF
	if [ "$2" = yes ]; then
		cat >>"$d/dovecot.conf" <<EOF
ssl_cert = <$W/tls/cert.pem
ssl_key = <$W/tls/key.pem
ssl_min_protocol = TLSv1.2
EOF
	fi
}
write_dovecot dovecot yes "
service imap-login {
  inet_listener imap {
    port = 143
  }
  inet_listener imap-alt {
    port = 1143
  }
  inet_listener imaps {
    port = 993
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 110
  }
  inet_listener pop3-alt {
    port = 1110
  }
  inet_listener pop3s {
    port = 995
    ssl = yes
  }
}
service auth {
  unix_listener $W/dovecot/auth-postfix {
    mode = 0666
  }
}"
write_dovecot dovecot-nossl no "
service imap-login {
  inet_listener imap {
    port = 10143
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 10110
  }
  inet_listener pop3s {
    port = 0
  }
}"

say "starting dovecot (two instances)"
for inst in dovecot dovecot-nossl; do
	dovecot -c "$W/$inst/dovecot.conf"
done

# ---------------------------------------------------------------- postfix
# Postfix with dovecot SASL; every mail is discarded (never relayed).
#   25   smtpd, STARTTLS offered, AUTH allowed in clear
#   2525 the same on a non-standard port
#   587  submission: STARTTLS required before AUTH
#   465  submissions: implicit TLS (wrapper mode)
#   10025 STARTTLS advertised but the certificate is unusable -> 454 refusal
say "configuring postfix"
P=$W/postfix
mkdir -p "$P" "$W/postfix-spool" "$W/postfix-data"
# spool and data outside the config dir: postfix-script wants that one root-owned.
chown postfix "$W/postfix-data"
cat >"$P/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $W/postfix-spool
data_directory = $W/postfix-data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.lab.test
mydomain = lab.test
myorigin = lab.test
mydestination = lab.test, mail.lab.test, localhost
local_recipient_maps =
local_transport = discard:
default_transport = discard:
relay_transport = discard:
mynetworks = 127.0.0.0/8 [::1]/128
inet_interfaces = loopback-only
inet_protocols = ipv4
smtpd_banner = \$myhostname ESMTP Postfix (mailtap lab)
biff = no
maillog_file = $P/maillog
maillog_file_prefixes = $P
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $W/dovecot/auth-postfix
smtpd_sasl_security_options = noanonymous
smtpd_tls_cert_file = $W/tls/cert.pem
smtpd_tls_key_file = $W/tls/key.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = no
smtpd_tls_loglevel = 1
smtpd_recipient_restrictions = permit_sasl_authenticated, permit_mynetworks, reject_unauth_destination
smtpd_relay_restrictions = permit_sasl_authenticated, permit_mynetworks, reject_unauth_destination
smtpd_helo_required = no
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 50
smtpd_hard_error_limit = 100
disable_vrfy_command = no
# small: postfix wants 1.5 x this free in the queue file system
message_size_limit = 1024000
EOF
cat >"$P/master.cf" <<EOF
127.0.0.1:smtp inet n - n - - smtpd
127.0.0.1:2525 inet n - n - - smtpd
127.0.0.1:submission inet n - n - - smtpd
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
127.0.0.1:submissions inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
127.0.0.1:10025 inet n - n - - smtpd
  -o smtpd_tls_cert_file=$P/missing-cert.pem
  -o smtpd_tls_key_file=$P/missing-key.pem
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
say "starting postfix"
postfix -c "$P" check
postfix -c "$P" start

# ---------------------------------------------------------------- wait for ports
wait_port() { # $1 host $2 port
	i=0
	while ! $PY -c "import socket,sys; socket.create_connection(('$1',$2),1).close()" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 50 ]; then
			echo "port $1:$2 never opened" >&2
			exit 1
		fi
		sleep 0.2
	done
}
for port in 110 143 993 995 1110 1143 10110 10143 25 587 465 2525 10025; do
	wait_port 127.0.0.1 $port
done
wait_port ::1 110
say "servers up: $(ss -ltnH | awk '{print $4}' | sort -u | tr '\n' ' ')"

if [ -n "${SETUP_ONLY:-}" ]; then
	echo "SETUP_ONLY: servers running in $W; press Ctrl-C to stop"
	sleep 100000 &
	wait $!
fi

# ---------------------------------------------------------------- capture helpers
CAP_PID=""
CAP_NAME=""
cap_start() { # $1 = output file name, $2 = interface, $3 = BPF filter, [$4 = DLT]
	CAP_NAME=$1
	rm -f "$W/cap.tmp" "$W/tcpdump.log"
	# -Z root: tcpdump would otherwise drop to user tcpdump before opening
	# the file in the root-owned temp dir.
	tcpdump -i "$2" ${4:+-y "$4"} -s 0 -B 65536 -U --immediate-mode -n -Z root -w "$W/cap.tmp" "$3" \
		2>"$W/tcpdump.log" &
	CAP_PID=$!
	PIDS="$PIDS $CAP_PID"
	i=0
	until grep -q "listening on" "$W/tcpdump.log" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 50 ] && { cat "$W/tcpdump.log" >&2; exit 1; }
		sleep 0.1
	done
	sleep 0.3
}
cap_stop() {
	sleep 1.5
	kill -INT "$CAP_PID"
	wait "$CAP_PID" || true
	mv "$W/cap.tmp" "$OUT/$CAP_NAME"
	chmod 644 "$OUT/$CAP_NAME"
	n=$(tshark -r "$OUT/$CAP_NAME" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' 2>/dev/null | wc -l)
	echo "   -> $CAP_NAME: $(grep "packets captured" "$W/tcpdump.log"), $(grep "dropped by kernel" "$W/tcpdump.log"), $n TCP connections"
	# A segment missing from the file (a disk that filled up under tcpdump,
	# a ring buffer overflow) would make a wrong test capture: refuse it.
	lost=$(tshark -r "$OUT/$CAP_NAME" -Y 'tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment' 2>/dev/null | wc -l)
	if [ "$lost" != 0 ]; then
		echo "make-pcaps.sh: $CAP_NAME misses segments ($lost frames flagged)" >&2
		FAILED="$FAILED $CAP_NAME"
	fi
	if [ -n "${1:-}" ] && [ "$n" != "$1" ]; then
		echo "make-pcaps.sh: $CAP_NAME has $n TCP connections, expected $1" >&2
		FAILED="$FAILED $CAP_NAME"
	fi
}
FAILED=""
gap() { sleep 0.5; }

# openssl s_client fed by a timed script: lines on stdin, one per $STEP s.
# -crlf turns each LF into CRLF; -quiet implies -ign_eof, so s_client waits
# for the server to close after our QUIT/LOGOUT.
STEP=0.4
feed() { # lines...
	sleep 1.2
	for l in "$@"; do
		printf '%s\n' "$l"
		sleep $STEP
	done
	sleep 1
}
sclient() { # $1 = timeout secs, rest = s_client args; stdin = script
	t=$1
	shift
	# the key log lets a kept work dir (KEEP=1) decrypt the TLS sessions
	timeout "$t" openssl s_client -quiet -crlf -keylogfile "$W/tls-keys.log" "$@" \
		>>"$W/clients.log" 2>&1 || true
}
clients() { $PY "$GEN/clients.py" "$@" >>"$W/clients.log" 2>&1; }
SWAKS="swaks --helo client.lab.test --server 127.0.0.1 --hide-informational"
B64() { printf '%s' "$1" | base64 -w0; }
CURL="curl -sS --max-time 20 -o /dev/null"
export SSLKEYLOGFILE="$W/tls-keys.log"
typist() { $PY "$GEN/typist.py" "$@" 2>>"$W/clients.log"; }

# The message curl sends (scenarios 3, 7, 9); curl dot-stuffs the '.A' line.
printf 'From: Carol <carol@lab.test>\r\nTo: Alice <alice@lab.test>\r\nSubject: Sent with curl\r\nMessage-ID: <curl-1@lab.test>\r\n\r\nHello from curl.\r\n.A leading dot, stuffed by curl.\r\n' >"$W/curl-msg.eml"

# Scenario 1's typed session (a student in a telnet client on port 110).
pop3_lab_script() { # $1 = host
	cat <<EOF
# first attempt: wrong password
connect $1 110
expect [+-][^\r\n]*\r\n
type user labtest
expect [+-][^\r\n]*\r\n
type pass lab2032
expect [+-][^\r\n]*\r\n
pause 0.8
type quit
expect [+-][^\r\n]*\r\n
close
pause 1.5
# reconnect, right password
connect $1 110
expect [+-][^\r\n]*\r\n
type user labtest
expect [+-][^\r\n]*\r\n
type pass lab2023
expect [+-][^\r\n]*\r\n
type stat
expect [+-][^\r\n]*\r\n
# a typo fixed with backspace: the server receives "lisy BS t"
type lisy\bt
expect [+-][^\r\n]*\r\n
type list
expect \r\n\.\r\n
type last
expect [+-][^\r\n]*\r\n
type top 1 5
expect \r\n\.\r\n
type dele 1
expect [+-][^\r\n]*\r\n
type rset
expect [+-][^\r\n]*\r\n
type quit
expect [+-][^\r\n]*\r\n
close
EOF
}

# ONLY="1 5" runs just those scenarios (for work on the generator).
want() { [ -z "${ONLY:-}" ] || case " $ONLY " in *" $1 "*) true ;; *) false ;; esac; }

# ================================================================ scenarios
if want 1; then
	say "1. pop3-typed-qpopper-lab.pcap (typed POP3 on 110)"
	pop3_lab_script 127.0.0.1 >"$W/lab.typ"
	cap_start pop3-typed-qpopper-lab.pcap lo "tcp port 110"
	typist "$W/lab.typ"
	cap_stop 2
fi

if want 2; then
	say "2. smtp-starttls-submission-openssl.pcap (s_client -starttls smtp :587)"
	cap_start smtp-starttls-submission-openssl.pcap lo "tcp port 587"
	feed "EHLO client.lab.test" "AUTH LOGIN" "$(B64 carol)" "$(B64 'c4r0l!pass')" \
		"MAIL FROM:<carol@lab.test>" "RCPT TO:<alice@lab.test>" "DATA" \
		"From: Carol <carol@lab.test>" "To: Alice <alice@lab.test>" \
		"Subject: Sent inside STARTTLS" "" "This message travels inside TLS." "." "QUIT" |
		sclient 30 -starttls smtp -connect 127.0.0.1:587 -servername mail.lab.test -name client.lab.test
	cap_stop 1
fi

if want 3; then
	say "3. smtp-auth-login-syntax-error.pcap (AUTH LOGIN, mail from <x>, dot-stuffing; curl)"
	cap_start smtp-auth-login-syntax-error.pcap lo "tcp port 25"
	clients smtp-auth-login-syntax-error
	gap
	$CURL --url smtp://127.0.0.1:25/client.lab.test --login-options AUTH=LOGIN \
		-u 'carol:c4r0l!pass' --mail-from carol@lab.test --mail-rcpt alice@lab.test \
		-T "$W/curl-msg.eml" >>"$W/clients.log" 2>&1
	cap_stop 2
fi

if want 4; then
	say "4. smtp-auth-plain-cram-pipelining.pcap (PLAIN fail+ok, pipelining; swaks CRAM-MD5)"
	cap_start smtp-auth-plain-cram-pipelining.pcap lo "tcp port 25"
	clients smtp-auth-plain-pipelining
	gap
	$SWAKS --port 25 --pipeline -a CRAM-MD5 -au alice -ap Wonderland-42 \
		--from alice@lab.test --to bob@lab.test \
		--data 'From: alice@lab.test\nTo: bob@lab.test\nSubject: swaks CRAM-MD5 and PIPELINING\nMessage-ID: <swaks-1@lab.test>\n\nSent by swaks.\n' \
		>>"$W/clients.log" 2>&1
	cap_stop 2
fi

if want 5; then
	say "5. imap-login-status-fetch.pcap (student LOGIN/STATUS/FETCH, literals, AUTHENTICATE, STARTTLS)"
	cap_start imap-login-status-fetch.pcap lo "tcp port 143"
	clients imap-student; gap
	clients imap-wrong-then-quoted; gap
	clients imap-literals; gap
	clients imap-authenticate-plain; gap
	feed 'a LOGIN alice "Wonderland-42"' "a SELECT INBOX" "a FETCH 2 (BODY[HEADER])" "a LOGOUT" |
		sclient 30 -starttls imap -connect 127.0.0.1:143 -servername mail.lab.test
	gap
	clients imaplib-143; gap
	$CURL --url 'imap://127.0.0.1:143/INBOX;UID=1' -u alice:Wonderland-42 >>"$W/clients.log" 2>&1
	cap_stop 9
fi

if want 6; then
	say "6. pop3-retr-rfc2047-attachment.pcap (RETR of a KOI8-R/UTF-8 encoded message)"
	cap_start pop3-retr-rfc2047-attachment.pcap lo "tcp port 110"
	clients pop3-rfc2047
	cap_stop 1
fi

if want 7; then
	say "7. implicit-tls-993-995-465.pcap (s_client and curl over implicit TLS)"
	cap_start implicit-tls-993-995-465.pcap lo "tcp port 993 or tcp port 995 or tcp port 465"
	feed 'a LOGIN alice "Wonderland-42"' "a STATUS INBOX (MESSAGES)" "a LOGOUT" |
		sclient 30 -connect 127.0.0.1:993 -servername mail.lab.test
	gap
	feed "USER labtest" "PASS lab2023" "STAT" "QUIT" |
		sclient 30 -connect 127.0.0.1:995 -servername mail.lab.test
	gap
	feed "EHLO client.lab.test" "AUTH PLAIN $(printf '\0carol\0c4r0l!pass' | base64 -w0)" "QUIT" |
		sclient 30 -connect 127.0.0.1:465 -servername mail.lab.test
	gap
	# --resolve: connect to 127.0.0.1 but send the SNI mail.lab.test
	R="--resolve mail.lab.test:993:127.0.0.1 --resolve mail.lab.test:995:127.0.0.1 --resolve mail.lab.test:465:127.0.0.1"
	# shellcheck disable=SC2086
	$CURL -k --ssl-reqd $R --url 'imaps://mail.lab.test:993/INBOX;UID=1' -u alice:Wonderland-42 >>"$W/clients.log" 2>&1
	gap
	# shellcheck disable=SC2086
	$CURL -k --ssl-reqd $R --url 'pop3s://mail.lab.test:995/1' -u labtest:lab2023 >>"$W/clients.log" 2>&1
	gap
	# shellcheck disable=SC2086
	$CURL -k --ssl-reqd $R --url smtps://mail.lab.test:465/client.lab.test -u 'carol:c4r0l!pass' \
		--mail-from carol@lab.test --mail-rcpt alice@lab.test -T "$W/curl-msg.eml" >>"$W/clients.log" 2>&1
	cap_stop 6
fi

if want 8; then
	say "8. starttls-offered-cleartext-login-and-refused.pcap"
	cap_start starttls-offered-cleartext-login-and-refused.pcap lo \
		"tcp port 25 or tcp port 110 or tcp port 143 or tcp port 10025 or tcp port 10110 or tcp port 10143"
	# STARTTLS offered, credentials in clear anyway
	$SWAKS --port 25 -a PLAIN -au carol -ap 'c4r0l!pass' --from carol@lab.test --to alice@lab.test \
		--data 'Subject: AUTH PLAIN in clear although STARTTLS was offered\n\nx\n' >>"$W/clients.log" 2>&1
	gap
	clients pop3-cleartext-despite-stls; gap
	clients imap-cleartext-despite-starttls; gap
	# STARTTLS advertised by postfix on 10025 but refused (454: its certificate
	# file is missing); swaks --tls-optional goes on in clear and authenticates.
	$SWAKS --port 10025 --tls-optional -a LOGIN -au bob -ap 'correct horse "battery" staple' \
		--from bob@lab.test --to alice@lab.test \
		--data 'Subject: after a refused STARTTLS\n\nx\n' >>"$W/clients.log" 2>&1
	gap
	clients pop3-stls-refused; gap
	clients imap-starttls-refused
	cap_stop 6
fi

if want 9; then
	say "9. nonstandard-ports-2525-1110.pcap (SMTP 2525, POP3 1110, IMAP 1143)"
	cat >"$W/win.typ" <<-'EOF'
	# Windows telnet to port 1110: its option negotiation reaches dovecot as
	# part of the first line, which is refused; the student types it again.
	connect 127.0.0.1 1110
	iac-windows
	expect [+-][^\r\n]*\r\n
	type user labtest
	expect [+-][^\r\n]*\r\n
	type user labtest
	expect [+-][^\r\n]*\r\n
	type pass lab2023
	expect [+-][^\r\n]*\r\n
	# typo fixed with DEL (0x7f): dovecot gets "stst DEL DEL at" and refuses it
	type stst\d\dat
	expect [+-][^\r\n]*\r\n
	type stat
	expect [+-][^\r\n]*\r\n
	type quit
	expect [+-][^\r\n]*\r\n
	close
EOF
	cap_start nonstandard-ports-2525-1110.pcap lo "tcp port 2525 or tcp port 1110 or tcp port 1143"
	clients smtplib-2525; gap
	$SWAKS --port 2525 --pipeline -a LOGIN -au carol -ap 'c4r0l!pass' --from carol@lab.test --to bob@lab.test \
		--data 'Subject: swaks AUTH LOGIN on 2525\n\nx\n' >>"$W/clients.log" 2>&1
	gap
	$CURL --url smtp://127.0.0.1:2525/client.lab.test -u 'carol:c4r0l!pass' \
		--mail-from carol@lab.test --mail-rcpt alice@lab.test -T "$W/curl-msg.eml" >>"$W/clients.log" 2>&1
	gap
	typist "$W/win.typ"; gap
	clients poplib-1110; gap
	$CURL --url pop3://127.0.0.1:1110/1 -u labtest:lab2023 >>"$W/clients.log" 2>&1
	gap
	clients imaplib-1143; gap
	$CURL --url 'imap://127.0.0.1:1143/INBOX;UID=2' -u alice:Wonderland-42 >>"$W/clients.log" 2>&1
	cap_stop 9
fi

if want 10; then
	say "10. scenario 1 again: -i any (SLL2), over ::1, and as pcapng"
	cap_start pop3-typed-qpopper-lab-sll2.pcap any "tcp port 110" LINUX_SLL2
	typist "$W/lab.typ"
	cap_stop 2
	pop3_lab_script ::1 >"$W/lab6.typ"
	cap_start pop3-typed-qpopper-lab-ipv6.pcap lo "ip6 and tcp port 110"
	typist "$W/lab6.typ"
	cap_stop 2
	editcap -F pcapng "$OUT/pop3-typed-qpopper-lab.pcap" "$OUT/pop3-typed-qpopper-lab.pcapng"
	chmod 644 "$OUT/pop3-typed-qpopper-lab.pcapng"
	echo "   -> pop3-typed-qpopper-lab.pcapng (editcap -F pcapng of scenario 1)"
fi

if want 11; then
	say "11. telnet-login-23.pcap (inetutils-telnetd on 127.0.0.1:23)"
	if id "$TELNET_USER" >/dev/null 2>&1; then
		echo "make-pcaps.sh: user $TELNET_USER exists; not touching it (remove it and rerun)" >&2
		exit 1
	fi
	useradd -m -s /bin/sh -c "mailtap telnet lab (temporary)" "$TELNET_USER"
	: >"$W/telnet-user-created"
	echo "$TELNET_USER:Telnet-Lab1" | chpasswd
	$PY "$GEN/inetd1.py" 127.0.0.1 23 /usr/sbin/telnetd -h 2>>"$W/clients.log" &
	PIDS="$PIDS $!"
	wait_port 127.0.0.1 23
	cat >"$W/telnet.typ" <<-EOF
	connect 127.0.0.1 23
	telnet
	iac-windows
	expect login: \$
	type $TELNET_USER
	expect Password:
	type Telnet-Lab1
	expect \\\$ \$
	# a typo fixed with DEL, which the pty line discipline applies
	type echo hellp\\do from the lab
	expect \\\$ \$
	type exit
	pause 0.5
	close
EOF
	cap_start telnet-login-23.pcap lo "tcp port 23"
	typist "$W/telnet.typ"
	cap_stop 1
fi

if [ -n "$FAILED" ]; then
	echo "make-pcaps.sh: unexpected captures:$FAILED" >&2
	exit 1
fi
# TLS secrets of every s_client/curl session (NSS key log format): with
# them Wireshark (tls.keylog_file) shows the mail dialogue inside TLS.
cp "$W/tls-keys.log" "$GEN/tls-keys.log" 2>/dev/null && chmod 644 "$GEN/tls-keys.log"
say "done"
ls -l "$OUT"/*.pcap "$OUT"/*.pcapng
