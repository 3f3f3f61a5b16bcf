"""ComparePipeline (800, instead of the store): what storing would change, written nowhere.

For `presseportal reextract --dry-run`: each clean `Release` is compared with the stored
one, field by field over the content fields (the same normalised values the store's
content hash covers, `crawler.db.releases.content_of`): *new* when none is stored,
*unchanged* when every field is equal, *changed* otherwise. Counts ``compare/new``,
``compare/changed``, ``compare/unchanged``; the first COMPARE_EXAMPLES changed releases
go to ``compare/examples`` as {story_id, url, fields: {name: [stored, new]}}.

Switched on with COMPARE_RELEASES (the CLI sets it, and takes the store out of
ITEM_PIPELINES).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import NotConfigured

from crawler import db
from crawler.db import reads
from crawler.db.releases import as_dict, content_of
from crawler.items import Release

logger = logging.getLogger(__name__)


class ComparePipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.examples_wanted = crawler.settings.getint("COMPARE_EXAMPLES", 5)
        self.examples: list[dict[str, Any]] = []
        self.conn = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("COMPARE_RELEASES"):
            raise NotConfigured  # switched off on purpose: Scrapy says nothing
        return cls(crawler)

    def open_spider(self) -> None:
        self.conn = db.connect(db.resolve_database_url(self.crawler.settings.get("DATABASE_URL")))

    def close_spider(self) -> None:
        self.stats.set_value("compare/examples", self.examples)
        if self.conn is not None:
            self.conn.close()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Release):
            return item
        stored = reads.stored_releases(self.conn, [item.story_id]).get(item.story_id)
        if stored is None:
            self.stats.inc_value("compare/new")
            return item
        fields = changed_fields(stored, as_dict(item))
        if not fields:
            self.stats.inc_value("compare/unchanged")
            return item
        self.stats.inc_value("compare/changed")
        if len(self.examples) < self.examples_wanted:
            self.examples.append({"story_id": item.story_id, "url": item.url, "fields": fields})
        return item


def changed_fields(stored: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [stored value, new value]} of the content fields that differ (normalised as
    the store's content hash sees them)."""
    before, after = content_of(stored), content_of(new)
    return {name: [_plain(before[name]), _plain(after[name])]
            for name in before if before[name] != after[name]}


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
