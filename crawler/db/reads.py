"""What the commands read from the store: status, search, export, a dry run's comparison.
Never writes.

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
    """The newest `limit` crawl_runs rows, newest first (id, mode, publishers, started_at,
    finished_at, status, pages, new, changed, unchanged, errors, coverage)."""
    return _rows(conn, "status_runs", {"limit": limit})


def releases_per_publisher(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """Per publisher: publisher_id, name, releases (count), newest (published_at)."""
    return _rows(conn, "status_publishers")


def newest_releases(conn: psycopg.Connection, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` releases: story_id, title, url, published_at."""
    return _rows(conn, "newest_releases", {"limit": limit})


def search(conn: psycopg.Connection, text: str, limit: int) -> list[dict[str, Any]]:
    """Releases matching a websearch query (German full text), best first: story_id,
    title, url, published_at, rank, snippet."""
    return _rows(conn, "search", {"query": text, "limit": limit})


def stored_releases(conn: psycopg.Connection, story_ids: list[int]) -> dict[int, dict[str, Any]]:
    """{story_id: the stored content fields and url} of those stored among `story_ids`."""
    return {row["story_id"]: row for row in _rows(conn, "stored_releases", {"story_ids": story_ids})}


def export(conn: psycopg.Connection, *, since: date | None, publishers: list[int] | None,
           batch: int = 500) -> Iterator[dict[str, Any]]:
    """Every stored release (newest first) as a dict of the export columns, streamed
    through a server-side cursor: memory stays flat whatever the table's size."""
    with conn.transaction(), conn.cursor(name="export", row_factory=dict_row) as cursor:
        cursor.itersize = batch
        cursor.execute(query("export"), {"since": since, "publishers": publishers})
        yield from cursor
