"""StorePipeline (800): batched, idempotent, versioned upserts of releases into PostgreSQL.

What it does with each `Release`:

- buffers it; a batch is written when STORE_BATCH_SIZE items wait, every
  STORE_FLUSH_SECONDS, and on close, by up to STORE_WRITERS concurrent writers (each on
  its own pooled connection) — one transaction per batch: new publishers inserted, then
  one set-based ``upsert_releases`` statement for the whole batch (sent as one JSON
  document; crawler/db/sql/queries/store.sql) that tells *new* / *changed* /
  *unchanged*, keeps the previous content in ``release_revisions`` when the content
  hash changed, and leaves an unchanged row (and its ``changed_at``) alone except for
  ``last_seen_at``; the raw page goes to ``release_pages`` (zlib) when its HTML
  changed; the counts go to the run's ``crawl_runs`` row in the same transaction.
- never drops it: when the server goes away the batch is retried on a fresh connection
  with exponential backoff (0.5 s doubling, at most 30 s apart) for up to
  STORE_RETRY_MAX_SECONDS. While more than (STORE_WRITERS + 2) batches' worth of items
  are pending, ``process_item`` waits, so the crawl slows down instead of piling items
  up in memory. If the budget runs out the spider is closed with reason
  ``database_unavailable``; close tries once more (a fresh budget), and whatever still
  cannot be written is kept in a JSONL spill file (its path is logged) rather than
  lost. Retried batches are exact because the upsert is idempotent (at-least-once).
  A story in two in-flight batches is written in order, so the newest version wins.

NUL policy: PostgreSQL ``text`` and ``jsonb`` cannot hold U+0000. The store removes it
from every string (also inside keywords, images, links) before hashing and writing; all
other characters (quotes, backslashes, SQL-looking text, the two characters ``\\0``) are
stored verbatim — every value travels as a bound parameter.

``content_hash`` is sha256 over the normalised content fields (`CONTENT_FIELDS`, as
canonical JSON; ``published_at`` in UTC) — not url, publisher name, fetched_at,
http_status, raw_html or field_sources, so a re-fetch of the same text is "unchanged".

The run: the pipeline adds new / changed / unchanged to the ``crawl_runs`` row of the
run in each batch transaction. The run id is setting PRESSEPORTAL_RUN_ID (the CLI sets
it after `db.start_run`), else stat ``presseportal/run_id`` (set by
crawler.extensions.CrawlRunRecorder, which also starts/finishes the row and records
failed pages with `crawler.db.record_error`); with neither, only stats are kept.

If the database is unreachable at open, the crawl stops before fetching anything: the
pipeline logs the reason (never the password), sets stat ``store/error``, and raises
``CloseSpider("database_unavailable")``, which becomes the ``finish_reason``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
import zlib
from collections import Counter
from dataclasses import fields, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from itemadapter import ItemAdapter
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from scrapy.exceptions import CloseSpider, NotConfigured

from crawler.items import CONTENT_FIELDS
from crawler import db

logger = logging.getLogger(__name__)


# Connection-level trouble worth a retry on a new connection; anything else is a bug
# (or bad data) and is raised.
RETRYABLE = (
    psycopg.OperationalError,  # includes AdminShutdown, CannotConnectNow, lost connections
    psycopg.InterfaceError,
    psycopg.errors.TransactionRollback,  # deadlock / serialization: try again
    PoolTimeout,
)
BACKOFF_FIRST = 0.5
BACKOFF_CAP = 30.0
ZLIB_LEVEL = 3  # ~0.15 ms for a 20 kB page, 26% of its size (6: 0.25 ms, 24%)


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
    row["url"] = strip_nul(record.get("url") or "")
    row["published_at"] = _iso(content["published_at"])
    row["fetched_at"] = _iso(_aware_utc(record.get("fetched_at")))
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


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def page_row(record: dict[str, Any]) -> dict[str, Any] | None:
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
        "html": zlib.compress(raw, ZLIB_LEVEL),
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


def prepare_batch(records: list[dict[str, Any]], *, store_pages: bool = True) -> dict[str, Any]:
    """Everything one batch transaction binds: publishers, then per group of unique
    story_ids the releases as one JSON document and the pages as arrays."""
    seen_at = datetime.now(UTC)
    publishers: dict[int, str] = {}
    groups = []
    for group in split_unique(records):
        rows, pages = [], []
        for record in group:
            pid = int(record["publisher_id"])
            name = strip_nul(record.get("publisher") or "")
            if name or pid not in publishers:
                publishers[pid] = name
            rows.append(release_row(record, seen_at))
            if store_pages and (page := page_row(record)) is not None:
                pages.append(page)
        groups.append({
            "story_ids": [r["story_id"] for r in rows],
            "batch": json.dumps(rows, ensure_ascii=False, separators=(",", ":")),
            "pages": {c: [p[c] for p in pages] for c in PAGE_COLUMNS} if pages else None,
            "page_count": len(pages),
        })
    return {
        "publishers": [
            {"id": pid, "name": name, "seen_at": seen_at} for pid, name in sorted(publishers.items())
        ],
        "groups": groups,
        "seen_at": seen_at,
    }


def decompress_page(html: bytes) -> str:
    """The text of a release_pages.html value."""
    return zlib.decompress(html).decode("utf-8", errors="surrogatepass")


# --- writing one batch ----------------------------------------------------------------------------


async def write_batch(
    conn: psycopg.AsyncConnection, prepared: dict[str, Any], run_id: int | None = None
) -> Counter:
    """Write a prepared batch in one transaction; return Counter(new=, changed=, unchanged=, pages=)."""
    counts: Counter = Counter()
    async with conn.transaction():
        async with conn.cursor() as cur:
            if prepared["publishers"]:
                await cur.executemany(db.query("insert_publisher"), prepared["publishers"])
                await cur.executemany(db.query("touch_publisher"), prepared["publishers"])
            for group in prepared["groups"]:
                await cur.execute(db.query("upsert_releases"), {"batch": group["batch"]})
                unchanged: list[int] = []
                for story_id, outcome in await cur.fetchall():
                    counts[outcome] += 1
                    if outcome == "unchanged":
                        unchanged.append(story_id)
                if unchanged:
                    await cur.execute(
                        db.query("touch_unchanged"),
                        {"story_ids": unchanged, "seen_at": prepared["seen_at"]},
                    )
                if group["pages"]:
                    await cur.execute(db.query("upsert_pages"), group["pages"])
                    counts["pages"] += group["page_count"]
            if run_id is not None:
                await cur.execute(
                    db.query("add_run_counts"),
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


# --- the pipeline -----------------------------------------------------------------------------------


class StorePipeline:
    """Buffer items, write batches with up to STORE_WRITERS concurrent writers.

    An item is in exactly one place until its batch commits: the buffer, a writer's
    in-flight batch, or (after the retry budget ran out) the unwritten list that close
    retries once more and then spills to disk. Two in-flight batches that share a story
    are written in order (the later waits), so the newest version wins.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        s = crawler.settings
        self.batch_size = max(1, s.getint("STORE_BATCH_SIZE", 200))
        self.flush_seconds = s.getfloat("STORE_FLUSH_SECONDS", 2.0)
        self.pool_max = max(1, s.getint("STORE_POOL_MAX", 4))
        self.writers = max(1, min(self.pool_max, s.getint("STORE_WRITERS", 2)))
        # process_item waits while this many items are buffered or in flight
        self.high_water = self.batch_size * (self.writers + 2)
        self.retry_max = s.getfloat("STORE_RETRY_MAX_SECONDS", 120)
        self.connect_timeout = s.getint("STORE_CONNECT_TIMEOUT", 10)
        self.store_pages = s.getbool("STORE_PAGES", True)
        run_id = s.get("PRESSEPORTAL_RUN_ID")
        self._run_id: int | None = int(run_id) if run_id not in (None, "") else None
        self.conninfo = ""
        self.pool: AsyncConnectionPool | None = None
        self.error: db.DatabaseUnavailable | None = None
        self._buffer: list[dict[str, Any]] = []
        self._inflight: dict[asyncio.Task, tuple[int, set[int], list[dict[str, Any]]]] = {}
        self._unwritten: list[dict[str, Any]] = []
        self._seq = 0
        self._failed = False  # the retry budget ran out: stop writing until close
        self._timer: asyncio.Task | None = None
        self._closing_requested = False

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("STORE_RELEASES", True):
            raise NotConfigured("STORE_RELEASES is off")
        return cls(crawler)

    @property
    def run_id(self) -> int | None:
        # the run recorder extension sets its id in spider_opened, after our open_spider
        if self._run_id is not None:
            return self._run_id
        value = self.stats.get_value("presseportal/run_id")
        return int(value) if value else None

    # --- open / close ----------------------------------------------------------------------------
    async def open_spider(self) -> None:
        try:
            self.conninfo = await asyncio.to_thread(db.resolve_database_url, self.crawler.settings)
            applied = await asyncio.to_thread(db.migrate, self.conninfo)
            if applied:
                logger.info("store: applied migrations %s", ", ".join(applied))
            self.pool = AsyncConnectionPool(
                self.conninfo,
                min_size=1,
                max_size=self.pool_max,
                open=False,
                timeout=self.connect_timeout,
                check=AsyncConnectionPool.check_connection,
                kwargs={"connect_timeout": self.connect_timeout, "autocommit": True},
                name="presseportal-store",
            )
            await self.pool.open(wait=True, timeout=self.connect_timeout)
        except db.DatabaseUnavailable as exc:
            await self._fail_open(exc)
        except RETRYABLE as exc:
            await self._fail_open(db.DatabaseUnavailable(
                f"cannot use PostgreSQL at {db.describe(self.conninfo)}: {db.scrub(exc, self.conninfo)}"))
        logger.info("store: writing releases to %s", db.describe(self.conninfo))
        self._timer = asyncio.get_running_loop().create_task(self._flush_periodically())

    async def _fail_open(self, exc: db.DatabaseUnavailable) -> None:
        self.error = exc
        message = db.scrub(exc, self.conninfo)
        logger.error("store: database unavailable, stopping before the crawl starts: %s", message)
        self.stats.set_value("store/error", message)
        if self.pool is not None:
            with contextlib.suppress(Exception):
                await self.pool.close(timeout=1)
            self.pool = None
        raise CloseSpider("database_unavailable")

    async def close_spider(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._timer
        if self.pool is None:  # never opened (database unavailable at open)
            return
        await self._drain()
        if self._failed:
            # one last attempt, with a fresh retry budget, for what could not be written
            self._buffer = self._unwritten + self._buffer
            self._unwritten = []
            self._failed = False
            await self._drain()
        if self._unwritten or self._buffer:
            self._spill(self._unwritten + self._buffer)
        await self.pool.close()

    async def _drain(self) -> None:
        """Write everything buffered, then wait for every writer."""
        while True:
            self._kick(force=True)
            if not self._inflight:
                return
            await asyncio.wait(list(self._inflight), return_when=asyncio.FIRST_COMPLETED)

    # --- items -------------------------------------------------------------------------------------
    async def process_item(self, item):
        self._buffer.append(as_dict(item))
        self._kick()
        # backpressure: while the database is slow (or away and being retried) the crawl
        # waits here instead of piling items up in memory
        while self._pending() >= self.high_water and self._inflight and not self._failed:
            await asyncio.wait(list(self._inflight), return_when=asyncio.FIRST_COMPLETED)
        return item

    def _pending(self) -> int:
        return len(self._buffer) + sum(len(batch) for _, _, batch in self._inflight.values())

    def _kick(self, force: bool = False) -> None:
        """Start writers for full batches (for any rest too when `force`), up to STORE_WRITERS."""
        while (
            not self._failed
            and len(self._inflight) < self.writers
            and (len(self._buffer) >= self.batch_size or (force and self._buffer))
        ):
            records = self._buffer[: self.batch_size]
            del self._buffer[: len(records)]
            self._seq += 1
            ids = {int(r["story_id"]) for r in records}
            task = asyncio.get_running_loop().create_task(self._write(self._seq, ids, records))
            self._inflight[task] = (self._seq, ids, records)

    async def _flush_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.flush_seconds)
            self._kick(force=True)

    async def _write(self, seq: int, ids: set[int], records: list[dict[str, Any]]) -> None:
        me = asyncio.current_task()
        try:
            earlier = [t for t, (s, other, _) in self._inflight.items() if s < seq and ids & other]
            if earlier:  # the same story in an older batch still being written: it goes first
                await asyncio.wait(earlier)
            counts = await self._write_with_retry(records)
            if counts is None:
                self._failed = True
                self._unwritten.extend(records)
                self._request_close()
                return
            self.stats.inc_value("store/batches")
            for key in ("new", "changed", "unchanged", "pages"):
                self.stats.inc_value(f"store/{key}", counts[key])
        except BaseException:
            # a bug (not a connection fault): keep the items for close/spill, then surface it
            self._failed = True
            self._unwritten.extend(records)
            logger.exception("store: writing a batch of %d failed", len(records))
            self._request_close()
        finally:
            self._inflight.pop(me, None)
            if not self._failed:
                self._kick()

    async def _write_with_retry(self, records) -> Counter | None:
        prepared = await asyncio.to_thread(prepare_batch, records, store_pages=self.store_pages)
        deadline = time.monotonic() + self.retry_max
        delay = BACKOFF_FIRST
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self.pool.connection() as conn:
                    return await write_batch(conn, prepared, self.run_id)
            except RETRYABLE as exc:
                left = deadline - time.monotonic()
                reason = db.scrub(exc, self.conninfo).strip().splitlines()[0] if str(exc) else type(exc).__name__
                if left <= 0:
                    logger.error(
                        "store: giving up on a batch of %d after %d attempts (%.0fs): %s",
                        len(records), attempt, self.retry_max, reason,
                    )
                    return None
                wait = min(delay, left)
                self.stats.inc_value("store/retries")
                logger.warning(
                    "store: batch of %d failed (%s); retry %d in %.1fs", len(records), reason, attempt, wait
                )
                await asyncio.sleep(wait)
                delay = min(delay * 2, BACKOFF_CAP)

    def _request_close(self) -> None:
        if self._closing_requested:
            return
        self._closing_requested = True
        self.stats.set_value("store/error", "database unavailable during the crawl")
        try:
            engine = self.crawler.engine
        except RuntimeError:  # not crawling (components driven by hand)
            return
        if engine is not None and getattr(engine, "spider", None) is not None:
            asyncio.get_running_loop().create_task(
                engine.close_spider_async(reason="database_unavailable"))

    def _spill(self, records: list[dict[str, Any]]) -> None:
        """Last resort at close: keep the unwritten items on disk, never drop them."""
        from crawler.db.embedded import base_dir

        folder = base_dir() / "spill"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"store-run{self.run_id}-{datetime.now(UTC):%Y%m%dT%H%M%S}.jsonl"
        with open(path, "w", encoding="utf-8") as f:
            for record in records:
                f.write(json.dumps(record, default=_json_default, ensure_ascii=False) + "\n")
        self.stats.set_value("store/spilled", len(records))
        logger.error("store: %d releases could not be written; kept in %s", len(records), path)
        self._buffer, self._unwritten = [], []


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | Path):
        return str(value)
    raise TypeError(type(value).__name__)
