"""The `presseportal` command: the cron job, backfills, and a look into the store.

Exit status (what cron sees):
  0   success
  1   finished with errors above the threshold (a page failed, or a field's coverage
      fell below the minimum), or the crawl stopped early
  2   usage error
  69  database unavailable (EX_UNAVAILABLE)
  75  another run holds the lock on the publisher (EX_TEMPFAIL)
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
from typing import Any, Sequence

from crawler.items import STORED_EXPORT_FIELDS

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 69
EXIT_LOCKED = 75

logger = logging.getLogger("presseportal")


class UsageError(Exception):
    pass


def project_settings(overrides: dict[str, Any] | None = None):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="presseportal",
        description="Crawl presseportal.de newsrooms into PostgreSQL, and look into what is stored.",
        epilog="Environment: DATABASE_URL (else PG* variables, else an embedded PostgreSQL), "
        "PRESSEPORTAL_BASE_URL (default https://www.presseportal.de). "
        "Exit status: 0 ok, 1 errors, 2 usage, 69 database unavailable, 75 locked.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument("-q", "--quiet", action="store_true", help="log warnings and errors only")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def crawl_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--publisher", default="73811",
                       help="publisher id(s), comma separated (default: 73811, Public Marketing)")
        p.add_argument("--max-errors", type=int, default=0,
                       help="failed pages tolerated before the exit status is 1 (default: 0)")
        p.add_argument("--min-coverage", type=float, default=None,
                       help="minimum share of releases with each watched field (default: 0.95)")
        p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                       help="a Scrapy setting, as with scrapy crawl -s")

    p = sub.add_parser("crawl", help="the cron job: fetch what is new since the last run",
                       description="Incremental crawl: newest first, stops at the first listing page "
                       "whose stories are all stored.")
    crawl_options(p)

    p = sub.add_parser("backfill", help="the whole archive, or a date window",
                       description="Backfill a publisher's archive, newest first. Crash-safe: rerun the "
                       "same command after an interruption and it continues with what is missing.")
    crawl_options(p)
    p.add_argument("--since", help="first day, YYYY-MM-DD")
    p.add_argument("--until", help="last day, YYYY-MM-DD")
    p.add_argument("--refresh", action="store_true",
                   help="fetch stored stories again and record revisions")

    p = sub.add_parser("status", help="last runs, releases per publisher, field coverage")
    p.add_argument("--runs", type=int, default=10, help="how many runs to show (default: 10)")

    p = sub.add_parser("search", help="German full-text search with ranking and snippet")
    p.add_argument("query", help='words to look for, e.g. "Coworking Homeoffice"')
    p.add_argument("--limit", type=int, default=10)

    p = sub.add_parser("export", help="stream releases out as JSON lines or CSV")
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    p.add_argument("--since", help="only releases published on or after this day, YYYY-MM-DD")
    p.add_argument("--publisher", help="only these publisher id(s), comma separated")

    p = sub.add_parser("db", help="database chores")
    db_sub = p.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    db_sub.add_parser("upgrade", help="apply schema migrations")
    db_sub.add_parser("url", help="where the database is (password hidden)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verbose or args.quiet:
        # settings read LOG_LEVEL from the environment, once: set it before they load
        os.environ["LOG_LEVEL"] = "DEBUG" if args.verbose else "WARNING"
    if args.command not in ("crawl", "backfill"):  # crawls log through Scrapy's own handler
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(os.environ.get("LOG_LEVEL", "INFO"))
        handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s"))
        logging.getLogger().addHandler(handler)
        logging.getLogger().setLevel(handler.level)
    from crawler.db import DatabaseUnavailable

    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        parser.error(str(exc))  # exits 2
    except DatabaseUnavailable as exc:
        print(f"presseportal: database unavailable: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    return EXIT_OK


# --- crawl and backfill --------------------------------------------------------------------


def cmd_crawl(args: argparse.Namespace) -> int:
    return run_spider(args, mode="incremental")


def cmd_backfill(args: argparse.Namespace) -> int:
    return run_spider(args, mode="backfill", since=args.since, until=args.until,
                      refresh="1" if args.refresh else "0")


def run_spider(args: argparse.Namespace, *, mode: str, **spider_args: Any) -> int:
    from crawler.extensions import run_status
    from crawler.spiders.presseportal import parse_publishers, parse_window
    from crawler import db

    try:
        publishers = parse_publishers(args.publisher)
        parse_window(spider_args.get("since"), spider_args.get("until"))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    overrides = dict(parse_setting(item) for item in args.set)
    settings = project_settings(overrides)
    database_url = db.resolve_database_url(settings.get("DATABASE_URL"))
    with db.connect(database_url) as conn:  # DatabaseUnavailable: exit 69 before any fetch
        db.migrate(conn)
    settings.set("DATABASE_URL", database_url, priority="cmdline")
    settings.set("PRESSEPORTAL_PROGRESS", mode == "backfill", priority="cmdline")
    if args.min_coverage is not None:
        settings.set("COVERAGE_MIN_RATIO", args.min_coverage, priority="cmdline")
    settings.set("PRESSEPORTAL_MAX_ERRORS", args.max_errors, priority="cmdline")
    # the run's lock and crawl_runs row are taken by crawler.extensions.CrawlRunRecorder,
    # before any request: the same for `scrapy crawl` and for this command
    stats = crawl(settings, publisher=",".join(map(str, publishers)), mode=mode, **spider_args)
    reason = stats.get("finish_reason", "unknown")
    if reason == "locked":
        print(f"presseportal: publisher(s) {','.join(map(str, publishers))} are locked by "
              f"{stats.get('presseportal/locked_by', 'another run')}; not starting", file=sys.stderr)
        return EXIT_LOCKED
    if reason == "database_unavailable":
        print("presseportal: database unavailable; see the log above", file=sys.stderr)
        return EXIT_UNAVAILABLE
    status = stats.get("presseportal/run_status") or run_status(stats, reason, max_errors=args.max_errors)
    print_run_summary(stats, status)
    return EXIT_OK if status == "success" else EXIT_ERRORS


def crawl(settings, **spider_args: Any) -> dict[str, Any]:
    """Run the spider in this process and return its final stats."""
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(settings)
    crawler = process.create_crawler("presseportal")
    process.crawl(crawler, **spider_args)
    process.start()
    return crawler.stats.get_stats()


def parse_setting(item: str) -> tuple[str, str]:
    name, sep, value = item.partition("=")
    if not sep or not name:
        raise UsageError(f"-s takes NAME=VALUE, got {item!r}")
    return name, value


def print_run_summary(stats: dict[str, Any], status: str) -> None:
    print(
        f"run {stats.get('presseportal/run_id', '?')}: {status}; "
        f"pages {stats.get('response_received_count', 0)}, "
        f"new {stats.get('store/new', 0)}, changed {stats.get('store/changed', 0)}, "
        f"unchanged {stats.get('store/unchanged', 0)}, errors {stats.get('presseportal/errors', 0)}",
        file=sys.stderr,
    )
    low = stats.get("coverage/low_fields") or []
    if low:
        print(f"low field coverage: {', '.join(low)}", file=sys.stderr)


# --- looking into the store -------------------------------------------------------------


def store_connection():
    from crawler import db

    settings = project_settings()
    from psycopg.rows import dict_row

    url = db.resolve_database_url(settings.get("DATABASE_URL"))
    conn = db.connect(url)
    db.migrate(conn)
    conn.row_factory = dict_row
    return conn


def cmd_status(args: argparse.Namespace) -> int:
    from crawler import db

    with store_connection() as conn:
        runs = conn.execute(db.query("status_runs"), {"limit": args.runs}).fetchall()
        publishers = conn.execute(db.query("status_publishers")).fetchall()
        newest = conn.execute(db.query("status_newest")).fetchone()
    out = sys.stdout
    out.write("Last runs\n")
    if not runs:
        out.write("  (none yet)\n")
    for run in runs:
        out.write(
            f"  #{run['id']} {run['mode']:<11} {run['status'] or 'running':<9} "
            f"{fmt_time(run['started_at'])}  publishers {','.join(map(str, run['publishers'] or []))}  "
            f"pages {run['pages']} new {run['new']} changed {run['changed']} "
            f"unchanged {run['unchanged']} errors {run['errors']}\n"
        )
    out.write("\nReleases per publisher\n")
    for row in publishers:
        out.write(f"  {row['publisher_id']:>8}  {row['releases']:>6}  {row['name']}  "
                  f"(newest {fmt_time(row['newest'])})\n")
    if newest:
        out.write(f"\nNewest release\n  {fmt_time(newest['published_at'])}  {newest['title']}\n  {newest['url']}\n")
    if runs and runs[0]["coverage"]:
        out.write(f"\nField coverage of run #{runs[0]['id']}\n")
        for name, ratio in sorted(runs[0]["coverage"].items()):
            out.write(f"  {name:<12} {100 * float(ratio):6.1f}%\n")
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    from crawler import db

    with store_connection() as conn:
        rows = conn.execute(db.query("search"), {"query": args.query, "limit": args.limit}).fetchall()
    if not rows:
        print(f"no release matches {args.query!r}", file=sys.stderr)
    for row in rows:
        print(f"{row['rank']:.3f}  {fmt_time(row['published_at'])}  {row['title']}\n"
              f"       {row['url']}\n       {row['snippet']}\n")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from crawler.spiders.presseportal import parse_day, parse_publishers
    from crawler import db

    try:
        since = parse_day(args.since, "since")
        publishers = parse_publishers(args.publisher) if args.publisher else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    with store_connection() as conn, conn.transaction():
        # a server-side cursor streams, whatever the size of the table
        with conn.cursor(name="export") as cursor:
            cursor.itersize = 500
            cursor.execute(db.query("export"), {"since": since, "publishers": publishers})
            write_rows(cursor, args.format, sys.stdout)
    return EXIT_OK


EXPORT_COLUMNS = STORED_EXPORT_FIELDS


def write_rows(rows, fmt: str, out) -> None:
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
    for row in rows:
        record = {name: jsonable(row[name]) for name in EXPORT_COLUMNS}
        if fmt == "jsonl":
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                             for k, v in record.items()})


def jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def fmt_time(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M %Z") if value is not None else "-"


def cmd_db(args: argparse.Namespace) -> int:
    from crawler import db

    settings = project_settings()
    if args.db_command == "upgrade":
        url = db.resolve_database_url(settings.get("DATABASE_URL"))
        applied = db.migrate(url)
        print(f"applied {len(applied)} migration(s){': ' + ', '.join(applied) if applied else ''}; "
              f"database {db.redact(url)}")
        return EXIT_OK
    print(database_location(settings))
    return EXIT_OK


def database_location(settings) -> str:
    """Where the store is, for people: never with the password."""
    from crawler import db

    configured = settings.get("DATABASE_URL") or ""
    if configured:
        return db.redact(configured)
    if any(os.environ.get(name) for name in db.PG_ENV_VARS):
        return "libpq defaults from the PG* environment variables"
    from crawler.db.embedded import embedded_location

    where = embedded_location()
    return f"{where['url']}\nembedded PostgreSQL, data in {where['data_dir']}"


COMMANDS = {
    "crawl": cmd_crawl,
    "backfill": cmd_backfill,
    "status": cmd_status,
    "search": cmd_search,
    "export": cmd_export,
    "db": cmd_db,
}


if __name__ == "__main__":
    sys.exit(main())
