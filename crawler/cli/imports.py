"""`presseportal import`: releases from dumps and API answers, stored as a crawl stores them."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.cli.common import UsageError, asked_newsrooms
from crawler.cli.inprocess import add_run_options, exit_status, run_in_process, run_settings
from crawler.imports.formats import FORMATS, check_encoding, check_files, check_mapping, parse_mapping


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import", help="store releases from other scrapers' dumps or the official API's answers",
        description="Read releases from files and store them as a crawl would (normalised, "
        "idempotent, with revisions and a run record). A crawled page later wins over an "
        "import: a backfill fetches the pages of imported releases and fills in what the "
        "dump lacked. Bad records are listed with file and line in crawl_errors (exit 1).")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="files to read; - is standard input; gzip (.gz) is read as it is")
    p.add_argument("--format", choices=FORMATS, default="auto",
                   help="lines (flattened text, one release a line, optionally opening with "
                   "'date YYYY-MM[-DD] '), csv, jsonl, api (the official API's JSON answers), "
                   "or auto (default)")
    newsroom = p.add_mutually_exclusive_group()
    newsroom.add_argument("--publisher", help="publisher id of records whose text names no story URL")
    newsroom.add_argument("--office", help="police or fire office id of records whose text names no story URL")
    p.add_argument("--map", metavar="FIELD=COLUMN,...",
                   help="csv/jsonl: which column holds which field, e.g. text=Hauptartikel,url=Link "
                   "(fields: text, url, title, date, teaser, story_id, publisher_id, publisher, language)")
    p.add_argument("--encoding", default="utf-8", help="the files' text encoding (default: utf-8)")
    add_run_options(p)
    p.set_defaults(run=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    named = asked_newsrooms(args) or []
    try:
        mapping = parse_mapping(args.map)
        check_encoding(args.encoding)
    except (ValueError, LookupError) as exc:
        raise UsageError(str(exc)) from None
    if len(named) > 1:
        raise UsageError(f"--{named[0].kind} takes one id")
    try:
        check_files(args.files)
        check_mapping(args.files, args.format, mapping, args.encoding)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    settings = run_settings(args)
    stats, code = run_in_process(settings, "import", files=args.files, format=args.format,
                           publisher=args.publisher, office=args.office, map=args.map, encoding=args.encoding)
    return exit_status(stats, code, newsrooms="", summary=print_import_summary, quiet=args.quiet)  # an import takes no lock


def print_import_summary(stats: dict[str, Any]) -> None:
    status = stats.get("presseportal/run_status") or stats.get("finish_reason", "unknown")
    run = stats.get("presseportal/run_id", "?")
    errors = stats.get("presseportal/errors", 0)
    kept = stats.get("store/kept", 0)
    print(
        f"import run {run}: {status}; records {stats.get('import/records', 0)}, "
        f"new {stats.get('store/new', 0)}, changed {stats.get('store/changed', 0)}, "
        f"unchanged {stats.get('store/unchanged', 0)}"
        + (f" ({kept} of them contradict the crawled page: kept as revisions)" if kept else "")
        + f", errors {errors}"
        # the first bad record names its file:line and why, as a crawl's line names its page
        + (f" (first: {first}; all: presseportal status --errors {run})"
           if errors and (first := stats.get("presseportal/first_error"))
           else f" (presseportal status --errors {run})" if errors else ""),
        file=sys.stderr,
    )
