"""`presseportal report` in a real browser: Debian's Chromium, headless, network off.

The store comes from real crawls of the replica (tests/health/conftest.py); the report
is written by the command, opened from its file, and every number it shows is held
against the database with SQL of this test's own.
"""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

import pytest

from crawler.items import WATCHED_FIELDS
from tests.health.browser import CHROMIUM, MISSING, Rendered, render
from tests.health.conftest import OFFICE, OFFICE_CODE
from tests.health.support import one, sql
from tests.helpers import presseportal

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shown(crawled_store, tmp_path_factory) -> Rendered:
    if CHROMIUM is None:
        pytest.skip(MISSING)
    folder = tmp_path_factory.mktemp("report")
    written = presseportal(crawled_store.replica, "report", "-o", str(folder / "report.html"),
                           database_url=crawled_store.url)
    assert written.returncode == 0, written.stderr[-2000:]
    assert str(folder / "report.html") in written.stdout, "the command says where the report is"
    return render(folder / "report.html", folder / "report.png")


def test_the_page_loads_from_its_file_alone_without_errors(shown):
    assert shown.requests == [shown.url], f"the page asked for more than its own file: {shown.requests}"
    assert not shown.failed_requests
    assert shown.console_errors == [], shown.console_errors
    assert shown.page_errors == [], shown.page_errors
    assert shown.page["sections"] == ["summary", "archive-section", "runs-section", "coverage-section",
                                      "failures-section"], "no queue section without a job queue"


def test_the_screenshot_shows_a_drawn_page(shown):
    from PIL import Image  # matplotlib's own dependency

    image = Image.open(BytesIO(shown.screenshot.read_bytes()))
    assert image.format == "PNG" and image.width == 1200
    assert image.height > 2500, "the whole page, charts and tables, is in the screenshot"
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours and len(colours) > 50, "a blank or single-colour screenshot: nothing was drawn"


def test_every_chart_is_drawn_with_a_size(shown):
    for chart in ("archive-chart", "runs-chart", "coverage-chart", "failures-chart"):
        box = shown.page["charts"].get(chart)
        assert box, f"{chart} missing from the page"
        assert box["width"] > 500 and box["height"] > 80 and box["elements"] > 50, (chart, box)


def test_the_archive_draws_a_bar_per_month_with_releases_and_marks_each_gap(shown, crawled_store):
    months = sql(crawled_store.url, """
        WITH m AS (SELECT newsroom_kind, publisher_id,
                          date_trunc('month', published_at AT TIME ZONE 'Europe/Berlin') AS month
                   FROM releases GROUP BY 1, 2, 3)
        SELECT newsroom_kind, publisher_id, count(*),
               (extract(year FROM age(max(month), min(month))) * 12
                + extract(month FROM age(max(month), min(month))) + 1)::int - count(*)
        FROM m GROUP BY newsroom_kind, publisher_id""")
    assert len(months) == 3 and ("office", OFFICE) in {(kind, pid) for kind, pid, _, _ in months}
    for kind, pid, with_releases, without in months:
        newsroom = f"{kind}-{pid}"
        bars = shown.marks(f"archive-bars-{newsroom}")[f"archive-bars-{newsroom}"]
        assert bars["elements"] == with_releases and bars["sized"] == with_releases, (newsroom, bars)
        gaps = shown.marks(f"archive-gap-{newsroom}")
        assert (gaps[f"archive-gap-{newsroom}"]["sized"] if gaps else 0) == without, (newsroom, gaps)


def test_the_runs_chart_draws_each_run_by_status_and_each_failing_run(shown, crawled_store):
    for status, runs in sql(crawled_store.url, "SELECT status, count(*) FROM crawl_runs "
                                               "WHERE finished_at IS NOT NULL GROUP BY status"):
        dots = shown.marks(f"runs-duration-{status}")[f"runs-duration-{status}"]
        assert dots["sized"] == runs, (status, dots)
    failing = one(crawled_store.url, "SELECT count(*) FROM crawl_runs WHERE errors > 0")
    assert failing >= 1
    assert shown.marks("runs-failed")["runs-failed"]["sized"] == failing
    new = shown.marks("runs-outcome-new")["runs-outcome-new"]
    assert new["sized"] >= 1 and new["sized"] == new["elements"]


def test_coverage_draws_every_watched_field_with_its_threshold(shown):
    for name in WATCHED_FIELDS:
        line = shown.marks(f"coverage-{name}").get(f"coverage-{name}")
        threshold = shown.marks(f"coverage-threshold-{name}").get(f"coverage-threshold-{name}")
        assert line and line["sized"] >= 1 and line["width"] > 0, (name, line)
        assert threshold and threshold["sized"] == 1 and threshold["width"] > 100, (name, threshold)


def test_failed_pages_draw_a_bar_per_stage(shown, crawled_store):
    stages = sql(crawled_store.url, "SELECT stage, count(*) FROM crawl_errors GROUP BY stage")
    assert {"fetch", "pipeline"} <= {stage for stage, _ in stages}, stages
    for stage, _ in stages:
        assert shown.marks(f"failures-stage-{stage}")[f"failures-stage-{stage}"]["sized"] == 1


def test_the_summary_shows_the_databases_numbers(shown, crawled_store):
    url = crawled_store.url
    releases = one(url, "SELECT count(*) FROM releases")
    assert int(shown.value("releases", "summary")) == releases
    assert shown.texts("releases", "summary")[0] == f"{releases:,}"
    assert int(shown.value("runs", "summary")) == one(url, "SELECT count(*) FROM crawl_runs") == 5
    assert int(shown.value("failed_pages", "summary")) == one(url, "SELECT count(*) FROM crawl_errors") > 0
    assert int(shown.value("newsrooms", "summary")) == one(
        url, "SELECT count(*) FROM (SELECT kind, id FROM publishers UNION SELECT 'publisher', unnest(publishers) "
             "FROM crawl_runs UNION SELECT 'office', unnest(offices) FROM crawl_runs) k") == 3
    assert datetime.fromisoformat(shown.value("newest", "summary")) == one(
        url, "SELECT max(published_at) FROM releases")
    assert datetime.fromisoformat(shown.value("last_success", "summary")) == one(
        url, "SELECT max(finished_at) FROM crawl_runs WHERE status = 'success'")
    for status, runs in sql(url, "SELECT status, count(*) FROM crawl_runs GROUP BY status"):
        assert int(shown.value(f"runs_{status}")) == runs


def test_each_newsrooms_row_shows_the_databases_numbers(shown, crawled_store):
    rows = sql(crawled_store.url, """
        SELECT newsroom_kind, publisher_id, count(*), min(published_at), max(published_at),
               (SELECT max(finished_at) FROM crawl_runs r WHERE r.status = 'success'
                AND releases.publisher_id = ANY(CASE releases.newsroom_kind WHEN 'office' THEN r.offices
                                                                            ELSE r.publishers END))
        FROM releases GROUP BY newsroom_kind, publisher_id""")
    assert len(rows) == 3
    for kind, pid, releases, oldest, newest, last_success in rows:
        row = {"kind": kind, "newsroom": pid}
        assert int(shown.value("releases", **row)) == releases
        assert datetime.fromisoformat(shown.value("oldest", **row)) == oldest
        assert datetime.fromisoformat(shown.value("newest", **row)) == newest
        assert datetime.fromisoformat(shown.value("last_success", **row)) == last_success


def test_an_office_is_labelled_as_one_with_its_code(shown):
    office = {"kind": "office", "newsroom": OFFICE}
    assert shown.texts("kind", **office) == ["police/fire office"]
    assert shown.value("office_code", **office) == OFFICE_CODE
    assert shown.texts("kind", kind="publisher", newsroom=OFFICE) == ["publisher"], "its publisher namesake"
    assert shown.value("office_code", kind="publisher", newsroom=OFFICE) == ""


def test_coverage_and_failed_pages_tables_show_the_databases_rows(shown, crawled_store):
    url = crawled_store.url
    coverage = one(url, "SELECT coverage FROM crawl_runs WHERE coverage <> '{}' ORDER BY started_at DESC LIMIT 1")
    assert set(coverage) == set(WATCHED_FIELDS)
    for name, ratio in coverage.items():
        assert float(shown.value("coverage", field=name)) == pytest.approx(float(ratio))
    latest = sql(url, "SELECT url, stage, reason FROM crawl_errors ORDER BY id DESC LIMIT 20")
    assert shown.values("url") == [u or "-" for u, _, _ in latest]
    assert shown.values("stage") == [s for _, s, _ in latest]
    assert shown.values("reason") == [r for _, _, r in latest]
