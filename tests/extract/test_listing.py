"""Listing pages: cards in page order with ids, canonical URL, title, date, teaser; next page."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from crawler.extract.listing import extract_listing
from crawler.extract.regen import load_fixture
from tests.extract.helpers import FIXTURES, REFERENCE_URL, reference_html

PAGES = sorted((FIXTURES / "listing").glob("*.html"))


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_listing_fixture(page: Path) -> None:
    html, meta = load_fixture(page)
    listing = extract_listing(html, meta["url"])
    expected = meta["expected"]
    hint = f"intended? run `python -m crawler.extract.regen tests/fixtures/listing/{page.name}` and review"
    assert listing.next_url == expected["next_url"], f"{page.stem}: next_url; {hint}"
    assert [c.story_id for c in listing.cards] == [c["story_id"] for c in expected["cards"]], f"{page.stem}: {hint}"
    for card, want in zip(listing.cards, expected["cards"]):
        for name, value in dataclasses.asdict(card).items():
            assert value == want[name], f"{page.stem}: card {card.story_id} {name}; {hint}"


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ('<link rel="next" href="/nr/73811/30">', "https://www.presseportal.de/nr/73811/30"),
        ('<span class="pagination-next" data-url="/nr/73811/60"></span>', "https://www.presseportal.de/nr/73811/60"),
        ('<a class="btn pagination-next" href="/nr/73811/90">›</a>', "https://www.presseportal.de/nr/73811/90"),
        ('<span class="pagination-next disabled"></span>', None),
        ("", None),
    ],
    ids=["link-rel-next", "data-url", "a-href", "disabled", "none"],
)
def test_next_url_forms(markup: str, expected: str | None) -> None:
    html = f"<html><head></head><body>{markup}</body></html>"
    assert extract_listing(html, "https://www.presseportal.de/nr/73811").next_url == expected


def test_weitere_storys_cards_of_the_real_page_read_as_a_listing() -> None:
    listing = extract_listing(reference_html(), REFERENCE_URL)
    assert [c.story_id for c in listing.cards] == [2923719, 2899965, 2888228]
    assert {c.publisher_id for c in listing.cards} == {103258}
    assert listing.cards[0].date_raw == "12.01.2015 – 10:00"
    assert listing.cards[0].title == "10 Kinderparadiese im Schnee - Tirol ganz vorne dabei!"
    assert listing.next_url is None
