"""The release grammar: how a presseportal release is laid out, in one place.

A release reads::

    Hamburg (ots) - first paragraph ...                       <- dateline "Hamburg"
    ... body ...
    Über PUBLIC MARKETING:                                    <- about: heading + paragraphs
    Das Fachmagazin ...
    Pressekontakt:                                            <- contact: the lines after it
    Max Mustermann
    Original-Content von: X, übermittelt durch news aktuell   <- originator "X"
    Originalmeldung: https://www.presseportal.de/pm/1/2       <- dropped (text renderings)

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

Vocabulary
----------
The tables below (`DATELINE_FORMS`, `CONTACT_HEADINGS_STRONG`, `CONTACT_HEADINGS_WEAK`,
`ABOUT_HEADINGS`, `ABOUT_HEADINGS_INLINE`, `ORIGINATOR_HEADS`, `ORIGINATOR_TAILS`,
`ORIGINAL_LINK_HEADS`, `CONTACT_LINE_LABELS`) are the only place the words live: adding
a heading ("Rückfragen bitte an") or a dateline form is one line there.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from crawler.normalize.chars import DEBRIS, INVISIBLE, LINE_BREAKS

__all__ = [
    "DEBRIS", "LINE_BREAKS", "ReleaseParts", "contact_lines", "find_originator", "is_contact_heading", "key",
    "parse_dateline", "parse_originator", "read_release", "split_description", "split_flat_text",
    "split_paragraphs", "split_release",
]

# --- vocabulary: one line per form ---------------------------------------------------------

# the "(ots)" of a dateline: "(ots)", "(OTS)", "(ots/PRNewswire)" (matched case-insensitively)
OTS = r"\(ots(?:/[^()]{0,60})?\)"

# A dateline opens the first paragraph or is a paragraph of its own. Each form is a regex
# matched at the start of a paragraph's key, case-insensitively, with a group "city"; the
# rest of the paragraph after the match is the first body text. Tried in order.
DATELINE_FORMS: tuple[str, ...] = (
    # "Köln (ots)", "Hamburg (ots) - text", "Hamburg (ots): text", "Halle (Saale) (ots) – text",
    # "Berlin (ots/PRNewswire) -", and "(ots) - text" when the city link was dropped
    rf"(?P<city>(?:[^()]|\((?!ots\b)[^()]{{0,40}}\)){{0,60}}?)\s*{OTS}(?:\s*[-\u2013\u2014:]+)?\s*",
)

# Contact headings (a paragraph or line that opens the contact block), case-insensitive.
# A strong heading starts the contact wherever it is; a weak one only when no strong one
# exists, and then the last one counts ("Kontakt zu Kunden ..." is no heading: a heading
# is alone on its line or followed by a colon).
CONTACT_HEADINGS_STRONG: tuple[str, ...] = (
    "Pressekontakte?",
    "Press contacts?",
    "Media contacts?",
    "Medienkontakt",
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

# "Originalmeldung: https://..." (text, RSS and API renderings): dropped.
ORIGINAL_LINK_HEADS: tuple[str, ...] = ("Originalmeldung",)

# Labels that open a contact line; inside a contact block, a letter or digit running
# straight into one of them is two lines glued together ("Max MustermannTel. 040 123").
CONTACT_LINE_LABELS: tuple[str, ...] = (
    r"Tel\.", "Telefon", "Fax", "Mobil", "Handy", "E-Mail", "Email", "Internet",
)
CONTACT_LINE_LABELS_ANYWHERE: tuple[str, ...] = (r"Mail:", r"www\.", r"https?://")

# "dr.Müller": written without a space, not a paragraph end
ABBREVIATIONS = frozenset(
    "dr prof nr str tel fax bzw ca ggf inkl evtl vgl usw etc co hr fr mio mrd st abs ziff "
    "bspw zzgl jh jhd sog min max mr mrs ms vs inc ltd corp".split()
)

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
    if _NOT_PLAIN.search(text) is not None:
        text = " ".join(_INVISIBLE_RE.sub("", text).split())
    elif "  " in text:
        text = " ".join(text.split())
    else:
        text = text.strip(" ")
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


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
# a heading, alone ("Pressekontakt", "Pressekontakt:") or followed by text after its colon
_CONTACT_HEADING = re.compile(
    rf"(?:(?P<strong>{_CONTACT_STRONG})|{_CONTACT_WEAK})(?:\s*:\s*(?P<rest>.*)|\s*)$", re.IGNORECASE
)

# the X of "Über X:": up to 80 characters without a sentence end (". Das") or a colon;
# "Co. KG" and "e.V." are fine
_ABOUT_NAME = r"(?:[^.!?:\n]|\.(?!\s+[A-ZÄÖÜ][a-zäöüß])){1,80}?"
_ABOUT = re.compile(rf"(?P<word>{_alt(ABOUT_HEADINGS)})\s+{_ABOUT_NAME}\s*:\s*(?P<rest>.*)$")
_ABOUT_INLINE_WORD = re.compile(_alt(ABOUT_HEADINGS_INLINE))

_ORIGINATOR_HEAD = _alt(ORIGINATOR_HEADS)
_ORIGINATOR_RE = (
    rf"{_ORIGINATOR_HEAD}\s*:\s*(?P<name>.+?)"
    rf"(?:\s*,\s*{_alt(ORIGINATOR_TAILS)}\b.*?)?\s*$"
)
_ORIGINATOR = re.compile(_ORIGINATOR_RE, re.IGNORECASE)

# "{publisher} - {City} (ots) - " or "{City} (ots) - " opening a description or teaser
_DESCRIPTION_PREFIX = re.compile(rf"^(?P<head>[^\n]{{0,250}}?)\s*{OTS}\s*[-\u2013\u2014:]?\s*", re.S | re.IGNORECASE)

_ORIGINAL_LINK = re.compile(
    rf"{_alt(ORIGINAL_LINK_HEADS)}\s*:\s*(?:\S*(?:https?://|www\.)\S*)?\s*$", re.IGNORECASE
)

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

# A letter or digit running straight into a contact line's label: "MustermannTel. 040"
_CONTACT_GLUE = re.compile(
    rf"(?<=[^\W_])(?=(?:{'|'.join(CONTACT_LINE_LABELS)})(?![a-zäöüß])"
    rf"|{'|'.join(CONTACT_LINE_LABELS_ANYWHERE)})"
)


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
    (*CONTACT_HEADINGS_STRONG, *CONTACT_HEADINGS_WEAK, *ABOUT_HEADINGS, *ORIGINATOR_HEADS, *ORIGINAL_LINK_HEADS)
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
            if "://" in token or "www." in token.lower() or "@" in token:
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


class _Para:
    """A raw paragraph (or line) and what the grammar asked of it, each computed once and
    only when needed: its key, whether it may open a heading, its contact heading, its
    originator.

    `joined`: the paragraph was put together from several lines of a block (their line
    breaks were `<br>`s inside one paragraph, not lines of their own)."""

    __slots__ = ("raw", "_key", "joined", "_plain", "_head", "_contact", "_originator")

    def __init__(self, raw: str, key_: str | None = None, joined: bool = False) -> None:
        self.raw = raw
        self._key = key_
        self.joined = joined
        self._plain: bool | None = None
        self._head: bool | None = None
        self._contact: object = _UNSET
        self._originator: object = _UNSET

    @property
    def key(self) -> str:
        k = self._key
        if k is None:
            k = self._key = key(self.raw)
        return k

    def plain(self) -> bool:
        """The raw text is its key but for its ends and runs of plain spaces."""
        if self._plain is None:
            raw = self.raw
            self._plain = _NOT_PLAIN.search(raw) is None and (
                raw.isascii() or unicodedata.is_normalized("NFC", raw)
            )
        return self._plain

    def blank(self) -> bool:
        """Nothing visible (the key is empty)."""
        if self._key is None and self.plain():
            return not self.raw.strip(" ")
        return not self.key

    def may_open_heading(self) -> bool:
        """Cheap: could this be a heading, an originator or an original-link line at all?
        Its first visible character tells (see `_HEADING_INITIALS`)."""
        if self._head is None:
            if _HEADING_INITIALS is None:
                self._head = True
            elif self._key is not None:
                self._head = self._key[:1] in _HEADING_INITIALS
            else:
                m = _FIRST_VISIBLE.search(self.raw)
                self._head = m is not None and m.group() in _HEADING_INITIALS
        return self._head

    def may_split(self) -> bool:
        """Cheap: could `_split_glued` cut this? Reads plain raw text without its key."""
        if self._key is None and self.plain():
            return _may_split(self.raw)
        return _may_split(self.key)

    def contact_heading(self) -> re.Match[str] | None:
        """The match of a contact heading opening this paragraph (groups strong, rest)."""
        if self._contact is _UNSET:
            self._contact = _CONTACT_HEADING.match(self.key) if self.may_open_heading() else None
        return self._contact  # type: ignore[return-value]

    def originator(self) -> str | None:
        """X when this is an originator line."""
        if self._originator is _UNSET:
            m = _ORIGINATOR.match(self.key) if self.may_open_heading() else None
            self._originator = m["name"].strip() if m else None
        return self._originator  # type: ignore[return-value]

    def starts_section(self) -> bool:
        """A line that starts a new paragraph inside a block: a glue heading, or a
        contact heading alone on its line."""
        if not self.may_open_heading():
            return False
        m = self.contact_heading()
        return (m is not None and not m["rest"]) or _HEADING_START.match(self.key) is not None

    def opens_contact(self) -> bool:
        """A strong contact heading (with or without text after it), or any heading alone."""
        m = self.contact_heading()
        return m is not None and (m["strong"] is not None or not m["rest"])

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


# --- public API -------------------------------------------------------------------------------


@dataclass
class ReleaseParts:
    """The sections of a release; raw text (see the module docstring)."""

    dateline: str = ""  # the city before "(ots)" (key form)
    body: list[str] = field(default_factory=list)  # paragraphs
    about: list[str] = field(default_factory=list)  # the "Über X:" heading and its paragraphs
    contact: list[str] = field(default_factory=list)  # lines, without their heading
    originator: str = ""  # the X of "Original-Content von: X, ..." (key form)


def parse_dateline(text: str) -> tuple[str, str] | None:
    """(city, rest) when `text` opens with a dateline ("Köln (ots) - rest"), else None.

    Both in key form; the city without dashes or commas around it, "" when the page
    dropped it ("(ots) - text"); the rest "" when the dateline stands alone."""
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


def is_contact_heading(text: str) -> bool:
    """True when `text` is a contact heading alone: "Pressekontakt:", "Kontakt", "Press contact"."""
    m = _Para(text).contact_heading()
    return m is not None and not m["rest"]


def contact_lines(lines: list[str]) -> list[str]:
    """The lines of a contact block the markup marks (p.contact-text), without blank lines
    and without a heading line opening it ("Pressekontakt:<br>Max ..."). Raw lines."""
    out = [line for line in lines if key(line)]
    if out and is_contact_heading(out[0]):
        out = out[1:]
    return out


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


def _pieces(groups: Iterable[tuple[list[_Para], str | None]]) -> list[_Para]:
    """Each group of lines as one paragraph (raw: the block itself when the group is all
    of it, else its lines joined by "\\n"), cut where paragraphs were glued, and inside a
    contact also where contact lines were glued; empty pieces dropped."""
    out: list[_Para] = []
    in_contact = False
    for lines, whole in groups:
        if len(lines) == 1:
            para = lines[0]
        else:
            raw = whole if whole is not None else "\n".join(line.raw for line in lines)
            para = _Para(raw, " ".join(line.key for line in lines), joined=True)
        if para.may_split() and len(cut := _split_glued(para.key)) > 1:
            parts = [_Para(piece, piece) for piece in cut]
        else:
            parts = [para]
        for part in parts:
            if in_contact and len(glued := _CONTACT_GLUE.split(part.key)) > 1:
                found = [_Para(g, g) for g in glued]
            else:
                found = [part]
            for line in found:
                if line.blank():
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


def _split_blocks(blocks: list[str]) -> list[_Para]:
    """Paragraphs of blocks whose line breaks are inside a paragraph (a `<br>`)."""
    return _pieces(_units((block, _lines(block)) for block in blocks))


def split_paragraphs(paragraphs: list[str]) -> list[str]:
    """Paragraphs as a page's markup gives them (a line break inside one is a `<br>`),
    split where they hold more than one: a line that opens a section (Über X:,
    Pressekontakt, Original-Content von:, Originalmeldung:) starts a new paragraph, every
    line after a contact heading is one of its own, and glued paragraphs and contact
    lines are cut (see split_flat_text). Blank ones dropped; raw text (see the module
    docstring)."""
    return [p.raw for p in _split_blocks(paragraphs)]


def split_flat_text(text: str, *, single_newlines: bool | None = None) -> list[str]:
    """Paragraphs from plain text (RSS description, API body) or flattened text, in key
    form (the normaliser cleans them).

    1. Blocks: when the text has blank lines, each blank-line separated block is
       one paragraph and single newlines inside it are spaces (a ``<br>`` inside
       a paragraph) -- except that a line starting a known section (Über X:,
       Pressekontakt, Original-Content von:, Originalmeldung:) starts a new
       paragraph, and after a contact headline every line is its own paragraph
       (split_release joins them into the contact). Without blank lines, every
       line is a paragraph. ``single_newlines`` overrides that guess: False
       (paragraphs joined by a blank line; a newline inside one is a ``<br>``) or
       True (every line is a paragraph).
    2. Glue: inside a paragraph, a split is made where, with NO space between,
       (a) a sentence end ``.!?…`` after a word of two or more letters,
       (b) a closing quote after a sentence end,
       (c) a colon after a word, digit, ``)`` or quote, or
       (d) a closing parenthesis
       runs into a capitalised word (capital + lower-case letter), or where
       (e) a known section heading follows any non-space character.
       Inside a contact (after its headline), glued lines are also split before the
       usual labels (Tel., Telefon, Fax, Mobil, E-Mail, www., http...) when a letter
       or digit runs straight into them: "Max MustermannTel. 040 123".
       Not split: after a single letter or a number ("z.B.Das", "1.Platz"), after
       a known abbreviation ("Dr.Müller"), inside a URL/mail token ("www.Example.de",
       "https://a.de/Foo.Bar" -- a ``)`` still ends one), before a domain
       ("Example.de"), before an acronym ("ASP.NET").
    3. Empty paragraphs are dropped.

    This only ever splits: it cannot join two paragraphs. Its cost is a spurious
    split in rare sloppy text ("Siehe Seite3.Danach" is split; that is the same
    shape as a glued paragraph end).
    """
    if not text:
        return []
    lines = _lines(text)
    has_blank = not single_newlines if single_newlines is not None else any(line.blank() for line in lines)
    blocks = [(None, lines)] if has_blank else [(None, [line]) for line in lines]
    return [p.key for p in _pieces(_units(blocks))]


def _dateline(k: str) -> tuple[str, str] | None:
    for form in _DATELINES:
        m = form.match(k)
        if m:
            return m["city"].strip(" -\u2013\u2014,"), k[m.end() :].strip()
    return None


def _split_release(paras: list[_Para]) -> ReleaseParts:
    parts = ReleaseParts()
    paras = [p for p in paras if not p.blank()]

    if paras:
        found = _dateline(paras[0].key)
        if found is not None:
            parts.dateline, rest = found
            paras = ([_Para(rest, rest)] if rest else []) + paras[1:]

    kept: list[_Para] = []
    for p in paras:
        name = p.originator()
        if name is not None:
            if not parts.originator:
                parts.originator = name
            continue
        if p.may_open_heading() and _ORIGINAL_LINK.match(p.key):
            continue
        kept.append(p)

    # where the contact starts: the first strong heading, else the last weak one
    headings = [(i, m) for i, p in enumerate(kept) if (m := p.contact_heading()) is not None]
    contact = next(((i, m) for i, m in headings if m["strong"] is not None), headings[-1] if headings else None)
    end = contact[0] if contact is not None else len(kept)

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
        at, heading = contact
        rest = (heading["rest"] or "").strip()
        for chunk in ([_Para(rest, rest)] if rest else []) + kept[at + 1 :]:
            if chunk.joined:  # lines that were one paragraph are one contact line
                parts.contact.append(chunk.key)
            else:  # one line per line break of a paragraph given with "\n" inside
                parts.contact.extend(line.raw for line in _lines(chunk.raw) if not line.blank())
    return parts


def split_release(paragraphs: list[str]) -> ReleaseParts:
    """Split paragraphs into dateline, body, about, contact and originator.

    - dateline: the first paragraph when it is ``City (ots)`` alone (dropped from
      the body) or opens with ``City (ots) - `` (the rest stays as paragraph one,
      in key form); dash variants -, –, —, a colon, or none; see DATELINE_FORMS;
    - originator: a paragraph ``Original-Content von: X, übermittelt durch news
      aktuell`` (or the English form) anywhere; removed;
    - "Originalmeldung: {url}" paragraphs: removed;
    - contact: from the first strong headline (``Pressekontakt:`` with or without
      colon, ``Press contact:``) -- else from the last weak one (``Kontakt:``,
      ``Contact:``) -- to the end; one line per paragraph (a paragraph holding
      line breaks gives several lines), the headline dropped, text after its colon kept;
    - about: from the first paragraph that is only an ``Über X:`` heading (else
      the last paragraph opening with ``Über X: text``) up to the contact (or the
      end); the heading and its paragraphs. A body paragraph like "Über die Zukunft
      sprach er: ..." is therefore only taken for a heading when no real heading exists.

    Blank paragraphs are dropped; the others come back as given (raw). The paragraphs
    are taken as they are: to cut paragraphs that hold several (flattened text, a
    heading after a ``<br>``), see `split_paragraphs` / `split_flat_text`, or
    `read_release` for both.
    """
    return _split_release([_Para(p) for p in paragraphs if p])


def read_release(paragraphs: list[str]) -> ReleaseParts:
    """`split_release(split_paragraphs(paragraphs))` in one pass (each key computed once):
    what extraction makes of a story's paragraphs."""
    return _split_release(_split_blocks(paragraphs))
