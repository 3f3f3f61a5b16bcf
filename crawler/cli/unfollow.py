"""`presseportal unfollow`: stop following newsrooms, keeping their releases.

A followed newsroom (every one the site has shown the store: a crawled release of it, or a
crawl or backfill that named it; `known_newsrooms`, migrations 011 and 012; not one only
imported records name) is crawled by the workers' refresh and
watched by the report and the metrics ("no successful run"). Unfollowed, it is neither;
its releases stay searchable and exportable, and a later `presseportal crawl` of it
follows it again (crawler/db/newsrooms.py).
"""

from __future__ import annotations

import argparse

from crawler import db, exitcodes
from crawler.cli.common import asked_newsrooms, database_url, say_empty_newsrooms
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
    included); 1 when the store holds no release of one and does not follow it (nothing
    to unfollow: a wrong id, a newsroom the site does not know, or the other kind), said
    in one line as export says it, the others unfollowed all the same. A followed
    newsroom without a release (its crawls never stored one) can be unfollowed."""
    wanted = asked_newsrooms(args, required=True)
    url = database_url()
    db.ensure_schema(url)
    with db.connect(url) as conn:
        held = newsrooms_db.holdings(conn, wanted)
        followed = [h for h in held if h.met and not h.unfollowed]
        known = [h for h in held if h.releases or h in followed]
        unknown = say_empty_newsrooms(conn, [h.newsroom for h in held if h not in known])
        newsrooms_db.unfollow(conn, [h.newsroom for h in followed], "presseportal unfollow")
    for h in known if not args.quiet else ():
        stay = f"its {h.releases} release(s) stay" if h.releases else "no release of it is stored"
        state = ("no longer followed" if h in followed
                 else "not followed: only imported records name it" if not h.met
                 else "already not followed")
        print(f"{h.newsroom}: {state}; {stay} (a crawl of it follows it again)")
    return exitcodes.ERRORS if unknown else exitcodes.OK
