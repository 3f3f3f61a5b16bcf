"""`presseportal search`: German full-text search over the stored releases."""

from __future__ import annotations

import argparse

from crawler import exitcodes
from crawler.cli.common import (
    UsageError,
    err,
    fmt_published,
    positive_int,
    reading_store,
    release_address,
    release_title,
)
from crawler.db import reads

SYNTAX = """\
query syntax (PostgreSQL's websearch, German stemming):
  Bürgerbeteiligung Kommunen             both words, in any form
  "klare Botschaften"                    the phrase
  Bürgerbeteiligung OR Barrierefreiheit  either word
  Bürgerbeteiligung -Kommunen            the first word, not the second
Any form: "Hochschule" finds "Hochschulen". Words are also found inside compounds
("Marketing" finds "Stadtmarketing") and in ae/oe/ue/ss spelling ("Fachkraefte"
finds "Fachkräfte"); such matches rank after the full-text ones. Every example
finds releases in the demo's store (make demo): try them with
PRESSEPORTAL_EMBEDDED_DB=presseportal_demo presseportal search ..."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="German full-text search with ranking and snippet",
                       description="Search the stored releases: best matches first, each with "
                       "its date, title, URL and a one-line snippet («marked» words).",
                       epilog=SYNTAX, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("query", help='words to look for, e.g. "Bürgerbeteiligung Kommunen"')
    p.add_argument("--limit", type=positive_int, default=10, help="at most this many (default: 10)")
    p.set_defaults(run=cmd_search)


def cmd_search(args: argparse.Namespace) -> int:
    if not args.query.strip():
        raise UsageError("the search query is empty: give one or more words")
    with reading_store() as conn:
        rows = reads.search(conn, args.query, args.limit) if conn is not None else []
    if not rows:
        err(f"no release matches {args.query!r}")
    for row in rows:
        # a day-only date as the day; no title or URL (an import): its first words, its file:line
        print(f"{row['rank']:.3f}  {fmt_published(row['published_at'], row['published_precision'])}  "
              f"{release_title(row)}\n       {release_address(row)}\n       {row['snippet']}\n")
    return exitcodes.OK
