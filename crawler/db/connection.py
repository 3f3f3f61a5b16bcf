"""Where the database is, how to reach it, and how to talk about it without the password.

The conninfo is resolved once per process (`resolve_database_url`): the configured
DATABASE_URL as is; else libpq's own PG* variables; else the embedded server, started
on demand. Every connection of the project is opened here (`connect`, `open_pool`), and
every connection fault leaves this room as `DatabaseUnavailable` with a message that
never holds a password.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from crawler import exitcodes
from crawler.db.sql_files import query

# libpq reads these itself; any of them set means "use libpq's defaults", not embedded
PG_ENV_VARS = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD",
               "PGSERVICE", "PGSERVICEFILE", "PGPASSFILE")

# Any error of the driver: callers outside this room catch this, never psycopg's names.
Error = psycopg.Error
# Connection-level trouble worth a retry on a new connection; anything else is a bug
# (or bad data) and is raised.
RETRYABLE: tuple[type[BaseException], ...] = (
    psycopg.OperationalError,  # includes AdminShutdown, CannotConnectNow, lost connections
    psycopg.InterfaceError,
    psycopg.errors.TransactionRollback,  # deadlock / serialization: try again
    PoolTimeout,
)


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or set up. The message never holds a password.

    Commands map it to exit status 69 (`crawler.exitcodes.UNAVAILABLE`).
    """

    exit_code = exitcodes.UNAVAILABLE


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


def without_password(conninfo: str) -> tuple[str, str | None]:
    """The conninfo without its password, and the password (None when it has none): to
    hand a password to a program in its environment (PGPASSWORD), not on its command line."""
    params = psycopg.conninfo.conninfo_to_dict(conninfo)
    password = params.pop("password", None)
    return psycopg.conninfo.make_conninfo(**params), password


def scrub(message: object, conninfo: str = "") -> str:
    """An error message safe to log: conninfo passwords redacted, the literal password too."""
    text = redact(str(message))
    secret = password_of(conninfo) if conninfo else None
    if secret:
        text = text.replace(secret, "***")
    return text


def describe(conninfo: str) -> str:
    """Human description of a conninfo for messages, without the password."""
    return redact(conninfo) if conninfo else "libpq defaults (PG* environment variables)"


def first_line(exc: BaseException, conninfo: str = "") -> str:
    """The first line of a driver error, scrubbed: enough for a log line or crawl_errors."""
    text = scrub(exc, conninfo).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# --- where the database is ------------------------------------------------------------------------

_resolved: dict[str, str] = {}
_resolve_lock = threading.Lock()


def resolve_database_url(configured: Any = None) -> str:
    """The conninfo to use, resolved once per process.

    `configured` is the Scrapy settings (`crawler.settings`; any mapping), or just the
    DATABASE_URL setting as a string, or None. DATABASE_URL non-empty: used as is. Empty
    and any standard PG* variable set: ``""`` (libpq reads PGHOST, PGUSER, ... itself).
    Neither: the embedded server is started on demand (a few seconds the first time) and
    its URL returned; with settings, `embedded_settings` says where it lives and which
    database. Raises `DatabaseUnavailable` when the embedded server cannot be had.
    """
    settings = configured if configured is not None and not isinstance(configured, str) else {}
    if settings:
        configured = settings.get("DATABASE_URL")
    value = (configured or "").strip()
    if value:
        return value
    if any(os.environ.get(name) for name in PG_ENV_VARS):
        return ""
    with _resolve_lock:
        if "" not in _resolved:
            _resolved[""] = embedded_url(settings)
        return _resolved[""]


def embedded_settings(settings: Any) -> dict[str, Any]:
    """The embedded server's place, port and database from the settings
    (PRESSEPORTAL_DATA_DIR, EMBEDDED_PORT, EMBEDDED_DATABASE), as keyword arguments of
    `embedded.ensure_embedded` (and `embedded_location`)."""
    settings = settings or {}
    kwargs: dict[str, Any] = {}
    if settings.get("PRESSEPORTAL_DATA_DIR"):
        kwargs["data_dir"] = os.path.join(settings.get("PRESSEPORTAL_DATA_DIR"), "postgres")
    if settings.get("EMBEDDED_PORT"):
        kwargs["port"] = int(settings.get("EMBEDDED_PORT"))
    if settings.get("EMBEDDED_DATABASE"):
        kwargs["database"] = settings.get("EMBEDDED_DATABASE")
    return kwargs


def embedded_url(settings: Any = None) -> str:
    """Start (if needed) the embedded server the settings name and return its conninfo;
    `DatabaseUnavailable` when it cannot be had."""
    # imported here: only users without a configured server need the embedded one
    from crawler.db.embedded import EmbeddedError, ensure_embedded

    try:
        return ensure_embedded(**embedded_settings(settings))
    except EmbeddedError as exc:
        raise DatabaseUnavailable(f"embedded PostgreSQL unavailable: {scrub(exc)}") from None


def connect(conninfo: str, *, autocommit: bool = True, connect_timeout: int = 10) -> psycopg.Connection:
    """A psycopg connection, or `DatabaseUnavailable` with a password-free message."""
    try:
        return psycopg.connect(conninfo, autocommit=autocommit, connect_timeout=connect_timeout)
    except psycopg.Error as exc:
        raise DatabaseUnavailable(
            f"cannot connect to PostgreSQL at {describe(conninfo)}: {first_line(exc, conninfo)}"
        ) from None


def is_alive(conn: psycopg.Connection | None) -> bool:
    """The session answers (a round trip); False for a closed or broken connection."""
    if conn is None or conn.closed:
        return False
    try:
        conn.execute(query("ping"))
        return True
    except psycopg.Error:
        return False


async def open_pool(conninfo: str, *, max_size: int, timeout: float, name: str) -> AsyncConnectionPool:
    """An open asyncio pool of autocommit connections (checked before each use).

    Raises `DatabaseUnavailable` when no connection can be made within `timeout` seconds.
    """
    pool = AsyncConnectionPool(
        conninfo,
        min_size=1,
        max_size=max_size,
        open=False,
        timeout=timeout,
        check=AsyncConnectionPool.check_connection,
        kwargs={"connect_timeout": int(timeout), "autocommit": True},
        name=name,
    )
    try:
        await pool.open(wait=True, timeout=timeout)
    except RETRYABLE as exc:
        with contextlib.suppress(Exception):
            await pool.close(timeout=1)
        raise DatabaseUnavailable(
            f"cannot use PostgreSQL at {describe(conninfo)}: {scrub(exc, conninfo)}"
        ) from None
    return pool
