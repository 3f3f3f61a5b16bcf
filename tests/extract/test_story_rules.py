"""Rules of the raw story fields, stated once on small pages (the fixtures pin the rest)."""

from __future__ import annotations

import pytest

from crawler.extract.regen import load_fixture
from crawler.extract.story import ExtractionError, extract_story
from tests.extract.helpers import FIXTURES


def _story(case: str):
    html, meta = load_fixture(FIXTURES / "story" / f"{case}.html")
    return extract_story(html, meta["url"])


def test_raw_strings_keep_nbsp_and_soft_hyphens_for_the_normaliser() -> None:
    page = _story("no-jsonld")
    assert page.title == "Neue Öff\u00adnungs\u00adzeiten im Museum"  # source newline collapsed, SHY kept
    assert page.publisher == "Stadtmuseum\u00a0Beispielstadt"
    assert page.paragraphs[0] == "Ab dem 1.\u00a0Februar öffnet das Museum schon um 9 Uhr.\nMontags bleibt es geschlossen."


def test_weitere_storys_and_videos_are_not_the_story() -> None:
    page = _story("no-jsonld")
    assert all("Nicht diese Story" not in p for p in page.paragraphs)
    assert [i["url"].rsplit("/", 2)[-2] for i in page.images] == ["aaaa", "bbbb"]


def test_inline_dateline_paragraph_is_kept_whole() -> None:
    page = _story("dateline-inline")
    assert page.paragraphs[0].startswith("Hamburg (ots) - Immer mehr Kommunen")
    assert page.dateline == "Hamburg"
    assert page.links == [], "the dateline's city link is not a body link"


def test_plain_pressekontakt_paragraph_stays_for_the_normaliser() -> None:
    page = _story("layout-2019")
    assert page.contact == ""
    assert page.paragraphs[-2:] == [
        "Pressekontakt:",
        "New Business Verlag GmbH & Co. KG\nRedaktion Public Marketing\nTel. 040 / 609 009 0",
    ]


def test_categories_are_not_keywords() -> None:
    assert _story("english").keywords == ["Logistics", "Energy"]
    assert _story("no-jsonld").keywords == ["Museum", "Kultur"]


@pytest.mark.parametrize(
    "html",
    ["", "<html><body><p>Nichts</p></body></html>", "<?xml version='1.0' encoding='utf-8'?><html><h1>T</h1></html>"],
    ids=["empty", "no-title", "xml-declaration-no-date"],
)
def test_pages_without_title_or_date_raise_extraction_error(html: str) -> None:
    with pytest.raises(ExtractionError):
        extract_story(html, "https://www.presseportal.de/pm/1/2")


def test_no_story_id_anywhere_raises() -> None:
    html = "<html><head><title>X</title></head><body><h1>X</h1><p class='date'>01.01.2020 – 10:00</p></body></html>"
    with pytest.raises(ExtractionError, match="story_id"):
        extract_story(html, "https://www.presseportal.de/nr/1")


def test_an_empty_mailto_link_names_its_address_without_changing_the_parsed_page() -> None:
    from crawler.extract._html import lines_of, parse_html, text_of

    root = parse_html('<p class="contact-text">Jane Doe<br/><a href="mailto:press@example.com?subject=x"></a></p>')
    p = next(root.iter("p"))
    assert lines_of(p, mailto=True) == ["Jane Doe", "press@example.com"]
    assert next(p.iter("a")).text is None, "reading the contact must not write into the tree"
    assert text_of(p) == "Jane Doe", "without mailto=True an empty link shows nothing"


def test_class_tokens_split_like_css() -> None:
    from crawler.extract._html import class_tokens, has_class_token, parse_html

    div = next(parse_html('<div class=" story-media\tsingle "></div>').iter("div"))
    assert class_tokens(div) == {"story-media", "single"}
    assert has_class_token(div, "single") and not has_class_token(div, "story")
