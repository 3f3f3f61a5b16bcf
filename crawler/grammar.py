"""The release grammar: how a presseportal release is laid out, in one place.

A release reads::

    Hamburg (ots) - first paragraph ...                       <- dateline "Hamburg"
    ... body ...
    Über PUBLIC MARKETING:                                    <- about: heading + paragraphs
    Das Fachmagazin ...
    Pressekontakt:                                            <- contact: the lines after it
    Max Mustermann
    Original-Content von: X, übermittelt durch news aktuell   <- originator "X"
    Originalmeldung: https://www.presseportal.de/pm/1/2       <- its story (text renderings)
    Musterstadt (ots) - Eine andere Meldung ...               <- not the release any more

Police and fire offices write the same release in their own words: "Musterkreis: (ots)",
"Musterstadt (ots) - (ab)" (the writer's initials), "Rückfragen bitte an:" for the
contact, one paragraph per line, lists of points. Nothing after the originator line is
part of the release (the next stories' teasers, "Weitere Storys", page furniture), and
neither is a later paragraph opening with a dateline inside the contact.

Extraction uses this module for what the page's markup does not mark (a plain
"Pressekontakt:" paragraph, an "Über X:" section, a dateline paragraph without its city
link, a renamed originator line), and the same functions split flattened text (RSS, API,
other scrapers' dumps). Nothing else holds a pattern for these sections.

Raw text in, raw text out
-------------------------
Everything here works on text as the page shows it: NBSP, soft hyphens, zero-width
characters, NFD letters, source line breaks. Each paragraph or line is matched on its
*key* (`key`): debris and control characters removed, whitespace collapsed to single
spaces, NFC. The key is the first step of the normaliser's cleaning, without its mojibake
repair; the vocabulary below also matches the windows-1252 mojibake of its own umlauts
("Ãœber"), which is what the repair would have turned back. Results are the raw
paragraphs and lines, untouched; only where a paragraph is cut inside (the dateline
opening it, a heading glued to the text before it, "Pressekontakt: Max", contact lines
glued together) the pieces are in key form. The normaliser cleans both alike.

Most paragraphs are plain body text: a paragraph whose first visible character cannot
open any heading, and whose raw text shows no glue, is passed on without computing its
key (`_Para`).

Lines of a list or a table
--------------------------
A list (`<ul>`, `<ol>`, or lines opening with "- ", "1. ", "a) ") is one paragraph whose
items are lines; so is a table (rows with cells split by " | "). Their line breaks are
HARD_BREAK (U+2028) in the paragraphs returned: the normaliser keeps them as "\n"
(`crawler.normalize.text.clean_paragraphs`), while a plain "\n" inside a paragraph is a
`<br>` and becomes a space. Two or more such lines in a row inside a paragraph make a
list paragraph of their own; in flattened text, consecutive list lines (or rows) join.

Vocabulary
----------
The tables below (`DATELINE_FORMS`, `CONTACT_HEADINGS_STRONG`, `CONTACT_HEADINGS_WEAK`,
`ABOUT_HEADINGS`, `ABOUT_HEADINGS_INLINE`, `ABOUT_NAME_SMALL_WORDS`, `ORIGINATOR_HEADS`, `ORIGINATOR_TAILS`,
`ORIGINAL_LINK_HEADS`, `END_HEADINGS`, `CONTACT_LINE_LABELS`, `LIST_MARKERS`) are the
only place the words live: adding a heading or a dateline form is one line there.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from crawler.items import StoryRef, story_ref
from crawler.normalize.chars import DEBRIS, HARD_BREAK, INVISIBLE, LINE_BREAKS

__all__ = [
    "DEBRIS", "HARD_BREAK", "LINE_BREAKS", "ReleaseParts", "contact_lines", "find_originator",
    "is_contact_heading", "key", "parse_dateline", "parse_office_code", "parse_originator", "read_release",
    "split_description", "split_flat_text", "split_paragraphs", "split_release",
]

# --- vocabulary: one line per form ---------------------------------------------------------

# the "(ots)" of a dateline: "(ots)", "(OTS)", "(ots/PRNewswire)" (matched case-insensitively)
OTS = r"\(ots(?:/[^()]{0,60})?\)"

# The writer's initials after an office's dateline: "(ab)", "(KD)", "(red)" -- neither
# dateline nor body text
INITIALS = r"\((?:[a-zäöüß]{1,4}|[A-ZÄÖÜ]{1,4})\)"

# A dateline opens the first paragraph or is a paragraph of its own. Each form is a regex
# matched at the start of a paragraph's key, case-insensitively, with a group "city" (its
# colons, dashes and commas around it are dropped) and a group "dash" (a dash or colon
# after "(ots)"); the rest of the paragraph after the match is the first body text.
# Tried in order.
DATELINE_FORMS: tuple[str, ...] = (
    # "Köln (ots)", "Hamburg (ots) - text", "Hamburg (ots): text", "Halle (Saale) (ots) – text",
    # "Berlin (ots/PRNewswire) -", "Musterstadt/Beispielburg (ots) -", "Musterkreis: (ots)",
    # "Musterstadt (ots) - (ab) text", and "(ots) - text" when the city link was dropped
    rf"(?P<city>(?:[^()]|\((?!ots\b)[^()]{{0,40}}\)){{0,60}}?)\s*{OTS}(?P<dash>\s*[-\u2013\u2014:]+)?"
    rf"(?:\s*{INITIALS}(?:\s*[-\u2013\u2014:]+)?)?\s*",
)

# Contact headings (a paragraph or line that opens the contact block), case-insensitive.
# A strong heading starts the contact wherever it is; a weak one only when no strong one
# exists, and then the last one counts ("Kontakt zu Kunden ..." is no heading: a heading
# is alone on its line or followed by a colon).
# Two headings joined by " / " are one ("Pressekontakt / Press contact:").
CONTACT_HEADINGS_STRONG: tuple[str, ...] = (
    "Pressekontakte?",
    "Press contacts?",
    "Media contacts?",
    "Medienkontakte?",
    "Rückfragen bitte an",  # police and fire offices
    "Rückfragen an",
    "Für Rückfragen",
    "Rückfragehinweis",  # Austrian releases
    "Ansprechpartner(?:in)?",
)
CONTACT_HEADINGS_WEAK: tuple[str, ...] = (
    "Kontakt",
    "Contact",
)

# "Über X:" opens the about section (case-sensitive). Alone on its paragraph it is a
# heading wherever it is; "Über X: text" (ABOUT_HEADINGS_INLINE) only when no heading
# alone exists, and then the last one counts. Inline ones also start a new paragraph
# when glued to the text before them ("Heftarchiv/)Über PUBLIC MARKETING:").
ABOUT_HEADINGS: tuple[str, ...] = ("Über", "About")
ABOUT_HEADINGS_INLINE: tuple[str, ...] = ("Über",)

# "Original-Content von: X, übermittelt durch news aktuell" (and the English site's
# "Original content of: X, transmitted by news aktuell"); a bare "Original-Content von: X"
# counts too. Case-insensitive; the heads are written so that they also read right
# case-sensitively, for spotting a heading glued to the text before it.
ORIGINATOR_HEADS: tuple[str, ...] = (r"Original[- ][Cc]ontent\s+(?:von|of|from)",)
ORIGINATOR_TAILS: tuple[str, ...] = ("übermittelt", "uebermittelt", "transmitted", "provided", "distributed")

# "Originalmeldung: https://..." (text, RSS and API renderings): the story's address, no text.
ORIGINAL_LINK_HEADS: tuple[str, ...] = ("Originalmeldung",)

# Page furniture that ends a release in flattened text when no originator line did
# (alone on its line or followed by a colon, like a heading); case-sensitive.
END_HEADINGS: tuple[str, ...] = (
    "Weitere Storys",
    "Weitere Meldungen",
    "Alle Storys",
    "Themen in dieser (?:Story|Meldung)",
    "Orte in dieser (?:Story|Meldung)",
)

# What opens a line of a list: "- ", "• ", "* ", "1. ", "2) ", "a) " (then a space and text).
# An en or em dash does not: "– so die Polizei –" opens many a line of prose.
LIST_MARKERS: tuple[str, ...] = (r"[-•*·▪]", r"\d{1,3}[.)]", r"[a-z]\)")
# Cells of a table row: "Musterstraße | 12 | gesperrt"
TABLE_CELL_SEPARATOR = " | "

# The office code opening an office's title ("POL-XY: 231107 - 1024 Beispielort-Süd: ..."):
# police POL, fire brigade FW, federal police BPOL, customs HZA, state offices LPI ...
OFFICE_CODE = r"(?P<code>[A-ZÄÖÜ]{2,6}(?:[- ][A-ZÄÖÜ0-9]{1,8}){0,2}):\s"

# Labels that open a contact line; inside a contact block, a letter or digit running
# straight into one of them is two lines glued together ("Max MustermannTel. 040 123").
CONTACT_LINE_LABELS: tuple[str, ...] = (
    r"Tel\.", "Telefon", "Fax", "Mobil", "Handy", "E-Mail", "Email", "Internet",
)
CONTACT_LINE_LABELS_ANYWHERE: tuple[str, ...] = (r"Mail:", r"www\.", r"https?://")
# Lines glued without a label between them: a name running into a phone number
# ("Erika Musterfrau+49 (40) 12 34"), a phone number into an address ("- 78erika@...") or a
# name ("000-0Musterstadt"), an address into a name ("example.deMax Mustermann")
CONTACT_GLUES: tuple[str, ...] = (
    r"(?<=[^\W\d_]{2})(?=(?:\+|00)\d|\(0\d|0\d{2,})",  # name | +49 ..., (040) ..., 040 ...
    r"(?<=\d)(?=[A-Za-z][\w.+-]*@)",  # phone | erika@example.de
    r"(?<=\d)(?=[A-ZÄÖÜ][a-zäöüß])",  # phone | Max Mustermann
    r"(?:(?<=\.[a-z]{2})|(?<=\.[a-z]{3})|(?<=\.[a-z]{4}))(?=[A-ZÄÖÜ][a-zäöüß])",  # example.de | Max
)

# "dr.Müller": written without a space, not a paragraph end
ABBREVIATIONS = frozenset(
    "dr prof nr str tel fax bzw ca ggf inkl evtl vgl usw etc co hr fr mio mrd st abs ziff "
    "bspw zzgl jh jhd sog min max mr mrs ms vs inc ltd corp".split()
)

# Lower-case words an "Über X:" name may hold when a flattened text joined the heading to
# the sentence before it with one space ("...Rathaus. Über die Musterstadt GmbH: Die ...");
# any other lower-case word makes it a sentence ("Über den Preis freut sich Meier: ...")
ABOUT_NAME_SMALL_WORDS = frozenset("der die das den dem des uns und von für the of and".split())

# --- the matching key ---------------------------------------------------------------------

# DEBRIS and INVISIBLE (debris and ASCII controls): the characters the normaliser
# removes too (crawler.normalize.chars)
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
_LINE_BREAK = re.compile(r"[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")  # to find one: a class is fast
# what makes a key differ from the raw text beyond its ends and runs of spaces: anything
# invisible, and any whitespace but the plain space (str.isspace characters)
_NOT_PLAIN = re.compile(
    f"[{INVISIBLE}\t\n\v\f\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
_FIRST_VISIBLE = re.compile(rf"[^\s{INVISIBLE}]")


def key(text: str) -> str:
    """The matching key of raw text: invisible characters (DEBRIS, ASCII controls) removed,
    every run of whitespace one space, ends stripped, NFC. No mojibake repair."""
    if _has_not_plain(text):
        text = " ".join(_INVISIBLE_RE.sub("", text).split())
    elif "  " in text:
        text = " ".join(text.split())
    else:
        text = text.strip(" ")
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def _has_not_plain(text: str) -> bool:
    """`text` holds a `_NOT_PLAIN` character. Every one of them is unprintable (control,
    format, separator), so printable text, which `str` tells at a few times the speed of
    the search, holds none."""
    return not text.isprintable() and _NOT_PLAIN.search(text) is not None


def _plain_key(text: str) -> str:
    """`key` of text known to be plain (`_Para.plain`): only its spaces to collapse."""
    return " ".join(text.split()) if "  " in text else text.strip(" ")


# --- patterns built from the vocabulary -----------------------------------------------------


def _mojibake_too(fragment: str) -> str:
    """The fragment, each German letter in it also matched as its windows-1252 mojibake
    ("Ü" or "Ãœ"): the key does not repair mojibake, the normaliser would have."""
    out = []
    for ch in fragment:
        if ch in "äöüÄÖÜß":
            out.append(f"(?:{ch}|{re.escape(ch.encode('utf-8').decode('cp1252'))})")
        else:
            out.append(ch)
    return "".join(out)


def _alt(fragments: Iterable[str]) -> str:
    return "(?:" + "|".join(_mojibake_too(f) for f in fragments) + ")"


_MOJIBAKE_LETTERS = {ord(c): c.encode("utf-8").decode("cp1252") for c in "äöüÄÖÜß"}


def _literal_prefixes(fragments: Iterable[str]) -> list[str] | None:
    """The literal text each fragment must start with, and its mojibake spelling: "Press
    contact" of "Press contacts?", "Original" of "Original[- ][Cc]ontent...". For a cheap
    precondition that `re` can scan for quickly; None when a fragment opens with no
    literal ("(?:A|B) ...")."""
    out: list[str] = []
    for fragment in fragments:
        literal = ""
        for ch in fragment:
            if ch in "\\[](){}.*+?|^$":
                if ch in "?*{" and literal:
                    literal = literal[:-1]  # the character before is optional
                break
            literal += ch
        if not literal:
            return None
        for spelling in (literal, literal.translate(_MOJIBAKE_LETTERS)):
            if spelling not in out:
                out.append(spelling)
    return out


_DATELINES = tuple(re.compile(form, re.IGNORECASE) for form in DATELINE_FORMS)

_CONTACT_STRONG = _alt(CONTACT_HEADINGS_STRONG)
_CONTACT_WEAK = _alt(CONTACT_HEADINGS_WEAK)
# a heading, alone ("Pressekontakt", "Pressekontakt:") or followed by text after its colon;
# two of them joined by " / " are one ("Pressekontakt / Press contact:")
_CONTACT_HEADING = re.compile(
    rf"(?:(?P<strong>{_CONTACT_STRONG})|{_CONTACT_WEAK})(?:\s*/\s*(?:{_CONTACT_STRONG}|{_CONTACT_WEAK}))*"
    rf"(?:\s*:\s*(?P<rest>.*)|\s*)$",
    re.IGNORECASE,
)

# the X of "Über X:": up to 80 characters without a sentence end (". Das") or a colon;
# "Co. KG" and "e.V." are fine
_ABOUT_NAME = r"(?:[^.!?:\n]|\.(?!\s+[A-ZÄÖÜ][a-zäöüß])){1,80}?"
_ABOUT = re.compile(rf"(?P<word>{_alt(ABOUT_HEADINGS)})\s+{_ABOUT_NAME}\s*:\s*(?P<rest>.*)$")
_ABOUT_INLINE_WORD = re.compile(_alt(ABOUT_HEADINGS_INLINE))

_ORIGINATOR_HEAD = _alt(ORIGINATOR_HEADS)
# the tail takes whatever follows "news aktuell" too (the next story's teaser, glued on)
_ORIGINATOR_RE = (
    rf"{_ORIGINATOR_HEAD}\s*:\s*(?P<name>.+?)"
    rf"(?:\s*,\s*{_alt(ORIGINATOR_TAILS)}\b.*?)?\s*$"
)
_ORIGINATOR = re.compile(_ORIGINATOR_RE, re.IGNORECASE)

# "{publisher} - {City} (ots) - " or "{City} (ots) - " opening a description or teaser
_DESCRIPTION_PREFIX = re.compile(
    rf"^(?P<head>[^\n]{{0,250}}?)\s*:?\s*{OTS}\s*[-\u2013\u2014:]?\s*(?:{INITIALS}\s*[-\u2013\u2014:]?\s*)?",
    re.S | re.IGNORECASE,
)

# the URL is the first word after the colon; what a dump glued on after it (with a space:
# the next story's teaser) does not keep the line from being one
_ORIGINAL_LINK = re.compile(
    rf"{_alt(ORIGINAL_LINK_HEADS)}\s*:\s*(?P<url>\S*(?:https?://|www\.)\S*)?(?:\s.*)?$", re.IGNORECASE
)
_END = re.compile(rf"(?:{'|'.join(END_HEADINGS)})(?:\s*:.*)?$")
_LIST_ITEM = re.compile(rf"(?:{'|'.join(LIST_MARKERS)})\s+\S")
_OFFICE_CODE = re.compile(OFFICE_CODE)

# Headings that start a new paragraph when a scraper glued them to the text before them,
# or when they open a line inside a paragraph; case-sensitive (a heading is capitalised)
_GLUE_HEADINGS = (
    f"{_CONTACT_STRONG}|{_ORIGINATOR_HEAD}\\s*:|{_alt(ORIGINAL_LINK_HEADS)}\\s*:"
    f"|{_alt(ABOUT_HEADINGS_INLINE)} {_ABOUT_NAME}:"
)
_HEADING_START = re.compile(f"(?:{_GLUE_HEADINGS})")
# a cheap precondition for a glued heading: plain literals (their prefixes), which `re`
# scans for quickly ("Über " stands for "Über X:"); the headings themselves when one of
# them opens with no literal
_HINT_LITERALS = _literal_prefixes(
    (*CONTACT_HEADINGS_STRONG, *ORIGINATOR_HEADS, *ORIGINAL_LINK_HEADS, *(f"{w} " for w in ABOUT_HEADINGS_INLINE))
)
_HEADING_HINT = re.compile(
    "|".join(re.escape(literal) for literal in _HINT_LITERALS) if _HINT_LITERALS else _GLUE_HEADINGS
)

# A letter or digit running straight into a contact line's label ("MustermannTel. 040"),
# or one of CONTACT_GLUES; never right after a label ("Telefon040" is one line)
_AFTER_LABEL = "".join(f"(?<!{label.replace(chr(92), '').rstrip('.')})" for label in CONTACT_LINE_LABELS)
_CONTACT_GLUE = re.compile(
    rf"(?<=[^\W_])(?=(?:{'|'.join(CONTACT_LINE_LABELS)})(?![a-zäöüß])"
    rf"|{'|'.join(CONTACT_LINE_LABELS_ANYWHERE)})"
    + "".join(f"|{_AFTER_LABEL}{glue}" for glue in CONTACT_GLUES)
)
# a cheap necessary condition for a _CONTACT_GLUE split (its lookbehinds are tried at every
# position, so it is slow on the many lines that hold none): a letter or a digit running
# into a capital, "+" or "(", a letter into a "0", a digit into a letter, or a letter or
# digit into "www.", "http" or "Mail:". That is
#   [^\W_][A-ZÄÖÜ+(] | [^\W\d_]0 | \d[^\W\d_] | [^\W_](?:www\.|https?:|Mail:)
# written to open with ONE character class (the second character of each pair, the digit
# of the third), the character before it asked by a lookbehind: `re` then skips ahead to
# candidates instead of trying four alternatives at every position (twice as fast; the
# same strings match, tests/grammar/test_scraped_texts.py)
_CONTACT_GLUE_HINT = re.compile(
    r"[A-ZÄÖÜ+(\dwh](?:(?<=[^\W_][A-ZÄÖÜ+(])|(?<=[^\W\d_]0)|(?<=\d)(?=[^\W\d_])"
    r"|(?<=[^\W_]w)(?=ww\.)|(?<=[^\W_]h)(?=ttps?:)|(?<=[^\W_]M)(?=ail:))"
)


# flattened text only: a word running into a capitalised one ("Public MarketingRedaktion",
# "RedaktionJana Groß"): the lines of a contact lost their breaks. Not on a page, whose
# lines are its own and where "HanseMerkur" or "PreussenElektra" is one name
_CONTACT_WORD_GLUE = re.compile(r"(?<=[a-zäöüß]{2})(?=[A-ZÄÖÜ][a-zäöüß])")


def _contact_glued(text: str, *, words: bool = False) -> list[str]:
    """`text` cut where contact lines were glued (CONTACT_LINE_LABELS, CONTACT_GLUES; with
    `words`, also where a word runs into a capitalised one)."""
    if _CONTACT_GLUE_HINT.search(text) is None:
        return [text]
    pieces = _CONTACT_GLUE.split(text)
    return [w for piece in pieces for w in _CONTACT_WORD_GLUE.split(piece)] if words else pieces


def _initials(fragments: Iterable[str]) -> set[str] | None:
    """Every character a key matched by one of `fragments` may start with, as the raw
    text may show it (either case, NFD base letter, mojibake lead); None when a fragment
    does not open with a plain letter (then no paragraph can be skipped)."""
    out: set[str] = set()
    for fragment in fragments:
        first = fragment[:1]
        if not first.isalpha():
            return None
        for ch in (first, first.lower(), first.upper()):
            out.add(ch)
            out.add(unicodedata.normalize("NFD", ch)[0])
            out.add(ch.encode("utf-8").decode("cp1252")[0])
    return out


# What the first visible character of a paragraph must be for it to be a heading, an
# originator or an original-link line; None: no such shortcut
_HEADING_INITIALS = _initials(
    (*CONTACT_HEADINGS_STRONG, *CONTACT_HEADINGS_WEAK, *ABOUT_HEADINGS, *ORIGINATOR_HEADS, *ORIGINAL_LINK_HEADS,
     *END_HEADINGS)
)

# --- the glue heuristics --------------------------------------------------------------------

_UP = r"[A-ZÄÖÜ]"
_LOW = r"[a-zäöüß]"
_SPLIT = re.compile(
    # a: sentence end after a word of >= 2 letters: "zufrieden.Das"
    rf"(?<=[^\W\d_]{{2}}[.!?\u2026])(?={_UP}{_LOW})"
    # b: closing quote after a sentence end: 'Rennen."Das', 'Ende.“Die'
    rf"|(?<=[.!?\u2026][\"\u201c\u201d\u00bb\u00ab'\u2019])(?={_UP}{_LOW})"
    # c: colon after a word, digit, paren or quote: "MARKETING:Das"
    rf"|(?<=[\w)\"\u201c\u201d]:)(?={_UP}{_LOW})"
    # d: closing parenthesis: "Heftarchiv/)Über"
    rf"|(?<=\))(?={_UP}{_LOW})"
    # e: a known section heading glued to anything: "...dePressekontakt:"
    rf"|(?<=[^\s(\[\u201e\u201c\u00bb\"'-])(?={_GLUE_HEADINGS})"
)
# cheap necessary conditions for any _SPLIT match (most paragraphs have none): a
# sentence end, colon, paren or quote running into a capital, or a heading word after a
# non-space. Patterns that open with literals or one class, so `re` skips ahead to
# candidates (a leading \S would be tried at every position).
_SPLIT_HINT = re.compile(r"[.!?\u2026:)\"\u201c\u201d\u00bb'\u2019][A-ZÄÖÜ]")
_WORD_BEFORE = re.compile(r"(\w+)[.!?:\u2026]?[\"\u201c\u201d\u00bb\u00ab'\u2019)]?$")
_URL_THEN_STOP = re.compile(r"\.[a-z]{2,6}/?\.$")
_DOMAIN_AFTER = re.compile(r"[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}(?![a-zäöüß])")


def _may_split(text: str) -> bool:
    """False when `_split_glued` cannot split `text` (a key, or raw text whose key differs
    from it only by its ends and runs of plain spaces)."""
    if _SPLIT_HINT.search(text) is not None:
        return True
    # the heading words never overlap, so finditer sees every occurrence (after the start)
    for m in _HEADING_HINT.finditer(text, 1):
        if not text[m.start() - 1].isspace():
            return True
    return False


# Flattened text joins paragraphs with one space too (BeautifulSoup's get_text(" "),
# " ".join(paragraphs)): a section heading after one space starts a new paragraph when
# nothing but a heading reads so. The originator and "Originalmeldung:" lines after any
# word (they follow contact lines, which end without a full stop); a strong contact
# heading or "Über X:" only with its colon, after a sentence end (".!?…", or a closing
# quote after one) or a URL or mail address, and only "Über X:" whose X reads as a name
# (ABOUT_NAME_SMALL_WORDS).
# Case-sensitive, like the glued headings: "an den Pressekontakt der Stadt" is a sentence.
_SPACED_HEADING = re.compile(
    rf" (?=(?P<contact>(?:{_CONTACT_STRONG})(?:\s*/\s*(?:{_CONTACT_STRONG}|{_CONTACT_WEAK}))*\s*:)"
    rf"|{_alt(ABOUT_HEADINGS_INLINE)} (?P<name>{_ABOUT_NAME})\s*:"
    rf"|{_ORIGINATOR_HEAD}\s*:|{_alt(ORIGINAL_LINK_HEADS)}\s*:)"
)
_SENTENCE_END = re.compile(r"[.!?\u2026][\"\u201c\u201d\u00bb\u00ab'\u2019]?$")


def _may_split_spaced(text: str) -> bool:
    """False when `_split_spaced` cannot split `text` (a key): no heading word after a space."""
    for m in _HEADING_HINT.finditer(text, 1):
        if text[m.start() - 1] == " ":
            return True
    return False


def _name_like(name: str) -> bool:
    """The X of "Über X:" reads as a name: every word holds a capital, a digit, "." or "&"
    ("PUBLIC MARKETING", "gGmbH", "e.V.") or is one of ABOUT_NAME_SMALL_WORDS."""
    return all(
        w in ABOUT_NAME_SMALL_WORDS or w.lower() != w or any(c.isdigit() or c in ".&" for c in w)
        for w in name.split()
    )


def _is_address(token: str) -> bool:
    """A URL or a mail address ("www.example.de", "https://example.de/presse"): the end of a
    line ("Weitere Informationen: www.example.de"), as a sentence end is."""
    return "://" in token or "www." in token.lower() or "@" in token


def _split_spaced(text: str) -> list[str]:
    """Split one key of flattened text where a section heading follows one space (see
    `_SPACED_HEADING`); the space goes."""
    if not _may_split_spaced(text):
        return [text]
    pieces: list[str] = []
    start = 0
    for m in _SPACED_HEADING.finditer(text):
        at = m.start()
        if at <= start:
            continue
        if m["contact"] or m["name"]:
            token = text[text.rfind(" ", start, at) + 1 : at]  # the word before the space
            if _SENTENCE_END.search(token) is None and not _is_address(token):
                continue
            if m["name"] and not _name_like(m["name"]):
                continue
        pieces.append(text[start:at])
        start = at + 1
    pieces.append(text[start:])
    return pieces


def _split_glued(text: str) -> list[str]:
    """Split one key where a naive scraper glued the next paragraph on; see split_flat_text."""
    if not _may_split(text):
        return [text]
    pieces: list[str] = []
    start = 0
    for m in _SPLIT.finditer(text):
        at = m.start()
        if at <= start:
            continue
        head = text[start:at]
        token = head[head.rfind(" ") + 1 :]  # the text since the last space, up to the split
        tail = text[at:]
        if _HEADING_START.match(tail) is None:
            # never inside a URL, a mail address or a domain: "www.Example.de", "info@Firma.De"
            if _is_address(token):
                # ... unless the URL has visibly ended: ")" or a TLD plus the full stop
                if not (token.endswith(")") or _URL_THEN_STOP.search(token)):
                    continue
            if token.endswith(".") and _DOMAIN_AFTER.match(tail):
                continue
            word = _WORD_BEFORE.search(token)
            if token.endswith(".") and word and word.group(1).lower() in ABBREVIATIONS:
                continue
        pieces.append(head)
        start = at
    pieces.append(text[start:])
    return pieces


# --- one paragraph ---------------------------------------------------------------------------


_UNSET: object = object()
_ITEM_INITIALS = frozenset("-•*·▪0123456789abcdefghijklmnopqrstuvwxyz")


class _Para:
    """A raw paragraph (or line) and what the grammar asked of it, each computed once and
    only when needed: its key, whether it may open a heading, its contact heading, its
    originator, whether it is an item of a list or a table row.

    `joined`: the paragraph was put together from several lines of a block (their line
    breaks were `<br>`s inside one paragraph, not lines of their own). `items`: "list" or
    "row" for a paragraph of list items or table rows (raw and key hold HARD_BREAK between
    them). `marked`: the page's markup marks it as the contact heading (p.contact-headline),
    whatever its words."""

    __slots__ = ("raw", "_key", "joined", "items", "marked", "block", "_plain", "_head", "_contact", "_originator",
                 "_item")

    def __init__(self, raw: str, key_: str | None = None, joined: bool = False, items: str | None = None,
                 block: int = 0) -> None:
        self.raw = raw
        self._key = key_
        self.joined = joined
        self.items = items
        self.marked = False
        self.block = block  # the index of the input paragraph it comes from
        self._plain: bool | None = None
        self._head: bool | None = None
        self._contact: object = _UNSET
        self._originator: object = _UNSET
        self._item: object = _UNSET if items is None else items

    @property
    def key(self) -> str:
        k = self._key
        if k is None:
            # plain text (already asked, mostly) has no characters to drop and is NFC
            k = self._key = _plain_key(self.raw) if self._plain else key(self.raw)
        return k

    def plain(self) -> bool:
        """The raw text is its key but for its ends and runs of plain spaces."""
        if self._plain is None:
            raw = self.raw
            self._plain = not _has_not_plain(raw) and (raw.isascii() or unicodedata.is_normalized("NFC", raw))
        return self._plain

    def blank(self) -> bool:
        """Nothing visible (the key is empty)."""
        if self._key is None and self.plain():
            return not self.raw.strip(" ")
        return not self.key

    def may_open_heading(self) -> bool:
        """Cheap: could this be a heading, an originator, an original-link line or page
        furniture at all? Its first visible character tells (see `_HEADING_INITIALS`)."""
        if self._head is None:
            if _HEADING_INITIALS is None or self.marked:
                self._head = True
            elif self._key is not None:
                self._head = self._key[:1] in _HEADING_INITIALS
            else:
                first = self.raw[:1]
                if first and first != " " and first.isprintable():  # mostly: no search
                    self._head = first in _HEADING_INITIALS  # (what is invisible is unprintable)
                else:
                    m = _FIRST_VISIBLE.search(self.raw)
                    self._head = m is not None and m.group() in _HEADING_INITIALS
        return self._head

    def may_split(self) -> bool:
        """Cheap: could `_split_glued` cut this? Reads plain raw text without its key."""
        if self.items is not None:
            return False  # lines of a list or table are lines already
        if self._key is None and self.plain():
            return _may_split(self.raw)
        return _may_split(self.key)

    def heading(self) -> tuple[bool, str] | None:
        """(strong, the text after its colon) when a contact heading opens this paragraph
        (a paragraph the markup marks as one is strong), else None."""
        if self._contact is _UNSET:
            m = _CONTACT_HEADING.match(self.key) if self.may_open_heading() else None
            if m is not None:
                self._contact = (m["strong"] is not None or self.marked, m["rest"] or "")
            else:
                self._contact = (True, "") if self.marked else None
        return self._contact  # type: ignore[return-value]

    def originator(self) -> str | None:
        """X when this is an originator line."""
        if self._originator is _UNSET:
            m = _ORIGINATOR.match(self.key) if self.may_open_heading() else None
            self._originator = m["name"].strip() if m else None
        return self._originator  # type: ignore[return-value]

    def original_link(self) -> str | None:
        """The URL of an "Originalmeldung: URL" line ("" without one), else None."""
        if not self.may_open_heading():
            return None
        m = _ORIGINAL_LINK.match(self.key)
        return (m["url"] or "") if m else None

    def ends_release(self) -> bool:
        """Page furniture ("Weitere Storys", ...): the release is over."""
        return self.may_open_heading() and _END.match(self.key) is not None

    def starts_section(self) -> bool:
        """A line that starts a new paragraph inside a block: a glue heading, or a
        contact heading alone on its line."""
        if not self.may_open_heading():
            return False
        h = self.heading()
        return (h is not None and not h[1]) or _HEADING_START.match(self.key) is not None

    def opens_contact(self) -> bool:
        """A strong contact heading (with or without text after it), or any heading alone."""
        h = self.heading()
        return h is not None and (h[0] or not h[1])

    def about_kind(self) -> str | None:
        """"strong" for an "Über X:" heading alone, "weak" for "Über X: text", else None."""
        if not self.may_open_heading():
            return None
        m = _ABOUT.match(self.key)
        if not m:
            return None
        if not m["rest"]:
            return "strong"
        return "weak" if _ABOUT_INLINE_WORD.fullmatch(m["word"]) else None

    def item_kind(self) -> str | None:
        """"list" for a line opening with a list marker ("- Punkt", "1. Punkt"), "row" for
        a table row (cells split by " | "), else None."""
        if self._item is _UNSET:
            k = self.key
            if TABLE_CELL_SEPARATOR in k:
                self._item = "row"
            elif k[:1] in _ITEM_INITIALS and _LIST_ITEM.match(k):
                self._item = "list"
            else:
                self._item = None
        return self._item  # type: ignore[return-value]

    def next_story(self) -> bool:
        """A dateline with its dash opening a later paragraph ("Musterstadt (ots) - Eine
        andere Meldung"): the teaser of another story."""
        k = self.key
        if "ots" not in k.lower():
            return False
        m = _DATELINES[0].match(k)
        return m is not None and m["dash"] is not None and bool(m["city"].strip(" -\u2013\u2014,:"))


# --- public API -------------------------------------------------------------------------------


@dataclass
class ReleaseParts:
    """The sections of a release; raw text (see the module docstring)."""

    dateline: str = ""  # the city before "(ots)" (key form)
    body: list[str] = field(default_factory=list)  # paragraphs
    about: list[str] = field(default_factory=list)  # the "Über X:" heading and its paragraphs
    contact: list[str] = field(default_factory=list)  # lines, without their heading
    originator: str = ""  # the X of "Original-Content von: X, ..." (key form)
    # "Originalmeldung: URL" (text renderings): the URL as given, and the story it names
    # (newsroom, story id, canonical URL: `original.url`), None when it names none
    original_url: str = ""
    original: StoryRef | None = None
    # the index of the first input paragraph that holds the contact, the originator or page
    # furniture: body and about come from the paragraphs before it (their links too); None
    # when there is none
    sections_from: int | None = field(default=None, compare=False)


def parse_dateline(text: str) -> tuple[str, str] | None:
    """(city, rest) when `text` opens with a dateline ("Köln (ots) - rest"), else None.

    Both in key form; the city without dashes, colons or commas around it ("Musterkreis:
    (ots)" gives "Musterkreis"), "" when the page dropped it ("(ots) - text"); the writer's
    initials after it ("(ab)") belong to neither; the rest "" when the dateline stands alone."""
    return _dateline(key(text))


def parse_originator(text: str) -> str | None:
    """X when `text` is an originator line ("Original-Content von: X, übermittelt durch
    news aktuell", "Original content of: X, transmitted by news aktuell", "Original-Content
    von: X"), else None. X in key form."""
    return _Para(text).originator()


def find_originator(text: str) -> str | None:
    """X of an originator line anywhere in `text` ("Tel. 1 Original-Content von: X,
    übermittelt durch news aktuell"), else None. X in key form."""
    m = _ORIGINATOR.search(key(text))
    return m["name"].strip() if m else None


def parse_office_code(title: str) -> str:
    """The office code opening an office's title ("POL-XY: 231107 - 1024 Beispielort-Süd:
    Kiosk aufgebrochen" gives "POL-XY"), "" without one. Key form. Only office titles carry
    one: a company title "ACME: Neue Produkte" would read as "ACME" (SITE.md, Blaulicht)."""
    m = _OFFICE_CODE.match(key(title))
    return m["code"] if m else ""


def is_contact_heading(text: str) -> bool:
    """True when `text` is a contact heading alone: "Pressekontakt:", "Kontakt", "Press
    contact", "Rückfragen bitte an:", "Pressekontakt / Press contact:"."""
    h = _Para(text).heading()
    return h is not None and not h[1]


def contact_lines(lines: list[str]) -> list[str]:
    """The lines of a contact block the markup marks (p.contact-text), without blank lines
    and without a heading line opening it ("Pressekontakt:<br>Max ..."); lines glued
    together ("Erika Musterfrau+49 40 1234erika@example.de") are cut apart. Raw lines; the
    pieces of a cut one in key form."""
    out = [(line, k) for line in lines if (k := key(line))]
    if out and is_contact_heading(out[0][0]):
        out = out[1:]
    cut: list[str] = []
    for line, k in out:
        pieces = _contact_glued(k)
        cut.extend(pieces if len(pieces) > 1 else [line])
    return cut


def split_description(text: str) -> tuple[str, str]:
    """("{publisher} - {City}", rest) when a description or teaser opens with a dateline
    ("TravelTrex GmbH - Köln (ots) - Deutschlands ..."), else ("", text). Raw text: the
    rest is the teaser as published."""
    m = _DESCRIPTION_PREFIX.match(text)
    if not m:
        return "", text
    return m["head"].strip(), text[m.end() :]


def _units(blocks: Iterable[tuple[str | None, list[_Para]]]) -> Iterator[tuple[list[_Para], str | None]]:
    """Lines grouped into paragraphs: (lines, the block's raw text when they are all of it).

    `blocks`: (raw text or None, its lines) in order; a block always ends a paragraph, and
    so does a blank line. A line that starts a section (`_Para.starts_section`) starts a
    new paragraph; from a contact heading on, every line is a paragraph of its own, until
    an originator line."""
    in_contact = False
    current: list[_Para] = []
    for raw, lines in blocks:
        for line in lines:
            if line.blank():
                if current:
                    yield current, None
                    current = []
                continue
            head = line.may_open_heading()  # most lines are body text: no heading checks
            if (in_contact or (head and line.starts_section())) and current:
                yield current, None
                current = []
            current.append(line)
            if in_contact:
                yield current, None
                current = []
            if not head:
                continue
            if line.opens_contact():
                in_contact = True
            elif line.originator() is not None:
                in_contact = False
            else:
                continue
            if current:
                yield current, None
                current = []
        if current:
            # untouched: the block comes back exactly as given
            whole = raw if raw is not None and len(current) == len(lines) else None
            yield current, whole
            current = []


def _joined(lines: list[_Para], whole: str | None) -> _Para:
    """Lines of one paragraph as one (a `<br>` between them): the block itself when they
    are all of it, else the lines joined by "\\n"."""
    if len(lines) == 1:
        return lines[0]
    raw = whole if whole is not None else "\n".join(line.raw for line in lines)
    return _Para(raw, " ".join(line.key for line in lines), joined=True, block=lines[0].block)


def _itemised(lines: list[_Para], kind: str) -> _Para:
    """Lines of a list or table as one paragraph, HARD_BREAK between them."""
    return _Para(HARD_BREAK.join(line.raw for line in lines), HARD_BREAK.join(line.key for line in lines),
                 items=kind, block=lines[0].block)


def _item_runs(lines: list[_Para], whole: str | None) -> list[_Para]:
    """The paragraph(s) of one group of lines: two or more list items (or table rows) in a
    row are a paragraph of their own, hard line breaks between them; the other lines stay
    one paragraph (`_joined`)."""
    if len(lines) < 2:
        return [lines[0]]
    kinds = [line.item_kind() for line in lines]
    if not any(kinds):
        return [_joined(lines, whole)]
    out: list[_Para] = []
    prose: list[_Para] = []
    i, n = 0, len(lines)
    while i < n:
        kind, end = kinds[i], i + 1
        while kind is not None and end < n and kinds[end] == kind:
            end += 1
        if kind is not None and end - i >= 2:
            if prose:
                out.append(_joined(prose, None))
                prose = []
            out.append(_itemised(lines[i:end], kind))
            i = end
        else:
            prose.append(lines[i])
            i += 1
    if prose:
        out.append(_joined(prose, whole if len(prose) == n else None))
    return out


def _spaced_pieces(para: _Para) -> list[_Para]:
    """`para` cut where a section heading follows one space (`_split_spaced`)."""
    if para.items is not None or len(cut := _split_spaced(para.key)) == 1:
        return [para]
    return [_Para(piece, piece, block=para.block) for piece in cut]


def _pieces(groups: Iterable[tuple[list[_Para], str | None]], *, join_items: bool = False,
            flat: bool = False) -> list[_Para]:
    """Each group of lines as its paragraph(s) (`_item_runs`), cut where paragraphs were
    glued, and inside a contact also where contact lines were glued; empty pieces dropped.
    `join_items` (flattened text, one paragraph per line): consecutive list items (or
    table rows) outside the contact join into one paragraph. `flat` (flattened text): a
    section heading after one space is cut off (`_split_spaced`), and a contact's words
    glued into capitalised ones are cut too (`_contact_glued`)."""
    out: list[_Para] = []
    in_contact = False
    for lines, whole in groups:
        for para in _item_runs(lines, whole):
            if para.may_split() and len(cut := _split_glued(para.key)) > 1:
                parts = [_Para(piece, piece, block=para.block) for piece in cut]
            else:
                parts = [para]
            if flat:  # a heading after one space: only flattened text joins paragraphs so
                parts = [piece for part in parts for piece in _spaced_pieces(part)]
            for part in parts:
                if in_contact and len(glued := _contact_glued(part.key, words=flat)) > 1:
                    found = [_Para(g, g, block=part.block) for g in glued]
                else:
                    found = [part]
                for line in found:
                    if line.blank():
                        continue
                    if join_items and not in_contact and out and (kind := line.item_kind()) is not None:
                        last = out[-1]
                        if last.items == kind or (last.items is None and not last.joined and last.item_kind() == kind):
                            out[-1] = _itemised([last, line], kind)
                            continue
                    out.append(line)
                    if not line.may_open_heading():
                        continue
                    if line.opens_contact():
                        in_contact = True
                    elif line.originator() is not None:
                        in_contact = False
    return out


def _lines(text: str) -> list[_Para]:
    """The lines of a text (one, mostly: a plain text holds no line break)."""
    whole = _Para(text)
    if whole.plain() or _LINE_BREAK.search(text) is None:
        return [whole]
    return [_Para(line) for line in LINE_BREAKS.split(text)]


def _split_blocks(blocks: list[str], marked: int | None = None) -> list[_Para]:
    """Paragraphs of blocks whose line breaks are inside a paragraph (a `<br>`); the first
    line of block `marked` is a contact heading whatever its words."""
    def lines_of(i: int, block: str) -> list[_Para]:
        lines = _lines(block)
        for line in lines:
            line.block = i
        if i == marked:
            lines[0].marked = True
        return lines

    return _pieces(_units((block, lines_of(i, block)) for i, block in enumerate(blocks)))


def split_paragraphs(paragraphs: list[str]) -> list[str]:
    """Paragraphs as a page's markup gives them (a line break inside one is a `<br>`),
    split where they hold more than one: a line that opens a section (Über X:,
    Pressekontakt, Original-Content von:, Originalmeldung:) starts a new paragraph, every
    line after a contact heading is one of its own, two or more list items or table rows
    in a row are a paragraph of their own (HARD_BREAK between them), and glued paragraphs
    and contact lines are cut (see split_flat_text). Blank ones dropped; raw text (see the
    module docstring)."""
    return [p.raw for p in _split_blocks(paragraphs)]


# Paragraphs on one line: a run of three or more spaces, or of two where no sentence ends
# before it (two spaces after a full stop are typewriter spacing between sentences)
_SPACE_RUN = re.compile(r"[ \t]{3,}|(?<=[^\s.!?\u2026\"\u201c\u201d\u00bb])[ \t]{2}(?=\S)")
# a line that stops inside a sentence before one that goes on in lower case: wrapped text
_OPEN_END = re.compile(r"[^.!?\u2026:\"\u201c\u201d\u00bb)]$")
_LOWER_START = re.compile(r"[a-zäöüß]")


def _one_paragraph_per_line(lines: list[_Para]) -> bool:
    """Whether the single newlines of a text end paragraphs: always without blank lines;
    with them, when the blank lines only set off sections (the body before the first
    section heading is one block of several lines, a dateline alone aside) and no line of
    that block stops mid-sentence before a lower-case one (hard-wrapped text)."""
    blocks: list[list[_Para]] = [[]]
    for line in lines:
        if line.blank():
            if blocks[-1]:
                blocks.append([])
        else:
            blocks[-1].append(line)
    blocks = [b for b in blocks if b]
    if len(blocks) <= 1 and len(lines) == sum(len(b) for b in blocks):
        return True  # no blank line at all
    body: list[list[_Para]] = []
    for block in blocks:
        if block[0].starts_section() or block[0].originator() is not None:
            break
        if len(block) == 1 and (found := _dateline(block[0].key)) is not None and not found[1]:
            continue
        body.append(block)
    if len(body) != 1 or len(body[0]) < 2:
        return False
    prose: list[_Para] = []
    for line in body[0]:
        if line.starts_section():
            break
        prose.append(line)
    return not any(
        _OPEN_END.search(a.key) and _LOWER_START.match(b.key) for a, b in zip(prose, prose[1:])
    )


def split_flat_text(text: str, *, single_newlines: bool | None = None) -> list[str]:
    """Paragraphs from plain text (RSS description, API body) or flattened text, in key
    form (the normaliser cleans them).

    1. Paragraphs and lines:
       - a text of one line whose paragraphs are separated by runs of spaces: a run of
         three or more spaces, or of two where no sentence ends before it (two spaces
         after a full stop are typewriter spacing) -- each piece is a line;
       - without blank lines, every line is a paragraph;
       - with blank lines that only set off sections (the body is one block of several
         lines: "Erster.⏎Zweiter.⏎⏎Rückfragen bitte an:⏎..."), every line is too, unless
         a line stops mid-sentence before one that goes on in lower case (wrapped text);
       - otherwise each blank-line separated block is one paragraph and single newlines
         inside it are spaces (a ``<br>`` or a wrap inside a paragraph).
       In every case a line starting a known section (Über X:, Pressekontakt, Rückfragen
       bitte an:, Original-Content von:, Originalmeldung:) starts a new paragraph, after a
       contact headline every line is its own paragraph (split_release joins them into the
       contact), and list items ("- ", "1. ") or table rows (" | ") in a row are one
       paragraph, HARD_BREAK between them. ``single_newlines`` overrides the guess: False
       (paragraphs joined by a blank line; a newline inside one is a ``<br>``) or True
       (every line is a paragraph).
    2. Glue: inside a paragraph, a split is made where, with NO space between,
       (a) a sentence end ``.!?…`` after a word of two or more letters,
       (b) a closing quote after a sentence end,
       (c) a colon after a word, digit, ``)`` or quote, or
       (d) a closing parenthesis
       runs into a capitalised word (capital + lower-case letter), or where
       (e) a known section heading follows any non-space character.
       Paragraphs joined with ONE space (get_text(" "), " ".join(paragraphs)) cannot be
       told apart, but a section heading after one space starts a new paragraph: the
       originator line and "Originalmeldung:" after any word, a strong contact heading
       with its colon ("Pressekontakt:", "Rückfragen bitte an:") or "Über X:" (X a name:
       ABOUT_NAME_SMALL_WORDS) after a sentence end, a closing quote after one, or a URL
       or mail address. Not: "an den Pressekontakt der Stadt", "Über den Erfolg freut
       sich Meier:", a weak "Kontakt:".
       Inside a contact (after its headline), glued lines are also split before the
       usual labels (Tel., Telefon, Fax, Mobil, E-Mail, www., http...) when a letter
       or digit runs straight into them ("Max MustermannTel. 040 123"), and between a
       name and a phone number, a phone number and an address or a name, an address and
       a name (CONTACT_GLUES: "Erika Musterfrau+49 40 12-78erika@example.deMax ...").
       Not split: after a single letter or a number ("z.B.Das", "1.Platz"), after
       a known abbreviation ("Dr.Müller"), inside a URL/mail token ("www.Example.de",
       "https://a.de/Foo.Bar" -- a ``)`` still ends one), before a domain
       ("Example.de"), before an acronym ("ASP.NET").
    3. Empty paragraphs are dropped.

    This only ever splits, except list items and table rows, which it joins: it cannot
    join two paragraphs of prose. Its cost is a spurious split in rare sloppy text
    ("Siehe Seite3.Danach" is split; that is the same shape as a glued paragraph end).
    """
    if not text:
        return []
    if _LINE_BREAK.search(text) is None:
        runs = _SPACE_RUN.split(text) if "  " in text or "\t" in text else [text]
        lines = [_Para(piece) for piece in runs]
        per_line = True
    else:
        lines = _lines(text)
        per_line = single_newlines if single_newlines is not None else _one_paragraph_per_line(lines)
    blocks = [(None, [line]) for line in lines] if per_line else [(None, lines)]
    return [p.key for p in _pieces(_units(blocks), join_items=per_line, flat=True)]


# Every dateline form holds "(ots)": text without a "(" needs no regex (which tries each
# of up to 60 lengths of a city before it gives up); "" when a form holds none
_DATELINE_NEEDS = "(" if all(OTS in form for form in DATELINE_FORMS) else ""


def _dateline(k: str) -> tuple[str, str] | None:
    if _DATELINE_NEEDS not in k:
        return None
    for form in _DATELINES:
        m = form.match(k)
        if m:
            return m["city"].strip(" -\u2013\u2014,:"), k[m.end() :].strip()
    return None


def _split_release(paras: list[_Para]) -> ReleaseParts:
    parts = ReleaseParts()
    paras = [p for p in paras if not p.blank()]

    if paras and paras[0].items is None:
        found = _dateline(paras[0].key)
        if found is not None:
            parts.dateline, rest = found
            paras = ([_Para(rest, rest, block=paras[0].block)] if rest else []) + paras[1:]

    # the originator line ends the release (the next stories' teasers, "Weitere Storys"
    # follow it in flattened text), and so does page furniture; "Originalmeldung: URL"
    # anywhere names the story and is no text
    kept: list[_Para] = []
    ended = False
    for p in paras:
        if p.may_open_heading():
            name = p.originator()
            if name is not None:
                if not parts.originator:
                    parts.originator = name
                if not ended:
                    parts.sections_from = p.block
                ended = True
                continue
            url = p.original_link()
            if url is not None:
                if url and not parts.original_url:
                    parts.original_url, parts.original = url, story_ref(url)
                continue
            if p.ends_release() and not ended:
                parts.sections_from = p.block
                ended = True
        if not ended:
            kept.append(p)

    # where the contact starts: the first strong heading, else the last weak one
    headings = [(i, h) for i, p in enumerate(kept) if (h := p.heading()) is not None]
    contact = next(((i, h) for i, h in headings if h[0]), headings[-1] if headings else None)
    end = contact[0] if contact is not None else len(kept)
    if contact is not None:
        parts.sections_from = kept[end].block

    # where the about section starts (only before the contact; never paragraph one)
    kinds = {i: kept[i].about_kind() for i in range(1, end)}  # each paragraph matched once
    about_at = next((i for i, kind in kinds.items() if kind == "strong"), None)
    if about_at is None:
        weak_about = [i for i, kind in kinds.items() if kind == "weak"]
        about_at = weak_about[-1] if weak_about else None
    body_end = about_at if about_at is not None else end

    parts.body = [p.raw for p in kept[:body_end]]
    if about_at is not None:
        parts.about = [p.raw for p in kept[about_at:end]]
    if contact is not None:
        at, (_, rest) = contact
        rest = rest.strip()
        for chunk in ([_Para(rest, rest)] if rest else []) + kept[at + 1 :]:
            if chunk.next_story():
                break  # the next story's teaser, where no originator line ended this one
            if chunk.joined:  # lines that were one paragraph are one contact line
                parts.contact.append(chunk.key)
            else:  # one line per line break of a paragraph given with "\n" inside
                parts.contact.extend(line.raw for line in _lines(chunk.raw) if not line.blank())
    return parts


def split_release(paragraphs: list[str]) -> ReleaseParts:
    """Split paragraphs into dateline, body, about, contact and originator.

    - dateline: the first paragraph when it is ``City (ots)`` alone (dropped from
      the body) or opens with ``City (ots) - `` (the rest stays as paragraph one,
      in key form); dash variants -, –, —, a colon, or none; the writer's initials
      after it (``(ab)``) dropped; see DATELINE_FORMS;
    - originator: a paragraph ``Original-Content von: X, übermittelt durch news
      aktuell`` (or the English form); removed, and nothing after it is part of the
      release (the next stories' teasers) but an "Originalmeldung:" line; page furniture
      ("Weitere Storys", END_HEADINGS) ends the release too;
    - "Originalmeldung: {url}" paragraphs: removed; the first names the story
      (``original_url``, ``original``: its newsroom, id and canonical URL);
    - contact: from the first strong headline (``Pressekontakt:`` with or without
      colon, ``Press contact:``, ``Rückfragen bitte an:``) -- else from the last weak one
      (``Kontakt:``, ``Contact:``) -- to the end, or to a paragraph opening with another
      story's dateline (``Musterstadt (ots) - ...``); one line per paragraph (a
      paragraph holding line breaks gives several lines), the headline dropped, text
      after its colon kept;
    - about: from the first paragraph that is only an ``Über X:`` heading (else
      the last paragraph opening with ``Über X: text``) up to the contact (or the
      end); the heading and its paragraphs. A body paragraph like "Über die Zukunft
      sprach er: ..." is therefore only taken for a heading when no real heading exists.

    Blank paragraphs are dropped; the others come back as given (raw). The paragraphs
    are taken as they are: to cut paragraphs that hold several (flattened text, a
    heading after a ``<br>``), see `split_paragraphs` / `split_flat_text`, or
    `read_release` for both.
    """
    return _split_release([_Para(p, block=i) for i, p in enumerate(paragraphs) if p])


def read_release(paragraphs: list[str], *, contact_heading: int | None = None) -> ReleaseParts:
    """`split_release(split_paragraphs(paragraphs))` in one pass (each key computed once):
    what extraction makes of a story's paragraphs. `contact_heading`: the index of the
    paragraph the page's markup marks as the contact heading (p.contact-headline); it opens
    the contact whatever its words."""
    return _split_release(_split_blocks(paragraphs, contact_heading))
