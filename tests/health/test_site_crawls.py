"""A newsroom's health reads the runs that asked the site: crawls, backfills, the
refresh's stories runs (and the workers' jobs, which are runs of those modes). A
re-extraction reads the stored pages and an import reads files: neither asked the site
anything, so neither is a newsroom's last successful run nor its last run. Both stay in
the run history. (`site_crawl` in crawler/db/sql/014_site_crawls.sql.)"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import psycopg
import pytest

from crawler import db
from crawler.db import health
from crawler.health.gather import Scope, gather
from crawler.spiders.presseportal import MODES
from tests.health.support import samples, sql
from tests.helpers import presseportal

PID = 73811
FAILED_AT = datetime(2024, 3, 9, 10, tzinfo=UTC)
LATER = datetime(2024, 3, 10, 10, tzinfo=UTC)


@pytest.mark.parametrize("mode", [*MODES, "import", "reextract"])
def test_only_a_run_that_asked_the_site_is_a_newsrooms_last_success_and_last_run(database_url, mode):
    # a newsroom whose crawl failed, then a successful run of `mode` over every newsroom
    # (no publishers, no offices: what `reextract` and `import` without --publisher record)
    with psycopg.connect(database_url) as conn:
        conn.execute("INSERT INTO publishers (kind, id, name) VALUES ('publisher', 7, 'Firma')")
        conn.execute("INSERT INTO releases (story_id, newsroom_kind, publisher_id, url, published_at, "
                     "content_hash) VALUES (1, 'publisher', 7, '', '2024-03-01 10:00+00', '')")
        for publishers, status, end in (("{7}", "errors", FAILED_AT), ("{}", "success", LATER)):
            conn.execute("INSERT INTO crawl_runs (mode, publishers, started_at, finished_at, status) "
                         "VALUES (%s, %s, %s::timestamptz - interval '1 minute', %s, %s)",
                         ("incremental" if status == "errors" else mode, publishers, end, end, status))
    with psycopg.connect(database_url) as conn:
        (row,) = health.newsrooms(conn)
        modes = [run["mode"] for run in health.runs(conn)]
    asked_the_site = mode in MODES
    assert row["last_success"] == (LATER if asked_the_site else None), \
        f"a {mode} run {'is' if asked_the_site else 'is not'} a crawl: site_crawl in 014_site_crawls.sql"
    assert row["last_run_status"] == ("success" if asked_the_site else "errors"), mode
    assert modes == ["incremental", mode], "every run stays in the run history"


@pytest.mark.slow
def test_a_reextract_does_not_hide_a_newsroom_whose_crawls_fail(replica, database_url, tmp_path):
    # seen: the crawls of a newsroom failed for days, someone ran `reextract`, and the
    # newsroom looked healthy: its success (a run over every newsroom) was the last success
    def run(*args: str, codes=(0,)):
        done = presseportal(replica, *args, database_url=database_url)
        assert done.returncode in codes, f"{args}: {done.stderr[-2000:]}"
        return done

    run("crawl", "--publisher", str(PID))
    ((crawled_at,),) = sql(database_url, "SELECT finished_at FROM crawl_runs WHERE status = 'success'")
    replica.faults.add(rf"^/nr/{PID}$", "500")
    run("crawl", "--publisher", str(PID), codes=(1,))
    replica.log.clear()
    run("reextract")
    assert not replica.log, "a re-extraction asks the site nothing"

    got = samples(run("metrics").stdout)
    assert got["presseportal_last_success_timestamp_seconds"][
        (("kind", "publisher"), ("newsroom", str(PID)))] == pytest.approx(crawled_at.timestamp(), abs=1e-3)
    with db.connect(database_url) as conn:
        data = gather(conn, Scope(), store="test", now=datetime.now(UTC), coverage_min=0.95, coverage_min_items=20)
    (room,) = data.newsrooms
    assert (room["last_success"], room["last_run_status"]) == (crawled_at, "errors")
    assert data.last_success == crawled_at, "the report's 'last successful run' tile"
    # still shown where runs are listed
    assert [r["mode"] for r in data.runs][-1] == "reextract"
    assert json.loads(run("status", "--json").stdout)["runs"][0]["mode"] == "reextract"
