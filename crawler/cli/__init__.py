"""The `presseportal` command: the cron job, backfills, and a look into the store.

One module per command (crawl.py holds crawl and backfill); each registers its
subparser and the function that runs it. Exit statuses: `crawler.exitcodes`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from crawler import db, exitcodes
from crawler.cli import crawl, database, export, search, spill, status
from crawler.cli.common import UsageError, err, project_settings

COMMAND_MODULES = (crawl, status, search, export, database, spill)
# the crawls log through Scrapy's own handler; the other commands through ours
CRAWL_COMMANDS = ("crawl", "backfill")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="presseportal",
        description="Crawl presseportal.de newsrooms into PostgreSQL, and look into what is stored.",
        epilog="Environment: DATABASE_URL (else PG* variables, else an embedded PostgreSQL), "
        "PRESSEPORTAL_BASE_URL (default https://www.presseportal.de). "
        f"Exit status: {exitcodes.OK} ok, {exitcodes.ERRORS} errors, {exitcodes.USAGE} usage, "
        f"{exitcodes.UNAVAILABLE} database unavailable, {exitcodes.LOCKED} locked.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument("-q", "--quiet", action="store_true", help="log warnings and errors only")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = "DEBUG" if args.verbose else "WARNING" if args.quiet else None
    if args.command in CRAWL_COMMANDS:
        if level:
            args.set = [*args.set, f"LOG_LEVEL={level}"]
    else:
        _log_to_stderr(level or project_settings().get("LOG_LEVEL"))
    try:
        return args.run(args)
    except UsageError as exc:
        parser.error(str(exc))  # exits 2
    except db.DatabaseUnavailable as exc:
        err(f"database unavailable: {exc}")
        return exitcodes.UNAVAILABLE


def _log_to_stderr(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(handler.level)


if __name__ == "__main__":
    sys.exit(main())
