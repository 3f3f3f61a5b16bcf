"""BackfillCursor: crash-safe backfills, with their resume point kept in PostgreSQL.

Scrapy's JOBDIR is lost on `kill -9`; the database is not. Every
PRESSEPORTAL_CURSOR_SECONDS the cursor (`crawl_cursors`) moves to the end of the longest
run of listing pages whose queued stories the store has written in this run. A rerun of
the same backfill (same newsroom, window and refresh flag) starts one page before that
point: the page of margin absorbs stories deleted meanwhile, which move older ones up.
Stories already stored are skipped anyway, so the margin costs one listing request. A
backfill that finishes cleanly deletes its cursor.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler import db
from crawler.extensions.run_lock import RunLock
from crawler.items import Newsroom
from crawler.state import CrawlPlan, CrawlState, NewsroomWalk

logger = logging.getLogger(__name__)


def cursor_key(plan: CrawlPlan, newsroom: Newsroom) -> str:
    """The crawl_cursors key of one newsroom's backfill with this window and refresh flag
    ("backfill:publisher:73811:2024-01-01::missing")."""
    return (f"backfill:{newsroom.key}:{plan.since or ''}:{plan.until or ''}"
            f":{'refresh' if plan.refresh else 'missing'}")


class BackfillCursor:
    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.state: CrawlState | None = None
        self.conninfo = ""
        self.conn = None
        self.task = None
        self.since: datetime | None = None
        self.saved: dict[Newsroom, int] = {}
        self.done_pages: dict[Newsroom, int] = {}

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("STORE_RELEASES"):
            raise NotConfigured("STORE_RELEASES is off")
        ext = cls(crawler, settings.getfloat("PRESSEPORTAL_CURSOR_SECONDS", 5.0))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        state = spider.crawl_state
        lock = self.crawler.get_extension(RunLock)
        if state.plan.mode != "backfill" or lock is None or not lock.held:
            return
        self.state = state
        self.since = datetime.now(UTC)
        self.conninfo = lock.conninfo
        self.conn = db.connect(self.conninfo)
        for newsroom in state.plan.newsrooms:
            saved = db.get_cursor(self.conn, cursor_key(state.plan, newsroom))
            if saved:
                state.resume_offsets[newsroom] = max(0, saved["offset"] - saved.get("page_size", 0))
                self.saved[newsroom] = saved["offset"]
        self.task = task.LoopingCall(self.checkpoint)
        self.task.start(self.interval, now=False)

    def checkpoint(self) -> None:
        try:
            if self.conn.closed:
                self.conn = db.connect(self.conninfo)
            for newsroom, walk in self.state.walks.items():
                self.advance(newsroom, walk)
        except (db.Error, db.DatabaseUnavailable) as exc:
            # no loss: the resume point only stays behind; the next tick tries again
            logger.warning("could not save the backfill's resume point: %s", exc)
            self.conn.close()

    def advance(self, newsroom: Newsroom, walk: NewsroomWalk) -> None:
        done = self.done_pages.get(newsroom, 0)  # pages before this index are confirmed stored
        pending = [sid for page in walk.pages[done:] for sid in page.queued]
        stored = db.stored_since(self.conn, pending, self.since)
        reached = None
        for page in walk.pages[done:]:
            if not all(sid in stored for sid in page.queued):
                break
            done += 1
            reached = page.offset + page.cards
        self.done_pages[newsroom] = done
        if reached is not None and reached > self.saved.get(newsroom, 0):
            db.set_cursor(self.conn, cursor_key(self.state.plan, newsroom),
                          {"offset": reached, "page_size": walk.page_size})
            self.saved[newsroom] = reached

    def spider_closed(self, spider, reason):
        if self.conn is None:
            return
        try:
            if self.task is not None and self.task.running:
                self.task.stop()
            clean = reason == "finished" and not self.crawler.stats.get_value("presseportal/errors")
            if clean:
                for newsroom in self.state.plan.newsrooms:
                    db.delete_cursor(self.conn, cursor_key(self.state.plan, newsroom))
            else:
                self.checkpoint()  # the store has flushed by now: save what is done
        finally:
            self.conn.close()
            self.conn = None
