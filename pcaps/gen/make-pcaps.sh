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
OUT=${OUT:-$(cd "$GEN/.." && pwd)}

if [ "$(id -u)" != 0 ]; then
	echo "make-pcaps.sh: must run as root (installs packages, binds ports < 1024)" >&2
	exit 1
fi

# ---------------------------------------------------------------- packages
PKGS="dovecot-core dovecot-pop3d dovecot-imapd postfix swaks curl openssl \
tcpdump python3 inetutils-telnetd wireshark-common tshark iproute2 passwd"
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
	[ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
fi

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
	sleep 1
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	if id "$TELNET_USER" >/dev/null 2>&1 && [ -f "$W/telnet-user-created" ]; then
		pkill -u "$TELNET_USER" 2>/dev/null
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
chmod 600 "$W/dovecot/users"
python3 "$GEN/mailboxes.py" "$W/mail"
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
mkdir -p "$P/spool" "$P/data"
cat >"$P/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $P/spool
data_directory = $P/data
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
message_size_limit = 10240000
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
postfix -c "$P" set-permissions >/dev/null 2>&1 || true
postfix -c "$P" start

# ---------------------------------------------------------------- wait for ports
wait_port() { # $1 host $2 port
	i=0
	while ! python3 -c "import socket,sys; socket.create_connection(('$1',$2),1).close()" 2>/dev/null; do
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
	sleep 100000
fi
