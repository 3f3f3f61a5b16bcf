"""`presseportal reextract`: the stored raw pages extracted and normalised again, no request."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler import db, exitcodes
from crawler.cli.common import UsageError, asked_newsrooms, reading_store, say_empty_newsrooms
from crawler.cli.inprocess import add_run_options, exit_status, run_in_process, run_settings
from crawler.items import OFFICE, PUBLISHER
from crawler.spiders.presseportal import parse_day

# how much of a value a dry run's diff shows around the first difference
CONTEXT = 40


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reextract", help="extract the stored raw pages again (after the extractor improved)",
        description="Run today's extraction and normalisation on the raw pages kept in "
        "release_pages, without a request to the site, and store what changed (a revision per "
        "changed release). Takes the lock of its publishers, as a crawl does.")
    p.add_argument("--publisher", help="only these publisher id(s), comma separated")
    p.add_argument("--office", help="only these police or fire office id(s), comma separated")
    p.add_argument("--since", help="only releases published on or after this day, YYYY-MM-DD")
    p.add_argument("--dry-run", action="store_true",
                   help="store nothing: print the counts and a field-level diff of a few changed releases")
    add_run_options(p)
    p.set_defaults(run=cmd_reextract)


def cmd_reextract(args: argparse.Namespace) -> int:
    """The run's exit status; a newsroom asked for that has no release stored is one line
    on stderr and exit 1 (the others are re-extracted all the same)."""
    newsrooms = asked_newsrooms(args) or []
    try:
        parse_day(args.since, "since")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.dry_run:
        with reading_store() as conn:  # never migrates; a schema behind the code: exit 69
            empty = say_empty_newsrooms(conn, newsrooms) if newsrooms else []
    else:
        settings = run_settings(args)  # migrated
        with db.connect(settings.get("DATABASE_URL")) as conn:
            empty = say_empty_newsrooms(conn, newsrooms) if newsrooms else []
    if empty and len(empty) == len(newsrooms):
        return exitcodes.ERRORS  # nothing to re-extract: no run, no summary saying success
    # the newsrooms said empty above are left out: the spider would record them again
    rest = [n for n in newsrooms if n not in empty]
    spider_args = {"publisher": ",".join(str(n.id) for n in rest if n.kind == PUBLISHER) or None,
                   "office": ",".join(str(n.id) for n in rest if n.kind == OFFICE) or None,
                   "since": args.since}
    if args.dry_run:
        code = dry_run(args, spider_args)
    else:
        stats, code = run_in_process(settings, "reextract", **spider_args)
        code = exit_status(stats, code, newsrooms=", ".join(map(str, newsrooms)) or "all", summary=print_summary,
                           quiet=args.quiet)
    return exitcodes.ERRORS if empty and code == exitcodes.OK else code


def print_summary(stats: dict[str, Any]) -> None:
    print(f"reextract run {stats.get('presseportal/run_id', '?')}: "
          f"{stats.get('presseportal/run_status') or stats.get('finish_reason', 'unknown')}; "
          f"pages {stats.get('reextract/pages', 0)}, new {stats.get('store/new', 0)}, "
          f"changed {stats.get('store/changed', 0)}, unchanged {stats.get('store/unchanged', 0)}, "
          f"errors {stats.get('presseportal/errors', 0)}", file=sys.stderr)


def dry_run(args: argparse.Namespace, spider_args: dict[str, Any]) -> int:
    """Compare instead of store: no run row, no lock, nothing written."""
    with reading_store() as conn:  # never migrates; a schema behind the code: exit 69
        if conn is None:
            print("nothing stored yet: nothing to re-extract", file=sys.stderr)
            return exitcodes.OK
    settings = run_settings(args, writes=False)
    # the compare pipeline instead of the store; no run record, no lock
    settings.set("STORE_RELEASES", False, priority="cmdline")
    settings.set("COMPARE_RELEASES", True, priority="cmdline")
    pipelines = dict(settings.getdict("ITEM_PIPELINES"))
    pipelines.update({"pipelines.store.StorePipeline": None, "pipelines.compare.ComparePipeline": 800})
    settings.set("ITEM_PIPELINES", pipelines, priority="cmdline")
    stats, _ = run_in_process(settings, "reextract", **spider_args)  # its own verdict, below
    failed = dry_run_errors(stats)
    print(f"dry run, nothing stored: pages {stats.get('reextract/pages', 0)}, "
          f"new {stats.get('compare/new', 0)}, changed {stats.get('compare/changed', 0)}, "
          f"unchanged {stats.get('compare/unchanged', 0)}, errors {failed}")
    for example in stats.get("compare/examples") or []:
        print(f"\nstory {example['story_id']} ({example['url']})")
        for name, (old, new) in example["fields"].items():
            print(f"  {name}: {field_diff(old, new)}")
    if stats.get("finish_reason") != "finished" or failed > args.max_errors:
        return exitcodes.ERRORS
    return exitcodes.OK


def dry_run_errors(stats: dict) -> int:
    """The errors of a dry run: pages recorded as failed, and pages that ended neither
    compared nor recorded (a pipeline raised; Scrapy logs that and goes on), so that a
    comparison that broke is never reported as "changed 0, unchanged 0, errors 0"."""
    failed = sum(v for k, v in stats.items() if k.startswith("presseportal/failed/"))
    compared = sum(stats.get(f"compare/{k}", 0) for k in ("new", "changed", "unchanged"))
    return failed + max(0, stats.get("reextract/pages", 0) - compared - failed)


def field_diff(old: Any, new: Any) -> str:
    """A short view of how a value changed: strings around their first difference, other
    values whole (cut)."""
    if not (isinstance(old, str) and isinstance(new, str)):
        return f"{_cut(repr(old))} -> {_cut(repr(new))}"
    at = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    start = max(0, at - CONTEXT)

    def around(text: str) -> str:
        piece = text[start:at + CONTEXT]
        return ("…" if start else "") + piece + ("…" if at + CONTEXT < len(text) else "")

    return f"{around(old)!r} -> {around(new)!r} (first difference at character {at + 1})"


def _cut(text: str, limit: int = 2 * CONTEXT) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
