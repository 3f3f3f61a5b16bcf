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


def read_story(html: str, url: str) -> dict:
    """The release fields as the replica's story page shows them."""
    sel = Selector(text=html)
    card = sel.css("article.story div.card")
    m = re.search(r"/pm/(\d+)/(\d+)", url)
    pid, sid = int(m[1]), int(m[2])
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
    city = clean(_text(card.css("a.story-city")))
    desc = sel.css('meta[name="description"]::attr(content)').get("")
    prefix = f"{publisher} - {city} (ots) - "
    teaser = clean(desc[len(prefix):] if desc.startswith(prefix) else desc)

    paras = card.xpath("./p[not(@class)]")
    body: list[str] = []
    about: list[str] = []
    links: list[dict] = []
    in_about = False
    for p in paras:
        if p.css("a.story-city"):
            rest = clean(_text(p))
            rest = rest.removeprefix(f"{city} (ots)").lstrip(" -")
            if not rest:
                continue
            nodes = p
        else:
            rest = clean(_text(p))
            nodes = p
        if not rest:
            continue
        if re.match(r"Über .+:", rest) and p.xpath("./b"):
            in_about = True
        (about if in_about else body).append(rest)
        for a in nodes.xpath(".//a[not(contains(@class, 'story-city'))]"):
            links.append({"url": urljoin(url, a.attrib["href"]), "text": clean(_text(a))})
    contact_html = card.css("p.contact-text").get("")
    inner = re.sub(r"^<p[^>]*>|</p>$", "", contact_html)
    contact = [clean(_text(Selector(text=f"<div>{line}</div>"))) for line in re.split(r"<br\s*/?>", inner)]
    originator = re.search(r"Original-Content von: (.+?), übermittelt", clean(_text(card.css("p.originator"))))

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
    return {
        "story_id": sid,
        "publisher_id": pid,
        "publisher": publisher,
        "url": f"{base}/pm/{pid}/{sid}",
        "title": clean(_text(card.css("h1"))),
        "published_at": first.astimezone(UTC).isoformat(),
        "published_raw": raw,
        "published_ambiguous": ambiguous,
        "published_precision": "minute",  # a page shows the minute
        "dateline": city,
        "teaser": teaser,
        "body": "\n\n".join(body),
        "about": "\n\n".join(about),
        "contact": "\n".join(contact),
        "originator": originator[1] if originator else "",
        "keywords": keywords,
        "places": places,
        "images": images,
        "links": links,
        "language": card.attrib.get("lang", ""),
        "origin": "page",
        "story_id_derived": False,
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
