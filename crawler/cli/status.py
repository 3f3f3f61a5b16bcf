"""`presseportal status`: the job queue (when workers are set up: running jobs with their
worker and start, waiting ones, failed ones with the reason), the last runs, releases per
publisher, the newest release, coverage; `--errors [RUN]` the failed pages of a run (an
import's: its bad records, by file:line);
`--json` all of it for machines."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from typing import Any

from crawler import exitcodes
from crawler.cli.common import (
    UsageError,
    duration_seconds,
    fmt_duration,
    fmt_published,
    fmt_time,
    positive_int,
    reading_store,
    release_address,
    release_title,
    table,
)
from crawler.db import health, reads
from crawler.db import queue as queue_db

RUN_HEADERS = ["run", "mode", "status", "started", "took", "publishers", "offices", "pages", "new",
               "changed", "unchanged", "errors"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="last runs, releases per publisher, field coverage",
                       description="What the store holds and how the last runs went. Scrapyd and "
                       "cron users read a run's outcome here (or in the crawl_runs table).")
    p.add_argument("--runs", type=positive_int, default=10, help="how many runs to show (default: 10)")
    p.add_argument("--json", action="store_true",
                   help="machine-readable: runs with durations, releases per publisher, coverage")
    p.add_argument("--errors", nargs="?", type=positive_int, const=0, default=None, metavar="RUN",
                   help="the failed pages (URL, stage, reason) of run RUN, an import's bad records "
                   "(file:line, stage, reason) (default: the newest run)")
    p.set_defaults(run=cmd_status)


def cmd_status(args: argparse.Namespace) -> int:
    if args.errors is not None:
        return show_errors(args)
    with reading_store() as conn:
        if conn is None:
            runs, publishers, newest, jobs, coverage = [], [], [], None, None
        else:
            runs = reads.last_runs(conn, args.runs)
            # the latest run that extracted releases from pages, as the metrics read it: a
            # run that found nothing new (a 304) measured nothing and must not hide it, and
            # an import measured a dump, not the extractor
            coverage = health.last_coverage(conn)
            publishers = reads.releases_per_publisher(conn)
            newest = reads.newest_releases(conn, 1)
            jobs = queue_db.queue_jobs(conn)
    now = datetime.now(timezone.utc)
    for run in runs:
        run["duration_seconds"] = duration_seconds(run["started_at"], run["finished_at"] or now)
    if args.json:
        document = {**status_document(runs, publishers, newest, coverage), "queue": jobs}
        json.dump(document, sys.stdout, ensure_ascii=False, indent=2,
                  default=_json_default)
        sys.stdout.write("\n")
        return exitcodes.OK
    if jobs is not None:
        write_queue(sys.stdout, jobs, now)
    write_status(sys.stdout, runs, publishers, newest, coverage)
    return exitcodes.OK


def describe_job(job: dict) -> str:
    """A queued job for people: "backfill of 73811 (2024-01-01..)", "crawl of office
    99001", "refresh"."""
    args = job.get("args") or {}
    if "stories" in args:
        return f"{len(args['stories'])} stories from the site-wide feed"
    if "newsroom" not in args:
        return job["task_name"]
    window = f" ({args.get('since', '')}..{args.get('until', '')})" if args.get("since") or args.get("until") else ""
    kind = "office " if args.get("kind") == "office" else ""
    return f"{args.get('mode')} of {kind}{args['newsroom']}{window}"


def write_queue(out, jobs: list[dict], now: datetime) -> None:
    """The queue: running jobs (worker, since when), waiting ones, failed ones (why)."""
    by_status = {name: [j for j in jobs if j["status"] == name] for name in ("doing", "todo", "failed")}
    out.write(f"Job queue: {len(by_status['doing'])} running, {len(by_status['todo'])} waiting\n")
    rows = []
    for job in by_status["doing"]:
        rows.append([f"#{job['id']}", "running", describe_job(job), job["worker"] or "-",
                     f"since {fmt_time(job['started_at'])} "
                     f"({fmt_duration(duration_seconds(job['started_at'], now))})"])
    for job in by_status["todo"]:
        after = f"; last: {job['outcome']}" if job["outcome"] else ""
        rows.append([f"#{job['id']}", "waiting", describe_job(job), "-",
                     f"attempt {job['attempts'] + 1}{after}"])
    for job in by_status["failed"]:
        rows.append([f"#{job['id']}", "failed", describe_job(job), job["worker"] or "-",
                     one_line(job["reason"] or "no reason recorded")])
    if rows:
        out.write(table(["job", "state", "what", "worker", "detail"], rows))
    out.write("\n")


def status_document(runs: list[dict], publishers: list[dict], newest: list[dict],
                    coverage: dict | None) -> dict[str, Any]:
    """The `--json` document: {runs: [...], publishers: [...], newest_release, coverage:
    {run, mode, releases, fields: {field: ratio}} of the latest finished run that
    extracted releases from pages (`health.last_coverage`: a crawl or a re-extraction,
    not an import, whose own coverage stays on its row in runs), null when none did}."""
    if coverage is not None:
        coverage = {"run": coverage["id"], "mode": coverage["mode"], "releases": coverage["releases"],
                    "fields": {k: float(v) for k, v in sorted(coverage["coverage"].items())}}
    return {
        "runs": [{**run, "running": run["finished_at"] is None} for run in runs],
        "publishers": publishers,
        "newest_release": newest[0] if newest else None,
        "coverage": coverage,
    }


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)  # Decimal and the like


def write_status(out, runs: list[dict], publishers: list[dict], newest: list[dict], coverage: dict | None) -> None:
    out.write("Last runs\n")
    if not runs:
        out.write("  (none yet)\n")
    else:
        rows = [[f"#{run['id']}", run["mode"], run["status"] or "running", fmt_time(run["started_at"]),
                 fmt_duration(run["duration_seconds"]) + ("+" if run["finished_at"] is None else ""),
                 ",".join(map(str, run["publishers"] or [])) or "-",
                 ",".join(map(str, run["offices"] or [])) or "-", run["pages"], run["new"],
                 run["changed"], run["unchanged"], run["errors"]] for run in runs]
        out.write(table(RUN_HEADERS, rows, right={0, 4, 7, 8, 9, 10, 11}))
    out.write("\nReleases per newsroom\n")
    if not publishers:
        out.write("  (none yet)\n")
    else:
        # an office may have the same number as a publisher: the kind is a column
        # followed: crawled by the refresh and watched by the report and the metrics; a
        # newsroom only imported records name is not (the site may not know it)
        out.write(table(["kind", "id", "releases", "followed", "name", "newest"],
                        [[row["kind"], row["publisher_id"], row["releases"], followed_text(row),
                          row["name"] or "-", fmt_published(row["newest"], row["newest_precision"])]
                         for row in publishers], right={1, 2}))
    if newest:
        top = newest[0]
        out.write(f"\nNewest release\n  {fmt_published(top['published_at'], top['published_precision'])}  "
                  f"{release_title(top)}\n  {release_address(top)}\n")
    if coverage is not None:
        out.write(f"\nField coverage of run #{coverage['id']} ({coverage['mode']}), the latest that "
                  f"extracted releases from pages ({coverage['releases']} releases; imports are not counted)\n")
        for name, share in sorted(coverage["coverage"].items()):
            out.write(f"  {name:<12} {100 * float(share):6.1f}%\n")


def followed_text(row: dict) -> str:
    if row["followed"]:
        return "yes"
    return "no (imported only)" if row["imported_only"] else "no"


def show_errors(args: argparse.Namespace) -> int:
    with reading_store() as conn:
        run_id = args.errors or (reads.newest_run_id(conn) if conn is not None else None)
        if run_id is None:
            print("no run recorded yet", file=sys.stderr)
            return exitcodes.OK
        mode = reads.run_mode(conn, run_id) if conn is not None else None
        if mode is None:
            raise UsageError(f"there is no run #{run_id} (see presseportal status)")
        errors = reads.run_errors(conn, run_id)
    if args.json:
        json.dump({"run": run_id, "mode": mode, "errors": errors}, sys.stdout, ensure_ascii=False, indent=2,
                  default=_json_default)
        sys.stdout.write("\n")
        return exitcodes.OK
    # an import reads records from files: what failed is a record, named by its file:line
    heading, place = (("Bad records of import run", "record") if mode == "import"
                      else ("Failed pages of run", "url"))
    print(f"{heading} #{run_id}: {len(errors)}")
    if errors:
        sys.stdout.write(table(["stage", place, "reason"],
                               [[e["stage"], e["url"] or "-", one_line(e["reason"])] for e in errors]))
    return exitcodes.OK


def one_line(text: str) -> str:
    return " ".join(str(text).split())
