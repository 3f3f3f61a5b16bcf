"""`presseportal report`: the archive and run health as one self-contained HTML file."""

from __future__ import annotations

import argparse

from crawler import db, exitcodes
from crawler.cli.common import (asked_newsrooms, database_url, err, output_file, project_settings, reading_store,
                                say_empty_newsrooms, window_and_publishers)
from crawler.items import OFFICE, PUBLISHER


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="archive and run health as one HTML file (charts inline)",
                       description="Write one self-contained HTML page (no scripts, nothing fetched when "
                       "opened): releases per month per newsroom, runs over time, field coverage per run, "
                       "failed pages; publishers' newsrooms and police/fire offices alike. Reads the store only.")
    p.add_argument("-o", "--output", default="report.html", type=output_file,
                   help="where to write it (default: report.html)")
    p.add_argument("--publisher", help="only these publishers' newsroom(s), comma separated ids")
    p.add_argument("--office", help="only these police/fire offices (/blaulicht/nr/{id}), comma separated ids; "
                   "with --publisher, both")
    p.add_argument("--since", help="only releases published and runs started on or after this day, YYYY-MM-DD")
    p.set_defaults(run=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """0; 1 when a newsroom asked for (`--publisher`, `--office`) has no release stored
    (one line each on stderr, as export says it; the report of the others is written all
    the same, and when none is left the file is left as it was)."""
    since, _, _ = window_and_publishers(args)
    newsrooms = asked_newsrooms(args) or []
    publishers = tuple(n.id for n in newsrooms if n.kind == PUBLISHER)
    offices = tuple(n.id for n in newsrooms if n.kind == OFFICE)
    output = args.output
    settings = project_settings()
    # imported here: matplotlib costs half a second, which cron's commands never pay
    from crawler.health.gather import Scope
    from crawler.health.report import write_report

    scope = Scope(since, publishers or None, offices or None)
    with reading_store() as conn:
        empty = say_empty_newsrooms(conn, newsrooms) if newsrooms else []
        if newsrooms and len(empty) == len(newsrooms):
            return exitcodes.ERRORS  # nothing to report on: no report of nothing over an old one
        try:
            data = write_report(
                conn, output, scope, store=db.describe(database_url(settings)),
                coverage_min=settings.getfloat("COVERAGE_MIN_RATIO"),
                coverage_min_items=settings.getint("COVERAGE_MIN_ITEMS"))
        except OSError as exc:
            err(f"cannot write {output}: {exc.strerror or exc}")
            return exitcodes.ERRORS
    counts = ", ".join(f"{n:,} {word}{'' if n == 1 else 's'}" for n, word in (
        (data.releases, "release"), (len(data.runs), "run"), (len(data.newsrooms), "newsroom")))
    print(f"report written to {output.resolve()} ({counts})")
    return exitcodes.ERRORS if empty else exitcodes.OK
