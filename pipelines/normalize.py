"""NormalizePipeline (300): the spider's raw record in, a clean `Release` out.

The work is `crawler.normalize.release.normalize_release` (characters and dates; the
sections were told apart by extraction). An unreadable date drops the item (`DropItem`
naming URL and raw string) and counts ``normalize/date_error``: a release without a
correct instant is not stored with a made-up one. Counts ``normalize/items`` for every
release made and ``normalize/date_ambiguous`` for the DST edges.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import RawRelease
from crawler.normalize.dates import DateParseError
from crawler.normalize.release import normalize_release
from pipelines import CountingPipeline


class NormalizePipeline(CountingPipeline):
    """Scrapy item pipeline, priority 300: see the module docstring."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawRelease):
            return item  # not ours (nothing else is yielded today)
        try:
            release = normalize_release(item)
        except DateParseError as exc:
            self._inc("normalize/date_error")
            raise DropItem(f"unparseable published date at {item.location or item.url}: {exc}") from exc
        self._inc("normalize/items")
        if release.published_ambiguous:
            self._inc("normalize/date_ambiguous")
        return release
