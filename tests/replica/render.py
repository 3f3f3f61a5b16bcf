"""HTML, RSS and robots.txt templates of the replica.

Written for this project, modelled element by element on the real story page
(../shared/reference/story-103258-2930232.html) and the listing cards described in
SITE.md. Header, sidebar and footer noise is kept on purpose: an extractor must
find the release inside a real-looking page, not in a bare fixture.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import format_datetime
from html.entities import codepoint2name
from json.encoder import encode_basestring_ascii as _js  # json.dumps of a str
from urllib.parse import quote

from crawler.items import OFFICE, Newsroom

from .corpus import BERLIN, MAIN_PUBLISHER, Card, Corpus, Doc, Para, Seg, minute_iso

GENERIC_KEYWORDS = "Presse,Pressemitteilung,Pressemeldung,Pressemitteilungen"


@dataclass(frozen=True)
class Flags:
    """Render-time faults (see faults.py): they change a page, never the truth."""

    bad_date: bool = False
    no_h1: bool = False
    duplicate_card: bool = False
    canonical: str = ""  # "{pid}/{sid}": canonical, og:url and JSON-LD @id name that story
    next_host: str = ""  # "host:port": the next-page links point there
    keep_cards: int | None = None  # serve only this many cards (the next link stays)
    broken_link: str = ""  # an href that breaks URL parsers, on the first plain body paragraph


NO_FLAGS = Flags()


# ---- text helpers --------------------------------------------------------------------------


def esc(s: str) -> str:
    """html.escape(s, quote=False), spelled out: a page calls it a hundred times."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Entities(dict):
    """A non-ASCII character -> its named entity (`&ouml;`), else its number (`&#8211;`)."""

    def __missing__(self, c: str) -> str:
        o = ord(c)
        value = self[c] = f"&{codepoint2name[o]};" if o in codepoint2name else f"&#{o};"
        return value


_ENTITIES = _Entities()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _entity(m: re.Match) -> str:
    return _ENTITIES[m[0]]


def ent(s: str) -> str:
    """Attribute escaping the way the site does it: named entities for non-ASCII
    (html.escape(s, quote=True) with `&#039;` for the apostrophe)."""
    out = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#039;")
    return out if out.isascii() else _NON_ASCII.sub(_entity, out)


# the attributes of a newsroom's name, city and tags: the same few strings on every page
ent_cached = functools.lru_cache(maxsize=4096)(ent)


@functools.lru_cache(maxsize=4096)
def latin1_path(s: str) -> str:
    """City and tag links are percent-encoded in Latin-1 on the real site (/regional/K%F6ln)."""
    return quote(s, safe="", encoding="latin-1", errors="xmlcharrefreplace")


def slugify(title: str) -> str:
    s = unicodedata.normalize("NFC", title).lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        s = s.replace(a, b)
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")[:80] or "story"


def corrupt(text: str, kind: str | None) -> str:
    """Damage clean text the way real releases arrive; the documented cleaning undoes it."""
    if kind == "nfd":
        return unicodedata.normalize("NFD", text)
    if kind == "soft_hyphen":
        return re.sub(r"\b(\w{6})(\w{6,})", "\\1\u00ad\\2", text)
    if kind == "nbsp":
        return re.sub(r"(\d) ", "\\1\u00a0", text).replace("Rund ", "Rund\u00a0", 1)
    if kind == "zwsp":
        return "\ufeff" + re.sub(r"\b(\w{4})(\w{5,})", "\\1\u200b\\2", text)
    if kind == "mojibake":
        return text.encode("utf-8").decode("cp1252")
    if kind == "double_space":
        return text.replace(". ", ".  ")
    return text


def esc_corrupt(text: str, kind: str | None) -> str:
    if kind is not None:
        text = corrupt(text, kind)
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # esc, inlined
    # the site mixes raw characters and entities; show both forms
    return out.replace("\u00a0", "&nbsp;", 1).replace("\u00ad", "&shy;", 1)


def title_raw(doc: Doc) -> str:
    return corrupt(doc.title, doc.title_corrupt)


def date_text(doc: Doc | Card, flags: Flags) -> str:
    """p.date / card date as HTML (entity dash)."""
    if flags.bad_date:
        return f"32.13.{doc.entry.local:%Y} &ndash; 25:61"
    return esc(doc.pdate_text).replace("\u2013", "&ndash;")


# ---- shared page chrome ----------------------------------------------------------------------

HEADER = """
<div class="header" data-nosnippet><div class="section"><div class="row"><div class="col twelve"><header><a class="event-trigger header-logo" href="/" title="PRESSEPORTAL Startseite" data-category="header-links" data-action="click" data-label="logo" data-callback="link" data-url="/"><svg role="img" aria-label="PRESSEPORTAL Logo"><title>PRESSEPORTAL</title><desc>Presseportal Logo</desc></svg></a><div class="header-link"><a href="/" class="event-trigger active" title="Storys">Storys</a><a href="/blaulicht/" class="event-trigger" title="Blaulicht">Blaulicht</a><a href="/regional" title="Regional" class="event-trigger x-margin">Regional</a><a href="/abo/" title="Meine Abos" class="event-trigger x-margin">Meine Abos</a></div><div class="searchbar_new"><script id="com-autocomplete" type="text/mustache"><div class="com-autocomplete section"><p class="com-autocomplete-label">Meinten Sie</p><ul class="com-autocomplete-list">{{#data.items}}<li class="com-autocomplete-item">{{label}}</li>{{/data.items}}</ul></div></script><form action="/suche/" method="get" class="search-form"><input type="text" name="q" placeholder="Suchbegriff eingeben" /><button type="submit">Suchen</button></form></div></header></div></div></div></div>
"""

FOOTER = """
<div class="footer bg-white"><footer><div class="section pvn"><div class="row mbl pll"><div class="three col mbl"><a href="https://www.newsaktuell.de" class="footer-logo"><img src="/assets//img/tile_ph.png" data-src="/assets/img/na-logo_de.svg" alt="news aktuell GmbH" /></a></div></div><div class="row pll"><div class="col three"><p>Social Media: <a href="https://www.facebook.com/presseportal" class="footer-sm">Facebook</a></p></div><div class="col nine"><p><a href="/impressum">Impressum</a> | <a href="/datenschutz">Datenschutz</a> | <a href="/agb">AGB</a> | <a href="/kontakt">Kontakt</a></p><p>&copy; news aktuell GmbH. Alle Rechte vorbehalten.</p></div></div></div></footer></div>
"""


def card(
    doc: Doc | Card,
    *,
    date_tag: str,
    flags: Flags = NO_FLAGS,
    label: bool = True,
    slug: bool = False,
    cache: OrderedDict | None = None,
) -> str:
    """A listing card (``article.news``), as on newsroom pages and under "Weitere Storys"."""
    if (flags is not NO_FLAGS and flags != NO_FLAGS) or cache is None:
        return _card(doc, date_tag, flags, label, slug)
    key = _card_key(doc.sid, date_tag, label, slug)
    html_ = cache.get(key)
    if html_ is None:
        html_ = _remember(cache, key, _card(doc, date_tag, flags, label, slug))
    return html_


def _card_key(sid: int, date_tag: str, label: bool = True, slug: bool = False) -> tuple:
    return (sid, date_tag, label, slug)


def _remember(cache: OrderedDict, key: tuple, html_: str) -> str:
    """Keep a rendered card (or block of cards) in the corpus's cache, the oldest out first."""
    cache[key] = html_
    if len(cache) > 4096:
        cache.popitem(last=False)
    return html_


def _card(doc: Doc | Card, date_tag: str, flags: Flags, label: bool, slug: bool) -> str:
    href = doc.newsroom.story_path(doc.sid)
    link = f"{href}/{slugify(doc.title)}" if slug else href
    data_label = f' data-label="{doc.sid}"' if label else ""
    t = ent(doc.title)
    return (
        f'<article class="news" data-url="{href}"{data_label}>'
        f'<div class="news-meta"><{date_tag} class="date">{date_text(doc, flags)}</{date_tag}></div>'
        f'        <h3 class="news-headline-clamp"><a href="{link}" title="{t}"><span>{esc(doc.title)}</span></a></h3>'
        f'        <p><a href="{link}" title="{t}"><i>{esc(doc.dateline)} (ots)</i> - {esc(doc.teaser)}</a></p>'
        f'        <div class="news-morelink event-trigger no-child-trigger" data-callback="link" data-url="{href}"'
        ' data-label="meldung" data-category="tile-more" data-action="click">mehr</div>'
        '        <div class="no-float"></div></article>'
    )


# ---- story page ------------------------------------------------------------------------------


def _para(p: Para, inline_prefix: str = "") -> str:
    """A body paragraph's markup, by its kind (corpus.Para)."""
    if p.kind == "p":
        return f"<p>{inline_prefix}{_inline(p)}</p>"
    if p.kind == "heading":
        return f"<h{p.level}>{esc(p.text)}</h{p.level}>"
    if p.kind in ("list", "olist"):
        tag = "ul" if p.kind == "list" else "ol"
        return f"<{tag}>" + "".join(f"<li>{esc(i)}</li>" for i in p.items) + f"</{tag}>"
    if p.kind == "table":
        head, *rows = p.rows
        return ("<table><thead><tr>" + "".join(f"<th>{esc(c)}</th>" for c in head) + "</tr></thead><tbody>"
                + "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
                + "</tbody></table>")
    if p.kind == "quote":
        return f"<blockquote>{esc(p.text)}</blockquote>"
    if p.kind == "br_list":
        return f"<p>{inline_prefix}{esc(p.text)}<br>" + "<br>".join(f"- {esc(i)}" for i in p.items) + "</p>"
    return f"<p>{inline_prefix}{_inline(p)}</p>"


def _inline(p: Para) -> str:
    """A paragraph's text with its links (and a bold first segment), without the <p>."""
    segs = p.segs
    if len(segs) == 1 and not p.bold:  # most paragraphs: one run of text
        s = segs[0]
        text = esc_corrupt(s.text, p.corrupt)
        if s.href is None:
            return text
        return f'<a target="_blank" class="uri-ext outbound" rel="nofollow noopener" href="{ent(s.href)}">{text}</a>'
    parts = []
    for i, s in enumerate(p.segs):
        text = esc_corrupt(s.text, p.corrupt)
        if s.href is not None:
            cls = "uri-ext outbound"
            text = f'<a target="_blank" class="{cls}" rel="nofollow noopener" href="{ent(s.href)}">{text}</a>'
        if p.bold and i == 0:
            text = f"<b>{text}</b>" if len(p.segs) > 1 or p.text.startswith("Über") else f"<strong>{text}</strong>"
        parts.append(text)
    return "".join(parts)


@functools.lru_cache(maxsize=4096)
def _city_link(city: str) -> str:
    return (
        '<a data-category="citylink-story-view" data-action="click" data-label="Citylink in Meldungsansicht"'
        f' class="story-city event-trigger" href="/regional/{latin1_path(city)}" title="News aus {ent(city)} ">'
        f"{esc(city)}</a>"
    )


@functools.lru_cache(maxsize=4096)
def _tag(href: str, label: str) -> str:
    return (
        f'<li data-name="viperTag" data-score="1"><a href="{href}" class="btn event-trigger" rel="tag"'
        f' data-category="story-tags" data-action="click" data-label="{ent(label)}" data-callback="link"'
        f' data-url="{href}">{esc(label)}</a></li>'
    )


def _media(doc: Doc) -> str:
    if not doc.images:
        return ""
    cls = "story-media-single" if len(doc.images) == 1 else "story-media-gallery"
    figures = []
    for i, img in enumerate(doc.images):
        figures.append(
            f'<figure><div class="story-media-item"><a class="fancybox event-trigger" href="{img.hires}"'
            f' data-caption="{ent(img.caption)}" data-fancybox data-category="medialightbox" data-action="click"'
            f' data-label="single" data-value="{doc.sid}{i}"><img src="/assets//img/highlight_ph.png"'
            f' data-src="{img.thumb}" alt="{ent(ent(title_raw(doc)))}" class="single" /></a></div>'
            f'<div class="media-action" data-id="{doc.sid}{i}-top"><ul><li data-url="/api/image_info.htx?id={doc.sid}{i}"'
            ' class="media-action-info event-trigger" data-type="image">Bild-Infos</li>'
            f'<li data-url="/download/image/{doc.sid}{i}.jpg" class="media-action-download event-trigger">Download</li>'
            "</ul></div></figure>"
        )
    return (
        '<div id="story-embed" class="story-attachment"></div>'
        f'<div class="story-media {cls}" id="attid-{doc.sid}" data-type="bild" data-index="0">'
        + "".join(figures)
        + '</div><div id="story-attachment" class="story-attachment"></div>'
    )


def _jsonld(doc: Doc, canonical: str, flags: Flags, description: str) -> str:
    """The JSON-LD script: the text json.dumps(data, ensure_ascii=True, separators=(",", ": "))
    gives for the NewsArticle dict, written out (its strings by json's own encoder), as
    building and encoding the dict cost a page more than the rest of its head."""
    published = doc.jsonld_date
    if flags.bad_date:
        published = f"{doc.entry.local:%Y}-13-32T25:61:00"
    # the site gives Berlin local time without an offset
    modified = minute_iso(doc.date_modified) if not flags.bad_date else published
    image = (
        f'"image": {{"@type": "ImageObject","url": {_js(doc.images[0].content)},"height": "2430","width": "3543"}},'
        if doc.images else ""
    )
    text = (
        '{"@context": "https://schema.org","@type": "NewsArticle",'
        f'"mainEntityOfPage": {{"@type": "WebPage","@id": {_js(canonical)}}},'
        f'"headline": {_js(title_raw(doc))},{image}'
        f'"datePublished": {_js(published)},"dateModified": {_js(modified)},'
        f'"author": {{"name": {_js(doc.publisher.name)}}},'
        '"publisher": {"@type": "Organization","name": "Presseportal.de",'
        '"logo": {"@type": "ImageObject","url": "/assets/img/pp-header-logo-de.png","width": 197,"height": 27}},'
        f'"description": {_js(description)}}}'
    ).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


def _markup(doc: Doc) -> dict[str, str]:
    """How a page marks the release's sections (the varieties of corpus.py):

    - dateline: "link" (a.story-city) or "plain";
    - contact: "classes" (p.contact-headline, p.contact-text), "headline" (p.contact-headline,
      then a plain <p> of <br> lines), "plain" (both plain <p>), "paragraphs" (a <p> a line);
    - originator: "class" (p.originator) or "plain";
    - body: "p" (blocks) or "div" (text and <br>s in a div: no <p> at all)."""
    kinds = doc.kinds
    office = doc.newsroom.kind == OFFICE
    plain = "plain_classes" in kinds or (office and "office_classes" not in kinds)
    if "contact_paragraphs" in kinds:
        contact = "paragraphs"
    elif plain or "plain_contact_heading" in kinds:
        contact = "plain"
    elif "contact_heading" in kinds:
        contact = "headline"
    else:
        contact = "classes"
    return {
        "dateline": "plain" if plain else "link",
        "contact": contact,
        "originator": "plain" if plain else "class",
        "body": "div" if "no_p_body" in kinds else "p",
    }


def _dateline_html(doc: Doc, link: bool) -> str:
    """The dateline as the page writes it ("<i><a class="story-city">Musterkreis</a>: (ots)</i>")."""
    return _dateline_markup(doc.dateline_shown, doc.dateline, doc.initials, link)


# the datelines and contact lines of a newsroom repeat from release to release
@functools.lru_cache(maxsize=4096)
def _dateline_markup(shown: str, dateline: str, initials: str, link: bool) -> str:
    text = esc(shown)
    if link:
        linked = dateline.split("/")[0]
        text = text.replace(esc(linked), _city_link(linked), 1)
    return f"<i>{text}</i>" + (f" - ({esc(initials)})" if initials else "")


def _contact_line(s: Seg) -> str:
    return _contact_markup(s.text, s.href)


@functools.lru_cache(maxsize=4096)
def _contact_markup(text: str, href: str | None) -> str:
    if href:
        return (f'<a target="_blank" class="uri-ext outbound" rel="nofollow noopener" href="{href}" '
                f'class="uri-mailto">{esc(text)}</a>')
    return esc(text)


def _release_text(doc: Doc, *, broken_link: str = "") -> list[str]:
    """The dateline, body, about, contact and originator of a story page's card.
    `broken_link`: the first body paragraph without a link is wrapped in a link to it
    (the fault knob; pages of <p> paragraphs only)."""
    kinds, markup = doc.kinds, _markup(doc)
    dateline = _dateline_html(doc, markup["dateline"] == "link")
    originator = f"Original-Content von: {ent_cached(doc.publisher.name)}, &uuml;bermittelt durch news aktuell"
    lines = [_contact_line(s) for s in doc.contact]
    if "glued_contact" in kinds:  # a person's name, phone and mail as adjacent links, no <br>
        name, phone, mail = doc.contact[-3:]
        lines[-3:] = [esc(name.text) + f'<a href="tel:{phone.text.replace(" ", "")}">{esc(phone.text)}</a>'
                      + _contact_line(mail)]
    if markup["body"] == "div":
        # the release as text and <br>s: a blank line (<br><br>) between paragraphs
        paragraphs = [_inline(p) for p in doc.body + doc.about]
        paragraphs[0] = f"{dateline} - {paragraphs[0]}"
        text = "<br><br>".join([*paragraphs, esc(doc.contact_heading), "<br>".join(lines), originator])
        return [f'<div class="story-text">{text}</div>']
    parts: list[str] = []
    body = list(doc.body)
    if "dateline_inline" in kinds or "agency_dateline" in kinds:
        parts.append(_para(body[0], inline_prefix=f"{dateline} - "))
        body = body[1:]
    else:
        parts.append(f"<p>{dateline}</p>")
        if "empty_paragraph" in kinds:
            parts.append("<p> </p>")
    paragraphs = [_para(p) for p in body]
    if broken_link:
        # the link wraps a whole paragraph that has none: the text stays, one link more
        i = next((i for i, p in enumerate(body) if not any(s.href for s in p.segs)), 0)
        inner = paragraphs[i].removeprefix("<p>").removesuffix("</p>")
        paragraphs[i] = f'<p><a class="uri-ext outbound" href="{ent(broken_link)}">{inner}</a></p>'
    parts.extend(paragraphs)
    parts.extend(_para(p) for p in doc.about)
    if "empty_paragraph" in kinds:
        parts.append("<p>&nbsp;</p>")
    heading = esc(doc.contact_heading)
    contact = markup["contact"]
    if contact == "classes":
        parts.append(f'<p class="contact-headline">{heading}</p>')
        parts.append(f'<p class="contact-text">{"<br />".join(lines)}</p>  ')
    elif contact == "paragraphs":
        parts.append(f"<p>{heading}</p>")
        parts.extend(f"<p>{line}</p>" for line in lines)
    else:
        parts.append(f'<p class="contact-headline">{heading}</p>' if contact == "headline" else f"<p>{heading}</p>")
        parts.append(f'<p>{"<br>".join(lines)}</p>')
    if markup["originator"] == "class":
        parts.append(f'<p class="originator">{originator}</p>')
    else:
        parts.append(f"<p>{originator}</p>")
    return parts


@functools.lru_cache(maxsize=1024)
def _newsroom_box(home: str, name: str) -> str:
    """The "Alle Storys" box of a newsroom (twice on each of its story pages)."""
    return (
        f'<div class="story-linkbox-newsroom" id="author"><div class="tac logo"><a href="{home}" title="Alle Storys">'
        f'<img src="/assets/img/logo_ph.png" alt="Alle Storys" title="{ent(name)}"></a></div>'
        f'<a href="{home}" title="Alle Storys {ent(name)}" class="to-newsroom bg-white">Alle Storys</a>'
        f'<div class="alert-area"><div class="ui-overlay-subtitle">Keine Story von {esc(name)} mehr verpassen.</div>'
        '<form action="/alert/index.htx?mode=new" method="POST"><input type="text" name="email" placeholder="Ihre E-Mail-Adresse" /></form>'
        '</div><div class="no-float"></div></div>'
    )


@functools.lru_cache(maxsize=1024)
def _customer(home: str, name: str) -> str:
    return (
        f'<p class="customer"><a class="story-customer" title="weiter zum newsroom von {ent(name)}"'
        f' href="{home}">{esc(name)}</a></p>'
    )


def _more(corpus: Corpus, block_id: str, newsroom: Newsroom, sids: list[int]) -> str:
    """A "Weitere Storys" block of a newsroom's cards ("" for no stories). Cached with the
    cards: what it shows is static per story, and consecutive pages of a newsroom show the
    same block of the other newsroom."""
    if not sids:
        return ""
    cache = corpus.card_html
    key = (block_id, *sids)
    html_ = cache.get(key)
    if html_ is None:
        cards = []
        for sid in sids:
            # the card of a story that is in the cache (card() keys it so) needs no Card
            c = cache.get(_card_key(sid, "h5"))
            cards.append(c if c is not None else card(corpus.card(sid), date_tag="h5", cache=cache))
        html_ = _remember(
            cache,
            key,
            f'<div class="row block block-newsroom_stories" id="{block_id}" data-type="newsroom_stories">'
            f'<div class="col twelve block-headline"><div class="thisisnoh h2 block-headline-left-text">'
            f'Weitere Storys: {esc(corpus.newsrooms[newsroom].name)}</div>'
            f'<a href="{newsroom.listing_path()}" class="block-headline-right-link" title="Alle Storys">Alle Storys</a></div>'
            '<div class="block-news"><ul class="article-list row row-homepage">'
            + "".join([f'<li class="col four ">{c}</li>' for c in cards])
            + "</ul></div></div>",
        )
    return html_


def _quote_table(safe: str) -> dict[int, str]:
    always = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~" + safe
    return {b: chr(b) if chr(b) in always else f"%{b:02X}" for b in range(256)}


_QUOTE_ALL, _QUOTE_PATH = _quote_table(""), _quote_table("/")


def _quote(s: str, table: dict[int, str]) -> str:
    """urllib.parse.quote(s, safe="" or "/") byte for byte: the UTF-8 bytes as latin-1
    characters, each mapped to itself or to %XX (a table lookup, not a call, per byte)."""
    return s.encode().decode("latin-1").translate(table)


def story_page(corpus: Corpus, doc: Doc, flags: Flags = NO_FLAGS) -> str:
    return "".join(_story_parts(corpus, doc, flags))


def story_bytes(corpus: Corpus, doc: Doc, flags: Flags = NO_FLAGS) -> bytes:
    """The story page as served: UTF-8, or windows-1252 (the `cp1252` variety) with numeric
    references for what that charset lacks. Encoded part by part, which gives the same
    bytes (both encodings go character by character) for less: joined first, the one
    character beyond Latin-1 (the title's ▷) widens the whole page to two bytes a character."""
    parts = _story_parts(corpus, doc, flags)
    if "cp1252" in doc.kinds:
        return b"".join([part.encode("cp1252", "xmlcharrefreplace") for part in parts])
    return b"".join([part.encode() for part in parts])


def _story_parts(corpus: Corpus, doc: Doc, flags: Flags) -> list[str]:
    base = corpus.base_url
    sid, kinds = doc.sid, doc.kinds
    newsroom = doc.newsroom
    pub = doc.publisher
    name = pub.name
    story_path = newsroom.story_path(sid)
    canonical = f"{base}/pm/{flags.canonical}" if flags.canonical else base + story_path
    home = newsroom.listing_path()
    title = title_raw(doc)
    t_attr = ent(title)
    # "Polizeipräsidium Musterstadt - Musterstadt (ots) - (ab) Am Dienstag ..."
    after_dateline = f"{doc.dateline_shown} - " + (f"({doc.initials}) " if doc.initials else "") + doc.teaser
    desc_og = ent(after_dateline)
    desc_full = f"{ent_cached(name)} - {desc_og}"  # entities are per character: the same as ent() of the whole
    charset = "windows-1252" if "cp1252" in kinds else "utf-8"
    img_meta = ""
    if doc.images:
        thumb = doc.images[0].thumb
        img_meta = (
            f'<meta name="twitter:image" content="{thumb}" /><meta name="og:image" content="{thumb}" />'
            f'<meta property="og:image" content="{thumb}" />'
        )
    keywords = ", ".join(doc.keywords)
    newsroom_box = _newsroom_box(home, name)
    share = _quote(f"{canonical}/?utm_source=facebook&utm_medium=social", _QUOTE_ALL)
    # newer pages say "Meldung" where older ones say "Story" (both seen on the site)
    noun = "Meldung" if doc.entry.local.year >= 2023 else "Story"
    page = [
        f'<!DOCTYPE html><html class="no-js" lang="de"><head><meta charset="{charset}">',
        # a part of its own: the one character beyond Latin-1 would widen the whole head (story_bytes)
        f"<title>\u25b7 {esc(title)} | Presseportal</title>",
        '<meta name="robots" content="index, follow, noarchive, max-image-preview:large" />'
        '<meta name="application-name" content="Presseportal" />'
        f'<meta name="description" content="{desc_full}" />'
        f'<meta name="keywords" content="{ent(keywords + "," if keywords else "")}{GENERIC_KEYWORDS}" />'
        + (f'<meta name="news_keywords" content="{ent(keywords)}" />' if doc.keywords else "")
        + f'<meta name="og:site_name" content="presseportal.de" /><meta name="og:url" content="{canonical}" />'
        f'<meta name="og:title" content="{t_attr}" /><meta name="og:description" content="{desc_og}" />'
        '<meta name="og:type" content="article" /><meta name="twitter:card" content="summary" />'
        f'<meta name="twitter:url" content="{canonical}" /><meta name="twitter:title" content="{t_attr}" />'
        f'<meta name="twitter:description" content="{desc_og}" /><meta name="twitter:site" content="@na_presseportal" />'
        f'{img_meta}<meta property="og:site_name" content="presseportal.de" />'
        f'<meta property="og:url" content="{canonical}" /><meta property="og:title" content="{t_attr}" />'
        f'<meta property="og:description" content="{desc_og}" /><meta property="og:type" content="article" />'
        f'<link rel="canonical" href="{canonical}"><link rel="amphtml" href="{base}{story_path.replace("/pm/", "/pm/amp/")}">'
        f'<link rel="alternate" type="application/rss+xml" title="Presseportal RSS-Feed" href="{base}/rss/presseportal.rss2" >'
        '<link rel="shortcut icon" href="/assets/img/favicons/de.png?4" type="image/ico" />'
        "<script>var ppapp = {debug: false, tld: 'de', root: '/', lang: 'de'};"
        f"ga('ec:addProduct', {{'id': 'STORY_{sid}', 'name': {_js(doc.title)}, 'brand': {_js(name)}}});"
        "</script>"
        '<link rel="stylesheet" href="/assets/css/story-de.css?ce75ecb">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>',
        '<body class="tld-de">',
        HEADER,
        '<main><div class="section"><div class="row sticky-row"><div class="col twelve story-linkbox-top">',
        newsroom_box,
        '</div><article class="col eight story mbs">',
        f'<div class="card" lang="{doc.language}">',
    ]
    # the card
    if "no_pdate" not in kinds:
        page.append(f'<p class="date">{date_text(doc, flags)}</p>')
    page.append(_customer(home, name))
    if not flags.no_h1:
        page.append(f"<h1>{esc(title)}</h1>")
    page.append(
        '<div class="story-sharing"><div class="story-sharing-items">'
        f'<a href="https://www.facebook.com/sharer.php?u={share}" class="is-default story-sharing-facebook event-trigger"'
        ' title="Teilen &uuml;ber Facebook"><span aria-hidden="true" data-icon="&#xe224;"></span></a>'
        f'<a href="mailto:?subject={_quote(doc.title, _QUOTE_PATH)}&body={canonical}" class="is-default story-sharing-mailit event-trigger"'
        ' title="Senden"><span aria-hidden="true" data-icon="&#xe207;"></span></a>'
        '</div><div class="no-float"></div></div>'
        # a mustache template inside the card, as on the real page: its <p> is not body text
        '<script id="image_meta" type="text/mustache"><div class="overlay-image-info"><div class="twelve float-l">'
        "{{#caption.text}}<p class=\"bold\">{{caption.label}}:</p><p>{{caption.text}}</p>{{/caption.text}}</div></div></script>"
    )
    page.append(_media(doc))
    page += _release_text(doc, broken_link=flags.broken_link)
    page.append('<div class="no-float"></div>')
    page.append("</div></article><div></div>")

    # the sidebar
    page += (
        '<div class="col four float-l stickybox"><div class="story-linkbox">',
        newsroom_box,
        '<div class="story-linkbox-docs"><ul>'
        f'<li><span class="no-link event-trigger" data-url="/print/{sid}-print.html" title="Druckversion">Druckversion</span></li>'
        f'<li><span class="no-link event-trigger" data-url="/pdf/{sid}-download.pdf" title="PDF-Version">PDF-Version</span></li>'
        "</ul></div>"
        f'<div class="thisisnoh h4 mtxl">Orte in dieser {noun}</div><ul class="tags">',
    )
    page += [_tag(f"/regional/{latin1_path(p)}", p) for p in doc.places]
    page.append(f'</ul><div class="thisisnoh h4 mts">Themen in dieser {noun}</div><ul class="tags">')
    page += [_tag(f"/st/{latin1_path(k)}", k) for k in doc.keywords]
    page += [_tag(href, label) for href, label in doc.categories]  # /t/ categories: not keywords
    page.append('</ul><div class="no-float"></div></div></div>')
    page.append("</div></div>")

    if "no_jsonld" not in kinds:
        page.append(_jsonld(doc, canonical, flags, after_dateline))
    page.append('<div class="section pts" data-nosnippet>')
    other = corpus.other_newsroom(newsroom)
    page.append(_more(corpus, "same-newsrooms", newsroom, corpus.older_than(newsroom, sid, 3)))
    page.append(_more(corpus, "other-newsrooms", other, corpus.older_than(other, sid, 3)))
    page.append("</div></main>")
    page.append(FOOTER)
    page.append("</body></html>")
    return page


# ---- newsroom listing -------------------------------------------------------------------------


def listing_page(
    corpus: Corpus,
    newsroom: Newsroom,
    sids: list[int],
    offset: int,
    page_size: int,
    query: str,
    flags: Flags = NO_FLAGS,
) -> str:
    """One newsroom page (a publisher's /nr/, an office's /blaulicht/nr/): ``sids`` is the
    whole (windowed) list, newest first."""
    base = corpus.base_url
    pub = corpus.newsrooms[newsroom]
    pid = newsroom.id
    main = newsroom == corpus.newsroom_of(MAIN_PUBLISHER)
    page = sids[offset : offset + page_size]
    qs = f"?{query}" if query else ""
    page_no = offset // page_size
    # the listing date element is uncertain on the real site: serve both
    date_tag = "h5" if (not main or page_no % 2 == 1) else "div"
    slug = main and page_no % 2 == 1
    label = newsroom != corpus.newsroom_of(118420)  # whether company newsrooms carry data-label is uncertain
    docs = [corpus.card(s) for s in page]
    if flags.keep_cards is not None:
        docs = docs[: flags.keep_cards]
    if flags.duplicate_card:
        nxt = sids[offset + page_size : offset + page_size + 1]
        prv = sids[max(0, offset - 1) : offset] if offset else []
        if nxt:
            docs.append(corpus.card(nxt[0]))
        elif prv:
            docs.insert(0, corpus.card(prv[0]))
    cards = "".join(
        f'<li class="col four">{card(d, date_tag=date_tag, flags=flags, label=label, slug=slug, cache=corpus.card_html)}</li>' for d in docs
    )
    path = newsroom.listing_path(offset)
    nxt_url = f"{newsroom.listing_path(offset + page_size)}{qs}" if offset + page_size < len(sids) else None
    prv_url = None
    if offset > 0:
        prv_url = newsroom.listing_path(max(0, offset - page_size)) + qs
    if nxt_url and flags.next_host:
        nxt_url = f"http://{flags.next_host}{nxt_url}"  # absolute: the link leaves the site
    links = ""
    if prv_url:
        links += f'<link rel="prev" href="{base}{ent(prv_url)}">'
    if nxt_url:
        links += f'<link rel="next" href="{"" if flags.next_host else base}{ent(nxt_url)}">'
    pager = ['<div class="pagination">']
    if prv_url:
        pager.append(f'<span class="pagination-prev event-trigger" data-url="{ent(prv_url)}">Zur&uuml;ck</span>')
    pager.append(f'<span class="pagination-current">Seite {page_no + 1}</span>')
    if nxt_url:
        pager.append(f'<span class="pagination-next event-trigger" data-url="{ent(nxt_url)}">Weiter</span>')
    pager.append("</div>")
    return (
        f'<!DOCTYPE html><html class="no-js" lang="de"><head><meta charset="utf-8">'
        f"<title>{esc(pub.name)} - Pressemitteilungen | Presseportal</title>"
        f'<meta name="description" content="Alle Pressemitteilungen von {ent(pub.name)}" />'
        f'<link rel="canonical" href="{base}{path}">{links}'
        f'<link rel="alternate" type="application/rss+xml" title="{ent(pub.name)}" href="{base}{feed_path(newsroom)}">'
        '</head><body class="tld-de">'
        + HEADER
        + '<main><div class="section"><div class="row newsroom-header">'
        f'<h1 class="newsroom-name">{esc(pub.name)}</h1><p class="newsroom-city">{esc(pub.city)}</p></div>'
        '<div class="row"><ul class="article-list row">'
        + cards
        + "</ul></div>"
        + "".join(pager)
        + "</div></main>"
        + FOOTER
        + "</body></html>"
    )


# ---- RSS and robots ---------------------------------------------------------------------------


def feed_path(newsroom: Newsroom) -> str:
    """`/rss/pm_{id}.rss2`, an office's `/rss/dienststelle_{id}.rss2`."""
    return f"/rss/{'dienststelle' if newsroom.kind == OFFICE else 'pm'}_{newsroom.id}.rss2"


def rss_items(corpus: Corpus, sids: list[int]) -> str:
    items = []
    for sid in sids:
        d = corpus.card(sid)
        link = corpus.base_url + d.entry.newsroom.story_path(sid)
        items.append(
            f"<item><title>{esc(d.title)}</title><link>{link}</link>"
            f"<description>{esc(f'{d.dateline} (ots) - {d.teaser}')}</description>"
            f"<pubDate>{format_datetime(d.entry.instant.astimezone(BERLIN))}</pubDate>"
            f'<guid isPermaLink="true">{link}</guid><category>{esc(d.category)}</category></item>'
        )
    return "".join(items)


def rss_channel(corpus: Corpus, title: str, link: str, description: str, self_path: str,
                built: datetime, sids: list[int]) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f"<title>{esc(title)}</title><link>{link}</link>"
        f"<description>{esc(description)}</description><language>de</language>"
        f"<lastBuildDate>{format_datetime(built)}</lastBuildDate>"
        f'<atom:link href="{corpus.base_url}{self_path}" rel="self" type="application/rss+xml"/>'
        + rss_items(corpus, sids)
        + "</channel></rss>\n"
    )


def rss(corpus: Corpus, newsroom: Newsroom, sids: list[int]) -> str:
    """A newsroom's feed (`/rss/pm_{id}.rss2`, `/rss/dienststelle_{id}.rss2`)."""
    pub = corpus.newsrooms[newsroom]
    return rss_channel(corpus, f"{pub.name} - Presseportal", corpus.base_url + newsroom.listing_path(),
                       f"Pressemitteilungen von {pub.name}", feed_path(newsroom), corpus.mtime(newsroom), sids)


def site_rss(corpus: Corpus, sids: list[int]) -> str:
    """The site-wide feed (`/rss/presseportal.rss2`): the newest stories of every newsroom."""
    built = max(corpus.mtime(n) for n in corpus.newsrooms)
    return rss_channel(corpus, "Presseportal - alle Meldungen", corpus.base_url,
                       "Die neuesten Pressemitteilungen", "/rss/presseportal.rss2", built, sids)


def robots(base_url: str, disallow: tuple[str, ...] = ()) -> str:
    extra = "".join(f"Disallow: {path}\n" for path in disallow)
    return f"User-agent: *\nDisallow: /images/\nDisallow: /text/\n{extra}\nSitemap: {base_url}/sitemap.xml\n"


NOT_FOUND = (
    '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Seite nicht gefunden | Presseportal</title>'
    "</head><body><main><h2>Die angeforderte Seite wurde nicht gefunden.</h2></main></body></html>"
)


def parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


__all__ = ["Flags", "NO_FLAGS", "story_page", "listing_page", "rss", "robots", "NOT_FOUND", "Seg"]
