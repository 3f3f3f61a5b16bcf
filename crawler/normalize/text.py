"""German press-release text: clean it, and split a release into its parts.

Cleaning (`clean_inline`, `clean_block`, `clean_paragraphs`)
------------------------------------------------------------
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

Cleaning is idempotent: when ftfy changed something, the steps run again until
nothing changes (a repair can expose debris, e.g. "â€‹" is a mojibake ZWSP).

Structure (`split_release`, `split_flat_text`)
-----------------------------------------------
A presseportal release reads::

    Hamburg (ots) - first paragraph ...      <- dateline ("Hamburg")
    ... body ...
    Über PUBLIC MARKETING:                   <- about: heading + paragraphs
    Das Fachmagazin ...
    Pressekontakt:                           <- contact: the lines after it
    Max Mustermann
    Original-Content von: X, übermittelt durch news aktuell   <- originator "X"

`split_flat_text` turns plain text (RSS, API, or text whose paragraphs were
glued together by a naive scraper) into paragraphs; see its docstring for the
exact heuristic. Nothing here ever joins two paragraphs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import ftfy

# --- cleaning ---------------------------------------------------------------------------

DEBRIS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"



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


def _ftfy(s: str) -> str:
    fixed, steps = ftfy.fix_and_explain(s, FTFY_CONFIG)
    if steps and any(
        action == "encode" and encoding not in ACCEPTED_MOJIBAKE_ENCODINGS for action, encoding in steps
    ):
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
_STRIP_RE = re.compile(f"[{DEBRIS}\x00-\x08\x0e-\x1b\x7f]")


def _clean_once(s: str) -> tuple[str, bool]:
    """One pass of the cleaning steps; also whether ftfy changed anything."""
    # debris out; str.split() splits at every str.isspace() character, so this maps
    # NBSP & co. to one space, collapses runs and strips (faster than str.translate)
    s = " ".join(_STRIP_RE.sub("", s).split())
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
    lines = (clean_inline(line) for line in _LINE_BREAKS.split(s))
    return "\n".join(line for line in lines if line)


def clean_paragraphs(paragraphs: list[str]) -> list[str]:
    """Each paragraph cleaned inline; empty ones dropped."""
    out = []
    for p in paragraphs:
        c = clean_inline(p)
        if c:
            out.append(c)
    return out


# every line-break convention (what str.splitlines knows), \r\n first
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")

# --- structure --------------------------------------------------------------------------

# "Hamburg (ots) - ", "Köln (ots)", "Berlin (ots/PRNewswire) - ", "Halle (Saale) (ots): "
_DATELINE = re.compile(
    r"(?P<city>(?:[^()]|\((?!ots\b)[^()]{0,40}\)){0,60}?)\s*\(ots(?:/[^()]{0,60})?\)"
    r"(?:\s*[-\u2013\u2014:]+)?\s*",
    re.IGNORECASE,
)

# "Original-Content von: X, übermittelt durch news aktuell" (and the English site)
_ORIGINATOR = re.compile(
    r"(?:Original-Content von|Original content of|Original-Content of)\s*:\s*(?P<name>.+?)"
    r"\s*,\s*(?:übermittelt durch|transmitted by) news ?aktuell\b\.?\s*$",
    re.IGNORECASE,
)
# a bare "Original-Content von: X" (no "übermittelt durch ...")
_ORIGINATOR_BARE = re.compile(
    r"(?:Original-Content von|Original content of)\s*:\s*(?P<name>.+?)\s*$", re.IGNORECASE
)

# "Originalmeldung: https://..." (text, RSS and API renderings): dropped
_ORIGINAL_LINK = re.compile(
    r"Originalmeldung\s*:\s*(?:\S*(?:https?://|www\.)\S*)?\s*$", re.IGNORECASE
)

# Contact headlines. Strong ones start the contact wherever they are; a weak one
# ("Kontakt:") only when no strong one exists, and then the last one counts.
_CONTACT_STRONG = re.compile(
    r"(?:Pressekontakte?|Press contacts?|Media contacts?|Medienkontakt)"
    r"(?:\s*:\s*(?P<rest>.*)|\s*)$",
    re.IGNORECASE,
)
_CONTACT_WEAK = re.compile(r"(?:Kontakt|Contact)(?:\s*:\s*(?P<rest>.*)|\s*)$", re.IGNORECASE)

# "Über PUBLIC MARKETING:" heading (alone = strong) or opening a paragraph (weak).
# X: at most 80 characters, no sentence end inside.
_ABOUT = re.compile(
    r"(?:Über|About)\s+(?P<name>(?:[^.!?:\n]|\.(?!\s+[A-ZÄÖÜ][a-zäöüß])){1,80}?)\s*:\s*(?P<rest>.*)$"
)


@dataclass
class ReleaseParts:
    dateline: str = ""
    body: list[str] = field(default_factory=list)
    about: str = ""  # heading + paragraphs, joined by "\n\n"
    contact: str = ""  # lines joined by "\n", headline dropped
    originator: str = ""


def parse_dateline(paragraph: str) -> tuple[str, str] | None:
    """("Köln", rest) when the paragraph opens with a dateline ``Köln (ots) - ``, else None."""
    m = _DATELINE.match(paragraph)
    if not m:
        return None
    city = m["city"].strip(" -\u2013\u2014,")
    return city, paragraph[m.end() :].strip()


def parse_originator(text: str) -> str | None:
    """X from "Original-Content von: X, übermittelt durch news aktuell", else None."""
    m = _ORIGINATOR.match(text) or _ORIGINATOR_BARE.match(text)
    return m["name"].strip() if m else None


def _about_kind(p: str, lang_en_ok: bool = True) -> str | None:
    m = _ABOUT.match(p)
    if not m:
        return None
    if p.startswith("About") and not lang_en_ok:
        return None
    return "strong" if not m["rest"] else ("weak" if p.startswith("Über") else None)


def split_release(paragraphs: list[str]) -> ReleaseParts:
    """Split clean paragraphs into dateline, body, about, contact and originator.

    - dateline: the first paragraph when it is ``City (ots)`` alone (dropped from
      the body) or opens with ``City (ots) - `` (the rest stays as paragraph one);
      dash variants -, –, —, a colon, or none;
    - originator: a paragraph ``Original-Content von: X, übermittelt durch news
      aktuell`` (or the English form) anywhere; removed;
    - "Originalmeldung: {url}" paragraphs: removed;
    - contact: from the first strong headline (``Pressekontakt:`` with or without
      colon, ``Press contact:``) -- else from the last weak one (``Kontakt:``,
      ``Contact:``) -- to the end; one line per paragraph (a paragraph holding
      newlines gives several lines), the headline dropped, text after its colon kept;
    - about: from the first paragraph that is only an ``Über X:`` heading (else
      the last paragraph opening with ``Über X: text``) up to the contact (or the
      end); heading and paragraphs joined by "\\n\\n". A body paragraph like "Über
      die Zukunft sprach er: ..." is therefore only taken for a heading when no
      real heading exists.
    """
    paras = [p.strip() for p in paragraphs if p and p.strip()]
    parts = ReleaseParts()

    if paras:
        found = parse_dateline(paras[0])
        if found is not None:
            parts.dateline = found[0]
            if found[1]:
                paras[0] = found[1]
            else:
                paras.pop(0)

    kept: list[str] = []
    for p in paras:
        name = parse_originator(p)
        if name is not None:
            if not parts.originator:
                parts.originator = name
            continue
        if _ORIGINAL_LINK.match(p):
            continue
        kept.append(p)

    # where the contact starts
    contact_at = next((i for i, p in enumerate(kept) if _CONTACT_STRONG.match(p)), None)
    if contact_at is None:
        weak = [i for i, p in enumerate(kept) if _CONTACT_WEAK.match(p)]
        contact_at = weak[-1] if weak else None
    end = contact_at if contact_at is not None else len(kept)

    # where the about section starts (only before the contact; never paragraph one)
    kinds = {i: _about_kind(kept[i]) for i in range(1, end)}  # each paragraph matched once
    about_at = next((i for i, kind in kinds.items() if kind == "strong"), None)
    if about_at is None:
        weak_about = [i for i, kind in kinds.items() if kind == "weak"]
        about_at = weak_about[-1] if weak_about else None
    body_end = about_at if about_at is not None else end

    parts.body = kept[:body_end]
    if about_at is not None:
        parts.about = "\n\n".join(kept[about_at:end])
    if contact_at is not None:
        lines: list[str] = []
        m = _CONTACT_STRONG.match(kept[contact_at]) or _CONTACT_WEAK.match(kept[contact_at])
        rest = (m["rest"] or "").strip() if m else ""
        for chunk in [rest, *kept[contact_at + 1 :]]:
            lines.extend(line.strip() for line in chunk.split("\n") if line.strip())
        parts.contact = "\n".join(lines)
    return parts


# --- flattened text ---------------------------------------------------------------------

# the X of "Über X:": up to 80 characters without a sentence end (". Das") or a colon;
# "Co. KG" and "e.V." are fine
_ABOUT_NAME = r"(?:[^.!?:\n]|\.(?!\s+[A-ZÄÖÜ][a-zäöüß])){1,80}?"
_HEADINGS = (
    r"Pressekontakt|Press contact|Original-Content von:|Original content of:|Originalmeldung:"
    rf"|Über {_ABOUT_NAME}:"
)
_HEADING_START = re.compile(rf"(?:{_HEADINGS})")
_CONTACT_LINE = re.compile(r"(?:Pressekontakte?|Kontakt|Press contacts?|Contact)\s*:?\s*$", re.I)

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
    rf"|(?<=[^\s(\[\u201e\u201c\u00bb\"'-])(?={_HEADINGS})"
)
# cheap necessary conditions for any _SPLIT match (most paragraphs have none): a
# sentence end, colon, paren or quote running into a capital, or a heading word
# after a non-space. Two patterns that each open with literals or one class, so
# `re` skips ahead to candidates (a leading \S would be tried at every position).
_SPLIT_HINT = re.compile(r"[.!?\u2026:)\"\u201c\u201d\u00bb'\u2019][A-ZÄÖÜ]")
_HEADING_HINT = re.compile(r"Pressekontakt|Press contact|Original-Content von:|Original content of:|Originalmeldung:|Über ")


def _may_split(text: str) -> bool:
    if _SPLIT_HINT.search(text) is not None:
        return True
    # the heading words never overlap, so finditer sees every occurrence (after the start)
    for m in _HEADING_HINT.finditer(text, 1):
        if not text[m.start() - 1].isspace():
            return True
    return False
# "dr.Müller": written without a space, not a paragraph end
_ABBREVIATIONS = frozenset(
    "dr prof nr str tel fax bzw ca ggf inkl evtl vgl usw etc co hr fr mio mrd st abs ziff "
    "bspw zzgl jh jhd sog min max mr mrs ms vs inc ltd corp".split()
)
_WORD_BEFORE = re.compile(r"(\w+)[.!?:\u2026]?[\"\u201c\u201d\u00bb\u00ab'\u2019)]?$")
# contact lines glued together: "Max MustermannTel. 040 123", "presse@x.deFax 1"
_CONTACT_GLUE = re.compile(
    r"(?<=[^\W_])(?=(?:Tel\.|Telefon|Fax|Mobil|Handy|E-Mail|Email|Internet)(?![a-zäöüß])"
    r"|Mail:|www\.|https?://)"
)
_URL_THEN_STOP = re.compile(r"\.[a-z]{2,6}/?\.$")
_DOMAIN_AFTER = re.compile(r"[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}(?![a-zäöüß])")


def _split_glued(text: str) -> list[str]:
    """Split one paragraph where a naive scraper glued the next one on; see split_flat_text."""
    if not _may_split(text):
        return [text]
    pieces: list[str] = []
    start = 0
    for m in _SPLIT.finditer(text):
        at = m.start()
        if at <= start:
            continue
        head = text[start:at]
        token_start = max(head.rfind(" "), head.rfind("\u00a0")) + 1
        token = head[token_start:]  # the text since the last space, up to the split
        tail = text[at:]
        heading = _HEADING_START.match(tail) is not None
        if not heading:
            # never inside a URL, a mail address or a domain: "www.Example.de", "info@Firma.De"
            if "://" in token or "www." in token.lower() or "@" in token:
                # ... unless the URL has visibly ended: ")" or a TLD plus the full stop
                if not (token.endswith(")") or _URL_THEN_STOP.search(token)):
                    continue
            if token.endswith(".") and _DOMAIN_AFTER.match(tail):
                continue
            word = _WORD_BEFORE.search(token)
            if token.endswith(".") and word and word.group(1).lower() in _ABBREVIATIONS:
                continue
        pieces.append(head)
        start = at
    pieces.append(text[start:])
    return pieces


def split_flat_text(text: str, *, single_newlines: bool | None = None) -> list[str]:
    """Clean paragraphs from plain text (RSS description, API body) or flattened text.

    1. Blocks: when the text has blank lines, each blank-line separated block is
       one paragraph and single newlines inside it are spaces (a ``<br>`` inside
       a paragraph) -- except that a line starting a known section (Über X:,
       Pressekontakt, Original-Content von:, Originalmeldung:) starts a new
       paragraph, and after a contact headline every line is its own paragraph
       (split_release joins them into the contact). Without blank lines, every
       line is a paragraph. ``single_newlines`` overrides that guess: False
       (paragraphs from the DOM joined by a blank line; a newline inside one is a
       ``<br>``) or True (every line is a paragraph).
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
    3. Every paragraph is cleaned with `clean_inline`; empty ones are dropped.

    This only ever splits: it cannot join two paragraphs. Its cost is a spurious
    split in rare sloppy text ("Siehe Seite3.Danach" is split; that is the same
    shape as a glued paragraph end).
    """
    if not text:
        return []
    raw_lines = _LINE_BREAKS.split(text)
    lines = [clean_inline(line) for line in raw_lines]
    # lines that came out of clean_inline unchanged are fixed points of it: when one
    # reaches the last step as a whole paragraph, cleaning it again is skipped
    clean = {line for raw, line in zip(raw_lines, lines) if raw == line}
    blank = [not line for line in lines]
    has_blank = any(blank) if single_newlines is None else not single_newlines

    paragraphs: list[str] = []
    current: list[str] = []
    in_contact = False

    def flush() -> None:
        if current:
            paragraphs.append(" ".join(current))
            current.clear()

    for line, is_blank in zip(lines, blank):
        if is_blank:
            flush()
            continue
        stripped = line
        if not has_blank or in_contact:
            flush()
            current.append(stripped)
            flush()
        else:
            if _HEADING_START.match(stripped) or _CONTACT_LINE.match(stripped):
                flush()
            current.append(stripped)
        if _CONTACT_STRONG.match(stripped) or _CONTACT_LINE.match(stripped):
            in_contact = True
            flush()
        elif parse_originator(stripped) is not None:
            in_contact = False
            flush()
    flush()

    out: list[str] = []
    in_contact = False
    for p in paragraphs:
        for piece in _split_glued(p):
            # inside a contact, glued lines are split before the usual labels
            for line in _CONTACT_GLUE.split(piece) if in_contact else [piece]:
                c = line if line in clean else clean_inline(line)
                if not c:
                    continue
                out.append(c)
                if _CONTACT_STRONG.match(c) or _CONTACT_LINE.match(c):
                    in_contact = True
                elif parse_originator(c) is not None:
                    in_contact = False
    return out
