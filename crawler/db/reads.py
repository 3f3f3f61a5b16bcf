"""What the commands read from the store: status, search, export, a dry run's comparison.
Never writes.

Every function takes a connection (see `crawler.db.connect`) and returns plain dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import psycopg
from psycopg.rows import dict_row

from crawler.db.newsrooms import scope
from crawler.db.sql_files import query
from crawler.items import Newsroom


def fetch_rows(conn: psycopg.Connection, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every row of the named query (crawler/db/sql/queries/*.sql) as a dict."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query(name), params or {}).fetchall()


def last_runs(conn: psycopg.Connection, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` crawl_runs rows, newest first (id, mode, publishers, offices,
    started_at, finished_at, status, pages, new, changed, unchanged, errors, coverage)."""
    return fetch_rows(conn, "status_runs", {"limit": limit})


def run_errors(conn: psycopg.Connection, run_id: int) -> list[dict[str, Any]]:
    """The failed pages of run `run_id` in the order they were recorded: url, stage
    (fetch, listing, extract, identity, redirect, offsite, pipeline, store, spider),
    reason, at."""
    return fetch_rows(conn, "run_errors", {"run_id": run_id})


def run_mode(conn: psycopg.Connection, run_id: int) -> str | None:
    """The mode of run `run_id` (incremental, backfill, import, reextract, ...); None when
    there is no such run."""
    found = fetch_rows(conn, "run_mode", {"run_id": run_id})
    return found[0]["mode"] if found else None


def newest_run_id(conn: psycopg.Connection) -> int | None:
    """The id of the newest crawl_runs row; None when no run was recorded."""
    return fetch_rows(conn, "newest_run_id")[0]["max"]


def releases_per_publisher(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """Per newsroom the store knows (a publisher's or an office's: the site showed it,
    `known_newsrooms`) or holds releases of: kind, publisher_id (its id), name ("" before
    a release), releases (count), newest (published_at, None without a release) and
    newest_precision (its published_precision: "minute", "day", "month"; "" without),
    followed (bool: known and not unfollowed), imported_only (bool: only imported records
    name it, so it is not followed)."""
    return fetch_rows(conn, "status_publishers")


def newest_releases(conn: psycopg.Connection, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` releases: story_id, title, url, published_at, published_precision,
    imported_from (an import's FILE:LINE, '' for a page), opening (the start of teaser and
    body: what a release without title is shown by)."""
    return fetch_rows(conn, "newest_releases", {"limit": limit})


def search(conn: psycopg.Connection, text: str, limit: int) -> list[dict[str, Any]]:
    """Releases matching a websearch query (German full text), best first: story_id,
    title, url, published_at, published_precision, imported_from, opening (as
    `newest_releases`), rank, snippet."""
    return fetch_rows(conn, "search", {"query": text, "limit": limit})


def stored_releases(conn: psycopg.Connection, story_ids: list[int]) -> dict[int, dict[str, Any]]:
    """{story_id: the stored content fields and url} of those stored among `story_ids`."""
    return {row["story_id"]: row for row in fetch_rows(conn, "stored_releases", {"story_ids": story_ids})}


def export(conn: psycopg.Connection, *, since: date | None, newsrooms: Iterable[Newsroom] | None,
           until: date | None = None, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Every stored release (newest first) published in the Berlin days `since`..`until`
    (both included, either open) as a dict of the export columns, streamed
    through a server-side cursor: memory stays flat whatever the table's size.
    `newsrooms`: only the releases of these (None or empty: every newsroom)."""
    with conn.transaction(), conn.cursor(name="export", row_factory=dict_row) as cursor:
        cursor.itersize = batch
        cursor.execute(query("export"), {"since": since, "until": until, **scope(newsrooms)})
        yield from cursor
