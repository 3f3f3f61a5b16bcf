"""The extraction batch: pages extracted back to back, each callback given its own
page's release or error, none waiting longer than the batch's wait."""

from __future__ import annotations

import asyncio
import time

import pytest

from crawler.spiders.batch import ExtractionBatch


class Recorder:
    def __init__(self):
        self.calls: list[list[str]] = [[]]

    def __call__(self, html: str, url: str, **kwargs):
        if html == "bad":
            raise ValueError(f"cannot read {url}")
        self.calls[-1].append(url)
        return (html, url, kwargs)


def test_a_full_batch_is_extracted_at_once_each_page_for_its_own_caller():
    recorder = Recorder()
    batch = ExtractionBatch(recorder, size=4, wait=60)

    async def crawl():
        pages = [batch.extract(f"<p>{i}</p>", f"u{i}", listing_date=str(i)) for i in range(4)]
        return await asyncio.wait_for(asyncio.gather(*pages), timeout=5)

    results = asyncio.run(crawl())
    assert results == [(f"<p>{i}</p>", f"u{i}", {"listing_date": str(i)}) for i in range(4)]
    assert recorder.calls == [["u0", "u1", "u2", "u3"]]  # back to back, in arrival order


def test_a_batch_that_does_not_fill_is_extracted_after_its_wait():
    recorder = Recorder()
    batch = ExtractionBatch(recorder, size=32, wait=0.05)

    async def crawl():
        t0 = time.monotonic()
        results = await asyncio.wait_for(asyncio.gather(batch.extract("a", "u1"), batch.extract("b", "u2")), 5)
        return results, time.monotonic() - t0

    results, waited = asyncio.run(crawl())
    assert [url for _, url, _ in results] == ["u1", "u2"]
    assert 0.04 <= waited < 1.0


def test_a_page_s_error_is_raised_in_its_own_callback_only():
    batch = ExtractionBatch(Recorder(), size=3, wait=60)

    async def crawl():
        return await asyncio.gather(batch.extract("a", "u1"), batch.extract("bad", "u2"),
                                    batch.extract("c", "u3"), return_exceptions=True)

    first, second, third = asyncio.run(crawl())
    assert first[1] == "u1" and third[1] == "u3"
    assert isinstance(second, ValueError) and "u2" in str(second)


def test_a_callback_cancelled_while_waiting_is_skipped_and_the_rest_go_on():
    recorder = Recorder()
    batch = ExtractionBatch(recorder, size=3, wait=60)

    async def crawl():
        gone = asyncio.ensure_future(batch.extract("a", "u1"))
        await asyncio.sleep(0)
        gone.cancel()  # its crawl was stopped while it waited
        return await asyncio.wait_for(asyncio.gather(batch.extract("b", "u2"), batch.extract("c", "u3")), 5)

    assert [url for _, url, _ in asyncio.run(crawl())] == ["u2", "u3"]
    assert recorder.calls == [["u2", "u3"]]  # the cancelled page is never extracted


def test_size_one_extracts_every_page_at_once():
    recorder = Recorder()
    batch = ExtractionBatch(recorder, size=1, wait=60)
    assert asyncio.run(asyncio.wait_for(batch.extract("a", "u1"), 1))[1] == "u1"


def test_the_spider_takes_its_batch_from_the_settings():
    from scrapy.utils.test import get_crawler

    from crawler.spiders.presseportal import PresseportalSpider

    crawler = get_crawler(PresseportalSpider, {"PRESSEPORTAL_BASE_URL": "http://127.0.0.1:1",
                                               "EXTRACTION_BATCH_SIZE": 5, "EXTRACTION_BATCH_WAIT": 0.25})
    spider = PresseportalSpider.from_crawler(crawler)
    assert (spider.extractions.size, spider.extractions.wait) == (5, 0.25)
