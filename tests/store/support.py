"""Helpers for the store tests: releases to store, and the pipeline driven by Scrapy parts."""

from __future__ import annotations

import asyncio
import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy.utils.test import get_crawler

from crawler.items import Release
from pipelines.store import StorePipeline

BASE = "https://www.presseportal.de"


def make_release(story_id: int, publisher_id: int = 73811, **overrides: Any) -> Release:
    published = datetime(2024, 3, 1, 8, 30, tzinfo=UTC) + timedelta(minutes=story_id % 10_000)
    fields = dict(
        story_id=story_id,
        publisher_id=publisher_id,
        url=f"{BASE}/pm/{publisher_id}/{story_id}",
        publisher=f"Newsroom {publisher_id}",
        title=f"Neue Häuser für Köln – Meldung {story_id}",
        published_at=published,
        published_raw=published.strftime("%d.%m.%Y – %H:%M"),
        dateline="Köln",
        teaser=f"Die Stadt baut neue Wohnungen ({story_id}).",
        body=f"Absatz eins über das Bauprojekt {story_id}.\n\nAbsatz zwei mit mehr Text.",
        about="Über Newsroom:\n\nEin Unternehmen.",
        contact="Pressestelle\nTel. 0221 123",
        originator=f"Newsroom {publisher_id}",
        keywords=["Bauen", "Wohnen"],
        places=["Köln"],
        images=[{"url": f"{BASE}/img/{story_id}.jpg", "caption": "Ein Haus"}],
        links=[{"url": "https://example.org/", "text": "Mehr"}],
        language="de",
        fetched_at=datetime(2024, 3, 2, tzinfo=UTC),
        http_status=200,
        field_sources={"title": "dom"},
        raw_html=f"<html><body><h1>Meldung {story_id}</h1>{'x' * 2000}</body></html>",
    )
    fields.update(overrides)
    return Release(**fields)


def releases(n: int, start: int = 5_000_000, publishers: int = 3) -> list[Release]:
    return [make_release(start + i, publisher_id=1000 + i % publishers) for i in range(n)]


def crawler_for(database_url: str, **settings: Any):
    base = {
        "DATABASE_URL": database_url,
        "STORE_RELEASES": True,
        "STORE_BATCH_SIZE": 50,
        "STORE_FLUSH_SECONDS": 0.2,
        "STORE_RETRY_MAX_SECONDS": 30,
        "STORE_CONNECT_TIMEOUT": 3,
    }
    base.update(settings)
    return get_crawler(settings_dict=base)


async def run_pipeline(database_url: str, items: list, *, during=None, stats_box=None,
                       run_id: int | None = None, **settings: Any):
    """from_crawler, open_spider, process_item for each item, close_spider; returns the stats.

    `during(index)` is awaited before each item (for faults in the middle of a crawl);
    `run_id`: the crawl_runs row the store adds its counts to (a crawl's run record
    gives it; driven by hand, the test does).
    """
    crawler = crawler_for(database_url, **settings)
    crawler.stats.open_spider()
    if stats_box is not None:
        stats_box.append(crawler.stats)
    pipeline = StorePipeline.from_crawler(crawler)
    if run_id is not None:
        pipeline.run_id = run_id
    await pipeline.open_spider()
    for i, item in enumerate(items):
        if during is not None:
            await during(i)
        await pipeline.process_item(copy.deepcopy(item))
    await pipeline.close_spider()
    return crawler.stats.get_stats()


def drive(database_url: str, items: list, **kwargs: Any) -> dict:
    return asyncio.run(run_pipeline(database_url, items, **kwargs))
