"""Extraction stays cheap next to parsing: one parse, no slow selectors.

Compared as a ratio to plain lxml parsing of the same page (absolute speed depends on
the machine; the ratio does not, much). Measured: about 1.8x, ~800 pages/s on one
shared core, where lxml parsing alone does ~1,400 pages/s.
"""

from __future__ import annotations

import timeit

from lxml import etree

from crawler.extract.story import extract_story
from tests.extract.helpers import REFERENCE_URL, reference_html


def test_extraction_within_3x_of_plain_lxml_parsing() -> None:
    html = reference_html()
    body = html.encode("utf-8")

    def parse() -> None:
        etree.fromstring(body, etree.HTMLParser(encoding="utf-8"))

    def extract() -> None:
        extract_story(html, REFERENCE_URL)

    n = 50
    parse_s = min(timeit.repeat(parse, number=n, repeat=5)) / n
    extract_s = min(timeit.repeat(extract, number=n, repeat=5)) / n
    ratio = extract_s / parse_s
    assert ratio < 3.0, (
        f"extract_story takes {ratio:.1f}x a plain lxml parse ({extract_s * 1e3:.2f} ms vs "
        f"{parse_s * 1e3:.2f} ms): profile it (cProfile) for a second parse or a slow // XPath"
    )
