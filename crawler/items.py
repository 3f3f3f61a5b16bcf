"""The one record type every stage speaks: a press release.

The spider fills a `Release` with what the page says (raw strings, straight from
extraction); the normalise pipeline turns those into clean text and an aware
instant in place; validate drops a record that is still incomplete; store writes
it. Feed exports (`-O items.jsonl`) write the fields in `EXPORT_FIELDS`, dates as
ISO 8601 with their UTC offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _exported(**meta: Any) -> dict[str, Any]:
    return meta


@dataclass
class Release:
    story_id: int
    publisher_id: int
    url: str  # canonical: https://www.presseportal.de/pm/{publisher_id}/{story_id}, no slug
    publisher: str = ""
    title: str = ""
    # aware datetime once normalised; the exact string the page showed stays beside it
    published_at: datetime | None = field(default=None, metadata=_exported(serializer=_iso))
    published_raw: str = ""
    # the local time was ambiguous (fall back) or did not exist (spring forward)
    published_ambiguous: bool = False
    dateline: str = ""  # the city before "(ots)", e.g. "Hamburg"
    teaser: str = ""
    body: str = ""  # paragraphs separated by exactly one blank line
    about: str = ""  # the "Über X:" section, when there is one
    contact: str = ""  # lines separated by "\n"
    originator: str = ""
    keywords: list[str] = field(default_factory=list)  # topic tags; places are not keywords
    places: list[str] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)  # {"url": hi-res, "caption": ...}
    links: list[dict[str, str]] = field(default_factory=list)  # {"url": href, "text": link text}
    language: str = "de"
    fetched_at: datetime | None = field(default=None, metadata=_exported(serializer=_iso))
    http_status: int = 200
    # which extraction layer gave each field ("jsonld", "meta", "dom", "text", "listing")
    field_sources: dict[str, str] = field(default_factory=dict)
    # the page as fetched, for the store's release_pages; never exported
    raw_html: str = field(default="", repr=False)


# What feed exports write, in this order (raw_html and field_sources stay inside).
EXPORT_FIELDS: list[str] = [
    "story_id",
    "publisher_id",
    "publisher",
    "url",
    "title",
    "published_at",
    "published_raw",
    "published_ambiguous",
    "dateline",
    "teaser",
    "body",
    "about",
    "contact",
    "originator",
    "keywords",
    "places",
    "images",
    "links",
    "language",
    "fetched_at",
]

# Fields whose coverage a crawl watches (a warning below COVERAGE_MIN_RATIO).
WATCHED_FIELDS: list[str] = [
    "publisher",
    "title",
    "published_at",
    "dateline",
    "teaser",
    "body",
    "contact",
    "originator",
    "language",
]


def canonical_story_url(base_url: str, publisher_id: int, story_id: int) -> str:
    return f"{base_url.rstrip('/')}/pm/{publisher_id}/{story_id}"
