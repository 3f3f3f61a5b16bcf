"""FieldCoverage: which watched fields the releases of a crawl have, and from which layer.

A field filled on fewer than COVERAGE_MIN_RATIO of the releases most likely means the
site changed its markup: the crawl says so loudly at the end, and the run record counts
it against the run (exit status 1). On runs smaller than COVERAGE_MIN_ITEMS only a field
missing from every release counts as low. An import (`CrawlPlan.watches_coverage`) has
its coverage reported, never judged: dumps lack fields by nature.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from scrapy import signals

from crawler.items import WATCHED_FIELDS, Release

logger = logging.getLogger(__name__)


def filled(value: Any) -> bool:
    """A field counts as filled when it holds something (not None, not empty)."""
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
        self.judged = True  # low coverage counts against the run (see spider_opened)

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler, crawler.settings.getfloat("COVERAGE_MIN_RATIO", 0.95),
                  crawler.settings.getint("COVERAGE_MIN_ITEMS", 20))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        self.judged = spider.crawl_state.plan.watches_coverage

    def item_scraped(self, item, response=None, spider=None):
        # counted here and written to the stats at the end: two dozen stats calls per
        # release were a measurable share of a backfill's CPU
        if not isinstance(item, Release):
            return
        counts = self.counts
        counts["coverage/items"] += 1
        for name in WATCHED_FIELDS:
            if filled(getattr(item, name)):
                counts[f"coverage/{name}"] += 1
        for name, layer in item.field_sources.items():
            counts[f"layer/{name}/{layer}"] += 1

    def report(self) -> dict[str, float]:
        """{field: share of releases that have it} for every watched field ({} without releases)."""
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
        low = sorted(name for name, ratio in ratios.items() if ratio < threshold) if self.judged else []
        for name, ratio in ratios.items():
            self.stats.set_value(f"coverage/ratio/{name}", round(ratio, 4))
        self.stats.set_value("coverage/low_fields", low)
        for name in low:
            logger.warning(
                "FIELD COVERAGE LOW: %s filled on %.1f%% of %d releases (minimum %.0f%%); "
                "the site may have changed its markup: check crawler/extract",
                name, 100 * ratios[name], items, 100 * self.min_ratio,
            )
