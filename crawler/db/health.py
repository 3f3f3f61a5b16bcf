"""What the report and the metrics read from the store: the pipeline's health. Never writes.

Every function takes a connection (see `crawler.db.connect`) and returns plain dicts;
the queries are in crawler/db/sql/queries/health.sql and aggregate there (per month, per
run, per bin of time), so that the Python side handles hundreds of rows, not the store.

A newsroom is (kind, id) in every row: `kind` 'publisher' (a company's /nr/{id}) or
'office' (a police or fire office's /blaulicht/nr/{id}), `newsroom_id` its number (the
site may give both kinds the same one).

The report's scope: `since` (a Berlin calendar day; None: all time), `publishers` and
`offices` (the ids of each kind; both None or empty: every newsroom, of both kinds).
Releases are in scope by publication, runs by their start, failed pages by when they
were recorded.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import psycopg

from crawler.db.newsrooms import scope
from crawler.db.queue import queue_schema_present
from crawler.db.reads import fetch_rows
from crawler.db.sql_files import query
from crawler.items import newsrooms_of
from crawler.state import IMPORT_MODES


Ids = list[int] | tuple[int, ...] | None


def _scope(since: date | None, publishers: Ids, offices: Ids) -> dict[str, Any]:
    # the newsrooms' parameters as every reading of the store picks them (newsrooms.scope)
    return {"since": since, **scope(newsrooms_of(publishers, offices))}


def without_jit(conn: psycopg.Connection) -> None:
    """Turn PostgreSQL's JIT compilation off for the rest of `conn`'s session, before the
    queries below: it compiles them for longer than they run (see health.sql)."""
    conn.execute(query("health_without_jit"))


def newsrooms(conn: psycopg.Connection, *, since: date | None = None,
              publishers: Ids = None, offices: Ids = None) -> list[dict[str, Any]]:
    """Every newsroom the store follows (the site showed it: `known_newsrooms`), and any
    asked for by id that the store knows or holds releases of, most releases first: kind,
    newsroom_id, name ('' before its first release), office_code (an
    office's code from its newest release that has one, "POL-XY"; '' else), releases (count in
    scope), oldest and newest (published_at in scope, None without releases),
    last_success (finished_at of its last successful run, any time), last_run_started and
    last_run_status (of its last run, any time; None without runs). Its runs are those
    that asked the site (`site_crawl`, migration 014): not an import, not a re-extraction."""
    return fetch_rows(conn, "health_newsrooms", _scope(since, publishers, offices))


def archive_months(conn: psycopg.Connection, *, since: date | None = None,
                   publishers: Ids = None, offices: Ids = None) -> list[dict[str, Any]]:
    """Releases per Berlin calendar month per newsroom: kind, newsroom_id, month (date, the
    1st), releases; every month from a newsroom's first to its last, 0 for a gap."""
    return fetch_rows(conn, "health_archive_months", _scope(since, publishers, offices))


def runs(conn: psycopg.Connection, *, since: date | None = None,
         publishers: Ids = None, offices: Ids = None) -> list[dict[str, Any]]:
    """The runs in scope, oldest first: id, mode, publishers, offices, started_at, finished_at,
    status, duration_seconds (None while running), pages, new, changed, unchanged, errors
    (failed pages), releases (new + changed + unchanged), coverage ({field: ratio})."""
    return fetch_rows(conn, "health_runs", _scope(since, publishers, offices))


def run_outcomes(conn: psycopg.Connection, *, bin_seconds: int, since: date | None = None,
                 publishers: Ids = None, offices: Ids = None) -> list[dict[str, Any]]:
    """new / changed / unchanged summed per bin of `bin_seconds` of the runs' start, in
    order: bin (aware datetime, the bin's start), new, changed, unchanged, runs."""
    return fetch_rows(conn, "health_run_outcomes", {**_scope(since, publishers, offices), "bin_seconds": bin_seconds})


def cron_rhythm(conn: psycopg.Connection, *, factor: float = 2.0, min_intervals: int = 3,
                since: date | None = None, publishers: Ids = None, offices: Ids = None) -> list[dict[str, Any]]:
    """Per newsroom with at least `min_intervals` intervals between incremental runs:
    kind, newsroom_id, runs, cadence_seconds (the median interval between starts), gap_starts
    and gap_ends (lists of aware datetimes: every interval longer than `factor` times the
    cadence, the last one ending now when no run followed: missed runs)."""
    return fetch_rows(conn, "health_cron_rhythm",
                      {**_scope(since, publishers, offices), "factor": factor, "min_intervals": min_intervals})


def failures_by_stage(conn: psycopg.Connection, *, since: date | None = None,
                      publishers: Ids = None, offices: Ids = None) -> list[dict[str, Any]]:
    """Failed pages recorded in scope per stage, most first: stage, pages."""
    return fetch_rows(conn, "health_failures_by_stage", _scope(since, publishers, offices))


def latest_failures(conn: psycopg.Connection, limit: int, *, since: date | None = None,
                    publishers: Ids = None, offices: Ids = None) -> list[dict[str, Any]]:
    """The newest `limit` failed pages in scope: at, run_id, stage, url, reason."""
    return fetch_rows(conn, "health_latest_failures", {**_scope(since, publishers, offices), "limit": limit})


def queue_jobs(conn: psycopg.Connection) -> list[dict[str, Any]] | None:
    """Jobs of the job queue per queue and status (queue_name, status, jobs), or None
    when the store has no queue (procrastinate's `procrastinate_jobs` table is absent)."""
    if not queue_schema_present(conn):
        return None
    return fetch_rows(conn, "health_queue")


def runs_by_status(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """How many runs ended (or are) in each status, all time: status, runs."""
    return fetch_rows(conn, "health_runs_by_status")


def last_finished_runs(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """The run of each mode that finished last, by mode: id, mode, publishers, offices, started_at,
    finished_at, status, duration_seconds, pages, new, changed, unchanged, errors."""
    return fetch_rows(conn, "health_last_finished_runs")


def last_coverage(conn: psycopg.Connection) -> dict[str, Any] | None:
    """The field coverage of the last finished run that measured one on extracted pages
    (a crawl or a re-extraction, not an import: `crawler.state.IMPORT_MODES`): id,
    mode, finished_at, coverage ({field: ratio}), releases (how many it was measured on);
    None when no such run did."""
    found = fetch_rows(conn, "health_last_coverage", {"imports": list(IMPORT_MODES)})
    return found[0] if found else None
