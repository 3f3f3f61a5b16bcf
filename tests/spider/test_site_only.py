"""Requests go to the host of PRESSEPORTAL_BASE_URL only; whatever else is refused loudly."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from crawler.middlewares import SiteOnlyMiddleware
from crawler.signals import page_failed
from crawler.spiders.presseportal import PresseportalSpider

BASE = "http://127.0.0.1:8123"


def crawler_and_middleware():
    crawler = get_crawler(PresseportalSpider, {"PRESSEPORTAL_BASE_URL": BASE, "STORE_RELEASES": False})
    crawler.stats.open_spider()
    crawler.spider = PresseportalSpider.from_crawler(crawler)
    failures: list[dict] = []
    crawler.signals.connect(lambda **kw: failures.append(kw), signal=page_failed, weak=False)
    middleware = SiteOnlyMiddleware.from_crawler(crawler)
    middleware.spider_opened(crawler.spider)
    return crawler, middleware, failures


def test_the_spider_allows_the_host_of_the_base_url_only():
    crawler, _, _ = crawler_and_middleware()
    assert crawler.spider.allowed_domains == ["127.0.0.1"]


def test_a_request_to_the_site_passes_on_any_port_or_path():
    _, middleware, failures = crawler_and_middleware()
    middleware.request_scheduled(Request(f"{BASE}/nr/73811/30"))
    assert failures == []


def test_a_redirect_to_another_host_is_refused_and_recorded_under_the_story_asked_for():
    crawler, middleware, failures = crawler_and_middleware()
    redirected = Request("http://localhost:8123/pm/73811/5",
                         meta={"redirect_urls": [f"{BASE}/pm/73811/5"], "story_id": 5})
    with pytest.raises(IgnoreRequest):
        middleware.request_scheduled(redirected)
    assert [(f["stage"], f["url"], f["story_id"]) for f in failures] == [("offsite", f"{BASE}/pm/73811/5", 5)]
    assert "http://localhost:8123/pm/73811/5" in failures[0]["reason"] and "127.0.0.1" in failures[0]["reason"]
    assert crawler.stats.get_value("offsite/filtered") == 1


def test_dont_filter_does_not_let_a_request_leave_the_site():
    _, middleware, failures = crawler_and_middleware()
    with pytest.raises(IgnoreRequest):
        middleware.request_scheduled(Request("http://elsewhere.example/nr/73811/30", dont_filter=True))
    assert failures[0]["url"] == "http://elsewhere.example/nr/73811/30"
    middleware.request_scheduled(Request("http://elsewhere.example/x", meta={"allow_offsite": True}))
    assert len(failures) == 1, "allow_offsite is the one way out, and nothing here sets it"
