"""NormalizePipeline (300): the spider's raw record in, a clean `Release` out.

The work is `crawler.normalize.release.normalize_release` (characters and dates; the
sections were told apart by extraction). An unreadable date drops the item (`DropItem`
naming the raw string; the log line and the crawl_errors row name the page or file:line) and counts ``normalize/date_error``: a release without a
correct instant is not stored with a made-up one. Counts ``normalize/items`` for every
release made and ``normalize/date_ambiguous`` for the DST edges.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem

from crawler.items import RawRelease
from crawler.normalize.dates import DateParseError
from pipelines import CountingPipeline

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class NormalizePipeline(CountingPipeline):
    """Scrapy item pipeline, priority 300: see the module docstring."""

    crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        pipeline = super().from_crawler(crawler)
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self) -> None:
        # A cron run (incremental) imports the normaliser with its first release, if any:
        # ftfy and its tables are a twentieth of a run that finds nothing (one 304). Any
        # other run makes releases: it imports it now, before its first request. Imported
        # on the reactor thread at the first release, it held every download slot for
        # 0.2-0.4 s (seen in bench.pipe's runs).
        if self.crawler is not None and self.crawler.spider.crawl_state.plan.mode != "incremental":
            import crawler.normalize.release  # noqa: F401

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawRelease):
            return item  # not ours (nothing else is yielded today)
        from crawler.normalize.release import normalize_release

        try:
            release = normalize_release(item)
        except DateParseError as exc:
            self._inc("normalize/date_error")
            raise DropItem(f"unparseable published date: {exc}") from exc
        self._inc("normalize/items")
        if release.published_ambiguous:
            self._inc("normalize/date_ambiguous")
        return release
