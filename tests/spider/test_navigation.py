"""The spider's navigation decisions, on listing pages built in the test (no network)."""

from __future__ import annotations

import asyncio
import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import PUBLISHER, Newsroom
from crawler.spiders.presseportal import (
    PresseportalSpider,
    crawl_plan,
    parse_day,
)
from crawler.state import parse_publishers

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
    # every page of the site ends with its footer (crawler.extract.completeness)
    return (f"<html><head>{head}</head><body><main>{''.join(cards)}</main>{pager}{more}"
            "<footer>Impressum</footer></body></html>")


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
    spider.crawl_state.covered_through[MAIN] = 30  # the last run was a success with 30 at the top
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


# --- faults that lost or misfiled releases (issue 12) ------------------------------------------


def recorded(spider) -> list[dict]:
    from crawler.signals import page_failed

    failures: list[dict] = []
    spider.crawler.signals.connect(lambda **kw: failures.append(kw), signal=page_failed, weak=False)
    return failures


def full_page(first: int, n: int = 30) -> list[str]:
    return [card(73811, i) for i in range(first, first - n, -1)]


def test_after_a_failed_run_the_cron_walk_goes_past_stored_pages_down_to_the_last_coverage():
    spider = make_spider(mode="incremental")
    state = spider.crawl_state
    state.known_story_ids = set(range(1, 91))  # the failed run stored the newest pages
    state.covered_through[MAIN] = 30  # the last successful run had story 30 at the top
    _, listings = split(respond(spider, f"{BASE}/nr/73811", listing(full_page(90), next_link="/nr/73811/30")))
    assert listings == [f"{BASE}/nr/73811/30"], "a fully stored page above the coverage proves nothing"
    _, listings = split(respond(spider, f"{BASE}/nr/73811/30", listing(full_page(60), next_link="/nr/73811/60"),
                                offset=30))
    assert listings == [f"{BASE}/nr/73811/60"]
    _, listings = split(respond(spider, f"{BASE}/nr/73811/60", listing(full_page(30), next_link="/nr/73811/90"),
                                offset=60))
    assert listings == [], "stored, and covered by the last successful run: the walk stops"


def test_without_a_known_coverage_the_cron_walk_goes_on_to_the_end():
    spider = make_spider(mode="incremental")
    spider.crawl_state.known_story_ids = set(range(1, 31))
    _, listings = split(respond(spider, f"{BASE}/nr/73811", listing(full_page(30), next_link="/nr/73811/30")))
    assert listings == [f"{BASE}/nr/73811/30"]


def test_the_first_page_records_the_newest_story_for_the_coverage_but_a_window_does_not():
    spider = make_spider(mode="incremental")
    respond(spider, f"{BASE}/nr/73811", listing(full_page(30)))
    assert spider.crawl_state.walks[MAIN].top_story_id == 30
    windowed = make_spider(mode="backfill", since="2021-01-01")
    respond(windowed, windowed.newsroom_url(MAIN, 0), listing(full_page(30)))
    assert windowed.crawl_state.walks[MAIN].top_story_id == 0


def test_an_empty_page_in_the_middle_of_the_archive_is_a_listing_failure_and_the_walk_goes_on():
    spider = make_spider(mode="backfill")
    failures = recorded(spider)
    respond(spider, f"{BASE}/nr/73811", listing(full_page(90), next_link="/nr/73811/30"))
    stories, listings = split(respond(spider, f"{BASE}/nr/73811/30", listing([], next_link="/nr/73811/60"),
                                      offset=30))
    assert stories == [] and listings == [f"{BASE}/nr/73811/60"], "the pages after it are still walked"
    assert [f["stage"] for f in failures] == ["listing"] and "0 story cards" in failures[0]["reason"]
    assert [p.complete for p in spider.crawl_state.walks[MAIN].pages] == [True, False]


def test_a_short_page_that_links_a_next_page_lost_cards_but_the_last_page_is_short_by_right():
    spider = make_spider(mode="backfill")
    failures = recorded(spider)
    respond(spider, f"{BASE}/nr/73811", listing(full_page(90), next_link="/nr/73811/30"))
    respond(spider, f"{BASE}/nr/73811/30", listing(full_page(60, 29), next_link="/nr/73811/60"), offset=30)
    assert failures == [], "one card less than the first page: a pinned story there"
    respond(spider, f"{BASE}/nr/73811/60", listing(full_page(30, 12), next_link="/nr/73811/90"), offset=60)
    assert len(failures) == 1 and "12 story cards where a page holds 30" in failures[0]["reason"]
    respond(spider, f"{BASE}/nr/73811/90", listing(full_page(10, 10)), offset=90)
    assert len(failures) == 1, "the last page (no next link) may be short"


def test_a_truncated_listing_is_asked_for_again_then_recorded():
    spider = make_spider(mode="backfill")
    failures = recorded(spider)
    cut = listing(full_page(30), next_link="/nr/73811/30")[:2000]
    request = spider.listing_request(MAIN, 0)
    for attempt in range(spider.crawler.settings.getint("RETRY_TIMES")):
        response = HtmlResponse(request.url, body=cut.encode(), encoding="utf-8", request=request)
        (request,) = list(spider.parse_listing(response, newsroom=MAIN, offset=0))
        assert request.meta["retry_times"] == attempt + 1 and request.dont_filter
    response = HtmlResponse(request.url, body=cut.encode(), encoding="utf-8", request=request)
    assert list(spider.parse_listing(response, newsroom=MAIN, offset=0)) == []
    assert [(f["stage"], f["url"]) for f in failures] == [("listing", f"{BASE}/nr/73811")]
    assert "truncated page" in failures[0]["reason"]
    assert spider.crawl_state.walks[MAIN].pages == [], "none of its cards were taken for the walk"


def test_a_recheck_stops_at_the_first_page_without_new_stories_even_in_a_backfill():
    spider = make_spider(mode="backfill", refresh="1")
    spider.crawl_state.known_story_ids = set(range(1, 61))  # a resumed backfill: the prefix is stored
    request = spider.listing_request(MAIN, 0, recheck=True)
    response = HtmlResponse(request.url, body=listing(full_page(62), next_link="/nr/73811/30").encode(),
                            encoding="utf-8", request=request)
    stories, listings = split(list(spider.parse_listing(response, newsroom=MAIN, offset=0, recheck=True)))
    assert stories == [f"{BASE}/pm/73811/62", f"{BASE}/pm/73811/61"] and listings == [f"{BASE}/nr/73811/30"]
    response = HtmlResponse(f"{BASE}/nr/73811/30", body=listing(full_page(32), next_link="/nr/73811/60").encode(),
                            encoding="utf-8", request=request)
    stories, listings = split(list(spider.parse_listing(response, newsroom=MAIN, offset=30, recheck=True)))
    assert stories == [] and listings == [], "the stored prefix is not walked again"


def test_a_resumed_refresh_fetches_again_only_what_it_had_not_fetched_before_it_stopped():
    spider = make_spider(mode="backfill", refresh="1")
    # what the backfill cursor fills in for a resumed refresh (stored or seen since it
    # began); a refresh reads no stored story ids otherwise
    spider.crawl_state.refreshed_story_ids = set(range(20, 63))
    request = spider.listing_request(MAIN, 30)
    response = HtmlResponse(f"{BASE}/nr/73811/30", body=listing(full_page(32), next_link="/nr/73811/60").encode(),
                            encoding="utf-8", request=request)
    stories, listings = split(list(spider.parse_listing(response, newsroom=MAIN, offset=30)))
    assert stories == [f"{BASE}/pm/73811/{sid}" for sid in range(19, 2, -1)], "the page of margin costs nothing"
    assert listings == [f"{BASE}/nr/73811/60"]
    request = spider.listing_request(MAIN, 0, recheck=True)
    response = HtmlResponse(request.url, body=listing(full_page(62), next_link="/nr/73811/30").encode(),
                            encoding="utf-8", request=request)
    stories, listings = split(list(spider.parse_listing(response, newsroom=MAIN, offset=0, recheck=True)))
    assert stories == [] and listings == [], "the recheck of the top does not walk the refreshed prefix again"


def test_a_resumed_backfill_asks_first_for_the_stories_the_interrupted_run_gave_up_on():
    import asyncio

    spider = make_spider(mode="backfill")
    spider.crawl_state.retry_story_ids[MAIN] = [501, 502]
    spider.crawl_state.resume_offsets[MAIN] = 660

    async def first_requests():
        return [r async for r in spider.start()]

    requests = asyncio.run(first_requests())
    assert [r.url for r in requests] == [f"{BASE}/pm/73811/501", f"{BASE}/pm/73811/502", f"{BASE}/nr/73811/660"]
    assert {501, 502} <= spider.crawl_state.seen_story_ids


def story_html(**overrides) -> tuple[str, int, int]:
    from tests.replica import render
    from tests.replica.corpus import Corpus

    corpus = Corpus(releases=40, seed=3, base_url=BASE)
    sid = corpus.story_ids()[0]
    return render.story_page(corpus, corpus.doc(sid), render.Flags(**overrides)), 73811, sid


def story_response(spider, html: str, pid: int, sid: int, *, url: str | None = None):
    from crawler.extract.listing import Card

    card = Card(sid, pid, f"{BASE}/pm/{pid}/{sid}")
    request = spider.story_request(card)
    if url is not None:  # where a redirect led
        request = request.replace(url=url, meta={**request.meta, "redirect_urls": [request.url]})
    response = HtmlResponse(url or request.url, body=html.encode(), encoding="utf-8", request=request)
    return asyncio.run(spider.parse_story(response, card=card))


def test_a_redirect_to_another_story_files_nothing_and_names_both():
    spider = make_spider()
    failures = recorded(spider)
    html, pid, sid = story_html()
    assert story_response(spider, html, 73811, 4_000_001, url=f"{BASE}/pm/{pid}/{sid}") == []
    assert [(f["stage"], f["url"], f["story_id"]) for f in failures] == [
        ("identity", f"{BASE}/pm/73811/4000001", 4_000_001)]
    assert "73811/4000001" in failures[0]["reason"] and f"{pid}/{sid}" in failures[0]["reason"]


def test_an_office_story_answered_by_the_publisher_of_its_number_files_nothing():
    from crawler.extract.listing import Card

    spider = make_spider(office="99001")
    failures = recorded(spider)
    html, _, sid = story_html()
    card = Card(sid, 99001, f"{BASE}/blaulicht/pm/99001/{sid}", newsroom_kind="office")
    request = spider.story_request(card)
    assert request.url == f"{BASE}/blaulicht/pm/99001/{sid}"
    elsewhere = f"{BASE}/pm/99001/{sid}"  # the same numbers, a publisher's story
    response = HtmlResponse(elsewhere, body=html.encode(), encoding="utf-8",
                            request=request.replace(url=elsewhere))
    assert asyncio.run(spider.parse_story(response, card=card)) == []
    assert [(f["stage"], f["url"]) for f in failures] == [("identity", request.url)]
    reason = failures[0]["reason"]
    assert f"/blaulicht/pm/99001/{sid}" in reason and f"({elsewhere[len(BASE):]})" in reason


def test_a_page_naming_another_story_is_stored_under_the_story_asked_for():
    spider = make_spider()
    failures = recorded(spider)
    html, pid, sid = story_html(canonical="97012/777")
    (release,) = story_response(spider, html, pid, sid)
    assert (release.publisher_id, release.story_id, release.url) == (pid, sid, f"{BASE}/pm/{pid}/{sid}")
    assert [f["stage"] for f in failures] == ["identity"]
    assert "97012/777" in failures[0]["reason"] and f"{pid}/{sid}" in failures[0]["reason"]


def test_a_story_cut_after_its_card_is_asked_for_again():
    spider = make_spider()
    html, pid, sid = story_html()
    cut = html[: html.index("</article>") + len("</article>")]
    (retry,) = story_response(spider, cut, pid, sid)
    assert retry.url == f"{BASE}/pm/{pid}/{sid}" and retry.meta["retry_times"] == 1


def test_a_redirect_loop_is_recorded_not_dropped_silently():
    spider = make_spider()
    failures = recorded(spider)
    from scrapy import signals

    looped = Request(f"{BASE}/pm/73811/5", meta={"redirect_urls": [f"{BASE}/pm/73811/5", f"{BASE}/pm/73811/5?x"],
                                                 "story_id": 5})
    spider.crawler.signals.send_catch_log(signals.request_dropped, request=looped, spider=spider)
    assert [(f["stage"], f["url"], f["story_id"]) for f in failures] == [("redirect", f"{BASE}/pm/73811/5", 5)]
    assert "redirect loop" in failures[0]["reason"]
    plain = Request(f"{BASE}/pm/73811/6")  # a duplicate that is no redirect: the filter's job
    spider.crawler.signals.send_catch_log(signals.request_dropped, request=plain, spider=spider)
    assert len(failures) == 1


# --- police and fire offices (/blaulicht/) ------------------------------------------------------

OFFICE = Newsroom("office", 99001)


def office_card(oid: int, sid: int) -> str:
    return card(oid, sid).replace("/pm/", "/blaulicht/pm/")


def test_newsrooms_of_a_run_publishers_and_offices():
    from crawler.state import parse_newsrooms

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


# --- the pipe: the next listing page early, stories in walk order (issue 16) ---------------------


def walk_in_priority_order(pages: int, per_page: int = 30) -> tuple[list[tuple[str, int]], int]:
    """A backfill over `pages` listing pages, each request taken in the scheduler's order
    (highest priority first, first come first among equals): what was taken, as
    ("listing" | "story", page), and the most listing pages with stories queued at once."""
    import heapq
    import itertools

    spider = make_spider(mode="backfill")
    seq = itertools.count()
    queue: list = []
    page_of: dict[str, int] = {}

    def push(requests, page: int) -> None:
        for r in requests:
            if r.callback.__name__ == "parse_story":
                page_of[r.url] = page
            heapq.heappush(queue, (-r.priority, next(seq), r))

    push([spider.listing_request(MAIN, 0)], 0)
    taken, most_pending = [], 0
    while queue:
        most_pending = max(most_pending, len({page_of[r.url] for *_, r in queue if r.url in page_of}))
        request = heapq.heappop(queue)[2]
        if request.callback.__name__ == "parse_story":
            taken.append(("story", page_of[request.url]))
            continue
        offset = request.cb_kwargs["offset"]
        page = offset // per_page
        taken.append(("listing", page))
        top = 10_000 - offset
        last = page == pages - 1
        html = listing([card(73811, sid) for sid in range(top, top - per_page, -1)],
                       next_link=None if last else f"/nr/73811/{offset + per_page}")
        results = respond(spider, request.url, html, offset=offset)
        if last:  # the newsroom ends here: no page counted on past it
            results = [r for r in results if r.callback.__name__ == "parse_story"]
        push(results, page)
    return taken, most_pending


def test_the_next_listing_page_is_fetched_before_the_current_pages_stories():
    # the pipe stays full: listing page k+1 is asked for while page k-1's last stories
    # are in flight, so page k+1's stories are known before page k's run out
    taken, _ = walk_in_priority_order(pages=5)
    assert taken[:2] == [("listing", 0), ("listing", 1)]
    for k in range(1, 4):
        at = taken.index(("listing", k + 1))
        before = taken[:at]
        assert before.count(("story", k - 1)) == 30, f"page {k - 1}'s stories all before listing {k + 1}"
        assert ("story", k) not in before, f"listing {k + 1} before page {k}'s stories"


def test_stories_are_taken_in_walk_order_with_at_most_two_pages_pending():
    # the backfill's resume point needs stories stored page after page, and memory needs
    # few requests pending whatever the archive's size
    taken, most_pending = walk_in_priority_order(pages=6)
    story_pages = [page for kind, page in taken if kind == "story"]
    assert story_pages == sorted(story_pages) and len(story_pages) == 6 * 30
    assert most_pending <= 2


def test_no_callback_is_a_generator():
    # Scrapy reads a generator callback's source (inspect.getsource + ast.parse) to warn
    # about `return value`, and forgets the answer with the request: per story, it cost
    # about 5% of a backfill's CPU; per listing page 2.5% more, and a cron run's one page
    import inspect

    for callback in (PresseportalSpider.parse_story, PresseportalSpider.parse_listing,
                     PresseportalSpider.story_failed, PresseportalSpider.listing_failed):
        assert not inspect.isgeneratorfunction(callback), callback.__name__


def test_mode_stories_takes_story_urls_and_paths_each_with_its_newsroom():
    plan = crawl_plan(mode="stories", stories="/pm/73811/5, https://x.test/blaulicht/pm/99001/6,/pm/73811/5")
    assert plan.stories == ((Newsroom(PUBLISHER, 73811), 5), (OFFICE, 6))
    assert plan.newsrooms == (Newsroom(PUBLISHER, 73811), OFFICE)
    # it walks no listing, so it must not move coverage nor validators, and locks no newsroom
    assert not plan.walks_listings and not plan.locks_newsrooms and plan.skips_known


@pytest.mark.parametrize("kwargs, words", [
    ({"mode": "stories"}, "no story given"),
    ({"mode": "stories", "stories": "/nr/73811"}, "story URLs or paths"),
    ({"mode": "stories", "stories": "/pm/1/2", "publisher": "1"}, "takes the stories only"),
    ({"mode": "incremental", "stories": "/pm/1/2"}, "mode stories only"),
])
def test_mode_stories_refuses_what_is_not_a_story(kwargs, words):
    with pytest.raises(ValueError, match=words):
        crawl_plan(**kwargs)
