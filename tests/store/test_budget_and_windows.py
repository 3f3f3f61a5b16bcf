"""The database side of the scale-out: window locks, the site budget's slots, the queue's
schema and job attempts, on a real PostgreSQL."""

from __future__ import annotations

import asyncio
import time

from crawler import db
from crawler.db import budget
from crawler.db import queue as queue_db
from crawler.items import Newsroom
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
        # which newsroom of those asked for each holder holds (the lock line names only those)
        (holder,) = db.lock_holders(c, [73811, 97012], "2016-01-01..2016-12-31")
        assert (holder["run_id"], holder["held"]) == (run_id, [Newsroom("publisher", 73811)])
        # the whole newsroom (cron, a backfill without window): refused while windows run
        assert not db.acquire_publisher_lock(c, [73811])
        assert db.current_lock_holder(c, [73811]) is not None
        assert [h["held"] for h in db.lock_holders(c, [73811, 97012])] == [[Newsroom("publisher", 73811)]] * 2
        assert all(h["held"] is None for h in db.lock_holders(c, None)), "a run over all: every newsroom"
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
    # slot k is k intervals away (give or take the round trips): 1/10 s widened by the
    # lateness allowed, so that 11 requests span more than a second even with one late
    step = budget.interval(10.0)
    assert step == (1 + budget.late_tolerance(10.0)) / 10 > 0.1
    for k, wait in enumerate(waits):
        assert abs(wait - k * step) < 0.08, (k, waits)
    assert 2.8 < after_push <= 3.1, after_push
    assert other_site < 0.05  # one budget per site



def test_a_slot_voided_by_a_push_back_while_waiting_is_taken_again_after_the_push(database_url):
    # the one rule every request to the site keeps (the crawl's download handler, the pre-check,
    # the refresh): worker one waits for a slot 1 s away; the site tells worker two to
    # back off for 1.5 s meanwhile; worker one's slot is void and it goes after the push
    async def scenario():
        one = await budget.connect_async(database_url)
        two = await budget.connect_async(database_url)
        try:
            for _ in range(2):  # at 2 requests/s, the next slot is 1 s away
                await budget.reserve_slot(two, "site:void", 2.0)
            started = time.monotonic()
            waiting = asyncio.create_task(budget.take_shared_slot(one, "site:void", 2.0))
            await asyncio.sleep(0.3)
            await budget.push_back(two, "site:void", 1.5)
            taken = await waiting
            return taken, time.monotonic() - started
        finally:
            await one.close()
            await two.close()

    taken, elapsed = asyncio.run(scenario())
    # (a wake more than 0.05 s late, as in a loaded full test run, is given up as well:
    # missed is not asserted)
    assert taken.voided == 1, taken
    assert elapsed >= 1.75, f"the request left {elapsed:.2f} s in, before the push back (0.3 + 1.5 s) was over"
    assert taken.waited >= 1.75, taken


def test_a_slot_missed_by_a_late_wake_is_given_up_and_another_reserved(database_url):
    # a process woken late (here: its event loop blocked) would send overdue requests in
    # one burst: a slot missed by more than the lateness allowed is reserved again
    async def scenario():
        conn = await budget.connect_async(database_url)
        try:
            await budget.reserve_slot(conn, "site:late", 4.0)  # the next slot is 0.25 s away

            async def hog():
                await asyncio.sleep(0.05)
                time.sleep(0.6)  # the loop is stuck past the slot and its tolerance (0.05 s)

            hogging = asyncio.create_task(hog())
            taken = await budget.take_shared_slot(conn, "site:late", 4.0)
            await hogging
            return taken
        finally:
            await conn.close()

    taken = asyncio.run(scenario())
    assert taken.missed >= 1 and taken.voided == 0, taken


def test_a_slot_whose_void_check_answers_late_is_given_up_too(database_url):
    # the void check is a round trip after the wake (behind the process's other calls to
    # the database): a request whose answer comes back past the lateness allowed would
    # go out late, beside requests sent in their own slots; it reserves again instead
    async def scenario():
        conn = await budget.connect_async(database_url)
        try:
            await budget.reserve_slot(conn, "site:slowcheck", 4.0)  # the next slot is 0.26 s away
            checks = []

            async def slow_check(reserved_at):
                checks.append(reserved_at)
                pushed = await budget.pushed_since(conn, "site:slowcheck", reserved_at)
                if len(checks) == 1:
                    time.sleep(0.3)  # the first answer is late (the loop stuck meanwhile)
                return pushed

            return await budget.take_slot(lambda: budget.reserve_slot(conn, "site:slowcheck", 4.0),
                                          slow_check, 4.0)
        finally:
            await conn.close()

    taken = asyncio.run(scenario())
    # (the slot reserved after it may be missed too, when a loaded machine makes that
    # round trip itself longer than the 0.05 s allowed)
    assert taken.missed >= 1 and taken.voided == 0, taken


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
