"""`presseportal reextract`: the raw pages kept in PostgreSQL read again, without a request."""

from __future__ import annotations

import json
from datetime import date

import psycopg
import pytest

from crawler import db
from crawler.cli import main
from crawler.cli.reextract import dry_run_errors
from crawler.db.releases import content_hash, content_of
from tests.helpers import presseportal

PID = 73811


def rows(database_url: str, sql: str, *params):
    with psycopg.connect(database_url) as conn:
        return conn.execute(sql, params).fetchall()


def exported(replica, database_url) -> dict[int, dict]:
    done = presseportal(replica, "export", database_url=database_url)
    return {r["story_id"]: r for r in map(json.loads, done.stdout.splitlines())}


def damage(database_url: str, story_id: int) -> None:
    """Store a release as an older, worse extractor would have: other fields, and the
    content hash that goes with them."""
    with psycopg.connect(database_url) as conn:
        columns = [c.name for c in conn.execute("SELECT * FROM releases LIMIT 0").description]
        row = dict(zip(columns, conn.execute("SELECT * FROM releases WHERE story_id = %s", [story_id]).fetchone()))
        row.update(title="", body=row["body"].split("\n\n")[0] + " Pressekontakt: Max", keywords=[], dateline="Hamburg (ots)")
        conn.execute("UPDATE releases SET title = %s, body = %s, keywords = %s, dateline = %s, content_hash = %s "
                     "WHERE story_id = %s", [row["title"], row["body"], row["keywords"], row["dateline"],
                                             content_hash(content_of(row)), story_id])


@pytest.fixture
def crawled(replica_factory, database_url):
    replica = replica_factory(releases=40, seed=7)
    done = presseportal(replica, "backfill", "--publisher", f"{PID},97012", database_url=database_url)
    assert done.returncode == 0, done.stderr[-3000:]
    replica.log.clear()
    return replica


def test_reextracting_an_unchanged_store_changes_nothing(crawled, database_url):
    before = rows(database_url, "SELECT story_id, content_hash, changed_at FROM releases ORDER BY story_id")
    done = presseportal(crawled, "reextract", database_url=database_url)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"pages {len(before)}, new 0, changed 0, unchanged {len(before)}" in done.stderr
    assert rows(database_url, "SELECT story_id, content_hash, changed_at FROM releases ORDER BY story_id") == before
    assert rows(database_url, "SELECT count(*) FROM release_revisions") == [(0,)]
    assert not crawled.log, "a re-extraction makes no request to the site"
    assert rows(database_url, "SELECT mode, status FROM crawl_runs ORDER BY id")[-1] == ("reextract", "success")


def test_raw_pages_kept_as_zlib_by_an_older_version_are_read_beside_zstd_ones(crawled, database_url):
    import zlib

    import zstandard

    with psycopg.connect(database_url) as conn:
        kept = conn.execute("SELECT story_id, compression, html FROM release_pages ORDER BY story_id").fetchall()
        assert {compression for _, compression, _ in kept} == {"zstd"}
        for story_id, _, html in kept[::2]:  # every other page as an older version wrote it
            raw = zstandard.ZstdDecompressor().decompress(html)
            conn.execute("UPDATE release_pages SET compression = 'zlib', html = %s WHERE story_id = %s",
                         [zlib.compress(raw, 3), story_id])
    done = presseportal(crawled, "reextract", database_url=database_url)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"pages {len(kept)}, new 0, changed 0, unchanged {len(kept)}" in done.stderr


def test_a_damaged_release_is_shown_by_a_dry_run_and_restored_from_its_raw_page(crawled, database_url):
    victim = crawled.corpus.story_ids(publisher_id=PID)[5]
    truth = crawled.corpus.truth(victim)
    damage(database_url, victim)
    before = rows(database_url, "SELECT story_id, content_hash FROM releases ORDER BY story_id")
    runs = rows(database_url, "SELECT count(*) FROM crawl_runs")

    dry = presseportal(crawled, "reextract", "--dry-run", database_url=database_url)
    assert dry.returncode == 0, dry.stderr[-3000:]
    assert f"changed 1, unchanged {len(before) - 1}" in dry.stdout and f"story {victim}" in dry.stdout
    diff = {line.split(":", 1)[0].strip() for line in dry.stdout.splitlines() if line.startswith("  ")}
    assert diff == {"title", "body", "keywords", "dateline"}
    assert rows(database_url, "SELECT story_id, content_hash FROM releases ORDER BY story_id") == before
    assert rows(database_url, "SELECT count(*) FROM crawl_runs") == runs, "a dry run leaves no run row"
    # seen: three "Disabled ...: STORE_RELEASES is off" warnings for the store the dry run turned off
    assert "Disabled" not in dry.stderr and "STORE_RELEASES" not in dry.stderr, dry.stderr[-3000:]

    done = presseportal(crawled, "reextract", database_url=database_url)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "changed 1," in done.stderr
    # status shows what the run did: every page re-read, one release revised
    (run,) = [r for r in json.loads(presseportal(crawled, "status", "--json", database_url=database_url).stdout)["runs"]
              if r["mode"] == "reextract"]
    assert (run["pages"], run["changed"], run["unchanged"]) == (len(before), 1, len(before) - 1), run
    line = next(line for line in presseportal(crawled, "status", database_url=database_url).stdout.splitlines()
                if " reextract " in line)
    assert f" {len(before)}  " in line, line
    got = exported(crawled, database_url)[victim]
    assert {k: got[k] for k in truth} == truth
    (revision,) = rows(database_url, "SELECT story_id, content->>'title', content->>'dateline' FROM release_revisions")
    assert revision == (victim, "", "Hamburg (ots)"), "the damaged content is kept as a revision"
    assert not crawled.log, "a re-extraction makes no request to the site"


def test_only_the_publishers_and_days_asked_for(crawled, database_url):
    others = crawled.corpus.story_ids(publisher_id=97012)
    done = presseportal(crawled, "reextract", "--publisher", "97012", database_url=database_url)
    assert done.returncode == 0 and f"pages {len(others)}," in done.stderr
    days = sorted(t["published_at"][:10] for t in crawled.corpus.all_truth(PID))
    since = date.fromisoformat(days[len(days) // 2])
    newer = crawled.corpus.story_ids(publisher_id=PID, start=since)
    done = presseportal(crawled, "reextract", "--publisher", str(PID), "--since", since.isoformat(),
                        database_url=database_url)
    assert done.returncode == 0 and f"pages {len(newer)}," in done.stderr


def test_a_reextraction_never_runs_beside_a_crawl_of_its_newsroom(replica, database_url):
    assert presseportal(replica, "crawl", "--publisher", str(PID), database_url=database_url).returncode == 0
    with db.connect(database_url) as crawl_session:  # a crawl of 73811 holds its lock
        assert db.acquire_publisher_lock(crawl_session, [PID])
        done = presseportal(replica, "reextract", "--publisher", str(PID), database_url=database_url)
    assert done.returncode == 75, done.stderr[-2000:]
    assert "locked" in done.stderr


@pytest.mark.parametrize("args", [["--since", "yesterday"], ["--publisher", "x"]])
def test_usage_errors_exit_2(args, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["reextract", *args])
    assert exit_.value.code == 2
    assert "usage" in capsys.readouterr().err


def test_a_dry_run_whose_comparison_broke_counts_every_page_it_lost():
    # seen: a query of the compare pipeline raised for each page, and the dry run said
    # "pages 52, new 0, changed 0, unchanged 0, errors 0" and exited 0
    assert dry_run_errors({"reextract/pages": 52, "finish_reason": "finished"}) == 52
    assert dry_run_errors({"reextract/pages": 52, "compare/unchanged": 50, "presseportal/failed/extract": 1}) == 2
    assert dry_run_errors({"reextract/pages": 52, "compare/changed": 1, "compare/unchanged": 51}) == 0
