"""`presseportal enqueue crawl|backfill`: put crawl jobs on the queue for the workers.

One job per newsroom (and window): `--publisher 1,2,3`, `--office 99001` (police and fire
offices), or `--all-known` (every newsroom the store has met). A job that already waits is not queued twice (the queue's queueing
lock); the same job may wait while one runs (a refresh queued during a crawl).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from crawler import db, exitcodes
from crawler.cli.common import UsageError, database_url, project_settings, window_and_publishers
from crawler.db import queue as queue_db
from crawler.state import parse_newsrooms


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("enqueue", help="put crawl or backfill jobs on the queue for the workers",
                       description="Queue one job per newsroom (and date window) for `presseportal worker`.")
    p.add_argument("mode", choices=("crawl", "backfill"),
                   help="crawl: what is new (the cron job); backfill: the archive or a window")
    p.add_argument("--publisher", help="publisher id(s), comma separated")
    p.add_argument("--office", help="police or fire office id(s) (/blaulicht/nr/{id}), comma separated")
    p.add_argument("--all-known", action="store_true",
                   help="every newsroom the store has met (instead of --publisher)")
    p.add_argument("--since", help="backfill: first day, YYYY-MM-DD")
    p.add_argument("--until", help="backfill: last day, YYYY-MM-DD")
    p.set_defaults(run=cmd_enqueue)


def cmd_enqueue(args: argparse.Namespace) -> int:
    from crawler.queue.jobs import CrawlJob

    named = bool(args.publisher or args.office)
    if named == bool(args.all_known):
        raise UsageError("name the newsrooms: --publisher ID[,ID...] and/or --office ID[,ID...], or --all-known")
    since, until, _ = window_and_publishers(args)
    if (since or until) and args.mode != "backfill":
        raise UsageError("--since and --until are for backfill jobs")
    newsrooms = []
    if named:
        try:
            newsrooms = parse_newsrooms(args.publisher, args.office)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    url = database_url(project_settings())
    db.ensure_schema(url)
    if args.all_known:
        with db.connect(url) as conn:
            newsrooms = queue_db.followed_newsrooms(conn)
    jobs = [CrawlJob(args.mode, room.id, kind=room.kind, since=since.isoformat() if since else "",
                     until=until.isoformat() if until else "") for room in newsrooms]
    queued = asyncio.run(defer_all(url, jobs))
    waiting = len(jobs) - len(queued)
    if not args.quiet:
        print(f"queued {len(queued)} job(s)" + (f", {waiting} already waiting" if waiting else ""),
              file=sys.stderr)
    return exitcodes.OK


async def defer_all(url: str, jobs) -> list[int]:
    """Queue the jobs; the ids of those queued now (one already waiting is skipped)."""
    from crawler.queue.app import open_queue
    from crawler.queue.tasks import defer_crawl

    async with open_queue(url) as queue_app:
        ids = [await defer_crawl(queue_app, job) for job in jobs]
    return [i for i in ids if i is not None]
