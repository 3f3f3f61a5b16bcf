"""What the commands share: project settings, the store for reading, usage errors, output."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from datetime import date
from typing import Any

from crawler import db
from crawler.spiders.presseportal import parse_day, parse_publishers


class UsageError(Exception):
    """A command was called wrong: exit status 2 with the command's usage."""


def since_and_publishers(args) -> tuple[date | None, list[int] | None]:
    """The `--since` day and `--publisher` ids of a command that reads the store (None when
    not given); a malformed one is a usage error."""
    try:
        since = parse_day(args.since, "since")
        return since, parse_publishers(args.publisher) if args.publisher else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def project_settings(overrides: dict[str, Any] | None = None):
    """Scrapy's project settings (crawler/settings.py, which reads the environment), with
    `overrides` at command-line priority."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    # imported here: Scrapy's settings machinery is not needed by `--help`
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def database_url(settings=None) -> str:
    """The store's conninfo (resolved once per process; the embedded server when none is
    configured). Raises `db.DatabaseUnavailable`."""
    settings = settings or project_settings()
    return db.resolve_database_url(settings.get("DATABASE_URL"))


class SchemaBehind(db.DatabaseUnavailable):
    """The database's schema is older than this code: reading it would fail."""


@contextlib.contextmanager
def reading_store() -> Iterator[Any]:
    """A connection for a command that only reads, or None for an empty store (no schema
    yet: nothing was ever stored). Never migrates; a schema older than the code raises
    `SchemaBehind` (exit status 69) naming the command that brings it up to date."""
    url = database_url()
    with db.connect(url) as conn:
        status = db.schema_status(conn)
        if status.empty:
            yield None
            return
        if not status.current:
            raise SchemaBehind(
                f"the database at {db.describe(url)} lacks migrations {', '.join(status.pending)}: "
                "run `presseportal db upgrade` (or any crawl) first"
            )
        yield conn


def fmt_time(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M %Z") if value is not None else "-"


def err(message: str) -> None:
    """One line for people on stderr, prefixed with the command's name."""
    print(f"presseportal: {message}", file=sys.stderr)
