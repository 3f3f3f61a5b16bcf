"""Police and fire offices (issue 13): `presseportal crawl|backfill --office` and
`scrapy crawl presseportal -a office=...`, alone and mixed with publishers, into a real
PostgreSQL, against the replica's /blaulicht/ newsrooms."""

from __future__ import annotations

import psycopg
import pytest

from crawler.items import Newsroom
from tests.helpers import presseportal, read_jsonl, run_scrapy


def stored(database_url: str) -> dict[tuple[str, int], set[int]]:
    out: dict[tuple[str, int], set[int]] = {}
    with psycopg.connect(database_url) as conn:
        for kind, pid, sid in conn.execute("SELECT newsroom_kind, publisher_id, story_id FROM releases"):
            out.setdefault((kind, pid), set()).add(sid)
    return out


def test_crawl_offices_and_a_publisher_of_the_same_number_in_one_run(replica, database_url):
    c = replica.corpus
    done = presseportal(replica, "crawl", "--office", "99001,97012", "--publisher", "97012",
                        database_url=database_url)
    assert done.returncode == 0, done.stderr[-3000:]
    assert stored(database_url) == {
        ("office", 99001): set(c.story_ids(office_id=99001)),
        ("office", 97012): set(c.story_ids(office_id=97012)),
        ("publisher", 97012): set(c.story_ids(97012)),
    }
    with psycopg.connect(database_url) as conn:
        run = conn.execute("SELECT mode, status, publishers, offices FROM crawl_runs").fetchall()
        newsrooms = conn.execute("SELECT kind, id, name FROM publishers ORDER BY kind, id").fetchall()
        codes = dict(conn.execute("SELECT DISTINCT publisher_id, office_code FROM releases "
                                  "WHERE newsroom_kind = 'office'").fetchall())
    assert run == [("incremental", "success", [97012], [97012, 99001])]
    assert newsrooms == [("office", 97012, "Bundespolizeiinspektion Nordhafen"),
                         ("office", 99001, "Polizeipräsidium Musterstadt"),
                         ("publisher", 97012, "Rheinische Datenwerke AG")]
    assert codes == {97012: "BPOL-NH", 99001: "POL-MS"}

    # the next cron run of the office asks with the office's validators: one request
    replica.log.clear()
    again = presseportal(replica, "crawl", "--office", "99001", database_url=database_url)
    assert again.returncode == 0, again.stderr[-3000:]
    assert [(e.path, e.status) for e in replica.log if e.path != "/robots.txt"] == [("/blaulicht/nr/99001", 304)]


def test_the_stories_already_stored_are_counted_per_newsroom(replica, database_url):
    # seen: "300 stories of publisher 73811, office 99001 already stored", all of them the publisher's
    publisher = replica.corpus.publisher_id
    assert presseportal(replica, "crawl", "--publisher", str(publisher), database_url=database_url).returncode == 0
    done = presseportal(replica, "crawl", "--publisher", str(publisher), "--office", "99001",
                        database_url=database_url)
    assert done.returncode == 0, done.stderr[-3000:]
    count = len(replica.corpus.story_ids(publisher))
    (line,) = [line for line in done.stderr.splitlines() if "already stored" in line]
    assert line.endswith(f"already stored: {count} stories of publisher {publisher}, 0 stories of office 99001"), line


def test_backfill_of_an_office_window(replica, database_url):
    c = replica.corpus
    room = Newsroom("office", 99002)
    days = sorted({c.entry(s).local.date() for s in c.stories(room)})
    since, until = days[len(days) // 3], days[2 * len(days) // 3]
    done = presseportal(replica, "backfill", "--office", "99002", "--since", since.isoformat(),
                        "--until", until.isoformat(), database_url=database_url)
    assert done.returncode == 0, done.stderr[-3000:]
    assert stored(database_url) == {("office", 99002): set(c.stories(room, since, until))}
    assert any(e.path.startswith("/blaulicht/nr/99002?startDate=") for e in replica.log)


def test_scrapy_crawl_takes_offices_too(replica, tmp_path):
    out = tmp_path / "items.jsonl"
    done = run_scrapy(replica, "-s", "STORE_RELEASES=0", "-O", str(out), "-a", "office=99002")
    assert done.returncode == 0, done.stderr[-3000:]
    items = read_jsonl(out)
    assert {item["story_id"] for item in items} == set(replica.corpus.story_ids(office_id=99002))
    assert all(item["newsroom_kind"] == "office" and "/blaulicht/pm/99002/" in item["url"]
               and item["office_code"] == "FW-BB" for item in items)


def test_an_office_id_that_is_no_number_is_a_usage_error(replica):
    done = presseportal(replica, "crawl", "--office", "POL-MS")
    assert done.returncode == 2
    assert "office ids are numbers" in done.stderr and "Traceback" not in done.stderr


# --- export and reextract name an office's newsroom as crawl does -------------------------------


def exported_newsrooms(done) -> dict[tuple[str, int], set[int]]:
    out: dict[tuple[str, int], set[int]] = {}
    for record in read_jsonl_text(done.stdout):
        out.setdefault((record["newsroom_kind"], record["publisher_id"]), set()).add(record["story_id"])
    return out


def read_jsonl_text(text: str) -> list[dict]:
    import json

    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_export_and_reextract_take_offices_and_say_when_a_newsroom_has_nothing_stored(replica, database_url, tmp_path):
    c = replica.corpus
    done = presseportal(replica, "crawl", "--office", "99001,97012", "--publisher", "97012", database_url=database_url)
    assert done.returncode == 0, done.stderr[-3000:]

    office = presseportal(replica, "export", "--office", "99001", database_url=database_url)
    assert office.returncode == 0 and office.stderr == "", office.stderr
    assert exported_newsrooms(office) == {("office", 99001): set(c.story_ids(office_id=99001))}
    both = presseportal(replica, "export", "--office", "97012", "--publisher", "97012", database_url=database_url)
    assert exported_newsrooms(both) == {("office", 97012): set(c.story_ids(office_id=97012)),
                                        ("publisher", 97012): set(c.story_ids(97012))}

    # an office's number given as a publisher: no silent 0 rows
    wrong = presseportal(replica, "export", "--publisher", "99001", database_url=database_url)
    assert wrong.returncode == 1 and wrong.stdout == ""
    assert wrong.stderr.strip() == ("presseportal: publisher 99001: no release of this newsroom is stored; "
                                    f"office 99001 has {len(c.story_ids(office_id=99001))}: --office 99001?"), wrong.stderr
    nothing = presseportal(replica, "export", "--office", "5,99001", database_url=database_url)
    assert nothing.returncode == 1 and nothing.stderr.strip() == "presseportal: office 5: no release of this newsroom is stored"
    assert exported_newsrooms(nothing) == {("office", 99001): set(c.story_ids(office_id=99001))}, "the rest all the same"
    # nothing at all to export into -o: no empty file left behind, an older one kept
    kept = tmp_path / "office.jsonl"
    for before in (None, "an older export\n"):
        if before is not None:
            kept.write_text(before, encoding="utf-8")
        none = presseportal(replica, "export", "--office", "5", "-o", str(kept), database_url=database_url)
        assert none.returncode == 1, none.stderr
        assert (kept.read_text(encoding="utf-8") if kept.exists() else None) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["office.jsonl"], "no temporary file left"

    again = presseportal(replica, "reextract", "--office", "99001", database_url=database_url)
    assert again.returncode == 0, again.stderr[-3000:]
    with psycopg.connect(database_url) as conn:
        run = conn.execute("SELECT publishers, offices, status FROM crawl_runs WHERE mode = 'reextract'").fetchall()
    assert run == [([], [99001], "success")]
    assert f"unchanged {len(c.story_ids(office_id=99001))}" in again.stderr, again.stderr[-2000:]
    dry = presseportal(replica, "reextract", "--dry-run", "--publisher", "99001", database_url=database_url)
    assert dry.returncode == 1
    assert "publisher 99001: no release of this newsroom is stored; office 99001 has" in dry.stderr, dry.stderr


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["run", "dry-run"])
def test_reextract_of_newsrooms_that_have_nothing_stored_runs_nothing_and_says_it_once(replica, database_url, dry_run):
    assert presseportal(replica, "crawl", "--office", "99001", database_url=database_url).returncode == 0
    done = presseportal(replica, "reextract", "--office", "99002", *dry_run, database_url=database_url)
    assert (done.returncode, done.stderr.strip()) == (
        1, "presseportal: office 99002: no release of this newsroom is stored"), "no summary saying success"
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM crawl_runs WHERE mode = 'reextract'").fetchone() == (0,)
