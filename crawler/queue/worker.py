"""A worker: takes jobs from the queue and runs them, with a lease on each.

The lease is procrastinate's worker heartbeat: every `lease / 3` seconds a worker tells
the database it lives. Each worker also looks, every `lease / 3` seconds, for jobs held by
a worker whose heartbeat is older than `lease` (it was killed, its machine is gone) and
puts them back on the queue: the next free worker takes the job and its crawl resumes
from the stored resume point. So a job is taken over between `lease` and `4/3 lease`
seconds after its worker died.

SIGTERM (or Ctrl-C): the worker takes no new job, gives the running ones `grace`
seconds to finish, then stops their crawls cleanly (the run row is finished, a backfill's
resume point saved) and puts them back on the queue (`tasks.Released`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from dataclasses import dataclass, field

from procrastinate import exceptions

from crawler.queue.app import open_queue

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerOptions:
    """How a worker runs: `concurrency` jobs at once; `lease` seconds without a heartbeat
    before another worker takes a job over; `grace` seconds a job may finish in after
    SIGTERM; `env` the crawls' environment; `queues` None for all; `refresh_cron` and
    `sweep_cron` (cron lines, "" for none) the periodic refresh of followed newsrooms."""

    concurrency: int = 1
    lease: float = 30.0
    grace: float = 30.0
    env: dict[str, str] = field(default_factory=dict)
    queues: tuple[str, ...] | None = None
    refresh_cron: str = ""
    sweep_cron: str = ""
    extra: dict = field(default_factory=dict)  # more additional_context for the tasks


def worker_name() -> str:
    """"host:pid": how status names a worker."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def take_over_stalled_jobs(queue_app, lease: float) -> list[int]:
    """Put back on the queue every running job whose worker sent no heartbeat for `lease`
    seconds; their ids."""
    taken = []
    for job in await queue_app.job_manager.get_stalled_jobs(seconds_since_heartbeat=lease):
        try:
            await queue_app.job_manager.retry_job(job)
        except exceptions.ProcrastinateException as exc:  # another worker was quicker
            logger.debug("job %s: %s", job.id, exc)
            continue
        logger.warning("job %s (%s) lost its worker: back on the queue", job.id, job.task_kwargs)
        taken.append(job.id)
    return taken


async def _watch_leases(queue_app, lease: float) -> None:
    while True:
        await asyncio.sleep(lease / 3)
        try:
            await take_over_stalled_jobs(queue_app, lease)
        except Exception as exc:  # the database away for a moment: the next round tries again
            logger.warning("could not look for stalled jobs: %s", exc)


class OneLineJobEnds(logging.Filter):
    """procrastinate logs each job that raised with the exception's traceback. A job that
    ended as the queue expects (`tasks.JobEnd`: a crawl that failed, released on SIGTERM,
    locked, the database away) is one line with its reason instead; a traceback stays for
    anything else (a bug)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from crawler.queue.tasks import JobEnd

        exc = record.exc_info[1] if isinstance(record.exc_info, tuple) else None
        if isinstance(exc, JobEnd):
            record.msg, record.args = f"{record.getMessage()} - {exc}", None
            record.exc_info = record.exc_text = None
        return True


def one_line_job_ends() -> None:
    """Install `OneLineJobEnds` on procrastinate's worker logger (once)."""
    procrastinate_worker = logging.getLogger("procrastinate.worker")
    if not any(isinstance(f, OneLineJobEnds) for f in procrastinate_worker.filters):
        procrastinate_worker.addFilter(OneLineJobEnds())


async def run_worker(url: str, options: WorkerOptions) -> None:
    """Run a worker on the store at `url` until SIGTERM / SIGINT."""
    from crawler.queue import tasks

    one_line_job_ends()

    async with open_queue(url, pool_size=options.concurrency + 3) as queue_app:
        if options.refresh_cron:
            queue_app.periodic(cron=options.refresh_cron, periodic_id="refresh")(tasks.refresh)
        if options.sweep_cron:
            queue_app.periodic(cron=options.sweep_cron, periodic_id="sweep",
                               )(tasks.sweep)
        watcher = asyncio.create_task(_watch_leases(queue_app, options.lease))
        try:
            await queue_app.run_worker_async(
                name=worker_name(),
                concurrency=options.concurrency,
                queues=list(options.queues) if options.queues else None,
                shutdown_graceful_timeout=options.grace,
                update_heartbeat_interval=options.lease / 3,
                stalled_worker_timeout=options.lease,
                additional_context={"database_url": url, "worker": worker_name(),
                                    "env": options.env, **options.extra},
            )
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
