"""Run a real Scrapy crawl whose spider yields stored `Release` items (no network).

    python -m tests.store.crawl_list ITEMS.pickle DATABASE_URL [NAME=VALUE ...]

Prints the final stats as one JSON line on stdout. Used by the store tests to drive
StorePipeline through the whole engine (asyncio reactor, open/process/close, CloseSpider).
"""

from __future__ import annotations

import json
import pickle
import sys

import scrapy
from scrapy.crawler import CrawlerProcess


class ListSpider(scrapy.Spider):
    name = "release_list"

    def __init__(self, items_path: str = "", **kwargs):
        super().__init__(**kwargs)
        self.items_path = items_path

    async def start(self):
        self.crawler.stats.set_value("test/start_called", True)
        with open(self.items_path, "rb") as f:
            for item in pickle.load(f):
                yield item


def main(argv: list[str]) -> int:
    items_path, database_url, *pairs = argv
    settings = {
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "ITEM_PIPELINES": {"pipelines.store.StorePipeline": 800},
        "DATABASE_URL": database_url,
        "STORE_RELEASES": True,
        "STORE_BATCH_SIZE": 50,
        "STORE_FLUSH_SECONDS": 0.5,
        "STORE_CONNECT_TIMEOUT": 3,
        "LOG_LEVEL": "INFO",
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
    }
    for pair in pairs:
        name, _, value = pair.partition("=")
        settings[name] = value
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ListSpider)
    process.crawl(crawler, items_path=items_path)
    process.start()
    print(json.dumps(crawler.stats.get_stats(), default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
