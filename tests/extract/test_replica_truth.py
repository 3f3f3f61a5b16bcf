"""Every replica story page, fetched over HTTP and extracted, equals the replica's truth.

The raw extraction goes through `crawler.normalize.release.normalize_release` (the
normaliser owns NFC, debris, mojibake and dates; extraction and the release grammar
found the sections) and is then compared with
`corpus.truth(sid)` field by field; the fields that need no normalisation are also
compared raw. A failure lists the story ids and the replica "kinds" they carry.
"""

from __future__ import annotations

import dataclasses
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

import tests.replica as replica_mod
from crawler.extract.encoding import decode_html
from crawler.extract.story import extract_story
from crawler.items import EXPORT_FIELDS, RawRelease, Release
from crawler.normalize.release import normalize_release

FETCHED_AT = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)
COMPARED = [f for f in EXPORT_FIELDS if f != "fetched_at"]


@dataclasses.dataclass
class Crawled:
    replica: Any
    pages: dict[int, RawRelease]
    records: dict[int, dict[str, Any]]


def _fetch(url: str) -> tuple[bytes, str | None]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read(), response.headers.get_content_charset()


def _export(release: Release) -> dict[str, Any]:
    record = {name: getattr(release, name) for name in COMPARED}
    record["published_at"] = release.published_at.isoformat() if release.published_at else None
    return record


@pytest.fixture(scope="module")
def crawled() -> Iterator[Crawled]:
    with replica_mod.Replica(releases=120, seed=7) as r:
        pages: dict[int, RawRelease] = {}
        records: dict[int, dict[str, Any]] = {}
        for sid in r.corpus.story_ids():
            body, charset = _fetch(r.story_url(sid))
            html = decode_html(body, charset)
            page = extract_story(html, r.story_url(sid))
            pages[sid] = page
            page.fetched_at, page.raw_html = FETCHED_AT, html  # as the spider does
            records[sid] = _export(normalize_release(page))
        yield Crawled(r, pages, records)


def _report(crawled: Crawled, name: str, got: dict[int, Any]) -> list[str]:
    problems = []
    for sid, value in got.items():
        want = crawled.replica.corpus.truth(sid)[name]
        if value != want:
            kinds = ",".join(sorted(crawled.replica.corpus.kinds(sid)))
            problems.append(f"{sid} [{kinds}]\n    got  {value!r}\n    want {want!r}")
    return problems


def test_replica_has_stories(crawled: Crawled) -> None:
    assert len(crawled.pages) >= 100


@pytest.mark.parametrize("name", COMPARED)
def test_normalised_field_equals_truth(crawled: Crawled, name: str) -> None:
    problems = _report(crawled, name, {sid: rec[name] for sid, rec in crawled.records.items()})
    assert not problems, f"{name}: {len(problems)} of {len(crawled.records)} stories differ:\n" + "\n".join(problems[:8])


@pytest.mark.parametrize("name", ["story_id", "publisher_id", "published_raw"])
def test_raw_field_equals_truth(crawled: Crawled, name: str) -> None:
    problems = _report(crawled, name, {sid: getattr(page, name) for sid, page in crawled.pages.items()})
    assert not problems, f"raw {name}: {len(problems)} differ:\n" + "\n".join(problems[:8])


def test_raw_image_urls_equal_truth(crawled: Crawled) -> None:
    got = {sid: [i["url"] for i in page.images] for sid, page in crawled.pages.items()}
    problems = []
    for sid, urls in got.items():
        want = [i["url"] for i in crawled.replica.corpus.truth(sid)["images"]]
        if urls != want:
            problems.append(f"{sid}: got {urls} want {want}")
    assert not problems, "\n".join(problems[:8])


def test_listing_pages_walk_to_every_story_of_the_publisher(crawled: Crawled) -> None:
    from crawler.extract.listing import extract_listing

    r = crawled.replica
    url: str | None = r.url(f"/nr/{r.corpus.publisher_id}")
    ids: list[int] = []
    for _ in range(100):
        if url is None:
            break
        body, charset = _fetch(url)
        listing = extract_listing(decode_html(body, charset), url)
        ids += [c.story_id for c in listing.cards if c.publisher_id == r.corpus.publisher_id]
        assert all(c.url == r.story_url(c.story_id) for c in listing.cards)
        url = listing.next_url
    assert url is None, "the last listing page still had a next link"
    assert ids == r.corpus.story_ids(), "cards out of order, missing or duplicated"


def test_feed_entries_are_stories_of_the_publisher(crawled: Crawled) -> None:
    from crawler.extract.feed import extract_feed

    r = crawled.replica
    url = r.url(f"/rss/pm_{r.corpus.publisher_id}.rss2")
    entries = extract_feed(_fetch(url)[0], url)
    assert entries, "empty feed"
    newest = r.corpus.story_ids()[: len(entries)]
    assert [e.story_id for e in entries] == newest
    assert all(e.url == r.story_url(e.story_id) and e.title for e in entries)
