#!/usr/bin/env bash
# Runs python-fints's fake FinTS bank on loopback (tests/fints-peer/README.md): prints one
# line "LISTENING http://127.0.0.1:PORT/" on stdout and serves until its standard input
# closes or it gets SIGTERM. This script is the command the Rust tests take from
# KONTOLINK_FINTS_PEER. Needs scripts/setup.sh to have run (it makes .build/fints-peer/).
#   scripts/fints-peer.sh               start the peer (extra arguments go to serve.py)
#   scripts/fints-peer.sh --print-env   print the line that points the tests at it
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peer="$root/.build/fints-peer"
version="$(cat "$peer/stamp" 2>/dev/null || true)"
sdist="$peer/fints-${version#fints==}"

if [ "${1:-}" = "--print-env" ]; then
  printf 'KONTOLINK_FINTS_PEER=%q\n' "$root/scripts/fints-peer.sh"
  exit 0
fi
if [ -z "$version" ] || [ ! -x "$peer/venv/bin/python" ] || [ ! -f "$sdist/tests/conftest.py" ]; then
  echo "fints-peer: $peer is missing or incomplete: run scripts/setup.sh first" >&2
  exit 1
fi
export KONTOLINK_FINTS_SDIST="$sdist"
exec "$peer/venv/bin/python" "$root/tests/fints-peer/serve.py" "$@"
