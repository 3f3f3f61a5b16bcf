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

The feed's request takes its slot of the site's budget like every crawl request.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import aiohttp

from crawler import db
from crawler.db import budget
from crawler.db import queue as queue_db
from crawler.extract.feed import FeedEntry, extract_feed
from crawler.items import Newsroom

SITE_FEED_PATH = "/rss/presseportal.rss2"
CURSOR_KEY = "refresh:site-feed"


@dataclass(frozen=True)
class SiteAccess:
    """How the refresh reaches the site: its base URL, the User-Agent, the site's budget
    (requests per second for all workers; 0: none) and the request timeout (seconds)."""

    base_url: str
    user_agent: str
    budget: float = 1.0
    timeout: float = 30.0

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


async def fetch_site_feed(url: str, site: SiteAccess) -> list[FeedEntry]:
    """GET the site-wide feed within the site's budget (the store at `url` holds it);
    raises aiohttp.ClientError or TimeoutError when the site does not answer well."""
    if site.budget > 0:
        conn = await budget.connect_async(url)
        try:
            wait = await budget.reserve_slot(conn, site.host, site.budget)
        finally:
            await conn.close()
        await asyncio.sleep(wait)
    timeout = aiohttp.ClientTimeout(total=site.timeout)
    async with aiohttp.ClientSession(timeout=timeout, headers={"User-Agent": site.user_agent}) as http:
        async with http.get(site.feed_url) as response:
            response.raise_for_status()
            body = await response.read()
    return extract_feed(body, site.feed_url)


def read_store(url: str, entries: list[FeedEntry]) -> tuple[list[Newsroom], set[int], int | None]:
    """(followed newsrooms, which feed stories are stored, the newest id the last cycle saw)."""
    with db.connect(url) as conn:
        cursor = db.get_cursor(conn, CURSOR_KEY) or {}
        return (queue_db.followed_newsrooms(conn),
                queue_db.stored_among(conn, [e.story_id for e in entries]),
                cursor.get("newest_story_id"))


def remember(url: str, plan: RefreshPlan) -> None:
    if plan.newest_story_id is not None:
        with db.connect(url) as conn:
            db.set_cursor(conn, CURSOR_KEY, {"newest_story_id": plan.newest_story_id})
