"""Story page extraction: `extract_story(html, url) -> StoryPage`, no I/O.

Layers, in the order each field tries them (the first that yields a value wins and is
recorded in `StoryPage.sources`):

| field | order |
| --- | --- |
| story_id, publisher_id | canonical link / og:url (meta), JSON-LD `@id` (jsonld), the URL (url) |
| title | `h1` of the card (dom), JSON-LD headline, og:/twitter:title (meta), `<title>` minus "▷ " and " | Presseportal" (text) |
| published_raw | `p.date` (dom), JSON-LD datePublished, article:published_time (meta), a "dd.mm.yyyy – hh:mm" in the card (text) |
| publisher | `a.story-customer` / `p.customer` (dom), JSON-LD author.name, description "{publisher} - {City} (ots)" (meta), originator line (text) |
| dateline | `a.story-city` (dom), the "X (ots)" paragraph (text), the descriptions (meta, jsonld) |
| teaser | meta description, og/twitter description (meta), JSON-LD description, first body paragraph (text) |
| keywords | `/st/` tags (dom), news_keywords (meta), JSON-LD keywords |
| places | tags under "Orte in dieser Story" / `/regional/` tags (dom), `/regional/` links in the card (dom) |
| language | `div.card[lang]`, `html[lang]` (dom), JSON-LD inLanguage, og:locale (meta) |

The ARCHITECTURE table defines title as the h1 and published_raw as the shown p.date,
so the DOM comes first for those: JSON-LD and meta copies can be truncated or rewritten.
The descriptions come first for the teaser because that is what the teaser *is*.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Literal

from lxml import etree

from crawler.extract._html import (
    absolute,
    has_class,
    has_class_token,
    is_blank,
    lines_of,
    parse_html,
    site_of,
    story_ids,
    text_of,
    xml_safe,
)
from crawler.items import Release, canonical_story_url

Layer = Literal["jsonld", "meta", "dom", "text", "url", "listing"]


class ExtractionError(ValueError):
    """The page is not a usable story (no title or no date in any layer, no story id)."""


@dataclass
class StoryPage:
    url: str  # the URL the page was fetched from
    story_id: int
    publisher_id: int
    title: str
    published_raw: str
    publisher: str = ""
    dateline: str = ""
    teaser: str = ""
    paragraphs: list[str] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    contact: str = ""
    originator: str = ""
    keywords: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)
    language: str = ""
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def canonical_url(self) -> str:
        """`{scheme}://{host}/pm/{pid}/{sid}` on the site the page was fetched from."""
        return canonical_story_url(site_of(self.url), self.publisher_id, self.story_id)


# --- patterns -------------------------------------------------------------------------

# "Köln (ots)", "Hamburg (ots/PRNewswire) -", "Berlin/Hamburg (OTS) –"
_OTS = r"\((?:ots|OTS)(?:/[^)]{0,60})?\)"
# the city may be missing when its link was dropped: "(ots)" alone is still the dateline line
_DATELINE_ALONE = re.compile(rf"^\s*(?P<city>[^()\n]{{0,100}}?)\s*{_OTS}\s*[-–—:]?\s*$")
_DATELINE_OPENING = re.compile(rf"^\s*(?P<city>[^()\n]{{1,100}}?)\s*{_OTS}")
# "{publisher} - {City} (ots) - " or "{City} (ots) - " at the start of a description
_OTS_PREFIX = re.compile(rf"^(?P<head>[^\n]{{0,250}}?)\s*{_OTS}\s*[-–—:]?\s*", re.S)
_ORIGINATOR = re.compile(
    r"Original[- ]Content\s+(?:von|of|from)\s*:\s*(?P<name>.+?)\s*,\s*"
    r"(?:übermittelt|uebermittelt|transmitted|provided|distributed)\b",
    re.I | re.S,
)
_SHOWN_DATE = re.compile(
    r"\d{1,2}\.\d{1,2}\.\d{4}\s*[–—-]\s*\d{1,2}:\d{2}"  # 20.01.2015 – 09:30
    r"|\d{1,2}/\d{1,2}/\d{4}\s*[–—-]\s*\d{1,2}:\d{2}"  # 01/20/2015 – 09:30 (English pages)
    r"|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?"
)
# a lazy thumbnail without its hi-res link: the same image id has a story_hires rendering
# (cache.pressmailing.net/thumbnail/story_big/{uuid}/{slug} -> .../story_hires/{uuid}/image.jpg)
_HIRES = re.compile(
    r"^(?P<head>https?://[^/]*pressmailing\.net/thumbnail/)[a-z_]+/(?P<uuid>[0-9a-f-]{36})/[^?#]*(?:\?.*)?$"
)
_TITLE_DECOR = re.compile(r"^\s*[▷►▶]\s*|\s*[|–-]\s*presseportal(?:\.de)?\s*$", re.I)
_TOPIC_HREF = re.compile(r"(?:^|/)st/[^/?#]")
_PLACE_HREF = re.compile(r"(?:^|/)regional/[^/?#]")
_CATEGORY_HREF = re.compile(r"(?:^|/)t/[^/?#]")
_PLACE_HEADING = re.compile(r"\b(?:orte|ort|places|locations?|regional)\b", re.I)
_TOPIC_HEADING = re.compile(r"\b(?:themen|meldung|topics?|keywords|tags|schlagw)", re.I)

_ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting", "PressRelease"}
)
_NON_IMAGE_MEDIA = frozenset({"video", "audio", "dokument", "document", "pdf", "datei", "file"})
_META_CLASSES = frozenset({"date", "customer", "contact-text", "originator"})

# fallbacks for a renamed story container (the usual ones are found in _Doc's walk)
_X_LANG_CARD = etree.XPath(f"//div[{has_class('card')}][@lang][not(ancestor::article[{has_class('news')}])]")
_X_H1 = etree.XPath(f"//h1[not(ancestor::article[{has_class('news')}])]")
_X_HEAD_TITLE = etree.XPath("/html/head/title")


# --- the parsed page ------------------------------------------------------------------


class _Doc:
    """One parse of the page and the lookups every field shares (computed once)."""

    def __init__(self, html: str, url: str) -> None:
        self.url = url
        self.root = parse_html(html)
        self.meta: dict[str, str] = {}
        self.canonical = ""
        self._jsonld_scripts: list[etree._Element] = []
        articles: list[etree._Element] = []
        tag_lists: list[etree._Element] = []
        # ONE walk over the whole page for every page-wide lookup: a walk costs about
        # as much as the lookup itself (these were five XPath/iter passes)
        for el in self.root.iter("meta", "link", "script", "article", "ul"):
            tag = el.tag
            if tag == "meta":
                content = el.get("content")
                if content is None:
                    continue
                for key in (el.get("name"), el.get("property"), el.get("itemprop")):
                    if key:
                        self.meta.setdefault(key.strip().lower(), content)
            elif tag == "link":
                if not self.canonical and "canonical" in (el.get("rel") or "").lower().split():
                    self.canonical = (el.get("href") or "").strip()
            elif tag == "script":
                if el.get("type") == "application/ld+json":
                    self._jsonld_scripts.append(el)
            elif tag == "article":
                articles.append(el)
            elif has_class_token(el, "tags") and not _in_news_teaser(el):
                tag_lists.append(el)
        self.tag_lists = tag_lists
        self.card = _find_card(self.root, articles)
        self.blocks = _card_paragraphs(self.card) if self.card is not None else []

    @cached_property
    def jsonld(self) -> dict[str, Any]:
        # parsed on first use: on most pages the DOM and meta layers answer every field
        return _article_jsonld(self._jsonld_scripts)

    def m(self, *keys: str) -> str:
        """First non-blank meta content among `keys`."""
        for key in keys:
            value = self.meta.get(key)
            if value and not is_blank(value):
                return " ".join(value.split(" ")).strip()
        return ""

    def ld(self, key: str) -> Any:
        return self.jsonld.get(key)


def _article_jsonld(scripts: list[etree._Element]) -> dict[str, Any]:
    """The NewsArticle object among the page's JSON-LD scripts (or {}). A broken block
    is skipped: a page with invalid JSON-LD still has its other layers."""
    found: list[dict[str, Any]] = []
    for script in scripts:
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except json.JSONDecodeError:
            continue
        stack = data if isinstance(data, list) else [data]
        for obj in stack:
            if not isinstance(obj, dict):
                continue
            if isinstance(obj.get("@graph"), list):
                stack.extend(o for o in obj["@graph"] if isinstance(o, dict))
            found.append(obj)
    for obj in found:
        kinds = obj.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(k in _ARTICLE_TYPES for k in kinds if isinstance(k, str)):
            return obj
    for obj in found:
        if "headline" in obj or "datePublished" in obj:
            return obj
    return {}


def _in_news_teaser(el: etree._Element) -> bool:
    """Inside an `article.news` ("Weitere Storys" teasers)."""
    return any(has_class_token(a, "news") for a in el.iterancestors("article"))


def _find_card(root: etree._Element, articles: list[etree._Element]) -> etree._Element | None:
    """The story container: `article.story div.card`, never an `article.news` teaser of
    "Weitere Storys" nor the sidebar. Fallbacks for a renamed container: the story
    article, a `div.card[lang]`, the parent of the page's `h1`. `articles`: the page's
    articles in document order."""
    stories = [a for a in articles if has_class_token(a, "story")]
    for article in stories:  # the first div.card in document order under any of them
        for div in article.iter("div"):
            if has_class_token(div, "card"):
                return div
    if stories:
        return stories[0]
    hits = _X_LANG_CARD(root)
    if hits:
        return hits[0]
    h1s = _X_H1(root)
    if h1s:
        return h1s[0].getparent()
    return None


_EXCLUDED_CONTAINERS = ("story-sharing", "story-media", "media-action", "story-attachment")


def _inside_excluded(el: etree._Element, card: etree._Element) -> bool:
    for anc in el.iterancestors():
        if anc is card:
            return False
        tag = anc.tag
        if tag in ("figure", "aside", "form", "nav", "footer", "header"):
            return True
        classes = (anc.get("class") or "").split()
        if tag == "article" and "news" in classes:
            return True
        if any(c in classes for c in _EXCLUDED_CONTAINERS):
            return True
    return False


@dataclass
class _Block:
    el: etree._Element
    classes: frozenset[str]
    after_h1: bool


def _card_paragraphs(card: etree._Element) -> list[_Block]:
    """Every `<p>` of the card in document order, outside sharing/media blocks."""
    blocks: list[_Block] = []
    seen_h1 = False
    for el in card.iter("p", "h1"):
        if el.tag == "h1":
            seen_h1 = True
            continue
        if _inside_excluded(el, card):
            continue
        blocks.append(_Block(el, frozenset((el.get("class") or "").split()), seen_h1))
    if not seen_h1:  # no h1 in the card: nothing tells header from body by position
        for b in blocks:
            b.after_h1 = True
    return blocks


def _first(doc: _Doc, cls: str) -> etree._Element | None:
    for b in doc.blocks:
        if cls in b.classes:
            return b.el
    return None


def _card_links(doc: _Doc, cls: str) -> list[etree._Element]:
    if doc.card is None:
        return []
    return [a for a in doc.card.iter("a") if cls in (a.get("class") or "").split()]


def _strip_ots_prefix(text: str) -> tuple[str, str]:
    """("{publisher} - {City}" head, rest) when text opens with an "(ots)" prefix."""
    m = _OTS_PREFIX.match(text)
    if not m:
        return "", text
    return m.group("head").strip(), text[m.end() :]


def _descriptions(doc: _Doc) -> Iterator[tuple[str, Layer]]:
    """The descriptions in layer order, lazily: the callers stop at the first that
    serves, and the JSON-LD one is parsed only when the meta ones do not."""
    for key in ("description", "og:description", "twitter:description"):
        value = doc.m(key)
        if value:
            yield value, "meta"
    ld = doc.ld("description")
    if isinstance(ld, str) and not is_blank(ld):
        yield ld.strip(), "jsonld"


# --- one function per field -----------------------------------------------------------


def _ids(doc: _Doc) -> tuple[tuple[int, int], Layer]:
    # each candidate is computed only when the ones before it fail (the JSON-LD one
    # would parse the JSON-LD)
    for candidate, layer in (
        (lambda: doc.canonical, "meta"),
        (lambda: doc.m("og:url", "twitter:url"), "meta"),
        (lambda: _ld_id(doc), "jsonld"),
        (lambda: doc.url, "url"),
    ):
        ids = story_ids(candidate())
        if ids:
            return ids, layer  # type: ignore[return-value]
    raise ExtractionError(f"no /pm/{{publisher_id}}/{{story_id}} in canonical, og:url, JSON-LD or URL: {doc.url}")


def _ld_id(doc: _Doc) -> str:
    page = doc.ld("mainEntityOfPage")
    if isinstance(page, dict):
        page = page.get("@id") or page.get("url")
    if isinstance(page, str):
        return page
    url = doc.ld("url")
    return url if isinstance(url, str) else ""


def _title(doc: _Doc) -> tuple[str, Layer | None]:
    if doc.card is not None:
        h1 = next(doc.card.iter("h1"), None)
        text = text_of(h1)
        if h1 is not None and not is_blank(text):
            return text, "dom"
    headline = doc.ld("headline") or doc.ld("name")
    if isinstance(headline, str) and not is_blank(headline):
        return " ".join(headline.split(" ")).strip(), "jsonld"
    if value := doc.m("og:title", "twitter:title"):
        return value, "meta"
    h1s = _X_H1(doc.root)
    if h1s and not is_blank(text := text_of(h1s[0])):
        return text, "dom"
    titles = _X_HEAD_TITLE(doc.root)
    if titles:
        value = _TITLE_DECOR.sub("", text_of(titles[0]))
        if not is_blank(value):
            return value, "text"
    return "", None


def _published(doc: _Doc, listing_date: str = "") -> tuple[str, Layer | None]:
    el = _first(doc, "date")
    text = text_of(el)
    shown = ""
    if el is not None and not is_blank(text):
        m = _SHOWN_DATE.search(text)
        if m:
            return m.group(0), "dom"  # without any words around it ("Veröffentlicht: ...")
        shown = text.strip()  # a form we do not know: other layers first, this one last
    value = doc.ld("datePublished")
    if isinstance(value, str) and value.strip():
        return value.strip(), "jsonld"
    if value := doc.m("article:published_time", "og:article:published_time", "date", "dc.date", "dcterms.date"):
        return value, "meta"
    if doc.card is not None:
        m = _SHOWN_DATE.search(text_of(doc.card))
        if m:
            return m.group(0), "text"
    if shown:
        return shown, "dom"  # free-form ("21. Januar 2021, 10:30 Uhr"): dateparser reads it
    if listing_date and not is_blank(listing_date):
        return listing_date.strip(), "listing"  # the card's date, passed in by the spider
    return "", None


def _publisher(doc: _Doc) -> tuple[str, Layer | None]:
    for a in _card_links(doc, "story-customer"):
        text = text_of(a)
        if not is_blank(text):
            return text, "dom"
    el = _first(doc, "customer")
    text = text_of(el)
    if el is not None and not is_blank(text):
        return text, "dom"
    author = doc.ld("author")
    if isinstance(author, list) and author:
        author = author[0]
    if isinstance(author, dict):
        author = author.get("name")
    if isinstance(author, str) and not is_blank(author):
        return author.strip(), "jsonld"
    value = doc.m("description")
    if value:
        head, _ = _strip_ots_prefix(value)
        if " - " in head:
            return head.rsplit(" - ", 1)[0].strip(), "meta"
    originator, layer = _originator(doc)
    if originator:
        return originator, "text"
    return "", None


def _dateline_block(doc: _Doc) -> tuple[_Block | None, bool]:
    """The paragraph that carries the dateline and whether it stands alone."""
    for b in doc.blocks:
        if not b.after_h1 or b.classes & _META_CLASSES:
            continue
        if any("story-city" in (a.get("class") or "").split() for a in b.el.iter("a")):
            return b, bool(_DATELINE_ALONE.match(text_of(b.el)))
    # no city link: the first non-blank paragraph after the h1, if it opens with "X (ots)"
    for b in doc.blocks:
        if not b.after_h1 or b.classes & _META_CLASSES or "contact-headline" in b.classes:
            continue
        text = text_of(b.el)
        if is_blank(text):
            continue
        if _DATELINE_ALONE.match(text):
            return b, True
        if _DATELINE_OPENING.match(text):
            return b, False
        return None, False
    return None, False


def _dateline(doc: _Doc) -> tuple[str, Layer | None]:
    for a in _card_links(doc, "story-city"):
        city = text_of(a)
        parent = a.getparent()
        while parent is not None and parent.tag != "p" and parent is not doc.card:
            parent = parent.getparent()
        if parent is not None and parent.tag == "p":
            # "Berlin/Hamburg (ots)" may hold more than the one linked city
            m = _DATELINE_OPENING.match(text_of(parent))
            if m and city in m.group("city"):
                return m.group("city").strip(), "dom"
        if not is_blank(city):
            return city, "dom"
    block, _ = _dateline_block(doc)
    if block is not None:
        m = _DATELINE_OPENING.match(text_of(block.el))
        if m and not is_blank(m.group("city")):
            return m.group("city").strip(), "text"
    for value, layer in _descriptions(doc):
        head, rest = _strip_ots_prefix(value)
        if head and rest != value:
            return head.rsplit(" - ", 1)[-1].strip(), layer
    return "", None


def _paragraph_blocks(doc: _Doc) -> list[etree._Element]:
    has_contact_text = any("contact-text" in b.classes for b in doc.blocks)
    dateline, alone = _dateline_block(doc)
    out: list[etree._Element] = []
    started = dateline is None
    for b in doc.blocks:
        if b is dateline:
            started = True
            if alone:
                continue
        if not started or not b.after_h1:
            continue
        if b.classes & _META_CLASSES:
            continue
        # without a p.contact-text the headline stays: the normaliser finds the contact
        # block in plain paragraphs by its "Pressekontakt:" line
        if "contact-headline" in b.classes and has_contact_text:
            continue
        out.append(b.el)
    return out


def _paragraphs(doc: _Doc, blocks: list[etree._Element]) -> tuple[list[str], Layer | None]:
    paragraphs = []
    for el in blocks:
        text = text_of(el, br="\n")
        if is_blank(text):
            continue
        if _ORIGINATOR.match(text):
            continue  # a renamed p.originator: the originator field carries it
        paragraphs.append(text)
    return paragraphs, ("dom" if paragraphs else None)


def _links(doc: _Doc, blocks: list[etree._Element]) -> tuple[list[dict[str, str]], Layer | None]:
    links = []
    for el in blocks:
        for a in el.iter("a"):
            href = (a.get("href") or "").strip()
            if not href or href.startswith(("#", "javascript:")):
                continue
            if "story-city" in (a.get("class") or "").split():
                continue  # the dateline opening the first paragraph: not a body link
            links.append({"url": absolute(doc.url, href), "text": text_of(a)})
    return links, ("dom" if links else None)


def _teaser(doc: _Doc, paragraphs: list[str]) -> tuple[str, Layer | None]:
    for value, layer in _descriptions(doc):
        _, rest = _strip_ots_prefix(value)
        if not is_blank(rest):
            return rest.strip(" "), layer
    if paragraphs:
        _, rest = _strip_ots_prefix(paragraphs[0])
        return rest.strip(" "), "text"
    return "", None


def _contact(doc: _Doc) -> tuple[str, Layer | None]:
    lines: list[str] = []
    for b in doc.blocks:
        if "contact-text" not in b.classes:
            continue
        for a in b.el.iter("a"):
            href = a.get("href") or ""
            if href.lower().startswith("mailto:") and is_blank(text_of(a)):
                a.text = xml_safe(href[7:].split("?")[0])  # an empty mailto link still names the address
        lines.extend(lines_of(b.el))
    return "\n".join(lines), ("dom" if lines else None)


def _originator(doc: _Doc) -> tuple[str, Layer | None]:
    el = _first(doc, "originator")
    if el is not None:
        text = text_of(el)
        m = _ORIGINATOR.search(text)
        if m:
            return m.group("name"), "dom"
        if ":" in text:
            return text.split(":", 1)[1].strip(), "dom"
    for b in doc.blocks:
        m = _ORIGINATOR.search(text_of(b.el))
        if m:
            return m.group("name"), "text"
    return "", None


def _tags(doc: _Doc) -> tuple[list[str], list[str]] | None:
    """(topics, places) from the sidebar tag lists, None when the page has none. A tag's
    href decides first (/st/ topic, /regional/ place, /t/ category: neither), its list's
    heading second."""
    topics: list[str] = []
    places: list[str] = []
    lists = doc.tag_lists
    if not lists:
        return None
    for ul in lists:
        heading = ul.getprevious()
        heading_text = text_of(heading) if heading is not None else ""
        anchors = [a for a in ul.iter("a") if "tag" in (a.get("rel") or "").split()] or list(ul.iter("a"))
        for a in anchors:
            name = text_of(a)
            if is_blank(name):
                continue
            href = a.get("href") or a.get("data-url") or ""
            if _CATEGORY_HREF.search(href):
                continue
            if _PLACE_HREF.search(href) or (not _TOPIC_HREF.search(href) and _PLACE_HEADING.search(heading_text)):
                target = places
            elif _TOPIC_HREF.search(href) or _TOPIC_HEADING.search(heading_text):
                target = topics
            else:
                continue
            if name not in target:
                target.append(name)
    return topics, places


def _keywords(doc: _Doc, topics: list[str] | None) -> tuple[list[str], Layer | None]:
    if topics:
        return topics, "dom"
    if value := doc.m("news_keywords"):
        return [k.strip() for k in value.split(",") if k.strip()], "meta"
    ld = doc.ld("keywords")
    if isinstance(ld, str):
        ld = ld.split(",")
    if isinstance(ld, list):
        words = [k.strip() for k in ld if isinstance(k, str) and k.strip()]
        if words:
            return words, "jsonld"
    return [], None


def _places(doc: _Doc, places: list[str] | None) -> tuple[list[str], Layer | None]:
    if places is not None:  # the page has tag lists: their places, maybe none
        return places, ("dom" if places else None)
    # no tag lists at all (renamed or an older layout): the card's /regional/ city links
    found: list[str] = []
    if doc.card is not None:
        for a in doc.card.iter("a"):
            if _PLACE_HREF.search(a.get("href") or "") and not _inside_excluded(a, doc.card):
                name = text_of(a)
                if not is_blank(name) and name not in found:
                    found.append(name)
    return found, ("dom" if found else None)


def _images(doc: _Doc) -> tuple[list[dict[str, str]], Layer | None]:
    if doc.card is None:
        return [], None
    figures = []
    for el in doc.card.iter("div", "figure"):
        if el.tag == "div" and "story-media" in (el.get("class") or "").split():
            kind = (el.get("data-type") or "").strip().lower()
            if kind not in _NON_IMAGE_MEDIA:
                figures.extend(el.iter("figure"))
    if not figures:
        figures = list(doc.card.iter("figure"))  # a renamed div.story-media
    images = []
    for fig in figures:
        link = next((a for a in fig.iter("a") if "fancybox" in (a.get("class") or "").split()), None)
        img = next(fig.iter("img"), None)
        url = ""
        if link is not None and (link.get("href") or "").strip() not in ("", "#"):
            url = link.get("href", "")
        elif img is not None:
            url = img.get("data-src") or img.get("src") or ""
        if not url.strip():
            continue
        if link is None or not (link.get("href") or "").strip():
            url = _HIRES.sub(r"\g<head>story_hires/\g<uuid>/image.jpg", url)
        caption = link.get("data-caption") if link is not None else None
        if caption is None:
            figcaption = next(fig.iter("figcaption"), None)
            # the site escapes alt twice ("&amp;quot;"): lxml undoes one, unescape the other
            caption = text_of(figcaption) if figcaption is not None else html_lib.unescape(
                img.get("alt") or "" if img is not None else "")
        images.append({"url": absolute(doc.url, url), "caption": " ".join((caption or "").split(" ")).strip()})
    return images, ("dom" if images else None)


def _language(doc: _Doc) -> tuple[str, Layer | None]:
    if doc.card is not None and (doc.card.get("lang") or "").strip():
        return doc.card.get("lang", "").strip(), "dom"
    if (doc.root.get("lang") or "").strip():
        return doc.root.get("lang", "").strip(), "dom"
    ld = doc.ld("inLanguage")
    if isinstance(ld, str) and ld.strip():
        return ld.strip(), "jsonld"
    if value := doc.m("og:locale", "content-language", "language"):
        return re.split(r"[-_]", value)[0].lower(), "meta"
    return "", None


# --- public API -----------------------------------------------------------------------


def extract_story(html: str, url: str, *, listing_date: str = "") -> StoryPage:
    """Raw fields of one story page. Raises `ExtractionError` without title or date.

    `listing_date` (optional): the date the listing card showed for this story, the last
    layer for published_raw (source "listing") when the page itself has no date."""
    doc = _Doc(html, url)
    sources: dict[str, str] = {}

    def take(name: str, result: tuple[Any, Layer | None]) -> Any:
        value, layer = result
        if layer is not None:
            sources[name] = layer
        return value

    (publisher_id, story_id), id_layer = _ids(doc)
    sources["story_id"] = sources["publisher_id"] = id_layer
    title = take("title", _title(doc))
    if not title:
        raise ExtractionError(f"no title in any layer (h1, JSON-LD headline, og:title, <title>): {url}")
    published_raw = take("published_raw", _published(doc, listing_date))
    if not published_raw:
        raise ExtractionError(f"no date in any layer (p.date, JSON-LD datePublished, meta, text, listing): {url}")
    originator = take("originator", _originator(doc))
    blocks = _paragraph_blocks(doc)
    paragraphs = take("paragraphs", _paragraphs(doc, blocks))
    tags = _tags(doc)
    topics, tag_places = tags if tags is not None else (None, None)
    return StoryPage(
        url=url,
        story_id=story_id,
        publisher_id=publisher_id,
        title=title,
        published_raw=published_raw,
        publisher=take("publisher", _publisher(doc)),
        dateline=take("dateline", _dateline(doc)),
        teaser=take("teaser", _teaser(doc, paragraphs)),
        paragraphs=paragraphs,
        links=take("links", _links(doc, blocks)),
        contact=take("contact", _contact(doc)),
        originator=originator,
        keywords=take("keywords", _keywords(doc, topics)),
        places=take("places", _places(doc, tag_places)),
        images=take("images", _images(doc)),
        language=take("language", _language(doc)),
        sources=sources,
    )


def story_page_to_release(page: StoryPage, *, html: str, fetched_at: datetime | None, status: int = 200) -> Release:
    """The raw `Release` of a page (the normalise pipeline cleans it in place)."""
    return Release(
        story_id=page.story_id,
        publisher_id=page.publisher_id,
        url=page.canonical_url,
        publisher=page.publisher,
        title=page.title,
        published_raw=page.published_raw,
        dateline=page.dateline,
        teaser=page.teaser,
        body="\n\n".join(page.paragraphs),
        contact=page.contact,
        originator=page.originator,
        keywords=list(page.keywords),
        places=list(page.places),
        images=[dict(i) for i in page.images],
        links=[dict(link) for link in page.links],
        language=page.language or "de",
        fetched_at=fetched_at,
        http_status=status,
        field_sources=dict(page.sources),
        raw_html=html,
    )
