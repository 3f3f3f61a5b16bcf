"""Text cleaning and release structure: debris, spaces, NFC, mojibake, sections, glue."""

from __future__ import annotations

import unicodedata

import pytest

from crawler.normalize.text import (
    DEBRIS,
    ReleaseParts,
    clean_block,
    clean_inline,
    clean_paragraphs,
    split_flat_text,
    split_release,
)

# --- clean_inline -------------------------------------------------------------------------

DEBRIS_CASES = [
    ("\u00ad", "soft hyphen"),
    ("\u200b", "zero-width space"),
    ("\u200c", "zero-width non-joiner"),
    ("\u200d", "zero-width joiner"),
    ("\u2060", "word joiner"),
    ("\ufeff", "BOM"),
]


@pytest.mark.parametrize(("char", "name"), DEBRIS_CASES, ids=[n for _, n in DEBRIS_CASES])
def test_debris_is_removed(char: str, name: str) -> None:
    assert clean_inline(f"Presse{char}mitteilung") == "Pressemitteilung"
    assert clean_inline(f"{char}Köln{char}") == "Köln"
    assert clean_inline(f"a {char} b") == "a b"


def test_debris_constant_matches_the_cases() -> None:
    assert set(DEBRIS) == {c for c, _ in DEBRIS_CASES}


SPACES = ["\u00a0", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006",
          "\u2007", "\u2008", "\u2009", "\u200a", "\u202f", "\u205f", "\u3000", "\t", "\n",
          "\r\n", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"]


@pytest.mark.parametrize("space", SPACES, ids=[f"U+{ord(s[-1]):04X}" for s in SPACES])
def test_exotic_spaces_become_one_plain_space(space: str) -> None:
    assert clean_inline(f"Hamburg{space}Altona") == "Hamburg Altona"
    assert clean_inline(f"{space}Hamburg {space} {space}Altona{space}") == "Hamburg Altona"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("f\u0075\u0308r", "für"),  # NFD
        ("Ko\u0308ln", "Köln"),
        ("A\u0308rger u\u0308ber O\u0308l", "Ärger über Öl"),
        ("fÃ¼r", "für"),  # UTF-8 read as windows-1252
        ("MÃ¼nchen, GrÃ¶ÃŸe, StraÃŸe", "München, Größe, Straße"),
        ("Ã„rger Ãœbel Ã–l", "Ärger Übel Öl"),
        ("Preis: 10 â‚¬", "Preis: 10 €"),
        ("Berlin â€“ heute", "Berlin – heute"),
        ("fÃ\u00adr", "fÃr"),  # a soft hyphen in mojibake is debris first; the rest is not repairable
        ("Stra\u00dfe", "Straße"),
    ],
)
def test_nfc_and_mojibake(raw: str, clean: str) -> None:
    assert clean_inline(raw) == clean
    assert unicodedata.is_normalized("NFC", clean_inline(raw))


@pytest.mark.parametrize(
    "text",
    [
        "„Wir sind zufrieden“, sagte er.",
        "»Buchtitel« und ‚halb‘",
        "“English quotes” and ‘single’",
        "Das kostet 10 € – nicht 20 €…",
        "Ski-WM 2015: \"Ich denke von Rennen zu Rennen.\"",
        "AT&amp;T &lt;b&gt;",  # entities were decoded once already: do not decode twice
        "Ｆｕｌｌ ｗｉｄｔｈ",  # kept as published
    ],
)
def test_typography_kept(text: str) -> None:
    assert clean_inline(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "The company's CEO said: “We are delighted.”",
        "Hamburg (ots) - Press release in English, 10 % growth; see www.example.com.",
        "Café résumé naïve façade",
    ],
)
def test_english_text_only_generic_cleaning(text: str) -> None:
    assert clean_inline(text) == text
    assert clean_inline(text.replace(" ", "\u00a0 ") + "\u200b") == text


def test_controls_and_ligatures() -> None:
    assert clean_inline("Finanz\x00bericht\x07") == "Finanzbericht"
    assert clean_inline("ﬁnanziell ﬂexibel") == "finanziell flexibel"
    assert clean_inline("") == ""
    assert clean_inline("   \u00a0\u200b ") == ""


def test_clean_block_keeps_lines() -> None:
    raw = "  TravelTrex\u00a0GmbH \r\nChristian  Neuwerth\n\n \u200b \npresse@traveltrex.com\nTel. +49 (0) 221-33 606-2513 "
    assert clean_block(raw) == (
        "TravelTrex GmbH\nChristian Neuwerth\npresse@traveltrex.com\nTel. +49 (0) 221-33 606-2513"
    )
    assert clean_block("a\u2028b\rc") == "a\nb\nc"
    assert clean_block("") == ""


def test_clean_paragraphs_drops_empty() -> None:
    assert clean_paragraphs([" ", "\u00a0", "Eins ", "", "\u200b", " Zwei"]) == ["Eins", "Zwei"]


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
        about="",
        contact="",
        originator="",
    )


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
        about="Über PUBLIC MARKETING:\n\nDas Fachmagazin für Kommunikation.\n\nEs erscheint monatlich.",
        contact="New Business Verlag\nTel. 040 609009-0",
        originator="PUBLIC MARKETING",
    )


@pytest.mark.parametrize(
    "headline",
    ["Pressekontakt:", "Pressekontakt", "PRESSEKONTAKT:", "Kontakt:", "Press contact:", "Contact:"],
)
def test_contact_headlines(headline: str) -> None:
    parts = split_release(["Text.", headline, "Max Mustermann", "Tel. 1"])
    assert parts.body == ["Text."]
    assert parts.contact == "Max Mustermann\nTel. 1"


def test_contact_text_after_headline_and_multiline_paragraph() -> None:
    parts = split_release(["Text.", "Pressekontakt: Max Mustermann", "Tel. 1\nFax 2"])
    assert parts.contact == "Max Mustermann\nTel. 1\nFax 2"


def test_kontakt_inside_a_sentence_is_body() -> None:
    parts = split_release(["Kontakt zu Kunden ist wichtig.", "Pressekontakt:", "Max"])
    assert parts.body == ["Kontakt zu Kunden ist wichtig."]
    assert parts.contact == "Max"


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
    assert parts.about == "Über ACME: ACME baut Raketen.\n\nSeit 1949."


def test_about_company_names_with_dots() -> None:
    parts = split_release(["Text.", "Über die Muster GmbH & Co. KG:", "Sie baut.", "Über den Verein e.V.:", "Er hilft."])
    assert parts.body == ["Text."]
    assert parts.about.startswith("Über die Muster GmbH & Co. KG:")
    assert parts.about.endswith("Über den Verein e.V.:\n\nEr hilft.")


def test_body_paragraph_starting_with_uber_is_kept_when_a_real_heading_exists() -> None:
    paras = ["Text.", "Über die Zukunft sprach er: Sie wird gut.", "Über ACME:", "ACME baut."]
    parts = split_release(paras)
    assert parts.body == ["Text.", "Über die Zukunft sprach er: Sie wird gut."]
    assert parts.about == "Über ACME:\n\nACME baut."


def test_english_release() -> None:
    parts = split_release(
        ["Berlin (ots) - We are delighted.", "About ACME:", "ACME builds rockets.", "Press contact:", "Jane Doe",
         "Original content of: ACME, transmitted by news aktuell"]
    )
    assert parts == ReleaseParts("Berlin", ["We are delighted."], "About ACME:\n\nACME builds rockets.", "Jane Doe", "ACME")


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
    assert parts.about == "Über PUBLIC MARKETING:\n\nDas Fachmagazin erscheint monatlich im New Business Verlag."
    assert parts.contact == "New Business Verlag GmbH & Co. KG\nTel. 040 609009-0\nE-Mail: info@new-business.de"
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
