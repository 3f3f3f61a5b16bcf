"""ValidatePipeline (400): drop a Release that is still incomplete after normalising.

It accepts only the clean `Release` NormalizePipeline makes: a `RawRelease` reaching it
is a bug in the pipeline order, and raises `TypeError` (Scrapy logs it as an error and
the run records a failed page) instead of being checked or stored half clean.

Required: story_id, publisher_id, url, title, published_at (aware) and body. An
imported release (origin "import") needs only story_id, publisher_id and body: a
dump may lack the rest (a flattened line has no title), and a story id derived from
its text is negative (`story_id_derived`). A record missing any of them is dropped
with a `DropItem` naming the fields (the log line and the crawl_errors row name the page,
an import its file and line: crawler/logformatter.py, `items.place_of`); each
missing field counts ``validate/dropped/<field>`` and every dropped record
``validate/dropped``.

Records that pass count ``validate/items``; how often each watched field is filled
is the FieldCoverage extension's to count (crawler/extensions.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import RawRelease, Release
from pipelines import CountingPipeline

REQUIRED_FIELDS: list[str] = ["story_id", "publisher_id", "url", "title", "published_at", "body"]
REQUIRED_IMPORTED: list[str] = ["story_id", "publisher_id", "body"]


def is_present(value: Any) -> bool:
    """A field counts as present when it holds something: not None, not blank, not empty."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value > 0  # ids are positive
    if isinstance(value, (list, tuple, dict, set)):
        return bool(value)
    return True


def missing_fields(item: Release) -> list[str]:
    """The required fields the record lacks, in REQUIRED_FIELDS (an import:
    REQUIRED_IMPORTED) order."""
    required = REQUIRED_IMPORTED if item.origin == "import" else REQUIRED_FIELDS
    missing = [name for name in required
               if not (is_present(getattr(item, name, None))
                       or name == "story_id" and item.story_id_derived and item.story_id < 0)]
    published = item.published_at
    if isinstance(published, datetime) and published.tzinfo is None and "published_at" not in missing:
        missing.append("published_at")  # a naive datetime is not an instant
    return missing


class ValidatePipeline(CountingPipeline):
    """Scrapy item pipeline, priority 400: see the module docstring."""

    def process_item(self, item: Any) -> Any:
        if isinstance(item, RawRelease):
            raise TypeError(
                f"a raw record reached ValidatePipeline ({item.url}): NormalizePipeline (300) "
                "must turn it into a Release first; check ITEM_PIPELINES"
            )
        if not isinstance(item, Release):
            return item
        missing = missing_fields(item)
        if missing:
            self._inc("validate/dropped")
            for name in missing:
                self._inc(f"validate/dropped/{name}")
            raise DropItem(f"incomplete release: missing {', '.join(missing)}")
        self._inc("validate/items")
        return item
