"""RunLock: one run per newsroom (or per newsroom and date window) at a time, held from
before the first request.

The lock is a PostgreSQL advisory lock (`crawler.db.runs`), so it lives as long as the
session that took it. A database restart ends that session, not the run: so

- a new run that gets the lock still looks for unfinished runs of its newsrooms, and
  if one of them is alive (`_liveness.run_is_dead`: its pid on this host, its heartbeat
  elsewhere) it lets go and does not start (exit 75, naming that run): the live run
  takes its lock again at its next check. Runs known to be dead are left to the run
  record to mark `abandoned` (`stale_runs`);
- a watchdog checks the session every PRESSEPORTAL_LOCK_CHECK_SECONDS and writes the
  run's heartbeat (which also names the session holding the lock in the run row). When
  the server went away and came back, it reconnects and takes the lock again. If
  another run took the lock meanwhile, or marked this run abandoned, this crawl stops
  at once with reason ``lock_lost`` rather than run side by side.

The lock is released when the engine stops, after every spider_closed handler: the run
row is finished while the lock is still held, so no new run can take the publisher and
call this one abandoned in between.

A run whose plan takes no newsroom lock (`CrawlPlan.locks_newsrooms`: an import) still
gets its session here, held open for the whole run and watched the same way: the run
row names that session, which is how a dead run is told from a live one.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from crawler import db
from crawler.extensions._liveness import run_is_dead
from crawler.extensions._session import connect_or_close
from crawler.items import Newsroom, newsrooms_of

logger = logging.getLogger(__name__)

# A run on another host whose heartbeat is older than this many checks (at least a
# minute) is taken for dead: its watchdog would have written one.
STALE_CHECKS = 6
STALE_MIN_SECONDS = 60.0


class RunLock:
    def __init__(self, crawler, check_seconds: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.check_seconds = check_seconds
        self.stale_after = max(STALE_MIN_SECONDS, STALE_CHECKS * check_seconds)
        self.conninfo = ""
        self.conn = None
        self.newsrooms: tuple[Newsroom, ...] = ()
        self.window = ""  # a backfill over a date window locks that window only
        self.locking = True  # the plan takes the newsroom lock (an import does not)
        self.run_id: int | None = None
        # unfinished runs whose process is dead (the run record abandons them)
        self.stale_runs: list[int] = []
        self.watchdog: task.LoopingCall | None = None
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("STORE_RELEASES"):
            raise NotConfigured  # switched off on purpose: Scrapy says nothing
        ext = cls(crawler, crawler.settings.getfloat("PRESSEPORTAL_LOCK_CHECK_SECONDS", 5.0))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.release, signal=signals.engine_stopped)
        return ext

    @property
    def held(self) -> bool:
        """The run may go on: its session is open and holds the lock its plan takes."""
        return self.conn is not None

    @property
    def backend_pid(self) -> int | None:
        """The server process of the session that holds the lock (None when not held)."""
        return db.backend_pid(self.conn) if self.conn is not None else None

    def spider_opened(self, spider):
        plan = spider.crawl_state.plan
        self.newsrooms = plan.newsrooms
        self.window = plan.window
        self.locking = plan.locks_newsrooms
        self.conninfo, conn = connect_or_close(self.crawler.settings)
        if self.locking and not db.acquire_publisher_lock(conn, self.newsrooms, self.window):
            holders = db.lock_holders(conn, self.newsrooms, self.window)
            conn.close()
            self.refuse(describe_locked(holders))
        if self.locking:
            unfinished = db.unfinished_runs(conn, self.newsrooms)
            # a live run over another date window of these newsrooms is no conflict
            alive = [run for run in unfinished if windows_conflict(run["run_window"], self.window)
                     and not run_is_dead(run, stale_after=self.stale_after)]
            if alive:
                conn.close()  # lets go of the lock: the live run takes it again
                shared = self.shared_with(alive[0])
                self.refuse(f"{named(shared)} {verb(shared)} held by {describe_holder(alive[0])}, alive: its lock "
                            "went with its database session and it takes it again at its next check")
            self.stale_runs = [run["run_id"] for run in unfinished]
        else:
            # without a lock, other live runs are expected: only dead runs of its own mode go
            self.stale_runs = [run["run_id"] for run in db.unfinished_runs(conn, None)
                               if run["run_mode"] == plan.mode and run_is_dead(run, stale_after=self.stale_after)]
        self.conn = conn
        self.watchdog = task.LoopingCall(self.keep_lock)
        self.watchdog.start(self.check_seconds, now=False)

    def refuse(self, why: str):
        """Not starting: `why` (which newsrooms are held, by which run) goes in the stats,
        which the front end says once (the `presseportal` command's line, the `scrapy
        crawl` command's log line): not here as well."""
        self.stats.set_value("presseportal/locked_by", why)
        raise CloseSpider("locked")

    def shared_with(self, run: dict) -> list[Newsroom]:
        """This run's newsrooms that an unfinished `run` names too (all of them when
        either is a run over every newsroom)."""
        theirs = run_newsrooms(run)
        if not theirs or not self.newsrooms:
            return list(self.newsrooms or theirs)
        return [n for n in self.newsrooms if n in theirs]

    def watch(self, run_id: int) -> None:
        """The run row whose heartbeat the watchdog writes (the run record's)."""
        self.run_id = run_id

    def keep_lock(self) -> None:
        if self.stopping:
            return
        if db.is_alive(self.conn):
            self.beat()
            return
        logger.warning("lost the database session that holds the run lock: reconnecting")
        try:
            conn = db.connect(self.conninfo)
        except db.DatabaseUnavailable as exc:
            logger.warning("database still unavailable (%s): will try again", exc)
            return
        self.conn.close()
        if not self.locking or db.acquire_publisher_lock(conn, self.newsrooms, self.window):
            self.conn = conn
            logger.info("run session opened again after the reconnect")
            self.beat()  # also names the new session in the run row
            return
        holder = db.current_lock_holder(conn, self.newsrooms, self.window)
        if holder is not None and holder.get("run_id") is None:
            # a session without a run: another run still checking whether this one lives
            # (it lets go when it sees the heartbeat), or a spill replay. Next check.
            conn.close()
            logger.warning("the run lock is held by %s for now: will try again", describe_holder(holder))
            return
        conn.close()
        self.stop(f"while the database was away, {describe_holder(holder)} took the lock on "
                  f"{named(self.newsrooms)}")

    def beat(self) -> None:
        if self.run_id is None:
            return
        try:
            status = db.heartbeat(self.conn, self.run_id)
        except db.Error as exc:
            logger.warning("could not write the run's heartbeat: %s", db.first_line(exc, self.conninfo))
            return
        if status not in ("running", None):  # None: the store was writing the row, next time
            self.stop(f"run #{self.run_id} was marked {status} by another run")

    def stop(self, why: str) -> None:
        """Another run has the newsrooms: this one stops at once."""
        self.stopping = True
        self.conn, conn = None, self.conn
        if conn is not None:
            conn.close()
        self.stats.set_value("presseportal/locked_by", why)
        logger.error("%s: stopping this run", why)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="lock_lost"))

    def spider_closed(self, spider, reason):
        if self.watchdog is not None and self.watchdog.running:
            self.watchdog.stop()

    def release(self):
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.close()  # the session ends: its advisory locks go with it


def named(newsrooms) -> str:
    """"publisher 73811, office 99001": newsrooms for people."""
    return ", ".join(map(str, newsrooms)) or "all newsrooms"


def verb(newsrooms) -> str:
    return "is" if len(newsrooms) == 1 else "are"


def describe_locked(holders: list[dict]) -> str:
    """Which newsrooms are held and by whom (`db.lock_holders`), for people: "publisher
    97012 is locked by run #57 (backfill, ...)"; several holders joined by "; "."""
    if not holders:
        return "the newsrooms are locked by another session"
    parts = []
    for holder in holders:
        # None: it holds every newsroom asked for (or this run asked for all): say its own
        held = holder["held"] if holder["held"] is not None else run_newsrooms(holder)
        what = f"{named(held)} {verb(held)}" if held else "every newsroom is"
        parts.append(f"{what} locked by {describe_holder(holder)}")
    return "; ".join(parts)


def run_newsrooms(run: dict) -> list[Newsroom]:
    """The newsrooms a run row (or a lock holder's) names; [] for a run over all."""
    return newsrooms_of(run.get("publishers"), run.get("offices"))


def describe_holder(holder: dict | None) -> str:
    """Who holds a lock, for people: the run, its mode, pid, host and start."""
    if not holder:
        return "another session"
    if holder.get("run_id") is None:
        return f"a session without a run (backend pid {holder.get('backend_pid')})"
    started = holder.get("started_at")
    started_text = f", started {started:%Y-%m-%d %H:%M:%S %Z}" if started else ""
    return (f"run #{holder['run_id']} ({holder.get('run_mode')}, pid {holder.get('pid')} "
            f"on {holder.get('host')}{started_text})")


def windows_conflict(theirs: str, ours: str) -> bool:
    """Two runs of one newsroom conflict unless both cover date windows and the windows
    differ (the same rule as the run locks, crawler.db.runs)."""
    return not theirs or not ours or theirs == ours
