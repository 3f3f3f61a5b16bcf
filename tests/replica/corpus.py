"""A deterministic, lazily generated corpus of press releases with ground truth.

The corpus holds only a compact index (story id, publisher, generation index,
local time, revision) for every release; the text of a release is generated on
demand from ``(seed, publisher_id, generation index, revision)`` and kept in a
small LRU cache, so 20,000 releases cost a few megabytes.

Every release is built from *clean* text. Rendering corrupts it on purpose
(soft hyphens, NFD, mojibake, NBSP ...) and the ground truth is the clean text,
so the truth is known by construction and never computed by a cleaner under test.

Varieties are placed by generation index modulo ``PERIOD`` (see ``SLOT_KINDS``),
so every kind appears once in every 40 releases of publisher 73811 and tests can
find them with ``corpus.cases(kind)``. The newsrooms added later (issue 13: the company
newsroom 120501 with its body markup and contact varieties, and the police and fire
offices in ``OFFICES``) have slot tables of their own (``MARKUP_SLOT_KINDS``,
``OFFICE_SLOT_KINDS``) and get their story ids after the first three's, so the first
three corpora are what they were.
"""

from __future__ import annotations

import random
import threading
import unicodedata
import uuid
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any, Iterator
from zoneinfo import ZoneInfo

from crawler.items import EXPORT_FIELDS, OFFICE, PUBLISHER, Newsroom

from . import content as C

BERLIN = ZoneInfo("Europe/Berlin")
MAIN_PUBLISHER = 73811
PERIOD = 40

# (publisher id, newsroom name, dateline city, name used in "Über X:")
PUBLISHERS: list[tuple[int, str, str, str, str]] = [
    (MAIN_PUBLISHER, "Public Marketing", "Hamburg", "PUBLIC MARKETING", "public-marketing.de"),
    (97012, "Rheinische Datenwerke AG", "Köln", "die Rheinische Datenwerke AG", "rheinische-datenwerke.de"),
    (118420, "Alpenblick Touristik GmbH", "München", "Alpenblick Touristik", "alpenblick-touristik.de"),
]
# A company newsroom whose pages carry the markup varieties of issue 13 (MARKUP_SLOT_KINDS)
MARKUP_PUBLISHER = 120501
LATER_PUBLISHERS: list[tuple[int, str, str, str, str]] = [
    (MARKUP_PUBLISHER, "Nordlicht Energie AG", "Bremen", "die Nordlicht Energie AG", "nordlicht-energie.de"),
]
# Police and fire offices (/blaulicht/): (id, name, city, office code, districts for
# datelines with a colon, domain, service). 97012 is also a publisher's number: the site
# does not say ids never meet across kinds, and the crawler keys newsrooms by (kind, id).
OFFICES: list[tuple[int, str, str, str, tuple[str, ...], str, str]] = [
    (99001, "Polizeipräsidium Musterstadt", "Musterstadt", "POL-MS", ("Musterkreis", "Beispielort-Süd"),
     "polizei-musterstadt.de", "police"),
    (99002, "Feuerwehr Beispielburg", "Beispielburg", "FW-BB", ("Landkreis Beispielburg",),
     "feuerwehr-beispielburg.de", "fire"),
    (97012, "Bundespolizeiinspektion Nordhafen", "Nordhafen", "BPOL-NH", ("Hafengebiet",),
     "bundespolizei-nordhafen.de", "police"),
]

# generation index % PERIOD -> the variety that release carries (publisher 73811 only)
SLOT_KINDS: dict[int, str] = {
    1: "nfd",
    2: "mojibake",
    3: "soft_hyphen",
    4: "nbsp",
    5: "zwsp",
    6: "quotes",
    7: "link_text",
    8: "multi_contact",
    9: "no_keywords",
    10: "long",
    11: "english",
    12: "cp1252",
    13: "no_jsonld",
    14: "no_pdate",
    15: "dateline_inline",
    16: "ascii_hyphen_date",
    17: "dst_spring",
    18: "dst_fall",
    19: "nye",
}
DATE_KINDS = {"dst_spring", "dst_fall", "nye"}
# kinds derived from other rules than the slot; see Corpus._kinds_for
DERIVED_KINDS = {
    "about",
    "image",
    "multi_image",
    "no_image",
    "dateline_own_paragraph",
    "url_link",
    "double_space",
    "empty_paragraph",
    "second_place",
}
# generation index % 12 -> the variety of a release of publisher 120501
MARKUP_PERIOD = 12
MARKUP_SLOT_KINDS: dict[int, str] = {
    0: "plain_classes",  # none of the usual classes (story-city, contact-headline/-text, originator)
    1: "contact_heading",  # "Kontakt:", "Medienkontakt:", "Für Rückfragen:", ... (CONTACT_HEADINGS)
    2: "list_body",  # <ul> and <ol>
    3: "subheadings",  # <h2>, <h3>, <h4>
    4: "table_body",  # <table>
    5: "blockquote_body",  # <blockquote>
    6: "no_p_body",  # the body as text and <br>s in a div, no <p>
    7: "agency_dateline",  # "Bremen (ots/PRNewswire) - text", "(ots/dpa-AFX)"
    8: "double_city_dateline",  # "Bremen/Hamburg (ots)"
    9: "glued_contact",  # name, phone and mail of a contact line as adjacent links, no <br>
    10: "english_contact",  # "Press contact:", "Media contact:", "Pressekontakt / Press contact:"
    11: "plain_contact_heading",  # a contact heading other than Pressekontakt as a plain <p>
}
# generation index % 10 -> the variety of a release of an office
OFFICE_PERIOD = 10
OFFICE_SLOT_KINDS: dict[int, str] = {
    0: "district_dateline",  # "Musterkreis: (ots)"
    1: "initials",  # "Musterstadt (ots) - (ab)"
    2: "one_line_paragraphs",  # short paragraphs, one sentence each
    3: "list_points",  # "Die Polizei rät:" and a <ul>
    4: "wanted_person",  # a description in <br> lines opening with "- "
    5: "office_classes",  # the usual classes (a.story-city, p.contact-headline, p.contact-text, p.originator)
    6: "numbered_points",  # an <ol>
    7: "closures_table",  # street closures as a <table>
    8: "no_p_body",  # the body as text and <br>s in a div, no <p>
    9: "contact_paragraphs",  # every contact line a <p> of its own
}
# the headings the company pages use for their contact, besides "Pressekontakt:"
CONTACT_HEADINGS = ["Kontakt:", "Medienkontakt:", "Pressekontakt / Press contact:", "Für Rückfragen:",
                    "Ansprechpartner:", "Rückfragehinweis:"]
ENGLISH_CONTACT_HEADINGS = ["Press contact:", "Media contact:", "Pressekontakt / Press contact:"]
ALL_KINDS = (set(SLOT_KINDS.values()) | DERIVED_KINDS | set(MARKUP_SLOT_KINDS.values())
             | set(OFFICE_SLOT_KINDS.values()) | {"office"})

FIRST_DAY = date(2015, 1, 5)
LAST_DAY = date(2026, 10, 31)
# story ids grow with time like the real site's: ~2.9M in Jan 2015, ~6.2M in Jan 2026
_ID_T0 = datetime(2015, 1, 1, tzinfo=UTC)
_ID_T1 = datetime(2026, 1, 1, tzinfo=UTC)
_ID0, _ID1 = 2_900_000, 6_200_000

TEASER_CHARS = 200
# the heads of the stories whose cards were made last, kept for their documents (a
# generator is 2.5 kB: 1,024 of them 2.6 MB)
HEADS_KEPT = 1024


def make_teaser(text: str, limit: int = TEASER_CHARS) -> str:
    """The one teaser rule (meta description, JSON-LD, RSS, cards): the first body
    paragraph, cut at a word boundary near ``limit`` characters, plus " ..." when cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + " ..."


def resolve_local(local: datetime) -> tuple[datetime, bool]:
    """Berlin wall time -> (UTC instant, ambiguous). fold=0 gives the project's DST
    policy: a nonexistent time takes the offset before the jump, a repeated time
    its first occurrence; both are flagged."""
    first = local.replace(tzinfo=BERLIN, fold=0)
    second = local.replace(tzinfo=BERLIN, fold=1)
    return first.astimezone(UTC), first.utcoffset() != second.utcoffset()


def minute_iso(d: datetime) -> str:
    """f"{d:%Y-%m-%dT%H:%M:00}" of a naive time (the JSON-LD dates), without strftime's
    cost (the same text for years 1000-9999)."""
    return d.isoformat(timespec="minutes") + ":00"


def _last_sunday(year: int, month: int) -> date:
    d = date(year, month + 1, 1) - timedelta(days=1)
    return d - timedelta(days=(d.weekday() - 6) % 7)


def _scaled_id(instant: datetime) -> int:
    frac = (instant - _ID_T0) / (_ID_T1 - _ID_T0)
    return int(_ID0 + frac * (_ID1 - _ID0))


@dataclass(frozen=True)
class Publisher:
    """A newsroom: a publisher's, or (kind "office") a police or fire office's."""

    id: int
    name: str
    city: str
    about_name: str
    domain: str
    kind: str = PUBLISHER
    code: str = ""  # an office's code ("POL-MS")
    districts: tuple[str, ...] = ()  # an office's datelines with a colon ("Musterkreis: (ots)")
    service: str = ""  # "police" or "fire"

    @property
    def newsroom(self) -> Newsroom:
        return Newsroom(self.kind, self.id)


@dataclass
class Entry:
    """The compact index row of one release."""

    sid: int
    pid: int
    gen: int
    local: datetime  # naive Berlin wall time as the site shows it
    instant: datetime  # aware UTC (fold=0)
    ambiguous: bool
    kinds: frozenset[str]
    rev: int = 0
    deleted: bool = False
    kind: str = PUBLISHER  # of the newsroom

    # cached: a page asks for both many times, and neither the newsroom nor the time of an
    # entry ever changes (an edit changes `rev`, a deletion `deleted`)
    @cached_property
    def newsroom(self) -> Newsroom:
        return Newsroom(self.kind, self.pid)

    @cached_property
    def pdate_text(self) -> str:
        """The shown p.date text (entities decoded): "20.01.2015 – 09:30"."""
        d = self.local
        dash = "-" if "ascii_hyphen_date" in self.kinds else "\u2013"
        return f"{d.day:02d}.{d.month:02d}.{d.year} {dash} {d.hour:02d}:{d.minute:02d}"


@dataclass(slots=True)
class Seg:
    text: str  # clean text
    href: str | None = None  # a link when set (relative hrefs are resolved against base_url)


@dataclass(slots=True)
class Para:
    segs: list[Seg]
    corrupt: str | None = None  # how rendering damages the clean text (see render.corrupt)
    bold: bool = False  # a bold subheading / the bold "Über X:" heading
    # how it is marked up: "p", "heading" (h2-h4: `level`), "list" (<ul>), "olist" (<ol>),
    # "table" (`rows`), "quote" (<blockquote>), "br_list" (the text, then `items` as
    # "- " lines after <br>s, all in one <p>)
    kind: str = "p"
    items: list[str] = field(default_factory=list)
    rows: list[tuple[str, ...]] = field(default_factory=list)
    level: int = 2

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segs)

    def paragraphs(self) -> list[str]:
        """The body paragraphs it is in the truth: a list's items and a table's rows are
        lines of one paragraph; a <br> list is a paragraph of its own after its text."""
        if self.kind == "list":
            return ["\n".join(f"- {i}" for i in self.items)]
        if self.kind == "olist":
            return ["\n".join(f"{n}. {i}" for n, i in enumerate(self.items, 1))]
        if self.kind == "table":
            return ["\n".join(" | ".join(row) for row in self.rows)]
        if self.kind == "br_list":
            return [self.text, "\n".join(f"- {i}" for i in self.items)]
        return [self.text]


@dataclass(slots=True)
class Image:
    hires: str
    thumb: str
    content: str
    caption: str  # clean


@dataclass(slots=True)
class Doc:
    """Everything one release page shows, as clean text plus rendering hints."""

    entry: Entry
    publisher: Publisher
    title: str
    title_corrupt: str | None
    body: list[Para]
    about: list[Para]
    contact: list[Seg]
    images: list[Image]
    keywords: list[str]
    categories: list[tuple[str, str]]
    places: list[str]
    language: str
    teaser: str
    date_modified: datetime
    dateline: str = ""  # the truth: "Musterkreis"
    dateline_shown: str = ""  # as the page writes it, up to "(ots)": "Musterkreis: (ots)"
    initials: str = ""  # the writer's, after the dateline: "(ab)"
    contact_heading: str = "Pressekontakt:"

    @property
    def sid(self) -> int:
        return self.entry.sid

    @property
    def pid(self) -> int:
        return self.entry.pid

    @property
    def kinds(self) -> frozenset[str]:
        return self.entry.kinds

    @property
    def city(self) -> str:
        return self.publisher.city

    @property
    def newsroom(self) -> Newsroom:
        return self.entry.newsroom

    @property
    def pdate_text(self) -> str:
        return self.entry.pdate_text

    @property
    def jsonld_date(self) -> str:
        return minute_iso(self.entry.local)


def _categories(gen: int) -> list[tuple[str, str]]:
    """Category links (/t/...): the sidebar shows them beside the topic tags."""
    cats = [C.CATEGORIES[gen % len(C.CATEGORIES)]]
    if gen % 3 == 0:
        cats.append(C.CATEGORIES[(gen + 1) % len(C.CATEGORIES)])
    return cats


@dataclass(slots=True)
class Card:
    """The light view of a release used by cards and RSS (same attribute names as Doc)."""

    entry: Entry
    publisher: Publisher
    title: str
    teaser: str
    category: str
    dateline: str = ""

    sid = property(lambda self: self.entry.sid)
    pid = property(lambda self: self.entry.pid)
    kinds = property(lambda self: self.entry.kinds)
    city = property(lambda self: self.publisher.city)
    newsroom = property(lambda self: self.entry.newsroom)
    pdate_text = property(lambda self: self.entry.pdate_text)


# the newsrooms a replica serves beyond the built-in ones (`publishers=N`, `offices=N`)
EXTRA_PUBLISHER0 = 300000
EXTRA_OFFICE0 = 400000
EXTRA_CITIES = ("Berlin", "Bremen", "Dresden", "Erfurt", "Kiel", "Leipzig", "Mainz", "Stuttgart")


def extra_publisher(i: int) -> tuple[int, str, str, str, str]:
    """The i-th generated company newsroom (ids 300000, 300001, ...)."""
    pid = EXTRA_PUBLISHER0 + i
    return (pid, f"Beispiel Werke {i} GmbH", EXTRA_CITIES[i % len(EXTRA_CITIES)],
            f"die Beispiel Werke {i}", f"beispiel-werke-{i}.de")


def extra_office(i: int) -> tuple[int, str, str, str, tuple[str, ...], str, str]:
    """The i-th generated police office (ids 400000, 400001, ...), shaped as OFFICES."""
    city = EXTRA_CITIES[i % len(EXTRA_CITIES)]
    return (EXTRA_OFFICE0 + i, f"Polizeiinspektion {city} {i}", city, f"POL-X{i}", (f"Landkreis {city}",),
            f"polizei-beispiel-{i}.de", "police")


class Corpus:
    def __init__(self, releases: int = 300, seed: int = 1, base_url: str = "http://127.0.0.1",
                 publishers: int = 0, offices: int = 0) -> None:
        """`publishers`, `offices`: how many newsrooms of each kind at least; beyond the
        built-in ones (PUBLISHERS, LATER_PUBLISHERS, OFFICES) they are generated, and the
        `releases` are then spread evenly over all newsrooms (at least one each)."""
        if releases < 1:
            raise ValueError("releases must be >= 1")
        self.seed = seed
        self.releases = releases
        self.base_url = base_url.rstrip("/")
        self.publisher_id = MAIN_PUBLISHER
        # every newsroom, (kind, id); `publishers` and `offices` by id; beyond the built-in
        # ones, as many generated newsrooms as asked for (the releases then spread evenly)
        extra_publishers = max(0, publishers - len(PUBLISHERS) - len(LATER_PUBLISHERS))
        extra_offices = max(0, offices - len(OFFICES))
        self.spread = bool(extra_publishers or extra_offices)
        self.publishers = {p[0]: Publisher(*p) for p in
                           PUBLISHERS + LATER_PUBLISHERS + [extra_publisher(i) for i in range(extra_publishers)]}
        self.offices = {
            o[0]: Publisher(o[0], o[1], o[2], "", o[5], OFFICE, o[3], o[4], o[6])
            for o in OFFICES + [extra_office(i) for i in range(extra_offices)]
        }
        self.newsrooms: dict[Newsroom, Publisher] = {
            p.newsroom: p for p in (*self.publishers.values(), *self.offices.values())
        }
        self.lock = threading.RLock()
        self.version = 0  # bumped on every publish/edit/delete (page caches key on it)
        self._entries: dict[int, Entry] = {}
        self._asc: dict[Newsroom, list[int]] = {n: [] for n in self.newsrooms}  # live sids, oldest first
        self._next_gen: dict[Newsroom, int] = {}
        self._mtime: dict[Newsroom, datetime] = {}
        self._docs: OrderedDict[tuple[int, int], Doc] = OrderedDict()
        self._cards: OrderedDict[int, Card] = OrderedDict()
        # sid -> the head card() drew, its generator where the head left it (_doc_head)
        self._heads: OrderedDict[int, tuple] = OrderedDict()
        # rendered cards (render.card); static per story; an OrderedDict, as the oldest goes
        # first (next(iter(dict)) would walk over every slot popped before it)
        self.card_html: OrderedDict[tuple, str] = OrderedDict()
        self._other: dict[Newsroom, Newsroom] = {}  # other_newsroom's answers
        self._build_index()

    @staticmethod
    def newsroom_of(publisher_id: int | None = MAIN_PUBLISHER, office_id: int | None = None) -> Newsroom:
        """The newsroom a query names: an office's with `office_id`, else the publisher's."""
        return Newsroom(OFFICE, office_id) if office_id is not None else Newsroom(PUBLISHER, publisher_id)

    # ---- index -----------------------------------------------------------------------------

    def _count(self, newsroom: Newsroom) -> int:
        if self.spread:
            return max(1, self.releases // len(self.newsrooms))
        if newsroom == Newsroom(PUBLISHER, MAIN_PUBLISHER):
            return self.releases
        return max(12, self.releases // 5)

    @staticmethod
    def _key(newsroom: Newsroom, gen: int) -> str:
        """The generators' key of one release (the first three newsrooms' as they were)."""
        if newsroom.kind == OFFICE:
            return f"office:{newsroom.id}:{gen}"
        return f"{newsroom.id}:{gen}"

    def _kinds_for(self, newsroom: Newsroom, gen: int, dated: bool = True) -> frozenset[str]:
        if newsroom.kind == OFFICE:
            kinds = {"office", OFFICE_SLOT_KINDS[gen % OFFICE_PERIOD]}
            kinds.add("image" if gen % 4 == 0 else "no_image")
            kinds.add("dateline_own_paragraph")
            return frozenset(kinds)
        pid = newsroom.id
        if pid == MARKUP_PUBLISHER:
            return self._publisher_kinds(pid, gen, dated) | {MARKUP_SLOT_KINDS[gen % MARKUP_PERIOD]}
        return self._publisher_kinds(pid, gen, dated)

    def _publisher_kinds(self, pid: int, gen: int, dated: bool = True) -> frozenset[str]:
        kinds: set[str] = set()
        if pid == MAIN_PUBLISHER:
            slot = SLOT_KINDS.get(gen % PERIOD)
            if slot and (dated or slot not in DATE_KINDS):
                kinds.add(slot)
        english = "english" in kinds
        kinds.add("image" if gen % 3 == 0 else "no_image")
        if gen % 9 == 0:
            kinds.add("multi_image")
        if not english and (gen % 2 == 0 if pid == MAIN_PUBLISHER else gen % 3 == 1):
            kinds.add("about")
        if "dateline_inline" not in kinds:
            kinds.add("dateline_own_paragraph")
        if gen % 7 == 3:
            kinds.add("url_link")
        if gen % 5 == 4:
            kinds.add("double_space")
        if gen % 2 == 0:
            kinds.add("empty_paragraph")
        if gen % 4 == 1:
            kinds.add("second_place")
        return frozenset(kinds)

    def _local_for(self, newsroom: Newsroom, gen: int, n: int, kinds: frozenset[str]) -> datetime:
        rng = random.Random(f"{self.seed}:{self._key(newsroom, gen)}:date")
        span = (LAST_DAY - FIRST_DAY).days
        day = FIRST_DAY + timedelta(days=int((gen + rng.random()) / n * span))
        k = gen // PERIOD
        if "dst_spring" in kinds:
            return datetime.combine(_last_sunday(day.year, 3), datetime.min.time()).replace(
                hour=2, minute=30 if k == 0 else (k * 7) % 60
            )
        if "dst_fall" in kinds:
            return datetime.combine(_last_sunday(day.year, 10), datetime.min.time()).replace(
                hour=2, minute=30 if k == 0 else (k * 7) % 60
            )
        if "nye" in kinds:
            year = min(day.year, 2025)
            return datetime(year, 12, 31, 23, 30 + (k % 30))
        minute = rng.randrange(7 * 60, 19 * 60)
        return datetime(day.year, day.month, day.day, minute // 60, minute % 60)

    def _rows(self, newsrooms: list[Newsroom]) -> list[tuple]:
        rows = []
        for newsroom in newsrooms:
            n = self._count(newsroom)
            self._next_gen[newsroom] = n
            for gen in range(n):
                kinds = self._kinds_for(newsroom, gen)
                local = self._local_for(newsroom, gen, n, kinds)
                instant, ambiguous = resolve_local(local)
                rows.append((instant, newsroom, gen, local, ambiguous, kinds))
        rows.sort(key=lambda r: (r[0], r[1].id, r[2]))
        return rows

    def _build_index(self) -> None:
        # the first three publishers exactly as before the offices came
        first = [Newsroom(PUBLISHER, p[0]) for p in PUBLISHERS]
        prev = 0
        for instant, newsroom, gen, local, ambiguous, kinds in self._rows(first):
            sid = max(prev + 1, _scaled_id(instant))
            prev = sid
            self._entries[sid] = Entry(sid, newsroom.id, gen, local, instant, ambiguous, kinds, kind=newsroom.kind)
            self._asc[newsroom].append(sid)
        # the later newsrooms in the free ids around them: one sequence, growing with time
        later = [n for n in self.newsrooms if n not in first]
        prev_of: dict[Newsroom, int] = {}
        for instant, newsroom, gen, local, ambiguous, kinds in self._rows(later):
            sid = max(prev_of.get(newsroom, 0) + 1, _scaled_id(instant))
            while sid in self._entries:
                sid += 1
            prev_of[newsroom] = sid
            self._entries[sid] = Entry(sid, newsroom.id, gen, local, instant, ambiguous, kinds, kind=newsroom.kind)
            self._asc[newsroom].append(sid)
        for newsroom, sids in self._asc.items():
            newest = self._entries[sids[-1]].instant if sids else _ID_T0
            self._mtime[newsroom] = newest.replace(microsecond=0)

    # ---- queries ---------------------------------------------------------------------------

    def entry(self, sid: int) -> Entry | None:
        e = self._entries.get(sid)
        return None if e is None or e.deleted else e

    def story_ids(
        self, publisher_id: int = MAIN_PUBLISHER, start: date | None = None, end: date | None = None,
        *, office_id: int | None = None,
    ) -> list[int]:
        """Live story ids of one newsroom (a publisher's, or with `office_id` an office's),
        newest first, optionally within a window of local (Berlin) publication dates, both
        ends inclusive."""
        return self.stories(self.newsroom_of(publisher_id, office_id), start, end)

    def stories(self, newsroom: Newsroom, start: date | None = None, end: date | None = None) -> list[int]:
        """`story_ids` of a newsroom given as (kind, id)."""
        with self.lock:
            asc = self._asc.get(newsroom, [])
            lo, hi = 0, len(asc)
            key = lambda sid: self._entries[sid].local.date()  # noqa: E731
            if start is not None:
                lo = bisect_left(asc, start, key=key)
            if end is not None:
                hi = bisect_right(asc, end, key=key)
            return asc[lo:hi][::-1]

    def newest(self, n: int) -> list[int]:
        """The n newest live stories of all newsrooms, newest first (the site-wide feed)."""
        with self.lock:
            live = [sid for sid, e in self._entries.items() if not e.deleted]
            return sorted(live, key=lambda sid: (self._entries[sid].instant, sid), reverse=True)[:n]

    def older_than(self, newsroom: Newsroom, sid: int, n: int) -> list[int]:
        """Up to n live stories of a newsroom published before story ``sid``, newest first."""
        with self.lock:
            asc = self._asc.get(newsroom, [])
            i = bisect_left(asc, sid)
            return asc[max(0, i - n) : i][::-1]

    def cases(self, kind: str, publisher_id: int = MAIN_PUBLISHER, *, office_id: int | None = None) -> list[int]:
        if kind not in ALL_KINDS:
            raise KeyError(f"unknown kind {kind!r}; known: {sorted(ALL_KINDS)}")
        return [sid for sid in self.story_ids(publisher_id, office_id=office_id) if kind in self._entries[sid].kinds]

    def other_newsroom(self, newsroom: Newsroom) -> Newsroom:
        """The newsroom whose stories a page of `newsroom` shows under "Weitere Storys": the
        next of the first three publishers, the next office; 120501's: 73811's."""
        other = self._other.get(newsroom)
        if other is None:  # the newsrooms are fixed at start: asked once per newsroom
            first = [Newsroom(PUBLISHER, p[0]) for p in PUBLISHERS]
            ring = first if newsroom in first else [n for n in self.newsrooms if n.kind == OFFICE]
            other = self._other[newsroom] = (
                ring[(ring.index(newsroom) + 1) % len(ring)] if newsroom in ring else first[0])
        return other

    def newsroom(self, newsroom: Newsroom) -> Publisher | None:
        return self.newsrooms.get(newsroom)

    def kinds(self, sid: int) -> frozenset[str]:
        return self._require(sid).kinds

    def mtime(self, newsroom: Newsroom) -> datetime:
        return self._mtime[newsroom]

    def _require(self, sid: int) -> Entry:
        e = self.entry(sid)
        if e is None:
            raise KeyError(f"story {sid} does not exist (or was deleted)")
        return e

    # ---- dynamics --------------------------------------------------------------------------

    def _touch(self, newsroom: Newsroom) -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        self._mtime[newsroom] = max(self._mtime[newsroom] + timedelta(seconds=1), now)
        self.version += 1

    def publish(self, n: int = 1, publisher_id: int = MAIN_PUBLISHER, *, office_id: int | None = None) -> list[int]:
        """Publish n new releases at the top (newest) of a publisher's newsroom (an
        office's with `office_id`); returns their ids, newest first."""
        newsroom = self.newsroom_of(publisher_id, office_id)
        with self.lock:
            newest = max(self._entries.values(), key=lambda e: e.instant)
            max_sid = max(self._entries)
            new: list[int] = []
            for k in range(n):
                gen = self._next_gen[newsroom]
                self._next_gen[newsroom] += 1
                instant = (newest.instant + timedelta(hours=k + 1)).replace(second=0, microsecond=0)
                local = instant.astimezone(BERLIN).replace(tzinfo=None, fold=0)
                instant, ambiguous = resolve_local(local)
                sid = max_sid + 3 * (k + 1)
                kinds = self._kinds_for(newsroom, gen, dated=False)
                self._entries[sid] = Entry(sid, newsroom.id, gen, local, instant, ambiguous, kinds, kind=newsroom.kind)
                self._asc[newsroom].append(sid)
                new.append(sid)
            self._touch(newsroom)
            return new[::-1]

    def edit(self, sid: int) -> None:
        """Change the body text of a release (a new revision); its truth follows."""
        with self.lock:
            e = self._require(sid)
            e.rev += 1
            self._touch(e.newsroom)

    def delete(self, sid: int) -> None:
        with self.lock:
            e = self._require(sid)
            e.deleted = True
            self._cards.pop(sid, None)
            self._asc[e.newsroom].remove(sid)
            self._touch(e.newsroom)

    # ---- documents -------------------------------------------------------------------------

    def doc(self, sid: int) -> Doc:
        e = self._require(sid)
        key = (sid, e.rev)
        with self.lock:
            d = self._docs.get(key)
            if d is not None:
                self._docs.move_to_end(key)
                return d
        d = self._generate(e)
        with self.lock:
            self._docs[key] = d
            if len(self._docs) > 2048:
                self._docs.popitem(last=False)
        return d

    def card(self, sid: int) -> "Card":
        """What a listing card, an RSS item or a "Weitere Storys" tile shows; cheap
        (title and first paragraph only) and cached for many more stories than docs."""
        e = self._require(sid)
        with self.lock:
            c = self._cards.get(sid)
            if c is not None:
                self._cards.move_to_end(sid)
                return c
        head = self._head(e)
        _, title, _, _, first, _ = head
        pub = self.newsrooms[e.newsroom]
        c = Card(e, pub, title, make_teaser(first), _categories(e.gen)[0][1], self._dateline(e, pub)[0])
        with self.lock:
            self._cards[sid] = c
            if len(self._cards) > 20_000:
                self._cards.popitem(last=False)
            self._heads[sid] = head
            if len(self._heads) > HEADS_KEPT:
                self._heads.popitem(last=False)
        return c

    def _doc_head(self, e: Entry) -> tuple[random.Random, str, str | None, int, str, str | None]:
        """The head a card just drew (its generator where the head left it: the document
        goes on drawing from there), else a new one. A crawler asks for the story right
        after the listing that showed its card, and seeding a generator is most of the
        head's cost; the same draws either way."""
        with self.lock:
            head = self._heads.pop(e.sid, None)
        return head if head is not None else self._head(e)

    def _head(self, e: Entry) -> tuple[random.Random, str, str | None, int, str, str | None]:
        """Title and first paragraph: the first draws of the release's generator, so
        cards need not generate the whole release."""
        rng = random.Random(f"{self.seed}:{self._key(e.newsroom, e.gen)}")
        if e.kind == OFFICE:
            return self._office_head(e, rng)
        kinds = e.kinds
        english = "english" in kinds
        sentences = C.EN_SENTENCES if english else C.SENTENCES
        title_corrupt = None
        if english:
            title = C.fill(C.pick(rng, C.EN_TITLES), rng)
        elif "quotes" in kinds:
            title = f"Studie: „{C.pick(rng, C.SUBJECTS)} unterschätzen die {C.pick(rng, C.TOPICS)}“"
        else:
            title = C.fill(C.pick(rng, C.TITLE_TEMPLATES), rng)
        if "nfd" in kinds:
            title, title_corrupt = f"Bürgernähe: {title}", "nfd"
        elif "soft_hyphen" in kinds:
            title, title_corrupt = f"Verwaltungsmodernisierung: {title}", "soft_hyphen"
        n = C.rint(rng, 32, 36) if "long" in kinds else C.rint(rng, 3, 6)
        first = C.paragraph(rng, sentences)
        corrupt = "double_space" if "double_space" in kinds else None
        if "nfd" in kinds:
            first += " Die Bürgerinnen und Bürger in Lübeck äußern sich überwiegend positiv."
            corrupt = "nfd"
        if "soft_hyphen" in kinds:
            first = "Die Verwaltungsmodernisierung bleibt eine Daueraufgabe für Kommunikationsabteilungen. " + first
            corrupt = "soft_hyphen"
        if "nbsp" in kinds:
            first = "Rund 75 Prozent der befragten Kommunen planen bis 2027 neue Stellen. " + first
            corrupt = "nbsp"
        if "zwsp" in kinds:
            first = "Der Newsletter erscheint künftig monatlich. " + first
            corrupt = "zwsp"
        return rng, title, title_corrupt, n, first, corrupt

    def _office_head(self, e: Entry, rng: random.Random) -> tuple[random.Random, str, None, int, str, None]:
        """An office's title (its code first; the police's with a date and a running
        number: "POL-MS: 231107 - 1024 Beispielort-Süd: Kiosk aufgebrochen") and first paragraph."""
        pub = self.offices[e.pid]
        if pub.service == "fire":
            title = f"{pub.code}: {C.pick(rng, C.FIRE_HEADLINES)}"
        else:
            place = C.pick(rng, [pub.city, *pub.districts])
            title = f"{pub.code}: {e.local:%y%m%d} - {1000 + e.gen:04d} {place}: {C.pick(rng, C.POLICE_HEADLINES)}"
        one = "one_line_paragraphs" in e.kinds
        n = C.rint(rng, 5, 8) if one else C.rint(rng, 2, 4)
        first = C.office_paragraph(rng, self._sentences(pub), 1, 1 if one else 3)
        return rng, title, None, n, first, None

    @staticmethod
    def _sentences(pub: Publisher) -> list[str]:
        return C.FIRE_SENTENCES if pub.service == "fire" else C.POLICE_SENTENCES

    def _dateline(self, e: Entry, pub: Publisher) -> tuple[str, str, str]:
        """(the dateline, as the page writes it up to "(ots)", the writer's initials or "")."""
        kinds, k = e.kinds, e.gen // max(OFFICE_PERIOD, MARKUP_PERIOD)
        if "district_dateline" in kinds:
            district = pub.districts[k % len(pub.districts)]
            return district, f"{district}: (ots)", ""
        if "initials" in kinds:
            return pub.city, f"{pub.city} (ots)", ("ab", "jm", "KD", "red")[k % 4]
        if "agency_dateline" in kinds:
            return pub.city, f"{pub.city} (ots/{('PRNewswire', 'dpa-AFX')[k % 2]})", ""
        if "double_city_dateline" in kinds:
            return f"{pub.city}/Hamburg", f"{pub.city}/Hamburg (ots)", ""
        return pub.city, f"{pub.city} (ots)", ""

    def _contact_heading(self, e: Entry) -> str:
        k = e.gen // MARKUP_PERIOD
        if e.kind == OFFICE:
            return "Rückfragen bitte an:"
        if "contact_heading" in e.kinds or "plain_contact_heading" in e.kinds:
            return CONTACT_HEADINGS[(k + ("plain_contact_heading" in e.kinds) * 3) % len(CONTACT_HEADINGS)]
        if "english_contact" in e.kinds:
            return ENGLISH_CONTACT_HEADINGS[k % len(ENGLISH_CONTACT_HEADINGS)]
        return "Pressekontakt:"

    def _generate_office(self, e: Entry, pub: Publisher) -> Doc:
        """A police or fire office's release: short paragraphs, points, descriptions, a
        "Rückfragen bitte an:" contact."""
        kinds = e.kinds
        rng, title, _, n, first_text, _ = self._doc_head(e)
        sentences = self._sentences(pub)
        one = "one_line_paragraphs" in kinds
        body = [Para([Seg(first_text)])]
        body += [Para([Seg(C.office_paragraph(rng, sentences, 1, 1 if one else 3))]) for _ in range(n - 1)]
        who = "Die Feuerwehr" if pub.service == "fire" else "Die Polizei"
        if "list_points" in kinds:
            body[-1:-1] = [Para([Seg(f"{who} rät:")]), Para([], kind="list", items=rng.sample(C.ADVICE, 3))]
        if "numbered_points" in kinds:
            body[-1:-1] = [Para([Seg("So gehen Sie vor:")]), Para([], kind="olist", items=rng.sample(C.ADVICE, 3))]
        if "wanted_person" in kinds:
            body[-1:-1] = [Para([Seg("Der Gesuchte wird so beschrieben:")], kind="br_list",
                                items=rng.sample(C.WANTED, 4))]
        if "closures_table" in kinds:
            body[-1:-1] = [Para([Seg("Folgende Straßen sind gesperrt:")]),
                           Para([], kind="table", rows=[("Straße", "Sperrung bis"), *rng.sample(C.CLOSURES, 2)])]
        first_name, last_name = C.PEOPLE[e.gen % len(C.PEOPLE)]
        contact = [
            Seg(pub.name),
            Seg("Pressestelle"),
            Seg(f"{first_name} {last_name}"),
            Seg(f"Telefon: 0000 000-{1000 + e.gen % 90}"),
            Seg(f"E-Mail: pressestelle@{pub.domain}"),
            Seg(f"https://www.{pub.domain}"),
        ]
        images = self._images(e, pub, rng) if "image" in kinds else []
        words = ["Feuerwehr", "Brand", "Einsatz", "Verkehr"] if pub.service == "fire" else [
            "Polizei", "Kriminalität", "Verkehr", "Einbruch", "Zeugenaufruf"]
        dateline, shown, initials = self._dateline(e, pub)
        return Doc(
            entry=e, publisher=pub, title=title, title_corrupt=None, body=body, about=[], contact=contact,
            images=images, keywords=rng.sample(words, 2), categories=_categories(e.gen), places=[pub.city],
            language="de", teaser=make_teaser(body[0].text), date_modified=e.local + timedelta(hours=e.rev),
            dateline=dateline, dateline_shown=shown, initials=initials, contact_heading=self._contact_heading(e),
        )

    def _images(self, e: Entry, pub: Publisher, rng: random.Random) -> list[Image]:
        images: list[Image] = []
        for j in range(2 if "multi_image" in e.kinds else 1):
            u = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            first_p, last_p = C.PEOPLE[(e.gen + j) % len(C.PEOPLE)]
            caption = (
                f"Die Preisträger {e.local.year} in {C.pick(rng, C.PLACES)}. Weiterer Text über ots "
                f"und www.presseportal.de/nr/{e.pid} / Die Verwendung dieses Bildes ist für "
                "redaktionelle Zwecke honorarfrei. Veröffentlichung bitte unter Quellenangabe: "
                f'"obs/{pub.name}/Foto: {first_p} {last_p}"'
            )
            images.append(
                Image(
                    hires=f"https://cache.pressmailing.net/thumbnail/story_hires/{u}/image.jpg",
                    thumb=f"https://cache.pressmailing.net/thumbnail/story_big/{u}/image",
                    content=f"https://cache.pressmailing.net/content/{u}/image",
                    caption=caption,
                )
            )
        return images

    def _markup_body(self, e: Entry, rng: random.Random, body: list[Para]) -> None:
        """The body markup varieties of publisher 120501, into `body` (in place)."""
        kinds = e.kinds
        if "list_body" in kinds:
            body[1:1] = [Para([Seg("Die wichtigsten Punkte:")]), Para([], kind="list", items=rng.sample(C.KEY_POINTS, 3))]
            body[-1:-1] = [Para([Seg("So geht es weiter:")]), Para([], kind="olist", items=rng.sample(C.KEY_POINTS, 2))]
        if "subheadings" in kinds:
            for i, (level, head) in enumerate(zip((2, 3, 4), C.SUBHEADS_H)):
                # never last: links go into the last paragraph ("url_link")
                body.insert(min(1 + 2 * i, len(body) - 1), Para([Seg(head)], kind="heading", level=level))
        if "table_body" in kinds:
            body[-1:-1] = [Para([Seg("Die Zahlen im Überblick:")]),
                           Para([], kind="table", rows=[("Kennzahl", "Wert"), *C.FIGURES])]
        if "blockquote_body" in kinds:
            body.insert(1, Para([Seg(C.pick(rng, C.QUOTES))], kind="quote"))

    def _generate(self, e: Entry) -> Doc:
        pub = self.newsrooms[e.newsroom]
        if e.kind == OFFICE:
            return self._generate_office(e, pub)
        kinds = e.kinds
        english = "english" in kinds
        sentences = C.EN_SENTENCES if english else C.SENTENCES
        rng, title, title_corrupt, n, first_text, first_corrupt = self._doc_head(e)

        # body
        double = "double_space" if "double_space" in kinds else None
        body = [Para([Seg(first_text)], corrupt=first_corrupt)]
        body += [Para([Seg(C.paragraph(rng, sentences))], corrupt=double) for _ in range(n - 1)]
        if "long" in kinds:
            for i in range(6, n, 8):
                body.insert(i, Para([Seg(C.pick(rng, C.SUBHEADS))], bold=True))
        if e.pid == MARKUP_PUBLISHER:
            self._markup_body(e, rng, body)
        if "mojibake" in kinds:
            body[1].segs[0].text = (
                "Die Lösung für größere Städte heißt „Bürgerdialog“ – sagt die Jury. " + body[1].segs[0].text
            )
            body[1].corrupt = "mojibake"
        if "quotes" in kinds:
            body[1].segs[0].text += (
                ' Der Chefredakteur sagt: "Wir müssen schneller werden." Und weiter:'
                " „Die Verwaltung ist besser als ihr Ruf.“"
            )
        if "link_text" in kinds:
            body[2].segs += [
                Seg(" Die vollständige Studie finden Sie "),
                Seg("hier zum Download", f"https://www.{pub.domain}/studie-kommunikation?utm_source=ots&a=1"),
                Seg(", weitere Meldungen unter "),
                Seg("Alle Meldungen von Public Marketing", f"/nr/{e.pid}"),
                Seg("."),
            ]
        if "url_link" in kinds:
            url = f"https://www.{pub.domain}/presse/{e.gen}"
            body[-1].segs += [Seg(" Mehr dazu: "), Seg(url, url)]
        if e.rev:
            erng = random.Random(f"{self.seed}:{e.pid}:{e.gen}:rev{e.rev}")
            for r in range(1, e.rev + 1):
                body.append(
                    Para([Seg(f"Aktualisierung {r}: " + C.paragraph(erng, sentences, 1, 2))])
                )

        # about
        about: list[Para] = []
        if "about" in kinds:
            heading = f"Über {pub.about_name}:"
            text = (
                f"{pub.name} ist seit Jahren eine feste Größe für Fachleute; "
                "die Redaktion berichtet über Trends, Köpfe und Kampagnen."
            )
            site = f"www.{pub.domain}"
            if e.gen % 4 == 0:  # heading in its own bold paragraph
                about = [Para([Seg(heading)], bold=True), Para([Seg(text)])]
            else:  # bold heading opening the paragraph
                about = [Para([Seg(heading), Seg(" " + text)], bold=True)]
            about.append(Para([Seg("Weitere Informationen: "), Seg(site, f"https://{site}")]))

        # contact
        first_name, last_name = C.PEOPLE[e.gen % len(C.PEOPLE)]
        domain = pub.domain
        contact = [
            Seg(pub.name),
            Seg("Redaktion" if not english else "Editorial office"),
            Seg(f"{first_name} {last_name}"),
            Seg(f"Telefon: +49 (0)40 609 009-{10 + e.gen % 80}"),
            Seg(f"redaktion@{domain}", f"mailto:redaktion@{domain}"),
        ]
        if "glued_contact" in kinds:  # shown as one line of adjacent links (render.py)
            contact += [Seg(f"{first_name} {last_name}"), Seg("+49 (421) 12 34 56 - 78"),
                        Seg(f"{first_name.lower()}@{domain}", f"mailto:{first_name.lower()}@{domain}")]
        if "multi_contact" in kinds:
            f2, l2 = C.PEOPLE[(e.gen + 3) % len(C.PEOPLE)]
            contact += [
                Seg("New Business Verlag GmbH & Co. KG"),
                Seg("Pressestelle"),
                Seg(f"{f2} {l2}"),
                Seg("Tel. +49 (0)40 609 009-99"),
                Seg(f"presse@{domain}", f"mailto:presse@{domain}"),
            ]

        images = self._images(e, pub, rng) if "image" in kinds else []

        keywords = [] if "no_keywords" in kinds else C.sample(rng, C.TOPICS, C.rint(rng, 2, 5))
        categories = _categories(e.gen)
        dateline, shown, initials = self._dateline(e, pub)
        places = [pub.city]
        if "second_place" in kinds and pub.city != "Lübeck":
            places.append("Lübeck")

        return Doc(
            entry=e,
            publisher=pub,
            title=title,
            title_corrupt=title_corrupt,
            body=body,
            about=about,
            contact=contact,
            images=images,
            keywords=keywords,
            categories=categories,
            places=places,
            language="en" if english else "de",
            teaser=make_teaser(body[0].text),
            date_modified=e.local + timedelta(hours=e.rev),
            dateline=dateline,
            dateline_shown=shown,
            initials=initials,
            contact_heading=self._contact_heading(e),
        )

    # ---- truth -----------------------------------------------------------------------------

    def absolute(self, href: str) -> str:
        return self.base_url + href if href.startswith("/") else href

    def truth(self, story_id: int) -> dict[str, Any]:
        """The record a correct crawl must produce for this release (a Release export
        without ``fetched_at``)."""
        d = self.doc(story_id)
        e = d.entry
        links = [
            {"url": self.absolute(s.href), "text": s.text}
            for p in d.body + d.about
            for s in p.segs
            if s.href is not None
        ]
        record = {
            "story_id": e.sid,
            "publisher_id": e.pid,
            "publisher": d.publisher.name,
            "url": self.base_url + e.newsroom.story_path(e.sid),
            "title": d.title,
            "published_at": e.instant.isoformat(),
            "published_raw": d.jsonld_date if "no_pdate" in d.kinds else d.pdate_text,
            "published_ambiguous": e.ambiguous,
            "published_precision": "minute",
            "dateline": d.dateline,
            "teaser": d.teaser,
            "body": "\n\n".join(text for p in d.body for text in p.paragraphs()),
            "about": "\n\n".join(p.text for p in d.about),
            "contact": "\n".join(s.text for s in d.contact),
            "originator": d.publisher.name,
            "keywords": list(d.keywords),
            "places": list(d.places),
            "images": [{"url": i.hires, "caption": i.caption} for i in d.images],
            "links": links,
            "language": d.language,
            "origin": "page",
            "story_id_derived": False,
            "newsroom_kind": e.kind,
            "office_code": d.publisher.code,
            "imported_from": "",
        }
        assert list(record) == [f for f in EXPORT_FIELDS if f != "fetched_at"]
        return record

    def all_truth(self, publisher_id: int = MAIN_PUBLISHER, *, office_id: int | None = None
                  ) -> Iterator[dict[str, Any]]:
        for sid in self.story_ids(publisher_id, office_id=office_id):
            yield self.truth(sid)


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)
