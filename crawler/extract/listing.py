"""Newsroom listing pages: `extract_listing(html, url) -> Listing`, no I/O.

A card is an `article.news` (2021+ layout) with `data-url`/`data-label`, or any
`h3 a[href*="/pm/"]` (an office's stories are under `/blaulicht/pm/`: the card's newsroom
is an office then). The date sits in `div.date` (2022-2026) or `h5.date` (2019, and the
"Weitere Storys" cards of story pages), else somewhere in `.news-meta`. Cards of every
newsroom come out: the spider keeps its own newsroom's (`Card.newsroom`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from crawler.extract._html import absolute, has_class, has_class_token, is_blank, parse_html, site_of, text_of
from crawler.items import PUBLISHER, Newsroom, StoryRef, story_ref

_X_CARDS = etree.XPath(f"//article[{has_class('news')}]")
_X_H3_LINKS = etree.XPath("//h3//a[contains(@href, '/pm/')]")
_X_NEXT_LINK = etree.XPath("/html/head/link[@href][@rel='next' or @rel='Next']")
# one scan of the page for both pagination forms (the class token is checked in Python)
_X_NEXT_ELEMENTS = etree.XPath(
    "//*[contains(@class, 'pagination-next') or ((self::a or self::link) and @rel='next')]"
)
_DATE = re.compile(r"\d{1,2}[./]\d{1,2}[./]\d{4}\s*[–—-]\s*\d{1,2}:\d{2}|\d{1,2}[./]\d{1,2}[./]\d{4}")


@dataclass
class Card:
    story_id: int
    publisher_id: int  # the newsroom's id (see newsroom_kind)
    url: str  # canonical on the site of the listing: {scheme}://{host}/pm/{pid}/{sid} (/blaulicht/pm/...)
    title: str = ""
    date_raw: str = ""
    teaser: str = ""
    newsroom_kind: str = PUBLISHER

    @property
    def newsroom(self) -> Newsroom:
        return Newsroom(self.newsroom_kind, self.publisher_id)

    @classmethod
    def of(cls, ref: StoryRef, site: str, **fields: str) -> Card:
        """The card of the story `ref` names, canonical on `site`."""
        return cls(story_id=ref.story_id, publisher_id=ref.newsroom.id,
                   url=site + ref.newsroom.story_path(ref.story_id), newsroom_kind=ref.newsroom.kind, **fields)


@dataclass
class Listing:
    cards: list[Card] = field(default_factory=list)
    next_url: str | None = None


def _card_from_article(art: etree._Element, site: str) -> Card | None:
    link = None
    for h3 in art.iter("h3"):
        link = next((a for a in h3.iter("a") if "/pm/" in (a.get("href") or "")), None)
        if link is not None:
            break
    if link is None:
        link = next((a for a in art.iter("a") if story_ref(a.get("href"))), None)
    ref = story_ref(art.get("data-url")) or story_ref(link.get("href") if link is not None else None)
    if ref is None:
        return None
    return Card.of(ref, site, title=_title(link), date_raw=_date(art), teaser=_teaser(art))


def _title(link: etree._Element | None) -> str:
    if link is None:
        return ""
    text = text_of(link)
    return text if not is_blank(text) else (link.get("title") or "").strip()


def _date(art: etree._Element) -> str:
    for el in art.iter("div", "h5", "span", "time", "p"):
        if has_class_token(el, "date") and not is_blank(text_of(el)):
            return text_of(el)
    for el in art.iter():
        if isinstance(el.tag, str) and has_class_token(el, "news-meta"):
            m = _DATE.search(text_of(el))
            if m:
                return m.group(0)
    return ""


def _teaser(art: etree._Element) -> str:
    for p in art.iter("p"):
        text = text_of(p)
        if not is_blank(text):
            return text
    return ""


def _next_url(root: etree._Element, url: str) -> str | None:
    """link[rel=next] in the head, else `.pagination-next[data-url]`, else
    `a.pagination-next[href]` / `a[rel=next]`; absolute; None on the last page."""
    for el in _X_NEXT_LINK(root):
        return absolute(url, el.get("href", ""))
    elements = [el for el in _X_NEXT_ELEMENTS(root) if el.tag == "link" and el.get("href")] + [
        el for el in _X_NEXT_ELEMENTS(root)
        if has_class_token(el, "pagination-next") or el.get("rel") == "next"
    ]
    for attr in ("data-url", "href"):
        for el in elements:
            value = (el.get(attr) or "").strip()
            if value and not value.startswith(("#", "javascript:")):
                return absolute(url, value)
    return None


def extract_listing(html: str, url: str) -> Listing:
    """Story cards of a listing page in page order (duplicates and slugs collapse) and
    the absolute URL of the next page, or None on the last page."""
    root = parse_html(html)
    site = site_of(url)
    cards: list[Card] = []
    seen: set[int] = set()
    for art in _X_CARDS(root):
        card = _card_from_article(art, site)
        if card is not None and card.story_id not in seen:
            seen.add(card.story_id)
            cards.append(card)
    if not cards:  # a renamed article.news: any headline link to a story
        for a in _X_H3_LINKS(root):
            ref = story_ref(a.get("href"))
            if ref is None or ref.story_id in seen:
                continue
            seen.add(ref.story_id)
            cards.append(Card.of(ref, site, title=_title(a)))
    return Listing(cards=cards, next_url=_next_url(root, url))
