"""What a replica page shows, read back independently of the corpus (test helper).

A deliberately small reader of the replica's own markup, used only to check that
the ground truth agrees with the served HTML. It is not the project's extractor
(crawler/extract/ is); it knows the replica's markup exactly and nothing more.
"""

from __future__ import annotations

import http.client
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import ftfy
from parsel import Selector

from .corpus import CONTACT_HEADINGS, ENGLISH_CONTACT_HEADINGS

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass
class Fetched:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def charset(self) -> str:
        m = re.search(r"charset=([\w-]+)", self.headers.get("content-type", ""))
        return m[1] if m else "utf-8"

    @property
    def text(self) -> str:
        return self.body.decode(self.charset)


def fetch(url: str, headers: dict[str, str] | None = None, timeout: float = 10) -> Fetched:
    """One plain GET with http.client (no redirects, no retries, no caching)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        return Fetched(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)
    finally:
        conn.close()


def clean(s: str) -> str:
    """The documented cleaning (ARCHITECTURE.md): NFC, mojibake repaired, debris
    removed, NBSP as space, spaces collapsed, typographic quotes kept."""
    s = ftfy.fix_text(s, uncurl_quotes=False, normalization="NFC")
    s = re.sub("[\u00ad\u200b\u200c\u200d\u2060\ufeff]", "", s).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip()


def _text(sel) -> str:
    return "".join(sel.xpath(".//text()").getall())


HEADINGS = {"Pressekontakt:", "Rückfragen bitte an:", *CONTACT_HEADINGS, *ENGLISH_CONTACT_HEADINGS}
DATELINE = re.compile(r"^(?P<city>.*?):? \(ots(?:/[^)]*)?\)(?: - \((?P<initials>\w+)\))?(?: - )?(?P<rest>.*)$", re.S)


def _lines(html_: str) -> list[str]:
    """The lines of a block of <br>-separated HTML; adjacent links are lines of their own."""
    out = []
    for line in re.split(r"<br\s*/?>", html_):
        nodes = Selector(text=f"<div>{line}</div>").xpath("//div/node()")
        texts = [clean(n.root if isinstance(n.root, str) else n.xpath("string()").get() or "") for n in nodes]
        out += [t for t in texts if t]
    return out


def _block(el, url: str, links: list) -> list[str]:
    """The truth paragraphs of one block element of the card, its links into `links`."""
    tag = el.root.tag
    if tag in ("ul", "ol"):
        items = [clean(_text(li)) for li in el.xpath("./li")]
        marks = ["-"] * len(items) if tag == "ul" else [f"{n}." for n in range(1, len(items) + 1)]
        return ["\n".join(f"{m} {i}" for m, i in zip(marks, items))]
    if tag == "table":
        return ["\n".join(" | ".join(clean(_text(c)) for c in tr.xpath("./th|./td")) for tr in el.xpath(".//tr"))]
    for a in el.xpath(".//a[not(contains(@class, 'story-city'))]"):
        links.append({"url": urljoin(url, a.attrib["href"]), "text": clean(_text(a))})
    inner = re.sub(r"^<[^>]+>|</[^>]+>$", "", el.get())
    parts = re.split(r"<br\s*/?>", inner)
    if len(parts) > 1:  # a text, then "- " lines: two paragraphs
        lines = [clean(Selector(text=f"<div>{p}</div>").xpath("string(//div)").get()) for p in parts]
        return [lines[0], "\n".join(lines[1:])]
    text = clean(_text(el))
    return [text] if text else []


def read_story(html: str, url: str) -> dict:
    """The release fields as the replica's story page shows them (every markup variety
    of render.py: usual classes or none, lists, tables, quotes, a body without <p>)."""
    sel = Selector(text=html)
    card = sel.css("article.story div.card")
    m = re.search(r"(/blaulicht)?/pm/(\d+)/(\d+)", url)
    kind, pid, sid = ("office" if m[1] else "publisher"), int(m[2]), int(m[3])
    publisher = clean(_text(card.css("a.story-customer")))
    jsonld = sel.xpath('//script[@type="application/ld+json"]/text()').get()
    ld = json.loads(jsonld) if jsonld else {}
    raw = card.css("p.date::text").get()
    raw = raw.strip() if raw else ld.get("datePublished", "")
    m = re.match(r"(\d\d)\.(\d\d)\.(\d{4}) [\u2013-] (\d\d):(\d\d)$", raw)
    if m:
        local = datetime(int(m[3]), int(m[2]), int(m[1]), int(m[4]), int(m[5]))
    else:
        local = datetime.fromisoformat(raw)
    first = local.replace(tzinfo=BERLIN, fold=0)
    ambiguous = first.utcoffset() != local.replace(tzinfo=BERLIN, fold=1).utcoffset()
    title = clean(_text(card.css("h1")))
    desc = sel.css('meta[name="description"]::attr(content)').get("")
    prefix = re.match(rf"{re.escape(publisher)} - .*?\(ots[^)]*\) - (?:\(\w+\) )?", desc)
    teaser = clean(desc[prefix.end():] if prefix else desc)

    body: list[str] = []
    about: list[str] = []
    contact: list[str] = []
    links: list[dict] = []
    originator = ""
    city = ""
    div = card.css("div.story-text")
    if div:  # a body without <p>: paragraphs between <br><br>
        chunks = re.split(r"<br\s*/?>\s*<br\s*/?>", re.sub(r"^<div[^>]*>|</div>$", "", div[0].get()))
        blocks = [Selector(text=f"<p>{chunk}</p>").css("p")[0] for chunk in chunks]
    else:
        blocks = card.xpath("./p[not(@class='date') and not(@class='customer')]|./ul|./ol|./table|./blockquote"
                            "|./h2|./h3|./h4")
    section = "dateline"
    for el in blocks:
        text = clean(_text(el))
        cls = el.attrib.get("class", "")
        if cls == "originator" or text.startswith("Original-Content von:"):
            found = re.search(r"Original-Content von: (.+?), übermittelt", text)
            originator = found[1] if found else ""
            section = "end"
            continue
        if section == "dateline":
            found = DATELINE.match(text)
            city = found["city"]
            section = "body"
            rest = found["rest"].strip()
            if rest:  # the first paragraph after its dateline
                body.append(rest)
                for a in el.xpath(".//a[not(contains(@class, 'story-city'))]"):
                    links.append({"url": urljoin(url, a.attrib["href"]), "text": clean(_text(a))})
            continue
        if cls == "contact-headline" or text in HEADINGS:
            section = "contact"
            continue
        if section == "contact":
            contact += _lines(re.sub(r"^<p[^>]*>|</p>$", "", el.get()))
            continue
        if el.root.tag == "p" and re.match(r"Über .+:", text) and el.xpath("./b"):
            section = "about"
        paragraphs = _block(el, url, links)
        (about if section == "about" else body).extend(p for p in paragraphs if p)

    def tags(heading: str) -> list:
        return sel.xpath(
            f'//div[contains(text(), "{heading}")]/following-sibling::ul[@class="tags"][1]//a[@rel="tag"]'
        )

    keywords = [clean(_text(a)) for a in tags("Themen in dieser") if a.attrib["href"].startswith("/st/")]
    places = [clean(_text(a)) for a in tags("Orte in dieser")]
    images = [
        {"url": a.attrib["href"], "caption": clean(a.attrib.get("data-caption", ""))}
        for a in card.css("div.story-media figure a.fancybox")
    ]
    base = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    code = re.match(r"([A-Z]+-[A-Z]+): ", title) if kind == "office" else None
    return {
        "story_id": sid,
        "publisher_id": pid,
        "publisher": publisher,
        "url": f"{base}{'/blaulicht' if kind == 'office' else ''}/pm/{pid}/{sid}",
        "title": title,
        "published_at": first.astimezone(UTC).isoformat(),
        "published_raw": raw,
        "published_ambiguous": ambiguous,
        "published_precision": "minute",  # a page shows the minute
        "dateline": city,
        "teaser": teaser,
        "body": "\n\n".join(body),
        "about": "\n\n".join(about),
        "contact": "\n".join(contact),
        "originator": originator,
        "keywords": keywords,
        "places": places,
        "images": images,
        "links": links,
        "language": card.attrib.get("lang", ""),
        "origin": "page",
        "story_id_derived": False,
        "newsroom_kind": kind,
        "office_code": code[1] if code else "",
        "imported_from": "",  # a page is read, not imported
    }


def read_listing(html: str) -> dict:
    sel = Selector(text=html)
    cards = sel.css("article.news")
    return {
        "ids": [int(c.attrib["data-url"].rsplit("/", 1)[1]) for c in cards],
        "dates": [clean(_text(c.css("div.news-meta .date"))) for c in cards],
        "date_tags": [c.css("div.news-meta .date").xpath("name()").get() for c in cards],
        "next": sel.css('link[rel="next"]::attr(href)').get(),
        "next_data_url": sel.css(".pagination-next::attr(data-url)").get(),
        "cards": cards,
    }
