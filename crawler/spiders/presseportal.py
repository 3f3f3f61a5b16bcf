"""The presseportal spider: walks newsrooms and hands each story page to extraction.

A newsroom is a publisher's (argument `publisher`, ids comma separated: `/nr/{id}`, stories
`/pm/{id}/{sid}`) or a police or fire office's (argument `office`: `/blaulicht/nr/{id}`,
stories `/blaulicht/pm/{id}/{sid}`); one run may walk both kinds. Without either, the
publisher 73811.

It only navigates. What a page says comes from `crawler.extract`; cleaning happens in
the normalise pipeline; the database is reached by the store pipeline and by the
extensions (`crawler.extensions`), which meet the spider in one typed object,
`spider.crawl_state` (`crawler.state.CrawlState`): they fill in which stories are stored,
the newsroom's last validators and a backfill's resume point, and read the walk.

Modes (argument `mode`):
- `incremental` (the default, and the cron job's): newest first, stops at the first
  listing page whose stories are all stored once it reached what the last successful
  run covered; only unknown stories are fetched. A `scrapy crawl presseportal` without
  arguments therefore fetches what is new, as a Scrapy user expects of a crawl, and
  never the whole archive again.
- `full`: every story of the newsroom, stored or not (the store tells new from changed
  from unchanged): a re-check of everything, ask for it by name.
- `backfill`: the whole archive or a `since`/`until` window; unknown stories only,
  or all of them with `refresh=1`.
- `stories`: only the stories named (argument `stories`: story URLs or paths, comma
  separated; the refresh takes them from the site-wide feed), each filed under its own
  newsroom; no listing page is asked for, so the newsrooms' validators and coverage stay
  as the last walk left them (`CrawlPlan.walks_listings`).
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timezone
from typing import Any, AsyncIterator, Iterator
from urllib.parse import urlencode, urlsplit

import scrapy
from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.extract.completeness import missing_end
from crawler.extract.encoding import decode_html
from crawler.extract.listing import Card, Listing, extract_listing
from crawler.extract.story import ExtractionError, extract_story
from crawler.items import Newsroom, RawRelease, story_ref
from crawler.normalize.dates import BERLIN, DateParseError, parse_published
from crawler.profiles import (
    EMBEDDED_DATABASES,
    PROFILES,
    ProfileError,
    profile_named,
    user_agent,
    warn_missing_contact,
)
from crawler.profiles import check as check_profile
from crawler.signals import DroppedAtStop, failure_reason, page_failed
from crawler.spiders.arguments import refuse_empty, refuse_unknown
from crawler.spiders.batch import ExtractionBatch
from crawler.state import CrawlPlan, CrawlState, ListingPage, NewsroomWalk, Validators, parse_newsrooms

logger = logging.getLogger(__name__)

MODES = ("full", "incremental", "backfill", "stories")
# how often a crawl looks at the first listing page again for stories published meanwhile
MAX_RECHECKS = 3
NEWSROOM_PATH = re.compile(r"/nr/\d+(?:/(?P<offset>\d+))?/?$")  # /nr/... and /blaulicht/nr/...
# a page of the walk may hold one story more than the first (a pinned story) or less:
# fewer than the first page's count minus this, with a next page linked, lost cards
PINNED_SLACK = 1


class PresseportalSpider(scrapy.Spider):
    name = "presseportal"

    def __init__(
        self,
        publisher: str | None = None,
        mode: str = "incremental",
        since: str | None = None,
        until: str | None = None,
        refresh: str | bool = False,
        office: str | None = None,
        stories: str | None = None,
        **kwargs: Any,
    ) -> None:
        refuse_unknown(type(self), kwargs)
        refuse_empty(publisher=publisher, office=office)
        super().__init__(**kwargs)
        self.crawl_state = CrawlState(crawl_plan(
            publisher=publisher, office=office, mode=mode, since=since, until=until, refresh=refresh,
            stories=stories))

    @property
    def plan(self) -> CrawlPlan:
        return self.crawl_state.plan

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        # a profile given with -s (or Scrapyd's setting=) brings its settings along, as one
        # from the environment does in crawler/settings.py
        priority = settings.getpriority("PRESSEPORTAL_PROFILE")
        try:
            profile = profile_named(settings.get("PRESSEPORTAL_PROFILE"))
        except ProfileError:
            profile = ""  # refused by `check_profile` in from_crawler
        for name, value in PROFILES.get(profile, {}).items():
            if settings.getpriority(name) <= priority:
                settings.set(name, value, priority=priority)
        # and its embedded database, unless one was named (a profile's default database
        # at a lower priority is the environment's profile speaking, not the user)
        database = settings.get("EMBEDDED_DATABASE")
        if profile and database in EMBEDDED_DATABASES.values() and settings.getpriority("EMBEDDED_DATABASE") < priority:
            settings.set("EMBEDDED_DATABASE", EMBEDDED_DATABASES[profile], priority=priority)
        # a contact given with -s (the environment's is in the settings already) goes
        # into the User-Agent, unless the User-Agent itself was set
        contact = settings.get("PRESSEPORTAL_CONTACT")
        if contact and settings.getpriority("USER_AGENT") < settings.getpriority("PRESSEPORTAL_CONTACT"):
            settings.set("USER_AGENT", user_agent(contact), priority=settings.getpriority("PRESSEPORTAL_CONTACT"))

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        # no delays are only for loopback; an unknown profile, or a contact that reaches
        # nobody, is an error (ProfileError)
        check_profile(crawler.settings.get("PRESSEPORTAL_PROFILE") or "live",
                      crawler.settings.get("PRESSEPORTAL_BASE_URL"), crawler.settings.get("PRESSEPORTAL_CONTACT"))
        # an identified bot: a crawl of the live site without a contact says so, at its start
        warn_missing_contact(spider.logger, crawler.settings.get("PRESSEPORTAL_BASE_URL"),
                             crawler.settings.get("USER_AGENT"))
        spider.base_url = crawler.settings.get("PRESSEPORTAL_BASE_URL").rstrip("/")
        # requests go to this host only (Scrapy's offsite handling; the project's
        # crawler.middlewares.SiteOnlyMiddleware records what it refuses)
        spider.allowed_domains = [urlsplit(spider.base_url).hostname]
        spider.extractions = ExtractionBatch(extract_story, size=crawler.settings.getint("EXTRACTION_BATCH_SIZE"),
                                             wait=crawler.settings.getfloat("EXTRACTION_BATCH_WAIT"))
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._on_dropped, signal=signals.request_dropped)
        return spider

    # --- navigation -------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        state = self.crawl_state
        if not self.plan.walks_listings:
            for request in self.named_story_requests():
                yield request
            return
        for newsroom in self.plan.newsrooms:
            # stories an interrupted backfill could not fetch before its resume point
            for story_id in state.retry_story_ids.get(newsroom, ()):
                state.seen_story_ids.add(story_id)
                yield self.story_request(Card(story_id, newsroom.id, self.story_url(newsroom, story_id),
                                              newsroom_kind=newsroom.kind))
            offset = state.resume_offsets.get(newsroom, 0)
            if offset:
                self.logger.info("resuming the %s of %s at listing offset %d",
                                 "refresh" if self.plan.refresh else "backfill", newsroom, offset)
            request = self.listing_request(newsroom, offset)
            validators = state.listing_validators.get(newsroom)
            if self.plan.mode == "incremental" and not offset and validators:
                request = self.conditional(request, validators)
            yield request

    def named_story_requests(self) -> list[scrapy.Request]:
        """Mode `stories`: a request per story named and not stored yet (a cron walk may
        have fetched it since the refresh named it)."""
        state, requests = self.crawl_state, []
        for newsroom, story_id in self.plan.stories:
            if story_id in state.known_story_ids or story_id in state.seen_story_ids:
                continue
            state.seen_story_ids.add(story_id)
            requests.append(self.story_request(Card(story_id, newsroom.id, self.story_url(newsroom, story_id),
                                                    newsroom_kind=newsroom.kind)))
        self.crawler.stats.inc_value("presseportal/stories_queued", len(requests))
        return requests

    def newsroom_url(self, newsroom: Newsroom, offset: int) -> str:
        url = self.base_url + newsroom.listing_path(offset)
        window = {}
        if self.plan.since:
            window["startDate"] = self.plan.since.isoformat()
        if self.plan.until:
            window["endDate"] = self.plan.until.isoformat()
        if window:
            # the site's own date window: the listing then holds only the wanted stories
            window.setdefault("startDate", "2000-01-01")
            window.setdefault("endDate", datetime.now(BERLIN).date().isoformat())
            url += "?" + urlencode(window)
        return url

    def listing_request(self, newsroom: Newsroom, offset: int, *, url: str | None = None,
                        recheck: bool = False, page_index: int = 0) -> scrapy.Request:
        return scrapy.Request(
            url or self.newsroom_url(newsroom, offset),
            callback=self.parse_listing,
            errback=self.listing_failed,
            cb_kwargs={"newsroom": newsroom, "offset": offset, "recheck": recheck},
            # a recheck fetches the first page a second time on purpose
            dont_filter=recheck,
            priority=listing_priority(page_index),
        )

    @staticmethod
    def conditional(request: scrapy.Request, validators: Validators) -> scrapy.Request:
        # the cron job's cheapest answer: 304, the newsroom has not changed since the last run
        headers = {}
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        meta = {**request.meta, "handle_httpstatus_list": [304]}
        return request.replace(headers=headers, meta=meta)

    def parse_listing(self, response: Response, newsroom: Newsroom, offset: int,
                      recheck: bool = False) -> list[scrapy.Request]:
        """One newsroom page: its stories to fetch, then the next page (a list, as
        parse_story returns one: a generator callback has its source parsed by Scrapy
        for every response, a cron run's one listing page included)."""
        return list(self.listing_requests(response, newsroom, offset, recheck))

    def listing_requests(self, response: Response, newsroom: Newsroom, offset: int,
                         recheck: bool) -> Iterator[scrapy.Request]:
        """parse_listing's requests, in named steps."""
        if response.status == 304:
            self.logger.info("newsroom %s unchanged since the last run (304)", newsroom)
            self.crawler.stats.inc_value("presseportal/listing_not_modified")
            return
        if missing := missing_end(response.body):
            yield from self.retry_or_fail(response, "listing", missing)
            return
        walk = self.crawl_state.walks[newsroom]
        self.remember_validators(response, newsroom, offset)
        walk.offsets_seen.add(offset)
        self.crawler.stats.inc_value("presseportal/listing_pages")
        listing = extract_listing(decode_html(response.body, response_charset(response)), response.url)
        cards = self.own_cards(listing.cards, newsroom)
        if not walk.page_size and not recheck:
            walk.page_size = len(cards)
        if offset == 0 and cards and not self.plan.windowed:
            walk.top_story_id = max(walk.top_story_id, max(card.story_id for card in cards))
        self.check_first_page(response, offset, cards)
        complete = self.check_cards_lost(response, listing, cards, walk)
        unseen = [card for card in cards if card.story_id not in self.crawl_state.seen_story_ids]
        wanted, older_than_window = self.select_stories(unseen, new_only=recheck)
        for card in wanted:
            yield self.story_request(card, page_index=len(walk.pages))
        queued = [card.story_id for card in wanted]
        if not recheck:
            walk.pages.append(ListingPage(offset, len(cards), queued, complete))
        if queued:
            walk.found_new = True
        self.crawler.stats.inc_value("presseportal/stories_queued", len(queued))
        # past a page that lost its cards the walk goes on: the pages after it are whole
        if not complete or self.should_continue(newsroom, cards, unseen, len(queued),
                                                older_than_window, recheck=recheck):
            request = self.next_listing_request(walk, listing.next_url, offset, len(cards))
            if request is not None:
                yield request

    def remember_validators(self, response: Response, newsroom: Newsroom, offset: int) -> None:
        # the first page's ETag / Last-Modified: the next cron run asks with them
        if offset == 0 and "?" not in response.url:
            self.crawl_state.seen_validators[newsroom] = Validators(
                etag=response.headers.get(b"ETag", b"").decode("latin-1"),
                last_modified=response.headers.get(b"Last-Modified", b"").decode("latin-1"),
            )

    @staticmethod
    def own_cards(cards: list[Card], newsroom: Newsroom) -> list[Card]:
        # "Weitere Storys" of other newsrooms can sit on the page: this newsroom's only
        # (an office and a publisher may share an id: the kind counts too)
        return [card for card in cards if card.newsroom == newsroom]

    def check_first_page(self, response: Response, offset: int, cards: list[Card]) -> None:
        if offset == 0 and not cards and not self.plan.windowed:
            # a newsroom's first page always lists stories: none found means the markup
            # changed (or the newsroom id is wrong), and cron must hear about it
            self.fail_page(response.url, "listing", "no story cards of this newsroom on the "
                           "newsroom's first page", response.text[:500])

    def check_cards_lost(self, response: Response, listing: Listing, cards: list[Card],
                         walk: NewsroomWalk) -> bool:
        """False (and the page recorded as failed) when the page links a next page but
        holds fewer cards than a page holds: cards went missing (an empty page in the
        middle of the archive, a page the site rendered short)."""
        if listing.next_url is None or walk.page_size == 0:
            return True
        if len(cards) >= walk.page_size - PINNED_SLACK:
            return True
        self.fail_page(response.url, "listing",
                       f"{len(cards)} story cards where a page holds {walk.page_size}, "
                       "and a next page is linked: cards are missing", response.text[:500])
        return False

    def select_stories(self, unseen: list[Card], *, new_only: bool = False) -> tuple[list[Card], bool]:
        """The cards whose stories to fetch, and whether a card older than the window
        turned up (newest first: the walk can stop). `new_only`: stored stories are
        skipped whatever the plan (a recheck looks for stories published meanwhile)."""
        state, plan = self.crawl_state, self.plan
        wanted: list[Card] = []
        older_than_window = False
        for card in unseen:
            state.seen_story_ids.add(card.story_id)
            when = card_day(card)
            state.note_day(when)
            if when is not None and plan.until and when > plan.until:
                continue
            if when is not None and plan.since and when < plan.since:
                older_than_window = True
                continue
            if (plan.skips_known or new_only) and card.story_id in state.known_story_ids:
                continue
            if card.story_id in state.refreshed_story_ids:
                continue
            wanted.append(card)
        return wanted, older_than_window

    def should_continue(self, newsroom: Newsroom, cards: list[Card], unseen: list[Card],
                        to_fetch: int, older_than_window: bool, *, recheck: bool = False) -> bool:
        if not cards or not unseen:
            # an empty page, or only stories seen on earlier pages: the end of the newsroom
            # (or offsets shifted by new stories, which the recheck at the end catches)
            return False
        if older_than_window:
            return False  # newest first: everything after this is older still
        if recheck and to_fetch == 0:
            # a recheck looks for stories published meanwhile: they sit at the top only.
            # (A resumed backfill must not walk its stored prefix again.)
            return False
        if self.plan.mode == "incremental" and to_fetch == 0 and self.reaches_coverage(newsroom, cards):
            return False  # all stored, and what follows was covered by a successful run
        return True

    def reaches_coverage(self, newsroom: Newsroom, cards: list[Card]) -> bool:
        """Whether this page reaches what the last successful run covered: everything from
        there down is stored. After a failed or partial run a fully stored page higher up
        proves nothing about the pages below it (the run may have stopped in between), so
        the cron walk goes on to here. Unknown coverage: the walk goes on to the end."""
        covered = self.crawl_state.covered_through.get(newsroom)
        # story ids grow with time (SITE.md): an id at or below the mark is covered
        return covered is not None and min(card.story_id for card in cards) <= covered

    def next_listing_request(self, walk: NewsroomWalk, next_url: str | None, offset: int,
                             cards: int) -> scrapy.Request | None:
        """The next page: the page's own next link, else the offset counted on from a
        full page; None at the end or on an offset already walked."""
        next_offset = offset_of(next_url) if next_url else None
        if next_offset is None:
            # the site counts its own stories only ("Weitere Storys" of others are extra)
            next_offset = offset + cards
        guessed = False
        if next_url is None and looks_full(cards, walk.page_size):
            # no next link, but a full page: count on, as the site's offsets do
            next_url = self.newsroom_url(walk.newsroom, next_offset)
            guessed = True
        if next_url is None or next_offset in walk.offsets_seen:
            return None
        request = self.listing_request(walk.newsroom, next_offset, url=next_url,
                                       page_index=len(walk.pages))
        request.meta["offset_guessed"] = guessed
        return request

    def story_url(self, newsroom: Newsroom, story_id: int) -> str:
        return self.base_url + newsroom.story_path(story_id)

    def story_request(self, card: Card, page_index: int = 0) -> scrapy.Request:
        return scrapy.Request(
            self.story_url(card.newsroom, card.story_id),
            callback=self.parse_story,
            errback=self.story_failed,
            cb_kwargs={"card": card},
            # kept through redirects and retries: whoever gives up on the request names the story
            meta={"story_id": card.story_id},
            priority=story_priority(page_index),
        )

    async def parse_story(self, response: Response, card: Card) -> list[RawRelease | scrapy.Request]:
        # returns a list, never yields: Scrapy checks a generator callback for `return
        # value` by reading its source (inspect.getsource + ast.parse), and its cache of
        # the answer forgets a bound method as soon as its request is gone, so it did so
        # per story (about 5% of a backfill's CPU). The list: the release, a retry of a
        # page cut short, or nothing (the failure is recorded). A coroutine: the page
        # waits for the extraction batch (crawler/spiders/batch.py)
        if missing := missing_end(response.body):
            return list(self.retry_or_fail(response, "fetch", missing))
        requested = (card.newsroom, card.story_id)
        requested_url = self.story_url(*requested)
        ref = story_ref(response.url)
        answered = (ref.newsroom, ref.story_id) if ref is not None else None
        if answered != requested:
            # redirected to another story (or away from stories): its page must not be
            # filed under the story asked for, nor stored in a run of another newsroom
            self.fail_page(requested_url, "identity", f"asked for story {describe_ids(requested)}, "
                           f"the site answered with {response.url} ({describe_ids(answered)}): not stored",
                           story_id=card.story_id)
            return []
        html = decode_html(response.body, response_charset(response))
        try:
            # the card's date is the last layer, for a page that shows none
            release = await self.extractions.extract(html, response.url, listing_date=card.date_raw)
        except ExtractionError as exc:
            self.fail_page(response.url, "extract", str(exc), html[:500], story_id=card.story_id)
            return []
        self.requested_identity(release, card, requested_url)
        # the raw record, as the page says it; NormalizePipeline makes the clean Release
        release.fetched_at = datetime.now(timezone.utc)
        release.http_status = response.status
        release.raw_html = html
        self.crawler.stats.inc_value("presseportal/stories_parsed")
        return [release]

    def requested_identity(self, release: RawRelease, card: Card, url: str) -> None:
        """File the release under the ids that were asked for (in place). A page whose own
        ids (canonical link, og:url, JSON-LD) name another story is recorded, never
        written over that story: the URL requested is what the crawl knows the story by."""
        own = (Newsroom(release.newsroom_kind, release.publisher_id), release.story_id)
        requested = (card.newsroom, card.story_id)
        if own == requested:
            return
        layer = release.sources.get("story_id", "?")
        self.fail_page(url, "identity", f"the page names story {describe_ids(own)} ({layer}) where story "
                       f"{describe_ids(requested)} was asked for: stored under {describe_ids(requested)}",
                       story_id=card.story_id)
        release.publisher_id, release.story_id, release.url = card.publisher_id, card.story_id, url
        release.newsroom_kind = card.newsroom_kind
        release.sources.update(story_id="url", publisher_id="url")

    # --- failures ----------------------------------------------------------------------

    def retry_or_fail(self, response: Response, stage: str, reason: str):
        """A page that arrived cut short: asked for again (Scrapy's retry budget,
        RETRY_TIMES), then recorded as failed."""
        retry = get_retry_request(response.request, spider=self, reason="incomplete page")
        if retry is not None:
            self.logger.warning("%s: %s; asking again", response.url, reason)
            yield retry
            return
        self.fail_page(response.url, stage, reason, response.text[-500:] if hasattr(response, "text") else "",
                       story_id=response.meta.get("story_id"))

    def fail_page(self, url: str, stage: str, reason: str, snippet: str = "",
                  story_id: int | None = None) -> None:
        logger.error("could not %s %s: %s", STAGE_VERBS.get(stage, stage), url, reason)
        self.crawler.stats.inc_value(f"presseportal/failed/{stage}")
        self.crawler.signals.send_catch_log(
            page_failed, url=url, stage=stage, reason=reason, snippet=snippet, story_id=story_id
        )

    def story_failed(self, failure: Failure):
        if failure.check(DroppedAtStop):
            return  # never sent: the next run asks for it
        request = failure.request
        self.fail_page(request.url, "fetch", failure_reason(failure), story_id=request.meta.get("story_id"))

    def listing_failed(self, failure: Failure):
        if failure.check(DroppedAtStop):
            return
        request = failure.request
        response = getattr(failure.value, "response", None)
        if response is not None and response.status == 404 and request.meta.get("offset_guessed"):
            # counted past the last page (which had no next link): the newsroom ends here.
            # A 404 on a page the site itself linked to is a failure, below.
            return
        reason = failure_reason(failure)
        if response is not None and response.status == 404 and request.cb_kwargs.get("offset") == 0:
            # the site answers 404 for a newsroom id it does not know
            newsroom = request.cb_kwargs["newsroom"]
            self.crawl_state.unknown_newsrooms.add(newsroom)
            reason = (f"{newsroom.kind} newsroom {newsroom.id} does not exist on "
                      f"{self.base_url} (HTTP 404): check the {newsroom.kind} id")
        self.fail_page(request.url, "listing", reason)

    def _on_dropped(self, request: scrapy.Request, spider=None) -> None:
        # The scheduler drops a request it has seen. A redirect that comes back to a URL
        # already asked for is a loop: the story would vanish without a word.
        chain = request.meta.get("redirect_urls")
        if chain:
            self.fail_page(chain[0], "redirect", "redirect loop: " + " -> ".join([*chain, request.url]),
                           story_id=request.meta.get("story_id"))

    # --- stories published while the crawl pages --------------------------------------

    def _on_idle(self, spider) -> None:
        # New stories push older ones down: a story can slip from page N to page N+1
        # between two requests, where the walk has seen it already (no harm) or a story
        # published after page 1 was read is missed. One more look at the top finds those.
        if self.plan.mode == "full":
            return
        for walk in self.crawl_state.walks.values():
            if walk.found_new and walk.rechecks < MAX_RECHECKS:
                walk.found_new = False
                walk.rechecks += 1
                walk.offsets_seen.clear()
                self.crawler.engine.crawl(self.listing_request(walk.newsroom, 0, recheck=True))
                raise scrapy.exceptions.DontCloseSpider


# The walk goes page by page, one listing page ahead of the stories: listing page i+1
# (asked for when page i is read) comes just above page i's stories and below page
# i-1's, so it is fetched while the last stories of page i-1 are in flight and page
# i's stories follow without the download slots sitting idle at each page boundary
# (the listing's round trip is the live site's whole cost there). At most two listing
# pages' stories are pending at once: requests pending stay few (memory stays flat
# over any archive size) and stories are stored in walk order, which is what lets a
# backfill's resume point move forward (crawler.extensions.BackfillCursor).
def story_priority(page_index: int) -> int:
    return -2 * page_index


def listing_priority(page_index: int) -> int:
    """Listing page `page_index` (0 the first): just above the stories of the page before it."""
    return story_priority(page_index - 1) + 1


def offset_of(url: str) -> int | None:
    """The listing offset in a newsroom URL (`/nr/{pid}/{offset}`; none is 0)."""
    try:
        path = urlsplit(url).path
    except ValueError:  # a next link no URL parser reads
        return None
    match = NEWSROOM_PATH.search(path)
    if match is None:
        return None
    return int(match.group("offset") or 0)


def looks_full(cards: int, page_size: int) -> bool:
    # A page may hold a story more or less than the first one (a pinned story; 27 or 30
    # a page over the years): near the first page's size counts as full. A guess past
    # the end costs one request that answers 404 or an empty page.
    return page_size > 0 and cards >= page_size - 3


# "could not <verb> <url>: <reason>", per stage of a failed page
STAGE_VERBS = {"fetch": "fetch", "listing": "read the newsroom page", "extract": "extract a release from",
               "identity": "file under the story asked for", "redirect": "follow the redirects of"}


def crawl_plan(*, publisher: str | int | None = None, office: str | int | None = None,
               mode: str = "incremental", since: str | None = None, until: str | None = None,
               refresh: str | bool = False, stories: str | None = None) -> CrawlPlan:
    """The spider's arguments, checked: a `CrawlPlan`, or ValueError with one line that
    names the argument (for `scrapy crawl -a`, the CLI and Scrapyd alike). Without
    `publisher` and `office`, the publisher 73811. Mode `stories` takes `stories` (story
    URLs or paths, comma separated) and no newsroom nor window: its newsrooms are the
    stories'."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "stories" or stories:
        if mode != "stories":
            raise ValueError("stories are given to mode stories only")
        if publisher not in (None, "") or office not in (None, "") or since or until:
            raise ValueError("mode stories takes the stories only: no publisher, office, since or until")
        named = parse_stories(stories or "")
        return CrawlPlan(mode=mode, newsrooms=tuple(dict.fromkeys(n for n, _ in named)), stories=named)
    newsrooms = tuple(parse_newsrooms(publisher, office))
    first, last = parse_window(since, until)
    flag = str(refresh).lower()
    if flag not in ("0", "1", "true", "false", "yes", "no", "on", "off", ""):
        raise ValueError(f"refresh is 1 or 0, not {refresh!r}")
    return CrawlPlan(mode=mode, newsrooms=newsrooms, since=first, until=last,
                     refresh=flag in ("1", "true", "yes", "on"))


def parse_stories(value: str) -> tuple[tuple[Newsroom, int], ...]:
    """The stories of "/pm/73811/5,https://host/blaulicht/pm/99001/6" (story URLs or paths,
    comma separated, repeats dropped) as (newsroom, story id); ValueError naming the first
    part that is no story URL, or when none is given."""
    named = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        ref = story_ref(part)
        if ref is None:
            raise ValueError(f"stories are story URLs or paths like /pm/73811/5, got {part!r}")
        named.append((ref.newsroom, ref.story_id))
    if not named:
        raise ValueError("no story given")
    return tuple(dict.fromkeys(named))


def parse_day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} must be a date like 2024-01-31, not {value!r}") from None


def parse_window(since: str | None, until: str | None) -> tuple[date | None, date | None]:
    """The `since`/`until` days of a date window, both optional; ValueError when wrong."""
    first, last = parse_day(since, "since"), parse_day(until, "until")
    if first and last and first > last:
        raise ValueError(f"since ({first}) is after until ({last})")
    return first, last


def card_day(card: Card) -> date | None:
    """The Berlin calendar day a listing card shows, when it shows one we can read."""
    if not card.date_raw:
        return None
    try:
        parsed = parse_published(card.date_raw)
    except DateParseError:
        return None
    return parsed.instant.astimezone(BERLIN).date()


def describe_ids(ids: tuple[Newsroom, int] | None) -> str:
    """A story for people, by its path ("/pm/73811/5" or "/blaulicht/pm/99001/5")."""
    return ids[0].story_path(ids[1]) if ids else "no story"


def response_charset(response: Response) -> str | None:
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    for part in content_type.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip("\"'")
    return None
