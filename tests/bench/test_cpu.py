"""bench/cpu.py puts each profile sample in the first part of a release's path its stack shows."""

from __future__ import annotations

from bench.cpu import part_of


def frames(*names: str) -> str:
    return ";".join(names)


def test_a_sample_goes_to_the_part_of_the_path_its_stack_shows():
    engine = "_run_once (/v/lib/python3.11/asyncio/base_events.py:1922)"
    scrapy = "call_spider_async (/v/site-packages/scrapy/core/scraper.py:323)"
    assert part_of(frames(engine, scrapy, "parse_story (/w/crawler/spiders/presseportal.py:270)",
                          "extract_story (/w/crawler/extract/story.py:647)",
                          "parse_html (/w/crawler/extract/_html.py:32)")) == "lxml parse"
    assert part_of(frames(engine, scrapy, "parse_story (/w/crawler/spiders/presseportal.py:270)",
                          "extract_story (/w/crawler/extract/story.py:691)")).startswith("extraction")
    assert part_of(frames("_worker (/v/concurrent/futures/thread.py:81)",
                          "prepare_batch (/w/crawler/db/releases.py:221)")).startswith("store")
    assert part_of(frames("<module> (/w/crawler/cli/__init__.py:21)",
                          "_find_and_load (<frozen importlib._bootstrap>:1176)")).startswith("start-up")
    assert part_of(frames(engine, scrapy)).startswith("Scrapy engine")


def test_a_stack_without_a_python_frame_is_no_cpu_of_the_crawler():
    assert part_of("") is None


def test_each_accounted_part_names_a_plain_function_where_the_crawl_calls_it():
    # a rename in the product must fail here, not leave a part at zero in bench/results.md
    import importlib
    import inspect

    from bench.cpu import ACCOUNTED

    for part, module, name in ACCOUNTED:
        owner = importlib.import_module(module)
        for step in name.split("."):
            owner = getattr(owner, step)
        assert callable(owner) and not inspect.iscoroutinefunction(owner), part


def test_an_accounted_function_adds_its_thread_cpu_to_its_part_and_still_answers():
    from bench.cpu import _accounting

    spent = {"busy": 0.0}
    busy = _accounting(spent, "busy", lambda n: sum(i * i for i in range(n)))
    assert busy(200_000) == sum(i * i for i in range(200_000))
    assert spent["busy"] > 0.001
