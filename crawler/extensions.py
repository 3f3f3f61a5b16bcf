"""Extensions: what a crawl reports about itself.

- `FieldCoverage` counts, per watched field, how many releases have it and which
  extraction layer gave it, and warns loudly at the end when a field falls below
  COVERAGE_MIN_RATIO (the site changed its markup, most likely).
- `CrawlRunRecorder` gives every crawl that stores releases a `crawl_runs` row,
  holds the per-publisher lock so that two runs never overlap, tells the spider
  which stories are already stored, and records failed pages in `crawl_errors`.
- `Progress` reports pages, releases, rate and time left of a backfill.
- `BackfillCursor` keeps a backfill's resume point in PostgreSQL.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from datetime import date
from dataclasses import dataclass

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured

from crawler.items import WATCHED_FIELDS, Release
from crawler.signals import failure_reason, page_failed

logger = logging.getLogger(__name__)

MAX_RECORDED_ERRORS = 10_000


def _filled(value) -> bool:
    if value is None:
        return False
    if isinstance(value, (str, list, dict, tuple)):
        return len(value) > 0
    return True


class FieldCoverage:
    def __init__(self, crawler, min_ratio: float, min_items: int = 20):
        self.crawler = crawler
        self.stats = crawler.stats
        self.min_ratio = min_ratio
        self.min_items = min_items
        self.counts: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler, crawler.settings.getfloat("COVERAGE_MIN_RATIO", 0.95),
                  crawler.settings.getint("COVERAGE_MIN_ITEMS", 20))
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_scraped(self, item, response=None, spider=None):
        # counted here and written to the stats at the end: two dozen stats calls per
        # release were a measurable share of a backfill's CPU
        if not isinstance(item, Release):
            return
        counts = self.counts
        counts["coverage/items"] += 1
        for name in WATCHED_FIELDS:
            if _filled(getattr(item, name)):
                counts[f"coverage/{name}"] += 1
        for name, layer in item.field_sources.items():
            counts[f"layer/{name}/{layer}"] += 1

    def report(self) -> dict[str, float]:
        items = self.counts["coverage/items"]
        if not items:
            return {}
        return {name: self.counts[f"coverage/{name}"] / items for name in WATCHED_FIELDS}

    def spider_closed(self, spider, reason):
        for key, value in self.counts.items():
            self.stats.set_value(key, value)
        ratios = self.report()
        items = self.counts["coverage/items"]
        # A cron run of three releases, one without a contact, is not a markup change:
        # on small samples only a field missing from every release counts as low.
        threshold = self.min_ratio if items >= self.min_items else 1e-9
        low = sorted(name for name, ratio in ratios.items() if ratio < threshold)
        for name, ratio in ratios.items():
            self.stats.set_value(f"coverage/ratio/{name}", round(ratio, 4))
        self.stats.set_value("coverage/low_fields", low)
        for name in low:
            logger.warning(
                "FIELD COVERAGE LOW: %s filled on %.1f%% of %d releases (minimum %.0f%%); "
                "the site may have changed its markup: check crawler/extract",
                name, 100 * ratios[name], self.stats.get_value("coverage/items"), 100 * self.min_ratio,
            )


@dataclass
class FailedPage:
    url: str
    stage: str
    reason: str
    snippet: str = ""


class CrawlRunRecorder:
    """The crawl's own row in `crawl_runs`, its lock, and its failed pages.

    The lock is a PostgreSQL advisory lock, so it lives as long as the session that took
    it. A watchdog checks that session every LOCK_CHECK_SECONDS: when the server went
    away and came back, it reconnects and takes the lock again, or, if another run took
    it meanwhile, closes this crawl (reason `lock_lost`) rather than run side by side.
    """

    def __init__(self, crawler, database_url: str):
        self.crawler = crawler
        self.stats = crawler.stats
        self.database_url = database_url
        self.check_seconds = crawler.settings.getfloat("PRESSEPORTAL_LOCK_CHECK_SECONDS", 15.0)
        self.run_id: int | None = None
        self.publishers: list[int] = []
        self.conn = None
        self.watchdog = None
        self.failed: list[FailedPage] = []

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("STORE_RELEASES"):
            raise NotConfigured("STORE_RELEASES is off")
        from crawler.db import resolve_database_url

        ext = cls(crawler, resolve_database_url(settings.get("DATABASE_URL")))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.page_failed, signal=page_failed)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        return ext

    def spider_opened(self, spider):
        from crawler import db
        from twisted.internet import task

        self.publishers = list(getattr(spider, "publisher_ids", []))
        mode = getattr(spider, "mode", "full")
        self.conn = connect_or_close(self.database_url)
        if not db.acquire_publisher_lock(self.conn, self.publishers):
            holder = describe_holder(db.current_lock_holder(self.conn, self.publishers))
            self.stats.set_value("presseportal/locked_by", holder)
            logger.error("publisher(s) %s are locked by %s: not starting", self.publishers, holder)
            raise CloseSpider("locked")
        for run_id in db.abandon_stale_runs(self.conn, self.publishers):
            logger.warning("run #%d was left unfinished by a process that is gone: marked abandoned", run_id)
        # on the locking connection, so that current_lock_holder can name this run
        self.run_id = db.start_run(self.conn, mode, self.publishers)
        self.stats.set_value("presseportal/run_id", self.run_id)
        if hasattr(spider, "known_story_ids"):
            spider.known_story_ids = db.known_story_ids(self.conn, self.publishers)
            logger.info("%d stories of %s already stored", len(spider.known_story_ids), self.publishers)
        if hasattr(spider, "listing_validators"):
            for pid in self.publishers:
                state = db.get_cursor(self.conn, newsroom_key(pid))
                if state:
                    spider.listing_validators[pid] = state
        self.watchdog = task.LoopingCall(self.keep_lock)
        self.watchdog.start(self.check_seconds, now=False)

    def keep_lock(self) -> None:
        import psycopg

        from crawler import db

        try:
            self.conn.execute("SELECT 1")
            return
        except psycopg.Error:
            logger.warning("lost the database session that holds the run lock: reconnecting")
        try:
            conn = db.connect(self.database_url)
        except db.DatabaseUnavailable as exc:
            logger.warning("database still unavailable (%s): will try again", exc)
            return
        self.conn.close()
        self.conn = conn
        if db.acquire_publisher_lock(conn, self.publishers):
            db.reattach_run(conn, self.run_id)
            logger.info("run lock taken again after the reconnect")
            return
        holder = describe_holder(db.current_lock_holder(conn, self.publishers))
        self.stats.set_value("presseportal/locked_by", holder)
        logger.error("while the database was away, %s took the lock on %s: stopping this run",
                     holder, self.publishers)
        from scrapy.utils.defer import deferred_from_coro

        deferred_from_coro(self.crawler.engine.close_spider_async(reason="lock_lost"))

    def page_failed(self, url, stage, reason, snippet=""):
        if len(self.failed) < MAX_RECORDED_ERRORS:
            self.failed.append(FailedPage(url, stage, reason, snippet))
        self.stats.inc_value("presseportal/errors")

    def item_dropped(self, item, response, exception, spider=None):
        url = getattr(item, "url", "") or (response.url if response is not None else "")
        self.page_failed(url, "pipeline", str(exception), "")

    def item_error(self, item, response, spider=None, failure=None):
        # a pipeline raised something else than DropItem: the release is lost, say so
        url = getattr(item, "url", "") or (response.url if response is not None else "")
        self.page_failed(url, "pipeline", failure_reason(failure), "")

    def spider_error(self, failure, response, spider=None):
        # a bug met a page the spider did not expect: count it, never end as a success
        self.page_failed(response.url if response is not None else "", "spider", failure_reason(failure),
                         response.text[:500] if hasattr(response, "text") else "")

    def spider_closed(self, spider, reason):
        import psycopg

        from crawler import db

        if self.watchdog is not None and self.watchdog.running:
            self.watchdog.stop()
        conn, self.conn = self.conn, None
        if conn is None or reason == "locked":
            if conn is not None:
                conn.close()
            return
        status = run_status(self.stats.get_stats(), reason,
                            max_errors=self.crawler.settings.getint("PRESSEPORTAL_MAX_ERRORS"))
        self.stats.set_value("presseportal/run_status", status)
        try:
            conn.execute("SELECT 1")
        except psycopg.Error:
            conn.close()
            conn = db.connect(self.database_url)  # the server came back: finish the record
        try:
            for page in self.failed:
                db.record_error(conn, self.run_id, page.url, page.stage, page.reason, page.snippet)
            if status == "success":
                # only a good run may tell the next one "unchanged since": after a failed
                # run, the next must look at the newsroom again
                for pid, validators in getattr(spider, "seen_validators", {}).items():
                    if validators.get("etag") or validators.get("last_modified"):
                        db.set_cursor(conn, newsroom_key(pid), validators)
            db.finish_run(conn, self.run_id, status, run_counts(self.stats))
        finally:
            conn.close()


def newsroom_key(publisher_id: int) -> str:
    return f"newsroom:{publisher_id}"


def connect_or_close(database_url: str):
    """A connection, or the crawl closes before it fetches anything (exit status 69)."""
    from crawler import db

    try:
        return db.connect(database_url)
    except db.DatabaseUnavailable as exc:
        logger.error("database unavailable: %s", exc)
        raise CloseSpider("database_unavailable") from None


def describe_holder(holder: dict | None) -> str:
    if not holder:
        return "another session"
    if holder.get("run_id") is None:
        return f"a session without a run (backend pid {holder.get('backend_pid')})"
    started = holder.get("started_at")
    started_text = f", started {started:%Y-%m-%d %H:%M:%S %Z}" if started else ""
    return (f"run #{holder['run_id']} ({holder.get('run_mode')}, pid {holder.get('pid')} "
            f"on {holder.get('host')}{started_text})")


def run_counts(stats) -> dict:
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


def run_status(stats: dict, reason: str, *, max_errors: int = 0) -> str:
    """success; errors (finished, but more pages failed than tolerated, or a field's
    coverage is low); or the reason the crawl stopped early."""
    if reason != "finished":
        return reason
    if stats.get("presseportal/errors", 0) > max_errors or stats.get("coverage/low_fields"):
        return "errors"
    if stats.get("store/error") or stats.get("store/spilled"):
        return "errors"  # releases went to a spill file instead of the database
    return "success"


class Progress:
    """Pages, releases, rate and time left of a backfill.

    On a terminal one status line is redrawn every second; elsewhere (cron, CI, a pipe)
    a plain log line goes out every 30 seconds. Time left is estimated from how far back
    in time the walk has come, between the newest story and the window's first day (or
    PRESSEPORTAL_ARCHIVE_START for the whole archive): the newsroom shows no total.
    """

    def __init__(self, crawler, archive_start: date, stream=None):
        self.crawler = crawler
        self.stats = crawler.stats
        self.archive_start = archive_start
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval = 1.0 if self.tty else 30.0
        self.task = None
        self.started = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("PRESSEPORTAL_PROGRESS"):
            raise NotConfigured
        start = date.fromisoformat(crawler.settings.get("PRESSEPORTAL_ARCHIVE_START"))
        ext = cls(crawler, start)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        from twisted.internet import task

        self.spider = spider
        self.started = time.monotonic()
        self.task = task.LoopingCall(self.report)
        self.task.start(self.interval, now=False)

    def spider_closed(self, spider, reason):
        if self.task is not None and self.task.running:
            self.task.stop()
        self.report(final=True)

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        pages = self.stats.get_value("response_received_count", 0)
        releases = self.stats.get_value("item_scraped_count", 0)
        rate = releases / elapsed
        left = self.time_left(elapsed)
        left_text = f"{left / 60:.1f} min left" if left is not None else "time left unknown"
        return f"backfill: {pages} pages, {releases} releases, {rate:.1f} releases/s, {left_text}"

    def time_left(self, elapsed: float) -> float | None:
        newest = getattr(self.spider, "newest_day", None)
        oldest = getattr(self.spider, "oldest_day", None)
        if newest is None or oldest is None:
            return None
        first = getattr(self.spider, "since", None) or self.archive_start
        span = (newest - first).days
        done = (newest - oldest).days
        if span <= 0 or done <= 0:
            return None
        fraction = min(done / span, 1.0)
        return elapsed * (1 - fraction) / fraction

    def report(self, final: bool = False) -> None:
        text = self.line()
        if self.tty:
            self.stream.write("\r" + text + ("\n" if final else ""))
            self.stream.flush()
        else:
            logger.info(text)


class BackfillCursor:
    """Crash-safe backfills: how far the walk got, kept in PostgreSQL (`crawl_cursors`).

    Scrapy's JOBDIR is lost on `kill -9`; the database is not. Every few seconds the
    cursor moves to the end of the longest run of listing pages whose queued stories the
    store has written in this run. A rerun of the same backfill (same publisher, window
    and refresh flag) starts one page before that point: the page of margin absorbs
    stories deleted meanwhile, which move older ones up. Stories already stored are
    skipped anyway, so the margin costs one listing request. A backfill that finishes
    cleanly deletes its cursor.
    """

    def __init__(self, crawler, database_url: str, interval: float):
        self.crawler = crawler
        self.database_url = database_url
        self.interval = interval
        self.spider = None
        self.conn = None
        self.task = None
        self.since = None
        self.saved: dict[int, int] = {}
        self.done_pages: dict[int, int] = {}

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("STORE_RELEASES"):
            raise NotConfigured("STORE_RELEASES is off")
        from crawler.db import resolve_database_url

        ext = cls(crawler, resolve_database_url(settings.get("DATABASE_URL")),
                  settings.getfloat("PRESSEPORTAL_CURSOR_SECONDS", 5.0))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @staticmethod
    def key(spider, publisher_id: int) -> str:
        return (f"backfill:{publisher_id}:{spider.since or ''}:{spider.until or ''}"
                f":{'refresh' if spider.refresh else 'missing'}")

    def spider_opened(self, spider):
        if getattr(spider, "mode", None) != "backfill":
            return
        from datetime import datetime, timezone

        from crawler import db
        from twisted.internet import task

        self.spider = spider
        self.since = datetime.now(timezone.utc)
        self.conn = connect_or_close(self.database_url)
        for pid in spider.publisher_ids:
            state = db.get_cursor(self.conn, self.key(spider, pid))
            if state:
                spider.resume_offsets[pid] = max(0, state["offset"] - state.get("page_size", 0))
                self.saved[pid] = state["offset"]
        self.task = task.LoopingCall(self.checkpoint)
        self.task.start(self.interval, now=False)

    def checkpoint(self) -> None:
        import psycopg

        from crawler import db

        try:
            if self.conn.closed:
                self.conn = db.connect(self.database_url)
            for pid, walk in self.spider.walks.items():
                self.advance(pid, walk)
        except (psycopg.Error, db.DatabaseUnavailable) as exc:
            # no loss: the resume point only stays behind; the next tick tries again
            logger.warning("could not save the backfill's resume point: %s", exc)
            self.conn.close()

    def advance(self, pid: int, walk) -> None:
        from crawler import db

        done = self.done_pages.get(pid, 0)  # pages before this index are confirmed stored
        pending = [sid for _, _, ids in walk.pages[done:] for sid in ids]
        stored: set[int] = set()
        if pending:
            rows = self.conn.execute(db.query("stored_since"),
                                     {"story_ids": pending, "since": self.since}).fetchall()
            stored = {row[0] for row in rows}
        reached = None
        for offset, length, ids in walk.pages[done:]:
            if not all(sid in stored for sid in ids):
                break
            done += 1
            reached = offset + length
        self.done_pages[pid] = done
        if reached is not None and reached > self.saved.get(pid, 0):
            db.set_cursor(self.conn, self.key(self.spider, pid),
                          {"offset": reached, "page_size": walk.page_size})
            self.saved[pid] = reached

    def spider_closed(self, spider, reason):
        if self.conn is None:
            return
        from crawler import db

        try:
            if self.task is not None and self.task.running:
                self.task.stop()
            clean = reason == "finished" and not self.crawler.stats.get_value("presseportal/errors")
            if clean:
                for pid in spider.publisher_ids:
                    db.delete_cursor(self.conn, self.key(spider, pid))
            else:
                self.checkpoint()  # the store has flushed by now: save what is done
        finally:
            self.conn.close()
            self.conn = None
