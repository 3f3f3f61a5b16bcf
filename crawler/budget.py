"""The site's request budget: one rate for every worker on every machine (issue 15).

`SiteBudgetDownloadHandler` (the download handler of http and https) takes each
request's slot in PostgreSQL through `crawler.db.budget` right before it goes out; see
`SiteBudget`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from urllib.parse import urlsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import Request, Response

from crawler import db
from crawler.db import budget
from crawler.middlewares import sleep_unless_stopping
from crawler.profiles import push_back_seconds

logger = logging.getLogger(__name__)


def site_budget(settings) -> float:
    """Requests per second for all workers together: PRESSEPORTAL_SITE_BUDGET when set,
    else the profile's default (1 for the live site, 0 = none for the replica)."""
    value = settings.get("PRESSEPORTAL_SITE_BUDGET")
    if value is None or value == "":
        value = settings.getfloat("SITE_BUDGET_DEFAULT", 1.0)
    return max(0.0, float(value))


class SiteBudget:
    """One request budget per site for every worker on every machine (issue 15).

    Before each request goes out, a slot is reserved in PostgreSQL (crawler/db/budget.py:
    one atomic UPDATE of the site's row, slot = greatest(now, next_at), next_at = slot +
    `budget.interval`) and the request waits for it on the event loop (never blocking the
    reactor), as `crawler.db.budget.take_slot` waits for every request to the site (a
    slot missed or voided by a push back is reserved again). A 429, or a Retry-After on
    any answer, moves the site's next slot for every worker (`push_back_seconds`).
    When the crawl stops (a first Ctrl-C), the requests still waiting for their slots are
    dropped at once (`DroppedAtStop`, no failed page; the next run asks for them): only
    responses in flight are awaited.

    Without the database (away for a moment, or a run that stores nothing) the same
    reservation is made in this process alone: this process keeps to the budget, the sum
    of all of them no longer.
    """

    def __init__(self, crawler, per_second: float):
        self.crawler = crawler
        self.per_second = per_second
        self.push_seconds = crawler.settings.getfloat("SITE_BUDGET_PUSH_SECONDS", 5.0)
        self.retry_after_max = crawler.settings.getfloat("RETRY_AFTER_MAX_SECONDS", 300.0)
        self.conninfo = ""
        self.conn = None
        self.lock = asyncio.Lock()
        self.local_next: dict[str, float] = {}  # host -> next slot, when the database is away

    @classmethod
    def from_crawler(cls, crawler) -> SiteBudget | None:
        """The crawl's budget, or None: none asked for (0, or the replica profile's default)."""
        per_second = site_budget(crawler.settings)
        if per_second <= 0:
            logger.info("no site budget (PRESSEPORTAL_SITE_BUDGET=0, or the replica profile)")
            return None
        if not crawler.settings.getbool("STORE_RELEASES"):
            logger.warning("no store, so no shared site budget: this process keeps to "
                           "%.2f requests/s on its own", per_second)
        return cls(crawler, per_second)

    async def _database(self):
        if self.conn is None or self.conn.closed:
            if not self.conninfo:
                self.conninfo = db.resolve_database_url(self.crawler.settings)
            self.conn = await budget.connect_async(self.conninfo)
        return self.conn

    async def _shared(self, call, *args) -> float | None:
        if not self.crawler.settings.getbool("STORE_RELEASES"):
            return None
        try:
            async with self.lock:
                return await call(await self._database(), *args)
        except (db.Error, db.DatabaseUnavailable) as exc:
            logger.warning("site budget: the database is away (%s); spacing this process alone",
                           db.first_line(exc) if isinstance(exc, db.Error) else exc)
            if self.conn is not None:
                await self.conn.close()
                self.conn = None
            return None

    def _reserve_here(self, host: str) -> float:
        """The same reservation as the database's, for this process alone (monotonic clock)."""
        now = time.monotonic()
        slot = max(now, self.local_next.get(host, now))
        self.local_next[host] = slot + budget.interval(self.per_second)
        return slot - now

    async def take_slot(self, request: Request) -> None:
        """Return when `request` may go out: in its slot, or no more than
        `budget.late_tolerance` after it."""
        host = urlsplit(request.url).netloc

        async def reserve() -> budget.Slot:
            slot = await self._shared(budget.reserve_slot, host, self.per_second)
            return slot if slot is not None else budget.Slot(self._reserve_here(host), None)

        async def pushed(reserved_at) -> bool:
            return bool(await self._shared(budget.pushed_since, host, reserved_at))

        # a request still waiting for its slot when the crawl stops is dropped (DroppedAtStop)
        taken = await budget.take_slot(reserve, pushed, self.per_second,
                                       sleep=lambda seconds: sleep_unless_stopping(self.crawler, seconds))
        stats = self.crawler.stats
        if taken.waited > 0:
            stats.inc_value("site_budget/waited_ms", int(taken.waited * 1000))
        if taken.missed:
            stats.inc_value("site_budget/slot_missed", taken.missed)
        if taken.voided:
            stats.inc_value("site_budget/slot_voided", taken.voided)
        stats.inc_value("site_budget/requests")

    async def heed(self, request: Request, response: Response) -> None:
        """A 429, or a Retry-After on any answer: no worker sends to the site for a while."""
        wait = push_back_seconds(response.status, response.headers.get(b"Retry-After"),
                                 default=self.push_seconds, longest=self.retry_after_max)
        if wait:
            host = urlsplit(request.url).netloc
            self.crawler.stats.inc_value("site_budget/pushed_back")
            self.local_next[host] = max(self.local_next.get(host, 0.0), time.monotonic() + wait)
            await self._shared(budget.push_back, host, wait)

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()
            self.conn = None


class SiteBudgetDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 download handler, each request sent in its slot of the site's
    budget (`SiteBudget`; without a budget, Scrapy's handler as it is).

    The slot is taken here, the last step before the network, and not in a downloader
    middleware: Scrapy runs those before its download slots, where a request then waits
    for DOWNLOAD_DELAY, AutoThrottle and CONCURRENT_REQUESTS_PER_DOMAIN. A request that
    had its budget slot there went out whenever its download slot let it, beside the
    requests other crawls sent in their own slots (three crawls with a 1 s delay and
    AutoThrottle at a budget of 2 requests/s: sent 8.5 s after their slots as the median,
    4 in one second). Here the wait comes after Scrapy's delays, and AutoThrottle's
    latency (measured by the HTTP client) leaves it out.
    """

    # built at the first request of its scheme: one budget (and one database connection)
    # for the scheme the crawl uses, not one more for the other
    lazy = True

    def __init__(self, crawler):
        super().__init__(crawler)
        self.budget = SiteBudget.from_crawler(crawler)

    async def download_request(self, request: Request) -> Response:
        if self.budget is None:
            return await super().download_request(request)
        await self.budget.take_slot(request)
        response = await super().download_request(request)
        await self.budget.heed(request, response)
        return response

    async def close(self) -> None:
        if self.budget is not None:
            await self.budget.close()
        await super().close()
