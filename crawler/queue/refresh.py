"""The cheap refresh of many followed newsrooms: one request tells which have news.

The site-wide feed (`/rss/presseportal.rss2`, every new story newest first; SITE.md)
names each new story's newsroom. A refresh cycle fetches it once and puts one job on the
queue for the stories of followed newsrooms (every newsroom the store has met) that the
store lacks: `presseportal crawl --story ...` fetches those stories and nothing else, each
filed under its newsroom (about one request per new story; a newsroom without news costs
nothing). It walks no listing, so it leaves the newsrooms' coverage and validators as the
last walk left them: the next walk of a newsroom still goes down to that coverage and
finds any older story the feed did not name.

Two safety nets: the feed holds only the newest stories, so when even its oldest story is
newer than the newest one the last cycle saw (a gap: more news than the feed holds, or
the first cycle), the cycle sweeps every followed newsroom instead (a cron crawl job
each); and the `sweep` task (daily by default) does the same on purpose, each crawl a
conditional GET (304: one request, nothing else).

The feed is asked for as a crawl asks for a page (`fetch_site_feed`): robots.txt obeyed,
each request in its slot of the site's budget (`crawler.db.budget.take_shared_slot`, the
rule the crawl's `SiteBudgetDownloadHandler` follows), and a 429 or a Retry-After written into the budget
(`push_back`) before the cycle gives up, so that no worker asks the site again before it
said. robots.txt is read at most once an hour (`ROBOTS_MAX_AGE_SECONDS`) for every worker:
its reading is kept in the store (`crawl_cursors`, `refresh:robots:{host}`), so a cycle
normally costs the feed's request alone, as a Scrapy crawl reads robots.txt once for all
its requests.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import aiohttp

from crawler import db
from crawler.db import budget
from crawler.db import queue as queue_db
from crawler.extract.feed import FeedEntry, extract_feed
from crawler.items import Newsroom
from crawler.profiles import push_back_seconds, robots_rules

SITE_FEED_PATH = "/rss/presseportal.rss2"
CURSOR_KEY = "refresh:site-feed"
# how long the refresh trusts the robots.txt it read (for every worker: it is kept in the
# store); a Scrapy crawl reads it once per run, Google's crawlers keep it up to a day
ROBOTS_MAX_AGE_SECONDS = 3600
# how much of a robots.txt is kept: what RFC 9309 (2.5) asks a crawler to parse at least
ROBOTS_MAX_BYTES = 500 * 1024


@dataclass(frozen=True)
class SiteAccess:
    """How the refresh reaches the site: its base URL, the User-Agent, the site's budget
    (requests per second for all workers; 0: none), the request timeout (seconds), how
    long a 429 without Retry-After holds every worker back and the longest hold any
    answer gets (seconds: SITE_BUDGET_PUSH_SECONDS, RETRY_AFTER_MAX_SECONDS), and whether
    robots.txt is obeyed (ROBOTSTXT_OBEY)."""

    base_url: str
    user_agent: str
    budget: float = 1.0
    timeout: float = 30.0
    push_seconds: float = 5.0
    retry_after_max: float = 300.0
    obey_robots: bool = True

    @property
    def feed_url(self) -> str:
        return self.base_url.rstrip("/") + SITE_FEED_PATH

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc


@dataclass(frozen=True)
class RefreshPlan:
    """What one cycle decided: the newsrooms to walk (swept) or with news, the stories
    to fetch, and why."""

    newsrooms: list[Newsroom]  # swept: every followed one, each walked; else those with news
    new_stories: int  # feed stories of followed newsrooms the store lacks
    swept: bool  # every followed newsroom (a gap in the feed, the first cycle, or asked)
    newest_story_id: int | None
    stories: list[str] = field(default_factory=list)  # not swept: the paths of those new stories


def plan_refresh(entries: list[FeedEntry], followed: list[Newsroom], stored: set[int],
                 last_newest: int | None, *, sweep: bool = False) -> RefreshPlan:
    """Which followed newsrooms to crawl after reading the site-wide feed (pure).

    `stored`: which of the feed's story ids the store holds; `last_newest`: the newest
    story id the previous cycle saw (None: no previous cycle). Story ids grow with time
    (SITE.md), so a feed whose oldest story is newer than `last_newest` may have missed
    stories: then every followed newsroom is crawled.
    """
    ids = [e.story_id for e in entries]
    newest = max(ids, default=last_newest)
    gap = last_newest is None or (bool(ids) and min(ids) > last_newest)
    if sweep or gap:
        return RefreshPlan(list(followed), 0, True, newest)
    wanted = set(followed)
    fresh = list({e.story_id: e for e in entries
                  if newsroom_of(e) in wanted and e.story_id not in stored}.values())
    return RefreshPlan(sorted({newsroom_of(e) for e in fresh}), len(fresh), False, newest,
                       stories=[newsroom_of(e).story_path(e.story_id) for e in fresh])


def newsroom_of(entry: FeedEntry) -> Newsroom:
    return Newsroom(entry.newsroom_kind, entry.publisher_id)


class SiteRefused(Exception):
    """The site-wide feed could not be had politely this cycle (why, in one line): the
    site asked to wait (the budget pushed back), robots.txt forbids the feed or could not
    be read, or the site did not answer well. The next cycle asks again."""


async def fetch_site_feed(url: str, site: SiteAccess) -> list[FeedEntry]:
    """GET the site-wide feed as a crawl asks for a page (the store at `url` holds the
    site's budget and the robots.txt last read): robots.txt obeyed, each request in its
    slot, a 429 or Retry-After pushing the budget back for every worker. The feed's
    entries, newest first; `SiteRefused` when there is no feed to read this cycle."""
    conn = await budget.connect_async(url) if site.budget > 0 else None
    try:
        timeout = aiohttp.ClientTimeout(total=site.timeout)
        async with aiohttp.ClientSession(timeout=timeout, headers={"User-Agent": site.user_agent}) as http:
            if site.obey_robots:
                rules = await robots_txt(url, site, http, conn)
                if not rules.can_fetch(site.feed_url, site.user_agent):
                    raise SiteRefused(f"robots.txt forbids {SITE_FEED_PATH}")
            status, body = await polite_get(site, http, conn, SITE_FEED_PATH)
    finally:
        if conn is not None:
            await conn.close()
    if not 200 <= status < 300:
        raise SiteRefused(f"{SITE_FEED_PATH} answered {status}")
    return extract_feed(body, site.feed_url)


async def robots_txt(url: str, site: SiteAccess, http: aiohttp.ClientSession, conn):
    """The site's robots.txt rules (`profiles.robots_rules`): the reading kept in the
    store while younger than ROBOTS_MAX_AGE_SECONDS, else robots.txt asked for (in its
    slot) and its reading kept. A robots.txt that is not there allows everything; one
    that cannot be read (a 5xx, no answer) is `SiteRefused`: no feed request this cycle."""
    key = f"refresh:robots:{site.host}"
    kept = await asyncio.to_thread(_with_store, url, db.get_cursor, key)
    if kept and 0 <= time.time() - kept["read_at"] < ROBOTS_MAX_AGE_SECONDS:
        return robots_rules(kept["status"], kept["body"].encode("utf-8"))
    status, body = await polite_get(site, http, conn, "/robots.txt")
    body = body[:ROBOTS_MAX_BYTES] if 200 <= status < 300 else b""
    rules = robots_rules(status, body)
    if rules is None:
        raise SiteRefused(f"robots.txt answered {status}: no feed request this cycle")
    await asyncio.to_thread(_with_store, url, db.set_cursor, key, {
        "status": status, "body": body.decode("utf-8", errors="ignore"), "read_at": time.time()})
    return rules


async def polite_get(site: SiteAccess, http: aiohttp.ClientSession, conn, path: str) -> tuple[int, bytes]:
    """GET `path` of the site in its slot of the budget (`conn`: the store's; None: no
    budget): (status, body). An answer asking to wait (429, Retry-After) first pushes the
    budget back for every worker, then is `SiteRefused`, as is no answer at all."""
    if conn is not None:
        await budget.take_shared_slot(conn, site.host, site.budget)
    try:
        async with http.get(site.base_url.rstrip("/") + path) as response:
            status, retry_after = response.status, response.headers.get("Retry-After")
            body = await response.read()
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise SiteRefused(f"GET {path}: {exc or type(exc).__name__}") from None
    wait = push_back_seconds(status, retry_after, default=site.push_seconds, longest=site.retry_after_max)
    if wait:
        if conn is not None:
            await budget.push_back(conn, site.host, wait)
        raise SiteRefused(f"{path} answered {status}: the site asked to wait {wait:g} s"
                          + (", and every worker does" if conn is not None else ""))
    return status, body


def _with_store(url: str, call, *args):
    with db.connect(url) as conn:
        return call(conn, *args)


def read_store(url: str, entries: list[FeedEntry]) -> tuple[list[Newsroom], set[int], int | None]:
    """(followed newsrooms, which feed stories are stored, the newest id the last cycle saw)."""
    with db.connect(url) as conn:
        cursor = db.get_cursor(conn, CURSOR_KEY) or {}
        return (queue_db.followed_newsrooms(conn),
                queue_db.stored_among(conn, [e.story_id for e in entries]),
                cursor.get("newest_story_id"))


def remember(url: str, plan: RefreshPlan) -> None:
    if plan.newest_story_id is not None:
        _with_store(url, db.set_cursor, CURSOR_KEY, {"newest_story_id": plan.newest_story_id})
