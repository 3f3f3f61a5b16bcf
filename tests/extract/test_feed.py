"""RSS 2.0 feed items: ids from link (or guid), canonical URL on the feed's site, plain text."""

from __future__ import annotations

from crawler.extract.feed import extract_feed
from tests.extract.helpers import FIXTURES

FEED = FIXTURES / "feed" / "pm_73811.rss2"


def test_items_in_feed_order() -> None:
    entries = extract_feed(FEED.read_bytes(), "https://www.presseportal.de/rss/pm_73811.rss2")
    assert [(e.publisher_id, e.story_id) for e in entries] == [(73811, 6204848), (73811, 6200001), (73811, 6199000)]
    first = entries[0]
    assert first.url == "https://www.presseportal.de/pm/73811/6204848"
    assert first.title == "Kommunen & KI: „Wir fangen gerade erst an“"
    assert first.description == "Hamburg (ots) - Immer mehr Kommunen setzen KI ein …"  # &hellip; decoded, nothing else
    assert first.pub_date_raw == "Wed, 21 Jan 2026 10:30:00 +0100"
    assert first.guid == "https://www.presseportal.de/pm/73811/6204848"


def test_slug_links_collapse_and_guid_is_the_fallback() -> None:
    entries = extract_feed(FEED.read_bytes(), "https://www.presseportal.de/rss/pm_73811.rss2")
    assert entries[1].url == "https://www.presseportal.de/pm/73811/6200001"
    assert entries[2].story_id == 6199000  # no <link>: taken from the guid


def test_urls_are_on_the_site_crawled_and_str_input_works() -> None:
    entries = extract_feed(FEED.read_text(encoding="utf-8"), "http://127.0.0.1:8080/rss/pm_73811.rss2")
    assert entries[0].url == "http://127.0.0.1:8080/pm/73811/6204848"


def test_broken_or_empty_feed_gives_no_entries() -> None:
    assert extract_feed(b"", "https://www.presseportal.de/rss/pm_1.rss2") == []
    assert extract_feed(b"<rss><channel><item><title>x</title></item>", "https://x/rss") == []
