"""`presseportal crawl` (the cron job) and `presseportal backfill`: the spider, in-process."""

from __future__ import annotations

import argparse
import sys
from typing import Any
from urllib.parse import urlsplit

from crawler import db
from crawler.cli.common import (
    UsageError,
    checked_settings,
    database_url,
    non_negative_int,
    parse_setting,
    ratio,
)
from crawler.cli.inprocess import exit_status, failure_detail, run_in_process
from crawler.spiders.presseportal import crawl_plan


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("crawl", help="the cron job: fetch what is new since the last run",
                       description="Incremental crawl: newest first, stops at the first listing page "
                       "whose stories are all stored.")
    _crawl_options(p)
    p.add_argument("--story", default=None, metavar="URLS",
                   help="fetch only these stories (story URLs or paths such as /pm/73811/5, comma "
                   "separated), each filed under its own newsroom; no newsroom page is walked, so the "
                   "next plain crawl still looks down to what the last one covered (the refresh "
                   "queues these from the site-wide feed)")
    p.set_defaults(run=cmd_crawl)

    p = sub.add_parser("backfill", help="the whole archive, or a date window",
                       description="Backfill a newsroom's archive, newest first. Crash-safe: rerun the "
                       "same command after an interruption and it continues with what is missing.")
    _crawl_options(p)
    p.add_argument("--since", help="first day, YYYY-MM-DD")
    p.add_argument("--until", help="last day, YYYY-MM-DD")
    p.add_argument("--refresh", action="store_true",
                   help="fetch stored stories again and record revisions")
    p.set_defaults(run=cmd_backfill)


def _crawl_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--publisher", default=None,
                   help="publisher id(s), comma separated (default without --office: 73811, Public Marketing)")
    p.add_argument("--office", default=None,
                   help="police or fire office id(s) (/blaulicht/nr/{id}), comma separated; with --publisher "
                   "both kinds are crawled in one run")
    p.add_argument("--max-errors", type=non_negative_int, default=0,
                   help="failed pages tolerated before the exit status is 1 (default: 0)")
    p.add_argument("--min-coverage", type=ratio, default=None,
                   help="minimum share (0 to 1) of releases with each watched field (default: 0.95)")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a Scrapy setting, as with scrapy crawl -s")


def cmd_crawl(args: argparse.Namespace) -> int:
    if args.story is not None:
        return run_spider(args, mode="stories", stories=args.story)
    return run_spider(args, mode="incremental")


def cmd_backfill(args: argparse.Namespace) -> int:
    return run_spider(args, mode="backfill", since=args.since, until=args.until,
                      refresh="1" if args.refresh else "0")


def check_stories_site(stories: str, base_url: str) -> None:
    """UsageError when a story URL of `--story` names another site than the one crawled
    (the spider asks the base URL for the story's path: it would fetch something else)."""
    def host(url: str) -> str:
        return urlsplit(url).netloc.lower().removeprefix("www.")

    for part in stories.split(","):
        part = part.strip()
        if urlsplit(part).netloc and host(part) != host(base_url):
            raise UsageError(f"--story {part} is not a story of the site crawled ({base_url})")


def run_spider(args: argparse.Namespace, *, mode: str, **spider_args: Any) -> int:
    """Check the arguments and the database, crawl, print the run's summary; the exit status.

    Quiet (`-q`, for cron): nothing on success, one line on failure.
    """
    for option, value in (("--publisher", args.publisher), ("--office", args.office)):
        if value is not None and not value.strip():
            # an empty id list would fall back to the default newsroom: never silently
            raise UsageError(f"{option} needs at least one id")
    try:
        plan = crawl_plan(publisher=args.publisher, office=args.office, mode=mode, **spider_args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    settings = checked_settings(dict(parse_setting(item) for item in args.set))
    if mode == "stories":
        check_stories_site(args.story, settings.get("PRESSEPORTAL_BASE_URL"))
    # DatabaseUnavailable: exit 69 before anything is fetched
    url = database_url(settings)
    db.ensure_schema(url)
    settings.set("DATABASE_URL", url, priority="cmdline")
    settings.set("PRESSEPORTAL_PROGRESS", mode == "backfill", priority="cmdline")
    if args.min_coverage is not None:
        settings.set("COVERAGE_MIN_RATIO", args.min_coverage, priority="cmdline")
    settings.set("PRESSEPORTAL_MAX_ERRORS", args.max_errors, priority="cmdline")
    # the run's lock and crawl_runs row are the extensions' (crawler/extensions), taken
    # before any request: the same for `scrapy crawl` and for this command
    stats, code = run_in_process(settings, "presseportal", publisher=args.publisher, office=args.office, mode=mode,
                                 **spider_args)
    return exit_status(stats, code, newsrooms=", ".join(map(str, plan.newsrooms)), quiet=args.quiet,
                       summary=print_run_summary, resumes=mode == "backfill")


def print_run_summary(stats: dict[str, Any]) -> None:
    status = stats.get("presseportal/run_status") or stats.get("finish_reason", "unknown")
    print(
        f"run {stats.get('presseportal/run_id', '?')}: {status}; "
        f"pages {stats.get('response_received_count', 0)}, "
        f"new {stats.get('store/new', 0)}, changed {stats.get('store/changed', 0)}, "
        f"unchanged {stats.get('store/unchanged', 0)}, errors {stats.get('presseportal/errors', 0)}"
        + (f": {why}" if (why := failure_detail(stats)) else ""),
        file=sys.stderr,
    )
    low = stats.get("coverage/low_fields") or []
    if low:
        print(f"low field coverage: {', '.join(low)}", file=sys.stderr)
    if stats.get("store/error"):
        kept = (f"; {stats['store/spilled']} releases kept in {stats['store/spill_file']} (replayed by the "
                "next run, or `presseportal spill replay`)" if stats.get("store/spilled") else "")
        lost = f"; {stats['store/lost']} releases LOST" if stats.get("store/lost") else ""
        print(f"store failed: {stats['store/error']}{kept}{lost}", file=sys.stderr)
