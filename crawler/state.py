"""The state of one crawl that the spider and the extensions share: one typed object.

The spider owns it (`spider.crawl_state`); extensions read and write it only through
these fields:

- in, before the first request: `known_story_ids`, `listing_validators` and
  `covered_through` (the run record, from PostgreSQL), `resume_offsets`,
  `retry_story_ids` and `refreshed_story_ids` (the backfill cursor);
- out, as the walk goes: `walks` (pages walked per newsroom), `seen_validators`,
  `newest_day` / `oldest_day` (progress).

A newsroom is a `crawler.items.Newsroom`, (kind, id): a publisher's and a police or fire
office's may share an id number, so every per-newsroom map is keyed by both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from crawler.items import OFFICE, PUBLISHER, Newsroom

# The modes that read releases from outside the site: an import (dumps, API answers).
# Such a run extracted no page and asked the site nothing, so no health figure of the
# crawl is its own: its field coverage says what a dump held, not how the extractor does
# (kept on its run row, never judged, not the status's, the metrics' or the report's:
# crawler.db.health.last_coverage), and its success is no newsroom's last successful run
# (nor a re-extraction's: only a run that asked the site is, site_crawl in
# crawler/db/sql/014_site_crawls.sql).
IMPORT_MODES: tuple[str, ...] = ("import",)


def extracts_pages(mode: str) -> bool:
    """A run of `mode` extracted its releases from pages (crawl modes, re-extraction)."""
    return mode not in IMPORT_MODES


@dataclass(frozen=True)
class CrawlPlan:
    """What the run was asked to do (spider arguments, checked).

    Modes: "full", "incremental" (cron), "backfill" walk newsrooms; "stories" fetches
    the `stories` named (the site-wide feed's news, crawler/queue/refresh.py) and walks
    no listing; "import" reads releases from files (crawler.spiders.imports),
    "reextract" from the stored pages (crawler.spiders.reextract). `newsrooms`:
    publishers and offices in the order asked for: the newsrooms walked, those of the
    stories, an import's default publisher, or the releases re-extracted; () is all of
    them.
    """

    mode: str
    newsrooms: tuple[Newsroom, ...]
    since: date | None = None
    until: date | None = None
    refresh: bool = False  # backfill: fetch stored stories again
    # mode "stories": the stories to fetch, each (its newsroom, its id), newest first
    stories: tuple[tuple[Newsroom, int], ...] = ()

    @property
    def walks_listings(self) -> bool:
        """The run walks its newsrooms' listing pages. A stories run does not: it saw no
        first page, so it leaves the newsrooms' validators and coverage (`covered_through`)
        alone: a cron walk after it still goes down to the last walk's coverage, and finds
        the older stories the feed did not name."""
        return self.mode != "stories"

    @property
    def visits_newsrooms(self) -> bool:
        """The run asks the site for its newsrooms' listing pages (cron, backfill, full):
        one that succeeds shows they are there, and follows them again if they had been
        unfollowed (crawler/db/newsrooms.py). Not a stories run, an import, a re-extraction."""
        return self.mode in ("incremental", "backfill", "full")

    @property
    def windowed(self) -> bool:
        """Only a `since`/`until` window of the newsroom is walked."""
        return bool(self.since or self.until)

    @property
    def publishers(self) -> tuple[int, ...]:
        """The ids of the publishers' newsrooms asked for."""
        return tuple(n.id for n in self.newsrooms if n.kind == PUBLISHER)

    @property
    def offices(self) -> tuple[int, ...]:
        """The ids of the offices' newsrooms asked for."""
        return tuple(n.id for n in self.newsrooms if n.kind == OFFICE)

    @property
    def skips_known(self) -> bool:
        """Stories already stored are not fetched (cron, and backfills without refresh)."""
        return self.mode in ("incremental", "stories") or (self.mode == "backfill" and not self.refresh)

    @property
    def imports_count_as_stored(self) -> bool:
        """Which stored stories a crawl skips: cron counts imported releases as stored (it
        stays cheap after a big import), and so does a stories run (the refresh that
        names them counts them so); a backfill fetches their pages, which upgrade them."""
        return self.mode in ("incremental", "stories")

    @property
    def window(self) -> str:
        """The date window this run covers, as the run lock names it ("2024-01-01..2024-03-31",
        an open end left empty); "" for a run over the whole newsroom. Two runs over
        different windows of one newsroom may run at once (crawler.db.runs)."""
        if self.mode != "backfill" or not (self.since or self.until):
            return ""
        return f"{self.since or ''}..{self.until or ''}"

    @property
    def locks_newsrooms(self) -> bool:
        """The run takes the per-newsroom lock (crawler.extensions.run_lock). An import
        does not: it fetches nothing, and the store lets a page win over an import in
        whichever order they come (crawler/db/sql/queries/store.sql), so it may run beside
        a crawl; a re-extraction does, as it rewrites releases from their pages. A stories
        run does not either: it moves no resume point, validators nor coverage, and a story
        fetched by it and by a cron walk at once is stored once (the store's upsert), so
        the refresh's news never waits behind a newsroom's long backfill."""
        return self.mode not in ("import", "stories")

    @property
    def watches_coverage(self) -> bool:
        """A low field coverage fails the run: on pages it means the site changed its
        markup. A dump simply lacks fields (a flattened line has no title)."""
        return extracts_pages(self.mode)


@dataclass
class ListingPage:
    """One listing page of a walk: its offset, how many of this newsroom's cards it held,
    the stories queued from it, and whether it was whole (a page that lost cards is
    walked past, but a backfill's resume point stops before it)."""

    offset: int
    cards: int
    queued: list[int]
    complete: bool = True


@dataclass
class NewsroomWalk:
    """Where the walk through one newsroom stands."""

    newsroom: Newsroom
    page_size: int = 0  # this newsroom's cards on the first page (see looks_full)
    found_new: bool = False  # stories to fetch turned up: look at the top once more at the end
    rechecks: int = 0
    # the newest story id on the newsroom's first page (0: not seen in this run); a
    # successful run that saw it records it as the newsroom's coverage (covered_through)
    top_story_id: int = 0
    offsets_seen: set[int] = field(default_factory=set)
    # in walk order: a backfill's resume point is the end of the longest prefix of pages
    # whose stories are all stored
    pages: list[ListingPage] = field(default_factory=list)


@dataclass
class Validators:
    """A newsroom first page's ETag / Last-Modified (for a conditional GET)."""

    etag: str = ""
    last_modified: str = ""

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)

    def as_dict(self) -> dict[str, str]:
        return {"etag": self.etag, "last_modified": self.last_modified}

    @classmethod
    def from_dict(cls, data: dict | None) -> Validators:
        data = data or {}
        return cls(etag=data.get("etag") or "", last_modified=data.get("last_modified") or "")


@dataclass
class CrawlState:
    plan: CrawlPlan
    # in (filled before the first request)
    known_story_ids: set[int] = field(default_factory=set)  # story ids: one sequence for all
    listing_validators: dict[Newsroom, Validators] = field(default_factory=dict)
    # per newsroom, the newest story a successful run saw at the top: every story up to
    # it is stored, so the cron walk may stop at a fully stored page only once it reached
    # it (missing: unknown, the walk goes on to the end)
    covered_through: dict[Newsroom, int] = field(default_factory=dict)
    resume_offsets: dict[Newsroom, int] = field(default_factory=dict)
    # stories an interrupted backfill failed on before its resume point: asked for first
    retry_story_ids: dict[Newsroom, list[int]] = field(default_factory=dict)
    # a resumed refresh: the stories it fetched again before it was interrupted, which the
    # walk skips as a plain backfill skips stored ones (its recheck of the top included)
    refreshed_story_ids: set[int] = field(default_factory=set)
    # out (filled by the walk)
    walks: dict[Newsroom, NewsroomWalk] = field(default_factory=dict)
    seen_story_ids: set[int] = field(default_factory=set)
    seen_validators: dict[Newsroom, Validators] = field(default_factory=dict)
    # newsrooms whose first page answered 404: the site does not know them
    unknown_newsrooms: set[Newsroom] = field(default_factory=set)
    newest_day: date | None = None
    oldest_day: date | None = None

    def __post_init__(self) -> None:
        for newsroom in self.plan.newsrooms:
            self.walks.setdefault(newsroom, NewsroomWalk(newsroom))

    def note_day(self, when: date | None) -> None:
        """Widen the span of listing days seen (for the progress estimate)."""
        if when is None:
            return
        self.newest_day = max(self.newest_day or when, when)
        self.oldest_day = min(self.oldest_day or when, when)


# --- the newsrooms of a run, as people name them -------------------------------------------
# (here, with no Scrapy, for the spider's arguments, the CLI and the cron pre-check alike)

DEFAULT_PUBLISHER = "73811"  # "Public Marketing", New Business Verlag, Hamburg


def parse_publishers(value: str | int, *, kind: str = PUBLISHER) -> list[int]:
    """The ids of "73811,97012" (comma separated, repeats dropped); ValueError when one is
    not a number or none is given. `kind` names them in the message ("office ids ...")."""
    ids = []
    for part in str(value).split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not part.isascii():
            raise ValueError(f"{kind} ids are numbers, got {part!r}")
        if int(part) > 2**31 - 1:  # the store keeps them as integer
            raise ValueError(f"{kind} id {part} is too large")
        ids.append(int(part))
    if not ids:
        raise ValueError(f"no {kind} id given")
    return list(dict.fromkeys(ids))


def parse_newsrooms(publisher: str | int | None, office: str | int | None) -> list[Newsroom]:
    """The newsrooms of a run: the publishers' ids, then the offices' (each comma
    separated); without either, the publisher 73811. ValueError when an id is wrong."""
    if publisher in (None, "") and office in (None, ""):
        publisher = DEFAULT_PUBLISHER
    newsrooms = []
    if publisher not in (None, ""):
        newsrooms += [Newsroom(PUBLISHER, i) for i in parse_publishers(publisher)]
    if office not in (None, ""):
        newsrooms += [Newsroom(OFFICE, i) for i in parse_publishers(office, kind=OFFICE)]
    return newsrooms
