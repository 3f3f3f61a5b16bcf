"""What the commands read from the store: status, search, export. Never writes.

Every function takes a connection (see `crawler.db.connect`) and returns plain dicts.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import psycopg
from psycopg.rows import dict_row

from crawler.db.sql_files import query


def _rows(conn: psycopg.Connection, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query(name), params or {}).fetchall()


def last_runs(conn: psycopg.Connection, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` crawl_runs rows, newest first (id, mode, publishers, offices,
    started_at, finished_at, status, pages, new, changed, unchanged, errors, coverage)."""
    return _rows(conn, "status_runs", {"limit": limit})


def releases_per_publisher(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """Per newsroom (a publisher's or an office's): kind, publisher_id (its id), name,
    releases (count), newest (published_at)."""
    return _rows(conn, "status_publishers")


def newest_releases(conn: psycopg.Connection, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` releases: story_id, title, url, published_at."""
    return _rows(conn, "newest_releases", {"limit": limit})


def search(conn: psycopg.Connection, text: str, limit: int) -> list[dict[str, Any]]:
    """Releases matching a websearch query (German full text), best first: story_id,
    title, url, published_at, rank, snippet."""
    return _rows(conn, "search", {"query": text, "limit": limit})


def export(conn: psycopg.Connection, *, since: date | None, publishers: list[int] | None,
           batch: int = 500) -> Iterator[dict[str, Any]]:
    """Every stored release (newest first) as a dict of the export columns, streamed
    through a server-side cursor: memory stays flat whatever the table's size.
    `publishers`: only the releases of these publishers' newsrooms (None: all newsrooms)."""
    with conn.transaction(), conn.cursor(name="export", row_factory=dict_row) as cursor:
        cursor.itersize = batch
        cursor.execute(query("export"), {"since": since, "publishers": publishers})
        yield from cursor
