"""Figure 5: what a cron run costs the site, with nothing new and with 10 new releases.

A replica (in this process: it is light, and its request log is what we count) with
1,000 releases of publisher 73811 is crawled into a throwaway PostgreSQL by
`presseportal backfill` (the stored state a cron job starts from; it is the baseline
too). Then `presseportal crawl` runs twice as a subprocess with delays off:

1. nothing new: requests to the site, from the replica's log, besides robots.txt
   (target: at most 2), and the wall time of the whole command;
2. after `r.publish(10)`: requests, wall time, and whether exactly the 10 new stories
   were fetched and stored.

    python -m bench.incremental [--releases 1000]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from bench.e2e import PUBLISHER, count_releases, crawler_env, presseportal, run_measured, tail, throwaway_database

RELEASES = 1000
NEW = 10
TARGET_REQUESTS = 2


def kind(path: str) -> str:
    if path.startswith("/robots.txt"):
        return "robots"
    if path.startswith("/pm/"):
        return "story"
    if path.startswith("/nr/"):
        return "listing"
    if path.startswith("/rss/"):
        return "rss"
    return "other"


def crawl_once(replica, database_url: str, *args: str) -> dict:
    replica.log.clear()
    result = run_measured(presseportal(*args, "--publisher", str(PUBLISHER)),
                          crawler_env(replica.base_url, database_url))
    entries = list(replica.log)
    result["kinds"] = Counter(kind(e.path) for e in entries)
    result["statuses"] = Counter(e.status for e in entries)
    result["requests"] = sum(1 for e in entries if kind(e.path) != "robots")
    result["story_paths"] = [e.path for e in entries if kind(e.path) == "story"]
    result["stored"] = count_releases(database_url)
    return result


def describe(r: dict) -> str:
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(r["kinds"].items()))
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(r["statuses"].items()))
    text = f"{kinds} (status {statuses}); {r['wall']:.2f} s, exit {r['rc']}"
    if r["rc"] != 0:
        text += f"; stderr: {tail(r['stderr'], 300)}"
    return text


def measure(releases: int = RELEASES, new: int = NEW) -> dict:
    from tests.replica import Replica

    with Replica(releases=releases, seed=1) as replica, throwaway_database() as database_url:
        full = crawl_once(replica, database_url, "backfill")
        idle = crawl_once(replica, database_url, "crawl")
        new_ids = replica.publish(new)
        fresh = crawl_once(replica, database_url, "crawl")
    fetched = {int(p.rstrip("/").split("/")[3]) for p in fresh["story_paths"]}
    return {"releases": releases, "new": new, "new_ids": set(new_ids), "fetched": fetched,
            "full": full, "idle": idle, "fresh": fresh}


def rows_from(m: dict) -> list[dict]:
    full, idle, fresh = m["full"], m["idle"], m["fresh"]
    n, new = m["releases"], m["new"]
    base = f"after a stored backfill of {n:,} releases ({full['requests']} requests, {full['wall']:.1f} s)"
    fresh["fetched"] = m["fetched"]
    exact = fresh["fetched"] == m["new_ids"] and fresh["stored"] == full["stored"] + new
    stored_ok = full["stored"] == n and full["rc"] == 0
    return [
        {
            "name": "incremental: requests, nothing new",
            "value": idle["requests"],
            "unit": "requests",
            "baseline_name": f"backfill of {n:,}",
            "baseline_value": full["requests"],
            "ratio": idle["requests"] / full["requests"] if full["requests"] else None,
            "target": "<= 2 besides robots.txt",
            "met": idle["requests"] <= TARGET_REQUESTS and idle["rc"] == 0 and stored_ok,
            "notes": f"{base}: {describe(idle)}",
        },
        {
            "name": "incremental: wall time, nothing new",
            "value": idle["wall"],
            "unit": "s",
            "baseline_name": f"backfill of {n:,}",
            "baseline_value": full["wall"],
            "ratio": idle["wall"] / full["wall"],
            "target": None,
            "met": None,
            "notes": "whole `presseportal crawl` command: interpreter and Scrapy start, database connect, "
                     "migration check, the requests, the run record",
        },
        {
            "name": f"incremental: requests, {new} new",
            "value": fresh["requests"],
            "unit": "requests",
            "baseline_name": f"backfill of {n:,}",
            "baseline_value": full["requests"],
            "ratio": fresh["requests"] / full["requests"] if full["requests"] else None,
            "target": f"the {new} new stories fetched and stored, no stored one",
            "met": exact and fresh["rc"] == 0,
            "notes": f"{describe(fresh)}; new stories fetched {len(fresh['fetched'] & m['new_ids'])} of {new}, "
                     f"stored ones fetched {len(fresh['fetched'] - m['new_ids'])}, "
                     f"rows {full['stored']} -> {fresh['stored']}",
        },
        {
            "name": f"incremental: wall time, {new} new",
            "value": fresh["wall"],
            "unit": "s",
            "baseline_name": f"backfill of {n:,}",
            "baseline_value": full["wall"],
            "ratio": fresh["wall"] / full["wall"],
            "target": None,
            "met": None,
        },
    ]


def run(releases: int = RELEASES) -> list[dict]:
    return rows_from(measure(releases))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.incremental", description=__doc__.splitlines()[0])
    ap.add_argument("--releases", type=int, default=RELEASES)
    args = ap.parse_args(argv)
    from bench.e2e import print_rows

    print_rows(run(args.releases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
