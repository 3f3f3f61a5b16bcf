"""A spider run in this process (`run_in_process`: the one place a `CrawlerProcess` is
started, for `crawl`, `backfill`, `import` and `reextract`), and what `import` and
`reextract` share besides: their options, settings and exit status.

`import` and `reextract` run Scrapy's own machinery (pipelines, extensions, stats) like
`crawl` does, with a spider that yields releases from files or from the stored pages
instead of fetching.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from crawler import db, exitcodes
from crawler.cli.common import database_url, err, parse_setting, project_settings
from crawler.summary import failure_detail


def add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--max-errors", type=int, default=0,
                   help="bad records tolerated before the exit status is 1 (default: 0)")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a Scrapy setting, as with scrapy crawl -s")


def run_settings(args: argparse.Namespace, *, writes: bool = True):
    """The project settings with the command line's and the store's URL resolved; for a
    run that `writes`, the schema brought up to date (`DatabaseUnavailable`: exit 69
    before anything is read)."""
    settings = project_settings(dict(parse_setting(item) for item in args.set))
    url = database_url(settings)
    if writes:
        db.ensure_schema(url)
    settings.set("DATABASE_URL", url, priority="cmdline")
    settings.set("PRESSEPORTAL_MAX_ERRORS", args.max_errors, priority="cmdline")
    return settings


def run_in_process(settings, spider: str, **spider_args: Any) -> tuple[dict[str, Any], int]:
    """Run the spider named `spider` with `spider_args` in this process (Scrapy's
    `CrawlerProcess`, which installs the Ctrl-C handlers: the first stops the run
    gracefully, a second at once) and return its final stats ({} when it never got going;
    Scrapy logged why) and the exit status: `exitcodes.for_finished_crawler` (130 when a
    second Ctrl-C stopped it under its spider, 1 when it never started), else
    `exitcodes.for_crawl(stats)`."""
    # imported here: loading Scrapy's engine is the cost of a run, not of every command
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **spider_args)
    process.start()
    code = exitcodes.for_finished_crawler(crawler)
    try:
        stats = crawler.stats.get_stats()
    except RuntimeError:
        stats = {}
    if code is None:
        code = exitcodes.for_crawl(stats)
    return stats, code


def exit_status(stats: dict[str, Any], code: int, *, newsrooms: str, quiet: bool,
                summary: Callable[[dict[str, Any]], None], resumes: bool = False) -> int:
    """`code` (from `run_in_process`), with what people are told: who holds the lock on
    `newsrooms`, that the database was away, that a second Ctrl-C stopped the run (a
    backfill that `resumes`: where it goes on), else the run's `summary`. Quiet (`-q`,
    for cron): nothing on success, one line (`failure_line`) on failure."""
    run_id = stats.get("presseportal/run_id", "?")
    if code == exitcodes.LOCKED:
        err(f"{stats.get('presseportal/locked_by') or f'newsroom(s) {newsrooms} are locked'}; not starting")
    elif code == exitcodes.UNAVAILABLE:
        err("database unavailable; see the log above")
    elif code == exitcodes.INTERRUPTED:
        err(f"run {run_id} interrupted (second Ctrl-C) before it could finish; the next run marks it "
            "abandoned" + (", and a backfill resumes where it stopped" if resumes else ""))
    elif not quiet:
        summary(stats)
    elif code != exitcodes.OK:
        err(failure_line(stats))
    return code


def failure_line(stats: dict[str, Any]) -> str:
    """One line saying what went wrong in a run, for cron's mail."""
    run_id = stats.get("presseportal/run_id", "?")
    status = stats.get("presseportal/run_status") or stats.get("finish_reason", "unknown")
    return f"run {run_id} {status}: {failure_detail(stats)} (presseportal status --errors {run_id})"


