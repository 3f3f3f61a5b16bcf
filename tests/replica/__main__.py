"""python -m tests.replica --port 8000 --releases 300 --seed 1 [--page-size 30] [--latency-ms 0]
[--publishers N] [--offices N] [--request-log FILE]

Prints the base URL as the first line of stdout and the ids of the newsrooms it serves
(publishers, then offices), comma separated, as the second (both read by programs); then
one line per kind for people, "publishers (--publisher): 73811, ..." and "police/fire
offices (--office): 99001, ..."; then serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .server import Replica


def newsroom_kinds(publishers, offices) -> list[str]:
    """The lines after the two machine-read ones: the publishers' ids (for --publisher) and
    the police/fire offices' (for --office), one line per kind."""
    return [f"publishers (--publisher): {', '.join(map(str, publishers))}",
            f"police/fire offices (--office): {', '.join(map(str, offices))}"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.replica", description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--releases", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--page-size", type=int, default=30)
    ap.add_argument("--latency-ms", type=float, default=0.0,
                    help="milliseconds the replica waits before each response (the live site's latency)")
    ap.add_argument("--publishers", type=int, default=0,
                    help="company newsrooms served, at least (beyond the built-in ones they are "
                    "generated, and the releases spread over all newsrooms)")
    ap.add_argument("--offices", type=int, default=0,
                    help="police offices served, at least (generated beyond the built-in ones)")
    ap.add_argument("--request-log", metavar="FILE",
                    help="append one line per request: arrival time (s), status, path")
    args = ap.parse_args(argv)

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    replica = Replica(
        releases=args.releases, seed=args.seed, page_size=args.page_size, host=args.host, port=args.port,
        latency_ms=args.latency_ms, publishers=args.publishers, offices=args.offices,
        request_log=args.request_log,
    ).start()
    print(replica.base_url, flush=True)
    # the newsrooms' ids on one line: publishers, then offices (their numbers may meet)
    print(",".join(map(str, [*replica.corpus.publishers, *replica.corpus.offices])), flush=True)
    # for people: which of those ids is which kind, and the option that takes it
    for line in newsroom_kinds(replica.corpus.publishers, replica.corpus.offices):
        print(line, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        replica.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
