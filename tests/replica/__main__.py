"""python -m tests.replica --port 8000 --releases 300 --seed 1 [--page-size 30] [--latency-ms 0]

Prints the base URL as the first line of stdout, then serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .server import Replica


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.replica", description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--releases", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--page-size", type=int, default=30)
    ap.add_argument("--latency-ms", type=float, default=0.0,
                    help="milliseconds the replica waits before each response (the live site's latency)")
    args = ap.parse_args(argv)

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    replica = Replica(
        releases=args.releases, seed=args.seed, page_size=args.page_size, host=args.host, port=args.port,
        latency_ms=args.latency_ms,
    ).start()
    print(replica.base_url, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        replica.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
