"""Figure 5: what a cron run costs the site, with nothing new and with 10 new releases.

A replica (in this process: it is light, and its request log is what we count) with
1,000 releases of publisher 73811 is crawled into a throwaway PostgreSQL by
`presseportal backfill` (the stored state a cron job starts from; it is the baseline
too). Then `presseportal crawl` runs twice as a subprocess with delays off:

1. nothing new: requests to the site, from the replica's log, besides robots.txt
   (target: at most 2), and the wall time of the whole command;
2. after `r.publish(10)`: requests, wall time, and whether exactly the 10 new stories
   were fetched and stored;
3. the CPU seconds of a cron run that finds nothing (one 304; the process's user +
   system time from wait4) as cron runs it (`presseportal -q crawl`: the pre-check
   answers it before Scrapy starts, crawler/precheck.py), `STARTUP_ROUNDS` times,
   interleaved with the run before issue 16 (`crawler.cli.main`, the command's entry
   then, which knows no pre-check, after importing what that code loaded on the Scrapy
   path and today's no longer does: `EAGER_BEFORE`), with today's Scrapy path (the
   pre-check switched off, `PRESSEPORTAL_PRECHECK=0`: what a run with news starts) and
   with the floor of any Scrapy run: a fresh interpreter importing only what any Scrapy
   crawl into PostgreSQL loads (`FLOOR_IMPORTS`); medians of each.

    python -m bench.incremental [--releases 1000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter

from bench.e2e import PUBLISHER, count_releases, crawler_env, presseportal, run_measured, tail, throwaway_database

RELEASES = 1000
NEW = 10
TARGET_REQUESTS = 2
STARTUP_ROUNDS = 5
TARGET_STARTUP_RATIO = 0.5
# What a cron run that finds nothing loaded before issue 16 and no longer does: the
# remote control and telnet extensions (off, but imported: aiohttp.web, twisted.conch),
# the cookies middleware (off, but imported: tldextract, requests, urllib3) and the
# normaliser (ftfy), now loaded with the first release.
EAGER_BEFORE = ("aiohttp.web", "scrapy.extensions.remote_control", "scrapy.extensions.telnet",
                "scrapy.downloadermiddlewares.cookies", "crawler.normalize.release")
# What any Scrapy crawl that stores into PostgreSQL loads before it does anything: Scrapy
# with its engine, the HTTP/1.1 download handler (Twisted's client and TLS: the live site
# is https), psycopg and its pool, imported alone in a fresh interpreter: the floor no
# lazy import of ours goes below (information: how much of each run is not ours to cut).
FLOOR_IMPORTS = ("scrapy.crawler", "scrapy.core.downloader.handlers.http11", "psycopg", "psycopg_pool")


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


def eager_presseportal(*args: str) -> list[str]:
    """`presseportal -q ...` with EAGER_BEFORE imported first: the code path before issue 16
    (`crawler.cli.main`, the console script's target then: no pre-check)."""
    code = (f"import sys, importlib; [importlib.import_module(m) for m in {EAGER_BEFORE!r}]; "
            "from crawler.cli import main; sys.exit(main())")
    return [sys.executable, "-c", code, "-q", *args]


def startup_cpu(replica, database_url: str, rounds: int = STARTUP_ROUNDS) -> dict:
    """CPU seconds of cron runs that find nothing: now (as cron runs it), before issue 16
    (EAGER_BEFORE), today's Scrapy path (pre-check off), and of the FLOOR_IMPORTS alone,
    interleaved."""
    env = crawler_env(replica.base_url, database_url)
    scrapy_env = {**env, "PRESSEPORTAL_PRECHECK": "0"}
    argv = ("crawl", "--publisher", str(PUBLISHER))
    floor_command = [sys.executable, "-c", f"import {', '.join(FLOOR_IMPORTS)}"]
    now, before, scrapy_path, floor, statuses = [], [], [], [], Counter()
    for _ in range(rounds):
        for runs, command, run_env in ((before, eager_presseportal(*argv), env), (now, presseportal(*argv), env),
                                       (scrapy_path, presseportal(*argv), scrapy_env), (floor, floor_command, env)):
            replica.log.clear()
            r = run_measured(command, run_env)
            statuses.update(e.status for e in replica.log if kind(e.path) == "listing")
            runs.append(r["cpu_s"] if r["rc"] == 0 else float("nan"))
    return {"now": now, "before": before, "scrapy": scrapy_path, "floor": floor, "statuses": statuses}


def measure(releases: int = RELEASES, new: int = NEW) -> dict:
    from tests.replica import Replica

    with Replica(releases=releases, seed=1) as replica, throwaway_database() as database_url:
        full = crawl_once(replica, database_url, "backfill")
        idle = crawl_once(replica, database_url, "crawl")
        startup = startup_cpu(replica, database_url)
        new_ids = replica.publish(new)
        fresh = crawl_once(replica, database_url, "crawl")
    fetched = {int(p.rstrip("/").split("/")[3]) for p in fresh["story_paths"]}
    return {"releases": releases, "new": new, "new_ids": set(new_ids), "fetched": fetched,
            "full": full, "idle": idle, "fresh": fresh, "startup": startup}


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
            "notes": "whole `presseportal crawl` command: interpreter start, database connect, migration "
                     "check, the lock, the requests, the run record (the pre-check: no Scrapy)",
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
            "notes": f"{describe(fresh)} (the pre-check's robots.txt and conditional GET of the first page, "
                     f"which saw news, then the full crawl's); new stories fetched "
                     f"{len(fresh['fetched'] & m['new_ids'])} of {new}, "
                     f"stored ones fetched {len(fresh['fetched'] - m['new_ids'])}, "
                     f"rows {full['stored']} -> {fresh['stored']}",
        },
        startup_row(m["startup"]),
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


def startup_row(startup: dict) -> dict:
    runs_now, runs_before, runs_floor = startup["now"], startup["before"], startup["floor"]
    runs_scrapy = startup["scrapy"]
    now, before, floor, scrapy_path = (statistics.median(runs)
                                       for runs in (runs_now, runs_before, runs_floor, runs_scrapy))
    ratio = now / before if before else None
    only_304 = set(startup["statuses"]) == {304}
    seconds = lambda runs: ", ".join(f"{x:.2f}" for x in runs)  # noqa: E731
    return {
        "name": "incremental: CPU of a cron run that finds nothing (one 304)",
        "value": now,
        "unit": "CPU s",
        "baseline_name": "same run, importing what it loaded before issue 16",
        "baseline_value": before,
        "ratio": ratio,
        "target": f"ratio <= {TARGET_STARTUP_RATIO}",
        "met": bool(ratio is not None and ratio <= TARGET_STARTUP_RATIO and only_304),
        "notes": f"medians of {len(runs_now)} interleaved runs each (user + system CPU of the whole "
                 f"`presseportal -q crawl` process, from wait4): now {seconds(runs_now)} s (answered by the "
                 f"pre-check before Scrapy starts); before {seconds(runs_before)} s (crawler.cli.main, no "
                 f"pre-check, importing first: {', '.join(EAGER_BEFORE)}); today's Scrapy path "
                 f"(PRESSEPORTAL_PRECHECK=0, what a run with news starts) {seconds(runs_scrapy)} s (median "
                 f"{scrapy_path:.2f} s, {scrapy_path / before:.0%} of before); the floor of any Scrapy run, a "
                 f"fresh interpreter importing {', '.join(FLOOR_IMPORTS)} and nothing else: "
                 f"{seconds(runs_floor)} s (median {floor:.2f} s, {floor / before:.0%} of before: the pre-check "
                 f"is what goes below it); listing answers {dict(startup['statuses'])}",
    }


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
