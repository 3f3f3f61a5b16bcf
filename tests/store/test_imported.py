"""Imported releases in the store (upsert_releases, adopt_imports) against a real PostgreSQL:
a crawled page wins over an import, fills it in without a spurious revision, and gives an
import stored under a derived id its real one."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import psycopg
import pytest

from crawler import db
from crawler.db.releases import content_hash, content_of

from .support import drive, make_release

SID = 4_806_207
PAGE_INSTANT = datetime(2021, 1, 21, 9, 30, tzinfo=UTC)  # 10:30 in Berlin
MONTH_START = datetime(2020, 12, 31, 23, 0, tzinfo=UTC)  # 2021-01-01 00:00 in Berlin
DAY_START = datetime(2021, 1, 20, 23, 0, tzinfo=UTC)  # 2021-01-21 00:00 in Berlin


def rows(url, sql, params=()):
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def scalar(url, sql, params=()):
    return rows(url, sql, params)[0][0]


def page(story_id: int = SID, **overrides):
    """A release as a crawl of its page stores it."""
    fields = dict(published_at=PAGE_INSTANT, published_raw="21.01.2021 – 10:30")
    fields.update(overrides)
    return make_release(story_id, **fields)


def imported(story_id: int = SID, *, derived: bool = False, **overrides):
    """The release as a flattened dump knows it: text only, the month, no page. Under a
    derived (negative) id, it is the release SID."""
    fields = dict(
        url="" if derived else page(story_id).url, publisher="", title="", teaser="",
        body=page(SID if derived else story_id).body,
        published_at=MONTH_START, published_raw="2021-01", published_precision="month",
        keywords=[], places=[], images=[], links=[], origin="import", story_id_derived=derived,
        fetched_at=None, raw_html="", field_sources={},
    )
    fields.update(overrides)
    return make_release(story_id, **fields)


def stored(url, story_id=SID):
    (row,) = rows(url, """SELECT title, published_at, published_precision, origin, story_id_derived,
                                 changed_at, body, url FROM releases WHERE story_id = %s""", [story_id])
    return dict(zip(("title", "published_at", "published_precision", "origin", "story_id_derived",
                     "changed_at", "body", "url"), row))


def revisions(url):
    return rows(url, "SELECT story_id, content->>'origin', content->>'body' FROM release_revisions ORDER BY id")


def test_an_import_keeps_its_month_and_a_crawl_fills_in_the_instant_without_a_change(database_url):
    assert drive(database_url, [imported()])["store/new"] == 1
    before = stored(database_url)
    assert (before["published_at"], before["published_precision"], before["origin"]) == (MONTH_START, "month", "import")

    stats = drive(database_url, [page()])
    assert (stats["store/upgraded"], stats["store/changed"], stats["store/new"]) == (1, 0, 0)
    assert stats["store/unchanged"] == 1, "an upgrade is no content change"
    after = stored(database_url)
    assert (after["published_at"], after["published_precision"], after["origin"]) == (PAGE_INSTANT, "minute", "page")
    assert after["title"] == page().title, "the page fills in what the dump lacked"
    assert after["changed_at"] == before["changed_at"]
    assert revisions(database_url) == [], "filling in an import is no revision"
    # and the page again: unchanged, as any recrawl
    assert drive(database_url, [page()])["store/unchanged"] == 1
    assert revisions(database_url) == []


def test_an_import_that_knows_the_day_is_upgraded_only_by_a_page_of_that_day(database_url):
    drive(database_url, [imported(published_at=DAY_START, published_raw="2021-01-21", published_precision="day")])
    assert drive(database_url, [page()])["store/upgraded"] == 1
    drive(database_url, [imported(SID + 1, published_at=DAY_START, published_raw="2021-01-21",
                                  published_precision="day")])
    other_day = page(SID + 1, published_at=datetime(2021, 1, 22, 9, 30, tzinfo=UTC))
    stats = drive(database_url, [other_day])
    assert (stats["store/upgraded"], stats["store/changed"]) == (0, 1), "the page says another day: a change"
    assert revisions(database_url) == [(SID + 1, "import", page(SID + 1).body)]


def test_a_page_that_contradicts_the_import_wins_and_the_import_is_kept_as_a_revision(database_url):
    drive(database_url, [imported(body="Absatz aus dem Archiv.")])
    stats = drive(database_url, [page()])
    assert (stats["store/changed"], stats["store/upgraded"]) == (1, 0)
    assert stored(database_url)["body"] == page().body
    assert revisions(database_url) == [(SID, "import", "Absatz aus dem Archiv.")]


def test_an_import_after_the_crawl_never_overwrites_the_page(database_url):
    drive(database_url, [page()])
    agreeing = drive(database_url, [imported()])
    assert agreeing["store/unchanged"] == 1 and agreeing["store/kept"] == 0
    assert stored(database_url)["origin"] == "page" and revisions(database_url) == []

    contradicting = imported(body="Eine ältere Fassung.")
    stats = drive(database_url, [contradicting])
    assert (stats["store/kept"], stats["store/changed"]) == (1, 0)
    assert stored(database_url)["body"] == page().body, "the crawled page wins"
    revision = rows(database_url, "SELECT content_hash, content->>'body', content->>'origin' FROM release_revisions")
    assert revision == [(content_hash(content_of(dataclasses.asdict(contradicting))), "Eine ältere Fassung.", "import")]
    # the same import again adds nothing: it is kept already
    again = drive(database_url, [contradicting])
    assert (again["store/kept"], again["store/unchanged"]) == (0, 1)
    assert len(revisions(database_url)) == 1


def test_a_crawl_gives_an_import_without_story_id_its_real_id(database_url):
    derived_id = -123_456_789
    drive(database_url, [imported(derived_id, derived=True, title=page().title, published_at=DAY_START,
                                  published_raw="2021-01-21", published_precision="day")])
    assert stored(database_url, derived_id)["story_id_derived"] is True

    stats = drive(database_url, [page()])
    assert (stats["store/adopted"], stats["store/upgraded"], stats["store/new"]) == (1, 1, 0)
    assert scalar(database_url, "SELECT count(*) FROM releases") == 1
    row = stored(database_url)
    assert (row["story_id_derived"], row["origin"], row["url"]) == (False, "page", page().url)
    assert revisions(database_url) == []


def test_an_adopted_import_moves_with_its_revisions(database_url):
    derived_id = -42
    first = imported(derived_id, derived=True, title=page().title, published_at=DAY_START,
                     published_raw="2021-01-21", published_precision="day", body="Erste Fassung.")
    drive(database_url, [first])
    drive(database_url, [dataclasses.replace(first, body="Zweite Fassung.")])  # a later dump of it
    assert rows(database_url, "SELECT story_id FROM release_revisions") == [(derived_id,)]
    drive(database_url, [page()])
    assert rows(database_url, "SELECT story_id, content->>'body' FROM release_revisions ORDER BY id") == [
        (SID, "Erste Fassung."), (SID, "Zweite Fassung.")]


def test_an_import_without_story_id_of_a_crawled_release_takes_the_crawled_id(database_url):
    drive(database_url, [page()])
    again = imported(-77, derived=True, title=page().title, published_at=DAY_START,
                     published_raw="2021-01-21", published_precision="day")
    stats = drive(database_url, [again])
    assert (stats["store/new"], stats["store/unchanged"]) == (0, 1), "the same release: no second row"
    assert rows(database_url, "SELECT story_id FROM releases") == [(SID,)]


def test_only_a_known_title_and_day_match_an_import_to_a_page(database_url):
    month_only = imported(-5, derived=True, title=page().title)  # no day: no match
    other_title = imported(-6, derived=True, title="Ein anderer Titel", published_at=DAY_START,
                           published_raw="2021-01-21", published_precision="day")
    no_title = imported(-7, derived=True, published_at=DAY_START, published_raw="2021-01-21",
                        published_precision="day")
    drive(database_url, [month_only, other_title, no_title])
    stats = drive(database_url, [page()])
    assert (stats["store/adopted"], stats["store/new"]) == (0, 1)
    assert {r[0] for r in rows(database_url, "SELECT story_id FROM releases")} == {-5, -6, -7, SID}


def test_only_a_negative_story_id_can_be_flagged_derived(database_url):
    drive(database_url, [page()])
    with psycopg.connect(database_url) as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("UPDATE releases SET story_id_derived = true WHERE story_id = %s", [SID])


def test_a_backfill_fetches_the_pages_of_imported_releases_and_cron_does_not(database_url):
    drive(database_url, [page(SID), imported(SID + 1)])
    with db.connect(database_url) as conn:
        assert db.known_story_ids(conn, [73811]) == {SID, SID + 1}
        assert db.known_story_ids(conn, [73811], imports=False) == {SID}
        assert db.known_story_ids(conn, None, imports=False) == {SID}
