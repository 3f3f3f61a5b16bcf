"""decode_html: honour a correct charset, read Latin-1 as windows-1252, repair mislabels, never raise."""

from __future__ import annotations

import pytest

from crawler.extract.encoding import decode_html
from crawler.extract.story import extract_story
from tests.extract.helpers import FIXTURES

TEXT = "Größter Zuschuss für „Bürgerbus“: 25.000 € – Köln"


@pytest.mark.parametrize(
    ("body", "declared"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-8"), None),
        (TEXT.encode("cp1252"), "windows-1252"),
        (TEXT.encode("cp1252"), "ISO-8859-1"),  # browsers read Latin-1 as windows-1252
        (TEXT.encode("cp1252"), "latin1"),
        (TEXT.encode("cp1252"), "utf-8"),  # mislabelled: the bytes are not UTF-8
        (TEXT.encode("cp1252"), None),
        (TEXT.encode("utf-8"), "iso-8859-1"),  # mislabelled: valid multi-byte UTF-8
        (TEXT.encode("utf-8"), "windows-1252"),
        (TEXT.encode("utf-8"), "no-such-charset"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "windows-1252"),  # a BOM wins
        (TEXT.encode("utf-16"), None),
    ],
    ids=[
        "utf8", "utf8-undeclared", "cp1252", "latin1-label", "latin1-alias", "cp1252-labelled-utf8",
        "cp1252-undeclared", "utf8-labelled-latin1", "utf8-labelled-cp1252", "unknown-label", "bom", "utf16-bom",
    ],
)
def test_decodes_to_the_right_text(body: bytes, declared: str | None) -> None:
    assert decode_html(body, declared) == TEXT


def test_meta_charset_is_honoured_without_a_header() -> None:
    body = b'<html><head><meta charset="windows-1252"></head><body>K\xf6ln \x84x\x93</body></html>'
    assert "Köln „x“" in decode_html(body, None)
    body = b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">\x80'
    assert decode_html(body, None).endswith("€")


def test_other_correct_charsets_are_honoured() -> None:
    assert decode_html("Grüße".encode("iso-8859-15"), "iso-8859-15") == "Grüße"
    assert decode_html("Zürich".encode("cp850"), "cp850") == "Zürich"


def test_utf8_page_with_one_damaged_byte_stays_utf8() -> None:
    body = ("Köln " * 20).encode("utf-8") + b"\x96" + "Grüße".encode("utf-8")
    text = decode_html(body, "utf-8")
    assert text.startswith("Köln Köln") and text.endswith("Grüße")


@pytest.mark.parametrize(
    "body",
    [b"", b"\x00\xff\xfe\xfd", bytes(range(256)), b"\x81\x8d\x8f\x90\x9d", b"<meta charset=\"\">abc"],
    ids=["empty", "junk", "all-bytes", "cp1252-undefined", "empty-meta"],
)
@pytest.mark.parametrize("declared", [None, "utf-8", "latin-1", "utf-16", "bogus"])
def test_never_raises(body: bytes, declared: str | None) -> None:
    assert isinstance(decode_html(body, declared), str)


def test_windows_1252_fixture_extracts_like_its_utf8_twin() -> None:
    raw = (FIXTURES / "story" / "windows-1252.html").read_bytes()
    page = extract_story(decode_html(raw, "ISO-8859-1"), "https://www.presseportal.de/pm/88002/4640344")
    assert page.title == "Größter Zuschuss für „Bürgerbus“"
    assert page.body == ["Der „Bürgerbus“ bekommt 25.000 € – mehr als je zuvor."]
    twin = extract_story(decode_html(raw, "utf-8"), "https://www.presseportal.de/pm/88002/4640344")
    assert twin == page


def test_a_pages_references_are_decoded_once_and_its_literal_ones_stay() -> None:
    # the page writes "AT&amp;amp;T" and shows "AT&amp;T": that is the release's text; the
    # normaliser never decodes again (only a dump's text is: crawler/imports/records.py)
    from crawler.normalize.release import normalize_release
    from tests.extract.helpers import REFERENCE_URL, reference_html

    html = reference_html().replace("<h1", "<h1>M&uuml;ller AT&amp;amp;T</h1><h1 class=\"was\"", 1)
    release = normalize_release(extract_story(html, REFERENCE_URL))
    assert release.title == "Müller AT&amp;T"
