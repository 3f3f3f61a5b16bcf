"""Extraction stays cheap: the page is parsed once, whatever the layers look at.

How fast extraction is beside plain lxml parsing is a figure of the benchmark
(`python -m bench.extract`), not of a timed unit test; this guards its main cause.
"""

from __future__ import annotations

import crawler.extract.story as story
from crawler.extract.regen import load_fixture
from tests.extract.helpers import FIXTURES, REFERENCE_URL, reference_html


def test_the_page_is_parsed_once(monkeypatch) -> None:
    calls = []
    real = story.parse_html

    def counting(html):
        calls.append(len(html))
        return real(html)

    monkeypatch.setattr(story, "parse_html", counting)
    page = story.extract_story(reference_html(), REFERENCE_URL)
    assert page.title and page.body
    assert len(calls) == 1, f"extract_story parsed the page {len(calls)} times: one parse must serve every layer"


def test_extraction_leaves_no_reference_cycles() -> None:
    """The parsed page is freed as soon as its record is made: nothing extraction builds
    refers back to itself, so the page's tree never waits for the garbage collector
    (a recursive closure once kept every page's tree alive until a full collection,
    a fifth of extraction time spent freeing hundreds of cold trees at once)."""
    import gc

    pages = [load_fixture(page) for page in sorted((FIXTURES / "story").glob("*.html"))]
    assert pages
    for html, meta in pages:  # warm up: imports, compiled patterns, caches
        story.extract_story(html, meta["url"])
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for html, meta in pages:
            story.extract_story(html, meta["url"])
        gc.collect()
        cyclic = sorted({type(obj).__name__ for obj in gc.garbage})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    assert cyclic == [], f"extraction left reference cycles holding: {cyclic}"
