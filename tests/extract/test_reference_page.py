"""The real story page (presseportal.de, 2015 story in the 2021+ layout) extracts completely."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

from crawler.extract.story import extract_story
from crawler.items import RawRelease
from crawler.normalize.release import normalize_release
from tests.extract.helpers import REFERENCE_URL, reference_html


@pytest.fixture(scope="module")
def page() -> RawRelease:
    return extract_story(reference_html(), REFERENCE_URL)


def test_ids_and_language(page: RawRelease) -> None:
    assert (page.story_id, page.publisher_id) == (2930232, 103258)
    assert page.language == "de"


def test_title(page: RawRelease) -> None:
    assert page.title == 'Felix Neureuther vor der Ski-WM: "Ich denke von Rennen zu Rennen."'


def test_published_raw_is_the_shown_date_with_entities_decoded(page: RawRelease) -> None:
    assert page.published_raw == "20.01.2015 – 09:30"


def test_publisher_dateline_originator(page: RawRelease) -> None:
    assert page.publisher == "TravelTrex GmbH"
    assert page.dateline == "Köln"
    assert page.originator == "TravelTrex GmbH"


def test_teaser_is_the_description_without_its_prefix(page: RawRelease) -> None:
    assert page.teaser.startswith("Deutschlands größter Reiseveranstalter im Bereich Wintersport")
    assert page.teaser.endswith("hat die ...")
    assert "(ots)" not in page.teaser


def test_body_paragraphs(page: RawRelease) -> None:
    assert len(page.body) == 3, page.body
    assert page.body[0].startswith("Deutschlands größter Reiseveranstalter")
    assert page.body[2].endswith("http://presse.snowtrex.de/felix-neureuther-interview/")
    assert page.about == []
    body = "\n\n".join(page.body)
    for debris in ("(ots)", "Pressekontakt", "Original-Content", "Weitere Storys", "Teilen"):
        assert debris not in body, f"{debris!r} leaked into the body"


def test_links(page: RawRelease) -> None:
    assert page.links == [
        {
            "url": "http://presse.snowtrex.de/felix-neureuther-interview/",
            "text": "http://presse.snowtrex.de/felix-neureuther-interview/",
        }
    ]


def test_contact_lines(page: RawRelease) -> None:
    assert page.contact == [
        "TravelTrex GmbH", "Christian Neuwerth", "presse-de@traveltrex.com", "Tel. +49 (0) 221-33 606-2513"
    ]


def test_keywords_are_topic_tags_only(page: RawRelease) -> None:
    assert page.keywords == ["Weltmeisterschaft", "Celebrities", "Wintersport", "Sponsoring", "Tourismus"]
    assert page.places == ["Köln"]


def test_image_is_hires_with_caption(page: RawRelease) -> None:
    assert len(page.images) == 1
    image = page.images[0]
    assert image["url"] == (
        "https://cache.pressmailing.net/thumbnail/story_hires/48e5dfa4-794b-48ef-84e1-4378dcb09a0f/image.jpg"
    )
    assert image["caption"].startswith("Ski World Cup 2014/2015")
    assert 'Quellenangabe: "obs/TravelTrex GmbH/© NORDICA' in image["caption"]


def test_every_field_comes_from_the_expected_layer(page: RawRelease) -> None:
    assert page.sources == {
        "story_id": "meta",
        "publisher_id": "meta",
        "newsroom_kind": "meta",
        "title": "dom",
        "published_raw": "dom",
        "originator": "dom",
        "body": "dom",
        "publisher": "dom",
        "dateline": "dom",
        "teaser": "meta",
        "links": "dom",
        "contact": "dom",
        "keywords": "dom",
        "places": "dom",
        "images": "dom",
        "language": "dom",
    }


def test_slug_url_collapses_to_the_canonical_story() -> None:
    page = extract_story(reference_html(), REFERENCE_URL + "/felix-neureuther-vor-der-ski-wm")
    assert page.url == REFERENCE_URL


def test_release_from_page(page: RawRelease) -> None:
    # what the spider adds to the raw record, and what the normalise stage carries over
    fetched = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    raw = dataclasses.replace(page, fetched_at=fetched, http_status=200, raw_html="<html/>")
    release = normalize_release(raw)
    assert release.url == "https://www.presseportal.de/pm/103258/2930232"
    assert release.body.count("\n\n") == 2
    assert release.field_sources == page.sources
    assert release.fetched_at == fetched and release.raw_html == "<html/>" and release.http_status == 200
    assert release.keywords == page.keywords and release.images == page.images
    assert raw.fetched_at == fetched and raw.body == page.body, "normalising leaves the raw record as it was"


def test_release_url_is_on_the_site_crawled() -> None:
    page = extract_story(reference_html(), "http://127.0.0.1:8123/pm/103258/2930232/slug")
    assert page.url == "http://127.0.0.1:8123/pm/103258/2930232"
    assert normalize_release(page).url == "http://127.0.0.1:8123/pm/103258/2930232"
