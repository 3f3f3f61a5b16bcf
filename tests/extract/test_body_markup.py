"""Story pages as police, fire and company newsrooms write them (issue 13): body markup
beyond `<p>` (lists, subheadings, tables, quotes, text without `<p>`), contact headings
other than "Pressekontakt:" with and without the usual classes, office pages."""

from __future__ import annotations

import pytest

from crawler.extract.story import extract_story
from crawler.normalize.release import normalize_release
from pipelines.validate import ValidatePipeline

URL = "https://www.presseportal.de/pm/73811/4806207"
OFFICE_URL = "https://www.presseportal.de/blaulicht/pm/99001/4806208"


def page(card: str, *, url: str = URL, title: str = "Studie") -> str:
    return (f'<html lang="de"><head><link rel="canonical" href="{url}"></head><body>'
            f'<article class="story"><div class="card" lang="de"><p class="date">21.01.2021 &ndash; 10:30</p>'
            f'<h1>{title}</h1>{card}</div></article>'
            '<article class="news"><p>Musterstadt (ots) - Eine andere Meldung</p></article></body></html>')


def clean(card: str, **kwargs) -> object:
    return normalize_release(extract_story(page(card, **kwargs), kwargs.get("url", URL)))


DATELINE = '<p><i><a class="story-city" href="/regional/Musterstadt">Musterstadt</a> (ots)</i></p>'


# --- 7. body markup beyond <p> ----------------------------------------------------------------


def test_list_items_are_lines_of_one_paragraph() -> None:
    item = clean(DATELINE + "<p>Die Polizei rät:</p><ul><li>Türen <b>abschließen</b></li><li>Fenster schließen</li>"
                 "</ul><ol><li>Erstens</li><li>Zweitens<ul><li>genauer</li></ul></li></ol><p>Danke.</p>")
    assert item.body == ("Die Polizei rät:\n\n- Türen abschließen\n- Fenster schließen\n\n"
                         "1. Erstens\n2. Zweitens\n- genauer\n\nDanke.")


def test_subheadings_are_paragraphs_of_their_own() -> None:
    item = clean(DATELINE + "<p>Erster Absatz.</p><h2>Hintergrund</h2><p>Zweiter.</p><h3>Ausblick</h3>"
                 "<h4>Im Detail</h4><p>Dritter.</p>")
    assert item.body == "Erster Absatz.\n\nHintergrund\n\nZweiter.\n\nAusblick\n\nIm Detail\n\nDritter."


def test_table_rows_are_lines_with_cells_split_by_a_bar() -> None:
    item = clean(DATELINE + "<p>Gesperrt:</p><table><thead><tr><th>Straße</th><th>bis</th></tr></thead>"
                 "<tbody><tr><td>Hauptstraße</td><td>18 Uhr</td></tr><tr><td>Ringweg</td><td>20&nbsp;Uhr</td></tr>"
                 "</tbody></table><p>Danke.</p>")
    assert item.body == "Gesperrt:\n\nStraße | bis\nHauptstraße | 18 Uhr\nRingweg | 20 Uhr\n\nDanke."


def test_a_blockquote_is_a_paragraph() -> None:
    item = clean(DATELINE + "<p>Der Sprecher sagte:</p><blockquote>„Wir ermitteln.“</blockquote>"
                 "<blockquote><p>Zwei</p><p>Absätze.</p></blockquote><p>Ende.</p>")
    assert item.body == "Der Sprecher sagte:\n\n„Wir ermitteln.“\n\nZwei Absätze.\n\nEnde."


def test_a_body_without_any_p_is_read_and_kept() -> None:
    card = ('<div class="story-text"><i><a class="story-city" href="/regional/Musterstadt">Musterstadt</a> (ots)</i>'
            " - Am Dienstag wurde ein <a href='/x'>Kiosk</a> aufgebrochen.<br><br>Zeugen melden sich bitte.<br>"
            "Telefon 110.<br><br>Rückfragen bitte an:<br><br>Polizeipräsidium Musterstadt<br>Pressestelle</div>")
    raw = extract_story(page(card), URL)
    item = normalize_release(raw)
    assert item.dateline == "Musterstadt"
    assert item.body == "Am Dienstag wurde ein Kiosk aufgebrochen.\n\nZeugen melden sich bitte. Telefon 110."
    assert item.contact == "Polizeipräsidium Musterstadt\nPressestelle"
    assert item.links == [{"url": "https://www.presseportal.de/x", "text": "Kiosk"}]
    assert "Eine andere Meldung" not in item.body, "the teasers below the story are not its text"
    assert ValidatePipeline().process_item(item) is item, "a body without <p> is a body"


def test_text_straight_in_the_card_between_paragraphs() -> None:
    item = clean(DATELINE + "<p>Erster.</p>Zweiter, ohne p.<p>Dritter.</p>")
    assert item.body == "Erster.\n\nZweiter, ohne p.\n\nDritter."


# --- 1. contact headings, with and without the usual classes ------------------------------------

CONTACT = "<p>Polizeipräsidium Musterstadt<br>Pressestelle<br>Telefon: 0000 000-0</p>"


@pytest.mark.parametrize("heading", ["Rückfragen bitte an:", "Kontakt:", "Medienkontakt:",
                                     "Pressekontakt / Press contact:", "Für Rückfragen:", "Ansprechpartner:",
                                     "Rückfragehinweis:", "Press contact:", "Media contact:"])
@pytest.mark.parametrize("cls", ["", ' class="contact-headline"'])
def test_contact_headings_in_the_markup(heading: str, cls: str) -> None:
    item = clean(DATELINE + f"<p>Ein Fahrrad wurde gestohlen.</p><p{cls}>{heading}</p>" + CONTACT)
    assert item.body == "Ein Fahrrad wurde gestohlen."
    assert item.contact == "Polizeipräsidium Musterstadt\nPressestelle\nTelefon: 0000 000-0"


def test_a_contact_headline_in_words_the_grammar_does_not_know() -> None:
    item = clean(DATELINE + '<p>Text.</p><p class="contact-headline">Ihre Ansprechstelle</p>' + CONTACT)
    assert item.body == "Text."
    assert item.contact == "Polizeipräsidium Musterstadt\nPressestelle\nTelefon: 0000 000-0"


def test_glued_lines_of_a_marked_contact_are_cut() -> None:
    item = clean(DATELINE + '<p>Text.</p><p class="contact-headline">Pressekontakt:</p><p class="contact-text">'
                 "Erika Musterfrau+49 (40) 12 34 56 - 78erika.musterfrau@example.de</p>")
    assert item.contact == "Erika Musterfrau\n+49 (40) 12 34 56 - 78\nerika.musterfrau@example.de"


# --- 4. datelines of offices -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dateline_html", "city"),
    [
        ('<p><i><a class="story-city" href="/regional/Musterkreis">Musterkreis</a>: (ots)</i></p>', "Musterkreis"),
        ("<p>Musterkreis: (ots)</p>", "Musterkreis"),
        ('<p><i><a class="story-city" href="/regional/Musterstadt">Musterstadt</a> (ots) - (ab)</i></p>', "Musterstadt"),
        ("<p>Musterstadt/Beispielburg (ots) - (KD)</p>", "Musterstadt/Beispielburg"),
    ],
)
def test_office_datelines(dateline_html: str, city: str) -> None:
    item = clean(dateline_html + "<p>Ein Fahrrad wurde gestohlen.</p>")
    assert (item.dateline, item.body) == (city, "Ein Fahrrad wurde gestohlen.")


# --- offices --------------------------------------------------------------------------------------


def test_an_office_story_records_its_kind_and_code() -> None:
    title = "POL-XY: 231107 - 1024 Beispielort-Süd: Kiosk aufgebrochen"
    item = clean(DATELINE + "<p>Text.</p>", url=OFFICE_URL, title=title)
    assert (item.publisher_id, item.story_id, item.newsroom_kind) == (99001, 4806208, "office")
    assert item.url == OFFICE_URL
    assert item.title == title, "the title keeps its office code"
    assert item.office_code == "POL-XY"
    company = clean(DATELINE + "<p>Text.</p>", title="ACME: Neue Produkte")
    assert (company.newsroom_kind, company.office_code, company.url) == ("publisher", "", URL)
