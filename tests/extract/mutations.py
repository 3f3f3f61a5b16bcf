"""Mutated pages for fuzzing the extractors (the fuzz test and `python -m bench.fuzz`).

Seed pages are the stored ones: the story and listing fixtures, the real reference
page when it is there, and replica renderings of every variety of the corpus. A
mutation damages a page the way the wire and the site do: deletes an element's tag,
truncates at a random byte, swaps two tags, inserts random bytes, puts a bad URL in a
link or an image, or drops in a bad character reference.

`extract(kind, html)` runs what the crawler runs on a page (completeness check, decoding,
story or listing extraction, and for a story the normaliser); the only exceptions it may
raise are the documented ones: `ExtractionError` (no title, no date) and
`DateParseError` (a date no reader understands), both a failed page with its reason.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from functools import cache

from crawler.extract.completeness import missing_end
from crawler.extract.encoding import decode_html
from crawler.extract.listing import extract_listing
from crawler.extract.story import ExtractionError, extract_story
from crawler.normalize.dates import DateParseError
from crawler.normalize.release import normalize_release
from tests.extract.helpers import FIXTURES, REFERENCE
from tests.replica import render
from tests.replica.corpus import Corpus

STORY_URL = "https://www.presseportal.de/pm/73811/5000000"
LISTING_URL = "https://www.presseportal.de/nr/73811/30"
# hrefs and references that break parsers: an IPv6 host never closed, a port out of
# range, a scheme without a host, code points that do not exist
BAD_URLS = ("http://[broken/x", "http://[::1", "//[", "http://a:99999999/", "http:///", "http://%zz/",
            "javascript:alert(1)", "mailto:\x01x@y", "  ", "http://exa mple.org/ä")
BAD_REFERENCES = ("&#xffffff;", "&#0;", "&#x110000;", "&bogus;", "&#55296;", "&", "&#x;", "\x00", "\x0c", "\x1b")
_TAG = re.compile(r"<[^<>]{1,300}>")
_URL_ATTR = re.compile(r'(href|src|content|data-url|data-src|data-caption)="([^"]*)"')


@cache
def seed_pages() -> tuple[tuple[str, str, str], ...]:
    """(kind, name, html) of every stored page, kind "story" or "listing"."""
    pages = [("story", p.stem, p.read_text(encoding="utf-8", errors="replace"))
             for p in sorted((FIXTURES / "story").glob("*.html"))]
    pages += [("listing", p.stem, p.read_text(encoding="utf-8"))
              for p in sorted((FIXTURES / "listing").glob("*.html"))]
    if REFERENCE.is_file():
        pages.append(("story", "reference", REFERENCE.read_text(encoding="utf-8")))
    corpus = Corpus(releases=80, seed=11, base_url="https://www.presseportal.de")
    kinds = sorted({kind for sid in corpus.story_ids() for kind in corpus.doc(sid).kinds})
    for kind in kinds:
        sid = corpus.cases(kind)[0]
        pages.append(("story", f"replica-{kind}", render.story_page(corpus, corpus.doc(sid))))
    sids = corpus.story_ids()
    pages.append(("listing", "replica-listing", render.listing_page(corpus, corpus.newsroom_of(73811), sids, 30, 30, "")))
    return tuple(pages)


def truncate(rng: random.Random, html: str) -> str:
    return html[: rng.randrange(len(html))] if html else html


def delete_element(rng: random.Random, html: str) -> str:
    tags = list(_TAG.finditer(html))
    if not tags:
        return html
    m = rng.choice(tags)
    return html[: m.start()] + html[m.end():]


def swap_tags(rng: random.Random, html: str) -> str:
    tags = list(_TAG.finditer(html))
    if len(tags) < 2:
        return html
    a, b = sorted(rng.sample(tags, 2), key=lambda m: m.start())
    return html[: a.start()] + b.group() + html[a.end(): b.start()] + a.group() + html[b.end():]


def insert_bytes(rng: random.Random, html: str) -> str:
    i = rng.randrange(len(html) + 1)
    noise = bytes(rng.randrange(256) for _ in range(rng.randint(1, 24))).decode("latin-1")
    return html[:i] + noise + html[i:]


def bad_url(rng: random.Random, html: str) -> str:
    attrs = list(_URL_ATTR.finditer(html))
    if not attrs:
        return html
    m = rng.choice(attrs)
    return html[: m.start(2)] + rng.choice(BAD_URLS) + html[m.end(2):]


def bad_reference(rng: random.Random, html: str) -> str:
    i = rng.randrange(len(html) + 1)
    return html[:i] + rng.choice(BAD_REFERENCES) + html[i:]


MUTATIONS: tuple[Callable[[random.Random, str], str], ...] = (
    truncate, delete_element, swap_tags, insert_bytes, bad_url, bad_reference)


def mutate(rng: random.Random, html: str, times: int) -> str:
    for _ in range(times):
        html = rng.choice(MUTATIONS)(rng, html)
    return html


# what a damaged page may raise: the page is recorded as failed, the crawl goes on
DOCUMENTED = (ExtractionError, DateParseError)


def extract(kind: str, html: str) -> None:
    """What the crawler does with a page of this kind; raises only DOCUMENTED errors."""
    body = html.encode("utf-8", "surrogatepass")
    missing_end(body)
    text = decode_html(body, None)
    if kind == "listing":
        extract_listing(text, LISTING_URL)
        return
    normalize_release(extract_story(text, STORY_URL, listing_date="21.01.2021 – 10:30"))
