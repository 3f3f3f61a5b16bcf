"""One request budget per site, shared by every worker through PostgreSQL (site_budgets).

A site (its host[:port]) has one row: `next_at`, the first instant at which the next
request may go out. Reserving a slot is one atomic statement (queries/budget.sql
`reserve_slot`): whoever reserves, on whatever machine, gets the slot
greatest(now, next_at) and moves next_at one interval (`interval`) past it. The
wait is computed on the database's clock, so the workers' clocks need not agree.

The bound, over any window of one second, is the budget (rounded up) and no more: a
request goes out at its slot or up to `late_tolerance` after it (woken late, or after
the void check's round trip), never later (`take_slot` gives such a slot up), and the
slots are `interval` = (1 + tolerance) / budget apart, so the request one budget's worth
of slots later goes out at least a second after it. (Slots exactly 1/budget apart let a
second see budget + 1 requests, one sent late beside one sent on time; the widening
costs at most 5 % of the rate, 1.25 % at 20 requests/s.)

These are asyncio functions: the crawl's download handler awaits them on the
reactor's event loop (crawler/budget.py) and never blocks it; the cron pre-check runs
them through an `asyncio.Runner`, the queue's refresh on its worker's loop.

`take_slot` is the one rule of how a request waits for its slot (reserve, wait, give up
a slot missed, reserve again after a push back): every path that sends a request to the
site goes through it, right before the request goes out (the crawl's download handler
`crawler.budget.SiteBudgetDownloadHandler`, the pre-check, the refresh).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import NamedTuple

import psycopg

from crawler.db.connection import DatabaseUnavailable, describe, first_line
from crawler.db.sql_files import query


async def connect_async(conninfo: str, *, connect_timeout: int = 10) -> psycopg.AsyncConnection:
    """An autocommit asyncio connection, or `DatabaseUnavailable` (no password in it)."""
    try:
        return await psycopg.AsyncConnection.connect(conninfo, autocommit=True,
                                                     connect_timeout=connect_timeout)
    except psycopg.Error as exc:
        raise DatabaseUnavailable(
            f"cannot connect to PostgreSQL at {describe(conninfo)}: {first_line(exc, conninfo)}"
        ) from None


class Slot(NamedTuple):
    wait: float  # seconds until the slot (>= 0)
    reserved_at: datetime | None  # when it was reserved, on the database's clock; None: in this process alone


class SlotTaken(NamedTuple):
    """How a request came by its slot (the crawl's `site_budget/*` stats)."""

    waited: float  # seconds slept for slots, in all
    missed: int  # slots given up: the request would have gone out more than late_tolerance late
    voided: int  # slots voided: the site pushed back while the request waited


# a request may go out at most this long after its slot (and a quarter interval at most):
# what the slots are widened by, so a late one cannot share a second with a whole budget
LATE_MAX_SECONDS = 0.05


def late_tolerance(per_second: float) -> float:
    """Seconds a request may go out after its slot at `per_second` requests per second."""
    return min(0.25 / per_second, LATE_MAX_SECONDS)


def interval(per_second: float) -> float:
    """Seconds between two slots at `per_second` requests per second: 1/budget widened by
    the lateness allowed, so that no one-second window holds more than the budget (rounded
    up) even with one request of it sent late."""
    return (1.0 + late_tolerance(per_second)) / per_second


async def reserve_slot(conn: psycopg.AsyncConnection, host: str, per_second: float) -> Slot:
    """Reserve the next request slot of `host` under a budget of `per_second` requests per
    second (> 0) for all workers together."""
    cur = await conn.execute(query("reserve_slot"), {"host": host, "interval": interval(per_second)})
    wait, reserved_at = await cur.fetchone()
    return Slot(float(wait), reserved_at)


async def pushed_since(conn: psycopg.AsyncConnection, host: str, reserved_at: datetime) -> bool:
    """The site said "slow down" (`push_back`) after `reserved_at`: a slot reserved then
    is void, reserve again."""
    cur = await conn.execute(query("pushed_since"), {"host": host, "reserved_at": reserved_at})
    row = await cur.fetchone()
    return bool(row and row[0])


async def push_back(conn: psycopg.AsyncConnection, host: str, seconds: float) -> None:
    """No worker sends to `host` before `seconds` from now (a 429 or a Retry-After)."""
    await conn.execute(query("push_back"), {"host": host, "seconds": float(seconds)})


# a wait this short is not worth a round trip to see whether a push back voided it
VOID_CHECK_MIN_WAIT = 0.05


async def take_slot(reserve: Callable[[], Awaitable[Slot]],
                    pushed_since_slot: Callable[[datetime], Awaitable[bool]],
                    per_second: float,
                    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> SlotTaken:
    """Reserve a slot (`reserve()`), sleep until it (`sleep(seconds)`; whatever it raises,
    a crawl stopping meanwhile, ends the wait) and return when the request may go out,
    at `per_second` requests per second (> 0) for the site.

    A slot the site pushed back after it was reserved (`pushed_since_slot(reserved_at)`
    true: a 429 seen by any worker) is void and another reserved: the site asked everyone
    to wait, requests already in line too. A slot reserved in this process alone
    (`reserved_at` None) is never voided. A slot missed by more than `late_tolerance` (a
    busy CPU, a slow event loop, a slow void check: the request would go out late) is
    given up and another reserved: overdue requests sent in one burst would break the
    budget in that second. That is checked last, when nothing is left between this
    return and the request going out: the void check's round trip (it waits for the
    process's other calls to the database) once sent requests up to 0.1 s past a
    lateness check they had passed.
    """
    tolerance = late_tolerance(per_second)
    waited, missed, voided = 0.0, 0, 0
    while True:
        asked = time.monotonic()
        slot = await reserve()
        if slot.wait > 0:
            waited += slot.wait
            await sleep(slot.wait)
        if slot.reserved_at is not None and slot.wait >= VOID_CHECK_MIN_WAIT \
                and await pushed_since_slot(slot.reserved_at):
            voided += 1
            continue
        if time.monotonic() - asked - slot.wait > tolerance:
            missed += 1
            continue
        return SlotTaken(waited, missed, voided)


async def take_shared_slot(conn: psycopg.AsyncConnection, host: str, per_second: float) -> SlotTaken:
    """`take_slot` of `host`'s budget in the database of `conn` (the pre-check's and the
    refresh's; the crawl's `SiteBudget` adds a reservation of its own for the database away)."""
    return await take_slot(lambda: reserve_slot(conn, host, per_second),
                           lambda reserved_at: pushed_since(conn, host, reserved_at), per_second)
