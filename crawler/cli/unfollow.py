"""`presseportal unfollow`: stop following newsrooms, keeping their releases.

A followed newsroom (every one the store has met) is crawled by the workers' refresh and
watched by the report and the metrics ("no successful run"). Unfollowed, it is neither;
its releases stay searchable and exportable, and a later `presseportal crawl` of it
follows it again (crawler/db/newsrooms.py).
"""

from __future__ import annotations

import argparse

from crawler import db, exitcodes
from crawler.cli.common import asked_newsrooms, database_url, err
from crawler.db import newsrooms as newsrooms_db


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("unfollow", help="stop following newsrooms (their releases stay)",
                       description="Stop following newsrooms: the workers' refresh no longer crawls "
                       "them and the report and metrics no longer watch them; their stored releases "
                       "stay. A later crawl of a newsroom follows it again.")
    p.add_argument("--publisher", help="publisher id(s), comma separated")
    p.add_argument("--office", help="police or fire office id(s), comma separated")
    p.set_defaults(run=cmd_unfollow)


def cmd_unfollow(args: argparse.Namespace) -> int:
    """Exit 0 when every newsroom named is no longer followed (already unfollowed ones
    included); 1 when the store never met one of them (nothing to unfollow: a wrong id,
    or the other kind, which the line names when the store met it), the others
    unfollowed all the same."""
    wanted = asked_newsrooms(args, required=True)
    url = database_url()
    db.ensure_schema(url)
    with db.connect(url) as conn:
        held = newsrooms_db.holdings(conn, wanted)
        known = [h for h in held if h.met]
        # an office's number given as --publisher (or the reverse): the line says so
        others = {h.newsroom: h for h in newsrooms_db.holdings(
            conn, [h.newsroom.other_kind() for h in held if not h.met])}
        newsrooms_db.unfollow(conn, [h.newsroom for h in known if not h.unfollowed], "presseportal unfollow")
    for h in held:
        if not h.met:
            other = others.get(h.newsroom.other_kind())
            hint = f"; {other.newsroom} is one: --{other.newsroom.kind} {other.newsroom.id}?" if other and other.met else ""
            err(f"{h.newsroom}: the store has never met this newsroom; nothing to unfollow{hint}")
        elif args.quiet:
            continue
        elif h.unfollowed:
            print(f"{h.newsroom}: already not followed; its {h.releases} release(s) stay "
                  f"(a crawl of it follows it again)")
        else:
            print(f"{h.newsroom}: no longer followed; its {h.releases} release(s) stay "
                  f"(a crawl of it follows it again)")
    return exitcodes.OK if len(known) == len(held) else exitcodes.ERRORS

