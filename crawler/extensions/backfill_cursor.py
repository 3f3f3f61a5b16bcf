"""BackfillCursor: crash-safe backfills, with their resume point kept in PostgreSQL.

Scrapy's JOBDIR is lost on `kill -9`; the database is not. Each time the store commits
a batch (`crawler.signals.batch_stored`) the cursor (`crawl_cursors`) moves to the end
of the longest run of whole listing pages whose queued stories are settled: stored, or
given up on (a failed page, a dropped release). So it follows the store within one
flush interval, and a story that cannot be had does not hold it back: the stories
given up on are kept in the cursor (`retry`) and asked for first by the next run. A
listing page that lost its cards stops the cursor before it.

A rerun of the same backfill (same newsroom, window and refresh flag) starts one page
before that point: the page of margin absorbs stories deleted meanwhile, which move
older ones up. Stories already stored are skipped anyway, so the margin costs one
listing request, and the prefix the interrupted run confirmed is not walked again. A
backfill that finishes cleanly deletes its cursor.

A refresh (`refresh=1`) fetches stored stories too, so "stored" cannot tell it what is
done: its cursor also keeps when the refresh began (`begun_at`, kept across every
resume), and a rerun skips the stories stored or seen again since then
(`CrawlState.refreshed_story_ids`): the page of margin and its recheck of the top cost
no story fetched twice. Its key is apart from a plain backfill's (`cursor_key`), and once
a refresh finishes cleanly the next one is a new refresh, from the top.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler import db
from crawler.extensions.run_lock import RunLock
from crawler.items import Newsroom
from crawler.signals import batch_stored, page_failed
from crawler.state import CrawlPlan, CrawlState, NewsroomWalk

logger = logging.getLogger(__name__)


def cursor_key(plan: CrawlPlan, newsroom: Newsroom) -> str:
    """The crawl_cursors key of one newsroom's backfill with this window and refresh flag
    ("backfill:publisher:73811:2024-01-01::missing")."""
    return (f"backfill:{newsroom.key}:{plan.since or ''}:{plan.until or ''}"
            f":{'refresh' if plan.refresh else 'missing'}")


class BackfillCursor:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.state: CrawlState | None = None
        self.conninfo = ""
        self.conn = None
        self.saved: dict[Newsroom, dict] = {}  # per newsroom, the cursor as last written
        self.done_pages: dict[Newsroom, int] = {}  # per newsroom, pages before this index are settled
        self.stored: set[int] = set()
        self.given_up: set[int] = set()
        self.opened_at = datetime.now(timezone.utc)  # a new refresh begins now

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("STORE_RELEASES"):
            raise NotConfigured  # switched off on purpose: Scrapy says nothing
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.stories_stored, signal=batch_stored)
        crawler.signals.connect(ext.story_failed, signal=page_failed)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_error)
        return ext

    def spider_opened(self, spider):
        state = spider.crawl_state
        lock = self.crawler.get_extension(RunLock)
        if state.plan.mode != "backfill" or lock is None or not lock.held:
            return
        self.state = state
        self.conninfo = lock.conninfo
        self.conn = db.connect(self.conninfo)
        for newsroom in state.plan.newsrooms:
            saved = db.get_cursor(self.conn, cursor_key(state.plan, newsroom))
            if not saved:
                continue
            self.saved[newsroom] = saved
            page_size = int(saved.get("page_size") or 0)
            state.resume_offsets[newsroom] = max(0, saved["offset"] - page_size)
            # the first page walked may be the one that lost its cards: measure against a whole one
            state.walks[newsroom].page_size = page_size
            state.retry_story_ids[newsroom] = [int(sid) for sid in saved.get("retry", ())]
            if saved.get("begun_at"):
                self.skip_refreshed(newsroom, datetime.fromisoformat(saved["begun_at"]))

    def skip_refreshed(self, newsroom: Newsroom, begun_at: datetime) -> None:
        """A resumed refresh: the stories of `newsroom` fetched again since the refresh
        began are not fetched a second time."""
        refreshed = db.known_story_ids(self.conn, [newsroom], imports=False, seen_since=begun_at)
        self.state.refreshed_story_ids |= refreshed
        logger.info("the refresh of %s began %s: %d of its stories fetched since then are not fetched again",
                    newsroom, begun_at.isoformat(timespec="seconds"), len(refreshed))

    # --- what settles a story --------------------------------------------------------------

    def stories_stored(self, story_ids):
        if self.state is None:
            return
        self.stored.update(story_ids)
        self.checkpoint()

    def story_failed(self, url, stage, reason, story_id=None):
        if self.state is not None and story_id is not None:
            self.given_up.add(int(story_id))

    def item_dropped(self, item, response=None, spider=None):
        if self.state is not None and getattr(item, "story_id", None) is not None:
            self.given_up.add(int(item.story_id))

    # --- the resume point ------------------------------------------------------------------

    def checkpoint(self) -> None:
        try:
            if self.conn.closed:
                self.conn = db.connect(self.conninfo)
            for newsroom, walk in self.state.walks.items():
                self.advance(newsroom, walk)
        except (db.Error, db.DatabaseUnavailable) as exc:
            # no loss: the resume point only stays behind; the next batch tries again
            logger.warning("could not save the backfill's resume point: %s", exc)
            self.conn.close()

    def advance(self, newsroom: Newsroom, walk: NewsroomWalk) -> None:
        done = self.done_pages.get(newsroom, 0)
        settled = self.stored | self.given_up
        for page in walk.pages[done:]:
            if not page.complete or not settled.issuperset(page.queued):
                break
            done += 1
        self.done_pages[newsroom] = done
        if done == 0:
            return
        last = walk.pages[done - 1]
        retry = self.retry(newsroom, walk, done)
        saved = self.saved.get(newsroom, {})
        reached = last.offset + last.cards
        if reached <= saved.get("offset", 0) and set(retry) == set(saved.get("retry", ())):
            return
        cursor = {"offset": max(reached, saved.get("offset", 0)), "page_size": walk.page_size, "retry": retry}
        if self.state.plan.refresh:
            cursor["begun_at"] = saved.get("begun_at") or self.opened_at.isoformat()
        db.set_cursor(self.conn, cursor_key(self.state.plan, newsroom), cursor)
        self.saved[newsroom] = cursor
        self.stats.set_value(f"backfill/resume_offset/{newsroom.key}", cursor["offset"])

    def retry(self, newsroom: Newsroom, walk: NewsroomWalk, done: int) -> list[int]:
        """Stories before the resume point that were given up on and are not stored: the
        next run asks for them first (it does not walk those pages again)."""
        wanted = {sid for page in walk.pages[:done] for sid in page.queued if sid in self.given_up}
        wanted |= set(self.state.retry_story_ids.get(newsroom, ()))
        return sorted(wanted - self.stored)

    def spider_closed(self, spider, reason):
        if self.conn is None:
            return
        try:
            clean = reason == "finished" and not self.crawler.stats.get_value("presseportal/errors")
            if clean:
                for newsroom in self.state.plan.newsrooms:
                    db.delete_cursor(self.conn, cursor_key(self.state.plan, newsroom))
            else:
                self.checkpoint()  # the store has flushed by now: save what is done
        except (db.Error, db.DatabaseUnavailable) as exc:
            logger.warning("could not save the backfill's resume point: %s", exc)
        finally:
            self.conn.close()
            self.conn = None
