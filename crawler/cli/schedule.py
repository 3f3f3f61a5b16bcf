"""`presseportal schedule`: one refresh cycle of every followed newsroom, now.

Workers run it themselves on PRESSEPORTAL_REFRESH_CRON (and the sweep on
PRESSEPORTAL_SWEEP_CRON); this command is for one cron line instead, or to see what a
cycle does: it reads the site-wide feed once and queues one job that fetches the stories
of followed newsrooms the store lacks (`--sweep`: a crawl job for every followed newsroom).
A feed the site does not give this cycle (it asked to wait, robots.txt forbids it or
cannot be read, no answer) is one line and exit 1, nothing queued.
"""

from __future__ import annotations

import argparse
import asyncio

from crawler import db, exitcodes
from crawler.cli.common import checked_settings, database_url, err, site_access, warn_missing_contact


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schedule", help="one refresh cycle: queue the followed newsrooms' new stories",
                       description="Read the site-wide feed once and queue one job that fetches the "
                       "stories of followed newsrooms (every newsroom the store has met) the store lacks, "
                       "each filed under its newsroom.")
    p.add_argument("--sweep", action="store_true",
                   help="queue a crawl (a conditional GET first) for every followed newsroom instead")
    p.set_defaults(run=cmd_schedule)


def cmd_schedule(args: argparse.Namespace) -> int:
    settings = checked_settings()
    url = database_url(settings)
    db.ensure_schema(url)
    from crawler.queue.app import open_queue
    from crawler.queue.tasks import NoFeed, describe_cycle, refresh_followed

    warn_missing_contact(settings, quiet=args.quiet)
    site = site_access(settings)

    async def cycle():
        async with open_queue(url) as queue_app:
            return await refresh_followed(queue_app, url, site, sweep=args.sweep)

    try:
        plan, jobs = asyncio.run(cycle())
    except NoFeed as exc:
        err(str(exc))
        return exitcodes.ERRORS
    if not args.quiet:
        print(describe_cycle(plan, jobs))
    return exitcodes.OK
