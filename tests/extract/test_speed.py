"""Extraction stays cheap: the page is parsed once, whatever the layers look at.

How fast extraction is beside plain lxml parsing is a figure of the benchmark
(`python -m bench.extract`), not of a timed unit test; this guards its main cause.
"""

from __future__ import annotations

import crawler.extract.story as story
from tests.extract.helpers import REFERENCE_URL, reference_html


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
