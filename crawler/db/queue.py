"""What the job queue keeps of ours: the queue's schema applied once, the attempts of
each job (which worker, since when, how it ended and why), the newsrooms a refresh looks
after. The queue itself (procrastinate_jobs and friends) is procrastinate's, driven by
crawler/queue/; its schema text comes from procrastinate and is applied here.

Every function takes an autocommit connection (`crawler.db.connect`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import psycopg

from crawler.db.reads import fetch_rows
from crawler.db.sql_files import query
from crawler.items import Newsroom


def queue_schema_present(conn: psycopg.Connection) -> bool:
    """procrastinate's tables exist in this database."""
    return bool(conn.execute(query("queue_schema_present")).fetchone()[0])


def upgrade_queue_schema(conn: psycopg.Connection, schema_sql: str, migrations: list[tuple[str, str]],
                         baseline: str) -> list[str]:
    """Bring the queue's schema (procrastinate's) to the installed procrastinate's; the
    names applied now ("schema" for the whole schema), [] when it was current.

    `schema_sql` is procrastinate's whole schema, `migrations` its migration files as
    (name, sql) in order. A database without the queue gets `schema_sql`, every
    migration recorded as in it; one with the queue gets each migration not recorded in
    queue_schema_migrations (009), in order, each in one transaction with its row. A queue
    made before 009 kept no record: the migrations up to `baseline` (the last one of the
    procrastinate it was made with) are recorded as its own. Concurrent callers wait for
    each other (an advisory lock); the second finds nothing to do. Needs migration 009.
    """
    conn.execute(query("queue_schema_lock"))
    try:
        recorded = {row[0] for row in conn.execute(query("queue_migrations_recorded"))}
        if not queue_schema_present(conn):
            with conn.transaction():
                conn.execute(schema_sql)
                _record(conn, [name for name, _ in migrations], "schema")
            return ["schema"]
        if not recorded:
            _record(conn, [name for name, _ in migrations if name <= baseline], "baseline")
            recorded = {row[0] for row in conn.execute(query("queue_migrations_recorded"))}
        applied = []
        for name, sql in migrations:
            if name in recorded:
                continue
            with conn.transaction():
                conn.execute(sql)
                _record(conn, [name], "applied")
            applied.append(name)
        return applied
    finally:
        conn.execute(query("queue_schema_unlock"))


def _record(conn: psycopg.Connection, names: list[str], how: str) -> None:
    conn.execute(query("record_queue_migrations"), {"names": names, "how": how})


def start_attempt(conn: psycopg.Connection, job_id: int, worker: str) -> int:
    """Record that `worker` ("host:pid") starts job `job_id` now; an earlier attempt still
    open is closed as 'lost' (its worker died and the job was taken over). Its id."""
    with conn.transaction():
        conn.execute(query("close_lost_attempts"), {"job_id": job_id})
        row = conn.execute(query("start_attempt"), {"job_id": job_id, "worker": worker}).fetchone()
    return int(row[0])


def finish_attempt(conn: psycopg.Connection, attempt_id: int, outcome: str, reason: str = "",
                   run_id: int | None = None) -> None:
    """Close an attempt: outcome succeeded | failed | released | skipped, a one-line reason."""
    conn.execute(query("finish_attempt"), {"id": attempt_id, "outcome": outcome,
                                          "reason": reason[:2000], "run_id": run_id})


def queue_jobs(conn: psycopg.Connection, *, failed: int = 10) -> list[dict[str, Any]] | None:
    """Running jobs, then waiting ones, then the newest `failed` failed ones: id,
    queue_name, task_name, status (doing | todo | failed), args (the job), attempts,
    scheduled_at, and the latest attempt's worker, started_at, finished_at, outcome, reason,
    run_id. None when the database has no queue yet."""
    if not queue_schema_present(conn):
        return None
    return fetch_rows(conn, "queue_jobs", {"failed": failed})


def job_attempts(conn: psycopg.Connection, job_id: int) -> list[dict[str, Any]]:
    """Every attempt of one job, oldest first (id, worker, started_at, finished_at, outcome,
    reason, run_id)."""
    return fetch_rows(conn, "job_attempts", {"job_id": job_id})


def followed_newsrooms(conn: psycopg.Connection) -> list[Newsroom]:
    """Every newsroom the site has shown the store (`known_newsrooms`: a crawled release,
    or a crawl or backfill that named it; not one that only imported records name) and
    not unfollowed (`unfollowed_newsrooms`): publishers, then offices, ascending ids."""
    return [Newsroom(kind, int(nid)) for kind, nid in conn.execute(query("followed_newsrooms")).fetchall()]


def stored_among(conn: psycopg.Connection, story_ids: Iterable[int]) -> set[int]:
    """Which of these story ids the store holds."""
    ids = sorted({int(i) for i in story_ids})
    if not ids:
        return set()
    return {int(r[0]) for r in conn.execute(query("stored_among"), {"story_ids": ids}).fetchall()}
