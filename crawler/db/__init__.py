"""Where the database is, how its schema gets there, and the small helpers the CLI needs.

All SQL lives in files: schema migrations in ``crawler/db/sql/NNN_*.sql`` (applied in
order, each in its own transaction, recorded in ``schema_migrations``), named queries in
``crawler/db/sql/queries/*.sql`` (blocks starting with ``-- name: <name>``, read by
`query(name)`).

Publisher locks (cron and backfill never overlap on a publisher) are session-level
PostgreSQL advisory locks in namespace ``LOCK_NAMESPACE = 28784`` (0x7070, "pp"), using
the two-int form ``pg_try_advisory_lock(28784, publisher_id)``:

- a run over *all* publishers takes ``(28784, 0)`` exclusively;
- a run over some publishers takes ``(28784, 0)`` shared plus ``(28784, id)`` exclusively
  for each id, in ascending order (no deadlock), all or nothing.

So two runs conflict exactly when they share a publisher or one of them is an
all-publishers run. `migrate` serialises on ``(28785, 1)``, outside that namespace.
Locks live as long as the session: keep the connection that took them open for the whole run, and call `start_run`
on that same connection so that `current_lock_holder` can name the run.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import socket
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

SQL_DIR = Path(__file__).with_name("sql")
QUERY_DIR = SQL_DIR / "queries"
LOCK_NAMESPACE = 28784
# libpq reads these itself; any of them set means "use libpq's defaults", not embedded
PG_ENV_VARS = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD",
               "PGSERVICE", "PGSERVICEFILE", "PGPASSFILE")
SNIPPET_MAX = 2000


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or set up. The message never holds a password.

    The CLI maps it to exit status 69 (EX_UNAVAILABLE).
    """

    exit_code = 69


# --- redaction ---------------------------------------------------------------------------------

_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/?#@\s]*:)(?P<pw>[^@\s]*)(?P<at>@)", re.I)
_KV_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<pw>'(?:[^'\\]|\\.)*'|\S+)", re.I)
_QUERY_PASSWORD = re.compile(r"(?P<head>[?&]password=)(?P<pw>[^&\s#]*)", re.I)


def redact(url: str) -> str:
    """`url` (or any text holding conninfo) with every password replaced by ``***``.

    Handles URLs (``postgresql://user:secret@host``), ``?password=`` parameters and
    key/value conninfo (``password=secret`` or ``password='se cret'``).
    """
    if not url:
        return url
    text = _URL_PASSWORD.sub(r"\g<head>***\g<at>", str(url))
    text = _QUERY_PASSWORD.sub(r"\g<head>***", text)
    return _KV_PASSWORD.sub(r"\g<head>***", text)


def password_of(conninfo: str) -> str | None:
    with contextlib.suppress(Exception):
        return psycopg.conninfo.conninfo_to_dict(conninfo).get("password") or None
    return None


def scrub(message: object, conninfo: str = "") -> str:
    """An error message safe to log: conninfo passwords redacted, the literal password too."""
    text = redact(str(message))
    secret = password_of(conninfo) if conninfo else None
    if secret:
        text = text.replace(secret, "***")
    return text


# --- where the database is ------------------------------------------------------------------------


def resolve_database_url(settings_or_value: Any = None) -> str:
    """The conninfo to use.

    `settings_or_value` is a Scrapy `Settings` (its DATABASE_URL is read), a string, or
    None. Non-empty: used as is. Empty and any standard PG* variable set: ``""`` (libpq
    reads PGHOST, PGUSER, ... itself). Neither: the embedded server is started on demand
    (may take a few seconds the first time) and its URL returned.
    """
    if settings_or_value is None:
        value = ""
    elif isinstance(settings_or_value, str):
        value = settings_or_value
    else:
        value = settings_or_value.get("DATABASE_URL") or ""
    value = value.strip()
    if value:
        return value
    if any(os.environ.get(name) for name in PG_ENV_VARS):
        return ""
    from crawler.db.embedded import EmbeddedError, ensure_embedded

    try:
        return ensure_embedded()
    except EmbeddedError as exc:
        raise DatabaseUnavailable(f"embedded PostgreSQL unavailable: {scrub(exc)}") from None


def describe(conninfo: str) -> str:
    """Human description of a conninfo for messages, without the password."""
    return redact(conninfo) if conninfo else "libpq defaults (PG* environment variables)"


def connect(conninfo: str, *, autocommit: bool = True, connect_timeout: int = 10) -> psycopg.Connection:
    """A psycopg connection, or `DatabaseUnavailable` with a password-free message."""
    try:
        return psycopg.connect(conninfo, autocommit=autocommit, connect_timeout=connect_timeout)
    except psycopg.Error as exc:
        raise DatabaseUnavailable(
            f"cannot connect to PostgreSQL at {describe(conninfo)}: {scrub(exc, conninfo)}"
        ) from None


async def aconnect(conninfo: str, *, autocommit: bool = True, connect_timeout: int = 10) -> psycopg.AsyncConnection:
    try:
        return await psycopg.AsyncConnection.connect(
            conninfo, autocommit=autocommit, connect_timeout=connect_timeout
        )
    except psycopg.Error as exc:
        raise DatabaseUnavailable(
            f"cannot connect to PostgreSQL at {describe(conninfo)}: {scrub(exc, conninfo)}"
        ) from None


# --- SQL files ------------------------------------------------------------------------------------

_NAME_LINE = re.compile(r"^--\s*name:\s*(\S+)\s*$", re.M)


@functools.cache
def _queries() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(QUERY_DIR.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        marks = list(_NAME_LINE.finditer(text))
        for i, mark in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
            body = text[mark.end():end].strip()
            name = mark.group(1)
            if name in found:
                raise ValueError(f"query {name!r} defined twice (second in {path.name})")
            found[name] = body
    return found


def query(name: str) -> str:
    """The SQL of a named query from crawler/db/sql/queries/*.sql."""
    try:
        return _queries()[name]
    except KeyError:
        raise KeyError(f"no query named {name!r} in {QUERY_DIR}") from None


def migration_files() -> list[Path]:
    files = sorted(p for p in SQL_DIR.glob("*.sql") if re.match(r"^\d{3}_", p.name))
    return files


def migrate(conninfo: str | psycopg.Connection) -> list[str]:
    """Apply pending migrations in order; return the versions applied now ([] when none).

    Each file runs in its own transaction together with its schema_migrations row, so a
    failure leaves the schema at the last complete version. Concurrent callers serialise
    on an advisory lock; the second one then finds nothing to do.
    """
    own = isinstance(conninfo, str)
    conn = connect(conninfo) if own else conninfo
    applied_now: list[str] = []
    try:
        was_autocommit = conn.autocommit
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.commit()
        conn.autocommit = True
        try:
            conn.execute(query("migration_lock"))
            try:
                conn.execute(query("create_schema_migrations"))
                done = {row[0] for row in conn.execute(query("applied_migrations"))}
                for path in migration_files():
                    version = path.stem
                    if version in done:
                        continue
                    with conn.transaction():
                        conn.execute(path.read_text(encoding="utf-8"))
                        conn.execute(query("record_migration"), {"version": version})
                    applied_now.append(version)
            finally:
                conn.execute(query("migration_unlock"))
        finally:
            conn.autocommit = was_autocommit
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(f"migration failed: {scrub(exc, conninfo if own else '')}") from None
    finally:
        if own:
            conn.close()
    return applied_now


# --- runs, locks, errors (for the CLI; sync, on the CLI's own connection) -------------------------


def _commit(conn: psycopg.Connection) -> None:
    # commit our own implicit transaction, never one the caller opened with conn.transaction()
    if not conn.autocommit and not getattr(conn, "_num_transactions", 0):
        conn.commit()


def acquire_publisher_lock(conn: psycopg.Connection, publisher_ids: Iterable[int] | None) -> bool:
    """Take the run lock for these publishers (None or empty: all); False if another run holds it.

    All or nothing: on False nothing stays locked. Held until `release_publisher_lock` or
    until the session ends (a killed run frees its lock with its connection). Use an
    autocommit connection and keep it open for the whole run.
    """
    ids = sorted({int(i) for i in publisher_ids or ()})
    if not ids:
        ok = conn.execute(query("try_lock_all")).fetchone()[0]
        _commit(conn)
        return bool(ok)
    taken: list[int] = []
    if not conn.execute(query("try_lock_all_shared")).fetchone()[0]:
        _commit(conn)
        return False
    for pid in ids:
        if conn.execute(query("try_lock_publisher"), {"publisher_id": pid}).fetchone()[0]:
            taken.append(pid)
            continue
        for t in taken:
            conn.execute(query("unlock_publisher"), {"publisher_id": t})
        conn.execute(query("unlock_all_shared"))
        _commit(conn)
        return False
    _commit(conn)
    return True


def release_publisher_lock(conn: psycopg.Connection, publisher_ids: Iterable[int] | None) -> None:
    ids = sorted({int(i) for i in publisher_ids or ()})
    if not ids:
        conn.execute(query("unlock_all"))
    else:
        for pid in ids:
            conn.execute(query("unlock_publisher"), {"publisher_id": pid})
        conn.execute(query("unlock_all_shared"))
    _commit(conn)


def current_lock_holder(conn: psycopg.Connection, publisher_ids: Iterable[int] | None) -> dict | None:
    """The session holding a lock that conflicts with a run over `publisher_ids`, or None.

    Returns a dict: run_id (None if that session started no run), run_mode, publishers,
    started_at, pid (OS pid of the crawler), host, backend_pid, lock_object (0 = all).
    """
    ids = sorted({int(i) for i in publisher_ids or ()})
    params = {"all": not ids, "objids": [0, *ids]}
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        row = cur.execute(query("lock_holder"), params).fetchone()
    _commit(conn)
    return row


def start_run(conn: psycopg.Connection, mode: str, publishers: Iterable[int] | None) -> int:
    """Insert a crawl_runs row (status 'running') and return its id.

    Call it on the connection that holds the publisher lock: the row records that
    session's backend pid, which is how `current_lock_holder` names the run.
    """
    row = conn.execute(
        query("start_run"),
        {
            "mode": mode,
            "publishers": sorted({int(i) for i in publishers or ()}),
            "pid": os.getpid(),
            "host": socket.gethostname(),
        },
    ).fetchone()
    _commit(conn)
    return int(row[0])


def finish_run(conn: psycopg.Connection, run_id: int, status: str, counts: Mapping[str, Any] | None = None) -> None:
    """Close a run: finished_at = now(), status, and the counts given.

    Keys: pages, new, changed, unchanged, errors (ints), coverage ({field: ratio}). A key
    left out keeps what is stored: the store pipeline already adds new/changed/unchanged
    and the errors it records as it commits, so the CLI usually passes pages (and maybe
    coverage) only.
    """
    counts = dict(counts or {})
    coverage = counts.get("coverage")
    conn.execute(
        query("finish_run"),
        {
            "run_id": run_id,
            "status": status,
            "pages": counts.get("pages"),
            "new": counts.get("new"),
            "changed": counts.get("changed"),
            "unchanged": counts.get("unchanged"),
            "errors": counts.get("errors"),
            "coverage": Jsonb(coverage) if coverage is not None else None,
        },
    )
    _commit(conn)


def strip_nul(value: str) -> str:
    # PostgreSQL text cannot hold U+0000: the store removes it (see pipelines.store)
    return value.replace("\x00", "") if value and "\x00" in value else value


def error_params(run_id: int | None, url: str, stage: str, reason: str, snippet: str | bytes | None) -> dict:
    if isinstance(snippet, bytes):
        snippet = snippet.decode("utf-8", errors="replace")
    return {
        "run_id": run_id,
        "url": strip_nul(url or ""),
        "stage": strip_nul(stage or "unknown"),
        "reason": strip_nul(str(reason))[:SNIPPET_MAX],
        "snippet": strip_nul(snippet or "")[:SNIPPET_MAX],
    }


def record_error(
    conn: psycopg.Connection,
    run_id: int | None,
    url: str,
    stage: str,
    reason: str,
    snippet: str | bytes | None = "",
) -> None:
    """Record a failed page in crawl_errors (snippet cut to 2000 chars) and count it on the run."""
    params = error_params(run_id, url, stage, reason, snippet)
    with conn.transaction():
        conn.execute(query("record_error"), params)
        if run_id is not None:
            conn.execute(query("count_error"), {"run_id": run_id})
    _commit(conn)


def known_story_ids(conn: psycopg.Connection, publisher_ids: Iterable[int] | None) -> set[int]:
    """Story ids already stored for these publishers (None or empty: all publishers)."""
    ids = sorted({int(i) for i in publisher_ids or ()})
    if ids:
        rows = conn.execute(query("known_story_ids"), {"publisher_ids": ids}).fetchall()
    else:
        rows = conn.execute(query("known_story_ids_all")).fetchall()
    _commit(conn)
    return {int(r[0]) for r in rows}


def get_cursor(conn: psycopg.Connection, key: str) -> Any:
    """The saved state of a resumable job (crawl_cursors), or None."""
    row = conn.execute(query("get_cursor"), {"key": key}).fetchone()
    _commit(conn)
    return row[0] if row else None


def set_cursor(conn: psycopg.Connection, key: str, state: Any) -> None:
    """Save the state of a resumable job (JSON-serialisable). Commits unless inside a transaction block."""
    conn.execute(query("set_cursor"), {"key": key, "state": Jsonb(state)})
    _commit(conn)


def delete_cursor(conn: psycopg.Connection, key: str) -> None:
    conn.execute(query("delete_cursor"), {"key": key})
    _commit(conn)


def abandon_stale_runs(conn: psycopg.Connection, publisher_ids: Iterable[int]) -> list[int]:
    """Mark unfinished runs of these publishers whose session is gone as 'abandoned'.

    Call it while holding the publishers' lock: no live run of theirs can be unfinished then.
    """
    ids = sorted({int(i) for i in publisher_ids or ()})
    rows = conn.execute(query("abandon_stale_runs"), {"publishers": ids}).fetchall()
    _commit(conn)
    return [int(r[0]) for r in rows]


def reattach_run(conn: psycopg.Connection, run_id: int) -> None:
    """Record that this session (after a reconnect) now holds the run's lock."""
    conn.execute(query("reattach_run"), {"run_id": run_id})
    _commit(conn)
