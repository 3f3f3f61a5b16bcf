"""The pipe: a backfill's releases/s under the live site's answer time, against the bare
Scrapy spider fetching the same URLs with the same settings and middlewares.

The replica (in this process: its request log is the clock) holds every response
`LATENCY_MS` (the live site's answer time); both crawlers run with `CONCURRENT_REQUESTS`
and `CONCURRENT_REQUESTS_PER_DOMAIN` set to the concurrency measured (with
DOWNLOAD_DELAY=0, Scrapy 2.19 lets a burst past the per-domain limit alone: issue 16).

- product: `presseportal -q backfill --publisher 73811 -s ...` into a fresh database
  (listing pages, stories, extraction, the store, raw pages kept);
- baseline: `python -m bench.e2e --bare-spider` (bench/e2e.py): the same listing pages
  and story URLs, the next listing page asked for at once, responses dropped.

The rate is read at the site, so that both are timed alike and neither's start-up
counts: story pages answered / (last story request - first listing request + one
answer time). Runs alternate (bare, product, bare, ...) and each side's median counts.
What it shows is how well the walk keeps the allowed requests in flight: at each
listing page boundary a walk that asks for the next page only after the current
page's stories leaves the slots idle for a round trip.

    python -m bench.pipe [--rounds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys

from bench.e2e import PUBLISHER, bare, count_releases, crawler_env, presseportal, print_rows, run_measured, tail

LATENCY_MS = 150
# concurrency -> releases of the replica: about 20 s a run either way
RELEASES = {2: 240, 8: 600}
ROUNDS = 3
TARGET_RATIO = 0.98


@contextlib.contextmanager
def database_cluster():
    """A throwaway PostgreSQL cluster; yields a function that makes a fresh, empty
    database in it and returns its URL (cheaper than a cluster per run)."""
    import psycopg

    from crawler.db.embedded import destroy_cluster, throwaway_cluster

    cluster = throwaway_cluster(fast=True, prefix="pp-bench-pipe-")
    made = iter(range(1, 10_000))

    def fresh() -> str:
        name = f"pipe_{next(made)}"
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return cluster.url(name)

    try:
        yield fresh
    finally:
        destroy_cluster(cluster)


def site_rate(log) -> tuple[float | None, int]:
    """(story pages answered per second at the site, story pages) from a replica log."""
    entries = list(log)
    listings = [e.time for e in entries if e.path.startswith("/nr/")]
    stories = [e.time for e in entries if e.path.startswith("/pm/") and e.status == 200]
    if not listings or not stories:
        return None, len(stories)
    span = max(stories) - min(listings) + LATENCY_MS / 1000
    return len(stories) / span, len(stories)


def measure(concurrency: int, releases: int, rounds: int = ROUNDS) -> dict:
    from tests.replica import Replica

    settings = (f"CONCURRENT_REQUESTS={concurrency}", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}")
    bares, products, problems = [], [], []
    with Replica(releases=releases, seed=1, latency_ms=LATENCY_MS) as replica, database_cluster() as fresh:
        for _ in range(rounds):
            replica.log.clear()
            b = bare(replica.base_url, *settings)
            rate, stories = site_rate(replica.log)
            bares.append(rate)
            if b["rc"] != 0 or stories != releases:
                problems.append(f"bare: exit {b['rc']}, {stories} stories; {tail(b['stderr'], 200)}")
            replica.log.clear()
            database_url = fresh()
            sets = [arg for item in settings for arg in ("-s", item)]
            p = run_measured(presseportal("backfill", "--publisher", str(PUBLISHER), *sets),
                             crawler_env(replica.base_url, database_url))
            rate, stories = site_rate(replica.log)
            products.append(rate)
            stored = count_releases(database_url)
            if p["rc"] != 0 or stored != releases:
                problems.append(f"backfill: exit {p['rc']}, stored {stored}; {tail(p['stderr'], 200)}")
    return {"concurrency": concurrency, "releases": releases, "bares": bares, "products": products,
            "problems": problems}


def row_from(m: dict) -> dict:
    ok = not m["problems"] and None not in m["bares"] and None not in m["products"]
    bare_rate = statistics.median(m["bares"]) if ok else None
    rate = statistics.median(m["products"]) if ok else None
    ratio = rate / bare_rate if ok and bare_rate else None
    rates = lambda xs: ", ".join(f"{x:.1f}" if x else "-" for x in xs)  # noqa: E731
    notes = (f"{m['releases']:,} replica releases, {LATENCY_MS} ms per response, CONCURRENT_REQUESTS and "
             f"_PER_DOMAIN {m['concurrency']}, delays off; medians of {len(m['products'])} interleaved runs "
             f"each, story pages per second at the site: backfill {rates(m['products'])}; "
             f"bare {rates(m['bares'])}")
    if m["problems"]:
        notes += "; PROBLEMS: " + " | ".join(m["problems"])
    return {
        "name": f"pipe: backfill releases/s at {LATENCY_MS} ms latency, {m['concurrency']} requests at a time",
        "value": rate,
        "unit": "releases/s",
        "baseline_name": "bare Scrapy spider, same URLs and settings",
        "baseline_value": bare_rate,
        "ratio": ratio,
        "target": f"ratio >= {TARGET_RATIO}",
        "met": bool(ratio is not None and ratio >= TARGET_RATIO),
        "notes": notes,
    }


def run(rounds: int = ROUNDS) -> list[dict]:
    return [row_from(measure(c, n, rounds)) for c, n in RELEASES.items()]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.pipe", description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    args = ap.parse_args(argv)
    print_rows(run(args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
