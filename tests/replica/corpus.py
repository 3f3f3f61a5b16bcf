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
find them with ``corpus.cases(kind)``.
"""

from __future__ import annotations

import random
import threading
import unicodedata
import uuid
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Iterator
from zoneinfo import ZoneInfo

from crawler.items import EXPORT_FIELDS

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
ALL_KINDS = set(SLOT_KINDS.values()) | DERIVED_KINDS

FIRST_DAY = date(2015, 1, 5)
LAST_DAY = date(2026, 10, 31)
# story ids grow with time like the real site's: ~2.9M in Jan 2015, ~6.2M in Jan 2026
_ID_T0 = datetime(2015, 1, 1, tzinfo=UTC)
_ID_T1 = datetime(2026, 1, 1, tzinfo=UTC)
_ID0, _ID1 = 2_900_000, 6_200_000

TEASER_CHARS = 200


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


def _last_sunday(year: int, month: int) -> date:
    d = date(year, month + 1, 1) - timedelta(days=1)
    return d - timedelta(days=(d.weekday() - 6) % 7)


def _scaled_id(instant: datetime) -> int:
    frac = (instant - _ID_T0) / (_ID_T1 - _ID_T0)
    return int(_ID0 + frac * (_ID1 - _ID0))


@dataclass(frozen=True)
class Publisher:
    id: int
    name: str
    city: str
    about_name: str
    domain: str


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

    @property
    def pdate_text(self) -> str:
        """The shown p.date text (entities decoded): "20.01.2015 – 09:30"."""
        d = self.local
        dash = "-" if "ascii_hyphen_date" in self.kinds else "\u2013"
        return f"{d.day:02d}.{d.month:02d}.{d.year} {dash} {d.hour:02d}:{d.minute:02d}"


@dataclass
class Seg:
    text: str  # clean text
    href: str | None = None  # a link when set (relative hrefs are resolved against base_url)


@dataclass
class Para:
    segs: list[Seg]
    corrupt: str | None = None  # how rendering damages the clean text (see render.corrupt)
    bold: bool = False  # a bold subheading / the bold "Über X:" heading

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segs)


@dataclass
class Image:
    hires: str
    thumb: str
    content: str
    caption: str  # clean


@dataclass
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
    def pdate_text(self) -> str:
        return self.entry.pdate_text

    @property
    def jsonld_date(self) -> str:
        return f"{self.entry.local:%Y-%m-%dT%H:%M:00}"


def _categories(gen: int) -> list[tuple[str, str]]:
    """Category links (/t/...): the sidebar shows them beside the topic tags."""
    cats = [C.CATEGORIES[gen % len(C.CATEGORIES)]]
    if gen % 3 == 0:
        cats.append(C.CATEGORIES[(gen + 1) % len(C.CATEGORIES)])
    return cats


@dataclass
class Card:
    """The light view of a release used by cards and RSS (same attribute names as Doc)."""

    entry: Entry
    publisher: Publisher
    title: str
    teaser: str
    category: str

    sid = property(lambda self: self.entry.sid)
    pid = property(lambda self: self.entry.pid)
    kinds = property(lambda self: self.entry.kinds)
    city = property(lambda self: self.publisher.city)
    pdate_text = property(lambda self: self.entry.pdate_text)


class Corpus:
    def __init__(self, releases: int = 300, seed: int = 1, base_url: str = "http://127.0.0.1") -> None:
        if releases < 1:
            raise ValueError("releases must be >= 1")
        self.seed = seed
        self.releases = releases
        self.base_url = base_url.rstrip("/")
        self.publisher_id = MAIN_PUBLISHER
        self.publishers = {p[0]: Publisher(*p) for p in PUBLISHERS}
        self.lock = threading.RLock()
        self.version = 0  # bumped on every publish/edit/delete (page caches key on it)
        self._entries: dict[int, Entry] = {}
        self._asc: dict[int, list[int]] = {pid: [] for pid in self.publishers}  # live sids, oldest first
        self._next_gen: dict[int, int] = {}
        self._mtime: dict[int, datetime] = {}
        self._docs: OrderedDict[tuple[int, int], Doc] = OrderedDict()
        self._cards: OrderedDict[int, Card] = OrderedDict()
        self.card_html: dict[tuple, str] = {}  # rendered cards (render.card); static per story
        self._build_index()

    # ---- index -----------------------------------------------------------------------------

    def _count(self, pid: int) -> int:
        return self.releases if pid == MAIN_PUBLISHER else max(12, self.releases // 5)

    def _kinds_for(self, pid: int, gen: int, dated: bool = True) -> frozenset[str]:
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

    def _local_for(self, pid: int, gen: int, n: int, kinds: frozenset[str]) -> datetime:
        rng = random.Random(f"{self.seed}:{pid}:{gen}:date")
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

    def _build_index(self) -> None:
        rows = []
        for pid in self.publishers:
            n = self._count(pid)
            self._next_gen[pid] = n
            for gen in range(n):
                kinds = self._kinds_for(pid, gen)
                local = self._local_for(pid, gen, n, kinds)
                instant, ambiguous = resolve_local(local)
                rows.append((instant, pid, gen, local, ambiguous, kinds))
        rows.sort(key=lambda r: (r[0], r[1], r[2]))
        prev = 0
        for instant, pid, gen, local, ambiguous, kinds in rows:
            sid = max(prev + 1, _scaled_id(instant))
            prev = sid
            self._entries[sid] = Entry(sid, pid, gen, local, instant, ambiguous, kinds)
            self._asc[pid].append(sid)
        for pid, sids in self._asc.items():
            newest = self._entries[sids[-1]].instant if sids else _ID_T0
            self._mtime[pid] = newest.replace(microsecond=0)

    # ---- queries ---------------------------------------------------------------------------

    def entry(self, sid: int) -> Entry | None:
        e = self._entries.get(sid)
        return None if e is None or e.deleted else e

    def story_ids(
        self, publisher_id: int = MAIN_PUBLISHER, start: date | None = None, end: date | None = None
    ) -> list[int]:
        """Live story ids of one publisher, newest first, optionally within a window of
        local (Berlin) publication dates, both ends inclusive."""
        with self.lock:
            asc = self._asc.get(publisher_id, [])
            lo, hi = 0, len(asc)
            key = lambda sid: self._entries[sid].local.date()  # noqa: E731
            if start is not None:
                lo = bisect_left(asc, start, key=key)
            if end is not None:
                hi = bisect_right(asc, end, key=key)
            return asc[lo:hi][::-1]

    def older_than(self, publisher_id: int, sid: int, n: int) -> list[int]:
        """Up to n live stories of a publisher published before story ``sid``, newest first."""
        with self.lock:
            asc = self._asc.get(publisher_id, [])
            i = bisect_left(asc, sid)
            return asc[max(0, i - n) : i][::-1]

    def cases(self, kind: str, publisher_id: int = MAIN_PUBLISHER) -> list[int]:
        if kind not in ALL_KINDS:
            raise KeyError(f"unknown kind {kind!r}; known: {sorted(ALL_KINDS)}")
        return [sid for sid in self.story_ids(publisher_id) if kind in self._entries[sid].kinds]

    def kinds(self, sid: int) -> frozenset[str]:
        return self._require(sid).kinds

    def mtime(self, pid: int) -> datetime:
        return self._mtime[pid]

    def _require(self, sid: int) -> Entry:
        e = self.entry(sid)
        if e is None:
            raise KeyError(f"story {sid} does not exist (or was deleted)")
        return e

    # ---- dynamics --------------------------------------------------------------------------

    def _touch(self, pid: int) -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        self._mtime[pid] = max(self._mtime[pid] + timedelta(seconds=1), now)
        self.version += 1

    def publish(self, n: int = 1, publisher_id: int = MAIN_PUBLISHER) -> list[int]:
        """Publish n new releases at the top (newest); returns their ids, newest first."""
        with self.lock:
            newest = max(self._entries.values(), key=lambda e: e.instant)
            max_sid = max(self._entries)
            new: list[int] = []
            for k in range(n):
                gen = self._next_gen[publisher_id]
                self._next_gen[publisher_id] += 1
                instant = (newest.instant + timedelta(hours=k + 1)).replace(second=0, microsecond=0)
                local = instant.astimezone(BERLIN).replace(tzinfo=None, fold=0)
                instant, ambiguous = resolve_local(local)
                sid = max_sid + 3 * (k + 1)
                kinds = self._kinds_for(publisher_id, gen, dated=False)
                self._entries[sid] = Entry(sid, publisher_id, gen, local, instant, ambiguous, kinds)
                self._asc[publisher_id].append(sid)
                new.append(sid)
            self._touch(publisher_id)
            return new[::-1]

    def edit(self, sid: int) -> None:
        """Change the body text of a release (a new revision); its truth follows."""
        with self.lock:
            e = self._require(sid)
            e.rev += 1
            self._touch(e.pid)

    def delete(self, sid: int) -> None:
        with self.lock:
            e = self._require(sid)
            e.deleted = True
            self._cards.pop(sid, None)
            self._asc[e.pid].remove(sid)
            self._touch(e.pid)

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
        _, title, _, _, first, _ = self._head(e)
        pub = self.publishers[e.pid]
        c = Card(e, pub, title, make_teaser(first), _categories(e.gen)[0][1])
        with self.lock:
            self._cards[sid] = c
            if len(self._cards) > 20_000:
                self._cards.popitem(last=False)
        return c

    def _head(self, e: Entry) -> tuple[random.Random, str, str | None, int, str, str | None]:
        """Title and first paragraph: the first draws of the release's generator, so
        cards need not generate the whole release."""
        rng = random.Random(f"{self.seed}:{e.pid}:{e.gen}")
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

    def _generate(self, e: Entry) -> Doc:
        pub = self.publishers[e.pid]
        kinds = e.kinds
        english = "english" in kinds
        sentences = C.EN_SENTENCES if english else C.SENTENCES
        rng, title, title_corrupt, n, first_text, first_corrupt = self._head(e)

        # body
        double = "double_space" if "double_space" in kinds else None
        body = [Para([Seg(first_text)], corrupt=first_corrupt)]
        body += [Para([Seg(C.paragraph(rng, sentences))], corrupt=double) for _ in range(n - 1)]
        if "long" in kinds:
            for i in range(6, n, 8):
                body.insert(i, Para([Seg(C.pick(rng, C.SUBHEADS))], bold=True))
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
        if "multi_contact" in kinds:
            f2, l2 = C.PEOPLE[(e.gen + 3) % len(C.PEOPLE)]
            contact += [
                Seg("New Business Verlag GmbH & Co. KG"),
                Seg("Pressestelle"),
                Seg(f"{f2} {l2}"),
                Seg("Tel. +49 (0)40 609 009-99"),
                Seg(f"presse@{domain}", f"mailto:presse@{domain}"),
            ]

        # images
        images: list[Image] = []
        if "image" in kinds:
            for j in range(2 if "multi_image" in kinds else 1):
                u = uuid.UUID(int=rng.getrandbits(128), version=4)
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

        keywords = [] if "no_keywords" in kinds else rng.sample(C.TOPICS, C.rint(rng, 2, 5))
        categories = _categories(e.gen)
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
            "url": f"{self.base_url}/pm/{e.pid}/{e.sid}",
            "title": d.title,
            "published_at": e.instant.isoformat(),
            "published_raw": d.jsonld_date if "no_pdate" in d.kinds else d.pdate_text,
            "published_ambiguous": e.ambiguous,
            "published_precision": "minute",
            "dateline": d.city,
            "teaser": d.teaser,
            "body": "\n\n".join(p.text for p in d.body),
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
        }
        assert list(record) == [f for f in EXPORT_FIELDS if f != "fetched_at"]
        return record

    def all_truth(self, publisher_id: int = MAIN_PUBLISHER) -> Iterator[dict[str, Any]]:
        for sid in self.story_ids(publisher_id):
            yield self.truth(sid)


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)
