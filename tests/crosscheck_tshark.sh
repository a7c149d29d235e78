#!/bin/sh
# Runs the tshark credentials cross-check (skips itself when tshark is missing).
cd "$(dirname "$0")/.." && exec python3 tests/crosscheck_tshark.py
