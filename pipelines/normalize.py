"""NormalizePipeline (300): a raw `Release` becomes clean text and an aware instant, in place.

What the spider hands over (see crawler.extract.story.story_page_to_release):
``body`` is the raw paragraphs joined by a blank line (a ``<br>`` inside a
paragraph may be a single newline), or plain/flattened text from RSS or the API;
``contact`` is raw lines joined by "\\n"; every other text field is one raw line.

What comes out:
- title, publisher, teaser, dateline, originator: `clean_inline`;
- body: `split_flat_text` + `split_release`; dateline, about, contact and
  originator are filled from the body only when still empty (the DOM layer
  wins), and those sections are always removed from the body; paragraphs
  joined by exactly one blank line;
- about: each paragraph cleaned, joined by a blank line;
- contact: `clean_block` (lines kept, a leading "Pressekontakt:" headline dropped);
- image captions and link texts: `clean_inline`;
- keywords, places: cleaned, empty ones dropped, de-duplicated in page order;
- published_at/published_ambiguous: `parse_published(published_raw, now=fetched_at)`
  ("Heute, 10:30" means the day the page was fetched);
- language: lower-cased primary subtag ("de-DE" -> "de").

An unreadable date drops the item (`DropItem` naming URL and raw string) and
counts ``normalize/date_error``: a release without a correct instant is not
stored with a made-up one.
"""

from __future__ import annotations

import re
from datetime import UTC
from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import Release
from pipelines import CountingPipeline

from crawler.normalize.dates import DateParseError, ParsedDate, localize_berlin, parse_published
from crawler.normalize.text import (
    ReleaseParts,
    clean_block,
    clean_inline,
    clean_paragraphs,
    parse_dateline,
    parse_originator,
    split_flat_text,
    split_release,
)

__all__ = [
    "DateParseError",
    "NormalizePipeline",
    "ParsedDate",
    "ReleaseParts",
    "clean_block",
    "clean_inline",
    "clean_paragraphs",
    "normalize_release",
    "parse_published",
    "split_flat_text",
    "split_release",
]

_BLANK_LINE = re.compile(r"\n\s*\n")
_SUBTAG_SEP = re.compile(r"[-_]")
_CONTACT_HEADLINE = re.compile(
    r"(?:Pressekontakte?|Press contacts?|Media contacts?|Kontakt|Contact)\s*:?\s*$", re.IGNORECASE
)


def _dedupe(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for v in values:
        c = clean_inline(v) if isinstance(v, str) else ""
        if c and c not in seen:
            seen.add(c)
            out.append(c)
    return out


def _clean_dateline(value: str) -> str:
    value = clean_inline(value)
    found = parse_dateline(value)  # "Köln (ots)" from a sloppy layer -> "Köln"
    return found[0] if found is not None and not found[1] else value


def _clean_originator(value: str) -> str:
    value = clean_inline(value)
    name = parse_originator(value)
    return name if name is not None else value


def _clean_contact(value: str) -> str:
    lines = clean_block(value).split("\n")
    if lines and _CONTACT_HEADLINE.match(lines[0]):
        lines = lines[1:]
    return "\n".join(lines)


def _clean_about(value: str) -> str:
    return "\n\n".join(clean_paragraphs(_BLANK_LINE.split(value)))


def normalize_release(item: Release) -> Release:
    """Clean a raw Release in place (and return it).

    Raises DateParseError before touching anything else.
    """
    # the date first: an unreadable one must fail before the item is half cleaned
    if item.published_raw and item.published_raw.strip():
        parsed = parse_published(item.published_raw, now=item.fetched_at)
        item.published_at = parsed.instant
        item.published_ambiguous = parsed.ambiguous
    elif item.published_at is not None:
        # set by a layer that had no string: keep it, as an aware UTC instant
        if item.published_at.tzinfo is None:  # naive means Berlin wall time
            item.published_at, item.published_ambiguous = localize_berlin(item.published_at)
        else:
            item.published_at = item.published_at.astimezone(UTC)

    item.title = clean_inline(item.title)
    item.publisher = clean_inline(item.publisher)
    item.teaser = clean_inline(item.teaser)

    # the DOM layer may leave a <br> newline inside a paragraph: then only blank
    # lines separate paragraphs; plain text (RSS, API) may use single newlines
    # (crawler.extract.story records the layer under "paragraphs")
    sources = item.field_sources or {}
    dom_body = (sources.get("body") or sources.get("paragraphs")) == "dom"
    paragraphs = split_flat_text(item.body, single_newlines=False if dom_body else None)
    parts = split_release(paragraphs)
    item.body = "\n\n".join(parts.body)

    item.dateline = _clean_dateline(item.dateline) or parts.dateline
    item.about = _clean_about(item.about) or parts.about
    item.contact = _clean_contact(item.contact) or parts.contact
    item.originator = _clean_originator(item.originator) or parts.originator

    item.keywords = _dedupe(item.keywords)
    item.places = _dedupe(item.places)
    item.images = [
        {**image, "caption": clean_inline(image.get("caption") or "")} for image in item.images
    ]
    item.links = [{**link, "text": clean_inline(link.get("text") or "")} for link in item.links]
    item.language = _SUBTAG_SEP.split((item.language or "").strip().lower(), maxsplit=1)[0]

    return item


class NormalizePipeline(CountingPipeline):
    """Scrapy item pipeline, priority 300: see the module docstring."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Release):
            return item  # not ours (nothing else is yielded today)
        try:
            normalize_release(item)
        except DateParseError as exc:
            self._inc("normalize/date_error")
            raise DropItem(f"unparseable published date at {item.url}: {exc}") from exc
        self._inc("normalize/items")
        if item.published_ambiguous:
            self._inc("normalize/date_ambiguous")
        return item
