"""One declaration of a release's fields (crawler.items.FIELDS), and everything that
lists them held to it: the record types, the store's SQL, the releases table."""

from __future__ import annotations

import dataclasses
import re

import psycopg

from crawler.db import query
from crawler.items import (
    CONTENT_FIELDS,
    EXPORT_FIELDS,
    FIELDS,
    RELEASE_COLUMNS,
    STORED_EXPORT_FIELDS,
    WATCHED_FIELDS,
    Release,
)

# what the store adds to a release's own columns
BOOKKEEPING = {"content_hash", "first_seen_at", "last_seen_at", "changed_at", "search"}


def names_in(sql: str, opening: str) -> list[str]:
    """The comma-separated names in the parenthesis that follows `opening` in `sql`."""
    start = sql.index(opening) + len(opening)
    depth, i = 1, start
    while depth:
        depth += {"(": 1, ")": -1}.get(sql[i], 0)
        i += 1
    inner = re.sub(r"--[^\n]*", "", sql[start:i - 1])
    return [part.split()[0] for part in inner.split(",") if part.strip()]


def test_every_declared_field_is_a_field_of_the_clean_release():
    release_fields = [f.name for f in dataclasses.fields(Release)]
    assert {f.name for f in FIELDS} <= set(release_fields)
    undeclared = set(release_fields) - {f.name for f in FIELDS} - {"http_status", "field_sources", "raw_html"}
    assert not undeclared, f"Release fields missing from crawler.items.FIELDS: {sorted(undeclared)}"


def test_derived_lists_follow_the_declaration():
    assert EXPORT_FIELDS == [f.name for f in FIELDS if f.export]
    assert set(WATCHED_FIELDS) <= set(EXPORT_FIELDS)
    assert set(CONTENT_FIELDS) <= set(RELEASE_COLUMNS)
    assert "fetched_at" not in STORED_EXPORT_FIELDS and "story_id" not in CONTENT_FIELDS


def test_the_upsert_binds_and_writes_exactly_the_declared_columns():
    sql = query("upsert_releases")
    bound = names_in(sql, "AS x(")
    inserted = names_in(sql, "INSERT INTO releases AS r (")
    extra = {"content_hash", "seen_at"}
    assert set(bound) == set(RELEASE_COLUMNS) | extra, (
        "the JSON recordset of upsert_releases (crawler/db/sql/queries/store.sql) must list "
        f"exactly RELEASE_COLUMNS + {sorted(extra)}: differs by {sorted(set(bound) ^ (set(RELEASE_COLUMNS) | extra))}")
    assert set(inserted) - BOOKKEEPING == set(RELEASE_COLUMNS), (
        f"upsert_releases writes other columns than RELEASE_COLUMNS: "
        f"{sorted((set(inserted) - BOOKKEEPING) ^ set(RELEASE_COLUMNS))}")
    updated = set(re.findall(r"^\s+(\w+) = excluded\.\1", sql, re.M))
    not_updated = set(RELEASE_COLUMNS) - {"story_id"} - updated
    assert not not_updated, f"a changed release must update every column: {sorted(not_updated)}"


def test_the_export_query_reads_the_stored_export_fields():
    sql = query("export")
    selected = [part.strip().split()[-1].split(".")[-1]
                for part in sql[sql.index("SELECT") + 6:sql.index("FROM")].split(",")]
    assert selected == STORED_EXPORT_FIELDS


def test_the_releases_table_has_a_column_for_every_declared_field(database_url):
    with psycopg.connect(database_url) as conn:
        columns = {r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'releases'")}
    missing = set(RELEASE_COLUMNS) - columns
    assert not missing, f"declared store columns the schema lacks (add a migration): {sorted(missing)}"
    unknown = columns - set(RELEASE_COLUMNS) - BOOKKEEPING
    assert not unknown, f"releases columns no field declares (crawler.items.FIELDS): {sorted(unknown)}"
