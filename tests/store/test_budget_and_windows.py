"""The database side of the scale-out: window locks, the site budget's slots, the queue's
schema and job attempts, on a real PostgreSQL."""

from __future__ import annotations

import asyncio

from crawler import db
from crawler.db import budget
from crawler.db import queue as queue_db
from crawler.queue.app import ensure_queue_schema


def test_two_windows_of_one_newsroom_lock_apart_and_the_whole_newsroom_excludes_them(database_url):
    a, b, c = (db.connect(database_url) for _ in range(3))
    try:
        assert db.acquire_publisher_lock(a, [73811], "2016-01-01..2016-12-31")
        run_id = db.start_run(a, "backfill", [73811])
        # another window of the same newsroom: side by side
        assert db.acquire_publisher_lock(b, [73811], "2020-01-01..2020-12-31")
        # the same window again: refused, its holder named
        assert not db.acquire_publisher_lock(c, [73811], "2016-01-01..2016-12-31")
        assert db.current_lock_holder(c, [73811], "2016-01-01..2016-12-31")["run_id"] == run_id
        # the whole newsroom (cron, a backfill without window): refused while windows run
        assert not db.acquire_publisher_lock(c, [73811])
        assert db.current_lock_holder(c, [73811]) is not None
        db.release_publisher_lock(a, [73811], "2016-01-01..2016-12-31")
        db.release_publisher_lock(b, [73811], "2020-01-01..2020-12-31")
        # all released: the whole newsroom is free, and then excludes a window
        assert db.acquire_publisher_lock(c, [73811])
        assert not db.acquire_publisher_lock(a, [73811], "2016-01-01..2016-12-31")
    finally:
        for conn in (a, b, c):
            conn.close()


def test_site_budget_slots_are_spaced_for_every_connection_and_a_push_moves_them_all(database_url):
    async def scenario():
        one = await budget.connect_async(database_url)
        two = await budget.connect_async(database_url)
        try:
            waits = []
            for i in range(10):  # two "workers" reserving in turn, 10 requests/s
                waits.append((await budget.reserve_slot(one if i % 2 else two, "site:1", 10.0)).wait)
            before_push = await budget.reserve_slot(one, "site:1", 10.0)
            assert not await budget.pushed_since(two, "site:1", before_push.reserved_at)
            await budget.push_back(one, "site:1", 3.0)
            # a slot reserved before the push is void: its holder sees so and reserves again
            assert await budget.pushed_since(two, "site:1", before_push.reserved_at)
            after_push = await budget.reserve_slot(two, "site:1", 10.0)
            assert not await budget.pushed_since(one, "site:1", after_push.reserved_at)
            other_site = await budget.reserve_slot(two, "site:2", 10.0)
            return waits, after_push.wait, other_site.wait
        finally:
            await one.close()
            await two.close()

    waits, after_push, other_site = asyncio.run(scenario())
    # slot k is k/10 s away (give or take the round trips)
    for k, wait in enumerate(waits):
        assert abs(wait - k / 10) < 0.08, (k, waits)
    assert 2.8 < after_push <= 3.1, after_push
    assert other_site < 0.05  # one budget per site


def test_attempts_tell_a_lost_worker(database_url):
    with db.connect(database_url) as conn:
        assert queue_db.queue_jobs(conn) is None  # no queue yet: status shows none
        assert ensure_queue_schema(database_url) == ["schema"]
        assert queue_db.queue_jobs(conn) == []
        first = queue_db.start_attempt(conn, 41, "host-a:1")
        second = queue_db.start_attempt(conn, 41, "host-b:2")  # taken over
        queue_db.finish_attempt(conn, second, "succeeded")
        attempts = queue_db.job_attempts(conn, 41)
    assert [(a["id"], a["worker"], a["outcome"]) for a in attempts] == [
        (first, "host-a:1", "lost"), (second, "host-b:2", "succeeded")]
    assert "taken over" in attempts[0]["reason"]
