"""`presseportal report`: what it aggregates (on a synthetic store of known shape), what
the page holds, its options and its failures. The browser's view: test_report_browser.py."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, timedelta

import lxml.html
import psycopg
import pytest

from crawler.db import health
from crawler.health.gather import Scope, gather
from crawler.items import WATCHED_FIELDS
from tests.health.conftest import OFFICE, OFFICE_CODE, SECOND
from tests.health.support import run_cli, sql
from tests.helpers import BIN, ROOT

pytestmark = pytest.mark.slow


def read(url: str, scope: Scope = Scope()):
    with psycopg.connect(url) as conn:
        return gather(conn, scope, store="test", now=datetime.now(UTC), coverage_min=0.95, coverage_min_items=20)


def write(url: str, path, *args: str) -> lxml.html.HtmlElement:
    done = run_cli("report", "-o", str(path), *args, database_url=url)
    assert done.returncode == 0, done.stderr[-2000:]
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def data_values(page: lxml.html.HtmlElement, key: str, section: str | None = None) -> list[str]:
    scope = f'//section[@id="{section}"]' if section else ""
    return page.xpath(f'{scope}//*[@data-key="{key}"]/@data-value')


# --- what is aggregated ----------------------------------------------------------------------


def test_the_health_queries_run_without_jit(database_url):
    # JIT compiled the newsrooms' query for 6 s of a 0.4 s run on bench/report.py's store
    with psycopg.connect(database_url) as conn:
        gather(conn, Scope(), store="test", now=datetime.now(UTC), coverage_min=0.95, coverage_min_items=20)
        assert conn.execute("SHOW jit").fetchone()[0] == "off"


def test_the_archive_has_every_month_of_a_newsroom_and_a_gap_is_a_zero(synthetic_store):
    data = read(synthetic_store.url)
    shape = synthetic_store.shape
    assert set(data.months) == {("publisher", n) for n in range(1001, 1005)}
    for (_, pid), months in data.months.items():
        firsts = [m["month"] for m in months]
        assert firsts == sorted(firsts) and all(d.day == 1 for d in firsts)
        assert len(firsts) == len(set(firsts)), "one row per month"
        empty = [m["month"] for m in months if not m["releases"]]
        assert empty == ([shape.gap_month] if pid == shape.gap_newsroom else []), pid
        assert sum(m["releases"] for m in months) == sql(
            synthetic_store.url, "SELECT count(*) FROM releases WHERE publisher_id = %s", pid)[0][0]
    assert data.gaps(("publisher", shape.gap_newsroom)) == 1


def test_months_are_berlin_months(database_url):
    # 23:30 UTC on 31 January is 00:30 on 1 February in Berlin: the site's month
    with psycopg.connect(database_url) as conn:
        conn.execute("INSERT INTO publishers (id, name) VALUES (1, 'N')")
        for sid, at in ((1, "2024-01-31 23:30+00"), (2, "2024-01-31 22:30+00")):
            conn.execute("INSERT INTO releases (story_id, publisher_id, url, published_at, content_hash) "
                         "VALUES (%s, 1, '', %s, '')", (sid, at))
    with psycopg.connect(database_url) as conn:
        months = health.archive_months(conn)
    assert [(m["month"], m["releases"]) for m in months] == [(date(2024, 1, 1), 1), (date(2024, 2, 1), 1)]


def test_the_cron_rhythm_gives_the_cadence_and_the_missed_runs(synthetic_store):
    data = read(synthetic_store.url)
    shape = synthetic_store.shape
    assert {newsroom: r["cadence_seconds"] for newsroom, r in data.rhythm.items()} == {
        ("publisher", n): 900 for n in range(1001, 1005)}
    assert len(data.missed) == 1, "newsrooms of one cron job share its missed runs: one gap"
    gap = data.missed[0]
    assert gap["end"] - gap["start"] == timedelta(minutes=15 * (shape.missed + 1))
    assert gap["runs"] == shape.missed
    assert gap["newsrooms"] == [("publisher", n) for n in range(1001, 1005)]


def test_a_run_gap_until_now_is_a_missed_run(database_url):
    # four runs a minute apart, the last an hour ago: the cron job stopped
    now = datetime.now(UTC)
    with psycopg.connect(database_url) as conn:
        for i in range(4):
            start = now - timedelta(minutes=63 - i)
            conn.execute("INSERT INTO crawl_runs (mode, publishers, started_at, finished_at, status) "
                         "VALUES ('incremental', '{73811}', %s, %s, 'success')", (start, start + timedelta(seconds=5)))
    data = read(database_url)
    assert data.rhythm["publisher", 73811]["cadence_seconds"] == 60
    [gap] = data.missed
    assert gap["start"] == now - timedelta(minutes=60) and gap["end"] > now - timedelta(seconds=5)
    assert gap["runs"] >= 58


def test_stories_runs_of_the_refresh_follow_the_news_and_leave_the_cron_rhythm_alone(database_url):
    # workers: the daily sweep walks each newsroom (incremental), the refresh fetches a
    # newsroom's stories only when the feed has news of it (stories runs, at any time).
    # Counted in, the news would set the cadence and every quiet hour would be a missed run.
    now = datetime.now(UTC)
    runs = [("incremental", now - timedelta(hours=h)) for h in (96, 72, 48, 24, 1)]
    runs += [("stories", now - timedelta(hours=h, minutes=m)) for h, m in ((95, 45), (95, 30), (60, 15), (30, 0),
                                                                          (29, 45), (2, 0))]
    with psycopg.connect(database_url) as conn:
        for mode, start in runs:
            conn.execute("INSERT INTO crawl_runs (mode, publishers, started_at, finished_at, status) "
                         "VALUES (%s, '{73811}', %s, %s, 'success')", (mode, start, start + timedelta(seconds=5)))
    data = read(database_url)
    assert data.rhythm["publisher", 73811]["cadence_seconds"] == 24 * 3600, "the sweep's day"
    assert data.missed == [], "a newsroom without news between two sweeps missed nothing"


def test_new_changed_unchanged_per_bin_add_up_to_the_runs(synthetic_store):
    data = read(synthetic_store.url)
    assert data.outcome_bin_seconds == 3600, "200 runs over two days: hourly bars"
    totals = sql(synthetic_store.url, "SELECT sum(new), sum(changed), sum(unchanged), count(*) FROM crawl_runs")[0]
    got = tuple(sum(row[k] for row in data.outcomes) for k in ("new", "changed", "unchanged", "runs"))
    assert got == tuple(totals)
    assert len(data.outcomes) <= 150


def test_the_scope_narrows_releases_runs_and_newsrooms(synthetic_store):
    scope = Scope(since=date(2020, 1, 1), publishers=(1002,))
    data = read(synthetic_store.url, scope)
    assert [(n["kind"], n["newsroom_id"]) for n in data.newsrooms] == [("publisher", 1002)]
    expected = sql(synthetic_store.url, "SELECT count(*) FROM releases WHERE publisher_id = 1002 AND "
                   "published_at >= '2020-01-01'::timestamp AT TIME ZONE 'Europe/Berlin'")[0][0]
    assert data.releases == expected and 0 < expected < 500
    assert min(m["month"] for m in data.months["publisher", 1002]) == date(2020, 1, 1)
    assert len(data.runs) == 200, "every run crawled newsroom 1002"


def test_an_office_and_a_publisher_of_one_number_are_two_newsrooms(database_url):
    # the site gives offices numbers of their own, some of them a publisher's too
    with psycopg.connect(database_url) as conn:
        conn.execute("INSERT INTO publishers (kind, id, name) VALUES ('publisher', 7, 'Firma'), "
                     "('office', 7, 'Polizei'), ('office', 8, 'Feuerwehr')")
        for sid, kind, code, at in ((1, "publisher", "", "2024-03-05 10:00+00"),
                                    (2, "office", "POL-X", "2024-01-05 10:00+00"),
                                    (3, "office", "POL-X", "2024-03-06 10:00+00"),
                                    (4, "office", "", "2024-03-07 10:00+00"),
                                    (5, "office", "FW-Y", "2024-03-07 11:00+00")):
            conn.execute("INSERT INTO releases (story_id, newsroom_kind, publisher_id, office_code, url, "
                         "published_at, content_hash) VALUES (%s, %s, %s, %s, '', %s, '')",
                         (sid, kind, 8 if sid == 5 else 7, code, at))
        for publishers, offices, status, end in (("{7}", "{}", "success", "2024-03-08 10:00+00"),
                                                 ("{}", "{7}", "errors", "2024-03-09 10:00+00"),
                                                 ("{}", "{7}", "success", "2024-03-10 10:00+00"),
                                                 ("{}", "{8}", "errors", "2024-03-11 10:00+00")):
            conn.execute("INSERT INTO crawl_runs (mode, publishers, offices, started_at, finished_at, status) "
                         "VALUES ('incremental', %s, %s, %s::timestamptz - interval '1 minute', %s, %s)",
                         (publishers, offices, end, end, status))
    data = read(database_url)
    rows = {(n["kind"], n["newsroom_id"]): n for n in data.newsrooms}
    assert set(rows) == {("publisher", 7), ("office", 7), ("office", 8)}
    assert {k: (n["name"], n["releases"], n["office_code"]) for k, n in rows.items()} == {
        ("publisher", 7): ("Firma", 1, ""), ("office", 7): ("Polizei", 3, "POL-X"), ("office", 8): ("Feuerwehr", 1, "FW-Y")}
    assert rows["publisher", 7]["last_success"] == datetime(2024, 3, 8, 10, tzinfo=UTC)
    assert rows["office", 7]["last_success"] == datetime(2024, 3, 10, 10, tzinfo=UTC)
    assert rows["office", 8]["last_success"] is None and rows["office", 8]["last_run_status"] == "errors"
    assert [(m["month"], m["releases"]) for m in data.months["office", 7]] == [
        (date(2024, 1, 1), 1), (date(2024, 2, 1), 0), (date(2024, 3, 1), 2)]
    assert data.gaps(("office", 7)) == 1 and data.gaps(("publisher", 7)) == 0

    # narrowed to the office: its releases, its runs, not its namesake's
    office = read(database_url, Scope(offices=(7,)))
    assert [(n["kind"], n["newsroom_id"]) for n in office.newsrooms] == [("office", 7)]
    assert office.releases == 3 and len(office.runs) == 2
    assert set(office.months) == {("office", 7)}
    publisher = read(database_url, Scope(publishers=(7,)))
    assert [(n["kind"], n["newsroom_id"]) for n in publisher.newsrooms] == [("publisher", 7)]
    assert publisher.releases == 1 and len(publisher.runs) == 1


def test_a_crawled_office_is_in_the_report_labelled_with_its_numbers(crawled_store, tmp_path):
    url = crawled_store.url
    page = write(url, tmp_path / "all.html")
    row = page.xpath(f'//table[@id="newsrooms"]//tr[@data-kind="office"][@data-newsroom="{OFFICE}"]')
    assert len(row) == 1
    releases, newest = sql(url, "SELECT count(*), max(published_at) FROM releases "
                                "WHERE newsroom_kind = 'office' AND publisher_id = %s", OFFICE)[0]
    assert releases > 0
    assert row[0].xpath('td[@data-key="releases"]/@data-value') == [str(releases)]
    assert datetime.fromisoformat(row[0].xpath('td[@data-key="newest"]/@data-value')[0]) == newest
    assert row[0].xpath('td[@data-key="kind"]/text()') == ["police/fire office"]
    assert row[0].xpath('td[@data-key="office_code"]/@data-value') == [OFFICE_CODE]
    labels = " ".join(page.xpath('//*[@id="archive-chart"]//*[local-name()="text"]//text()'))
    assert f"police/fire office {OFFICE} {OFFICE_CODE}" in labels and f"publisher {OFFICE}" in labels

    only = write(url, tmp_path / "office.html", "--office", str(OFFICE))
    assert [(r.get("data-kind"), r.get("data-newsroom")) for r in only.xpath('//table[@id="newsrooms"]//tr[@data-kind]')] \
        == [("office", str(OFFICE))]
    assert data_values(only, "releases", "summary") == [str(releases)]
    assert data_values(only, "runs", "summary") == [str(sql(
        url, "SELECT count(*) FROM crawl_runs WHERE %s = ANY(offices)", OFFICE)[0][0])]


# --- the page ----------------------------------------------------------------------------------


def test_the_page_holds_everything_itself(synthetic_store, tmp_path):
    write(synthetic_store.url, tmp_path / "r.html")
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    lowered = text.lower()
    for outside in ("<script", "<link", "<iframe", "<img", "@import", "url(http", "src="):
        assert outside not in lowered, f"the page would fetch or run something: {outside}"
    page = lxml.html.fromstring(text)
    hrefs = [h for h in page.xpath("//@href") if not h.startswith("#")]
    assert not hrefs, f"links to anything but the page itself: {hrefs[:5]}"
    ids = page.xpath("//@id")
    assert len(ids) == len(set(ids)), "several charts on one page: every id unique"


def test_a_coverage_drop_is_an_alarm_of_that_field_only(synthetic_store, tmp_path):
    page = write(synthetic_store.url, tmp_path / "r.html")
    shape = synthetic_store.shape
    dropped = sql(synthetic_store.url, "SELECT count(*) FROM crawl_runs WHERE (coverage->>%s)::float < 0.95",
                  shape.drop_field)[0][0]
    assert dropped >= 5
    alarms = page.xpath(f'//*[@id="coverage-alarm-{shape.drop_field}"]//*[local-name()="use"]')
    assert len(alarms) == dropped
    others = [f for f in WATCHED_FIELDS if f != shape.drop_field and page.xpath(f'//*[@id="coverage-alarm-{f}"]')]
    assert others == []
    assert data_values(page, "coverage", "coverage-section")[WATCHED_FIELDS.index(shape.drop_field)] == "0.6"


def test_the_queue_shows_when_a_job_queue_exists(database_url, tmp_path):
    assert not write(database_url, tmp_path / "before.html").xpath('//section[@id="queue-section"]')
    # procrastinate's jobs table, as far as the report reads it (issue 15 brings the real one)
    with psycopg.connect(database_url) as conn:
        conn.execute("CREATE TABLE procrastinate_jobs (id bigserial, queue_name text, status text)")
        conn.execute("INSERT INTO procrastinate_jobs (queue_name, status) "
                     "VALUES ('crawl', 'todo'), ('crawl', 'todo'), ('crawl', 'doing'), ('backfill', 'failed')")
    page = write(database_url, tmp_path / "after.html")
    rows = page.xpath('//table[@id="queue"]//tr[@data-queue]')
    got = {(r.get("data-queue"), r.xpath('td[@data-key="status"]/@data-value')[0]):
           int(r.xpath('td[@data-key="jobs"]/@data-value')[0]) for r in rows}
    assert got == {("backfill", "failed"): 1, ("crawl", "doing"): 1, ("crawl", "todo"): 2}


def test_names_from_the_store_are_text_in_the_page_and_in_the_charts(database_url, tmp_path):
    # a "$" would be mathtext to matplotlib, a "<" markup to the browser
    name = "Preis $5 & <b>Mehr</b> $"
    with psycopg.connect(database_url) as conn:
        conn.execute("INSERT INTO publishers (id, name) VALUES (7, %s)", (name,))
        conn.execute("INSERT INTO releases (story_id, publisher_id, url, published_at, content_hash) "
                     "VALUES (1, 7, '', '2024-05-01 10:00+00', '')")
    page = write(database_url, tmp_path / "r.html")
    assert page.xpath('//tr[@data-kind="publisher"][@data-newsroom="7"]/td[4]/text()') == [name]
    assert any(name in t for t in page.xpath('//*[@id="archive-chart"]//*[local-name()="text"]//text()'))
    assert not page.xpath("//b"), "the name's markup stays text"


# --- the command -------------------------------------------------------------------------------


def test_an_empty_store_gets_a_report_that_says_so_and_stays_empty(empty_database, tmp_path):
    done = run_cli("report", "-o", str(tmp_path / "r.html"), database_url=empty_database)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "The store is empty" in (tmp_path / "r.html").read_text()
    assert sql(empty_database, "SELECT to_regclass('crawl_runs')")[0][0] is None, "the report never migrates"


def test_a_newsroom_the_store_does_not_hold_is_one_line_and_exit_1_as_export_says_it(crawled_store, tmp_path):
    # seen: `report --publisher 555555` wrote "(0 releases, 0 runs, 0 newsrooms)" and exited 0
    target = tmp_path / "r.html"
    target.write_text("the last report", encoding="utf-8")
    alone = run_cli("report", "-o", str(target), "--publisher", "555555", database_url=crawled_store.url)
    export = run_cli("export", "--publisher", "555555", database_url=crawled_store.url)
    assert (alone.returncode, alone.stderr) == (export.returncode, export.stderr) == (
        1, "presseportal: publisher 555555: no release of this newsroom is stored\n"), alone.stderr
    assert target.read_text(encoding="utf-8") == "the last report", "no report of nothing over the last one"
    office = run_cli("report", "-o", str(target), "--office", "55555", database_url=crawled_store.url)
    assert (office.returncode, office.stderr) == (1, "presseportal: office 55555: no release of this newsroom is stored\n")
    beside = run_cli("report", "-o", str(target), "--publisher", f"555555,{SECOND}", database_url=crawled_store.url)
    assert beside.returncode == 1 and beside.stderr.count("\n") == 1, beside.stderr
    page = lxml.html.fromstring(target.read_text(encoding="utf-8"))
    assert [r.get("data-newsroom") for r in page.xpath('//table[@id="newsrooms"]//tr[@data-kind]')] == [str(SECOND)]


@pytest.mark.parametrize("args, message", [
    (["--since", "2024-13-01"], "since must be a date"),
    (["--publisher", "abc"], "publisher ids are numbers"),
    (["--office", "POL-MS"], "office ids are numbers"),
    (["-o", "/nonexistent/dir/r.html"], "no directory"),
])
def test_bad_arguments_exit_2_with_one_line(args, message, empty_database):
    done = run_cli("report", *args, database_url=empty_database)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_a_database_that_is_not_there_exits_69(tmp_path):
    done = run_cli("report", "-o", str(tmp_path / "r.html"),
                   database_url="postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    assert done.returncode == 69 and "database unavailable" in done.stderr
    assert not (tmp_path / "r.html").exists()


def test_the_other_commands_never_load_matplotlib_or_prometheus_client():
    # cron runs `presseportal crawl` every few minutes: it must not pay for what it does not use
    probe = subprocess.run([str(BIN / "python"), "-c", "import sys, crawler.cli; crawler.cli.build_parser(); "
                            "print(sorted(m for m in ('matplotlib', 'prometheus_client') if m in sys.modules))"],
                           cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert probe.stdout.strip() == "[]", probe.stdout + probe.stderr
