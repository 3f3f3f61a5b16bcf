"""Every path the replica serves: robots, newsroom pages, windows, stories, RSS, 404."""

from __future__ import annotations

from datetime import date, timedelta
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

from tests.replica.observe import fetch, read_listing


def test_robots(replica):
    page = fetch(replica.url("/robots.txt"))
    assert page.status == 200 and page.headers["content-type"].startswith("text/plain")
    lines = page.text.splitlines()
    assert "User-agent: *" in lines and "Disallow: /images/" in lines and "Disallow: /text/" in lines
    assert f"Sitemap: {replica.base_url}/sitemap.xml" in lines


def crawl_newsroom(replica, first_path: str) -> tuple[list[int], list[str]]:
    ids: list[int] = []
    pages: list[str] = []
    url = replica.url(first_path)
    while url:
        page = fetch(url)
        assert page.status == 200, url
        listing = read_listing(page.text)
        pages.append(url)
        ids += listing["ids"]
        if listing["next"] is None:
            assert listing["next_data_url"] is None, "both next markers vanish together on the last page"
            break
        assert listing["next"] == replica.url(listing["next_data_url"]), "link[rel=next] and data-url agree"
        url = listing["next"]
        assert len(pages) < 50
    return ids, pages


def test_newsroom_paginates_to_the_last_page(replica):
    ids, pages = crawl_newsroom(replica, "/nr/73811")
    assert ids == replica.corpus.story_ids(73811), "every story once, newest first"
    assert len(pages) == 4  # 120 releases / 30
    assert pages[1] == replica.url("/nr/73811/30")
    last = read_listing(fetch(pages[-1]).text)
    assert last["next"] is None and len(last["ids"]) == 30


def test_page_size_and_offsets(replica_factory):
    r = replica_factory(releases=100, seed=2, page_size=27)
    ids, pages = crawl_newsroom(r, "/nr/73811")
    assert ids == r.corpus.story_ids() and len(pages) == 4
    assert read_listing(fetch(r.url("/nr/73811/5")).text)["ids"] == r.corpus.story_ids()[5:32]
    assert fetch(r.url("/nr/73811/100")).status == 404, "offset past the end"
    assert fetch(r.url("/nr/99999")).status == 404, "unknown newsroom"


def test_listing_cards_markup(replica):
    c = replica.corpus
    first = fetch(replica.url("/nr/73811")).text
    second = fetch(replica.url("/nr/73811/30")).text
    l1, l2 = read_listing(first), read_listing(second)
    assert set(l1["date_tags"]) == {"div"} and set(l2["date_tags"]) == {"h5"}, "both date elements are served"
    sid = l1["ids"][0]
    card = l1["cards"][0]
    assert card.attrib["data-label"] == str(sid)
    assert card.css("h3.news-headline-clamp a span::text").get() == c.truth(sid)["title"]
    teaser = "".join(card.css("p a").xpath(".//text()").getall())
    assert teaser == f"Hamburg (ots) - {c.truth(sid)['teaser']}"
    assert l1["dates"][0] == c.truth(sid)["published_raw"] or "no_pdate" in c.kinds(sid)
    # slugged story links on some pages; the slug path serves the same story
    href = l2["cards"][0].css("h3 a::attr(href)").get()
    assert href.count("/") == 4
    assert fetch(replica.url(href)).status == 200
    other = read_listing(fetch(replica.url("/nr/118420")).text)
    assert other["ids"] == c.story_ids(118420)[:30] and "data-label" not in other["cards"][0].attrib


def test_date_window(replica_factory):
    r = replica_factory(releases=300, seed=1, page_size=10)
    c = r.corpus
    start, end = date(2019, 1, 1), date(2020, 12, 31)
    query = f"?startDate={start}&endDate={end}"
    ids, pages = crawl_newsroom(r, f"/nr/73811{query}")
    expected = [s for s in c.story_ids() if start <= c.entry(s).local.date() <= end]
    assert ids == expected and len(expected) > 20
    assert all(p.endswith(query) for p in pages[1:]), "next links keep the window"
    one_day = c.entry(expected[3]).local.date()
    day_ids, _ = crawl_newsroom(r, f"/nr/73811?startDate={one_day}&endDate={one_day}")
    assert expected[3] in day_ids and all(c.entry(s).local.date() == one_day for s in day_ids)
    empty, _ = crawl_newsroom(r, f"/nr/73811?startDate={date(2030, 1, 1)}&endDate={date(2030, 2, 1)}")
    assert empty == []
    since, _ = crawl_newsroom(r, f"/nr/73811?startDate={date(2026, 1, 1) - timedelta(days=1)}")
    assert since and all(c.entry(s).local.date() >= date(2025, 12, 31) for s in since)


def test_story_paths(replica):
    c = replica.corpus
    sid = c.story_ids()[3]
    truth = c.truth(sid)
    page = fetch(replica.url(f"/pm/73811/{sid}"))
    assert page.status == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    html = page.text
    assert f'<link rel="canonical" href="{truth["url"]}">' in html
    assert "<title>\u25b7 " in html and " | Presseportal</title>" in html
    assert '<a class="story-customer" title="weiter zum newsroom von Public Marketing" href="/nr/73811">' in html
    assert "Weitere Storys: Public Marketing" in html and "Weitere Storys: Rheinische Datenwerke AG" in html
    assert fetch(replica.url(f"/pm/73811/{sid}/irgendein-slug")).body == page.body
    assert fetch(replica.url(f"/pm/97012/{sid}")).status == 404, "publisher id must match the story"
    assert fetch(replica.url("/pm/73811/1")).status == 404


def test_other_publishers_are_served(replica):
    c = replica.corpus
    for pid in (97012, 118420):
        sid = c.story_ids(pid)[0]
        page = fetch(replica.url(f"/pm/{pid}/{sid}"))
        assert page.status == 200 and c.truth(sid)["publisher"] in page.text
        assert len(c.story_ids(pid)) >= 24


def test_rss(replica):
    c = replica.corpus
    page = fetch(replica.url("/rss/pm_73811.rss2"))
    assert page.status == 200 and page.headers["content-type"].startswith("application/rss+xml")
    root = ElementTree.fromstring(page.body)
    assert root.tag == "rss" and root.attrib["version"] == "2.0"
    items = root.findall("channel/item")
    assert len(items) == 30
    newest = c.story_ids()[:30]
    for item, sid in zip(items, newest):
        truth = c.truth(sid)
        assert item.findtext("link") == truth["url"] == item.findtext("guid")
        assert item.findtext("title") == truth["title"]
        assert item.findtext("description") == f"Hamburg (ots) - {truth['teaser']}"
        assert parsedate_to_datetime(item.findtext("pubDate")).isoformat() != ""
        assert parsedate_to_datetime(item.findtext("pubDate")).timestamp() == c.entry(sid).instant.timestamp()
    assert fetch(replica.url("/rss/pm_1.rss2")).status == 404


def test_anything_else_is_404(replica):
    for path in ("/", "/pm/amp/73811/1", "/sitemap.xml", "/nr/", "/images/x.png", "/blaulicht/nr/1"):
        assert fetch(replica.url(path)).status == 404, path


# --- police and fire offices (/blaulicht/), and the company newsroom 120501 -------------------


def test_an_office_newsroom_paginates_under_blaulicht(replica_factory):
    replica = replica_factory(releases=120, seed=7, page_size=10)
    c = replica.corpus
    ids, pages = crawl_newsroom(replica, "/blaulicht/nr/99001")
    assert ids == c.story_ids(office_id=99001) and len(ids) >= 24
    assert pages[1] == replica.url("/blaulicht/nr/99001/10") and len(pages) == 3
    first = read_listing(fetch(pages[0]).text)
    assert all(card.attrib["data-url"].startswith("/blaulicht/pm/99001/") for card in first["cards"])


def test_office_stories_and_feed(replica):
    c = replica.corpus
    sid = c.story_ids(office_id=99001)[0]
    truth = c.truth(sid)
    assert truth["url"] == replica.url(f"/blaulicht/pm/99001/{sid}") and truth["newsroom_kind"] == "office"
    assert truth["title"].startswith("POL-MS: ") and truth["office_code"] == "POL-MS"
    page = fetch(truth["url"])
    assert page.status == 200 and f'<link rel="canonical" href="{truth["url"]}">' in page.text
    assert 'href="/blaulicht/nr/99001"' in page.text
    assert fetch(replica.url(f"/blaulicht/pm/99001/{sid}/kiosk-aufgebrochen")).body == page.body
    assert fetch(replica.url(f"/pm/99001/{sid}")).status == 404, "an office's story is not a publisher's"
    assert fetch(replica.url(f"/blaulicht/pm/99002/{sid}")).status == 404, "nor another office's"
    feed = fetch(replica.url("/rss/dienststelle_99001.rss2"))
    items = ElementTree.fromstring(feed.body).findall("channel/item")
    assert [item.findtext("link") for item in items] == [c.truth(s)["url"] for s in c.story_ids(office_id=99001)[:30]]
    assert fetch(replica.url("/rss/dienststelle_73811.rss2")).status == 404, "no office 73811"


def test_an_office_and_a_publisher_share_a_number_but_not_their_stories(replica):
    c = replica.corpus
    office, company = c.story_ids(office_id=97012), c.story_ids(97012)
    assert office and company and not set(office) & set(company)
    assert read_listing(fetch(replica.url("/blaulicht/nr/97012")).text)["ids"] == office[:30]
    assert read_listing(fetch(replica.url("/nr/97012")).text)["ids"] == company[:30]
    assert c.truth(office[0])["publisher"] == "Bundespolizeiinspektion Nordhafen"
    assert c.truth(company[0])["publisher"] == "Rheinische Datenwerke AG"


def test_story_ids_are_one_sequence_growing_with_time_across_kinds():
    from tests.replica import Corpus

    c = Corpus(releases=300, seed=1)
    entries = sorted((c.entry(s) for room in c.newsrooms for s in c.stories(room)), key=lambda e: e.sid)
    assert len({e.sid for e in entries}) == len(entries)
    for room in c.newsrooms:  # newest first within each newsroom
        times = [c.entry(s).instant for s in c.stories(room)]
        assert times == sorted(times, reverse=True), room
