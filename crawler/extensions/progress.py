"""Progress: pages, releases, rate and time left of a backfill.

On a terminal one status line is redrawn every second; elsewhere (cron, CI, a pipe) a
plain log line goes out every 30 seconds. Time left is estimated from how far back in
time the walk has come, between the newest story and the window's first day (or
PRESSEPORTAL_ARCHIVE_START for the whole archive): the newsroom shows no total.
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import date

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger(__name__)


class Progress:
    def __init__(self, crawler, archive_start: date, stream=None):
        self.crawler = crawler
        self.stats = crawler.stats
        self.archive_start = archive_start
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval = 1.0 if self.tty else 30.0
        self.task = None
        self.started = 0.0
        self.state = None

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
        self.state = spider.crawl_state
        self.started = time.monotonic()
        self.task = task.LoopingCall(self.report)
        self.task.start(self.interval, now=False)

    def spider_closed(self, spider, reason):
        if self.task is not None and self.task.running:
            self.task.stop()
        self.report(final=True, reason=reason)

    def line(self, final: bool = False, reason: str = "finished") -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        pages = self.stats.get_value("response_received_count", 0)
        releases = self.stats.get_value("item_scraped_count", 0)
        rate = releases / elapsed
        if final:
            # the walk is over: no estimate left to make; a stopped one says why
            ended = "finished" if reason == "finished" else f"stopped ({reason})"
            return (f"backfill {ended}: {pages} pages, {releases} releases in {elapsed / 60:.1f} min, "
                    f"{rate:.1f} releases/s")
        left = self.time_left(elapsed)
        left_text = f"{left / 60:.1f} min left" if left is not None else "time left unknown"
        return f"backfill: {pages} pages, {releases} releases, {rate:.1f} releases/s, {left_text}"

    def time_left(self, elapsed: float) -> float | None:
        """Seconds left, from the share of the span of days walked so far; None when unknown."""
        state = self.state
        if state is None or state.newest_day is None or state.oldest_day is None:
            return None
        first = state.plan.since or self.archive_start
        span = (state.newest_day - first).days
        done = (state.newest_day - state.oldest_day).days
        if span <= 0 or done <= 0:
            return None
        fraction = min(done / span, 1.0)
        return elapsed * (1 - fraction) / fraction

    def report(self, final: bool = False, reason: str = "finished") -> None:
        text = self.line(final, reason)
        if self.tty:
            self.stream.write("\r" + text + ("\n" if final else ""))
            self.stream.flush()
        else:
            logger.info(text)
