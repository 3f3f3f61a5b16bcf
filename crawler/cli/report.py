"""`presseportal report`: the archive and run health as one self-contained HTML file."""

from __future__ import annotations

import argparse

from crawler import db, exitcodes
from crawler.cli.common import (UsageError, database_url, err, output_file, project_settings, reading_store,
                                window_and_publishers)
from crawler.items import OFFICE
from crawler.state import parse_publishers


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
    since, _, publishers = window_and_publishers(args)
    try:
        offices = parse_publishers(args.office, kind=OFFICE) if args.office else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    output = args.output
    settings = project_settings()
    # imported here: matplotlib costs half a second, which cron's commands never pay
    from crawler.health.gather import Scope
    from crawler.health.report import write_report

    scope = Scope(since, tuple(publishers) if publishers else None, tuple(offices) if offices else None)
    with reading_store() as conn:
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
    return exitcodes.OK
