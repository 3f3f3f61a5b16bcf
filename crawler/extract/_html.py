"""Shared parsing helpers for the extractors: parse once, read text the way the page shows it.

Everything here is a pure function of its arguments. Text helpers decode entities (lxml
does that while parsing) and collapse the whitespace of the HTML *source* (newlines,
indentation, tabs) into single spaces; they keep U+00A0, U+00AD, U+200B and friends as
they are, because cleaning is the normaliser's job.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.items import story_ref

# Source whitespace is ASCII whitespace only (`\s` would also eat U+00A0, which must
# survive to the normaliser): the space and these
_OTHER_SOURCE_WS = "\t\n\r\f\v"
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg"})



_PER_THREAD = threading.local()


def _parser() -> etree.HTMLParser:
    """This thread's HTML parser: made once, not per page (a parser is set up in libxml2
    on creation); one per thread, as lxml's parsers must not be shared between threads."""
    parser = getattr(_PER_THREAD, "parser", None)
    if parser is None:
        parser = _PER_THREAD.parser = etree.HTMLParser(encoding="utf-8", collect_ids=False)
    return parser


def page_bytes(html: str) -> bytes:
    """The page as libxml2 reads it: UTF-8, NUL characters dropped (they end its input)."""
    data = html.encode("utf-8", "surrogatepass")
    return data.replace(b"\x00", b"") if b"\x00" in data else data


def parse_html(html: str | bytes, *, cut: int | None = None) -> etree._Element:
    """Parse a page once. The str is handed to libxml2 as UTF-8 bytes (`page_bytes`, or
    those bytes themselves) with the encoding fixed, so a stale `<meta charset>` in an
    already decoded page cannot re-decode it and an XML declaration cannot make lxml
    refuse a str.

    `cut`: parse only the bytes before it (the offset of a `<` in them), closed by a marker
    element that `cut_marker` finds again: see there for what a cut parse is worth."""
    data = html if isinstance(html, bytes) else page_bytes(html)
    if cut is not None:
        data = data[:cut] + _CUT_SENTINEL
    parser = _parser()
    root = etree.fromstring(data, parser)
    if root is None:  # empty or whitespace-only document
        root = etree.fromstring(b"<html><body></body></html>", parser)
    return root


# The end of a cut parse: an empty <article class="news"> holding only this comment
_CUT_MARK = "presseportal-ingest: the page was cut here"
_CUT_SENTINEL = f'<article class="news"><!--{_CUT_MARK}--></article>'.encode()


def cut_marker(root: etree._Element) -> etree._Element | None:
    """The marker `parse_html(page, cut=n)` closed the page with, when `page[n:]` starts a
    tag there as it would in the whole page: then the cut tree is the whole page's tree
    without what the rest adds (libxml2 builds the tree as it reads, and never moves a node
    it has made), and the rest adds only inside the elements open at the cut -- the
    marker's ancestors. None when the cut fell inside a script, a comment, an attribute
    or a tag (the marker is text there, or part of another element): parse the whole page.

    The marker is the last node of the tree in document order, an `article.news` (as the
    teaser cards it stands for) with no attributes beyond its class and nothing but the comment."""
    node = root
    while len(node):
        node = node[-1]
    if node.tag is not etree.Comment or node.text != _CUT_MARK or node.tail:
        return None
    article = node.getparent()
    if (article is None or article.tag != "article" or len(article) != 1 or article.text
            or article.tail or dict(article.attrib) != {"class": "news"}):
        return None
    return article


def collapse(text: str) -> str:
    """Collapse source whitespace to single spaces and trim ASCII whitespace at the ends."""
    # Substring scans and str.replace instead of the substitution re.sub(r"[ \t\n\r\f\v]+",
    # " ", text), which does the same ten times slower: most text has single spaces only,
    # and the rest mostly runs of spaces (two after a sentence) or a source line break
    for ws in _OTHER_SOURCE_WS:
        if ws in text:
            text = text.replace(ws, " ")
    while "  " in text:  # each pass halves every run of spaces
        text = text.replace("  ", " ")
    return text.strip(" ")


def _walk(el: etree._Element, out: list[str], br: str, mailto: bool = False,
          skip: frozenset[str] = _SKIP_TAGS) -> None:
    # text and tail asked once each: lxml makes a new string at every ask
    text = el.text
    if text:
        out.append(text)
    for child in el:
        tag = child.tag
        if isinstance(tag, str):
            if tag == "br":
                out.append(br)
            elif mailto and tag == "a" and (address := _empty_mailto(child)):
                out.append(address)
            elif tag not in skip:
                _walk(child, out, br, mailto, skip)
        tail = child.tail
        if tail:
            out.append(tail)


def _empty_mailto(a: etree._Element) -> str:
    """The address of a mailto link that shows no text ("" for any other link)."""
    href = a.get("href") or ""
    if not href.lower().startswith("mailto:") or not is_blank(text_of(a)):
        return ""
    return href[7:].split("?")[0]


def text_of(el: etree._Element | None, br: str = " ", *, mailto: bool = False,
            without: frozenset[str] = frozenset()) -> str:
    """The visible text of an element: tags stripped, `<br>` as `br`, source whitespace
    collapsed. With br="\\n" the line breaks survive (spaces around them trimmed). With
    `mailto`, a mailto link that shows no text shows its address (contact blocks).
    `without`: tags whose text is left out (a list item's nested list)."""
    if el is None:
        return ""
    if len(el) == 0:  # no child elements (links, dates, headings): just its text
        return collapse(el.text or "")
    out: list[str] = []
    _walk(el, out, "\x00" if br == "\n" else br, mailto, _SKIP_TAGS | without if without else _SKIP_TAGS)
    return _joined_text(out, br)


def _joined_text(out: list[str], br: str) -> str:
    text = collapse("".join(out))
    # without a <br> there is no newline left after collapse(): nothing to trim around
    if br == "\n" and "\x00" in text:
        # each " *\n *" one "\n", by replacing: collapse() left single spaces only
        text = text.replace("\x00", "\n").replace(" \n", "\n").replace("\n ", "\n").strip(" \n")
    return text


def text_of_run(nodes: list[str | etree._Element], br: str = " ") -> str:
    """`text_of` for a run of text and inline elements that no element holds alone (text
    straight inside a container, between its blocks): strings as they are, elements with
    their text (their tails are strings of the run), a `<br>` as `br`."""
    out: list[str] = []
    mark = "\x00" if br == "\n" else br
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif node.tag == "br":
            out.append(mark)
        elif node.tag not in _SKIP_TAGS:
            _walk(node, out, mark)
    return _joined_text(out, br)


def lines_of(el: etree._Element, *, mailto: bool = False) -> list[str]:
    """The lines of an element split at `<br>` (blank lines dropped); `mailto`: see text_of."""
    return [line for line in text_of(el, br="\n", mailto=mailto).split("\n") if line.strip()]


def is_blank(text: str) -> bool:
    """Nothing visible: whitespace, NBSP, zero-width characters, soft hyphens."""
    return not text.replace("\u200b", "").replace("\u00ad", "").replace("\ufeff", "").strip()


def absolute(base: str, href: str) -> str:
    """`href` made absolute against `base`; an href that URL parsing refuses (a broken
    IPv6 host such as ``http://[broken/x``) is kept as written: one bad link in a body
    must not cost the release."""
    href = href.strip()
    try:
        return urljoin(base, href)
    except ValueError:
        return href


def site_of(url: str) -> str:
    """`{scheme}://{host}` of a URL (the site crawled)."""
    parts = urlsplit(url)
    scheme = parts.scheme or "https"
    return f"{scheme}://{parts.netloc}" if parts.netloc else "https://www.presseportal.de"


def story_ids(url: str | None) -> tuple[int, int] | None:
    """(newsroom id, story_id) from any story URL shape, or None (`crawler.items.story_ref`
    tells the newsroom's kind too; None for a URL that URL parsing refuses,
    such as a broken IPv6 host)."""
    ref = story_ref(url)
    return (ref.newsroom.id, ref.story_id) if ref is not None else None


def has_class(name: str) -> str:
    """XPath predicate body: the element has CSS class `name` (token match, like `.name`)."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


_XML_WS = re.compile(r"[ \t\r\n]+")


def has_class_token(el: etree._Element, name: str) -> bool:
    """`has_class` without XPath: the tokens are split at XML whitespace only, as
    normalize-space does (str.split would also split at U+000C, U+00A0, ...)."""
    classes = el.get("class")
    if not classes or name not in classes:
        return False
    if _plain_spaced(classes):  # most class lists: split by `str`, the same tokens, faster
        return name in classes.split(" ")
    return name in _XML_WS.split(classes)


def class_tokens(el: etree._Element) -> frozenset[str]:
    """Every class of an element, split as `has_class_token` splits them."""
    classes = el.get("class")
    if not classes:
        return frozenset()
    if _plain_spaced(classes) and "  " not in classes:  # single spaces: `str` splits alike
        return frozenset(classes.strip(" ").split(" "))
    return frozenset(_XML_WS.split(classes.strip(" \t\r\n")))


def _plain_spaced(classes: str) -> bool:
    """No XML whitespace in `classes` but the plain space."""
    return "\t" not in classes and "\n" not in classes and "\r" not in classes
