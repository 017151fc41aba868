#!/usr/bin/env python3
"""Starts python-fints's own fake FinTS bank (the ``fints_server`` fixture of its
``tests/conftest.py``) on loopback, without pytest, as a live peer for Kontolink's tests.

    serve.py [--sdist DIR] [--ignore-stdin] [--verbose]

DIR is the unpacked python-fints sdist (the folder that holds ``tests/conftest.py``);
default: $KONTOLINK_FINTS_SDIST. Run it with the python of the venv that scripts/setup.sh
made (python-fints and its dependencies installed); scripts/fints-peer.sh does that.

Prints exactly one line ``LISTENING http://127.0.0.1:PORT/`` on stdout, then serves until
standard input closes (unless --ignore-stdin), SIGTERM or SIGINT. Everything else goes to
stderr: what the fake bank accepts, and with --verbose every message in and out (the
fixture prints them; otherwise they are dropped, as is the HTTP access log).

No python-fints code lives in this repository: this file imports the installed sdist.
"""

from __future__ import annotations

import argparse
import http.server
import importlib.util
import os
import signal
import sys
import threading
import types
from pathlib import Path

ACCEPTS = """\
fints-peer: python-fints fake bank (tests/conftest.py fints_server)
fints-peer:   BLZ 12345678 (BPD bank code; the request's BLZ and user id are not checked), user test1 (HIUPA)
fints-peer:   PIN 1234 -> accepted; PIN 3938 -> 3938 access temporarily locked; any other PIN -> 9910
fints-peer:   TAN 123456 for a two-step SEPA transfer (HKCCS + HKTAN); memo containing 'hhduc' -> HHD UC
fints-peer:   challenge whose start code is the TAN; memo ending in '1step' -> executed without TAN
"""


def stub_pytest() -> None:
    """conftest.py uses nothing of pytest but ``@pytest.fixture(...)``: an identity decorator
    keeps the fixture a plain generator function that we can drive ourselves."""

    def fixture(*args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]
        return lambda function: function

    module = types.ModuleType("pytest")
    module.fixture = fixture  # type: ignore[attr-defined]
    sys.modules["pytest"] = module


def load_conftest(sdist: Path) -> types.ModuleType:
    path = sdist / "tests" / "conftest.py"
    if not path.is_file():
        raise SystemExit(f"fints-peer: no {path}: pass --sdist or set KONTOLINK_FINTS_SDIST (scripts/setup.sh unpacks it)")
    stub_pytest()
    spec = importlib.util.spec_from_file_location("fints_sdist_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sdist", default=os.environ.get("KONTOLINK_FINTS_SDIST"),
                    help="unpacked python-fints sdist (default: $KONTOLINK_FINTS_SDIST)")
    ap.add_argument("--ignore-stdin", action="store_true", help="do not stop when standard input closes")
    ap.add_argument("--verbose", action="store_true",
                    help="log every FinTS message and HTTP request on stderr")
    args = ap.parse_args()
    if not args.sdist:
        ap.error("no sdist folder: pass --sdist or set KONTOLINK_FINTS_SDIST")

    # stdout carries one line only; the fixture's print("IN", ...)/print("OUT", ...) must not
    # fill a pipe that nobody reads.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout = sys.stderr if args.verbose else open(os.devnull, "w")
    if not args.verbose:
        http.server.BaseHTTPRequestHandler.log_message = lambda *a, **k: None  # type: ignore[method-assign]

    conftest = load_conftest(Path(args.sdist))
    fixture = conftest.fints_server()  # generator: starts the server thread, yields its URL
    url = next(fixture)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if not args.ignore_stdin:
        def watch_stdin() -> None:
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            except (OSError, ValueError):
                pass
            stop.set()
        threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()

    sys.stderr.write(ACCEPTS)
    sys.stderr.flush()
    out.write(f"LISTENING {url}\n")
    out.flush()

    while not stop.wait(0.5):
        pass
    try:
        next(fixture)  # runs the fixture's teardown: server.shutdown(), thread.join()
    except StopIteration:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
