"""`normalize_release(raw) -> Release`: the clean record of a raw one.

The raw record (`crawler.items.RawRelease`, what extraction read from the page) already
has its sections told apart by the release grammar; this keeps characters and dates:

- title, office_code, publisher, teaser, dateline, originator: `clean_inline`;
- body, about: each paragraph `clean_inline`d (a `<br>` inside one becomes a space; the
  lines of a list or table stay lines), empty ones dropped, joined by exactly one blank line;
- contact: its lines `clean_block`ed, joined by "\\n";
- image captions and link texts: `clean_inline`;
- keywords, places: cleaned, empty ones dropped, de-duplicated in page order;
- published_at/published_ambiguous/published_precision:
  `precision.read_published(published_raw, now=fetched_at)` ("Heute, 10:30" means the
  day the page was fetched; an import's "2021-01" is a month, kept as one);
  published_raw stays as shown;
- language: lower-cased primary subtag ("de-DE" -> "de"), "de" when the page gave none;
- story_id, publisher_id, newsroom_kind, url, the fetch (fetched_at, http_status,
  raw_html), the layers (sources, as field_sources), the origin (page or import), the
  derived-id flag and an import's location (as imported_from) are carried over.

An unreadable date raises `DateParseError` before anything is built: a release without a
correct instant is never made with a made-up one.
"""

from __future__ import annotations

import re
from datetime import datetime

from crawler.items import RawRelease, Release
from crawler.normalize.precision import read_published
from crawler.normalize.text import clean_block, clean_inline, clean_paragraphs

_SUBTAG_SEP = re.compile(r"[-_]")


def _dedupe(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for v in values:
        c = clean_inline(v) if isinstance(v, str) else ""
        if c and c not in seen:
            seen.add(c)
            out.append(c)
    return out


def _language(value: str) -> str:
    return _SUBTAG_SEP.split((value or "de").strip().lower(), maxsplit=1)[0]


def normalize_release(raw: RawRelease) -> Release:
    """A new, clean `Release` from a raw one (which is left as it is).

    Raises `DateParseError` (a ValueError naming the raw string) on an unreadable date.
    An empty published_raw leaves published_at None (validate drops such a record)."""
    # the date first: an unreadable one must fail before anything is built
    published_at: datetime | None = None
    ambiguous = False
    precision = ""
    if raw.published_raw and raw.published_raw.strip():
        parsed, precision = read_published(raw.published_raw, now=raw.fetched_at)
        published_at, ambiguous = parsed.instant, parsed.ambiguous

    return Release(
        story_id=raw.story_id,
        publisher_id=raw.publisher_id,
        newsroom_kind=raw.newsroom_kind,
        url=raw.url,
        publisher=clean_inline(raw.publisher),
        title=clean_inline(raw.title),
        office_code=clean_inline(raw.office_code),
        published_at=published_at,
        published_raw=raw.published_raw,
        published_ambiguous=ambiguous,
        published_precision=precision,
        dateline=clean_inline(raw.dateline),
        teaser=clean_inline(raw.teaser),
        body="\n\n".join(clean_paragraphs(raw.body)),
        about="\n\n".join(clean_paragraphs(raw.about)),
        contact=clean_block("\n".join(raw.contact)),
        originator=clean_inline(raw.originator),
        keywords=_dedupe(raw.keywords),
        places=_dedupe(raw.places),
        images=[{**image, "caption": clean_inline(image.get("caption") or "")} for image in raw.images],
        links=[{**link, "text": clean_inline(link.get("text") or "")} for link in raw.links],
        language=_language(raw.language),
        origin=raw.origin,
        story_id_derived=raw.story_id_derived,
        fetched_at=raw.fetched_at,
        http_status=raw.http_status,
        field_sources=dict(raw.sources),
        raw_html=raw.raw_html,
        imported_from=raw.location if raw.origin == "import" else "",
    )
