"""Rules of the raw story fields, stated once on small pages (the fixtures pin the rest)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    assert page.body[0] == "Ab dem 1.\u00a0Februar öffnet das Museum schon um 9 Uhr.\nMontags bleibt es geschlossen."


def test_weitere_storys_and_videos_are_not_the_story() -> None:
    page = _story("no-jsonld")
    assert all("Nicht diese Story" not in p for p in page.body)
    assert [i["url"].rsplit("/", 2)[-2] for i in page.images] == ["aaaa", "bbbb"]


def test_inline_dateline_is_taken_off_the_first_paragraph() -> None:
    page = _story("dateline-inline")
    assert page.body[0].startswith("Immer mehr Kommunen"), "the grammar takes 'Hamburg (ots) - ' off paragraph one"
    assert page.dateline == "Hamburg"
    assert page.sources["dateline"] == "dom"
    assert page.links == [], "the dateline's city link is not a body link"


def test_plain_pressekontakt_paragraph_is_found_by_the_grammar() -> None:
    # no p.contact-text: the plain "Pressekontakt:" paragraph and the <br> lines after it
    page = _story("layout-2019")
    assert page.contact == ["New Business Verlag GmbH & Co. KG", "Redaktion Public Marketing", "Tel. 040 / 609 009 0"]
    assert page.sources["contact"] == "text"
    assert page.body == [
        "Das Agenturranking 2019 ist da: 120 Agenturen im Vergleich.",
        "Die Daten stammen aus einer Umfrage unter Marketingleitern.",
    ]


def test_plain_about_paragraphs_are_found_by_the_grammar() -> None:
    page = _story("dateline-inline")
    assert page.about == [
        "Über Public Marketing:",
        "Public Marketing ist das Fachmagazin für die Kommunikation der öffentlichen Hand.",
    ]
    assert page.sources["about"] == "text"
    assert all("Über" not in p for p in page.body)


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


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab -\t\n\r\u00a0\u3000", max_size=12), st.sampled_from(["a", "b", "a-b", "ab"]))
def test_class_tokens_split_at_xml_whitespace_only(classes: str, name: str) -> None:
    # the fast paths (str.split on plain spaces) give the tokens the XML-whitespace split gives
    import re

    from lxml import etree

    from crawler.extract._html import class_tokens, has_class_token

    el = etree.Element("div", {"class": classes})
    tokens = re.split(r"[ \t\r\n]+", classes.strip(" \t\r\n")) if classes else []
    assert class_tokens(el) == frozenset(tokens)
    assert has_class_token(el, name) == (name in tokens)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["st/", "t/", "regional/", "/", "?", "#", "a", "s", "x"]), max_size=6).map("".join))
def test_tag_href_patterns_match_where_their_plain_forms_do(href: str) -> None:
    # written literal first for speed; "(?:^|/)" as a lookbehind finds the same hrefs
    import re

    import crawler.extract.story as story

    for pattern, plain in ((story._TOPIC_HREF, r"(?:^|/)st/[^/?#]"), (story._PLACE_HREF, r"(?:^|/)regional/[^/?#]"),
                           (story._CATEGORY_HREF, r"(?:^|/)t/[^/?#]")):
        assert (pattern.search(href) is None) == (re.search(plain, href) is None)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="a \t\n\r\x0c\x0b\u00a0\u2003", max_size=16))
def test_collapse_is_the_source_whitespace_substitution(text: str) -> None:
    # collapse() replaces instead of substituting: the same text, ASCII whitespace only
    import re

    from crawler.extract._html import collapse

    assert collapse(text) == re.sub(r"[ \t\n\r\f\v]+", " ", text).strip(" ")


SECTIONS_PAGE = """<html lang="de"><head><link rel="canonical" href="https://www.presseportal.de/pm/73811/4806207"></head>
<body><article class="story"><div class="card">
<p class="date">21.01.2021 &ndash; 10:30</p><h1>Studie</h1>
<p><i><a class="story-city" href="/regional/K%F6ln">Köln (ots)</a></i></p>
<p>Hamburg (ots) - Rund&nbsp;75 Prozent der befragten Kommunen planen neue Stellen.</p>
<p>Über PUBLIC MARKETING:</p><p>Public Marketing ist eine feste Größe.</p>
<p>Pressekontakt:</p><p>Public Marketing<br>Redaktion</p>
<p>Original-Content von: Public Marketing, übermittelt durch news aktuell</p>
<p class="contact-text">Pressekontakt:<br>TravelTrex GmbH<br>&nbsp;<br>Tel. 1</p>
<p class="originator">Original-Content von: TravelTrex GmbH, übermittelt durch news aktuell</p>
</div></article></body></html>"""


def test_dom_sections_win_over_the_grammar_and_the_grammar_still_clears_the_body() -> None:
    from crawler.normalize.release import normalize_release

    page = extract_story(SECTIONS_PAGE, "https://www.presseportal.de/pm/73811/4806207")
    # a.story-city ("Köln (ots)" in a sloppy link text), p.contact-text (its own
    # "Pressekontakt:" line dropped), p.originator: the DOM's, not the plain paragraphs'
    assert (page.dateline, page.sources["dateline"]) == ("Köln", "dom")
    assert (page.contact, page.sources["contact"]) == (["TravelTrex GmbH", "Tel. 1"], "dom")
    assert (page.originator, page.sources["originator"]) == ("TravelTrex GmbH", "dom")
    assert (page.about, page.sources["about"]) == (["Über PUBLIC MARKETING:", "Public Marketing ist eine feste Größe."], "text")
    item = normalize_release(page)
    assert item.dateline == "Köln"
    assert item.contact == "TravelTrex GmbH\nTel. 1"
    assert item.originator == "TravelTrex GmbH"
    assert item.about == "Über PUBLIC MARKETING:\n\nPublic Marketing ist eine feste Größe."
    # the sections are removed from the body all the same
    assert item.body == "Rund 75 Prozent der befragten Kommunen planen neue Stellen."
    assert "Pressekontakt" not in item.body and "Über PUBLIC" not in item.body
    assert not item.body.startswith("Hamburg")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", " ", "  ", "\n", "\t", "\x00", "\u00a0", "b c"]), max_size=10))
def test_lines_around_a_br_are_trimmed_as_the_plain_substitution_does(pieces: list[str]) -> None:
    # text_of(br="\n") trims spaces around each <br> (a NUL while joining) by replacing
    import re

    from crawler.extract._html import _joined_text, collapse

    plain = collapse("".join(pieces))
    if "\x00" in plain:
        plain = re.sub(r" *\n *", "\n", plain.replace("\x00", "\n")).strip(" \n")
    assert _joined_text(pieces, "\n") == plain
