"""RSS 2.0 feeds (`/rss/pm_{publisher_id}.rss2`, an office's `/rss/dienststelle_{id}.rss2`):
`extract_feed(xml, url) -> list[FeedEntry]`.

Items carry title, link, description, pubDate and guid (maybe category). Descriptions
may hold escaped HTML: tags are stripped and entities decoded, nothing else. Items
whose link (or guid) is not a story URL are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from crawler.extract._html import collapse, parse_html, site_of, text_of
from crawler.items import PUBLISHER, story_ref


@dataclass
class FeedEntry:
    story_id: int
    publisher_id: int  # the newsroom's id (see newsroom_kind)
    url: str  # canonical on the site of the feed: {scheme}://{host}/pm/{pid}/{sid} (/blaulicht/pm/...)
    title: str = ""
    description: str = ""
    pub_date_raw: str = ""
    guid: str = ""
    newsroom_kind: str = PUBLISHER


def _child_text(item: etree._Element, name: str) -> str:
    for child in item:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return child.text or ""
    return ""


def _plain(markup: str) -> str:
    """Text of a possibly HTML-escaped feed field (tags stripped, entities decoded)."""
    if "<" not in markup and "&" not in markup:
        return collapse(markup)
    return text_of(parse_html(f"<html><body><div>{markup}</div></body></html>").find(".//div"))


def extract_feed(xml: bytes | str, url: str) -> list[FeedEntry]:
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
        parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, encoding="utf-8")
    else:
        parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(xml.lstrip(), parser)
    except etree.XMLSyntaxError:  # empty body: even recover=True has nothing to build
        return []
    if root is None:
        return []
    site = site_of(url)
    entries: list[FeedEntry] = []
    seen: set[int] = set()
    for item in root.iter("{*}item"):
        link = _child_text(item, "link").strip()
        guid = _child_text(item, "guid").strip()
        ref = story_ref(link) or story_ref(guid)
        if ref is None or ref.story_id in seen:
            continue
        seen.add(ref.story_id)
        entries.append(
            FeedEntry(
                story_id=ref.story_id,
                publisher_id=ref.newsroom.id,
                newsroom_kind=ref.newsroom.kind,
                url=site + ref.newsroom.story_path(ref.story_id),
                title=_plain(_child_text(item, "title")),
                description=_plain(_child_text(item, "description")),
                pub_date_raw=collapse(_child_text(item, "pubDate")),
                guid=guid,
            )
        )
    return entries
