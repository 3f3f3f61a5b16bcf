"""Releases in PostgreSQL: rows of a batch, and one transaction that writes a batch.

`prepare_batch` is pure (it runs in a worker thread): from release dicts to what the
statements bind. `write_batch` writes one prepared batch in one transaction:

- new newsrooms inserted (`insert_publisher`, `touch_publisher`; a newsroom is (kind, id):
  a publisher's or an office's);
- per group of unique story ids: `adopt_imports` (an import stored under a derived id
  takes the real id of its crawled page: same newsroom, title and day), then ONE
  set-based `upsert_releases` statement (the group sent as one JSON document) that tells
  *new* / *changed* / *unchanged* / *upgraded* / *kept*, keeps the previous content in
  `release_revisions` when the content changed, and leaves an unchanged row (and its
  `changed_at`) alone except for `last_seen_at`. A page wins over an import: a page
  that says everything an import said *upgrades* it (no revision, not a change), an
  import that contradicts a stored page is *kept* as a revision only (see store.sql);
- the raw pages to `release_pages` (zstd, level 1) where their HTML changed;
- the counts added to the run's `crawl_runs` row.

NUL policy: PostgreSQL ``text`` and ``jsonb`` cannot hold U+0000. `strip_nul` removes it
from every string (also inside keywords, images, links) before hashing and writing; all
other characters (quotes, backslashes, SQL-looking text, the two characters ``\\0``) are
stored verbatim: every value travels as a bound parameter.

``content_hash`` is sha256 over the content fields (`crawler.items.CONTENT_FIELDS`, as
canonical JSON; ``published_at`` in UTC): not url, publisher name, fetched_at,
http_status, raw_html or field_sources, so a re-fetch of the same text is "unchanged".
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, date, datetime
from typing import Any

import psycopg
import zstandard
from psycopg.types.json import Jsonb

from crawler.db.connection import DatabaseUnavailable, describe, scrub
from crawler.db.newsrooms import scope
from crawler.db.sql_files import query
from crawler.items import CONTENT_FIELDS, PUBLISHER, Newsroom, iso

# How raw pages are kept (release_pages.compression names it per row). zstd level 1:
# about 0.05 ms for a 20 kB page against zlib level 3's 0.2 ms, at about the same size
# (issue 16). Rows written by older versions say 'zlib' and stay readable.
PAGE_COMPRESSION = "zstd"
ZSTD_LEVEL = 1

# The content fields an import and a crawled page must agree on for the page to upgrade
# the import (or the import to add nothing to the page). The date is compared within
# the import's precision instead; published_raw and published_ambiguous follow from it;
# a dump seldom says the language ("de" by default), so the page's wins without a
# revision.
COMPARED_FIELDS: list[str] = [
    f for f in CONTENT_FIELDS
    if f not in ("published_at", "published_raw", "published_ambiguous", "language")
]
# the outcomes upsert_releases tells; a run's row counts upgraded and kept as unchanged:
# the release's content did not change
OUTCOMES = ("new", "changed", "unchanged", "upgraded", "kept")


# --- preparing rows (pure; runs in a worker thread per batch) ------------------------------


def strip_nul(value: Any) -> Any:
    """Remove U+0000 from every string in value (str, list, dict), recursively."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, list | tuple):
        return [strip_nul(v) for v in value]
    if isinstance(value, dict):
        return {strip_nul(k): strip_nul(v) for k, v in value.items()}
    return value


def _aware_utc(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # the normaliser gives aware instants; naive is read as UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def as_dict(item: Any) -> dict[str, Any]:
    if is_dataclass(item):
        return {f.name: getattr(item, f.name) for f in fields(item)}
    # imported here: itemadapter imports Scrapy, which a cron run answered before Scrapy
    # starts (crawler/precheck.py) never loads; every release of ours is a dataclass
    from itemadapter import ItemAdapter

    return dict(ItemAdapter(item).items())


def content_of(record: dict[str, Any]) -> dict[str, Any]:
    """The normalised content fields of a record (NULs stripped, instant in UTC)."""
    out: dict[str, Any] = {}
    for name in CONTENT_FIELDS:
        value = record.get(name)
        if name == "published_at":
            value = _aware_utc(value)
        elif name == "publisher_id":
            value = int(value)
        elif name == "published_ambiguous":
            value = bool(value)
        elif name in ("keywords", "places", "images", "links"):
            value = strip_nul(list(value or []))
        else:
            value = strip_nul(value if value is not None else "")
        out[name] = value
    if not out["language"]:
        out["language"] = "de"
    return out


def content_hash(content: dict[str, Any]) -> str:
    """sha256 hex of the content fields as canonical JSON."""
    canon = dict(content)
    if canon.get("published_at") is not None:
        canon["published_at"] = canon["published_at"].isoformat()
    blob = json.dumps(canon, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def release_row(record: dict[str, Any], seen_at: datetime) -> dict[str, Any]:
    """One release as a JSON-ready row of upsert_releases (instants as ISO 8601 with offset)."""
    content = content_of(record)
    row = dict(content)
    row["content_hash"] = content_hash(content)
    row["story_id"] = int(record["story_id"])
    row["newsroom_kind"] = record.get("newsroom_kind") or PUBLISHER
    row["office_code"] = strip_nul(record.get("office_code") or "")
    row["url"] = strip_nul(record.get("url") or "")
    row["published_at"] = iso(content["published_at"])
    row["published_precision"] = record.get("published_precision", "minute" if content["published_at"] else "")
    row["origin"] = record.get("origin") or "page"
    # where an import read it ("dump.txt:17"), to find the record again; '' for a page.
    # "location": its key in a spill file written before Release carried imported_from
    where = record.get("imported_from") or record.get("location") or ""
    row["imported_from"] = strip_nul(where) if row["origin"] == "import" else ""
    row["story_id_derived"] = bool(record.get("story_id_derived"))
    row["fetched_at"] = iso(_aware_utc(record.get("fetched_at")))
    row["seen_at"] = seen_at.isoformat()
    return row


def release_params(record: dict[str, Any], seen_at: datetime) -> dict[str, Any]:
    """Bound parameters for a single-row INSERT (insert_release_plain: the benchmark baseline)."""
    row = release_row(record, seen_at)
    row["published_at"] = _aware_utc(row["published_at"])
    row["fetched_at"] = _aware_utc(row["fetched_at"])
    row["seen_at"] = seen_at
    row["images"] = Jsonb(row["images"])
    row["links"] = Jsonb(row["links"])
    return row


def page_row(record: dict[str, Any], compressor: zstandard.ZstdCompressor) -> dict[str, Any] | None:
    """The release_pages row of a record's raw page (`compressor`: one per batch, a
    zstandard compressor is not shared between threads); None without a page."""
    html = record.get("raw_html") or ""
    if not html:
        return None
    raw = html.encode("utf-8", errors="surrogatepass") if isinstance(html, str) else bytes(html)
    return {
        "story_id": int(record["story_id"]),
        "url": strip_nul(record.get("url") or ""),
        "fetched_at": _aware_utc(record.get("fetched_at")),
        "http_status": int(record.get("http_status") or 200),
        "html_sha256": hashlib.sha256(raw).hexdigest(),
        "html_size": len(raw),
        "html": compressor.compress(raw),
    }


PAGE_COLUMNS = ("story_id", "url", "fetched_at", "http_status", "html_sha256", "html_size", "html")


def split_unique(records: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Split records into consecutive groups without a repeated story_id, order kept.

    A set-based upsert cannot touch one row twice; a story seen twice in a batch (rare)
    is written by a second statement, so its second version is a proper change.
    """
    groups: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    seen: set[int] = set()
    for record in records:
        sid = int(record["story_id"])
        if sid in seen:
            groups.append(current)
            current, seen = [], set()
        current.append(record)
        seen.add(sid)
    if current:
        groups.append(current)
    return groups


def adoption_key(row: dict[str, Any]) -> dict[str, Any] | None:
    """What adopt_imports needs of a crawled row to find an import of the same release
    stored under a derived id (newsroom, title, instant); None for other rows."""
    if row["origin"] != "page" or row["story_id_derived"] or not row["title"] or not row["published_at"]:
        return None
    return {k: row[k] for k in ("story_id", "publisher_id", "newsroom_kind", "title", "published_at")}


def prepare_batch(records: list[dict[str, Any]], *, store_pages: bool = True) -> dict[str, Any]:
    """Everything one batch transaction binds: publishers, then per group of unique
    story_ids the releases as one JSON document (and the crawled ones' adoption keys as
    a small one) and the pages as arrays."""
    seen_at = datetime.now(UTC)
    publishers: dict[tuple[str, int], str] = {}  # (kind, id) -> name
    groups = []
    compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL)
    for group in split_unique(records):
        rows, pages = [], []
        for record in group:
            newsroom = (record.get("newsroom_kind") or PUBLISHER, int(record["publisher_id"]))
            name = strip_nul(record.get("publisher") or "")
            if name or newsroom not in publishers:
                publishers[newsroom] = name
            rows.append(release_row(record, seen_at))
            if store_pages and (page := page_row(record, compressor)) is not None:
                pages.append(page)
        keys = [key for row in rows if (key := adoption_key(row)) is not None]
        groups.append({
            "story_ids": [r["story_id"] for r in rows],
            "batch": json.dumps(rows, ensure_ascii=False, separators=(",", ":")),
            "keys": json.dumps(keys, ensure_ascii=False, separators=(",", ":")) if keys else None,
            "pages": ({c: [p[c] for p in pages] for c in PAGE_COLUMNS} | {"compression": PAGE_COMPRESSION}
                      if pages else None),
            "page_count": len(pages),
        })
    return {
        "publishers": [
            {"kind": kind, "id": pid, "name": name, "seen_at": seen_at}
            for (kind, pid), name in sorted(publishers.items())
        ],
        "groups": groups,
        "seen_at": seen_at,
    }


def decompress_page(html: bytes, compression: str) -> str:
    """The text of a release_pages.html value stored with `compression` (its column:
    'zstd' today, 'zlib' in rows of older versions); ValueError for a compression this
    code does not know."""
    if compression == "zstd":
        raw = zstandard.ZstdDecompressor().decompress(html)
    elif compression == "zlib":
        raw = zlib.decompress(html)
    else:
        raise ValueError(f"release_pages.compression {compression!r} is unknown to this version")
    return raw.decode("utf-8", errors="surrogatepass")


@dataclass(frozen=True)
class StoredPage:
    """A raw page kept in release_pages, decompressed, with its release's published_raw."""

    story_id: int
    url: str
    fetched_at: datetime | None
    http_status: int
    html: str
    published_raw: str


async def stored_pages(conninfo: str, *, newsrooms: Iterable[Newsroom] | None = None,
                       since: date | None = None, batch: int = 100) -> AsyncIterator[StoredPage]:
    """Every kept raw page of these newsrooms (None or empty: all) whose release was published
    on or after the Berlin day `since` (None: any), in story_id order, read in keyset
    pages of `batch` rows on one connection: no long transaction, memory flat.
    Raises `DatabaseUnavailable` when the server cannot be reached."""
    try:
        conn = await psycopg.AsyncConnection.connect(conninfo, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        raise DatabaseUnavailable(f"cannot connect to PostgreSQL at {describe(conninfo)}: "
                                  f"{scrub(exc, conninfo)}") from None
    params: dict[str, Any] = {
        **scope(newsrooms),
        "since": since, "limit": batch, "after": -(2**31),
    }
    async with conn:
        while True:
            cursor = await conn.execute(query("stored_pages"), params)
            rows = await cursor.fetchall()
            for story_id, url, fetched_at, http_status, compression, html, published_raw in rows:
                yield StoredPage(story_id, url, fetched_at, http_status,
                                 decompress_page(html, compression), published_raw)
            if len(rows) < batch:
                return
            params["after"] = rows[-1][0]


# --- writing one batch ----------------------------------------------------------------------------


async def write_batch(
    conn: psycopg.AsyncConnection, prepared: dict[str, Any], run_id: int | None = None
) -> Counter:
    """Write a prepared batch in one transaction; return Counter(new=, changed=,
    unchanged=, upgraded=, kept=, adopted=, stale=, pages=). `unchanged` includes
    `upgraded` and `kept` (the release's content did not change); they are counted apart
    as well. `stale`: fetched earlier than the stored row, left alone (a replayed spill
    file older than a later crawl)."""
    counts: Counter = Counter()
    async with conn.transaction():
        async with conn.cursor() as cur:
            if prepared["publishers"]:
                await cur.executemany(query("insert_publisher"), prepared["publishers"])
                await cur.executemany(query("touch_publisher"), prepared["publishers"])
            for group in prepared["groups"]:
                if group["keys"]:
                    await cur.execute(query("adopt_imports"), {"keys": group["keys"]})
                    counts["adopted"] += len(await cur.fetchall())
                await cur.execute(query("upsert_releases"),
                                  {"batch": group["batch"], "compared": COMPARED_FIELDS})
                unchanged: list[int] = []
                for story_id, outcome in await cur.fetchall():
                    counts[outcome] += 1
                    if outcome in ("upgraded", "kept"):
                        counts["unchanged"] += 1
                    elif outcome == "unchanged":
                        unchanged.append(story_id)
                if unchanged:
                    await cur.execute(
                        query("touch_unchanged"),
                        {"story_ids": unchanged, "seen_at": prepared["seen_at"]},
                    )
                if group["pages"]:
                    await cur.execute(query("upsert_pages"), group["pages"])
                    counts["pages"] += group["page_count"]
            if run_id is not None:
                await cur.execute(
                    query("add_run_counts"),
                    {
                        "run_id": run_id,
                        "pages": 0,  # pages fetched are the crawler's to count (finish_run)
                        "new": counts["new"],
                        "changed": counts["changed"],
                        "unchanged": counts["unchanged"],
                        "errors": 0,
                    },
                )
    return counts


def insert_release_plain(conn: psycopg.Connection, record: dict[str, Any]) -> None:
    """One INSERT and one commit for one release (the benchmark's per-item baseline:
    how news-please stores into PostgreSQL). The publisher must exist."""
    conn.execute(query("insert_release_plain"), release_params(record, datetime.now(UTC)))
    conn.commit()


COPY_COLUMNS = ("story_id", "publisher_id", "url", "title", "published_at", "published_raw",
                "published_ambiguous", "dateline", "teaser", "body", "about", "contact", "originator",
                "keywords", "places", "images", "links", "language", "content_hash", "seen_at", "seen_at",
                "seen_at", "fetched_at")


def copy_releases_plain(conn: psycopg.Connection, records: Iterable[dict[str, Any]]) -> None:
    """All `records` by one plain COPY, committed once (the benchmark's floor for the
    batched store: the database's own speed into the same table). New story ids only;
    the publishers must exist."""
    seen_at = datetime.now(UTC)
    with conn.cursor() as cur, cur.copy(query("copy_releases_plain")) as copy:
        for record in records:
            row = release_params(record, seen_at)
            copy.write_row([row[c] for c in COPY_COLUMNS])
    conn.commit()


def insert_publisher(conn: psycopg.Connection, publisher_id: int, name: str, kind: str = PUBLISHER) -> None:
    """A newsroom's row (a publisher's, or with kind "office" an office's), when new."""
    conn.execute(query("insert_publisher"),
                 {"kind": kind, "id": publisher_id, "name": name, "seen_at": datetime.now(UTC)})
