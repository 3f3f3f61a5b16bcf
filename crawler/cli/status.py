"""`presseportal status`: the last runs, releases per publisher, the newest release, coverage."""

from __future__ import annotations

import argparse
import sys

from crawler import exitcodes
from crawler.cli.common import fmt_time, reading_store
from crawler.db import reads


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="last runs, releases per publisher, field coverage")
    p.add_argument("--runs", type=int, default=10, help="how many runs to show (default: 10)")
    p.set_defaults(run=cmd_status)


def cmd_status(args: argparse.Namespace) -> int:
    with reading_store() as conn:
        if conn is None:
            runs, publishers, newest = [], [], []
        else:
            runs = reads.last_runs(conn, args.runs)
            publishers = reads.releases_per_publisher(conn)
            newest = reads.newest_releases(conn, 1)
    out = sys.stdout
    out.write("Last runs\n")
    if not runs:
        out.write("  (none yet)\n")
    for run in runs:
        out.write(
            f"  #{run['id']} {run['mode']:<11} {run['status'] or 'running':<9} "
            f"{fmt_time(run['started_at'])}  publishers {','.join(map(str, run['publishers'] or []))}  "
            + (f"offices {','.join(map(str, run['offices']))}  " if run["offices"] else "") +
            f"pages {run['pages']} new {run['new']} changed {run['changed']} "
            f"unchanged {run['unchanged']} errors {run['errors']}\n"
        )
    out.write("\nReleases per newsroom\n")
    for row in publishers:
        # an office may have the same number as a publisher: its kind is shown
        office = "office " if row["kind"] == "office" else ""
        out.write(f"  {office + str(row['publisher_id']):>15}  {row['releases']:>6}  {row['name']}  "
                  f"(newest {fmt_time(row['newest'])})\n")
    if newest:
        top = newest[0]
        out.write(f"\nNewest release\n  {fmt_time(top['published_at'])}  {top['title']}\n  {top['url']}\n")
    if runs and runs[0]["coverage"]:
        out.write(f"\nField coverage of run #{runs[0]['id']}\n")
        for name, ratio in sorted(runs[0]["coverage"].items()):
            out.write(f"  {name:<12} {100 * float(ratio):6.1f}%\n")
    return exitcodes.OK
