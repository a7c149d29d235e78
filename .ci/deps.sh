#!/bin/sh
# Installs the Debian 12 packages mailtap needs to build and test, when missing.
# Runs apt-get as root, or through sudo when not root.
set -e
PKGS="build-essential pkg-config libpcap-dev libndpi-dev libncurses-dev zlib1g-dev libssl-dev
libcmocka-dev tmux tcpdump tshark libndpi-bin python3 python3-scapy clang valgrind iproute2
tcpreplay time"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "mailtap: installing missing packages:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo 'wireshark-common wireshark-common/install-setuid boolean false' | $SUDO debconf-set-selections 2>/dev/null || true
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
