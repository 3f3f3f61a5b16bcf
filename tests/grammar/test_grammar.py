"""The release grammar: dateline, body, about, contact and originator of a release, and
paragraphs from flattened text (moved here from tests/normalize/test_text.py with the
code; raw-text cases at the end)."""

from __future__ import annotations

import pytest

from crawler.grammar import ReleaseParts, split_flat_text, split_release
from crawler.items import Newsroom, StoryRef
from crawler.normalize.text import clean_paragraphs

# --- split_release -----------------------------------------------------------------------

REAL_PAGE = [  # the paragraphs of story-103258-2930232 as the extractor gives them
    "Köln (ots)",
    " ",
    "Deutschlands größter Reiseveranstalter im Bereich Wintersport, SnowTrex, ...",
    "Felix Neureuther ist in bester Stimmung.",
    "Das vollständige Interview finden Sie in unserem Presseportal: http://presse.snowtrex.de/felix-neureuther-interview/",
]


def test_split_release_real_page() -> None:
    parts = split_release(clean_paragraphs(REAL_PAGE))
    assert parts == ReleaseParts(
        dateline="Köln",
        body=clean_paragraphs(REAL_PAGE[2:]),
        about=[],
        contact=[],
        originator="",
    )
    # raw paragraphs as the page shows them come back as they are
    assert split_release(REAL_PAGE) == ReleaseParts(dateline="Köln", body=REAL_PAGE[2:])


@pytest.mark.parametrize(
    ("first", "dateline", "rest"),
    [
        ("Hamburg (ots) - Das Fachmagazin", "Hamburg", "Das Fachmagazin"),
        ("Hamburg (ots) – Das Fachmagazin", "Hamburg", "Das Fachmagazin"),
        ("Hamburg (ots) — Das Fachmagazin", "Hamburg", "Das Fachmagazin"),
        ("Hamburg (ots) Das Fachmagazin", "Hamburg", "Das Fachmagazin"),
        ("Hamburg (ots): Das Fachmagazin", "Hamburg", "Das Fachmagazin"),
        ("Hamburg (ots) -Das Fachmagazin", "Hamburg", "Das Fachmagazin"),
        ("Frankfurt am Main (ots) - Text", "Frankfurt am Main", "Text"),
        ("St. Ingbert (ots) - Text", "St. Ingbert", "Text"),
        ("Berlin (ots/PRNewswire) - Text", "Berlin", "Text"),
        ("Halle (Saale) (ots) - Text", "Halle (Saale)", "Text"),
        ("Köln (ots)", "Köln", None),
        ("Hamburg (ots) - ", "Hamburg", None),
    ],
)
def test_dateline_variants(first: str, dateline: str, rest: str | None) -> None:
    parts = split_release([first, "Zweiter Absatz."])
    assert parts.dateline == dateline
    assert parts.body == ([rest] if rest else []) + ["Zweiter Absatz."]


def test_no_dateline() -> None:
    parts = split_release(["Ein Absatz ohne Ortsmarke.", "Noch einer (ots) mitten drin."])
    assert parts.dateline == ""
    assert parts.body == ["Ein Absatz ohne Ortsmarke.", "Noch einer (ots) mitten drin."]


FULL = [
    "Hamburg (ots) - Erster Absatz.",
    "Zweiter Absatz mit www.public-marketing.eu.",
    "Originalmeldung: https://www.presseportal.de/pm/73811/4806207",
    "Über PUBLIC MARKETING:",
    "Das Fachmagazin für Kommunikation.",
    "Es erscheint monatlich.",
    "Pressekontakt:",
    "New Business Verlag",
    "Tel. 040 609009-0",
    "Original-Content von: PUBLIC MARKETING, übermittelt durch news aktuell",
]


def test_split_release_full() -> None:
    assert split_release(FULL) == ReleaseParts(
        dateline="Hamburg",
        body=["Erster Absatz.", "Zweiter Absatz mit www.public-marketing.eu."],
        about=["Über PUBLIC MARKETING:", "Das Fachmagazin für Kommunikation.", "Es erscheint monatlich."],
        contact=["New Business Verlag", "Tel. 040 609009-0"],
        originator="PUBLIC MARKETING",
        original_url="https://www.presseportal.de/pm/73811/4806207",
        original=StoryRef(Newsroom("publisher", 73811), 4806207, "https://www.presseportal.de"),
    )


@pytest.mark.parametrize(
    "headline",
    ["Pressekontakt:", "Pressekontakt", "PRESSEKONTAKT:", "Kontakt:", "Press contact:", "Contact:"],
)
def test_contact_headlines(headline: str) -> None:
    parts = split_release(["Text.", headline, "Max Mustermann", "Tel. 1"])
    assert parts.body == ["Text."]
    assert parts.contact == ["Max Mustermann", "Tel. 1"]


def test_contact_text_after_headline_and_multiline_paragraph() -> None:
    parts = split_release(["Text.", "Pressekontakt: Max Mustermann", "Tel. 1\nFax 2"])
    assert parts.contact == ["Max Mustermann", "Tel. 1", "Fax 2"]


def test_kontakt_inside_a_sentence_is_body() -> None:
    parts = split_release(["Kontakt zu Kunden ist wichtig.", "Pressekontakt:", "Max"])
    assert parts.body == ["Kontakt zu Kunden ist wichtig."]
    assert parts.contact == ["Max"]


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Original-Content von: TravelTrex GmbH, übermittelt durch news aktuell", "TravelTrex GmbH"),
        ("Original-Content von: A, B & C GmbH, übermittelt durch news aktuell", "A, B & C GmbH"),
        ("Original content of: Acme Inc., transmitted by news aktuell", "Acme Inc."),
        ("Original-Content von: Polizei Köln", "Polizei Köln"),
    ],
)
def test_originator(line: str, name: str) -> None:
    parts = split_release(["Text.", line])
    assert parts.originator == name
    assert parts.body == ["Text."]


def test_about_heading_with_text_in_the_same_paragraph() -> None:
    parts = split_release(["Text.", "Über ACME: ACME baut Raketen.", "Seit 1949."])
    assert parts.body == ["Text."]
    assert parts.about == ["Über ACME: ACME baut Raketen.", "Seit 1949."]


def test_about_company_names_with_dots() -> None:
    parts = split_release(["Text.", "Über die Muster GmbH & Co. KG:", "Sie baut.", "Über den Verein e.V.:", "Er hilft."])
    assert parts.body == ["Text."]
    assert parts.about[0] == "Über die Muster GmbH & Co. KG:"
    assert parts.about[-2:] == ["Über den Verein e.V.:", "Er hilft."]


def test_body_paragraph_starting_with_uber_is_kept_when_a_real_heading_exists() -> None:
    paras = ["Text.", "Über die Zukunft sprach er: Sie wird gut.", "Über ACME:", "ACME baut."]
    parts = split_release(paras)
    assert parts.body == ["Text.", "Über die Zukunft sprach er: Sie wird gut."]
    assert parts.about == ["Über ACME:", "ACME baut."]


def test_english_release() -> None:
    parts = split_release(
        ["Berlin (ots) - We are delighted.", "About ACME:", "ACME builds rockets.", "Press contact:", "Jane Doe",
         "Original content of: ACME, transmitted by news aktuell"]
    )
    assert parts == ReleaseParts("Berlin", ["We are delighted."], ["About ACME:", "ACME builds rockets."], ["Jane Doe"], "ACME")


def test_empty() -> None:
    assert split_release([]) == ReleaseParts()
    assert split_release(["", " "]) == ReleaseParts()


# --- split_flat_text -----------------------------------------------------------------------

FLAT = (
    "Hamburg (ots) - Die neue Ausgabe ist da. Alle Hefte im Heftarchiv "
    "(https://www.public-marketing.eu/Heftarchiv/)Über PUBLIC MARKETING:Das Fachmagazin "
    "erscheint monatlich im New Business Verlag.Pressekontakt:New Business Verlag GmbH & Co. KG"
    "Tel. 040 609009-0E-Mail: info@new-business.deOriginal-Content von: PUBLIC MARKETING, "
    "übermittelt durch news aktuell"
)


def test_the_flattened_example() -> None:
    paras = split_flat_text(FLAT)
    assert paras == [
        "Hamburg (ots) - Die neue Ausgabe ist da. Alle Hefte im Heftarchiv "
        "(https://www.public-marketing.eu/Heftarchiv/)",
        "Über PUBLIC MARKETING:",
        "Das Fachmagazin erscheint monatlich im New Business Verlag.",
        "Pressekontakt:",
        "New Business Verlag GmbH & Co. KG",
        "Tel. 040 609009-0",
        "E-Mail: info@new-business.de",
        "Original-Content von: PUBLIC MARKETING, übermittelt durch news aktuell",
    ]
    parts = split_release(paras)
    assert parts.dateline == "Hamburg"
    assert parts.body == [paras[0].removeprefix("Hamburg (ots) - ")]
    assert parts.about == ["Über PUBLIC MARKETING:", "Das Fachmagazin erscheint monatlich im New Business Verlag."]
    assert parts.contact == ["New Business Verlag GmbH & Co. KG", "Tel. 040 609009-0", "E-Mail: info@new-business.de"]
    assert parts.originator == "PUBLIC MARKETING"


@pytest.mark.parametrize(
    ("text", "paragraphs"),
    [
        # split: glued paragraph ends
        ("Er war zufrieden.Das nächste Rennen", ["Er war zufrieden.", "Das nächste Rennen"]),
        ("Wirklich?Ja", ["Wirklich?", "Ja"]),
        ("Toll!Weiter", ["Toll!", "Weiter"]),
        ('von Rennen zu Rennen."Das sagte', ['von Rennen zu Rennen."', "Das sagte"]),
        ("gut.“Die Firma", ["gut.“", "Die Firma"]),
        ("Vertrieb (DACH)Die Firma", ["Vertrieb (DACH)", "Die Firma"]),
        ("unter www.example.de.Das nächste", ["unter www.example.de.", "Das nächste"]),
        ("die USA.Die Firma", ["die USA.", "Die Firma"]),
        ("siehe www.example.dePressekontakt:", ["siehe www.example.de", "Pressekontakt:"]),
        # not split: abbreviations, URLs, domains, acronyms, numbers, opening quotes
        ("z.B.Das ist so", ["z.B.Das ist so"]),
        ("u.a.Die Firma", ["u.a.Die Firma"]),
        ("siehe www.Example.de und mehr", ["siehe www.Example.de und mehr"]),
        ("Mail an info@Firma.De bitte", ["Mail an info@Firma.De bitte"]),
        ("https://example.com/Pfad.Datei", ["https://example.com/Pfad.Datei"]),
        ("Besuchen Sie Muster.de heute", ["Besuchen Sie Muster.de heute"]),
        ("bei Dr.Müller", ["bei Dr.Müller"]),
        ("mit ASP.NET gebaut", ["mit ASP.NET gebaut"]),
        ("auf dem 1.Platz", ["auf dem 1.Platz"]),
        ('Er sagte:"Rekorde sind egal"', ['Er sagte:"Rekorde sind egal"']),
        ("Uhrzeit 10:30 Uhr", ["Uhrzeit 10:30 Uhr"]),
        ("(Über uns: mehr)", ["(Über uns: mehr)"]),
    ],
)
def test_glue_heuristic(text: str, paragraphs: list[str]) -> None:
    assert split_flat_text(text) == paragraphs


def test_plain_text_blank_lines() -> None:
    text = "Köln (ots) - Erster\nAbsatz geht weiter.\n\n\nZweiter.\n \nPressekontakt:\nMax\nTel. 1\n\nOriginal-Content von: X, übermittelt durch news aktuell\n"
    assert split_flat_text(text) == [
        "Köln (ots) - Erster Absatz geht weiter.",
        "Zweiter.",
        "Pressekontakt:",
        "Max",
        "Tel. 1",
        "Original-Content von: X, übermittelt durch news aktuell",
    ]


def test_plain_text_single_newlines() -> None:
    assert split_flat_text("Erster.\nZweiter.\r\nDritter.") == ["Erster.", "Zweiter.", "Dritter."]


def test_heading_line_inside_a_block_starts_a_paragraph() -> None:
    text = "Erster.\nÜber ACME:\nACME baut.\n\nZweiter Block."
    assert split_flat_text(text) == ["Erster.", "Über ACME: ACME baut.", "Zweiter Block."]


def test_flat_text_never_glues() -> None:
    paragraphs = ["Eins ohne Punkt", "zwei klein", "Drei.", "Pressekontakt:", "Max"]
    out = split_flat_text("\n\n".join(paragraphs))
    assert out == paragraphs
    assert split_flat_text("") == []


# --- raw text: what the page shows ----------------------------------------------------------


def test_key_is_the_first_steps_of_cleaning() -> None:
    from crawler.grammar import key

    assert key("  Presse\u00adkontakt:\u00a0 Max\u200b ") == "Pressekontakt: Max"
    assert key("U\u0308ber ACME:") == "Über ACME:"  # NFD -> NFC
    assert key("Eins\nzwei\x07") == "Eins zwei"
    assert key("Ãœber") == "Ãœber", "no mojibake repair: that is the normaliser's"
    assert key("") == "" and key(" \u00a0\u200b ") == ""


def test_raw_paragraphs_are_matched_on_their_key_and_come_back_raw() -> None:
    from crawler.grammar import read_release

    paragraphs = [
        "Hamburg\u00a0(ots) -\u00a0Rund\u00a075 Prozent.",
        "Ver\u00adwaltung\u00a0bleibt\nwichtig.",
        "U\u0308ber ACME:",  # NFD
        "ACME\u00a0baut.",
        "Presse\u00adkontakt:",
        "Max\u00a0Mustermann",
        "Original-Content von:\u00a0ACME\u00a0AG, übermittelt durch news aktuell",
    ]
    parts = read_release(paragraphs)
    assert parts == ReleaseParts(
        dateline="Hamburg",
        body=["Rund 75 Prozent.", "Ver\u00adwaltung\u00a0bleibt\nwichtig."],  # the cut one in key form, the other raw
        about=["U\u0308ber ACME:", "ACME\u00a0baut."],
        contact=["Max\u00a0Mustermann"],
        originator="ACME AG",
    )


def test_mojibake_headings_are_known_too() -> None:
    # the normaliser would have repaired them (ftfy) before it looked for sections
    parts = split_release(["Text.", "Ãœber ACME:", "ACME baut.", "Pressekontakt:", "Max",
                           "Original-Content von: ACME, Ã¼bermittelt durch news aktuell"])
    assert parts.about == ["Ãœber ACME:", "ACME baut."]
    assert (parts.contact, parts.originator) == (["Max"], "ACME")


def test_a_br_block_is_split_at_heading_lines_and_kept_whole_otherwise() -> None:
    from crawler.grammar import read_release, split_paragraphs

    assert split_paragraphs(["Eins\u00a0eins.\nZwei.", "Drei."]) == ["Eins\u00a0eins.\nZwei.", "Drei."]
    assert split_paragraphs(["Text eins.\nÜber ACME:\nACME baut.", "Zwei."]) == [
        "Text eins.", "Über ACME:\nACME baut.", "Zwei."
    ]
    parts = read_release(["Text.\nPressekontakt:\nMax\nTel. 1", "Original-Content von: X"])
    assert (parts.body, parts.contact, parts.originator) == (["Text."], ["Max", "Tel. 1"], "X")
    # lines that were one paragraph before the contact are one contact line
    parts = read_release(["Text.", "Kontakt: Erika", "Zwei\nDrei"])
    assert parts.contact == ["Erika", "Zwei Drei"]


def test_glued_paragraphs_and_contact_lines_in_the_dom_are_cut() -> None:
    from crawler.grammar import read_release

    parts = read_release(["Er war zufrieden.Das nächste Rennen kommt.", "Pressekontakt:",
                          "Max MustermannTel. 040 123", "presse@x.deFax 1"])
    assert parts.body == ["Er war zufrieden.", "Das nächste Rennen kommt."]
    assert parts.contact == ["Max Mustermann", "Tel. 040 123", "presse@x.de", "Fax 1"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Köln (ots)", ("Köln", "")),
        ("Hamburg (ots) - Text", ("Hamburg", "Text")),
        ("Berlin (OTS/PRNewswire) -", ("Berlin", "")),
        ("Halle (Saale) (ots): Text", ("Halle (Saale)", "Text")),
        ("(ots) - Text", ("", "Text")),
        ("Ko\u0308ln\u00a0(ots)\u00a0–", ("Köln", "")),
        ("Ein Satz ohne Ortsmarke.", None),
    ],
)
def test_parse_dateline(text: str, found: tuple[str, str] | None) -> None:
    from crawler.grammar import parse_dateline

    assert parse_dateline(text) == found


def test_originator_lines() -> None:
    from crawler.grammar import find_originator, parse_originator

    assert parse_originator("Original-Content von: A, B & C GmbH, übermittelt durch news aktuell") == "A, B & C GmbH"
    assert parse_originator("Original Content from: Acme, distributed by news aktuell") == "Acme"
    assert parse_originator("Text. Original-Content von: X, übermittelt durch news aktuell") is None
    assert find_originator("Tel. 1 Original-Content von: X, übermittelt durch news aktuell") == "X"
    assert find_originator("Kein Absender.") is None


def test_contact_headings_and_marked_contact_lines() -> None:
    from crawler.grammar import contact_lines, is_contact_heading

    assert all(is_contact_heading(h) for h in ["Pressekontakt:", "Pressekontakte", "Press contacts:", "Media contact",
                                               "Medienkontakt:", "Kontakt", "Contact:", "PRESSE\u00adKONTAKT"])
    assert not is_contact_heading("Pressekontakt: Max") and not is_contact_heading("Kontakt zu Kunden")
    assert contact_lines(["\u00a0", "Pressekontakt:", "Max", "\u200b", "Tel. 1"]) == ["Max", "Tel. 1"]
    assert contact_lines(["Max", "Pressekontakt:"]) == ["Max", "Pressekontakt:"], "only a heading opening the block"


@pytest.mark.parametrize(
    ("description", "parts"),
    [
        ("TravelTrex GmbH - Köln (ots) - Deutschlands größter ...", ("TravelTrex GmbH - Köln", "Deutschlands größter ...")),
        ("Köln (ots) - Text", ("Köln", "Text")),
        ("Ein Teaser ohne Ortsmarke", ("", "Ein Teaser ohne Ortsmarke")),
    ],
)
def test_split_description(description: str, parts: tuple[str, str]) -> None:
    from crawler.grammar import split_description

    assert split_description(description) == parts


def test_a_new_heading_is_one_line_in_the_vocabulary(monkeypatch: pytest.MonkeyPatch) -> None:
    """A heading added as one line of CONTACT_HEADINGS_STRONG is a contact heading
    everywhere: a paragraph, a line after a <br>, glued text (its initial, here one no
    other heading opens with, is known to the shortcuts too)."""
    import importlib.util
    import sys
    from pathlib import Path

    import crawler.grammar as grammar

    source = Path(grammar.__file__).read_text(encoding="utf-8")
    anchor = '    "Ansprechpartner(?:in)?",\n'
    assert anchor in source, "CONTACT_HEADINGS_STRONG changed shape: update this test's anchor"
    spec = importlib.util.spec_from_loader("grammar_extended", loader=None)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "grammar_extended", module)
    exec(compile(source.replace(anchor, anchor + '    "Infos für Redaktionen",\n'), "grammar_extended", "exec"),
         module.__dict__)

    assert grammar.split_release(["Text.", "Infos für Redaktionen:", "Polizei"]).contact == []
    assert module.split_release(["Text.", "Infos für Redaktionen:", "Polizei"]).contact == ["Polizei"]
    assert module.read_release(["Text.\nInfos für Redaktionen:\nPolizei\nTel. 1"]).contact == ["Polizei", "Tel. 1"]
    assert module.split_flat_text("Text.Infos für Redaktionen:Polizei") == ["Text.", "Infos für Redaktionen:", "Polizei"]
