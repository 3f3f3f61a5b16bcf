"""The schema: migrations applied in order, once per database, once per process.

Each migration file (`crawler/db/sql/NNN_*.sql`) runs in its own transaction together
with its `schema_migrations` row, so a failure leaves the schema at the last complete
version. Concurrent callers serialise on an advisory lock (namespace 28785, outside the
run locks' 28784); the second one then finds nothing to do.

Only commands that write migrate (`ensure_schema`); `status`, `search` and `export`
read `schema_status` and never change the schema.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import psycopg

from crawler.db.connection import DatabaseUnavailable, connect, scrub
from crawler.db.sql_files import migrations, query


@dataclass(frozen=True)
class SchemaStatus:
    applied: tuple[str, ...]  # versions recorded in schema_migrations
    pending: tuple[str, ...]  # versions this code has that the database lacks

    @property
    def empty(self) -> bool:
        """No schema at all: nothing was ever stored here."""
        return not self.applied

    @property
    def current(self) -> bool:
        return not self.pending


def migrate(target: str | psycopg.Connection) -> list[str]:
    """Apply pending migrations in order; return the versions applied now ([] when none).

    `target` is a conninfo (a connection is opened and closed) or an open connection
    (left in the autocommit mode it had). Raises `DatabaseUnavailable` when the server
    goes away meanwhile.
    """
    own = isinstance(target, str)
    conn = connect(target) if own else target
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
                for version, sql in migrations():
                    if version in done:
                        continue
                    with conn.transaction():
                        conn.execute(sql)
                        conn.execute(query("record_migration"), {"version": version})
                    applied_now.append(version)
            finally:
                conn.execute(query("migration_unlock"))
        finally:
            conn.autocommit = was_autocommit
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(f"migration failed: {scrub(exc, target if own else '')}") from None
    finally:
        if own:
            conn.close()
    return applied_now


_ensured: set[str] = set()
_ensure_lock = threading.Lock()


def ensure_schema(conninfo: str) -> list[str]:
    """`migrate` once per process for this conninfo: the CLI, the run lock and the store
    all ask, the first one migrates. Returns the versions applied by this call."""
    with _ensure_lock:
        if conninfo in _ensured:
            return []
        applied = migrate(conninfo)
        _ensured.add(conninfo)
        return applied


def schema_status(conn: psycopg.Connection) -> SchemaStatus:
    """Which migrations the database has and lacks, without changing anything."""
    exists = conn.execute(query("schema_migrations_exists")).fetchone()[0]
    applied = tuple(row[0] for row in conn.execute(query("applied_migrations"))) if exists else ()
    known = [version for version, _ in migrations()]
    return SchemaStatus(applied, tuple(v for v in known if v not in applied))
