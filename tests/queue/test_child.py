"""A job's crawl child: the `presseportal` command as a user types it."""

from __future__ import annotations

import asyncio

import pytest

from crawler.queue.child import run_crawl_child
from crawler.queue.jobs import CrawlJob
from tests.helpers import crawl_env, presseportal

PID = 73811
# what a crawl that finds nothing must not load (tests/cli/test_precheck.py)
HEAVY = ("scrapy", "twisted", "lxml", "parsel", "itemadapter", "aiohttp")


def imported(lines: list[str]) -> set[str]:
    return {line.rsplit("|", 1)[1].strip() for line in lines if line.startswith("import time:")}


@pytest.mark.slow
def test_a_crawl_job_that_finds_nothing_is_answered_without_starting_scrapy(replica, database_url):
    # the sweep puts one such job per followed newsroom on the queue: each a 304
    assert presseportal(replica, "crawl", database_url=database_url).returncode == 0
    replica.log.clear()
    job = CrawlJob("crawl", PID)
    env = crawl_env(replica, database_url, PYTHONPROFILEIMPORTTIME="1")
    result = asyncio.run(run_crawl_child([*job.argv(), "-q"], env, keep_lines=100_000))
    assert result.returncode == 0, result.last_lines[-5:]
    loaded = imported(result.last_lines)
    assert "crawler.db" in loaded, "the import log is read"
    assert not sorted(m for m in loaded if m.split(".")[0] in HEAVY), "answered before Scrapy starts"
    assert [(e.path, e.status) for e in replica.log] == [("/robots.txt", 200), (f"/nr/{PID}", 304)]


@pytest.mark.slow
def test_a_crawl_job_with_news_runs_the_full_crawl(replica_factory, database_url):
    replica = replica_factory(releases=40)
    job = CrawlJob("crawl", PID)
    result = asyncio.run(run_crawl_child([*job.argv(), "-q"], crawl_env(replica, database_url)))
    assert result.returncode == 0, result.last_lines[-5:]
    assert sum(e.path.startswith(f"/pm/{PID}/") for e in replica.log) == 40, "every story fetched"
