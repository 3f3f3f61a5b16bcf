"""Figure: `presseportal report` (and `presseportal metrics`) on a large store.

Two stores in one throwaway PostgreSQL, built by the database itself
(tests/health/synthetic.sql, generate_series): **large**, 200,000 releases of 20
newsrooms (15 publishers', 5 police offices') over ten years and 5,000 cron runs every 15 minutes (with failed pages,
missed runs and a coverage drop), and **small**, the demo's size (300 releases of one
newsroom, 10 runs), the baseline. Each command runs as a whole process, as a user or
cron runs it (Python start, imports, queries, drawing, writing): best wall time of
ROUNDS runs, interleaved.

Target: the report of the large store in at most TARGET_SECONDS seconds.

    python -m bench.report [--releases 200000] [--runs 5000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench.e2e import presseportal, run_measured, tail, throwaway_database

RELEASES = 200_000
RUNS = 5_000
NEWSROOMS = 20
OFFICES = 5  # of the newsrooms: the report and the metrics cover both kinds
ROUNDS = 3
TARGET_SECONDS = 10.0


def build(admin_url: str, name: str, shape) -> str:
    import time

    import psycopg
    from psycopg.conninfo import make_conninfo

    from crawler import db
    from tests.health import synthetic

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_conninfo(admin_url, dbname=name)
    db.migrate(url)
    t0 = time.perf_counter()
    synthetic.build(url, shape)
    print(f"   built {name}: {shape.releases:,} releases, {shape.runs:,} runs in "
          f"{time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    return url


def env(database_url: str) -> dict[str, str]:
    import os

    return {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}


def measure(releases: int = RELEASES, runs: int = RUNS, rounds: int = ROUNDS) -> dict:
    from tests.health.synthetic import Shape

    results: dict[str, dict[str, list[dict]]] = {}
    with throwaway_database() as admin_url, tempfile.TemporaryDirectory(prefix="pp-bench-report-") as out:
        stores = {
            "large": build(admin_url, "bench_report_large", Shape(newsrooms=NEWSROOMS, offices=OFFICES,
                                                                releases=releases, runs=runs)),
            "small": build(admin_url, "bench_report_small", Shape(newsrooms=1, releases=300, runs=10, missed=0)),
        }
        for _ in range(rounds):
            for size, url in stores.items():
                page = Path(out) / f"{size}.html"
                report = run_measured(presseportal("report", "-o", str(page)), env(url))
                report["bytes"] = page.stat().st_size if page.exists() else 0
                metrics = run_measured(presseportal("metrics"), env(url))
                results.setdefault(size, {}).setdefault("report", []).append(report)
                results[size].setdefault("metrics", []).append(metrics)
    return {"releases": releases, "runs": runs, "results": results}


def best(measured: list[dict]) -> dict:
    return min(measured, key=lambda r: r["wall"])


def rows_from(m: dict) -> list[dict]:
    res = m["results"]
    rows = []
    for command in ("report", "metrics"):
        large, small = best(res["large"][command]), best(res["small"][command])
        ok = all(r["rc"] == 0 for size in res for r in res[size][command])
        walls = ", ".join(f"{r['wall']:.2f}" for r in res["large"][command])
        notes = (f"{m['releases']:,} releases of {NEWSROOMS} newsrooms ({OFFICES} of them offices), "
                 f"{m['runs']:,} runs; best of "
                 f"{len(res['large'][command])} whole-command runs (walls {walls} s); peak RSS "
                 f"{large['hwm_mb']:.0f} MB")
        if command == "report":
            notes += f"; page {large['bytes'] / 1e6:.1f} MB (the small store's {small['bytes'] / 1e3:.0f} kB)"
        for r in (r for size in res for r in res[size][command] if r["rc"] != 0):
            notes += f"; exit {r['rc']}: {tail(r['stderr'])}"
        target_met = large["wall"] <= TARGET_SECONDS if command == "report" else None
        rows.append({
            "name": f"report: `presseportal {command}` on {m['releases']:,} releases and {m['runs']:,} runs",
            "value": large["wall"],
            "unit": "s",
            "baseline_name": "the same on the demo's size (300 releases, 10 runs)",
            "baseline_value": small["wall"],
            "ratio": large["wall"] / small["wall"] if small["wall"] else None,
            "target": f"<= {TARGET_SECONDS:g} s" if command == "report" else None,
            "met": (target_met and ok) if command == "report" else None,
            "notes": notes,
        })
    return rows


def run(releases: int = RELEASES, runs: int = RUNS) -> list[dict]:
    return rows_from(measure(releases, runs))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.splitlines()[0])
    ap.add_argument("--releases", type=int, default=RELEASES)
    ap.add_argument("--runs", type=int, default=RUNS)
    args = ap.parse_args(argv)
    from bench.e2e import print_rows

    print_rows(run(args.releases, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
