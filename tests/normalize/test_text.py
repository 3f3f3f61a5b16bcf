"""Text cleaning: debris, spaces, NFC, mojibake (sections and glue: tests/grammar)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalize.text import (
    DEBRIS,
    clean_block,
    clean_inline,
    clean_paragraphs,
    unescape_references,
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
        ("fÃ¼r und Ã¤hm, 10 €", "für und ähm, 10 €"),  # mojibake beside good text (decode_inconsistent_utf8)
    ],
)
def test_nfc_and_mojibake(raw: str, clean: str) -> None:
    assert clean_inline(raw) == clean
    assert unicodedata.is_normalized("NFC", clean_inline(raw))


def test_repairs_through_other_encodings_are_refused_inside_mixed_text_too() -> None:
    # hypothesis found it (test_properties: the gate never changes a result): ftfy's
    # decode_inconsistent_utf8 read Greek "ΰ£‘" as windows-1253 mojibake of "࣑"; the
    # site's mojibake is windows-1252/Latin-1 only, inside mixed text as well
    from crawler.normalize import text

    assert text._ftfy("ΰ£‘¡") == "ΰ£‘¡"
    assert text._ftfy("fÃ¼r und Ã¤hm, 10 €") == "für und ähm, 10 €"


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


# --- the printable fast path ----------------------------------------------------------------


def test_the_printable_shortcut_never_changes_the_collapse() -> None:
    """Printable text without double or outer spaces skips the debris/whitespace pass.
    That is right only while no printable character but the space is whitespace or
    debris: checked for every code point (debris is Cf, controls Cc, spaces Z*)."""
    import crawler.normalize.text as text

    surprises = [
        f"U+{cp:04X}" for cp in range(0x110000)
        if (c := chr(cp)).isprintable() and c != " " and (c.isspace() or text._STRIP_RE.match(c))
    ]
    assert surprises == []
    for s in ("a b", "a  b", " a", "a ", "a\u00a0b", "a\u00adb", "", "für"):
        assert text._collapse(s) == " ".join(text._STRIP_RE.sub("", s).split())


@pytest.mark.parametrize(("raw", "clean"), [
    ("Pressekontakt:\u00a0 Max\u00a0Mustermann", "Pressekontakt: Max Mustermann"),  # exotic and double spaces
    ("  fÃ¼r die Presse ", "für die Presse"),  # mojibake with outer spaces
    ("Stra\u00dfe\u00adnfest fÃ¼r alle", "Straßenfest für alle"),  # debris beside mojibake
    ("Caf\u0065\u0301 &amp; Bar", "Café &amp; Bar"),  # NFD letter; the entity stays (decoded once by extraction)
    ("Zeile\u2028zwei\tdrei\x07", "Zeile zwei drei"),  # line separator, tab, control
])
def test_odd_characters_are_still_cleaned_beside_the_shortcut(raw: str, clean: str) -> None:
    assert clean_inline(raw) == clean


@pytest.mark.parametrize("text", ["a\r\nb", "a\n\nb\n", "\n", "a\x0bb\x0cc", "a\x1c\x1d\x1eb", "a\x85b\u2028c\u2029", "\r\r\n a "])
def test_clean_block_splits_at_every_line_break_convention(text: str) -> None:
    # clean_block splits with str.splitlines: the lines of chars.LINE_BREAKS, every one
    from crawler.normalize.chars import LINE_BREAKS

    expected = "\n".join(c for c in map(clean_inline, LINE_BREAKS.split(text)) if c)
    assert clean_block(text) == expected


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab ÄüßÃ¼\u00a0\u00ad\u0301\ufb01\x85\x1a", max_size=10))
def test_the_clean_already_shortcut_is_what_the_full_pass_returns(s: str) -> None:
    # clean_inline returns a printable, NFC, unrepairable string without double or outer
    # spaces as it is: exactly what one full pass (_clean_once) makes of it
    import crawler.normalize.text as text

    if s and s.isprintable() and "  " not in s and s[0] != " " and s[-1] != " " and (
            s.isascii() or (text._FTFY_GATE.search(s) is None and unicodedata.is_normalized("NFC", s))):
        assert text._clean_once(s) == (s, False)
    assert clean_inline(s) == clean_inline(clean_inline(s))


@pytest.mark.parametrize(("escaped", "text"), [
    ("M&uuml;ller &amp; S&ouml;hne", "Müller & Söhne"),  # named
    ("&bdquo;Hallo&ldquo; &ndash; ja", "„Hallo“ – ja"),
    ("T&#252;r &#8222;x&#8220;", "Tür „x“"),  # decimal
    ("T&#xFC;r &#XFC;", "Tür ü"),  # hexadecimal, either case
    ("&#150; &#128;", "– €"),  # windows-1252's, as HTML5 reads them
    ("&amp;uuml; &amp;amp;", "ü &"),  # escaped twice
    ("&amp;amp;amp;amp;", "&amp;"),  # three passes at most: past that it is not escaping
    ("AT&T A & B &unknown; ?a=1&region=de&not", "AT&T A & B &unknown; ?a=1&region=de&not"),  # no reference
    ("ohne", "ohne"),
])
def test_unescape_references(escaped: str, text: str) -> None:
    assert unescape_references(escaped) == text


def test_cleaning_never_decodes_references() -> None:
    # a page's text was decoded by its HTML parse: "&amp;" left in it is the release's own text
    assert clean_inline("AT&amp;T &uuml;") == "AT&amp;T &uuml;"
