#!/usr/bin/env python3
"""A one-service inetd bound to loopback only, for make-pcaps.sh.

Usage: inetd1.py ADDR PORT PROGRAM [ARGS...]

Listens on ADDR:PORT (127.0.0.1 or ::1 only) and, like inetd's `nowait`
services, runs PROGRAM for every accepted connection with the socket as its
stdin, stdout and stderr.  Used for inetutils-telnetd, which has no standalone
mode, so that no system inetd (listening on every address) has to be started.
"""
import os
import signal
import socket
import subprocess
import sys


def main():
    addr, port, prog = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    if addr not in ("127.0.0.1", "::1"):
        raise SystemExit("inetd1: refusing to listen on %s (loopback only)" % addr)
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(5)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)   # no zombies
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    while True:
        conn, _ = ls.accept()
        fd = conn.fileno()
        subprocess.Popen(prog, stdin=fd, stdout=fd, stderr=fd,
                         close_fds=True, start_new_session=True)
        conn.close()


if __name__ == "__main__":
    main()
