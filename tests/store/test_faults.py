"""Faults: the server goes away mid-crawl (nothing lost), or is unreachable at start."""

from __future__ import annotations

import asyncio
import dataclasses
import stat
from pathlib import Path

import psycopg
import pytest
from scrapy.exceptions import CloseSpider

from crawler import db
from crawler.db import spill
from crawler.db.embedded import free_port
from crawler.db.releases import content_hash, content_of
from pipelines.store import StorePipeline

from .support import crawler_for, drive, releases


def stored(url) -> dict[int, str]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute("SELECT story_id, content_hash FROM releases").fetchall())


def expected(items) -> dict[int, str]:
    return {i.story_id: content_hash(content_of(dataclasses.asdict(i))) for i in items}


def test_server_stopped_mid_crawl_loses_nothing(pg_server, database_url):
    items = releases(400)
    background: list[asyncio.Task] = []

    async def during(i):
        if i == 120:
            # stop the server between batches, bring it back 3 s later while items keep coming
            # (longer than the 1 s connection timeout: batches fail and are retried)
            await asyncio.to_thread(pg_server.stop)

            async def later():
                await asyncio.sleep(3)
                await asyncio.to_thread(pg_server.start)

            background.append(asyncio.create_task(later()))
        await asyncio.sleep(0)

    stats = drive(database_url, items, during=during, STORE_CONNECT_TIMEOUT=1)
    assert stats.get("store/retries", 0) >= 1, "the outage should have cost at least one retry"
    assert stats["store/new"] == 400
    assert stored(database_url) == expected(items), "every release sent must be in the table"


def test_server_restarted_during_writes_loses_nothing(pg_server, database_url):
    items = releases(600, start=6_000_000)
    restarted: list[asyncio.Future] = []

    async def during(i):
        if i == 170:
            # restart concurrently, so that it hits a batch in flight
            restarted.append(asyncio.ensure_future(asyncio.to_thread(pg_server.restart)))
        if i % 10 == 0:
            await asyncio.sleep(0.01)

    stats = drive(database_url, items, during=during, STORE_BATCH_SIZE=40)
    assert restarted and restarted[0].done()
    assert stored(database_url) == expected(items)
    # at-least-once made exact: a batch retried after an unacknowledged commit shows up as
    # "unchanged", never as a duplicate row
    assert stats.get("store/new", 0) + stats.get("store/unchanged", 0) == 600
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM release_revisions").fetchone()[0] == 0


def test_unreachable_at_open_closes_before_crawling():
    url = f"postgresql://crawler:Secret-Pw-987@127.0.0.1:{free_port()}/presseportal"
    crawler = crawler_for(url)
    crawler.stats.open_spider()
    pipeline = StorePipeline.from_crawler(crawler)
    with pytest.raises(CloseSpider) as info:
        asyncio.run(pipeline.open_spider())
    assert info.value.reason == "database_unavailable"
    message = crawler.stats.get_value("store/error")
    assert "Secret-Pw-987" not in message and "127.0.0.1" in message
    assert isinstance(pipeline.error, db.DatabaseUnavailable)
    asyncio.run(pipeline.close_spider())  # the engine still closes components: must not fail


def test_unreachable_gives_database_unavailable_without_password():
    url = f"postgresql://crawler:Secret-Pw-987@127.0.0.1:{free_port()}/presseportal"
    with pytest.raises(db.DatabaseUnavailable) as info:
        db.connect(url, connect_timeout=2)
    assert "Secret-Pw-987" not in str(info.value)
    assert info.value.exit_code == 69


def test_retry_budget_exhausted_spills_to_a_private_file_of_this_database(pg_server, database_url, tmp_path):
    items = releases(30, start=7_000_000)
    stats_box = []

    async def during(i):
        if i == 10:
            while not stats_box[0].get_value("store/batches"):  # the first batch is in
                await asyncio.sleep(0.02)
            await asyncio.to_thread(pg_server.stop)

    try:
        stats = drive(database_url, items, during=during, stats_box=stats_box, STORE_BATCH_SIZE=10,
                      STORE_RETRY_MAX_SECONDS=1.5, STORE_CONNECT_TIMEOUT=1, STORE_SPILL_DIR=str(tmp_path))
    finally:
        pg_server.start()
    folder = spill.spill_dir(database_url, tmp_path)
    spilled = list(folder.glob("*.jsonl"))
    assert stats["store/new"] == 10
    assert stats["store/spilled"] == 20 and len(spilled) == 1
    assert stats["store/error"]
    lines = spilled[0].read_text().splitlines()
    assert len(lines) == 1 + 20, "a header line, then one release per line"
    assert stat.S_IMODE(spilled[0].stat().st_mode) == 0o600, "spill files hold whole pages: private"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert str(spilled[0]) == stats["store/spill_file"]


def test_a_spill_belongs_to_its_database():
    one = spill.spill_dir("postgresql://ingest:pw1@db1:5432/presse", "/x")
    assert one == spill.spill_dir("postgresql://ingest:other-pw@db1:5432/presse", "/x"), "the password is no part"
    assert one != spill.spill_dir("postgresql://ingest@db2:5432/presse", "/x")
    assert one != spill.spill_dir("postgresql://ingest@db1:5433/presse", "/x")
    assert one != spill.spill_dir("postgresql://ingest@db1:5432/archive", "/x")
    assert "pw1" not in str(one) and one.parent == Path("/x")
