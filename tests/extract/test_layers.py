"""Take one element away at a time: every field still comes out, from the next layer.

The real page is edited with lxml (one removal per case) and extracted again; each case
names the field, the value it must still have and the layer that now gives it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from lxml import etree, html as lxml_html

from crawler.extract.story import ExtractionError, extract_story
from tests.extract.helpers import REFERENCE_URL, reference_html

TITLE = 'Felix Neureuther vor der Ski-WM: "Ich denke von Rennen zu Rennen."'
TOPICS = ["Weltmeisterschaft", "Celebrities", "Wintersport", "Sponsoring", "Tourismus"]


def _drop(xpath: str) -> Callable[[etree._Element], None]:
    def edit(root: etree._Element) -> None:
        hits = root.xpath(xpath)
        assert hits, f"nothing matches {xpath}: the reference page changed?"
        for el in hits:
            el.drop_tree()  # keeps the tail text, as a renamed-away element would

    return edit


def _drop_all(*xpaths: str) -> Callable[[etree._Element], None]:
    def edit(root: etree._Element) -> None:
        for xp in xpaths:
            _drop(xp)(root)

    return edit


def _rename_class(xpath: str, new: str) -> Callable[[etree._Element], None]:
    def edit(root: etree._Element) -> None:
        hits = root.xpath(xpath)
        assert hits, f"nothing matches {xpath}"
        for el in hits:
            el.set("class", new)

    return edit


@dataclass
class Case:
    id: str
    edit: Callable[[etree._Element], None]
    checks: dict[str, tuple[object, str]]  # field -> (value or predicate, layer)


JSONLD = "//script[@type='application/ld+json']"
DESCRIPTIONS = ("//meta[@name='description']", "//meta[contains(@name, 'description') or contains(@property, 'description')]")

CASES = [
    Case("no-jsonld", _drop(JSONLD), {"title": (TITLE, "dom"), "published_raw": ("20.01.2015 – 09:30", "dom")}),
    Case("no-p.date", _drop("//p[@class='date']"), {"published_raw": ("2015-01-20T09:30:00", "jsonld")}),
    Case("no-h1", _drop("//h1"), {"title": (TITLE, "jsonld")}),
    Case("no-h1-no-jsonld", _drop_all("//h1", JSONLD), {"title": (TITLE, "meta")}),
    Case(
        "no-h1-jsonld-og",
        _drop_all("//h1", JSONLD, "//meta[contains(@name, 'title') or contains(@property, 'title')]"),
        {"title": (TITLE, "text")},
    ),
    Case("no-a.story-customer", _drop("//a[@class='story-customer']"), {"publisher": ("TravelTrex GmbH", "jsonld")}),
    Case(
        "no-story-customer-no-jsonld",
        _drop_all("//p[@class='customer']", JSONLD),
        {"publisher": ("TravelTrex GmbH", "meta")},
    ),
    Case(
        "no-publisher-but-originator",
        _drop_all("//p[@class='customer']", JSONLD, "//meta[@name='description']"),
        {"publisher": ("TravelTrex GmbH", "text")},
    ),
    Case(
        "no-a.story-city",
        _drop("//a[contains(@class, 'story-city')]"),
        {"dateline": ("Köln", "meta"), "body": (lambda ps: len(ps) == 3, "dom")},
    ),
    Case(
        "renamed-a.story-city",
        _rename_class("//a[contains(@class, 'story-city')]", "city-link"),
        {"dateline": ("Köln", "text"), "body": (lambda ps: len(ps) == 3, "dom")},
    ),
    Case(
        "no-meta-description",
        _drop("//meta[@name='description']"),
        {"teaser": (lambda t: t.startswith("Deutschlands") and t.endswith("Alpin-Ski..."), "meta")},
    ),
    Case(
        "no-meta-descriptions",
        _drop(DESCRIPTIONS[1]),
        {"teaser": (lambda t: t.startswith("Deutschlands") and t.endswith("Alpin-Ski..."), "jsonld")},
    ),
    Case(
        "no-descriptions-anywhere",
        _drop_all(DESCRIPTIONS[1], JSONLD),
        {"teaser": (lambda t: t.startswith("Deutschlands") and t.endswith("gesprochen."), "text")},
    ),
    Case(
        "no-tags-block",
        _drop("//ul[@class='tags']"),
        {"keywords": (TOPICS, "meta"), "places": (["Köln"], "dom")},
    ),
    Case(
        "renamed-p.originator",
        _rename_class("//p[@class='originator']", "source-line"),
        {"originator": ("TravelTrex GmbH", "text"), "body": (lambda ps: len(ps) == 3, "dom")},
    ),
    Case("no-card-lang", _rename_class("//div[@class='card']", "card"), {"language": ("de", "dom")}),
    Case(
        "renamed-story-article",
        _rename_class("//article[contains(@class, 'story')]", "col eight mbs"),
        {"title": (TITLE, "dom"), "published_raw": ("20.01.2015 – 09:30", "dom"), "body": (lambda ps: len(ps) == 3, "dom")},
    ),
    Case("no-canonical", _drop_all("//link[@rel='canonical']", "//meta[contains(@name, 'url') or contains(@property, 'url')]"),
         {"story_id": (2930232, "jsonld")}),
]


def _edited(edit: Callable[[etree._Element], None]) -> str:
    root = lxml_html.document_fromstring(reference_html().encode(), parser=lxml_html.HTMLParser(encoding="utf-8"))
    edit(root)
    return etree.tostring(root, encoding="unicode", method="html")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_field_survives_one_missing_element(case: Case) -> None:
    page = extract_story(_edited(case.edit), REFERENCE_URL)
    for name, (expected, layer) in case.checks.items():
        value = getattr(page, name)
        if callable(expected):
            assert expected(value), f"{case.id}: {name} = {value!r}"
        else:
            assert value == expected, f"{case.id}: {name} = {value!r}, expected {expected!r}"
        assert page.sources.get(name) == layer, (
            f"{case.id}: {name} came from {page.sources.get(name)!r}, expected the {layer!r} layer"
        )


def test_shown_date_found_in_text_when_p_date_is_renamed_and_no_jsonld() -> None:
    html = _edited(_drop_all(JSONLD))
    html = html.replace('<p class="date">', '<p class="story-datum">')
    page = extract_story(html, REFERENCE_URL)
    assert (page.published_raw, page.sources["published_raw"]) == ("20.01.2015 – 09:30", "text")
    assert len(page.body) == 3, "the renamed date line sits before the h1: never body"


def test_no_date_anywhere_is_an_extraction_error() -> None:
    html = _edited(_drop_all("//p[@class='date']", JSONLD))
    with pytest.raises(ExtractionError, match="no date"):
        extract_story(html, REFERENCE_URL)


def test_no_title_anywhere_is_an_extraction_error() -> None:
    html = _edited(_drop_all("//h1", JSONLD, "//meta[contains(@name, 'title') or contains(@property, 'title')]", "//head/title"))
    with pytest.raises(ExtractionError, match="no title"):
        extract_story(html, REFERENCE_URL)


def test_listing_date_is_the_last_layer() -> None:
    html = _edited(_drop_all("//p[@class='date']", JSONLD))
    page = extract_story(html, REFERENCE_URL, listing_date="20.01.2015 – 09:30")
    assert (page.published_raw, page.sources["published_raw"]) == ("20.01.2015 – 09:30", "listing")
    page = extract_story(reference_html(), REFERENCE_URL, listing_date="01.01.2000 – 00:00")
    assert page.sources["published_raw"] == "dom", "the page's own date wins over the card's"


# --- a changed element that is still there, but says something else ---------------------


def _page(old: str, new: str) -> str:
    html = reference_html()
    assert old in html, f"{old!r} is not on the reference page any more"
    return html.replace(old, new)


P_DATE = '<p class="date">20.01.2015 &ndash; 09:30</p>'


def test_words_around_the_shown_date_are_left_out():
    page = extract_story(_page(P_DATE, '<p class="date">Veröffentlicht: 20.01.2015 &ndash; 09:30 Uhr</p>'),
                         REFERENCE_URL)
    assert (page.published_raw, page.sources["published_raw"]) == ("20.01.2015 – 09:30", "dom")


def test_a_shown_date_in_an_unknown_form_gives_way_to_json_ld():
    page = extract_story(_page(P_DATE, '<p class="date">Dienstag, 20. Januar 2015</p>'), REFERENCE_URL)
    assert (page.published_raw, page.sources["published_raw"]) == ("2015-01-20T09:30:00", "jsonld")


def test_a_free_form_shown_date_is_kept_when_no_other_layer_has_one():
    html = _page(P_DATE, '<p class="date">20. Januar 2015, 09:30 Uhr</p>')
    root = lxml_html.fromstring(html)
    for el in root.xpath("//script[@type='application/ld+json']"):
        el.drop_tree()
    page = extract_story(lxml_html.tostring(root, encoding="unicode"), REFERENCE_URL)
    assert (page.published_raw, page.sources["published_raw"]) == ("20. Januar 2015, 09:30 Uhr", "dom")


def test_an_image_without_its_hires_link_still_gives_the_hires_url_and_a_clean_caption():
    root = lxml_html.fromstring(reference_html())
    for a in root.xpath("//a[contains(@class, 'fancybox')]"):
        a.drop_tag()  # the link goes, the thumbnail inside stays
    page = extract_story(lxml_html.tostring(root, encoding="unicode"), REFERENCE_URL)
    assert page.images == [{
        "url": "https://cache.pressmailing.net/thumbnail/story_hires/48e5dfa4-794b-48ef-84e1-4378dcb09a0f/image.jpg",
        "caption": TITLE,
    }]
