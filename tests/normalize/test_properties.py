"""Property tests: cleaning is idempotent, total, and loses no letter or digit.

"Loses no letter" needs care, because ftfy rewrites mojibake ON PURPOSE
("fÃ¼r" -> "für" drops the letter "Ã"). So there are two properties:

- on text from an alphabet in which ftfy has nothing to repair (German and
  other scripts, digits, punctuation, typographic quotes, combining marks, all
  the debris and all the spaces -- but not the Latin-1/C1/Mac Roman characters
  mojibake is made of, see SAFE_ALPHABET; and no letter-then-punctuation pair that
  IS windows-1252 mojibake, see `mojibake_shaped`), the letters and digits come out exactly: the multiset of
  letters/digits of NFC(input minus debris) equals that of the output;
- on arbitrary Unicode, the same holds whenever ftfy's encoding repair does
  not apply to the input; when it does apply, the test records the event and
  the mojibake tables in test_text.py check the repair itself.

Latin ligatures (U+FB00-FB06) are expanded on purpose ("ﬁ" -> "fi"); the
expected multiset expands them too.
"""

from __future__ import annotations

import os
import unicodedata
from collections import Counter

import ftfy
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from crawler.grammar import HARD_BREAK, split_flat_text, split_release
from crawler.normalize.dates import DateParseError, parse_published
from crawler.normalize.text import (
    DEBRIS,
    FTFY_CONFIG,
    clean_block,
    clean_inline,
    clean_paragraphs,
)

# modest: CI has two cores
PROFILE = settings(max_examples=int(os.environ.get("NORMALIZE_MAX_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow])

LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
             "\ufb05": "\u017ft", "\ufb06": "st"}

SPACES = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\n\r"
SAFE_ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "äöüÄÖÜßéèçñ"  # precomposed letters
    "\u0308\u0301\u0300\u0327"  # combining marks (NFD input)
    " .,;:!?-–—…()/@&%€$§\"'„“”‚‘’»«"  # punctuation and typographic quotes
    "αβγΩЖжщ漢字한글"  # other scripts
    + DEBRIS
    + SPACES
)
# Not in the alphabet: Latin ligatures. "ﬁ" is a Mac Roman character, and "ﬁÄ" IS
# valid Mac-Roman mojibake (of U+0780), which ftfy repairs. Ligatures alone are
# tested in test_text.py; this file does not pretend ftfy cannot misfire.


def _cp1252_byte(ch: str) -> int | None:
    try:
        return ch.encode("cp1252")[0] if len(ch.encode("cp1252")) == 1 else None
    except UnicodeEncodeError:
        return None


def mojibake_shaped(s: str) -> bool:
    """True when the text (debris removed) holds a UTF-8 lead byte read as windows-1252
    ("Ä", 0xC4) followed by a continuation byte read the same way ("§", 0xA7):
    "Ä§" IS the mojibake of "ħ" and ftfy repairs it, on purpose. German prose
    does not put a capital umlaut straight before "§", "‘" or "–"."""
    t = s.translate({ord(c): None for c in DEBRIS})
    for a, b in zip(t, t[1:]):
        lead, cont = _cp1252_byte(a), _cp1252_byte(b)
        if lead is not None and cont is not None and 0xC2 <= lead <= 0xF4 and 0x80 <= cont <= 0xBF:
            return True
    return False


safe_text = st.text(alphabet=SAFE_ALPHABET, max_size=200).filter(lambda s: not mojibake_shaped(s))


def letters_digits(s: str) -> Counter[str]:
    return Counter(ch for ch in s if ch.isalnum())


def expected_letters(s: str) -> Counter[str]:
    without = s.translate({ord(c): None for c in DEBRIS})
    for lig, plain in LIGATURES.items():
        without = without.replace(lig, plain)
    return letters_digits(unicodedata.normalize("NFC", without))


@PROFILE
@given(st.text(max_size=300))
def test_clean_inline_total_and_idempotent(s: str) -> None:
    once = clean_inline(s)
    assert clean_inline(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert not any(c in once for c in DEBRIS)
    assert "  " not in once and once == once.strip()
    assert not any(c.isspace() and c != " " for c in once)


@PROFILE
@given(st.text(max_size=300))
def test_clean_block_total_and_idempotent(s: str) -> None:
    once = clean_block(s)
    assert clean_block(once) == once
    assert all(line and line == clean_inline(line) for line in once.split("\n")) or once == ""


@PROFILE
@given(safe_text)
def test_no_letter_lost_on_text_without_mojibake(s: str) -> None:
    assert letters_digits(clean_inline(s)) == expected_letters(s)
    assert letters_digits(clean_block(s)) == expected_letters(s)


@PROFILE
@given(st.text(max_size=200))
def test_no_letter_lost_unless_ftfy_repairs_mojibake(s: str) -> None:
    # what clean_inline hands to ftfy: debris out, every space a plain space
    prepared = "".join(" " if c.isspace() else c for c in s if c not in DEBRIS)
    if ftfy.fix_encoding(prepared) != prepared or ftfy.fix_text(prepared, FTFY_CONFIG) != unicodedata.normalize(
        "NFC", "".join(LIGATURES.get(c, c) for c in prepared)
    ):
        event("ftfy rewrote the input on purpose (mojibake, C1 controls, surrogates)")
        return
    assert letters_digits(clean_inline(s)) == expected_letters(s)


@PROFILE
@given(st.lists(safe_text, max_size=8))
def test_split_flat_text_never_glues_and_keeps_letters(paragraphs: list[str]) -> None:
    text = "\n\n".join(paragraphs)
    out = split_flat_text(text)
    # every output paragraph lies inside one input paragraph: nothing was glued (list
    # items of one paragraph come back as one, their lines joined by HARD_BREAK)
    cleaned = [clean_inline(p) for p in paragraphs]
    for piece in out:
        assert any(piece.replace(HARD_BREAK, " ") in c for c in cleaned), f"{piece!r} spans paragraphs"
    expected = sum((expected_letters(p) for p in paragraphs), Counter())
    assert letters_digits("".join(out)) == expected


@PROFILE
@given(st.lists(st.text(max_size=120), max_size=10))
def test_split_release_total_and_idempotent_on_clean_paragraphs(paragraphs: list[str]) -> None:
    paras = clean_paragraphs(paragraphs)
    parts = split_release(paras)
    # cleaning the parts again changes nothing (a clean paragraph's lines are the hard
    # lines of a list or table: given as such, they stay)
    assert clean_paragraphs([p.replace("\n", HARD_BREAK) for p in parts.body]) == parts.body
    assert clean_inline(parts.dateline) == parts.dateline
    assert clean_inline(parts.originator) == parts.originator
    # body paragraphs are input paragraphs (or the first one without its dateline)
    for p in parts.body:
        assert any(p == q or q.endswith(p) for q in paras)


@PROFILE
@given(st.text(max_size=60))
def test_parse_published_raises_only_date_parse_error(s: str) -> None:
    try:
        parsed = parse_published(s, now=parse_published("21.01.2021 – 10:30").instant)
    except DateParseError as exc:
        assert s in str(exc)
    else:
        assert parsed.instant.utcoffset().total_seconds() == 0 and parsed.raw == s


@PROFILE
@given(st.datetimes(min_value=__import__("datetime").datetime(1990, 1, 1),
                    max_value=__import__("datetime").datetime(2040, 1, 1)))
def test_site_format_round_trip(local) -> None:
    from crawler.normalize.dates import BERLIN

    local = local.replace(second=0, microsecond=0)
    for raw in (f"{local:%d.%m.%Y} – {local:%H:%M}", f"{local:%Y-%m-%dT%H:%M:%S}"):
        parsed = parse_published(raw)
        back = parsed.instant.astimezone(BERLIN)
        if not parsed.ambiguous:
            assert back.replace(tzinfo=None) == local
        else:  # a gap reads one hour later on the clock, an overlap is the same wall time
            assert back.replace(tzinfo=None) in (local, local + __import__("datetime").timedelta(hours=1))


@PROFILE
@given(st.text(max_size=200) | safe_text)
def test_ftfy_gate_never_changes_the_result(s: str) -> None:
    """clean_inline skips ftfy when the text holds nothing ftfy could repair; with
    ftfy forced on every string the result must be the same."""
    import re
    from unittest import mock

    import crawler.normalize.text as text

    gated = clean_inline(s)
    with mock.patch.object(text, "_FTFY_GATE", re.compile("")):
        forced = clean_inline(s)
    assert gated == forced
