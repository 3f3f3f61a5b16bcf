"""Spill files: private, per database, replayed once, and never newer-than-the-table."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import stat
import subprocess
from datetime import UTC, datetime

import psycopg
import pytest

from crawler import db
from crawler.db import spill
from crawler.db.releases import as_dict
from crawler.items import Newsroom

from tests.helpers import BIN, ROOT

from .support import drive, make_release, releases


PUBLISHER = Newsroom("publisher", 1000)


def records(items) -> list[dict]:
    return [as_dict(item) for item in items]


def test_a_spill_file_is_private_and_says_whose_it_is(tmp_path):
    folder = tmp_path / "db"
    rows = records(releases(3, publishers=2))  # publishers 1000 and 1001
    rows[-1]["newsroom_kind"] = "office"  # and an office of one of their numbers
    office = Newsroom("office", rows[-1]["publisher_id"])
    path = spill.write_releases(folder, 7, rows)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(folder.stat().st_mode) == 0o700
    header = json.loads(path.read_text().splitlines()[0])
    assert header == {"spill": "releases", "run_id": 7,
                      "newsrooms": sorted(["publisher:1000", "publisher:1001", office.key])}
    (found,), unreadable = spill.pending(folder)
    assert (found.kind, found.run_id, unreadable) == ("releases", 7, [])
    assert set(found.newsrooms) == {Newsroom("publisher", 1000), Newsroom("publisher", 1001), office}
    assert spill.count_releases(found) == 3
    assert not list(folder.glob(".*")), "no temporary file is left behind"


def test_a_file_that_is_not_a_spill_is_named_not_replayed(tmp_path):
    (tmp_path / "notes.json").write_text("[1, 2]")
    (tmp_path / "broken.jsonl").write_text("{not json")
    files, unreadable = spill.pending(tmp_path)
    assert files == [] and sorted(p.name for p, _ in unreadable) == ["broken.jsonl", "notes.json"]


def test_a_spill_that_cannot_be_written_says_so(tmp_path):
    (tmp_path / "taken").write_text("a file where the folder should be")
    with pytest.raises(spill.SpillError, match="cannot write"):
        spill.write_releases(tmp_path / "taken" / "db", 1, records(releases(1)))



@pytest.mark.parametrize("spill_dir", ["", "elsewhere"])
def test_spill_files_live_under_the_data_dir_beside_the_embedded_server_unless_placed_elsewhere(
        database_url, tmp_path, spill_dir):
    # PRESSEPORTAL_DATA_DIR holds the embedded server (its postgres/) and the spill files (its
    # spill/), so one folder is all the project keeps on disk; PRESSEPORTAL_SPILL_DIR still wins
    env = {**os.environ, "DATABASE_URL": database_url, "PRESSEPORTAL_DATA_DIR": str(tmp_path / "data"),
           "PRESSEPORTAL_SPILL_DIR": str(tmp_path / spill_dir) if spill_dir else ""}
    shown = subprocess.run([str(BIN / "presseportal"), "spill"], env=env, cwd=ROOT, capture_output=True,
                           text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr[-2000:]
    root = tmp_path / (spill_dir or "data/spill")
    assert f": {root / spill.database_key(database_url)}\n" in shown.stdout, shown.stdout

def test_replay_writes_releases_then_verdicts_counts_them_on_their_run_and_deletes_the_files(database_url, tmp_path):
    with db.connect(database_url) as conn:
        run_id = db.start_run(conn, "crawl", [1000])
    items = releases(5, start=8_000_000, publishers=1)
    spill.write_releases(tmp_path, run_id, records(items))
    verdict = db.RunVerdict(run_id=run_id, status="store_failed", finished_at=datetime.now(UTC),
                            newsrooms=[PUBLISHER])
    spill.write_verdict_file(tmp_path, verdict)
    other = spill.write_releases(tmp_path, None, records(releases(2, start=9_000_000, publishers=1)))
    other.write_text(other.read_text().replace('"newsrooms": ["publisher:1000"]',
                                               '"newsrooms": ["office:1000", "publisher:1000"]', 1))

    done = asyncio.run(spill.replay(database_url, spill.pending(tmp_path)[0], newsrooms=[PUBLISHER]))
    assert (done["files"], done["new"], done["runs"]) == (2, 5, 1)
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT status, new, finished_at IS NOT NULL FROM crawl_runs WHERE id = %s",
                           (run_id,)).fetchone()
        count = conn.execute("SELECT count(*) FROM releases").fetchone()[0]
    assert row == ("store_failed", 5, True) and count == 5
    assert [f.path for f in spill.pending(tmp_path)[0]] == [other], \
        "a file with a newsroom the caller does not hold (the office of the same number) waits"


def test_a_replayed_release_older_than_the_stored_one_leaves_it_alone(database_url, tmp_path):
    old = make_release(8_100_000, fetched_at=datetime(2026, 1, 1, tzinfo=UTC), title="Alte Fassung")
    new = dataclasses.replace(old, fetched_at=datetime(2026, 1, 2, tzinfo=UTC), title="Neue Fassung")
    drive(database_url, [new])
    spill.write_releases(tmp_path, None, records([old]))
    done = asyncio.run(spill.replay(database_url, spill.pending(tmp_path)[0], newsrooms=[Newsroom("publisher", old.publisher_id)]))
    assert done["stale"] == 1 and done["changed"] == 0
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT title FROM releases").fetchall() == [("Neue Fassung",)]
        assert conn.execute("SELECT count(*) FROM release_revisions").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM release_pages WHERE html_sha256 IS NOT NULL").fetchone()[0] == 1


def test_an_import_spilled_before_releases_carried_imported_from_keeps_its_file_and_line(database_url, tmp_path):
    # a spill file outlives an upgrade: its import records name their file and line as
    # "location", the key Release had before the field imported_from (export8)
    imported = make_release(-8_200_000, url="", origin="import", story_id_derived=True,
                            imported_from="dump.txt:7")
    (record,) = records([imported])
    record["location"] = record.pop("imported_from")
    spill.write_releases(tmp_path, None, [record])
    done = asyncio.run(spill.replay(database_url, spill.pending(tmp_path)[0],
                                    newsrooms=[Newsroom("publisher", imported.publisher_id)]))
    assert done["new"] == 1
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT origin, imported_from FROM releases").fetchall() == [("import", "dump.txt:7")]


def at_another_address(url: str) -> str:
    """The same database reached at another address (as after a server moved port)."""
    return psycopg.conninfo.make_conninfo(url, host="localhost")


def test_a_spill_records_its_database_and_is_found_again_when_the_address_changed(database_url, tmp_path):
    # a new user's trial: the embedded server came back on another port, the spill folder
    # named after the old address was not looked at, and `spill` said "nothing waits"
    before = at_another_address(database_url)
    written_for = spill.database_of(before)
    assert written_for.identity and written_for.identity.endswith("/" + psycopg.conninfo.conninfo_to_dict(
        database_url)["dbname"]), written_for
    path = spill.write_releases(spill.spill_dir(before, tmp_path), None, records(releases(4, start=8_200_000, publishers=1)),
                                written_for)
    assert json.loads(path.read_text().splitlines()[0])["database"] == written_for.as_dict()
    now = spill.database_of(database_url)
    assert now.identity == written_for.identity and now.address != written_for.address
    found = spill.find(tmp_path, database_url, now)
    assert [f.path for f in found.ours] == [path] and found.others == []
    done = asyncio.run(spill.replay(database_url, found.ours, newsrooms=[PUBLISHER]))
    assert done["new"] == 4 and not path.exists()


def test_a_spill_of_another_database_is_named_never_replayed_even_at_this_address(database_url, tmp_path):
    here = spill.spill_dir(database_url, tmp_path)
    other = spill.write_releases(here, 3, records(releases(1)), spill.Database("127.0.0.1:54329/elsewhere",
                                                                                "7000000000000000000/elsewhere"))
    mine = spill.write_releases(here, 4, records(releases(1, start=8_300_000)))  # no database recorded: this address's
    legacy = spill.write_releases(tmp_path / "127.0.0.1-54411-presseportal_replica-0a1b2c3d", 5, records(releases(1)))
    found = spill.find(tmp_path, database_url, spill.database_of(database_url))
    assert [f.path for f in found.ours] == [mine]
    assert sorted(f.path for f in found.others) == sorted([other, legacy])
    assert {spill.written_for(f) for f in found.others} == {
        "127.0.0.1:54329/elsewhere (database 7000000000000000000/elsewhere)",
        "the database at 127.0.0.1-54411-presseportal_replica-0a1b2c3d"}
