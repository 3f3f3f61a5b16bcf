"""What the spiders that fetch nothing share: they yield raw records from `start()`.

An import (crawler.spiders.imports) reads releases from files, a re-extraction
(crawler.spiders.reextract) from the pages kept in PostgreSQL. Both yield `RawRelease`
items from `start()` (Scrapy 2.13+ sends items yielded there to the item pipelines), so
the crawl's own machinery takes them: normalize (300), validate (400), store (800), the
run record, its failed records in `crawl_errors`, coverage, exit statuses.

Scrapy holds back start *requests* while the downloader is busy, not start *items*:
`room()` waits while `max_in_flight` yielded items are still in the pipelines (each
ends with item_scraped, item_dropped or item_error), so memory stays flat over any
number of records while the store applies its own backpressure.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import scrapy
from scrapy import signals

from crawler.signals import page_failed
from crawler.state import CrawlState

logger = logging.getLogger(__name__)


class OfflineSpider(scrapy.Spider):
    """Base of the spiders that read releases from files or from the store."""

    crawl_state: CrawlState
    # items yielded by start() and not through the pipelines yet, at most
    max_in_flight = 256

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.in_flight = 0
        self._room: asyncio.Event | None = None

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider._item_done, signal=signal)
        return spider

    @property
    def plan(self):
        return self.crawl_state.plan

    async def room(self) -> None:
        """Wait until one more item may go to the pipelines, and count it as gone."""
        while self.in_flight >= self.max_in_flight:
            self._room = asyncio.Event()
            await self._room.wait()
        self.in_flight += 1

    def _item_done(self, *args: Any, **kwargs: Any) -> None:
        self.in_flight -= 1
        if self._room is not None:
            self._room.set()

    def fail_page(self, where: str, stage: str, reason: str, snippet: str = "") -> None:
        """A record that cannot become a release: logged, counted and (through the run
        record) kept in crawl_errors with `where` (a file and line, or a page's URL)."""
        logger.error("could not %s %s: %s", stage, where, reason)
        self.crawler.stats.inc_value(f"presseportal/failed/{stage}")
        self.crawler.signals.send_catch_log(page_failed, url=where, stage=stage, reason=reason, snippet=snippet)
