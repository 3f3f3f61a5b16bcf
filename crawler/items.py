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

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit


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
    # Added later (issue 13), so last: the columns of an export keep their places.
    # The kind of newsroom publisher_id names: "publisher" (/nr/) or "office" (/blaulicht/nr/)
    FieldSpec("newsroom_kind", content=False),
    # an office's code, as its title opens with it ("POL-XY"); "" for a company's release.
    # Not hashed: the title is (and a new hashed field would turn every stored release
    # into a revision)
    FieldSpec("office_code", content=False),
    # Added later still, last for the same reason: where an import read the release
    # ("dump.txt:17", as the import named the file), '' for a page, so an export's record
    # without URL can be traced. Not hashed: re-importing from another file is no revision
    FieldSpec("imported_from", content=False),
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


# --- newsrooms and story addresses (SITE.md "URLs") ------------------------------------------

# The kinds of newsroom: a company's ("publisher", /nr/{id}, stories /pm/{id}/{sid}) and a
# police or fire office's ("office", /blaulicht/nr/{id}, stories /blaulicht/pm/{id}/{sid}).
# Story ids share one sequence across both; newsroom ids may repeat across kinds (the
# site does not say), so a newsroom is always (kind, id).
PUBLISHER = "publisher"
OFFICE = "office"
NEWSROOM_KINDS: tuple[str, ...] = (PUBLISHER, OFFICE)
_PATH_PREFIX = {PUBLISHER: "", OFFICE: "/blaulicht"}


@dataclass(frozen=True, order=True)
class Newsroom:
    """A newsroom: (kind, id). `str()` gives "publisher 73811" / "office 99001"."""

    kind: str
    id: int

    def __post_init__(self) -> None:
        if self.kind not in NEWSROOM_KINDS:
            raise ValueError(f"a newsroom is one of {', '.join(NEWSROOM_KINDS)}, not {self.kind!r}")

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"

    @property
    def key(self) -> str:
        """"publisher:73811": the newsroom in keys (crawl_cursors) and logs."""
        return f"{self.kind}:{self.id}"

    def other_kind(self) -> Newsroom:
        """The newsroom of the other kind under the same number (publisher <-> office): what
        a user who gave an office's number as `--publisher` (or the reverse) meant."""
        return Newsroom(OFFICE if self.kind == PUBLISHER else PUBLISHER, self.id)

    @classmethod
    def from_key(cls, key: str) -> Newsroom:
        """The newsroom of a `key` ("office:99001"); ValueError for anything else."""
        kind, _, number = key.partition(":")
        return cls(kind, int(number))

    def listing_path(self, offset: int = 0) -> str:
        """`/nr/{id}` or `/blaulicht/nr/{id}`, with `/{offset}` after the first page."""
        path = f"{_PATH_PREFIX[self.kind]}/nr/{self.id}"
        return f"{path}/{offset}" if offset else path

    def story_path(self, story_id: int) -> str:
        """`/pm/{id}/{sid}` or `/blaulicht/pm/{id}/{sid}` (canonical: no slug)."""
        return f"{_PATH_PREFIX[self.kind]}/pm/{self.id}/{story_id}"


# /pm/{id}/{sid}, /pm/{id}/{sid}/{slug}, /pm/amp/{id}/{sid}, /blaulicht/pm/{id}/{sid}[/{slug}]
_STORY_PATH = re.compile(r"(?P<office>/blaulicht)?/pm/(?:amp/)?(?P<nid>\d+)/(?P<sid>\d+)(?:[/?#]|$)")


@dataclass(frozen=True)
class StoryRef:
    """Which story a URL names: its newsroom, its id, and the site it is on."""

    newsroom: Newsroom
    story_id: int
    site: str = "https://www.presseportal.de"

    @property
    def url(self) -> str:
        """The canonical address on that site: `{site}/pm/{id}/{sid}` or `.../blaulicht/pm/...`."""
        return self.site.rstrip("/") + self.newsroom.story_path(self.story_id)


def story_ref(url: str | None) -> StoryRef | None:
    """The story a URL names (any story URL shape, absolute or a path), or None (also for
    a URL that URL parsing refuses).

    The site is the URL's scheme and host ("https://www.presseportal.de" for a path)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # a URL parsing refuses (a broken IPv6 host) names no story
        return None
    m = _STORY_PATH.search(parts.path)
    if m is None:
        return None
    kind = OFFICE if m["office"] else PUBLISHER
    site = f"{parts.scheme or 'https'}://{parts.netloc}" if parts.netloc else "https://www.presseportal.de"
    return StoryRef(Newsroom(kind, int(m["nid"])), int(m["sid"]), site)


def newsrooms_of(publishers: Iterable[int] | None, offices: Iterable[int] | None) -> list[Newsroom]:
    """The newsrooms of publisher ids, then of office ids, in the order given (a run row's
    `publishers` and `offices` columns, a scope's ids; None: none of that kind)."""
    return [*(Newsroom(PUBLISHER, int(i)) for i in publishers or ()),
            *(Newsroom(OFFICE, int(i)) for i in offices or ())]


def canonical_story_url(base_url: str, publisher_id: int, story_id: int, kind: str = PUBLISHER) -> str:
    """`{base}/pm/{publisher_id}/{story_id}` (an office's: `{base}/blaulicht/pm/...`): the
    story's address without a slug."""
    return base_url.rstrip("/") + Newsroom(kind, publisher_id).story_path(story_id)


def place_of(item: Any, response: Any = None) -> str:
    """What names an item in a failure (a crawl_errors row, a log line): an import's
    "file:line" (a `RawRelease`'s location, a `Release`'s imported_from), else its page's
    URL, else the URL of the response it came from ("" when none is known)."""
    return (getattr(item, "location", "") or getattr(item, "imported_from", "") or getattr(item, "url", "")
            or (getattr(response, "url", "") if response is not None else ""))


@dataclass
class RawRelease:
    """One story page as the page says it; the spider's item. See the module docstring."""

    story_id: int
    publisher_id: int  # the newsroom's id (a publisher's or an office's: newsroom_kind)
    url: str  # canonical: {base}/pm/{publisher_id}/{story_id} ({base}/blaulicht/pm/... for an office), no slug
    title: str
    published_raw: str  # the date string as shown (p.date), else JSON-LD / meta / the card's
    newsroom_kind: str = PUBLISHER  # "publisher" or "office"
    office_code: str = ""  # "POL-XY" of an office's title "POL-XY: ..."
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
    publisher_id: int  # the newsroom's id (a publisher's or an office's: newsroom_kind)
    url: str  # canonical: {base}/pm/{publisher_id}/{story_id} ({base}/blaulicht/pm/... for an office), no slug
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
    # paragraphs separated by exactly one blank line; the items of a list and the rows of
    # a table are lines ("\n") of one paragraph
    body: str = ""
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
    newsroom_kind: str = PUBLISHER  # "publisher" or "office"
    office_code: str = ""  # "POL-XY" of an office's title "POL-XY: ..."
    imported_from: str = ""  # an import's "dump.txt:17" (RawRelease.location); '' for a page
    # not exported: the fetch's status, the layers, the page for release_pages
    http_status: int = 200
    field_sources: dict[str, str] = field(default_factory=dict)
    raw_html: str = field(default="", repr=False)


def exported(release: Release) -> dict[str, Any]:
    """The export dict of a release (EXPORT_FIELDS order; instants as ISO 8601 with offset)."""
    out: dict[str, Any] = {}
    for name in EXPORT_FIELDS:
        value = getattr(release, name)
        out[name] = iso(value) if isinstance(value, datetime) else value
    return out
