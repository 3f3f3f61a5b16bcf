"""A newsroom is (kind, id) in the store (issue 13): publishers and police or fire offices
may share an id number; their rows, releases, run locks, runs and stored stories never
mix. Migration 006 brings a store of publishers only along."""

from __future__ import annotations

import dataclasses

import psycopg
import pytest

from crawler import db
from crawler.db import health
from crawler.db import newsrooms as newsrooms_db
from crawler.db import queue as queue_db
from crawler.db import reads
from crawler.db.releases import content_hash, content_of
from crawler.db.sql_files import migrations, query
from crawler.items import Newsroom
from crawler.spiders.presseportal import MODES
from crawler.state import CrawlPlan

from .support import drive, make_release

PUBLISHER = Newsroom("publisher", 97012)
OFFICE = Newsroom("office", 97012)  # the same number: the site does not say they never meet


def office_release(story_id: int, office_id: int = 97012, **overrides):
    return make_release(story_id, publisher_id=office_id, newsroom_kind="office",
                        url=f"https://www.presseportal.de/blaulicht/pm/{office_id}/{story_id}",
                        publisher="Polizeipräsidium Musterstadt", title="POL-MS: Kiosk aufgebrochen",
                        office_code="POL-MS", **overrides)


def test_a_publisher_and_an_office_of_the_same_number_are_two_newsrooms(database_url):
    stats = drive(database_url, [make_release(5_000_001, publisher_id=97012), office_release(5_000_002)])
    assert stats["store/new"] == 2
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT kind, id, name FROM publishers ORDER BY kind").fetchall()
        assert rows == [("office", 97012, "Polizeipräsidium Musterstadt"), ("publisher", 97012, "Newsroom 97012")]
        stored = conn.execute("SELECT story_id, newsroom_kind, office_code, url FROM releases ORDER BY story_id").fetchall()
        assert stored == [
            (5_000_001, "publisher", "", "https://www.presseportal.de/pm/97012/5000001"),
            (5_000_002, "office", "POL-MS", "https://www.presseportal.de/blaulicht/pm/97012/5000002"),
        ]
        assert db.known_story_ids(conn, [OFFICE]) == {5_000_002}
        assert db.known_story_ids(conn, [PUBLISHER]) == {5_000_001}
        assert db.known_story_ids(conn, [97012]) == {5_000_001}, "an int is a publisher's newsroom"
        assert db.known_story_ids(conn, None) == {5_000_001, 5_000_002}
        # per newsroom, in the order asked, one without a release too (the run's log line)
        empty = Newsroom("office", 99001)
        assert list(db.stored_story_ids(conn, [empty, PUBLISHER, OFFICE]).items()) == [
            (empty, set()), (PUBLISHER, {5_000_001}), (OFFICE, {5_000_002})]
        exported = list(reads.export(conn, since=None, newsrooms=None))
        assert [(r["newsroom_kind"], r["publisher"], r["office_code"]) for r in exported] == [
            ("office", "Polizeipräsidium Musterstadt", "POL-MS"), ("publisher", "Newsroom 97012", "")]
        assert [r["story_id"] for r in reads.export(conn, since=None, newsrooms=[PUBLISHER])] == [5_000_001]
        assert [r["story_id"] for r in reads.export(conn, since=None, newsrooms=[OFFICE])] == [5_000_002]
        counts = {(r["kind"], r["publisher_id"]): r["releases"] for r in reads.releases_per_publisher(conn)}
        assert counts == {("office", 97012): 1, ("publisher", 97012): 1}


def test_the_office_code_is_not_hashed_so_no_stored_release_becomes_a_revision():
    # the hash of a release without the new fields is what the store computed before them
    # (pinned from the code before issue 13): upgrading does not make every release "changed"
    release = make_release(5_000_001)
    assert content_hash(content_of(dataclasses.asdict(release))) == (
        "55fd8c6482f991cbd6b9fe608e0f44a85f8c02d71e0b20e7b09bcee890779201")
    office = dataclasses.replace(release, office_code="POL-MS", newsroom_kind="office")
    assert content_hash(content_of(dataclasses.asdict(office))) == content_hash(content_of(dataclasses.asdict(release)))


def test_run_locks_key_by_kind_and_id(database_url):
    a = db.connect(database_url)
    b = db.connect(database_url)
    try:
        assert db.acquire_publisher_lock(a, [PUBLISHER])
        run_id = db.start_run(a, "crawl", [PUBLISHER, Newsroom("office", 99001)])
        # the office of the same number is another newsroom: its run may go on
        assert db.acquire_publisher_lock(b, [OFFICE])
        assert db.current_lock_holder(b, [OFFICE]) is None
        db.release_publisher_lock(b, [OFFICE])
        # the same publisher: refused, and the holder named with its newsrooms
        assert not db.acquire_publisher_lock(b, [97012])
        holder = db.current_lock_holder(b, [PUBLISHER])
        assert holder["run_id"] == run_id and holder["lock_namespace"] == db.LOCK_NAMESPACE
        assert (holder["publishers"], holder["offices"]) == ([97012], [99001])
        # an office run refused by the office's lock
        db.release_publisher_lock(a, [PUBLISHER])
        assert db.acquire_publisher_lock(a, [OFFICE])
        assert not db.acquire_publisher_lock(b, [PUBLISHER, OFFICE]), "all or nothing"
        assert db.acquire_publisher_lock(b, [PUBLISHER]), "the refusal left nothing locked behind"
        assert db.current_lock_holder(b, [OFFICE])["lock_namespace"] == db.LOCK_NAMESPACES["office"]
        # a run over all newsrooms waits for both kinds
        c = db.connect(database_url)
        try:
            assert not db.acquire_publisher_lock(c, None)
        finally:
            c.close()
    finally:
        a.close()
        b.close()


def test_the_unfinished_runs_of_an_office_are_the_offices_not_a_publishers_of_its_number(database_url):
    with db.connect(database_url) as conn:
        conn.execute("INSERT INTO crawl_runs (mode, publishers, offices, backend_pid) VALUES "
                     "('crawl', '{}', '{97012}', -1), ('crawl', '{97012}', '{}', -2)")
        conn.commit()
        ids = dict(conn.execute("SELECT backend_pid, id FROM crawl_runs").fetchall())
        assert [r["run_id"] for r in db.unfinished_runs(conn, [OFFICE])] == [ids[-1]], \
            "the publisher's run is not the office's"
        assert [r["run_id"] for r in db.unfinished_runs(conn, [PUBLISHER])] == [ids[-2]]
        assert [r["run_id"] for r in db.unfinished_runs(conn, None)] == [ids[-1], ids[-2]]


def migrate_before(conn: psycopg.Connection, version: str) -> None:
    """The schema as a store that `version` finds: every migration before it, recorded."""
    conn.execute(query("create_schema_migrations"))
    for name, sql in migrations():
        if name >= version:
            break
        conn.execute(sql)
        conn.execute(query("record_migration"), {"version": name})


def test_migration_006_brings_a_store_of_publishers_along(empty_database_url):
    url = empty_database_url
    with psycopg.connect(url, autocommit=True) as conn:
        migrate_before(conn, "006")
        conn.execute("INSERT INTO publishers (id, name) VALUES (73811, 'Public Marketing')")
        conn.execute("INSERT INTO releases (story_id, publisher_id, url, content_hash) "
                     "VALUES (1, 73811, 'https://www.presseportal.de/pm/73811/1', 'h')")
        for key in ("newsroom:73811", "backfill:73811:2024-01-01::missing", "backfill:73811:::refresh", "other"):
            conn.execute("INSERT INTO crawl_cursors (key, state) VALUES (%s, '{}')", [key])
    assert [v for v in db.migrate(url) if v.startswith("006")], "006 applied"
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT kind, id FROM publishers").fetchall() == [("publisher", 73811)]
        assert conn.execute("SELECT newsroom_kind, office_code FROM releases").fetchall() == [("publisher", "")]
        keys = sorted(r[0] for r in conn.execute("SELECT key FROM crawl_cursors"))
        assert keys == ["backfill:publisher:73811:2024-01-01::missing", "backfill:publisher:73811:::refresh",
                        "newsroom:publisher:73811", "other"]
        # a release must name a newsroom that exists, of its kind
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute("INSERT INTO releases (story_id, publisher_id, newsroom_kind, url, content_hash) "
                         "VALUES (2, 73811, 'office', 'x', 'h')")


def test_migration_013_lists_the_newsrooms_the_store_knows_and_those_only_imports_name(empty_database_url):
    # one definition of the newsrooms status and the health list (listed_newsrooms); each
    # query spelled the same union before
    url = empty_database_url
    crawled, imported, visited, unfollowed = (Newsroom("publisher", 73811), Newsroom("publisher", 12345),
                                              Newsroom("office", 99001), Newsroom("office", 99002))
    with psycopg.connect(url, autocommit=True) as conn:
        migrate_before(conn, "013")
        for story_id, room, origin in ((1, crawled, "page"), (2, imported, "import"), (3, unfollowed, "page")):
            conn.execute("INSERT INTO publishers (kind, id, name) VALUES (%s, %s, '') ON CONFLICT DO NOTHING",
                         [room.kind, room.id])
            conn.execute("INSERT INTO releases (story_id, newsroom_kind, publisher_id, url, origin, content_hash) "
                         "VALUES (%s, %s, %s, '', %s, 'h')", [story_id, room.kind, room.id, origin])
        conn.execute("INSERT INTO crawl_runs (mode, offices) VALUES ('backfill', %s)", [[visited.id]])
        conn.execute("INSERT INTO unfollowed_newsrooms (kind, id) VALUES (%s, %s)", [unfollowed.kind, unfollowed.id])
    assert [v for v in db.migrate(url) if v.startswith("013")], "013 applied"
    with db.connect(url) as conn:
        listed = {(Newsroom(kind, nid), known) for kind, nid, known in
                  conn.execute("SELECT kind, id, known FROM listed_newsrooms").fetchall()}
        assert listed == {(crawled, True), (visited, True), (unfollowed, True), (imported, False)}
        status = {Newsroom(r["kind"], r["publisher_id"]): (r["followed"], r["imported_only"])
                  for r in reads.releases_per_publisher(conn)}
        assert status == {crawled: (True, False), visited: (True, False), unfollowed: (False, False),
                          imported: (False, True)}
        watched = [Newsroom(r["kind"], r["newsroom_id"]) for r in health.newsrooms(conn)]
        assert sorted(watched) == sorted([crawled, visited]), "every followed newsroom"
        asked = [Newsroom(r["kind"], r["newsroom_id"]) for r in health.newsrooms(conn, publishers=[imported.id],
                                                                                  offices=[unfollowed.id])]
        assert sorted(asked) == sorted([imported, unfollowed]), "asked for by id: listed all the same"


@pytest.mark.parametrize("mode", [*MODES, "import", "reextract"])
def test_a_run_makes_its_newsrooms_known_only_when_it_visits_their_listings(database_url, mode):
    # seen: `crawl --story` of a story that answered 404 left its newsroom followed, with
    # no release and a "no successful run" alert for ever (011_known_newsrooms.sql)
    room = Newsroom("publisher", 424242)
    office = Newsroom("office", 424242)
    with db.connect(database_url) as conn:
        db.start_run(conn, mode, [room, office])
        known = {h.newsroom for h in newsrooms_db.holdings(conn, [room, office]) if h.met}
        followed = set(queue_db.followed_newsrooms(conn))
    visits = CrawlPlan(mode=mode, newsrooms=(room, office)).visits_newsrooms
    assert known == ({room, office} if visits else set()), f"011's modes must be CrawlPlan.visits_newsrooms' ({mode})"
    assert followed == known
