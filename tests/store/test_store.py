"""StorePipeline against a real PostgreSQL: idempotent, versioned, verbatim, searchable."""

from __future__ import annotations

import dataclasses

import psycopg
import pytest
from scrapy.exceptions import NotConfigured

from crawler.db.releases import content_hash, content_of, decompress_page
from pipelines.store import StorePipeline

from .support import crawler_for, drive, make_release, releases


def rows(url, sql, params=()):
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def scalar(url, sql, params=()):
    return rows(url, sql, params)[0][0]


def test_store_off_is_not_configured(database_url):
    with pytest.raises(NotConfigured):
        StorePipeline.from_crawler(crawler_for(database_url, STORE_RELEASES=False))


def test_first_pass_stores_all_second_pass_changes_nothing(database_url):
    items = releases(230)  # 4 full batches of 50 and a rest flushed at close
    stats = drive(database_url, items)
    assert stats["store/new"] == 230 and stats.get("store/changed", 0) == 0
    assert stats["store/batches"] >= 5  # 4 full batches and the rest (the timer may split it)
    assert scalar(database_url, "SELECT count(*) FROM releases") == 230
    assert scalar(database_url, "SELECT count(*) FROM release_pages") == 230
    assert scalar(database_url, "SELECT count(*) FROM publishers") == 3
    before = dict(rows(database_url, "SELECT story_id, changed_at FROM releases"))
    seen_before = scalar(database_url, "SELECT max(last_seen_at) FROM releases")

    stats = drive(database_url, items)
    assert stats["store/unchanged"] == 230
    assert stats.get("store/new", 0) == 0 and stats.get("store/changed", 0) == 0
    assert scalar(database_url, "SELECT count(*) FROM releases") == 230
    assert scalar(database_url, "SELECT count(*) FROM release_revisions") == 0
    assert dict(rows(database_url, "SELECT story_id, changed_at FROM releases")) == before, \
        "an unchanged release must keep its changed_at"
    assert scalar(database_url, "SELECT min(last_seen_at) FROM releases") > seen_before


def test_edited_release_yields_exactly_one_revision(database_url):
    items = releases(20)
    drive(database_url, items)
    edited = dataclasses.replace(items[7], body=items[7].body + "\n\nKorrektur: neuer Absatz.")
    stats = drive(database_url, items[:7] + [edited] + items[8:])
    assert (stats.get("store/new", 0), stats["store/changed"], stats["store/unchanged"]) == (0, 1, 19)
    revs = rows(database_url, "SELECT story_id, content->>'body', content_hash FROM release_revisions")
    assert revs == [(items[7].story_id, items[7].body, content_hash(content_of(dataclasses.asdict(items[7]))))]
    assert scalar(database_url, "SELECT body FROM releases WHERE story_id = %s", [items[7].story_id]) == edited.body
    # storing the edited version again is no change at all
    stats = drive(database_url, [edited])
    assert stats["store/unchanged"] == 1
    assert scalar(database_url, "SELECT count(*) FROM release_revisions") == 1


def test_hash_ignores_fetch_metadata(database_url):
    item = make_release(42)
    drive(database_url, [item])
    refetched = dataclasses.replace(item, raw_html=item.raw_html + "<!-- ad -->", fetched_at=None,
                                    http_status=203, field_sources={"title": "jsonld"})
    stats = drive(database_url, [refetched])
    assert stats["store/unchanged"] == 1
    # the page did change: its new HTML is kept
    [(compression, html)] = rows(database_url, "SELECT compression, html FROM release_pages WHERE story_id = 42")
    assert compression == "zstd"
    assert decompress_page(html, compression) == refetched.raw_html


def test_raw_pages_of_older_versions_stay_readable():
    # release_pages.compression names each row's codec: zlib rows written before zstd
    # are read as they were written; an unknown codec is an error, never garbage
    import zlib

    import zstandard

    page = "<html><body><p>Köln (ots) – Grüße \u2028 🏠</p></body></html>" * 40
    raw = page.encode("utf-8")
    assert decompress_page(zlib.compress(raw, 3), "zlib") == page
    assert decompress_page(zstandard.ZstdCompressor(level=1).compress(raw), "zstd") == page
    with pytest.raises(ValueError, match="brotli"):
        decompress_page(raw, "brotli")


TRICKY = [
    "Sie sagte: \"Das ist 'unglaublich'\" – „Zitat“ ‚halb‘ «Guillemets»",
    "C:\\Pfad\\zur\\Datei \\n ist kein Zeilenumbruch \\\\ doppelt \\x00 \\0",
    "Robert'); DROP TABLE releases;-- $1 %s %(title)s {} ? :name",
    "E'\\\\x41' || chr(0) /* Kommentar */ ; SELECT pg_sleep(10);",
    "Emoji 🏠 und Zeichen: ß ÄÖÜ ½ \u200b Ende",
]


@pytest.mark.parametrize("text", TRICKY, ids=["quotes", "backslashes", "sql", "sql2", "unicode"])
def test_text_is_stored_verbatim(database_url, text):
    item = make_release(7, title=text, body=text, keywords=[text], contact=text,
                        links=[{"url": "https://x/?a='b'", "text": text}])
    drive(database_url, [item])
    got = rows(database_url, "SELECT title, body, keywords, contact, links FROM releases")[0]
    assert got == (text, text, [text], text, [{"url": "https://x/?a='b'", "text": text}])
    assert scalar(database_url, "SELECT count(*) FROM releases") == 1


def test_nul_characters_are_stripped_not_rejected(database_url):
    # PostgreSQL text/jsonb cannot hold U+0000: the store removes it (documented policy)
    item = make_release(8, title="Null\x00byte", body="a\x00b", keywords=["x\x00y"],
                        images=[{"url": "https://x/i.jpg", "caption": "c\x00d"}])
    stats = drive(database_url, [item])
    assert stats["store/new"] == 1
    got = rows(database_url, "SELECT title, body, keywords, images->0->>'caption' FROM releases")[0]
    assert got == ("Nullbyte", "ab", ["xy"], "cd")
    assert drive(database_url, [item])["store/unchanged"] == 1


def test_full_text_search_finds_german_stems(database_url):
    drive(database_url, [
        make_release(1, title="Neue Häuser in der Innenstadt", body="Wir bauen."),
        make_release(2, title="Pressemitteilung zum Wetter", body="Es regnet, die Straßen sind nass."),
    ])

    def search(q):
        return [r[0] for r in rows(
            database_url,
            "SELECT story_id FROM releases WHERE search @@ plainto_tsquery('german', %s) ORDER BY story_id",
            [q])]

    assert search("Haus") == [1], "german stemming: 'Haus' should match 'Häuser'"
    assert search("häuser") == [1]
    assert search("Straße") == [2]
    assert search("nasse Strassen") == [2], "ß and ss share a stem"
    plan = "\n".join(r[0] for r in rows(
        database_url,
        "EXPLAIN SELECT 1 FROM releases WHERE search @@ to_tsquery('german', 'haus')"))
    assert "releases_search_idx" in plan or "Seq Scan" in plan  # tiny table: either is fine
    assert scalar(database_url, "SELECT count(*) FROM pg_indexes WHERE indexname = 'releases_search_idx'") == 1


def test_counts_go_to_the_run_row(database_url):
    from crawler import db

    with db.connect(database_url) as conn:
        run_id = db.start_run(conn, "crawl", [1000])
    items = releases(60)
    drive(database_url, items, run_id=run_id)
    drive(database_url, items[:10] + [dataclasses.replace(items[10], title="geändert")],
          run_id=run_id)
    row = rows(database_url, "SELECT new, changed, unchanged FROM crawl_runs WHERE id = %s", [run_id])[0]
    assert row == (60, 1, 10)


def test_same_story_twice_in_one_batch(database_url):
    first = make_release(99)
    second = dataclasses.replace(first, title="Zweite Fassung")
    stats = drive(database_url, [first, make_release(100), second], STORE_BATCH_SIZE=10)
    assert (stats["store/new"], stats["store/changed"]) == (2, 1)
    assert scalar(database_url, "SELECT title FROM releases WHERE story_id = 99") == "Zweite Fassung"
    assert scalar(database_url, "SELECT content->>'title' FROM release_revisions") == first.title
