"""The SQL files of the project, read as package resources (works from a wheel or an egg).

- schema migrations: ``crawler/db/sql/NNN_name.sql``, applied in order by
  `crawler.db.migrations.migrate`;
- named queries: ``crawler/db/sql/queries/*.sql``, blocks that open with
  ``-- name: <name>``, read with `query(name)`.
"""

from __future__ import annotations

import functools
import re
from importlib.resources import files
from importlib.resources.abc import Traversable

_NAME_LINE = re.compile(r"^--\s*name:\s*(\S+)\s*$", re.M)
_MIGRATION = re.compile(r"^\d{3}_\w+\.sql$")


def _sql_dir() -> Traversable:
    return files("crawler.db") / "sql"


@functools.cache
def _queries() -> dict[str, str]:
    found: dict[str, str] = {}
    folder = _sql_dir() / "queries"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".sql"):
            continue
        text = entry.read_text(encoding="utf-8")
        marks = list(_NAME_LINE.finditer(text))
        for i, mark in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
            name = mark.group(1)
            if name in found:
                raise ValueError(f"query {name!r} defined twice (second in {entry.name})")
            found[name] = text[mark.end():end].strip()
    return found


def query(name: str) -> str:
    """The SQL of a named query from crawler/db/sql/queries/*.sql; KeyError when unknown."""
    try:
        return _queries()[name]
    except KeyError:
        raise KeyError(f"no query named {name!r} in crawler/db/sql/queries") from None


def query_names() -> list[str]:
    return sorted(_queries())


def migrations() -> list[tuple[str, str]]:
    """(version, SQL) of every schema migration, in order; version is the file stem."""
    entries = [e for e in _sql_dir().iterdir() if _MIGRATION.match(e.name)]
    return [(e.name[:-4], e.read_text(encoding="utf-8")) for e in sorted(entries, key=lambda e: e.name)]


def migration_versions() -> list[str]:
    """The versions of every schema migration, in order (file stems: 001_init, ...)."""
    return [version for version, _ in migrations()]
