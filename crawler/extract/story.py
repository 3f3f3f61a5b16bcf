"""Story page extraction: `extract_story(html, url) -> RawRelease`, no I/O.

The result is what the page says (strings as shown, entities decoded, tags stripped;
nothing cleaned, no date read): the spider's item, which the normalise stage turns into a
clean `Release`. Sections the markup marks (a.story-city, p.contact-text, p.originator,
p.contact-headline) are read from the DOM; what it does not mark (a plain "Pressekontakt:"
paragraph, an "Über X:" section, a dateline paragraph without its city link, a renamed
originator line) is found by the release grammar (`crawler.grammar`), the one place
that knows those words.

Layers, in the order each field tries them (the first that yields a value wins and is
recorded in `RawRelease.sources`):

| field | order |
| --- | --- |
| story_id, publisher_id | canonical link / og:url (meta), JSON-LD `@id` (jsonld), the URL (url) |
| title | `h1` of the card (dom), JSON-LD headline, og:/twitter:title (meta), `<title>` minus "▷ " and " | Presseportal" (text) |
| published_raw | `p.date` (dom), JSON-LD datePublished, article:published_time (meta), a "dd.mm.yyyy – hh:mm" in the card (text) |
| publisher | `a.story-customer` / `p.customer` (dom), JSON-LD author.name, description "{publisher} - {City} (ots)" (meta), originator line (text) |
| dateline | `a.story-city` (dom), the "X (ots)" paragraph (text), the descriptions (meta, jsonld), the grammar on the body (text) |
| teaser | meta description, og/twitter description (meta), JSON-LD description, first body paragraph (text) |
| body | the card's paragraphs after the dateline, outside the marked sections, split by the grammar (dom) |
| about | the grammar's "Über X:" section (text) |
| contact | `p.contact-text` lines (dom), the grammar's contact block (text) |
| originator | `p.originator` (dom), an originator line in any paragraph of the card (text), the grammar (text) |
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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from lxml import etree

from crawler.extract._html import (
    absolute,
    class_tokens,
    cut_marker,
    has_class,
    has_class_token,
    is_blank,
    lines_of,
    page_bytes,
    parse_html,
    site_of,
    text_of,
    text_of_run,
)
from crawler.grammar import (
    HARD_BREAK,
    TABLE_CELL_SEPARATOR,
    ReleaseParts,
    contact_lines,
    find_originator,
    key,
    parse_dateline,
    parse_office_code,
    parse_originator,
    read_release,
    split_description,
)
from crawler.items import OFFICE, RawRelease, StoryRef, story_ref

Layer = Literal["jsonld", "meta", "dom", "text", "url", "listing"]


class ExtractionError(ValueError):
    """The page is not a usable story (no title or no date in any layer, no story id)."""


# --- patterns -------------------------------------------------------------------------

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
# "(?:^|/)st/..." written literal first, the start or "/" before it a lookbehind: `re`
# then scans for the literal instead of trying both alternatives at every position
_TOPIC_HREF = re.compile(r"st/(?<![^/]st/)[^/?#]")
_PLACE_HREF = re.compile(r"regional/(?<![^/]regional/)[^/?#]")
_CATEGORY_HREF = re.compile(r"t/(?<![^/]t/)[^/?#]")
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


# Parse less: the "Weitere Storys" teasers and the footer after them are a third of a
# story page, and nothing of them is read. The page is parsed up to the first teaser card
# after the story when nothing after that point can be read (`_tail_unread`), and the cut
# tree is kept only when it holds the whole story (`_Doc._whole_before`); else the whole
# page is parsed. Either way the release is the same (tests/extract/test_speed.py).
_TEASER = b'<article class="news"'
# in the rest of the page (lower-cased): a script, article or ul tag (group 1) whose
# attributes (2) decide it, or a tag of an element some field reads wherever it stands
# (no group); the lookahead lets `re` pass over most tags at their first letter, and the
# groups' alternative first is the faster order (the alternatives open with other letters)
_READ_TAGS = re.compile(
    rb"<(?=[mlhtsau])(?:(script|article|ul)(?![a-z0-9:._-])([^>]*)|meta|link|h1|title|head|html)"
)
# ...what in those attributes would make one read: JSON-LD, a story container, a tag list
_READ_IF = {b"script": b"json", b"article": b"story", b"ul": b"tags"}


def _teaser_cut(page: bytes) -> int | None:
    """Where the page (`page_bytes`) may be cut: the first teaser card after the first
    `<article`, when nothing from there on is read (else None)."""
    first = page.find(b"<article")
    if first < 0:
        return None
    cut = page.find(_TEASER, first + 1)
    if cut < 0 or not _tail_unread(page, cut):
        return None
    return cut


def _tail_unread(page: bytes, start: int) -> bool:
    """No element a field reads page-wide begins in `page[start:]`: no meta, link, h1,
    title, head or html tag; no script, article or ul whose attributes could make it
    JSON-LD, a story or a tag list. Attributes are judged on their source, so only when it
    is plain: no entity (which could spell a class) and no quote left open (a `>` inside
    quotes would end the attributes early). Tag names go on with letters, digits and
    ``-_:.`` in any parser: `<ulx>` is no `<ul>`."""
    # lower case: tag and attribute names in any case (ASCII, as HTML's)
    for m in _READ_TAGS.finditer(page[start:].lower()):
        name, attrs = m.group(1, 2)
        if name is None:  # meta, link, h1, title, head or html
            return False
        if b"&" in attrs or b"'" in attrs or attrs.count(b'"') % 2 or _READ_IF[name] in attrs:
            return False
    return True


class _Doc:
    """One parse of the page and the lookups every field shares (computed once)."""

    def __init__(self, html: str, url: str) -> None:
        self.url = url
        page = page_bytes(html)
        cut = _teaser_cut(page)
        self.cut = cut is not None and self._read(parse_html(page, cut=cut), cut=True)
        if not self.cut:
            self._read(parse_html(page))

    def _read(self, root: etree._Element, *, cut: bool = False) -> bool:
        """The page-wide lookups of one parse; for a cut parse, whether it holds all that
        is read (False: nothing kept, parse the whole page)."""
        self.root = root
        self.canonical = ""
        self._metas: list[etree._Element] = []
        self._meta: dict[str, str | None] = {}  # key -> content, read on first ask
        self._jsonld_scripts: list[etree._Element] = []
        articles: list[etree._Element] = []
        tag_lists: list[etree._Element] = []
        # ONE walk over the whole page for every page-wide lookup: a walk costs about
        # as much as the lookup itself (these were five XPath/iter passes)
        for el in self.root.iter("meta", "link", "script", "article", "ul"):
            tag = el.tag
            if tag == "meta":
                self._metas.append(el)
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
        if cut and not self._whole_before(cut_marker(root)):
            return False
        self.blocks = _card_paragraphs(self.card) if self.card is not None else []
        return True

    def _whole_before(self, marker: etree._Element | None) -> bool:
        """A cut parse holds all that is read: the cut fell between tags (`cut_marker`), the
        story container is an `article.story` or in one (not a fallback that searches the
        page), and no story article, tag list or h1 is still open at the cut (the rest of
        the page would add to it)."""
        if marker is None or self.card is None:
            return False
        if not any(has_class_token(a, "story") for a in _self_and_ancestors(self.card, "article")):
            return False
        for el in marker.iterancestors("article", "ul", "h1"):
            if el.tag == "h1" or has_class_token(el, "story") or el in self.tag_lists:
                return False
        return True

    @cached_property
    def dateline_block(self) -> tuple[_Block | None, bool, tuple[str, str] | None]:
        """The paragraph that carries the dateline, whether it stands alone, and what
        `parse_dateline` reads in its text (once)."""
        return _dateline_block(self)

    @cached_property
    def jsonld(self) -> dict[str, Any]:
        # parsed on first use: on most pages the DOM and meta layers answer every field
        return _article_jsonld(self._jsonld_scripts)

    @cached_property
    def story_links(self) -> dict[str, list[etree._Element]]:
        """The card's `a.story-customer` and `a.story-city` links, in one pass (once)."""
        found: dict[str, list[etree._Element]] = {"story-customer": [], "story-city": []}
        if self.card is not None:
            for a in self.card.iter("a"):
                classes = a.get("class")
                if classes and "story-" in classes:
                    for name, links in found.items():
                        if has_class_token(a, name):
                            links.append(a)
        return found

    def meta(self, key: str) -> str | None:
        """The content of the first `<meta>` in the page whose name, property or itemprop
        is `key` (lower case), None without one. Read on the first ask for a key: most
        pages need one or two of their thirty."""
        if key in self._meta:
            return self._meta[key]
        found = None
        for el in self._metas:
            content = el.get("content")
            if content is None:
                continue
            if any(name and name.strip().lower() == key
                   for name in (el.get("name"), el.get("property"), el.get("itemprop"))):
                found = content
                break
        self._meta[key] = found
        return found

    def m(self, *keys: str) -> str:
        """First non-blank meta content among `keys`."""
        for key in keys:
            value = self.meta(key)
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


def _self_and_ancestors(el: etree._Element, tag: str) -> Iterator[etree._Element]:
    if el.tag == tag:
        yield el
    yield from el.iterancestors(tag)


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
_EXCLUDED_TAGS = frozenset({"figure", "aside", "form", "nav", "footer", "header"})


def _excluded(el: etree._Element) -> bool:
    """Not the release: media, sharing, forms, "Weitere Storys" teasers (`article.news`)."""
    tag = el.tag
    if tag in _EXCLUDED_TAGS:
        return True
    classes = class_tokens(el)
    if tag == "article" and "news" in classes:
        return True
    return any(c in classes for c in _EXCLUDED_CONTAINERS)


def _inside_excluded(el: etree._Element, card: etree._Element) -> bool:
    for anc in el.iterancestors():
        if anc is card:
            return False
        if _excluded(anc):
            return True
    return False


# The blocks of a story's text (each one paragraph, or several when blank lines or
# headings inside it say so: the grammar splits them) and what each is
_BLOCK_TAGS = {
    "p": "p", "pre": "p", "address": "p",
    "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading",
    "ul": "list", "ol": "list", "dl": "list", "table": "table", "blockquote": "quote",
}
# Elements inside a line of text; anything else that holds text is a container whose
# children are walked (div, section, center, ...)
_INLINE_TAGS = frozenset(
    "a abbr b bdi bdo cite code data dfn em font i img kbd label mark q s samp small span strike strong "
    "sub sup time tt u var wbr".split()
)
_NOT_TEXT = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object", "video", "audio"})
_LISTS = frozenset({"ul", "ol"})


@dataclass(slots=True)
class _Block:
    """One block of the card: an element (`p`, a subheading, a list, a table, a quote), or
    a run of text and inline elements straight inside a container (`run`, el None)."""

    el: etree._Element | None
    classes: frozenset[str]
    after_h1: bool
    kind: str = "p"  # p, heading, list, table, quote, run
    run: Sequence[str | etree._Element] = ()  # no list made for the many blocks that are no run

    def text(self, br: str = "\n") -> str:
        """The raw text: a `<br>` as `br`; the items of a list and the rows of a table on
        lines of their own (HARD_BREAK between them: "- item", "1. item", "cell | cell")."""
        if self.kind == "run":
            return text_of_run(self.run, br)
        if self.kind == "list":
            return HARD_BREAK.join(_list_lines(self.el))
        if self.kind == "table":
            return HARD_BREAK.join(_table_rows(self.el))
        if self.kind == "quote" and any(child.tag in _BLOCK_TAGS for child in self.el):
            # <blockquote><p>..</p><p>..</p></blockquote>: one paragraph, a line each
            return "\n".join(t for child in self.el if not is_blank(t := text_of(child, br=br)))
        return text_of(self.el, br=br)

    def anchors(self) -> Iterator[etree._Element]:
        if self.el is not None:
            yield from self.el.iter("a")
            return
        for node in self.run:
            if not isinstance(node, str):
                yield from node.iter("a")


def _list_lines(el: etree._Element) -> list[str]:
    """ "- item" per `<li>` of a `<ul>` ("1. item" of an `<ol>`, from its `start`); a
    nested list's items follow their item with their own markers."""
    lines: list[str] = []
    number = int(el.get("start") or 1) if (el.get("start") or "1").isdigit() else 1
    for li in el:
        if li.tag not in ("li", "dt", "dd"):
            continue
        marker = f"{number}." if el.tag == "ol" else "-"
        number += 1
        text = text_of(li, without=_LISTS)
        if not is_blank(text):
            lines.append(f"{marker} {text}")
        for nested in li:
            if nested.tag in _LISTS:
                lines.extend(_list_lines(nested))
    return lines


def _table_rows(el: etree._Element) -> list[str]:
    """One line per row of a table, its cells separated by " | " (TABLE_CELL_SEPARATOR)."""
    rows = []
    for tr in el.iter("tr"):
        cells = [text_of(cell) for cell in tr if cell.tag in ("td", "th")]
        if any(not is_blank(c) for c in cells):
            rows.append(TABLE_CELL_SEPARATOR.join(cells))
    return rows


class _CardWalk:
    """The walk behind `_card_paragraphs`. A class, not nested functions: a recursive
    closure is a reference cycle (walk's cell holds walk), which would keep the blocks and
    with them the whole parsed page alive until the garbage collector's next full pass --
    on a crawl, hundreds of pages' trees freed at once, long after they were used."""

    __slots__ = ("blocks", "run", "h1")

    def __init__(self) -> None:
        self.blocks: list[_Block] = []
        self.run: list[str | etree._Element] = []
        self.h1 = False

    def flush(self) -> None:
        run = self.run
        if run and any(not is_blank(n) if isinstance(n, str) else n.tag != "br" for n in run):
            self.blocks.append(_Block(None, frozenset(), self.h1, "run", list(run)))
        run.clear()

    def line_break(self, br: etree._Element) -> None:
        # two <br>s in a row end a paragraph of the run: each is a block of its own
        run = self.run
        for node in reversed(run):
            if isinstance(node, str) and node.isspace():
                continue
            if not isinstance(node, str) and node.tag == "br":
                while run and (isinstance(run[-1], str) or run[-1].tag == "br"):
                    if isinstance(run[-1], str) and not run[-1].isspace():
                        break
                    run.pop()
                self.flush()
                return
            break
        run.append(br)

    def walk(self, container: etree._Element) -> None:
        # text and tail asked once each (lxml makes a new string at every ask); flush()
        # only called with something to flush
        run = self.run
        text = container.text
        if text and (run or not text.isspace()):
            run.append(text)
        for child in container:
            tag = child.tag
            if not isinstance(tag, str) or tag in _NOT_TEXT:
                pass
            elif tag in _BLOCK_TAGS:
                if run:
                    self.flush()
                self.blocks.append(_Block(child, class_tokens(child), self.h1, _BLOCK_TAGS[tag]))
            elif tag in _INLINE_TAGS:
                run.append(child)
            elif tag == "br":
                self.line_break(child)
            elif tag == "h1":
                if run:
                    self.flush()
                self.h1 = True
            else:  # a container
                if run:
                    self.flush()
                if not _excluded(child):
                    self.walk(child)
                    if run:
                        self.flush()
                elif not self.h1 and next(child.iter("h1"), None) is not None:
                    self.h1 = True
            tail = child.tail
            if tail and (run or not tail.isspace()):
                run.append(tail)


def _card_paragraphs(card: etree._Element) -> list[_Block]:
    """The card's blocks in document order, outside sharing/media blocks: every `<p>`,
    subheading, list, table and quote, and the text that stands straight inside the card
    or a `div` between them (a body written without `<p>`)."""
    walker = _CardWalk()
    walker.walk(card)
    walker.flush()
    blocks = walker.blocks
    if not walker.h1:  # no h1 in the card: nothing tells header from body by position
        for b in blocks:
            b.after_h1 = True
    return blocks


def _first(doc: _Doc, cls: str) -> etree._Element | None:
    for b in doc.blocks:
        if cls in b.classes:
            return b.el
    return None




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


def _ids(doc: _Doc) -> tuple[StoryRef, Layer]:
    # each candidate is computed only when the ones before it fail (the JSON-LD one
    # would parse the JSON-LD)
    for candidate, layer in (
        (lambda: doc.canonical, "meta"),
        (lambda: doc.m("og:url", "twitter:url"), "meta"),
        (lambda: _ld_id(doc), "jsonld"),
        (lambda: doc.url, "url"),
    ):
        ref = story_ref(candidate())
        if ref is not None:
            return ref, layer  # type: ignore[return-value]
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
    for a in doc.story_links["story-customer"]:
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
        head, _ = split_description(value)
        if " - " in head:
            return head.rsplit(" - ", 1)[0].strip(), "meta"
    originator, layer = _originator(doc)
    if originator:
        return originator, "text"
    return "", None


def _dateline_block(doc: _Doc) -> tuple[_Block | None, bool, tuple[str, str] | None]:
    """The paragraph that carries the dateline, whether it stands alone, and
    `parse_dateline` of its text (None: no dateline in it)."""
    for b in doc.blocks:
        if not b.after_h1 or b.classes & _META_CLASSES:
            continue
        if any(has_class_token(a, "story-city") for a in b.anchors()):
            found = parse_dateline(b.text(" "))
            return b, found is not None and not found[1], found
    # no city link: the first non-blank paragraph after the h1, if it opens with "X (ots)"
    for b in doc.blocks:
        if not b.after_h1 or b.classes & _META_CLASSES or "contact-headline" in b.classes:
            continue
        text = b.text(" ")
        if is_blank(text):
            continue
        found = parse_dateline(text)
        return (b, not found[1], found) if found is not None else (None, False, None)
    return None, False, None


def _dateline(doc: _Doc) -> tuple[str, Layer | None]:
    block, _, block_found = doc.dateline_block
    for a in doc.story_links["story-city"]:
        city = text_of(a)
        parent = a.getparent()
        while parent is not None and parent.tag != "p" and parent is not doc.card:
            parent = parent.getparent()
        if parent is not None and parent.tag == "p":
            # "Berlin/Hamburg (ots)" may hold more than the one linked city; the dateline
            # paragraph (mostly this one) was read already: its text is text_of(parent)
            if block is not None and block.el is parent and block.kind == "p":
                found = block_found
            else:
                found = parse_dateline(text_of(parent))
            if found and key(city) in found[0]:
                return found[0], "dom"
        found = parse_dateline(city)  # a sloppy link text: "Köln (ots)"
        if found and found[0] and not found[1]:
            return found[0], "dom"
        if not is_blank(city):
            return city, "dom"
    if block is not None and block_found and block_found[0]:
        return block_found[0], "text"
    for value, layer in _descriptions(doc):
        head, rest = split_description(value)
        if head and rest != value:
            return head.rsplit(" - ", 1)[-1].strip(), layer
    return "", None


def _paragraph_blocks(doc: _Doc) -> list[_Block]:
    """The card's blocks from the dateline on, outside the sections the markup marks."""
    has_contact_text = any("contact-text" in b.classes for b in doc.blocks)
    dateline, alone, _ = doc.dateline_block
    out: list[_Block] = []
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
        # without a p.contact-text the headline stays: the grammar finds the contact
        # block in plain paragraphs by its "Pressekontakt:" line
        if "contact-headline" in b.classes and has_contact_text:
            continue
        out.append(b)
    return out


def _paragraphs(blocks: list[_Block]) -> tuple[list[str], list[_Block], int | None]:
    """The raw text of each non-blank block (a `<br>` inside one is "\\n", the lines of a
    list or table HARD_BREAK), those blocks, and the index of the p.contact-headline among them."""
    paragraphs = []
    kept = []
    headline = None
    for b in blocks:
        text = b.text()
        if not is_blank(text):
            if headline is None and "contact-headline" in b.classes:
                headline = len(paragraphs)
            paragraphs.append(text)
            kept.append(b)
    return paragraphs, kept, headline


def _links(doc: _Doc, blocks: list[_Block]) -> tuple[list[dict[str, str]], Layer | None]:
    links = []
    for b in blocks:
        for a in b.anchors():
            href = (a.get("href") or "").strip()
            if not href or href.startswith(("#", "javascript:")):
                continue
            if has_class_token(a, "story-city"):
                continue  # the dateline opening the first paragraph: not a body link
            links.append({"url": absolute(doc.url, href), "text": text_of(a)})
    return links, ("dom" if links else None)


def _teaser(doc: _Doc, paragraphs: list[str]) -> tuple[str, Layer | None]:
    for value, layer in _descriptions(doc):
        _, rest = split_description(value)
        if not is_blank(rest):
            return rest.strip(" "), layer
    # the first paragraph as shown (with its dateline prefix, if any, taken off)
    first = next((p for p in paragraphs if parse_originator(p) is None), None)
    if first is not None:
        _, rest = split_description(first)
        return rest.strip(" "), "text"
    return "", None


def _contact(doc: _Doc, parts: ReleaseParts) -> tuple[list[str], Layer | None]:
    lines: list[str] = []
    for b in doc.blocks:
        if "contact-text" in b.classes:
            lines.extend(lines_of(b.el, mailto=True))  # an empty mailto link still names the address
    lines = contact_lines(lines)  # without a "Pressekontakt:" line opening the block
    if lines:
        return lines, "dom"
    return parts.contact, ("text" if parts.contact else None)


def _originator(doc: _Doc, parts: ReleaseParts | None = None) -> tuple[str, Layer | None]:
    el = _first(doc, "originator")
    if el is not None:
        text = text_of(el)
        name = find_originator(text)
        if name:
            return name, "dom"
        if ":" in text:
            return text.split(":", 1)[1].strip(), "dom"
    for b in doc.blocks:  # a renamed p.originator, or the line inside another paragraph
        name = find_originator(b.text(" "))
        if name:
            return name, "text"
    if parts is not None and parts.originator:
        return parts.originator, "text"
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
        # what the heading says, asked once per list rather than once per tag
        place_heading = _PLACE_HEADING.search(heading_text) is not None
        topic_heading = _TOPIC_HEADING.search(heading_text) is not None
        anchors = [a for a in ul.iter("a") if "tag" in (a.get("rel") or "").split()] or list(ul.iter("a"))
        for a in anchors:
            name = text_of(a)
            if is_blank(name):
                continue
            href = a.get("href") or a.get("data-url") or ""
            if _CATEGORY_HREF.search(href):
                continue
            topic_href = _TOPIC_HREF.search(href) is not None
            if _PLACE_HREF.search(href) or (not topic_href and place_heading):
                target = places
            elif topic_href or topic_heading:
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
        if el.tag == "div" and has_class_token(el, "story-media"):
            kind = (el.get("data-type") or "").strip().lower()
            if kind not in _NON_IMAGE_MEDIA:
                figures.extend(el.iter("figure"))
    if not figures:
        figures = list(doc.card.iter("figure"))  # a renamed div.story-media
    images = []
    for fig in figures:
        link = next((a for a in fig.iter("a") if has_class_token(a, "fancybox")), None)
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


def extract_story(html: str, url: str, *, listing_date: str = "") -> RawRelease:
    """The raw release of one story page. Raises `ExtractionError` without title or date.

    `listing_date` (optional): the date the listing card showed for this story, the last
    layer for published_raw (source "listing") when the page itself has no date. The
    fetch fields (fetched_at, http_status, raw_html) are the spider's to set."""
    doc = _Doc(html, url)
    sources: dict[str, str] = {}

    def take(name: str, result: tuple[Any, Layer | None]) -> Any:
        value, layer = result
        if layer is not None:
            sources[name] = layer
        return value

    ref, id_layer = _ids(doc)
    sources["story_id"] = sources["publisher_id"] = sources["newsroom_kind"] = id_layer
    newsroom = ref.newsroom
    title = take("title", _title(doc))
    if not title:
        raise ExtractionError(f"no title in any layer (h1, JSON-LD headline, og:title, <title>): {url}")
    published_raw = take("published_raw", _published(doc, listing_date))
    if not published_raw:
        raise ExtractionError(f"no date in any layer (p.date, JSON-LD datePublished, meta, text, listing): {url}")
    blocks = _paragraph_blocks(doc)
    paragraphs, blocks, headline = _paragraphs(blocks)
    # the grammar finds what the markup does not mark; the DOM's sections win below
    parts = read_release(paragraphs, contact_heading=headline)
    # links of the body and about only: not of a contact in plain paragraphs (its mailto)
    text_blocks = blocks[: parts.sections_from] if parts.sections_from is not None else blocks
    # an office's title opens with its code ("POL-XY: ..."); a company's colon is no code
    office_code = take("office_code", (code, "text") if newsroom.kind == OFFICE
                       and (code := parse_office_code(title)) else ("", None))
    originator = take("originator", _originator(doc, parts))
    body = take("body", (parts.body, "dom" if parts.body else None))
    dateline, dateline_layer = _dateline(doc)
    if dateline_layer is None and parts.dateline:
        dateline, dateline_layer = parts.dateline, "text"
    tags = _tags(doc)
    topics, tag_places = tags if tags is not None else (None, None)
    return RawRelease(
        story_id=ref.story_id,
        publisher_id=newsroom.id,
        newsroom_kind=newsroom.kind,
        url=site_of(url) + newsroom.story_path(ref.story_id),
        title=title,
        office_code=office_code,
        published_raw=published_raw,
        publisher=take("publisher", _publisher(doc)),
        dateline=take("dateline", (dateline, dateline_layer)),
        teaser=take("teaser", _teaser(doc, paragraphs)),
        body=body,
        about=take("about", (parts.about, "text" if parts.about else None)),
        contact=take("contact", _contact(doc, parts)),
        originator=originator,
        keywords=take("keywords", _keywords(doc, topics)),
        places=take("places", _places(doc, tag_places)),
        images=take("images", _images(doc)),
        links=take("links", _links(doc, text_blocks)),
        language=take("language", _language(doc)),
        sources=sources,
    )
