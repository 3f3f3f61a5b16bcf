"""`presseportal search`: German full-text search over the stored releases."""

from __future__ import annotations

import argparse

from crawler import exitcodes
from crawler.cli.common import err, fmt_time, reading_store
from crawler.db import reads


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="German full-text search with ranking and snippet")
    p.add_argument("query", help='words to look for, e.g. "Coworking Homeoffice"')
    p.add_argument("--limit", type=int, default=10)
    p.set_defaults(run=cmd_search)


def cmd_search(args: argparse.Namespace) -> int:
    with reading_store() as conn:
        rows = reads.search(conn, args.query, args.limit) if conn is not None else []
    if not rows:
        err(f"no release matches {args.query!r}")
    for row in rows:
        print(f"{row['rank']:.3f}  {fmt_time(row['published_at'])}  {row['title']}\n"
              f"       {row['url']}\n       {row['snippet']}\n")
    return exitcodes.OK
