"""Flatten a replica release the ways other scrapers' dumps hold them (test helper; SITE.md,
"Text renderings and dumps of other scrapers"; issue 13, item 2, 3 and 5).

A release is first laid out as the lines a text rendering shows, from its ground truth
(`Corpus.truth`) and the page's own words (`Corpus.doc`: the dateline as written, the
contact heading): the dateline opening the first paragraph (or alone), the body and about
paragraphs (a list's items and a table's rows are lines of one paragraph), the contact
heading and lines, the originator line, "Originalmeldung: URL", and, when asked, the
teasers of the next stories and "Weitere Storys". Then it is flattened:

- `per_line`: one paragraph per line, no blank lines (`blank_before_contact`: one blank
  line before the contact heading, as in the issue's example);
- `space_runs`: everything on one line, paragraphs and lines separated by runs of three
  to six spaces;
- `glued`: joined with nothing where real dumps glue: a paragraph that ends a sentence
  onto the next that starts one ("…im Homeoffice.Damit verbunden…"), a section heading
  onto anything ("…der Branche.Pressekontakt:"), a contact heading onto its first line,
  contact lines onto each other where a label, a phone number, an address or a name
  starts ("Erika Musterfrau+49 (40) 12 34 56 - 78erika.musterfrau@example.deMax …"). Where a
  dump could not have been split again by anyone (a subheading glued onto the next
  paragraph: "ÜberblickImmer mehr"), the line break stays.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from tests.replica.corpus import Corpus

MODES = ("per_line", "blank_before_contact", "space_runs", "glued")

_SENTENCE_END = re.compile(r"[^\W\d_][.!?\u2026][\"\u201c\u201d\u00bb']?$")
_STARTS_SENTENCE = re.compile(r"[A-ZÄÖÜ][a-zäöüß]")
_LABEL = re.compile(r"(?:Tel\.|Telefon|Fax|Mobil|E-Mail|Email|Internet)(?![a-zäöüß])|Mail:|www\.|https?://")
_PHONE = re.compile(r"(?:\+|00)\d|\(0\d|0\d{2}")
_ADDRESS_END = re.compile(r"\.[a-z]{2,4}$")
_ADDRESS = re.compile(r"^[A-Za-z][\w.+-]*@")
# headings a dump glues onto anything: every grammar reads them after any character
_GLUED_HEADINGS = re.compile(
    r"(?:Pressekontakt|Press contact|Media contact|Medienkontakt|Rückfragen|Für Rückfragen|Ansprechpartner"
    r"|Rückfragehinweis|Über |Original-Content von:|Originalmeldung:)"
)


@dataclass
class Line:
    text: str
    role: str  # dateline, body, heading (contact), contact, originator, trailer
    paragraph: int = 0  # lines of one body paragraph (a list) share it


@dataclass
class Expected:
    dateline: str
    body: list[str]
    about: list[str]
    contact: list[str]
    originator: str
    story_id: int
    newsroom: tuple[str, int]


def layout(corpus: Corpus, sid: int, *, inline_dateline: bool, teasers: bool) -> tuple[list[Line], Expected]:
    """The lines of a text rendering of story `sid`, and what splitting them must give."""
    doc, truth = corpus.doc(sid), corpus.truth(sid)
    body = truth["body"].split("\n\n")
    about = truth["about"].split("\n\n") if truth["about"] else []
    contact = truth["contact"].split("\n")
    dateline = doc.dateline_shown + (f" - ({doc.initials})" if doc.initials else "")
    lines: list[Line] = []
    for n, paragraph in enumerate(body + about):
        role = "body" if n < len(body) else "about"
        for i, text in enumerate(paragraph.split("\n")):
            if n == 0 and i == 0:
                if inline_dateline:
                    text = f"{dateline} - {text}"
                else:
                    lines.append(Line(dateline, "dateline", -1))
            lines.append(Line(text, role, n))
    lines.append(Line(doc.contact_heading, "heading", -2))
    lines += [Line(text, "contact", -3 - i) for i, text in enumerate(contact)]
    lines.append(Line(f"Original-Content von: {truth['originator']}, übermittelt durch news aktuell", "originator", -100))
    lines.append(Line(f"Originalmeldung: https://www.presseportal.de{doc.newsroom.story_path(sid)}", "trailer", -101))
    if teasers:
        for k, other in enumerate(corpus.older_than(doc.newsroom, sid, 2)):
            card = corpus.card(other)
            lines.append(Line(f"{card.dateline} (ots) - {card.teaser}", "trailer", -102 - k))
        lines.append(Line(f"Weitere Storys: {doc.publisher.name}", "trailer", -110))
    expected = Expected(truth["dateline"], body, about, contact, truth["originator"], sid,
                        (doc.newsroom.kind, doc.newsroom.id))
    return lines, expected


def _glues(a: Line, b: Line) -> bool:
    """Whether a dump glues line b straight onto line a (see the module docstring)."""
    if a.paragraph == b.paragraph:  # lines of one list or table
        return False
    if b.role in ("originator", "trailer") or (b.role in ("body", "about", "heading") and _GLUED_HEADINGS.match(b.text)):
        return True
    if a.role == "heading":  # "Rückfragen bitte an:Polizeipräsidium"
        return bool(_STARTS_SENTENCE.match(b.text))
    if a.role == "contact" and b.role == "contact":
        if _LABEL.match(b.text) and re.search(r"[^\W_]$", a.text):
            return True
        if _PHONE.match(b.text) and re.search(r"[^\W\d_]$", a.text):
            return True
        if _ADDRESS.match(b.text) and a.text[-1:].isdigit():
            return True
        return bool(_ADDRESS_END.search(a.text) and ("@" in a.text or "www." in a.text or "://" in a.text)
                    and _STARTS_SENTENCE.match(b.text))
    return bool(_SENTENCE_END.search(a.text) and _STARTS_SENTENCE.match(b.text))


def flatten(lines: list[Line], mode: str, rng: random.Random) -> str:
    """The lines as one text, flattened in `mode` (MODES)."""
    if mode == "per_line":
        return "\n".join(line.text for line in lines)
    if mode == "blank_before_contact":
        return "\n".join(("\n" if line.role == "heading" else "") + line.text for line in lines)
    if mode == "space_runs":
        return "".join((" " * rng.randint(3, 6) if i else "") + line.text for i, line in enumerate(lines))
    if mode == "glued":
        out = [lines[0].text]
        for a, b in zip(lines, lines[1:]):
            # the next stories' teasers follow the story's link with a space, as dumps show
            gap = " " if a.role == b.role == "trailer" else "" if _glues(a, b) else "\n"
            out.append(gap + b.text)
        return "".join(out)
    raise ValueError(mode)
