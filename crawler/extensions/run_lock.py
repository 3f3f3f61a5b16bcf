"""RunLock: one run per newsroom (or per newsroom and date window) at a time, held from
before the first request.

The lock is a PostgreSQL advisory lock (`crawler.db.runs`), so it lives as long as the
session that took it. A watchdog checks that session every
PRESSEPORTAL_LOCK_CHECK_SECONDS: when the server went away and came back, it reconnects
and takes the lock again (and sends `crawler.signals.run_lock_moved`, so that the run
row names the new session), or, if another run took it meanwhile, closes this crawl
with reason ``lock_lost`` rather than run side by side.

The lock is released when the engine stops, after every spider_closed handler: the run
row is finished while the lock is still held, so no new run can take the publisher and
call this one abandoned in between.

A run whose plan takes no newsroom lock (`CrawlPlan.locks_newsrooms`: an import) still
gets its session here, held open for the whole run and watched the same way: the run
row names that session, which is how a dead run is told from a live one.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from crawler import db
from crawler.extensions._session import connect_or_close
from crawler.items import Newsroom
from crawler.signals import run_lock_moved

logger = logging.getLogger(__name__)


class RunLock:
    def __init__(self, crawler, check_seconds: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.check_seconds = check_seconds
        self.conninfo = ""
        self.conn = None
        self.newsrooms: tuple[Newsroom, ...] = ()
        self.window = ""  # a backfill over a date window locks that window only
        self.locking = True  # the plan takes the newsroom lock (an import does not)
        self.watchdog: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("STORE_RELEASES"):
            raise NotConfigured("STORE_RELEASES is off")
        ext = cls(crawler, crawler.settings.getfloat("PRESSEPORTAL_LOCK_CHECK_SECONDS", 15.0))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.release, signal=signals.engine_stopped)
        return ext

    @property
    def held(self) -> bool:
        """The run may go on: its session is open and holds the lock its plan takes."""
        return self.conn is not None

    @property
    def backend_pid(self) -> int | None:
        """The server process of the session that holds the lock (None when not held)."""
        return db.backend_pid(self.conn) if self.conn is not None else None

    def spider_opened(self, spider):
        plan = spider.crawl_state.plan
        self.newsrooms = plan.newsrooms
        self.window = plan.window
        self.locking = plan.locks_newsrooms
        self.conninfo, conn = connect_or_close(self.crawler.settings)
        if self.locking and not db.acquire_publisher_lock(conn, self.newsrooms, self.window):
            holder = describe_holder(db.current_lock_holder(conn, self.newsrooms, self.window))
            conn.close()
            self.stats.set_value("presseportal/locked_by", holder)
            logger.error("newsroom(s) %s are locked by %s: not starting", named(self.newsrooms), holder)
            raise CloseSpider("locked")
        self.conn = conn
        self.watchdog = task.LoopingCall(self.keep_lock)
        self.watchdog.start(self.check_seconds, now=False)

    def keep_lock(self) -> None:
        if db.is_alive(self.conn):
            return
        logger.warning("lost the database session that holds the run lock: reconnecting")
        try:
            conn = db.connect(self.conninfo)
        except db.DatabaseUnavailable as exc:
            logger.warning("database still unavailable (%s): will try again", exc)
            return
        self.conn.close()
        if not self.locking or db.acquire_publisher_lock(conn, self.newsrooms, self.window):
            self.conn = conn
            logger.info("run session opened again after the reconnect")
            self.crawler.signals.send_catch_log(run_lock_moved, backend_pid=db.backend_pid(conn))
            return
        holder = describe_holder(db.current_lock_holder(conn, self.newsrooms, self.window))
        conn.close()
        self.conn = None
        self.stats.set_value("presseportal/locked_by", holder)
        logger.error("while the database was away, %s took the lock on %s: stopping this run",
                     holder, named(self.newsrooms))
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="lock_lost"))

    def spider_closed(self, spider, reason):
        if self.watchdog is not None and self.watchdog.running:
            self.watchdog.stop()

    def release(self):
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.close()  # the session ends: its advisory locks go with it


def named(newsrooms) -> str:
    """"publisher 73811, office 99001": newsrooms for people."""
    return ", ".join(map(str, newsrooms)) or "all newsrooms"


def describe_holder(holder: dict | None) -> str:
    """Who holds a lock, for people: the run, its mode, pid, host and start."""
    if not holder:
        return "another session"
    if holder.get("run_id") is None:
        return f"a session without a run (backend pid {holder.get('backend_pid')})"
    started = holder.get("started_at")
    started_text = f", started {started:%Y-%m-%d %H:%M:%S %Z}" if started else ""
    return (f"run #{holder['run_id']} ({holder.get('run_mode')}, pid {holder.get('pid')} "
            f"on {holder.get('host')}{started_text})")
