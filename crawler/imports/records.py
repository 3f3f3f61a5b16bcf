"""One release of a dump, and the raw record the flow takes from it.

`Record` is what a reader (crawler.imports.formats) found for one release: the
flattened text and whatever columns or keys the dump had beside it. `raw_release`
makes of it the same `RawRelease` a story page gives the spider: first every string of
the record has its HTML character references decoded (`unescape_references`: dumps of
other scrapers often keep "M&uuml;ller &amp; S&ouml;hne"; a page's text was decoded by
its HTML parse, a dump's never was), then the text is split by
the release grammar (`crawler.grammar.split_flat_text` + `split_release`), nothing here
holds a section pattern; the normaliser cleans it and reads the date like any other.

Ids, in this order: the record's URL (a URL column, the API's `url`), the
`Originalmeldung: URL` line of the text (as the grammar reads it: `ReleaseParts.original_url`),
the record's id columns. Without a story id the
release is stored under `derived_story_id(publisher_id, text)` (negative, stable,
flagged `story_id_derived`); without a newsroom id, under the importer's default
newsroom (`--publisher` or `--office`, whose kind the record's id column then has too);
with neither, the record is refused (`RecordError`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields, replace

from crawler.grammar import key, parse_office_code, split_flat_text, split_release
from crawler.items import OFFICE, PUBLISHER, Newsroom, RawRelease, StoryRef, story_ref

# story ids are PostgreSQL integers: derived ones take the negative half (-1 .. -(2**31 - 1))
_INT4 = 2**31 - 1
# a story URL with more glued on after its id ("…/pm/12345/6789012Musterstadt (ots)")
_ID_THEN_GLUE = re.compile(r"(/\d+/\d+)\D.*$")


class RecordError(ValueError):
    """A record that cannot become a release; the message is the reason to record."""


@dataclass
class Record:
    """One release as a dump holds it (strings as read; "" when the dump lacks it)."""

    location: str  # where it was read: "dump.txt.gz:17", "answer.json:1 story 3"
    fmt: str  # "lines", "csv", "jsonl", "api": the layer name of every field it gives
    text: str = ""  # the flattened text or body
    url: str = ""
    title: str = ""
    date: str = ""  # as the dump gives it: "2021-01", "2021-01-21", "21.01.2021 – 10:30", ISO 8601
    teaser: str = ""
    story_id: str = ""
    publisher_id: str = ""
    publisher: str = ""  # the newsroom's name
    keywords: list[str] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)
    language: str = ""


def unescaped(record: Record) -> Record:
    """A copy of `record` with the character references of every string it gives decoded
    (text, title, date, ids, keywords, image URLs and captions ...; not where it was read)."""
    # imported here: every command loads this module (the CLI's `import`), and ftfy is a
    # twentieth of a cron run that finds nothing (tests/cli/test_cron.py)
    from crawler.normalize.text import unescape_references

    return replace(
        record,
        **{f.name: unescape_references(value) for f in fields(Record)
           if f.name not in _AS_READ and isinstance(value := getattr(record, f.name), str)},
        keywords=[unescape_references(k) for k in record.keywords],
        images=[{k: unescape_references(v) for k, v in image.items()} for image in record.images],
    )


# the reader's own strings, not the dump's
_AS_READ = ("location", "fmt")


def derived_story_id(publisher_id: int, text: str) -> int:
    """The stable story id of a release without one: negative, from sha256 of the
    publisher and the text's grammar key (spaces, invisible characters and Unicode forms
    do not matter). Two different texts share an id with odds n²/2³² among n such
    releases (1 in 430 for 1,000): the later one is then stored as a revision."""
    digest = hashlib.sha256(f"{publisher_id}\n{key(text)}".encode("utf-8", "surrogatepass")).digest()
    return -1 - int.from_bytes(digest[:8], "big") % _INT4


def _ref_of_url(url: str) -> StoryRef | None:
    url = url.strip()
    return story_ref(url) or story_ref(_ID_THEN_GLUE.sub(r"\1", url))


def _story_ref(*urls: str) -> StoryRef | None:
    """The story (its newsroom, a publisher's or an office's, its id and site) the first
    of `urls` that is a story URL names; None when none is."""
    for url in urls:
        if url and (ref := _ref_of_url(url)) is not None:
            return ref
    return None


def _int(value: str, what: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) > _INT4:
        raise RecordError(f"{what} {value!r} is not a presseportal id")
    return int(value)


def raw_release(record: Record, *, default_newsroom: Newsroom | None, base_url: str) -> RawRelease:
    """The raw record of a dump's release (see the module docstring).

    `default_newsroom`: the newsroom of records that name none (`--publisher`, `--office`);
    `base_url`: the site a story URL is made on when the record has ids but no URL.
    Raises `RecordError` for a record without text, or without any newsroom id."""
    # before the grammar reads it: "R&uuml;ckfragen bitte an:" opens a contact block too
    record = unescaped(record)
    text = record.text if key(record.text) else record.teaser
    if not key(text):
        raise RecordError("no text")
    parts = split_release(split_flat_text(text))
    # the grammar's URL, not its `original`: a dump may glue text to the story id
    # ("…/6789012Musterstadt (ots)"), which `_story_ref` cuts off
    found = _story_ref(record.url, parts.original_url)
    if found:
        newsroom = found.newsroom
    elif column_id := _int(record.publisher_id, "publisher id"):
        # a dump of one kind of newsroom: its id column means the kind the importer was given
        newsroom = Newsroom(default_newsroom.kind if default_newsroom else PUBLISHER, column_id)
    else:
        newsroom = default_newsroom
    if newsroom is None:
        raise RecordError("no newsroom id: the record names no story URL; give --publisher or --office")
    publisher_id, kind = newsroom.id, newsroom.kind
    story_id = found.story_id if found else _int(record.story_id, "story id")
    derived = story_id is None
    if derived:
        story_id = derived_story_id(publisher_id, text)
        url = ""
    else:
        url = found.url if found else StoryRef(Newsroom(kind, publisher_id), story_id, base_url).url

    raw = RawRelease(
        story_id=story_id,
        publisher_id=publisher_id,
        url=url,
        title=record.title,
        newsroom_kind=kind,
        office_code=parse_office_code(record.title) if kind == OFFICE else "",
        published_raw=record.date,
        publisher=record.publisher,
        dateline=parts.dateline,
        teaser=record.teaser,
        body=parts.body,
        about=parts.about,
        contact=parts.contact,
        originator=parts.originator,
        keywords=list(record.keywords),
        images=list(record.images),
        language=record.language,
        origin="import",
        story_id_derived=derived,
        location=record.location,
    )
    # the layer of every field the record gave (coverage reports `layer/<field>/<format>`)
    raw.sources = {name: record.fmt for name in _LAYERED if getattr(raw, name)}
    return raw


_LAYERED = ("title", "published_raw", "publisher", "dateline", "teaser", "body", "about", "contact",
            "originator", "keywords", "images", "language")
