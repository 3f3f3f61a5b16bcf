"""The collector extension: the crawl's long-lived heap frozen, cycles still collected,
the process's collector given back as it was found."""

from __future__ import annotations

import gc
import weakref

import pytest
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.extensions.collector import Collector


@pytest.fixture(autouse=True)
def python_s_own_collector():
    found = gc.get_threshold()
    yield
    gc.set_threshold(*found)
    gc.unfreeze()


def started(threshold: int = 20_000):
    crawler = get_crawler(settings_dict={"PRESSEPORTAL_GC_THRESHOLD": threshold})
    ext = Collector.from_crawler(crawler)
    crawler.signals.send_catch_log(signals.engine_started)
    return crawler, ext


def stopped(crawler) -> None:
    crawler.signals.send_catch_log(signals.engine_stopped)


class Cycle:
    def __init__(self):
        self.me = self


def test_what_lives_when_the_engine_starts_is_never_walked_again():
    before = gc.get_threshold()
    long_lived = Cycle()
    crawler, _ = started(20_000)
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (20_000, *before[1:])
    # frozen: not among the objects the collector tracks in its generations
    assert not any(o is long_lived for o in gc.get_objects())
    stopped(crawler)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    assert any(o is long_lived for o in gc.get_objects())


def test_cycles_made_during_the_crawl_are_still_collected():
    crawler, _ = started(5_000)
    refs = []
    for _ in range(20_000):  # four times the threshold in new containers
        cycle = Cycle()
        refs.append(weakref.ref(cycle))
        del cycle
    alive = sum(ref() is not None for ref in refs)
    stopped(crawler)
    assert alive < 10_000


def test_crawlers_running_at_once_give_the_collector_back_after_the_last_one():
    before = gc.get_threshold()
    first, _ = started(20_000)
    second, _ = started(20_000)
    stopped(first)
    assert gc.get_threshold()[0] == 20_000 and gc.get_freeze_count() > 0
    stopped(second)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_collector_switched_off_by_someone_else_is_left_alone():
    gc.disable()
    try:
        before = gc.get_threshold()
        crawler, _ = started(20_000)
        assert gc.get_threshold() == before and gc.get_freeze_count() == 0
        stopped(crawler)
        assert gc.get_threshold() == before
    finally:
        gc.enable()


def test_a_threshold_of_zero_switches_it_off():
    with pytest.raises(NotConfigured):
        Collector.from_crawler(get_crawler(settings_dict={"PRESSEPORTAL_GC_THRESHOLD": 0}))


def test_the_project_runs_it():
    from crawler import settings

    assert "crawler.extensions.collector.Collector" in settings.EXTENSIONS
    assert settings.PRESSEPORTAL_GC_THRESHOLD > 700
