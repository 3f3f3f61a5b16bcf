"""Field coverage and the run verdict that the exit status is built on."""

from __future__ import annotations

import logging

from scrapy.utils.test import get_crawler

from crawler.extensions import FieldCoverage, run_status
from crawler.items import WATCHED_FIELDS, Release


def release(i: int, **fields) -> Release:
    base = dict(
        story_id=i, publisher_id=73811, url=f"https://www.presseportal.de/pm/73811/{i}",
        publisher="Public Marketing", title=f"T{i}", published_raw="x", dateline="Hamburg",
        teaser="t", body="b", contact="c", originator="Public Marketing", language="de",
        field_sources={"title": "jsonld", "dateline": "dom"},
    )
    base.update(fields)
    r = Release(**base)
    from datetime import datetime, timezone

    r.published_at = datetime(2024, 1, 1, tzinfo=timezone.utc)
    return r


def coverage(items):
    crawler = get_crawler(settings_dict={"COVERAGE_MIN_RATIO": 0.95})
    crawler.stats.open_spider()
    ext = FieldCoverage.from_crawler(crawler)
    for item in items:
        ext.item_scraped(item)
    return crawler, ext


def test_full_coverage_raises_no_warning(caplog):
    crawler, ext = coverage([release(i) for i in range(40)])
    with caplog.at_level(logging.WARNING):
        ext.spider_closed(None, "finished")
    assert crawler.stats.get_value("coverage/low_fields") == []
    assert crawler.stats.get_value("coverage/ratio/title") == 1.0
    assert crawler.stats.get_value("layer/title/jsonld") == 40
    assert "FIELD COVERAGE LOW" not in caplog.text


def test_a_field_below_95_percent_is_reported_loudly(caplog):
    items = [release(i, dateline="" if i < 3 else "Hamburg") for i in range(40)]
    crawler, ext = coverage(items)
    with caplog.at_level(logging.WARNING):
        ext.spider_closed(None, "finished")
    assert crawler.stats.get_value("coverage/low_fields") == ["dateline"]
    assert "FIELD COVERAGE LOW: dateline" in caplog.text
    assert run_status(crawler.stats.get_stats(), "finished") == "errors"


def test_watched_fields_exist_on_the_record():
    for name in WATCHED_FIELDS:
        assert hasattr(release(1), name)


def test_run_status():
    assert run_status({}, "finished") == "success"
    assert run_status({"presseportal/errors": 1}, "finished") == "errors"
    assert run_status({"presseportal/errors": 1}, "finished", max_errors=1) == "success"
    assert run_status({}, "shutdown") == "shutdown"
