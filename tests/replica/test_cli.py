"""python -m tests.replica serves by hand and stops on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from tests.replica.observe import fetch

ROOT = Path(__file__).resolve().parents[2]


def test_cli_prints_base_url_and_stops_on_sigterm():
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.replica", "--port", "0", "--releases", "40", "--seed", "3", "--page-size", "10"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:") and not base.endswith("/")
        assert fetch(base + "/robots.txt").status == 200
        assert fetch(base + "/nr/73811/30").status == 200 and fetch(base + "/nr/73811/40").status == 404
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_latency_ms_delays_every_response():
    import time

    from tests.replica.server import Replica

    with Replica(releases=10, seed=1, latency_ms=150) as replica:
        for path in ("/robots.txt", "/nr/73811", "/no-such-page"):
            started = time.monotonic()
            fetch(replica.base_url + path)
            assert time.monotonic() - started >= 0.15, path
