"""German press-release text: clean it (`clean_inline`, `clean_block`, `clean_paragraphs`).

Finding the sections of a release (dateline, about, contact, originator) and splitting
flattened text into paragraphs is the release grammar's job (`crawler.grammar`); this
module only cleans characters:

1. debris removed: soft hyphen U+00AD, zero-width space/non-joiner/joiner
   U+200B-U+200D, word joiner U+2060, BOM U+FEFF (`DEBRIS`), and the ASCII
   control characters that are not whitespace;
2. every kind of whitespace (NBSP U+00A0, U+2000-U+200A, narrow NBSP U+202F,
   U+205F, U+3000, tabs, newlines, ...: whatever `str.isspace` says) becomes
   one plain space;
3. mojibake repaired with ftfy ("fÃ¼r" -> "für"), only as UTF-8 read as
   windows-1252/Latin-1 (the site's kind; see ACCEPTED_MOJIBAKE_ENCODINGS), typographic quotes KEPT
   (``uncurl_quotes=False``). ftfy does not unescape HTML (the extractor already
   decoded entities once; a literal "&amp;" in the text must stay, or cleaning
   would not be idempotent), does not touch character width (full-width
   letters stay as published) and does not strip terminal escapes. It does
   expand Latin ligatures (U+FB00-U+FB06, "ﬁ" -> "fi", PDF copy-paste debris),
   map C1 controls to their windows-1252 characters and drop other controls.
   ftfy only runs on text that holds something it could repair (`_FTFY_GATE`;
   a property test checks the gate never changes a result);
4. Unicode NFC; runs of spaces collapse; ends stripped.

Steps 1, 2 and 4 are the grammar's matching key (`crawler.grammar.key`): the debris and
controls are the same characters (`crawler.normalize.chars`), so a key cleans to what
its raw text cleans to.

Cleaning is idempotent: when ftfy changed something, the steps run again until
nothing changes (a repair can expose debris, e.g. "â€‹" is a mojibake ZWSP).

Character references ("&uuml;", "&#252;", "&#xFC;") are not part of cleaning: a page's
text was decoded once by its HTML parse. Text that never went through one (the dumps of
other scrapers, `crawler.imports`) is decoded by `unescape_references` where it comes in.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy
from ftfy.chardata import UTF8_DETECTOR_RE
from ftfy.fixes import unescape_html

from crawler.normalize.chars import DEBRIS, HARD_BREAK, INVISIBLE

__all__ = ["ACCEPTED_MOJIBAKE_ENCODINGS", "DEBRIS", "FTFY_CONFIG", "clean_block", "clean_inline", "clean_paragraphs",
           "unescape_references"]

FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=True,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=True,
    fix_surrogates=True,
    remove_control_chars=True,
    normalization="NFC",
    explain=True,  # to see which encoding a repair assumed
)
# the same without encoding repair, for when the assumed encoding is implausible
_FTFY_NO_ENCODING = FTFY_CONFIG._replace(fix_encoding=False, explain=False)
# Mojibake on this site is UTF-8 read as windows-1252 / Latin-1. ftfy also knows
# Mac Roman and others, and on short strings that misfires on real German:
# "»Ä" would become "Ȁ" (Mac Roman). Repairs through other encodings are refused.
ACCEPTED_MOJIBAKE_ENCODINGS = frozenset({"latin-1", "sloppy-windows-1252", "windows-1252"})


def _refused(steps: list[tuple[str, str]], s: str) -> bool:
    """Did ftfy repair `s` through an encoding the site never uses? An "encode" step names
    it; "decode_inconsistent_utf8" repairs pieces of the text one at a time without naming
    theirs (e.g. Greek "ΰ£‘" read as windows-1253), so each piece it would repair is asked."""
    for action, arg in steps:
        if action == "encode" and arg not in ACCEPTED_MOJIBAKE_ENCODINGS:
            return True
        if action == "apply" and arg == "decode_inconsistent_utf8":
            for m in UTF8_DETECTOR_RE.finditer(s):
                inner = ftfy.fix_encoding_and_explain(m.group(0)).explanation or []
                if any(a == "encode" and e not in ACCEPTED_MOJIBAKE_ENCODINGS for a, e in inner):
                    return True
    return False


def _ftfy(s: str) -> str:
    fixed, steps = ftfy.fix_and_explain(s, FTFY_CONFIG)
    if steps and _refused(steps, s):
        return ftfy.fix_text(s, _FTFY_NO_ENCODING)
    return fixed


def _cp1252_continuations() -> str:
    """Every character that windows-1252 (or Latin-1) makes of a UTF-8 continuation byte."""
    chars = {chr(b) for b in range(0x80, 0xC0)}  # Latin-1 view, C1 controls included
    for b in range(0x80, 0xC0):
        try:
            chars.add(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            pass
    return "".join(sorted(chars))


# ftfy can only change (in FTFY_CONFIG) text that holds one of these; everything else
# skips it, which makes clean_inline several times faster on ordinary German text:
# - a UTF-8 lead byte as windows-1252/Latin-1 (U+00C2-U+00F4) followed by a
#   continuation byte as windows-1252/Latin-1, a space (restore_byte_a0: "Ã " was
#   "à"), U+FFFD or U+001A (replace_lossy_sequences);
# - C1 controls, Latin ligatures, U+FFFD, lone surrogates, the controls ftfy drops.
# test_properties checks that the gate never changes the result.
# Written as ONE leading character class (lead bytes and the lone suspects), then a
# check on the next character only after a lead byte: a pattern that opens with a
# class lets `re` skip ahead to candidates instead of trying an alternation at every
# position (3x faster on German text). Same matches as
# "[lead][continuation ...]|[suspects]": the two classes are disjoint.
_MOJIBAKE_LEAD = "\u00c2-\u00f4"
_FTFY_SUSPECTS = "\x80-\x9f\ufb00-\ufb06\ufffd\ud800-\udfff\u206a-\u206f\ufff9-\ufffc\x1a"
_FTFY_GATE = re.compile(
    f"[{_MOJIBAKE_LEAD}{_FTFY_SUSPECTS}]"
    f"(?:(?<=[{_MOJIBAKE_LEAD}])[" + re.escape(_cp1252_continuations()) + " \ufffd\x1a]"
    f"|(?<![{_MOJIBAKE_LEAD}]))"
)


_DEBRIS_RE = re.compile(f"[{DEBRIS}]")
# debris and the ASCII controls, removed before anything looks at neighbouring
# characters (a control between "Ã" and "¼" would hide mojibake until pass two)
_STRIP_RE = re.compile(f"[{INVISIBLE}]")


def _collapse(s: str) -> str:
    """Debris and controls out, every run of whitespace (NBSP & co.) one space, ends
    stripped: steps 1 and 2."""
    # Most text has nothing for it to do: printable text holds no debris, no control and
    # no whitespace but the plain space (debris is Cf, controls Cc, other spaces Z*), so
    # without two spaces in a row or a space at its ends it is collapsed already
    if s.isprintable() and "  " not in s and s[:1] != " " and s[-1:] != " ":
        return s
    # str.split() splits at every str.isspace() character, so this maps NBSP & co. to
    # one space, collapses runs and strips (faster than str.translate)
    return " ".join(_STRIP_RE.sub("", s).split())


def _clean_once(s: str) -> tuple[str, bool]:
    """One pass of the cleaning steps; also whether ftfy changed anything."""
    s = _collapse(s)
    if s.isascii():
        return s, False  # nothing for ftfy or NFC to do; already collapsed
    repaired = False
    if _FTFY_GATE.search(s) is None:
        # nothing ftfy could repair: its remaining work is NFC
        if unicodedata.is_normalized("NFC", s):
            return s, False  # unchanged since the collapse above
        s = unicodedata.normalize("NFC", s)
    else:
        fixed = _ftfy(s)
        if fixed != s:
            repaired = True
            # a repair can produce debris or exotic spaces; their removal can
            # bring a base letter and a combining mark together again
            s = unicodedata.normalize("NFC", _DEBRIS_RE.sub("", fixed))
        else:
            s = fixed
    # NFC maps U+2000/U+2001 to U+2002/U+2003: collapse last
    return " ".join(s.split()), repaired


def clean_inline(s: str) -> str:
    """One line of clean text: debris out, spaces collapsed, mojibake repaired, NFC."""
    if not s:
        return ""
    # Most strings are clean already: _clean_once's answer for them, without its calls
    # (printable text without double or outer spaces is collapsed already, see _collapse;
    # then ASCII, or nothing for ftfy and NFC already, is left as it is)
    if s.isprintable() and "  " not in s and s[0] != " " and s[-1] != " " and (
            s.isascii() or (_FTFY_GATE.search(s) is None and unicodedata.is_normalized("NFC", s))):
        return s
    out, repaired = _clean_once(s)
    # ftfy repairs can expose new work; iterate to a fixed point (bounded)
    for _ in range(4):
        if not repaired:
            break
        again, repaired = _clean_once(out)
        if again == out:
            break
        out = again
    return out


def clean_block(s: str) -> str:
    """Multi-line text (contact blocks): each line cleaned, breaks kept, empty lines dropped."""
    if not s:
        return ""
    # str.splitlines knows the breaks chars.LINE_BREAKS does (and is faster); it only leaves out
    # a last empty line, which is dropped here anyway
    lines = (clean_inline(line) for line in s.splitlines())
    return "\n".join(line for line in lines if line)


def clean_paragraphs(paragraphs: list[str]) -> list[str]:
    """Each paragraph cleaned inline; empty ones dropped. The lines of a list or table
    (HARD_BREAK between them, `crawler.normalize.chars`) are cleaned one by one and kept
    as lines ("\n"); any other line break inside a paragraph (a `<br>`) is a space."""
    out = []
    for p in paragraphs:
        if HARD_BREAK in p:
            c = "\n".join(line for line in map(clean_inline, p.split(HARD_BREAK)) if line)
        else:
            c = clean_inline(p)
        if c:
            out.append(c)
    return out


# a dump escaped twice ("&amp;uuml;") needs two passes; more than three is not escaping
_UNESCAPE_PASSES = 3


def unescape_references(s: str) -> str:
    """Text with its HTML character references decoded: named ("&uuml;", "&bdquo;"),
    decimal ("&#252;") and hexadecimal ("&#xFC;"), as the HTML5 rules read them (numeric
    ones through `html.unescape`: "&#150;" is windows-1252's "–", an invalid code point
    U+FFFD). Text escaped twice ("&amp;uuml;") is decoded again, up to three passes.

    Only for text that did not come from an HTML parse (a dump's strings): a page's text
    is decoded by lxml already, and decoding it again would turn a release's literal
    "&amp;" into "&".

    ftfy's `unescape_html`, not `html.unescape`: a dump is mostly plain text, and only
    references closed by ";" are unambiguous there. `html.unescape` also decodes the
    legacy names without one, as a browser does inside HTML, which would turn a plain
    "?a=1&region=de" into "?a=1®ion=de" and "Müller&not" into "Müller¬"."""
    for _ in range(_UNESCAPE_PASSES):
        if "&" not in s:
            break
        decoded = unescape_html(s)
        if decoded == s:
            break
        s = decoded
    return s
