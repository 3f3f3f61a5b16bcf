"""`presseportal worker`: a long-lived process that takes jobs from the queue and crawls them.

Start as many as you like, on as many machines as reach the store's PostgreSQL; they
share the jobs (crawler/queue) and one request budget per site (crawler/budget.py).
SIGTERM or Ctrl-C: no new job; running ones get `--grace` seconds to finish, then their
crawls stop cleanly and the jobs go back on the queue. Exit 0 after a clean stop.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from croniter import croniter  # procrastinate's own reader of cron lines

from crawler import db, exitcodes
from crawler.cli.common import (
    UsageError,
    checked_settings,
    database_url,
    positive_int,
    site_access,
    warn_missing_contact,
)

CRON_SETTINGS = ("PRESSEPORTAL_REFRESH_CRON", "PRESSEPORTAL_SWEEP_CRON")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("worker", help="take jobs from the queue and crawl them (many workers, many machines)",
                       description="A worker of the job queue in PostgreSQL (procrastinate). Runs until "
                       "SIGTERM / Ctrl-C, then finishes or releases its jobs.")
    p.add_argument("--concurrency", type=positive_int, default=1,
                   help="jobs at once in this worker, each a crawl process (default: 1)")
    p.add_argument("--queue", action="append", choices=("refresh", "backfill"), default=None,
                   help="take jobs of this queue only (repeat for more; default: all)")
    p.add_argument("--lease", type=float, default=None,
                   help="seconds without a heartbeat before another worker takes a job over "
                   "(default: the setting PRESSEPORTAL_LEASE_SECONDS, 30)")
    p.add_argument("--grace", type=float, default=None,
                   help="seconds a running job may finish in after SIGTERM "
                   "(default: the setting PRESSEPORTAL_WORKER_GRACE_SECONDS, 30)")
    p.add_argument("--no-schedule", action="store_true",
                   help="do not run the periodic refresh and sweep (PRESSEPORTAL_REFRESH_CRON, "
                   "PRESSEPORTAL_SWEEP_CRON) in this worker")
    p.set_defaults(run=cmd_worker)


def cmd_worker(args: argparse.Namespace) -> int:
    settings = checked_settings()
    lease = settings.getfloat("PRESSEPORTAL_LEASE_SECONDS") if args.lease is None else args.lease
    grace = settings.getfloat("PRESSEPORTAL_WORKER_GRACE_SECONDS") if args.grace is None else args.grace
    if lease < 3 or grace < 0:
        raise UsageError("--lease is 3 seconds or more, --grace 0 or more")
    crons = {} if args.no_schedule else {name: settings.get(name) or "" for name in CRON_SETTINGS}
    for name, line in crons.items():
        if line and not croniter.is_valid(line):
            raise UsageError(f"{name} is a cron line such as '*/15 * * * *' (\"\" for none), not {line!r}")
    url = database_url(settings)
    db.ensure_schema(url)
    # once at the worker's start: its crawls run quiet (-q), its refresh asks the site too
    warn_missing_contact(settings, quiet=args.quiet)
    # imported once the store answers: loading the queue is the worker's business
    from crawler.queue.worker import WorkerOptions, run_worker

    options = WorkerOptions(
        concurrency=args.concurrency, lease=lease, grace=grace,
        env={**os.environ, "DATABASE_URL": url},
        queues=tuple(args.queue) if args.queue else None,
        refresh_cron=crons.get("PRESSEPORTAL_REFRESH_CRON", ""),
        sweep_cron=crons.get("PRESSEPORTAL_SWEEP_CRON", ""),
        extra={"site": site_access(settings)},
    )
    asyncio.run(run_worker(url, options))
    return exitcodes.OK
