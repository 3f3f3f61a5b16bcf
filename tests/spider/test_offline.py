"""The spiders that fetch nothing (import, reextract) hold back their start items while the
pipelines are busy: memory stays flat whatever the number of records."""

from __future__ import annotations

import asyncio

import pytest
from scrapy import signals
from scrapy.utils.test import get_crawler

from crawler.spiders.imports import ImportSpider


def test_start_items_wait_while_the_pipelines_hold_max_in_flight(tmp_path):
    (dump := tmp_path / "dump.txt").write_text("", encoding="utf-8")
    crawler = get_crawler(ImportSpider)
    spider = ImportSpider.from_crawler(crawler, files=str(dump))
    spider.max_in_flight = 3

    async def scenario() -> list[int]:
        seen = []
        for _ in range(3):
            await spider.room()
        waiting = asyncio.ensure_future(spider.room())
        await asyncio.sleep(0.01)
        seen.append(spider.in_flight)
        assert not waiting.done(), "a fourth item must wait"
        crawler.signals.send_catch_log(signal=signals.item_dropped, item=None, response=None,
                                       exception=None, spider=spider)
        await asyncio.wait_for(waiting, 1)
        seen.append(spider.in_flight)
        return seen

    assert asyncio.run(scenario()) == [3, 3]


def test_the_import_spider_checks_its_arguments(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("a", "a.txt", "b.csv.gz"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "folder").mkdir()
    for kwargs, message in [({"files": ""}, "no file"), ({"files": "a", "format": "xml"}, "format"),
                            ({"files": "a", "publisher": "1,2"}, "one default newsroom"),
                            ({"files": "a", "publisher": "1", "office": "2"}, "one publisher or one office"),
                            ({"files": "a", "map": "text"}, "--map"),
                            ({"files": "a,gone.txt"}, "no such file: gone.txt"),
                            ({"files": "folder"}, "not a file"),
                            ({"files": "a", "fiels": "b"}, "the import spider takes no argument 'fiels'"),
                            ({"files": "a", "publisher": ""}, "publisher needs at least one id")]:
        with pytest.raises(ValueError, match=message):
            ImportSpider(**kwargs)
    spider = ImportSpider(files="a.txt,b.csv.gz", publisher="73811")
    assert spider.paths == ["a.txt", "b.csv.gz"] and spider.crawl_state.plan.publishers == (73811,)
    assert spider.crawl_state.plan.locks_newsrooms is False
    assert ImportSpider(files="a.txt", office="99001").crawl_state.plan.offices == (99001,)
    assert ImportSpider(files="a.txt", _job="6487ec79").paths == ["a.txt"], "Scrapyd's job id passes"
