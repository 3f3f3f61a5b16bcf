"""`presseportal schedule`: one refresh cycle of every followed newsroom, now.

Workers run it themselves on PRESSEPORTAL_REFRESH_CRON (and the sweep on
PRESSEPORTAL_SWEEP_CRON); this command is for one cron line instead, or to see what a
cycle does: it reads the site-wide feed once and queues a crawl job for each followed
newsroom with a story the store lacks (`--sweep`: for every followed newsroom).
"""

from __future__ import annotations

import argparse
import asyncio

from crawler import db, exitcodes
from crawler.cli.common import checked_settings, database_url, site_access


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schedule", help="one refresh cycle: queue a crawl for each followed newsroom with news",
                       description="Read the site-wide feed once and queue a crawl job for every followed "
                       "newsroom (every newsroom the store has met) that has a story the store lacks.")
    p.add_argument("--sweep", action="store_true",
                   help="queue a crawl (a conditional GET first) for every followed newsroom instead")
    p.set_defaults(run=cmd_schedule)


def cmd_schedule(args: argparse.Namespace) -> int:
    settings = checked_settings()
    url = database_url(settings)
    db.ensure_schema(url)
    from crawler.queue import quiet_queue_logs

    quiet_queue_logs()  # before the queue is loaded: it logs as it registers its tasks
    from crawler.queue.app import open_queue
    from crawler.queue.tasks import refresh_followed

    site = site_access(settings)

    async def cycle():
        async with open_queue(url) as queue_app:
            return await refresh_followed(queue_app, url, site, sweep=args.sweep)

    plan, jobs = asyncio.run(cycle())
    if not args.quiet:
        how = "swept every followed newsroom" if plan.swept else f"{plan.new_stories} new story(ies) in the feed"
        print(f"{how}: {len(plan.newsrooms)} newsroom(s), {len(jobs)} crawl job(s) queued")
    return exitcodes.OK
