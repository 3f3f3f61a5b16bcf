"""The spider's navigation decisions, on listing pages built in the test (no network)."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import Newsroom
from crawler.spiders.presseportal import PresseportalSpider, parse_day, parse_publishers

MAIN = Newsroom("publisher", 73811)

BASE = "https://www.presseportal.de"


def card(pid: int, sid: int, day: str = "21.01.2021") -> str:
    return (
        f'<article class="news" data-url="/pm/{pid}/{sid}" data-label="{sid}">'
        f'<div class="news-meta"><div class="date">{day} – 10:30</div></div>'
        f'<h3 class="news-headline-clamp"><a href="/pm/{pid}/{sid}/some-slug" title="T{sid}"><span>T{sid}</span></a></h3>'
        f'<p><a href="/pm/{pid}/{sid}"><i>Hamburg (ots)</i> - teaser</a></p></article>'
    )


def listing(cards: list[str], *, next_link: str | None = None, data_url: str | None = None,
            others: list[str] = ()) -> str:
    head = f'<link rel="next" href="{next_link}">' if next_link else ""
    pager = f'<div class="pagination-next" data-url="{data_url}">weiter</div>' if data_url else ""
    more = f'<div id="same-newsrooms">{"".join(others)}</div>' if others else ""
    return f"<html><head>{head}</head><body><main>{''.join(cards)}</main>{pager}{more}</body></html>"


def make_spider(**kwargs) -> PresseportalSpider:
    crawler = get_crawler(PresseportalSpider, {"PRESSEPORTAL_BASE_URL": BASE, "STORE_RELEASES": False})
    crawler.stats.open_spider()
    return PresseportalSpider.from_crawler(crawler, **kwargs)


def respond(spider: PresseportalSpider, url: str, html: str, offset: int = 0, newsroom: Newsroom = MAIN):
    request = Request(url)
    response = HtmlResponse(url, body=html.encode("utf-8"), encoding="utf-8", request=request)
    return list(spider.parse_listing(response, newsroom=newsroom, offset=offset))


def split(results):
    stories = [r.url for r in results if r.callback.__name__ == "parse_story"]
    listings = [r.url for r in results if r.callback.__name__ == "parse_listing"]
    return stories, listings


def test_story_links_of_this_publisher_only_canonical_without_slug():
    spider = make_spider(publisher="73811")
    html = listing([card(73811, 5), card(73811, 4)], others=[card(999, 77)])
    stories, _ = split(respond(spider, f"{BASE}/nr/73811", html))
    assert stories == [f"{BASE}/pm/73811/5", f"{BASE}/pm/73811/4"]


def test_follows_link_rel_next():
    spider = make_spider()
    html = listing([card(73811, i) for i in range(30, 0, -1)], next_link="/nr/73811/30")
    _, listings = split(respond(spider, f"{BASE}/nr/73811", html))
    assert listings == [f"{BASE}/nr/73811/30"]


def test_falls_back_to_pagination_data_url():
    spider = make_spider()
    html = listing([card(73811, i) for i in range(30, 0, -1)], data_url="/nr/73811/30")
    _, listings = split(respond(spider, f"{BASE}/nr/73811", html))
    assert listings == [f"{BASE}/nr/73811/30"]


def test_falls_back_to_offset_arithmetic_on_a_full_page():
    spider = make_spider()
    first = listing([card(73811, i) for i in range(60, 33, -1)])  # 27 cards, as in 2019
    _, listings = split(respond(spider, f"{BASE}/nr/73811", first))
    assert listings == [f"{BASE}/nr/73811/27"]
    short = listing([card(73811, i) for i in range(33, 30, -1)])
    _, listings = split(respond(spider, f"{BASE}/nr/73811/27", short, offset=27))
    assert listings == [], "a short page is the last one"


def test_stops_on_a_page_without_new_stories():
    spider = make_spider()
    page = listing([card(73811, i) for i in range(30, 0, -1)], next_link="/nr/73811/30")
    respond(spider, f"{BASE}/nr/73811", page)
    stories, listings = split(respond(spider, f"{BASE}/nr/73811/30", page, offset=30))
    assert stories == [] and listings == []


def test_duplicates_across_pages_collapse():
    spider = make_spider()
    respond(spider, f"{BASE}/nr/73811", listing([card(73811, 9), card(73811, 8)], next_link="/nr/73811/2"))
    stories, _ = split(respond(spider, f"{BASE}/nr/73811/2", listing([card(73811, 8), card(73811, 7)]), offset=2))
    assert stories == [f"{BASE}/pm/73811/7"]


def test_incremental_stops_at_the_first_page_of_stored_stories():
    spider = make_spider(mode="incremental")
    spider.crawl_state.known_story_ids = set(range(1, 31))
    page = listing([card(73811, i) for i in range(30, 0, -1)], next_link="/nr/73811/30")
    stories, listings = split(respond(spider, f"{BASE}/nr/73811", page))
    assert stories == [] and listings == []


def test_incremental_fetches_only_unknown_and_goes_on_while_there_are_some():
    spider = make_spider(mode="incremental")
    spider.crawl_state.known_story_ids = set(range(1, 29))
    page = listing([card(73811, i) for i in range(30, 0, -1)], next_link="/nr/73811/30")
    stories, listings = split(respond(spider, f"{BASE}/nr/73811", page))
    assert stories == [f"{BASE}/pm/73811/30", f"{BASE}/pm/73811/29"]
    assert listings == [f"{BASE}/nr/73811/30"]


def test_full_mode_fetches_stored_stories_too():
    spider = make_spider(mode="full")
    spider.crawl_state.known_story_ids = {5}
    stories, _ = split(respond(spider, f"{BASE}/nr/73811", listing([card(73811, 5)])))
    assert stories == [f"{BASE}/pm/73811/5"]


def test_window_uses_the_site_filter_and_stops_below_since():
    spider = make_spider(mode="backfill", since="2021-01-10", until="2021-01-20")
    assert spider.newsroom_url(MAIN, 0) == f"{BASE}/nr/73811?startDate=2021-01-10&endDate=2021-01-20"
    assert spider.newsroom_url(MAIN, 30) == f"{BASE}/nr/73811/30?startDate=2021-01-10&endDate=2021-01-20"
    page = listing([card(73811, 3, "25.01.2021"), card(73811, 2, "15.01.2021"), card(73811, 1, "05.01.2021")],
                   next_link="/nr/73811/3")
    stories, listings = split(respond(spider, spider.newsroom_url(MAIN, 0), page))
    assert stories == [f"{BASE}/pm/73811/2"], "cards outside the window are not fetched, even if the site ignores it"
    assert listings == [], "newest first: below since, nothing newer follows"


@pytest.mark.parametrize("value, expected", [("73811", [73811]), ("73811, 103258,73811", [73811, 103258])])
def test_parse_publishers(value, expected):
    assert parse_publishers(value) == expected


@pytest.mark.parametrize("value", ["", "abc", "73811,x"])
def test_parse_publishers_rejects(value):
    with pytest.raises(ValueError):
        parse_publishers(value)


def test_parse_day():
    assert str(parse_day("2024-02-29", "since")) == "2024-02-29"
    with pytest.raises(ValueError, match="since"):
        parse_day("2024-13-01", "since")


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode"):
        make_spider(mode="sometimes")


def test_a_first_page_without_cards_is_a_failure_not_an_empty_success():
    spider = make_spider()
    failures = []
    from crawler.signals import page_failed

    spider.crawler.signals.connect(lambda **kw: failures.append(kw), signal=page_failed, weak=False)
    stories, listings = split(respond(spider, f"{BASE}/nr/73811", listing([], others=[card(999, 1)])))
    assert stories == [] and listings == []
    assert [f["stage"] for f in failures] == ["listing"]
    assert "no story cards" in failures[0]["reason"]
    assert spider.crawler.stats.get_value("presseportal/failed/listing") == 1


def test_other_publishers_cards_do_not_shift_the_counted_offset():
    spider = make_spider()
    page = listing([card(73811, i) for i in range(60, 30, -1)], others=[card(999, i) for i in range(4)])
    _, listings = split(respond(spider, f"{BASE}/nr/73811", page))
    assert listings == [f"{BASE}/nr/73811/30"]
    page0 = spider.crawl_state.walks[MAIN].pages[0]
    assert (page0.offset, page0.cards) == (0, 30)


def test_the_offset_comes_from_the_next_link_when_there_is_one():
    spider = make_spider()
    page = listing([card(73811, i) for i in range(60, 30, -1)], next_link="/nr/73811/27")
    results = respond(spider, f"{BASE}/nr/73811", page)
    nxt = [r for r in results if r.callback.__name__ == "parse_listing"][0]
    assert nxt.cb_kwargs["offset"] == 27 and nxt.meta["offset_guessed"] is False


def test_a_page_one_story_shorter_than_the_first_still_counts_as_full():
    spider = make_spider()
    respond(spider, f"{BASE}/nr/73811", listing([card(73811, i) for i in range(100, 69, -1)]))  # 31 cards
    _, listings = split(respond(spider, f"{BASE}/nr/73811/31",
                                listing([card(73811, i) for i in range(69, 39, -1)]), offset=31))  # 30
    assert listings == [f"{BASE}/nr/73811/61"]


def failed_listing(spider, url, *, guessed):
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.python.failure import Failure

    from crawler.signals import page_failed

    failures = []
    spider.crawler.signals.connect(lambda **kw: failures.append(kw), signal=page_failed, weak=False)
    request = spider.listing_request(MAIN, 30, url=url)
    request.meta["offset_guessed"] = guessed
    response = HtmlResponse(url, status=404, body=b"", request=request)
    try:
        raise HttpError(response, "Ignoring non-200 response")
    except HttpError:
        failure = Failure()
    failure.request = request
    spider.listing_failed(failure)
    return failures


def test_a_404_past_a_guessed_offset_ends_the_walk_quietly():
    assert failed_listing(make_spider(), f"{BASE}/nr/73811/30", guessed=True) == []


def test_a_404_on_a_page_the_site_linked_to_is_a_failure():
    failures = failed_listing(make_spider(), f"{BASE}/nr/73811/30", guessed=False)
    assert [(f["stage"], f["reason"]) for f in failures] == [("listing", "HTTP 404")]


# --- police and fire offices (/blaulicht/) ------------------------------------------------------

OFFICE = Newsroom("office", 99001)


def office_card(oid: int, sid: int) -> str:
    return card(oid, sid).replace("/pm/", "/blaulicht/pm/")


def test_newsrooms_of_a_run_publishers_and_offices():
    from crawler.spiders.presseportal import parse_newsrooms

    assert parse_newsrooms(None, None) == [MAIN], "without either: the publisher 73811"
    assert parse_newsrooms(None, "99001") == [OFFICE]
    assert parse_newsrooms("73811", "99001,99002") == [MAIN, OFFICE, Newsroom("office", 99002)]
    assert parse_newsrooms("97012", "97012") == [Newsroom("publisher", 97012), Newsroom("office", 97012)]
    with pytest.raises(ValueError, match="office ids are numbers"):
        parse_newsrooms(None, "POL-XY")
    spider = make_spider(publisher="73811", office="99001")
    assert spider.plan.newsrooms == (MAIN, OFFICE)
    assert spider.plan.publishers == (73811,) and spider.plan.offices == (99001,)
    assert set(spider.crawl_state.walks) == {MAIN, OFFICE}


def test_an_office_is_walked_under_blaulicht_and_keeps_its_own_cards_only():
    spider = make_spider(office="99001")
    assert spider.newsroom_url(OFFICE, 0) == f"{BASE}/blaulicht/nr/99001"
    assert spider.newsroom_url(OFFICE, 30) == f"{BASE}/blaulicht/nr/99001/30"
    # a publisher with the same number lists its cards beside the office's: not the office's
    page = listing([office_card(99001, i) for i in range(60, 30, -1)],
                   others=[card(99001, 7), office_card(99002, 8)])
    stories, listings = split(respond(spider, f"{BASE}/blaulicht/nr/99001", page, newsroom=OFFICE))
    assert stories == [f"{BASE}/blaulicht/pm/99001/{i}" for i in range(60, 30, -1)]
    assert listings == [f"{BASE}/blaulicht/nr/99001/30"]
    assert spider.crawl_state.walks[OFFICE].pages[0].cards == 30
