"""A dropped item is one log line naming its page or file:line and why, never the record."""

from __future__ import annotations

import logging

from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse
from scrapy.utils.log import logformatter_adapter
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.items import RawRelease
from crawler.spiders.imports import ImportSpider


def formatter_and_spider(tmp_path):
    settings = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    crawler = get_crawler(ImportSpider, settings)
    dump = tmp_path / "dump.txt"
    dump.write_text("Text.\n", encoding="utf-8")
    spider = ImportSpider.from_crawler(crawler, files=str(dump))
    return crawler.logformatter, spider


def logged(entry: dict) -> tuple[int, str]:
    level, msg, args = logformatter_adapter(entry)
    return level, msg % args


def raw(url: str = "", **fields) -> RawRelease:
    return RawRelease(story_id=-5, publisher_id=73811, url=url, title="", published_raw="2021-13",
                      body=["Erster Absatz mit viel Text."], raw_html="<html>" + "x" * 5000, **fields)


def test_an_imports_drop_names_file_and_line_and_why_in_one_line(tmp_path):
    formatter, spider = formatter_and_spider(tmp_path)
    level, line = logged(formatter.dropped(raw(location="dump.txt:4"),
                                           DropItem("unparseable published date: '2021-13'\nno such month"),
                                           None, spider))
    assert level == logging.WARNING
    assert line == "Dropped dump.txt:4: unparseable published date: '2021-13' no such month"


def test_a_crawls_drop_names_the_page(tmp_path):
    formatter, spider = formatter_and_spider(tmp_path)
    url = "https://www.presseportal.de/pm/73811/5000000"
    response = HtmlResponse(url + "/slug", body=b"<html></html>")
    level, line = logged(formatter.dropped(raw(url=url), DropItem("incomplete release: missing title"),
                                           response, spider))
    assert line == f"Dropped {url}: incomplete release: missing title"
    assert "RawRelease" not in line and "Erster Absatz" not in line
    # an item without a URL of its own: the page it came from
    _, line = logged(formatter.dropped({"x": 1}, DropItem("no"), response, spider))
    assert line == f"Dropped {url}/slug: no"


def test_a_pipelines_error_names_the_release_not_the_record(tmp_path):
    formatter, spider = formatter_and_spider(tmp_path)
    level, line = logged(formatter.item_error(raw(location="dump.csv:9"), TypeError("bug"), None, spider))
    assert (level, line) == (logging.ERROR, "Error processing dump.csv:9")
