"""The queue's tasks: crawl a newsroom, fetch the feed's new stories, refresh the
followed newsrooms.

`crawl_newsroom` (and `fetch_stories`, `presseportal crawl --story`) runs the job's
crawl as a child process (crawler/queue/child.py) and turns its exit status into the
job's fate:

| crawl exits | job |
| --- | --- |
| 0 | succeeded |
| 75 (another run holds the newsroom) | a crawl: succeeded as skipped (the next cycle comes); a backfill: retried in `LOCKED_RETRY_SECONDS` |
| 69 (database unavailable) | retried in `UNAVAILABLE_RETRY_SECONDS` |
| anything else | failed; the reason (the crawl's one line) is kept in job_attempts |
| stopped because the worker stops | released: back on the queue at once, to resume where it stopped |

A worker that dies (kill -9, a lost machine) stops its heartbeat; after the lease another
worker gives its job back to the queue (crawler/queue/worker.py), and the job's crawl
resumes from the stored resume point, skipping what is stored.

The worker passes what a task needs in the job context's `additional_context`:
`database_url`, `worker` ("host:pid"), `env` (the crawl's environment) and, for the
refresh, `site` (crawler/queue/refresh.py `SiteAccess`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from procrastinate import JobContext, exceptions
from procrastinate.jobs import Job
from procrastinate.retry import BaseRetryStrategy, RetryDecision

from crawler import db, exitcodes
from crawler.db import queue as queue_db
from crawler.queue.app import app
from crawler.queue.child import run_crawl_child
from crawler.queue.jobs import CrawlJob, StoriesJob

logger = logging.getLogger(__name__)

LOCKED_RETRY_SECONDS = 30
UNAVAILABLE_RETRY_SECONDS = 30
MAX_ATTEMPTS = 50


class JobEnd(Exception):
    """An end of a job that the queue expects, with its reason (one line): the worker logs
    it in one line, without a traceback (`crawler.queue.worker.OneLineJobEnds`); any other
    exception is a bug and keeps its traceback."""

    what = "ended"

    def __str__(self) -> str:
        return f"{self.what}: {super().__str__()}"


class Released(JobEnd):
    """The worker stopped the job's crawl (SIGTERM): the job goes back on the queue."""

    what = "released"


class Locked(JobEnd):
    """Another run holds the newsroom (or the window): try again later."""

    what = "locked"


class DatabaseAway(JobEnd):
    """The crawl could not reach the database: try again later."""

    what = "database unavailable"


class CrawlFailed(JobEnd):
    """The crawl ended with errors; the job fails with the crawl's reason."""

    what = "crawl failed"


class NoFeed(JobEnd):
    """The refresh could not read the site-wide feed this cycle (the site asked to wait,
    robots.txt, no answer); the next cycle tries again."""

    what = "no refresh this cycle"


class CrawlRetry(BaseRetryStrategy):
    """Released jobs go back at once; locked or database-less ones after a pause; a
    failed crawl is not retried (its next scheduled run, or a person, decides)."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if job.attempts >= MAX_ATTEMPTS:
            return None
        if isinstance(exception, Released):
            return RetryDecision(retry_in={"seconds": 0})
        if isinstance(exception, Locked):
            return RetryDecision(retry_in={"seconds": LOCKED_RETRY_SECONDS})
        if isinstance(exception, DatabaseAway):
            return RetryDecision(retry_in={"seconds": UNAVAILABLE_RETRY_SECONDS})
        return None


async def defer_crawl(queue_app, job: CrawlJob) -> int | None:
    """Put `job` on the queue; its id, or None when the same job already waits (the
    queueing lock: one waiting job per newsroom and window)."""
    try:
        return await crawl_newsroom.configure(
            queue=job.queue, lock=job.key, queueing_lock=job.key,
        ).defer_async(**job.as_args())
    except exceptions.AlreadyEnqueued:
        return None


async def defer_stories(queue_app, job: StoriesJob) -> int:
    """Put the refresh's stories on the queue (one such job runs at a time; none is
    turned away, see `StoriesJob`); its id."""
    return await fetch_stories.configure(queue=job.queue, lock=job.key).defer_async(**job.as_args())


def _with_store(url: str, call, *args: Any) -> Any:
    """`call(conn, *args)` on a fresh connection; the database away is `DatabaseAway`
    (the job is tried again later)."""
    try:
        with db.connect(url) as conn:
            return call(conn, *args)
    except (db.Error, db.DatabaseUnavailable) as exc:
        raise DatabaseAway(str(exc)) from None


@app.task(name="crawl_newsroom", pass_context=True, retry=CrawlRetry())
async def crawl_newsroom(context: JobContext, **job_args: Any) -> str:
    """Crawl one newsroom (or window) as the job says; what happened, in one line."""
    return await run_job(context, CrawlJob.from_args(job_args))


@app.task(name="fetch_stories", pass_context=True, retry=CrawlRetry())
async def fetch_stories(context: JobContext, **job_args: Any) -> str:
    """Fetch the stories a refresh found in the site-wide feed; what happened, in one line."""
    return await run_job(context, StoriesJob.from_args(job_args))


async def run_job(context: JobContext, job: CrawlJob | StoriesJob) -> str:
    """Run the job's `presseportal` command as a child, recording the attempt; its exit
    status decides the job's fate (the table above)."""
    extra = context.additional_context
    url = extra["database_url"]
    attempt = await asyncio.to_thread(_with_store, url, queue_db.start_attempt, context.job.id, extra["worker"])
    outcome, reason = "failed", ""
    try:
        result = await run_crawl_child([*job.argv(), "-q"], {**extra["env"], "DATABASE_URL": url})
        reason = result.reason
        if result.returncode == exitcodes.OK:
            outcome = "succeeded"
            return f"{job.describe()}: done"
        if result.returncode == exitcodes.LOCKED:
            if job.mode == "crawl":
                outcome = "skipped"
                return f"{job.describe()}: skipped, {reason}"
            outcome = "retry"
            raise Locked(reason)
        if result.returncode == exitcodes.UNAVAILABLE:
            outcome = "retry"
            raise DatabaseAway(reason)
        raise CrawlFailed(reason or f"the crawl exited with status {result.returncode}")
    except asyncio.CancelledError:
        outcome, reason = "released", "the worker stopped; the job went back on the queue"
        raise Released(reason) from None
    finally:
        try:
            await asyncio.to_thread(_with_store, url, queue_db.finish_attempt, attempt, outcome, reason)
        except DatabaseAway as exc:  # the job's own outcome matters more than its note
            logger.warning("could not record how job %s ended: %s", context.job.id, exc)


async def refresh_followed(queue_app, url: str, site, *, sweep: bool = False) -> tuple[object, list[int]]:
    """One refresh cycle (crawler/queue/refresh.py): the plan, and the ids of the jobs it
    put on the queue: when swept, a crawl job per followed newsroom (a newsroom whose crawl
    already waits gets none); else one job for the feed's new stories, if any. `NoFeed`
    (one line) when the site-wide feed could not be read politely this cycle."""
    from crawler.queue import refresh as cycle

    try:
        entries = [] if sweep else await cycle.fetch_site_feed(url, site)
    except cycle.SiteRefused as exc:
        raise NoFeed(str(exc)) from None
    followed, stored, last_newest = await asyncio.to_thread(cycle.read_store, url, entries)
    plan = cycle.plan_refresh(entries, followed, stored, last_newest, sweep=sweep)
    jobs = []
    if plan.swept:
        for newsroom in plan.newsrooms:
            job_id = await defer_crawl(queue_app, CrawlJob("crawl", newsroom.id, kind=newsroom.kind))
            if job_id is not None:
                jobs.append(job_id)
    elif plan.stories:
        jobs.append(await defer_stories(queue_app, StoriesJob(tuple(plan.stories))))
    await asyncio.to_thread(cycle.remember, url, plan)
    return plan, jobs


@app.task(name="refresh", queue="refresh", queueing_lock="refresh", pass_context=True)
async def refresh(context: JobContext, timestamp: int | None = None) -> str:
    """The periodic refresh: the site-wide feed, then one job fetching the new stories of
    followed newsrooms (a crawl job per followed newsroom when the feed shows a gap)."""
    extra = context.additional_context
    plan, jobs = await refresh_followed(context.app, extra["database_url"], extra["site"])
    return describe_cycle(plan, jobs)


@app.task(name="sweep", queue="refresh", queueing_lock="sweep", pass_context=True)
async def sweep(context: JobContext, timestamp: int | None = None) -> str:
    """The safety net: a crawl job (a conditional GET first) for every followed newsroom."""
    extra = context.additional_context
    plan, jobs = await refresh_followed(context.app, extra["database_url"], extra["site"], sweep=True)
    return describe_cycle(plan, jobs)


def describe_cycle(plan, jobs: list[int]) -> str:
    """What a refresh cycle did, in one line (the job's result, `presseportal schedule`)."""
    if plan.swept:
        return f"swept every followed newsroom: {len(plan.newsrooms)} newsroom(s), {len(jobs)} crawl job(s) queued"
    return (f"{plan.new_stories} new story(ies) in the feed, in {len(plan.newsrooms)} followed newsroom(s): "
            f"{len(jobs)} stories job(s) queued")
