"""RunRecord: the crawl's own row in `crawl_runs`, its failed pages, and its verdict.

When the spider opens (after `RunLock` took the lock), it marks runs of the same
newsrooms left unfinished by dead processes `abandoned`, starts this run's row, and
tells the spider (`crawl_state`) which stories are already stored and the newsroom
first pages' validators of the last successful run. During the crawl it collects failed
pages (`crawler.signals.page_failed`, dropped items, pipeline and spider exceptions).
When the spider closes it writes them to `crawl_errors`, decides the run's status
(`run_status`) and finishes the row; only a successful run saves the validators the
next cron run asks with.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler import db
from crawler.extensions.run_lock import RunLock, named
from crawler.items import Newsroom
from crawler.signals import failure_reason, page_failed, run_lock_moved
from crawler.state import Validators

logger = logging.getLogger(__name__)

MAX_RECORDED_ERRORS = 10_000


@dataclass
class FailedPage:
    url: str
    stage: str
    reason: str
    snippet: str = ""


def newsroom_key(newsroom: Newsroom) -> str:
    """The crawl_cursors key under which a newsroom's validators are kept
    ("newsroom:publisher:73811", "newsroom:office:99001")."""
    return f"newsroom:{newsroom.key}"


class RunRecord:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.run_id: int | None = None
        self.conninfo = ""
        self.failed: list[FailedPage] = []

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("STORE_RELEASES"):
            raise NotConfigured("STORE_RELEASES is off")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.page_failed, signal=page_failed)
        crawler.signals.connect(ext.lock_moved, signal=run_lock_moved)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        return ext

    # --- opening ---------------------------------------------------------------------------

    def spider_opened(self, spider):
        lock = self.crawler.get_extension(RunLock)
        if lock is None or not lock.held:
            return  # locked or database unavailable: RunLock closes the crawl
        state = spider.crawl_state
        plan = state.plan
        self.conninfo = lock.conninfo
        with db.connect(self.conninfo) as conn:
            # holding the newsroom lock, no live run of these newsrooms can be unfinished;
            # a run without the lock (an import) looks at unfinished runs of its own mode
            stale = (db.abandon_stale_runs(conn, plan.newsrooms) if plan.locks_newsrooms
                     else db.abandon_stale_runs_of_mode(conn, plan.mode))
            for run_id in stale:
                logger.warning("run #%d was left unfinished by a process that is gone: marked abandoned", run_id)
            self.run_id = db.start_run(conn, plan.mode, plan.newsrooms, lock_backend_pid=lock.backend_pid)
            self.stats.set_value("presseportal/run_id", self.run_id)
            if plan.skips_known:
                state.known_story_ids = db.known_story_ids(
                    conn, plan.newsrooms, imports=plan.imports_count_as_stored)
                logger.info("%d stories of %s already stored", len(state.known_story_ids), named(plan.newsrooms))
            for newsroom in plan.newsrooms:
                validators = Validators.from_dict(db.get_cursor(conn, newsroom_key(newsroom)))
                if validators:
                    state.listing_validators[newsroom] = validators

    def lock_moved(self, backend_pid: int):
        if self.run_id is None:
            return
        try:
            with db.connect(self.conninfo) as conn:
                db.reattach_run(conn, self.run_id, backend_pid)
        except (db.DatabaseUnavailable, db.Error) as exc:
            logger.warning("could not name the run lock's new session on run #%d: %s", self.run_id, exc)

    # --- failed pages ------------------------------------------------------------------------

    def page_failed(self, url, stage, reason, snippet=""):
        if len(self.failed) < MAX_RECORDED_ERRORS:
            self.failed.append(FailedPage(url, stage, reason, snippet))
        self.stats.inc_value("presseportal/errors")

    def item_dropped(self, item, response, exception, spider=None):
        self.page_failed(where(item, response), "pipeline", str(exception), "")

    def item_error(self, item, response, spider=None, failure=None):
        # a pipeline raised something else than DropItem: the release is lost, say so
        self.page_failed(where(item, response), "pipeline", failure_reason(failure), "")

    def spider_error(self, failure, response, spider=None):
        # a bug met a page the spider did not expect: count it, never end as a success
        self.page_failed(response.url if response is not None else "", "spider", failure_reason(failure),
                         response.text[:500] if hasattr(response, "text") else "")

    # --- closing -------------------------------------------------------------------------------

    def spider_closed(self, spider, reason):
        if self.run_id is None:
            return
        status = run_status(self.stats.get_stats(), reason,
                            max_errors=self.crawler.settings.getint("PRESSEPORTAL_MAX_ERRORS"))
        self.stats.set_value("presseportal/run_status", status)
        # a fresh connection: the server may have been restarted during the crawl
        try:
            self.finish(spider, status)
        except (db.DatabaseUnavailable, db.Error) as exc:
            logger.error("could not finish the record of run #%d (%s): %s",
                         self.run_id, status, db.first_line(exc, self.conninfo))

    def finish(self, spider, status: str) -> None:
        with db.connect(self.conninfo) as conn:
            for page in self.failed:
                db.record_error(conn, self.run_id, page.url, page.stage, page.reason, page.snippet)
            if status == "success":
                # only a good run may tell the next one "unchanged since": after a failed
                # run, the next must look at the newsroom again
                for newsroom, validators in spider.crawl_state.seen_validators.items():
                    if validators:
                        db.set_cursor(conn, newsroom_key(newsroom), validators.as_dict())
            db.finish_run(conn, self.run_id, status, run_counts(self.stats))


def where(item: Any, response) -> str:
    """What a failed item's crawl_errors row names: an import's file and line, else its
    page's URL."""
    return (getattr(item, "location", "") or getattr(item, "url", "")
            or (response.url if response is not None else ""))


def run_counts(stats) -> dict[str, Any]:
    """The counts a run row keeps: pages fetched, new / changed / unchanged, errors, coverage."""
    get = stats.get_value
    coverage = {k.removeprefix("coverage/ratio/"): v for k, v in stats.get_stats().items()
                if k.startswith("coverage/ratio/")}
    return {
        "pages": get("response_received_count", 0),
        "new": get("store/new", 0),
        "changed": get("store/changed", 0),
        "unchanged": get("store/unchanged", 0),
        "errors": get("presseportal/errors", 0),
        "coverage": coverage,
    }


def run_status(stats: Mapping[str, Any], reason: str, *, max_errors: int = 0) -> str:
    """success; errors (finished, but more pages failed than tolerated, a field's
    coverage is low, or releases could not be stored); or the reason the crawl stopped early."""
    if reason != "finished":
        return reason
    if stats.get("presseportal/errors", 0) > max_errors or stats.get("coverage/low_fields"):
        return "errors"
    if stats.get("store/error") or stats.get("store/spilled"):
        return "errors"  # releases went to a spill file instead of the database
    return "success"
