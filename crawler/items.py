"""The record types of the flow, and the one declaration of a release's fields.

Two records, one per stage:

- `RawRelease`: what a story page says, as the spider yields it (strings as shown,
  entities decoded, tags stripped; the sections already told apart by the DOM and the
  release grammar, `crawler.grammar`; nothing cleaned, no date read). Where the grammar
  cut a paragraph inside (the dateline opening it, glued text), the pieces are in the
  grammar's key form (debris out, spaces collapsed, NFC), still uncleaned otherwise;
- `Release`: the clean record the normalise stage builds from it
  (`crawler.normalize.release.normalize_release`): NFC text without debris, an aware
  instant. Validate and store accept only this one.

`FIELDS` declares every field of a `Release` once, with what each is for: exported
(feed exports, `presseportal export`), part of the content hash (a change is a revision),
watched (a crawl reports its coverage), a column of the `releases` table. Every list
of field names elsewhere is derived from it; a test holds the store's columns to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with the offset, or None."""
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class FieldSpec:
    name: str
    export: bool = True  # written by feed exports and `presseportal export`
    content: bool = True  # hashed into content_hash: a change makes a revision
    watched: bool = False  # coverage reported per run (warning under COVERAGE_MIN_RATIO)
    column: bool = True  # a column of the releases table


# In the order of `Release` and of every export.
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("story_id", content=False),
    FieldSpec("publisher_id"),
    # the newsroom's display name lives in the publishers table, not in each release
    FieldSpec("publisher", content=False, watched=True, column=False),
    FieldSpec("url", content=False),
    FieldSpec("title", watched=True),
    FieldSpec("published_at", watched=True),
    FieldSpec("published_raw"),
    FieldSpec("published_ambiguous"),
    # how much of published_at is known: "minute" (a page), "day" or "month" (an import
    # that says only "2021-01"; published_at is then the period's first instant, Berlin),
    # "" without a date. Not hashed: published_raw, which it is read from, is.
    FieldSpec("published_precision", content=False),
    FieldSpec("dateline", watched=True),
    FieldSpec("teaser", watched=True),
    FieldSpec("body", watched=True),
    FieldSpec("about"),
    FieldSpec("contact", watched=True),
    FieldSpec("originator", watched=True),
    FieldSpec("keywords"),
    FieldSpec("places"),
    FieldSpec("images"),
    FieldSpec("links"),
    FieldSpec("language", watched=True),
    # where the release was read: "page" (a story page, crawled or stored) or "import"
    # (a dump or an API answer); a page wins over an import (crawler/db/sql/queries/store.sql)
    FieldSpec("origin", content=False),
    # an import without the site's story id is stored under a negative id derived from
    # its text; a crawl of the same release (publisher, title, day) gives it the real one
    FieldSpec("story_id_derived", content=False),
    # when this copy was fetched: a crawl's fact, not the release's content
    FieldSpec("fetched_at", content=False),
)

# What feed exports write, in this order (raw_html, http_status and field_sources stay inside).
EXPORT_FIELDS: list[str] = [f.name for f in FIELDS if f.export]
# What `presseportal export` writes: a stored release, without the fetch of one crawl.
STORED_EXPORT_FIELDS: list[str] = [f.name for f in FIELDS if f.export and f.name != "fetched_at"]
# What content_hash covers.
CONTENT_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.content)
# Fields whose coverage a crawl watches.
WATCHED_FIELDS: list[str] = [f.name for f in FIELDS if f.watched]
# The releases table's columns that hold a field (the store adds content_hash and times).
RELEASE_COLUMNS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.column)


@dataclass
class RawRelease:
    """One story page as the page says it; the spider's item. See the module docstring."""

    story_id: int
    publisher_id: int
    url: str  # canonical: {base}/pm/{publisher_id}/{story_id}, no slug
    title: str
    published_raw: str  # the date string as shown (p.date), else JSON-LD / meta / the card's
    publisher: str = ""
    dateline: str = ""  # the place before "(ots)"
    teaser: str = ""
    body: list[str] = field(default_factory=list)  # body paragraphs; a <br> inside one is "\n"
    about: list[str] = field(default_factory=list)  # the "Über X:" heading and its paragraphs
    contact: list[str] = field(default_factory=list)  # contact lines, without their heading
    originator: str = ""  # X of "Original-Content von: X, übermittelt durch news aktuell"
    keywords: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)  # {"url": hi-res, "caption"}
    links: list[dict[str, str]] = field(default_factory=list)  # {"url": absolute, "text"}
    language: str = ""
    # which extraction layer gave each field ("jsonld", "meta", "dom", "text", "url", "listing";
    # an import: its format)
    sources: dict[str, str] = field(default_factory=dict)
    origin: str = "page"  # "page" or "import" (see FIELDS)
    story_id_derived: bool = False  # an import without the site's id (see FIELDS)
    # the fetch (set by the spider; empty in pure extraction)
    fetched_at: datetime | None = None
    http_status: int = 200
    raw_html: str = field(default="", repr=False)
    # where a record not read from a page came from: "dump.txt.gz:17" (failures name it)
    location: str = ""


@dataclass
class Release:
    """A clean release: what validate checks and the store writes. Fields: see `FIELDS`."""

    story_id: int
    publisher_id: int
    url: str  # canonical: {base}/pm/{publisher_id}/{story_id}, no slug
    publisher: str = ""
    title: str = ""
    # aware, UTC; the exact string the page showed stays beside it
    published_at: datetime | None = field(default=None, metadata={"serializer": iso})
    published_raw: str = ""
    # the local time was ambiguous (fall back) or did not exist (spring forward)
    published_ambiguous: bool = False
    published_precision: str = "minute"  # "minute", "day", "month"; "" without a date
    dateline: str = ""  # the city before "(ots)", e.g. "Hamburg"
    teaser: str = ""
    body: str = ""  # paragraphs separated by exactly one blank line
    about: str = ""  # the "Über X:" section, paragraphs separated by a blank line
    contact: str = ""  # lines separated by "\n"
    originator: str = ""
    keywords: list[str] = field(default_factory=list)  # topic tags; places are not keywords
    places: list[str] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    language: str = "de"
    origin: str = "page"  # "page" or "import"
    story_id_derived: bool = False  # story_id is negative, derived from an import's text
    fetched_at: datetime | None = field(default=None, metadata={"serializer": iso})
    # not exported: the fetch's status, the layers, the page for release_pages, where an
    # import's record was read
    http_status: int = 200
    field_sources: dict[str, str] = field(default_factory=dict)
    raw_html: str = field(default="", repr=False)
    location: str = ""


def canonical_story_url(base_url: str, publisher_id: int, story_id: int) -> str:
    """`{base}/pm/{publisher_id}/{story_id}`: the story's address without a slug."""
    return f"{base_url.rstrip('/')}/pm/{publisher_id}/{story_id}"


def exported(release: Release) -> dict[str, Any]:
    """The export dict of a release (EXPORT_FIELDS order; instants as ISO 8601 with offset)."""
    out: dict[str, Any] = {}
    for name in EXPORT_FIELDS:
        value = getattr(release, name)
        out[name] = iso(value) if isinstance(value, datetime) else value
    return out
