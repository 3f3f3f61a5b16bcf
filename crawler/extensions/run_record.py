"""RunRecord: the crawl's own row in `crawl_runs`, its failed pages, and its verdict.

When the spider opens (after `RunLock` took the lock), it first replays what earlier
runs of these newsrooms left in spill files (`crawler.db.spill`: releases the store
could not write, run verdicts that could not be written), then marks runs of dead
processes `abandoned` (`RunLock.stale_runs`), starts this run's row (whose heartbeat
the lock's watchdog writes), and tells the spider (`crawl_state`) which stories are
stored, the newsroom first pages' validators of the last successful run and how far
that run's coverage reaches. During the crawl it collects failed pages
(`crawler.signals.page_failed`, dropped items, pipeline and spider exceptions). When the
spider closes it decides the run's status (`run_status`) and writes the verdict in one
transaction (`crawler.db.write_verdict`): failed pages to `crawl_errors`, the row
finished; only a successful run saves the validators and the coverage the next cron run
relies on. If the database is away by then, the verdict goes to a spill file and the
next run writes it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler import db
from crawler.db import spill
from crawler.extensions._liveness import this_process_started
from crawler.extensions.run_lock import RunLock, named
from crawler.items import Newsroom, place_of
from crawler.signals import failure_reason, page_failed
from crawler.state import CrawlState, Validators

logger = logging.getLogger(__name__)

MAX_RECORDED_ERRORS = 10_000
# how a newsroom's cursor names the coverage of the last successful run
COVERED_THROUGH = "covered_through"


class RunRecord:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.run_id: int | None = None
        self.conninfo = ""
        self.spill_dir = None
        self.spill_root = None
        self.database: spill.Database | None = None
        self.failed: list[db.FailedPage] = []
        self.newsrooms: dict[Newsroom, dict[str, Any]] = {}  # the newsroom cursors as the run found them

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("STORE_RELEASES"):
            raise NotConfigured  # switched off on purpose: Scrapy says nothing
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.page_failed, signal=page_failed)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        return ext

    # --- opening ---------------------------------------------------------------------------

    async def spider_opened(self, spider):
        lock = self.crawler.get_extension(RunLock)
        if lock is None or not lock.held:
            return  # locked or database unavailable: RunLock closes the crawl
        state: CrawlState = spider.crawl_state
        plan = state.plan
        self.conninfo = lock.conninfo
        self.spill_root = self.crawler.settings.get("STORE_SPILL_DIR")
        self.spill_dir = spill.spill_dir(self.conninfo, self.spill_root)
        self.database = spill.database_of(self.conninfo)
        # before anything else: what earlier runs could not write, so that the stories in
        # it count as stored and their runs are finished with their own verdicts (only a
        # run holding its newsrooms' lock may: an import holds none)
        if plan.locks_newsrooms:
            await self.replay_spill(plan.newsrooms)
        waiting = self.spill_left()
        with db.connect(self.conninfo) as conn:
            for run_id in lock.stale_runs:
                if db.abandon_run(conn, run_id):
                    logger.warning("run #%d was left unfinished by a process that is gone: marked abandoned%s",
                                   run_id, still_waiting(waiting, run_id))
            self.run_id = db.start_run(conn, plan.mode, plan.newsrooms, lock_backend_pid=lock.backend_pid,
                                       process_started_at=this_process_started(), window=plan.window)
            lock.watch(self.run_id)
            self.stats.set_value("presseportal/run_id", self.run_id)
            if plan.skips_known:
                stored = db.stored_story_ids(conn, plan.newsrooms, imports=plan.imports_count_as_stored)
                state.known_story_ids = set().union(*stored.values())
                logger.info("already stored: %s", stored_per_newsroom(stored))
            for newsroom in plan.newsrooms:
                saved = db.get_cursor(conn, db.newsroom_key(newsroom)) or {}
                self.newsrooms[newsroom] = saved
                validators = Validators.from_dict(saved)
                if validators:
                    state.listing_validators[newsroom] = validators
                if saved.get(COVERED_THROUGH):
                    state.covered_through[newsroom] = int(saved[COVERED_THROUGH])

    async def replay_spill(self, newsrooms) -> None:
        try:
            ours = spill.find(self.spill_root, self.conninfo, self.database).ours
            replayed = await spill.replay(self.conninfo, ours, newsrooms=newsrooms)
        except (db.DatabaseUnavailable, db.Error, spill.SpillError, OSError, ValueError) as exc:
            # the files stay for the next run; this one crawls (what it stores is newer)
            logger.error("could not replay the spill files in %s: %s", self.spill_dir, exc)
            self.stats.set_value("spill/replay_error", str(exc))
            return
        if replayed["files"]:
            logger.warning("replayed %d spill file(s) from %s: %d releases (%d new), %d run verdict(s)",
                           replayed["files"], self.spill_dir,
                           sum(replayed[k] for k in ("new", "changed", "unchanged", "stale")),
                           replayed["new"], replayed["runs"])
            self.stats.set_value("spill/replayed_files", replayed["files"])
            self.stats.set_value("spill/replayed_new", replayed["new"])

    def spill_left(self) -> spill.Found | None:
        """What still waits after the replay; files written for another address are
        named in the log (`presseportal spill` shows them), never replayed here."""
        try:
            left = spill.find(self.spill_root, self.conninfo, self.database)
        except OSError as exc:
            logger.error("could not look for spill files under %s: %s", self.spill_dir.parent, exc)
            return None
        if left.others:
            logger.warning("%d spill file(s) under %s were written for another database or address "
                           "(%s) and are not replayed into %s: see `presseportal spill`",
                           len(left.others), self.spill_dir.parent,
                           ", ".join(sorted({spill.written_for(f) for f in left.others})), self.database)
        return left

    # --- failed pages ------------------------------------------------------------------------

    def page_failed(self, url, stage, reason, snippet=""):
        if len(self.failed) < MAX_RECORDED_ERRORS:
            self.failed.append(db.FailedPage(url, stage, reason, snippet))
        if stage != "store" and not self.stats.get_value("presseportal/first_error"):
            # the first failed page, for the run's one summary line (`status --errors` lists
            # all; the store's own failure has its line: `store/error`)
            self.stats.set_value("presseportal/first_error", f"{url}: {first_line(reason)}" if url
                                 else first_line(reason))
        self.stats.inc_value("presseportal/errors")

    def item_dropped(self, item, response, exception, spider=None):
        self.page_failed(place_of(item, response), "pipeline", str(exception), "")

    def item_error(self, item, response, spider=None, failure=None):
        # a pipeline raised something else than DropItem: the release is lost, say so
        self.page_failed(place_of(item, response), "pipeline", failure_reason(failure), "")

    def spider_error(self, failure, response, spider=None):
        # a bug met a page the spider did not expect: count it, never end as a success
        self.page_failed(response.url if response is not None else "", "spider", failure_reason(failure),
                         response.text[:500] if hasattr(response, "text") else "")

    # --- closing -------------------------------------------------------------------------------

    def spider_closed(self, spider, reason):
        if self.run_id is None:
            return
        status = run_status(self.stats.get_stats(), reason,
                            max_errors=self.crawler.settings.getint("PRESSEPORTAL_MAX_ERRORS"))
        self.stats.set_value("presseportal/run_status", status)
        verdict = self.verdict(spider.crawl_state, status)
        # a fresh connection: the server may have been restarted during the crawl
        try:
            with db.connect(self.conninfo) as conn:
                db.write_verdict(conn, verdict)
        except (db.DatabaseUnavailable, db.Error) as exc:
            self.keep_verdict(verdict, db.first_line(exc, self.conninfo))

    def verdict(self, state: CrawlState, status: str) -> db.RunVerdict:
        # the store added new / changed / unchanged to the row as it committed: a spilled
        # release is counted when it is replayed, not here
        counts = {k: v for k, v in run_counts(self.stats).items() if k not in ("new", "changed", "unchanged")}
        return db.RunVerdict(
            run_id=self.run_id, status=status, finished_at=datetime.now(UTC), counts=counts,
            failed=list(self.failed), newsrooms=list(state.plan.newsrooms),
            cursors=self.newsroom_cursors(state) if status == "success" else {},
            unknown=sorted(state.unknown_newsrooms, key=str),
            follow=list(state.plan.newsrooms) if status == "success" and state.plan.visits_newsrooms else [],
        )

    def newsroom_cursors(self, state: CrawlState) -> dict[str, dict[str, Any]]:
        """What a successful run tells the next cron run, per newsroom: the first page's
        validators ("unchanged since") and how far its coverage reaches (the newest story
        at the top: every story up to it is stored). After a failed run neither moves:
        the next run looks at the newsroom again, down to the last good coverage."""
        cursors = {}
        if not state.plan.walks_listings:
            return cursors  # a stories run saw no first page: what it proves is nothing below
        for newsroom in state.plan.newsrooms:
            saved = self.newsrooms.get(newsroom, {})
            new = dict(saved)
            if validators := state.seen_validators.get(newsroom):
                new.update(validators.as_dict())
            top = state.walks[newsroom].top_story_id
            if top:
                new[COVERED_THROUGH] = max(top, int(saved.get(COVERED_THROUGH) or 0))
            if new != saved:
                cursors[db.newsroom_key(newsroom)] = new
        return cursors

    def keep_verdict(self, verdict: db.RunVerdict, why: str) -> None:
        try:
            path = spill.write_verdict_file(self.spill_dir, verdict, self.database)
        except spill.SpillError as exc:
            logger.error("could not finish the record of run #%d (%s): %s; nor keep it on disk: %s",
                         self.run_id, verdict.status, why, exc)
            return
        logger.error("could not finish the record of run #%d (%s): %s; kept in %s, written by the next "
                     "run of %s or by `presseportal spill replay`", self.run_id, verdict.status, why, path,
                     named(verdict.newsrooms))
        self.stats.set_value("spill/verdict", str(path))


def stored_per_newsroom(stored: Mapping[Newsroom, set[int]]) -> str:
    """"300 stories of publisher 73811, 0 stories of office 99001": each newsroom's own
    count (one sum over all of them named a newsroom's stories as everybody's)."""
    return ", ".join(f"{len(ids)} {'story' if len(ids) == 1 else 'stories'} of {newsroom}"
                     for newsroom, ids in stored.items()) or "no stories"


def still_waiting(left: spill.Found | None, run_id: int) -> str:
    """What of an abandoned run still waits in spill files, for its log line ("" when
    nothing): its own, not replayed by this run (newsrooms it does not hold, a replay that
    failed), and files of a run of that number written for another address."""
    if left is None:
        return ""
    ours = [f for f in left.ours if f.run_id == run_id]
    maybe = [f for f in left.others if f.run_id == run_id and not (f.database and f.database.identity)]
    said = ""
    if ours:
        said += (f"; {sum(spill.count_releases(f) for f in ours)} of its releases still wait in "
                 f"{', '.join(str(f.path) for f in ours)}: `presseportal spill replay` writes them")
    if maybe:
        said += (f"; spill files of a run #{run_id} written for {spill.written_for(maybe[0])} wait in "
                 f"{maybe[0].path.parent} (see `presseportal spill`)")
    return said


def first_line(reason: str) -> str:
    """A reason's first line (a traceback or a server's detail stays in crawl_errors)."""
    return (reason or "").strip().splitlines()[0] if (reason or "").strip() else "no reason given"


def run_counts(stats) -> dict[str, Any]:
    """The counts a run row keeps: pages read (fetched from the site; a re-extraction's
    pages re-read from the store, an import's records), new / changed / unchanged,
    errors, coverage."""
    get = stats.get_value
    coverage = {k.removeprefix("coverage/ratio/"): v for k, v in stats.get_stats().items()
                if k.startswith("coverage/ratio/")}
    return {
        # the offline spiders fetch nothing: what they read is their work
        "pages": get("response_received_count", 0) + get("reextract/pages", 0) + get("import/records", 0),
        "new": get("store/new", 0),
        "changed": get("store/changed", 0),
        "unchanged": get("store/unchanged", 0),
        "errors": get("presseportal/errors", 0),
        "coverage": coverage,
    }


def run_status(stats: Mapping[str, Any], reason: str, *, max_errors: int = 0) -> str:
    """success; store_failed (releases could not be written: they wait in a spill file);
    errors (finished, but more pages failed than tolerated or a field's coverage is low);
    or the reason the crawl stopped early (``store_failed`` too when the store gave up on
    the database mid-crawl; ``lock_lost``, ...)."""
    if reason != "finished":
        return reason
    if stats.get("store/error") or stats.get("store/spilled") or stats.get("store/lost"):
        return "store_failed"
    if stats.get("presseportal/errors", 0) > max_errors or stats.get("coverage/low_fields"):
        return "errors"
    return "success"
