"""One request budget per site, shared by every worker through PostgreSQL (site_budgets).

A site (its host[:port]) has one row: `next_at`, the first instant at which the next
request may go out. Reserving a slot is one atomic statement (queries/budget.sql
`reserve_slot`): whoever reserves, on whatever machine, gets the slot
greatest(now, next_at) and moves next_at one interval (1/budget seconds) past it. The
wait is computed on the database's clock, so the workers' clocks need not agree.

These are asyncio functions: the crawler's downloader middleware awaits them on the
reactor's event loop (crawler/budget.py) and never blocks it.
"""

from __future__ import annotations

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
    reserved_at: datetime  # when it was reserved, on the database's clock


async def reserve_slot(conn: psycopg.AsyncConnection, host: str, per_second: float) -> Slot:
    """Reserve the next request slot of `host` under a budget of `per_second` requests per
    second (> 0) for all workers together."""
    cur = await conn.execute(query("reserve_slot"), {"host": host, "interval": 1.0 / per_second})
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
