"""`scrapy crawl presseportal` keeps working for Scrapy users, with the same exit statuses."""

from __future__ import annotations

import psycopg

from crawler import db
from tests.helpers import run_scrapy


def test_scrapy_crawl_stores_into_postgresql_and_records_its_run(replica, database_url):
    done = run_scrapy(replica, database_url=database_url)
    assert done.returncode == 0, done.stderr[-3000:]
    with psycopg.connect(database_url) as conn:
        stored = conn.execute("SELECT count(*) FROM releases").fetchone()[0]
        run = conn.execute("SELECT mode, status, new FROM crawl_runs").fetchall()
    assert stored == len(replica.corpus.story_ids(publisher_id=73811))
    assert run == [("full", "success", stored)]


def test_scrapy_crawl_exits_69_without_database_and_fetches_nothing(replica):
    done = run_scrapy(replica, database_url="postgresql://u:s3cret@127.0.0.1:9/x?connect_timeout=2")
    assert done.returncode == 69, done.stderr[-3000:]
    assert "s3cret" not in done.stderr
    assert "database unavailable" in done.stderr
    assert [e.path for e in replica.log if e.path != "/robots.txt"] == []


def test_scrapy_crawl_exits_75_when_the_publisher_is_locked(replica, database_url):
    with db.connect(database_url) as holder:
        assert db.acquire_publisher_lock(holder, [73811])
        run_id = db.start_run(holder, "backfill", [73811])
        done = run_scrapy(replica, database_url=database_url)
    assert done.returncode == 75, done.stderr[-3000:]
    assert f"run #{run_id}" in done.stderr
    assert not any(e.path.startswith("/pm/") for e in replica.log)
