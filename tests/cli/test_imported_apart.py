"""What an import brings stays apart from what the site showed us: field coverage is a
health figure of extracted pages, the newsrooms the workers crawl are those the site
showed, and a release known by its day only, or without title or URL, is shown as what
it is. Each test is a new user's session that went wrong."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from lxml import html as lxml_html

from crawler import db
from crawler.cli.common import fmt_published, published_iso, release_address, release_title
from crawler.db import queue as queue_db
from crawler.health.gather import Scope, gather
from crawler.items import Newsroom
from tests.health.support import samples
from tests.helpers import presseportal
from tests.replica import dumps

PID = 73811
IMPORTED_ONLY = 12345  # a publisher the site does not know: only the dump names it


def two_bare_records(folder: Path) -> Path:
    """A dump of two records without publisher, teaser, title or URL, dated by day."""
    path = folder / "bare.jsonl"
    path.write_text(
        json.dumps({"text": "Musterstadt (ots) - Erster Absatz über Stadtmarketing im Quartier. "
                            "Zweiter Absatz.", "date": "2021-02-15"}, ensure_ascii=False) + "\n"
        + json.dumps({"text": "Beispielburg (ots) - Noch eine Meldung ohne Titel über Homeoffice.",
                      "date": "2021-02-16"}, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def run(replica, database_url, *args: str, codes=(0,)):
    done = presseportal(replica, *args, database_url=database_url)
    assert done.returncode in codes, f"{args}: {done.stderr[-2000:]}"
    return done


# --- 1. field coverage is measured on extracted pages -------------------------------------------


def test_an_import_does_not_take_over_the_field_coverage_of_status_metrics_and_report(
        replica, database_url, tmp_path):
    # seen: after an import of 2 records without title, status said "Field coverage of
    # run #25, the latest that stored releases (2 releases)" with title 0.0%, and the
    # metrics exported presseportal_field_coverage_ratio{field="title"} 0.0
    dump = two_bare_records(tmp_path)
    run(replica, database_url, "import", str(dump), "--publisher", str(IMPORTED_ONLY))
    alone = json.loads(run(replica, database_url, "status", "--json").stdout)
    assert alone["coverage"] is None, "an import alone measured no extraction"
    assert "Field coverage" not in run(replica, database_url, "status").stdout
    assert "presseportal_field_coverage_ratio{" not in run(replica, database_url, "metrics").stdout

    run(replica, database_url, "crawl")
    run(replica, database_url, "import", str(dump), "--publisher", str(IMPORTED_ONLY))
    doc = json.loads(run(replica, database_url, "status", "--json").stdout)
    imported, crawl = doc["runs"][0], doc["runs"][1]
    assert (imported["mode"], crawl["mode"]) == ("import", "incremental")
    assert doc["coverage"] == {"run": crawl["id"], "mode": "incremental", "releases": crawl["new"],
                               "fields": doc["coverage"]["fields"]}
    assert doc["coverage"]["fields"]["title"] == 1.0 and crawl["new"] > 2
    # the import's own coverage stays where its run is shown
    assert imported["coverage"]["title"] == 0.0

    text = run(replica, database_url, "status").stdout
    assert (f"Field coverage of run #{crawl['id']} (incremental), the latest that extracted releases "
            f"from pages ({crawl['new']} releases; imports are not counted)") in text, text
    assert re.search(r"^ +title +100\.0%$", text, re.M), text

    got = samples(run(replica, database_url, "metrics").stdout)
    assert got["presseportal_field_coverage_ratio"][(("field", "title"),)] == 1.0
    assert got["presseportal_field_coverage_releases"][()] == crawl["new"]
    assert got["presseportal_field_coverage_run"] == {(("mode", "incremental"),): crawl["id"]}

    with psycopg.connect(database_url) as conn:
        data = gather(conn, Scope(), store="test", now=datetime.now(UTC), coverage_min=0.95,
                      coverage_min_items=20)
    assert [r["id"] for r in data.measured_runs] == [crawl["id"]], "the chart draws no import"
    report = tmp_path / "report.html"
    run(replica, database_url, "report", "-o", str(report))
    section = lxml_html.fromstring(report.read_text(encoding="utf-8")).get_element_by_id("coverage-section")
    assert f"run #{crawl['id']}, incremental" in section.text_content()
    title_row = section.xpath('.//tr[@data-field="title"]/td[@data-key="coverage"]')
    assert [td.get("data-value") for td in title_row] == ["1.0"]


def test_an_import_is_no_newsrooms_last_successful_run(replica, database_url, tmp_path):
    # an import without --publisher names no newsroom, which read as a run over every
    # newsroom: its success hid a newsroom whose crawls failed from the "no successful run" alert
    replica.faults.add(rf"^/nr/{PID}$", "500")
    assert run(replica, database_url, "crawl", codes=(1,)).returncode == 1
    (story,) = replica.corpus.story_ids(publisher_id=PID)[:1]
    dump = tmp_path / "one.jsonl"
    dump.write_text(json.dumps({"text": "Musterstadt (ots) - Ein Absatz.", "date": "2021-02-15",
                                "url": f"{replica.base_url}/pm/{PID}/{story}"}) + "\n", encoding="utf-8")
    run(replica, database_url, "import", str(dump))
    got = samples(run(replica, database_url, "metrics").stdout)
    assert got["presseportal_last_success_timestamp_seconds"][(("kind", "publisher"), ("newsroom", str(PID)))] == 0


# --- 2. the newsrooms to crawl are those the site showed us --------------------------------------


def followed(database_url) -> list[Newsroom]:
    with db.connect(database_url) as conn:
        return queue_db.followed_newsrooms(conn)


def queued_newsrooms(database_url) -> list[tuple[str, int]]:
    with db.connect(database_url) as conn:
        jobs = queue_db.queue_jobs(conn) or []
    return sorted((job["args"]["kind"], job["args"]["newsroom"]) for job in jobs if "newsroom" in job["args"])


def test_a_newsroom_only_an_import_names_is_listed_but_neither_crawled_nor_watched(
        replica, database_url, tmp_path):
    # seen: `enqueue crawl --all-known` queued publisher 12345, known only from an import;
    # the worker failed it on every sweep with a 404
    run(replica, database_url, "crawl")
    run(replica, database_url, "import", str(two_bare_records(tmp_path)), "--publisher", str(IMPORTED_ONLY))
    assert followed(database_url) == [Newsroom("publisher", PID)]
    run(replica, database_url, "enqueue", "crawl", "--all-known")
    assert queued_newsrooms(database_url) == [("publisher", PID)]
    with db.connect(database_url) as conn:
        conn.execute("DELETE FROM procrastinate_jobs")
    # the refresh's first cycle sweeps every followed newsroom: the same ones
    cycle = run(replica, database_url, "schedule")
    assert "swept every followed newsroom: 1 newsroom(s), 1 crawl job(s) queued" in cycle.stdout, cycle.stdout
    assert queued_newsrooms(database_url) == [("publisher", PID)]
    assert f'newsroom="{IMPORTED_ONLY}"' not in run(replica, database_url, "metrics").stdout, "no alert for ever"

    # still the store's: listed, searchable, exportable, in the report asked for by id
    doc = json.loads(run(replica, database_url, "status", "--json").stdout)
    row = next(r for r in doc["publishers"] if r["publisher_id"] == IMPORTED_ONLY)
    assert (row["releases"], row["followed"], row["imported_only"]) == (2, False, True)
    assert not next(r for r in doc["publishers"] if r["publisher_id"] == PID)["imported_only"]
    text = run(replica, database_url, "status").stdout
    assert re.search(rf"publisher +{IMPORTED_ONLY} +2 +no \(imported only\)", text), text
    exported = run(replica, database_url, "export", "--publisher", str(IMPORTED_ONLY)).stdout.splitlines()
    assert len(exported) == 2
    report = tmp_path / "r.html"
    run(replica, database_url, "report", "--publisher", str(IMPORTED_ONLY), "-o", str(report))
    assert lxml_html.fromstring(report.read_text(encoding="utf-8")).xpath(
        f'//tr[@data-kind="publisher"][@data-newsroom="{IMPORTED_ONLY}"]'), "the report shows it when asked by id"
    done = run(replica, database_url, "unfollow", "--publisher", str(IMPORTED_ONLY))
    assert done.stdout == (f"publisher {IMPORTED_ONLY}: not followed: only imported records name it; "
                           "its 2 release(s) stay (a crawl of it follows it again)\n")


def test_a_404_unfollows_a_newsroom_whose_only_releases_are_imported(replica, database_url, tmp_path):
    # its imported releases kept it followed after the site said it does not know it
    run(replica, database_url, "import", str(two_bare_records(tmp_path)), "--publisher", str(IMPORTED_ONLY))
    done = run(replica, database_url, "crawl", "--publisher", str(IMPORTED_ONLY), codes=(1,))
    assert f"publisher newsroom {IMPORTED_ONLY} does not exist" in done.stderr, done.stderr[-2000:]
    assert followed(database_url) == []
    assert f'newsroom="{IMPORTED_ONLY}"' not in run(replica, database_url, "metrics").stdout


def test_a_story_crawled_from_a_newsroom_known_only_from_an_import_follows_it(replica, database_url, tmp_path):
    # what the stories path needs: a release it stores shows the newsroom is on the site
    run(replica, database_url, "import", str(two_bare_records(tmp_path)), "--publisher", str(PID))
    assert followed(database_url) == []
    (story,) = replica.corpus.story_ids(publisher_id=PID)[:1]
    run(replica, database_url, "crawl", "--story", f"/pm/{PID}/{story}")
    assert followed(database_url) == [Newsroom("publisher", PID)]


# --- 3. a release known by its day only, or without title and URL -------------------------------


def test_search_status_and_export_show_a_day_only_import_as_its_day_with_its_words_and_file_line(
        replica, database_url, tmp_path):
    # seen: a release imported with the date "2021-02-15" was shown by search as
    # "2021-02-14 23:00 UTC", with a blank title line and a blank URL line
    dump = two_bare_records(tmp_path)
    run(replica, database_url, "import", str(dump), "--publisher", str(IMPORTED_ONLY))
    found = run(replica, database_url, "search", "Stadtmarketing").stdout.splitlines()
    assert found[0].split("  ", 1)[1] == ("2021-02-15  (no title) Erster Absatz über Stadtmarketing im Quartier. "
                                          "Zweiter Absatz."), found
    assert found[1].strip() == f"(no URL: imported from {dump}:1)", found
    status = run(replica, database_url, "status").stdout
    assert ("Newest release\n  2021-02-16  (no title) Noch eine Meldung ohne Titel über Homeoffice.\n"
            f"  (no URL: imported from {dump}:2)\n") in status, status
    assert re.search(rf"publisher +{IMPORTED_ONLY} +2 .* 2021-02-16$", status, re.M), status
    assert "23:00" not in status

    lines = [json.loads(line) for line in run(replica, database_url, "export").stdout.splitlines()]
    assert [(r["published_at"], r["published_precision"]) for r in lines] == [
        ("2021-02-16T00:00:00+01:00", "day"), ("2021-02-15T00:00:00+01:00", "day")]
    csv_file = tmp_path / "out.csv"
    run(replica, database_url, "export", "-o", str(csv_file))
    assert "2021-02-15T00:00:00+01:00" in csv_file.read_text(encoding="utf-8")


# the columns of an export before imported_from (export8): a consumer reading by place
# finds each where it was
COLUMNS_BEFORE_PROVENANCE = [
    "story_id", "publisher_id", "publisher", "url", "title", "published_at", "published_raw",
    "published_ambiguous", "published_precision", "dateline", "teaser", "body", "about", "contact",
    "originator", "keywords", "places", "images", "links", "language", "origin", "story_id_derived",
    "newsroom_kind", "office_code",
]


def test_export_says_where_each_release_came_from_in_json_lines_and_csv(replica, database_url, tmp_path):
    # seen: an imported release without URL was exported as "url": "" and nothing else:
    # a consumer could neither trace it nor tell it from a crawled one
    run(replica, database_url, "crawl")
    dump = two_bare_records(tmp_path)
    run(replica, database_url, "import", str(dump), "--publisher", str(IMPORTED_ONLY))

    lines = [json.loads(line) for line in run(replica, database_url, "export").stdout.splitlines()]
    imported = sorted((r["url"], r["origin"], r["imported_from"]) for r in lines if r["publisher_id"] == IMPORTED_ONLY)
    assert imported == [("", "import", f"{dump}:1"), ("", "import", f"{dump}:2")], imported
    crawled = [r for r in lines if r["publisher_id"] == PID]
    assert crawled and {(r["origin"], r["imported_from"]) for r in crawled} == {("page", "")}
    assert list(lines[0]) == [*COLUMNS_BEFORE_PROVENANCE, "imported_from"], "new keys come last"

    target = tmp_path / "out.csv"
    run(replica, database_url, "export", "-o", str(target))
    with target.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
        f.seek(0)
        rows = list(csv.DictReader(f))
    assert header == [*COLUMNS_BEFORE_PROVENANCE, "imported_from"], (
        "the old columns keep their places; a new column is appended at the end")
    assert sorted((r["url"], r["origin"], r["imported_from"]) for r in rows
                  if r["publisher_id"] == str(IMPORTED_ONLY)) == imported
    assert {(r["origin"], r["imported_from"]) for r in rows if r["publisher_id"] == str(PID)} == {("page", "")}
    assert len(rows) == len(lines)


def test_a_page_that_upgrades_an_import_clears_where_it_was_imported_from(replica, database_url, tmp_path):
    (story,) = replica.corpus.story_ids(publisher_id=PID)[:1]
    truth = replica.corpus.truth(story)
    dump = tmp_path / "one.jsonl"
    dump.write_text(json.dumps({"text": dumps.plain_text(truth), "url": truth["url"],
                                "date": f"{dumps.local(truth):%Y-%m-%d}"}) + "\n", encoding="utf-8")
    run(replica, database_url, "import", str(dump))
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT imported_from FROM releases").fetchall() == [(f"{dump}:1",)]
    run(replica, database_url, "backfill", "--publisher", str(PID))
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT origin, imported_from FROM releases WHERE story_id = %s",
                            (story,)).fetchone() == ("page", "")


@pytest.mark.parametrize(("instant", "precision", "shown", "exported"), [
    # Berlin's first instant of the period: CET in winter, CEST in summer
    (datetime(2021, 2, 14, 23, 0, tzinfo=UTC), "day", "2021-02-15", "2021-02-15T00:00:00+01:00"),
    (datetime(2021, 6, 30, 22, 0, tzinfo=UTC), "day", "2021-07-01", "2021-07-01T00:00:00+02:00"),
    (datetime(2020, 12, 31, 23, 0, tzinfo=UTC), "month", "2021-01", "2021-01-01T00:00:00+01:00"),
    (datetime(2021, 2, 15, 8, 30, tzinfo=UTC), "minute", "2021-02-15 08:30 UTC", "2021-02-15T08:30:00+00:00"),
    (None, "", "-", None),
])
def test_a_publication_is_shown_as_far_as_it_is_known(instant, precision, shown, exported):
    assert fmt_published(instant, precision) == shown
    assert published_iso(instant, precision) == exported


def test_a_release_without_title_or_url_is_named_by_its_words_and_its_origin():
    bare = {"title": "", "url": "", "opening": "Eins zwei drei vier fünf sechs sieben acht neun", "imported_from": ""}
    assert release_title(bare) == "(no title) Eins zwei drei vier fünf sechs sieben acht …"
    assert release_address(bare) == "(no URL: imported)"
    assert release_address({**bare, "imported_from": "dump.txt:17"}) == "(no URL: imported from dump.txt:17)"
    assert release_title({**bare, "opening": ""}) == "(no title, no text)"
    assert release_title({**bare, "title": "Titel"}) == "Titel"
