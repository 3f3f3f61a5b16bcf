"""StorePipeline (800): batched, idempotent, versioned upserts of releases into PostgreSQL.

What it does with each clean `Release`:

- buffers it; a batch is written when STORE_BATCH_SIZE items wait, every
  STORE_FLUSH_SECONDS, and on close, by up to STORE_WRITERS concurrent writers (each on
  its own pooled connection), one transaction per batch (`crawler.db.releases.write_batch`:
  new / changed / unchanged told apart, imports upgraded by their crawled page or kept
  beside it as revisions, revisions, raw pages, run counts);
- never drops it: when the server goes away (or cannot write: a full disk) the batch is
  retried on a fresh connection with exponential backoff (0.5 s doubling, at most 30 s
  apart) for up to STORE_RETRY_MAX_SECONDS. While more than (STORE_WRITERS + 2)
  batches' worth of items are pending, ``process_item`` waits, so the crawl slows down
  instead of piling items up in memory. If the budget runs out the spider is closed with
  reason ``store_failed`` (exit status 1: pages were fetched) and the failure, with the
  database's own words, is a failed page (stage ``store``) in crawl_errors and the run's
  summary. Close tries once more (a fresh budget); whatever still cannot be written is
  kept in a private spill file for this database (`crawler.db.spill`, STORE_SPILL_DIR),
  recorded the same way, and replayed by the next run of those publishers before it
  fetches anything (or by `presseportal spill replay`). Retried batches are exact
  because the upsert is idempotent (at-least-once). A story in two in-flight batches is
  written in order, so the newest version wins.

Each committed batch is announced (`crawler.signals.batch_stored`, its story ids): a
backfill's resume point follows it.

The run: each batch adds its counts to the run's ``crawl_runs`` row; the run id comes
from the run record extension (`crawler.extensions.run_record.RunRecord`); without it
(the pipeline driven by hand) only stats are kept.

If the database is unreachable at open, the crawl stops before fetching anything: the
pipeline logs the reason (never the password), sets stat ``store/error``, and raises
``CloseSpider("database_unavailable")``, which becomes the ``finish_reason``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from typing import Any

from scrapy.exceptions import CloseSpider, NotConfigured

from crawler import db
from crawler.db import spill
from crawler.db.releases import as_dict, prepare_batch, write_batch
from crawler.extensions.run_record import RunRecord
from crawler.items import Release
from crawler.signals import batch_stored, page_failed

logger = logging.getLogger(__name__)

BACKOFF_FIRST = 0.5
BACKOFF_CAP = 30.0


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
        self.spill_root = s.get("STORE_SPILL_DIR") or None
        self.give_up_reason = ""  # the database's words when the retry budget ran out
        self._run_id: int | None = None
        self.conninfo = ""
        self.database: spill.Database | None = None  # whose spill files ours are (read at open)
        self.pool = None
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
            raise NotConfigured  # switched off on purpose: Scrapy says nothing
        return cls(crawler)

    @property
    def run_id(self) -> int | None:
        """The crawl_runs row each batch adds its counts to: set by hand, else the run
        record's (it starts its row in spider_opened, after our open_spider: asked late)."""
        if self._run_id is not None:
            return self._run_id
        try:
            record = self.crawler.get_extension(RunRecord)
        except RuntimeError:  # driven by hand, without an extension manager
            return None
        return record.run_id if record is not None else None

    @run_id.setter
    def run_id(self, value: int | None) -> None:
        self._run_id = value

    # --- open / close ----------------------------------------------------------------------------
    async def open_spider(self) -> None:
        try:
            self.conninfo = await asyncio.to_thread(
                db.resolve_database_url, self.crawler.settings)
            applied = await asyncio.to_thread(db.ensure_schema, self.conninfo)
            if applied:
                logger.info("store: applied migrations %s", ", ".join(applied))
            self.pool = await db.open_pool(self.conninfo, max_size=self.pool_max,
                                           timeout=self.connect_timeout, name="presseportal-store")
            # read now: a spill is written when the database is away
            self.database = await asyncio.to_thread(spill.database_of, self.conninfo)
        except db.DatabaseUnavailable as exc:
            self._fail_open(exc)
        logger.info("store: writing releases to %s", db.describe(self.conninfo))
        self._timer = asyncio.get_running_loop().create_task(self._flush_periodically())

    def _fail_open(self, exc: db.DatabaseUnavailable) -> None:
        self.error = exc
        message = db.scrub(exc, self.conninfo)
        logger.error("store: database unavailable, stopping before the crawl starts: %s", message)
        self.stats.set_value("store/error", message)
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
    async def process_item(self, item: Release) -> Release:
        if not isinstance(item, Release):
            raise TypeError(f"the store takes clean Release records, not {type(item).__name__}")
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
            # unchanged counts upgraded and kept too (crawler.db.releases.write_batch)
            for key in ("new", "changed", "unchanged", "upgraded", "kept", "adopted", "stale", "pages"):
                self.stats.inc_value(f"store/{key}", counts[key])
            self.crawler.signals.send_catch_log(batch_stored, story_ids=sorted(ids))
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
            except db.RETRYABLE as exc:
                left = deadline - time.monotonic()
                reason = db.first_line(exc, self.conninfo)
                if left <= 0:
                    logger.error(
                        "store: giving up on a batch of %d after %d attempts (%.0fs): %s",
                        len(records), attempt, self.retry_max, reason,
                    )
                    self.give_up_reason = reason
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
        why = self.give_up_reason or "a batch could not be written (see the log)"
        self.stats.set_value("store/error", why)
        self._failed_page(db.describe(self.conninfo), f"the store gave up after {self.retry_max:.0f} s of "
                          f"retries: {why}; the crawl stops")
        try:
            engine = self.crawler.engine
        except RuntimeError:  # not crawling (components driven by hand)
            return
        if engine is not None and getattr(engine, "spider", None) is not None:
            asyncio.get_running_loop().create_task(engine.close_spider_async(reason="store_failed"))

    def _failed_page(self, where: str, reason: str) -> None:
        # a failed page of stage "store": crawl_errors, the error count, the summary
        self.crawler.signals.send_catch_log(page_failed, url=where, stage="store", reason=reason)

    def _spill(self, records: list[dict[str, Any]]) -> None:
        """Last resort at close: keep the unwritten items on disk for this database's next
        run, and say so where the user looks (the log, crawl_errors, the summary)."""
        self._buffer, self._unwritten = [], []
        why = self.give_up_reason or "the database could not be reached"
        try:
            path = spill.write_releases(spill.spill_dir(self.conninfo, self.spill_root), self.run_id, records,
                                        self.database)
        except spill.SpillError as exc:
            self.stats.set_value("store/lost", len(records))
            logger.critical("store: %d releases could not be written (%s) nor kept on disk (%s): LOST",
                            len(records), why, exc)
            self._failed_page(db.describe(self.conninfo), f"{len(records)} releases lost: not written ({why}) "
                              f"and not kept on disk ({exc})")
            return
        self.stats.set_value("store/spilled", len(records))
        self.stats.set_value("store/spill_file", str(path))
        logger.error("store: %d releases could not be written (%s); kept in %s: the next run replays "
                     "them, or `presseportal spill replay`", len(records), why, path)
        self._failed_page(path.as_uri(), f"{len(records)} releases not written ({why}); kept in {path} "
                          "for the next run to replay")
