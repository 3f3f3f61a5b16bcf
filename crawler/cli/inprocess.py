"""What `import` and `reextract` share: a spider run in this process, without the site.

Both run Scrapy's own machinery (pipelines, extensions, stats) like `crawl` does, with a
spider that yields releases from files or from the stored pages instead of fetching.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from crawler import db, exitcodes
from crawler.cli.common import database_url, err, project_settings
from crawler.cli.crawl import parse_setting


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


def run_in_process(settings, spider: str, **spider_args: Any) -> dict[str, Any]:
    """Run the spider named `spider` in this process and return its final stats."""
    # imported here: loading Scrapy's engine is the cost of a run, not of every command
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **spider_args)
    process.start()
    return crawler.stats.get_stats()


def exit_status(stats: dict[str, Any], *, newsrooms: str, summary: Callable[[dict[str, Any]], None]) -> int:
    """The run's exit status (`exitcodes.for_crawl`), with one line for people: who holds
    the lock on `newsrooms`, that the database was away, or the run's `summary`."""
    code = exitcodes.for_crawl(stats)
    if code == exitcodes.LOCKED:
        err(f"publisher(s) {newsrooms} are locked by {stats.get('presseportal/locked_by', 'another run')}; "
            "not starting")
    elif code == exitcodes.UNAVAILABLE:
        err("database unavailable; see the log above")
    else:
        summary(stats)
    return code
