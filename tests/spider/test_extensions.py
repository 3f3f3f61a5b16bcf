"""Field coverage and the run verdict that the exit status is built on."""

from __future__ import annotations

import logging

from scrapy.utils.test import get_crawler

from crawler.extensions.coverage import FieldCoverage
from crawler.extensions.run_record import run_status
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


def test_on_a_small_run_only_a_field_missing_everywhere_is_low():
    crawler, ext = coverage([release(i, contact="" if i == 0 else "c") for i in range(3)])
    ext.spider_closed(None, "finished")
    assert crawler.stats.get_value("coverage/low_fields") == []
    crawler, ext = coverage([release(i, contact="") for i in range(3)])
    ext.spider_closed(None, "finished")
    assert crawler.stats.get_value("coverage/low_fields") == ["contact"]


def test_watched_fields_exist_on_the_record():
    for name in WATCHED_FIELDS:
        assert hasattr(release(1), name)


def test_run_status():
    assert run_status({}, "finished") == "success"
    assert run_status({"presseportal/errors": 1}, "finished") == "errors"
    assert run_status({"presseportal/errors": 1}, "finished", max_errors=1) == "success"
    assert run_status({}, "shutdown") == "shutdown"
    assert run_status({"store/spilled": 3}, "finished") == "store_failed"
    assert run_status({"store/error": "disk full", "presseportal/errors": 1}, "finished") == "store_failed"
    assert run_status({"store/error": "database gone"}, "store_failed") == "store_failed"


def walk_state(since=None, newest=None, oldest=None):
    from crawler.items import Newsroom
    from crawler.state import CrawlPlan, CrawlState

    state = CrawlState(CrawlPlan(mode="backfill", newsrooms=(Newsroom("publisher", 73811),), since=since))
    state.newest_day, state.oldest_day = newest, oldest
    return state


class Tty:
    def __init__(self, tty: bool):
        self.tty, self.text = tty, ""

    def isatty(self):
        return self.tty

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def progress(tty: bool, state):
    from datetime import date

    from crawler.extensions.progress import Progress

    crawler = get_crawler(settings_dict={"PRESSEPORTAL_PROGRESS": True})
    crawler.stats.open_spider()
    ext = Progress(crawler, date(2005, 1, 1), stream=Tty(tty))
    ext.state = state
    ext.started = 0.0
    return crawler, ext


def test_progress_estimates_time_left_from_how_far_back_the_walk_came():
    from datetime import date

    _, ext = progress(True, walk_state(since=date(2020, 1, 1), newest=date(2024, 1, 1), oldest=date(2022, 1, 1)))
    # half of the window walked in 60 s: about 60 s to go
    assert abs(ext.time_left(60.0) - 60.0) < 1.0
    _, unknown = progress(True, walk_state())
    assert unknown.time_left(60.0) is None


def test_progress_redraws_one_line_on_a_terminal_and_logs_plain_lines_elsewhere(caplog):
    from datetime import date

    crawler, ext = progress(True, walk_state(newest=date(2024, 1, 1), oldest=date(2023, 1, 1)))
    crawler.stats.set_value("item_scraped_count", 42)
    crawler.stats.set_value("response_received_count", 45)
    ext.report()
    assert ext.stream.text.startswith("\r") and "45 pages, 42 releases" in ext.stream.text
    assert "min left" in ext.stream.text

    crawler, plain = progress(False, walk_state())
    with caplog.at_level(logging.INFO, logger="crawler.extensions"):
        plain.report()
    assert plain.stream.text == ""
    assert "backfill: 0 pages, 0 releases" in caplog.text and "time left unknown" in caplog.text
    assert plain.interval == 30.0 and ext.interval == 1.0


def test_a_finished_backfill_says_so_instead_of_time_left():
    from datetime import date

    crawler, ext = progress(True, walk_state(newest=date(2024, 1, 1), oldest=date(2023, 1, 1)))
    crawler.stats.set_value("item_scraped_count", 42)
    ext.report(final=True)
    last = ext.stream.text.rsplit("\r", 1)[-1]
    assert "backfill finished" in last and "42 releases" in last and last.endswith("\n")
    assert "left" not in last


def test_a_backfill_stopped_by_ctrl_c_does_not_say_finished():
    from datetime import date

    crawler, ext = progress(True, walk_state(newest=date(2024, 1, 1), oldest=date(2023, 1, 1)))
    ext.report(final=True, reason="shutdown")
    last = ext.stream.text.rsplit("\r", 1)[-1]
    assert "backfill stopped (shutdown)" in last and "finished" not in last


def test_unexpected_errors_in_the_spider_or_a_pipeline_count_as_failed_pages():
    from scrapy.http import HtmlResponse
    from twisted.python.failure import Failure

    from crawler.extensions.run_record import RunRecord

    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    recorder = RunRecord(crawler)
    response = HtmlResponse("https://www.presseportal.de/nr/73811", body=b"<html></html>")
    try:
        raise KeyError("surprise")
    except KeyError:
        failure = Failure()
    recorder.spider_error(failure, response)
    recorder.item_error(release(1), response, failure=failure)
    assert [(f.stage, f.url) for f in recorder.failed] == [
        ("spider", "https://www.presseportal.de/nr/73811"),
        ("pipeline", "https://www.presseportal.de/pm/73811/1"),
    ]
    assert "KeyError" in recorder.failed[0].reason
    assert run_status(crawler.stats.get_stats(), "finished") == "errors"


def test_an_imports_coverage_is_reported_but_never_fails_the_run():
    from crawler.state import CrawlPlan, CrawlState

    class Spider:  # only what the extension reads
        crawl_state = CrawlState(CrawlPlan(mode="import", newsrooms=()))

    crawler, ext = coverage([release(i, title="", teaser="") for i in range(40)])
    ext.spider_opened(Spider())
    ext.spider_closed(None, "finished")
    assert crawler.stats.get_value("coverage/ratio/title") == 0.0, "reported"
    assert crawler.stats.get_value("coverage/low_fields") == []
    assert run_status(crawler.stats.get_stats(), "finished") == "success"


def test_a_failed_import_record_is_recorded_with_its_file_and_line():
    from crawler.extensions.run_record import RunRecord

    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    recorder = RunRecord(crawler)
    recorder.item_dropped(release(-5, url="", origin="import", imported_from="dump.txt.gz:17"), None, ValueError("missing body"))
    assert [(f.url, f.stage, f.reason) for f in recorder.failed] == [("dump.txt.gz:17", "pipeline", "missing body")]
