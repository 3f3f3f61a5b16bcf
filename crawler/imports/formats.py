"""Reading dumps: files (gzip or not, or standard input) into `Record`s, one format each.

`read_records(path, fmt="auto", *, mapping=None, encoding="utf-8")` yields, in file order,
a `Record` for each release and a `BadRecord` (location, reason, snippet) for each one
that cannot be read; it never raises for what a file holds (a file that cannot be
opened or ends early is one `BadRecord` too), so one bad line never stops an import.
Memory stays flat: every format but a whole-file API answer is read line by line.

Formats (`FORMATS`):

- ``lines``: one release per line, the flattened text, optionally opening with
  ``date YYYY-MM `` or ``date YYYY-MM-DD ``;
- ``csv``: a header row, then one release per row; any delimiter (sniffed: ``,`` ``;``
  tab ``|``), quoted cells may hold line breaks;
- ``jsonl``: one JSON object per line;
- ``api``: answers of the official API, ``{"content": {"story": [...]}}`` with every
  scalar a string, ``keywords`` as ``{"keyword": [...]}``, ``company`` or ``office``
  ``{id, name}``, ``media.image[{url, caption}]``; one answer per file or one per line;
- ``auto``: by the name (``.csv``/``.tsv``), else by the first line (JSON: ``api`` when
  it is an answer, else ``jsonl``; a header naming a text column: ``csv``; else ``lines``).

Columns (csv) and keys (jsonl) are chosen by name (`COLUMN_NAMES`: ``text``, ``body``,
``Inhalt``, ``url``, ``Link``, ``title``, ``Titel``, ``date``, ``Datum`` ...; case, spaces,
``_`` and ``-`` do not matter), or by `mapping` ({field: column}, ``--map
text=Hauptartikel,url=Link``), which wins.

Files are read as bytes: gzip is recognised by its magic bytes (so ``.gz`` files and a
gzipped standard input are read as they are), a UTF-8 byte-order mark is dropped, and
text that is not valid in `encoding` is a bad record, never a guess.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io
import json
import os
import re
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from crawler.imports.records import Record

FORMATS = ("auto", "lines", "csv", "jsonl", "api")
STDIN = "-"
SNIPPET = 500
# what the readers peek at to sniff a format or a delimiter (and the longest first line
# that can be told apart)
_PEEK = 1 << 20

# The fields a column or key can give, and the names recognised for each (normalised:
# lower case, without spaces, "_" and "-").
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "fulltext", "articletext", "article", "story", "message",
             "haupttext", "hauptartikel", "volltext", "inhalt", "meldung", "pressemitteilung"),
    "url": ("url", "link", "href", "permalink", "sourceurl", "originalurl", "originalmeldung", "quelle"),
    "title": ("title", "headline", "heading", "titel", "überschrift", "ueberschrift", "schlagzeile"),
    "date": ("date", "published", "publishedat", "pubdate", "publicationdate", "datetime",
             "timestamp", "datum", "veröffentlicht", "veroeffentlicht", "erschienen"),
    "teaser": ("teaser", "description", "summary", "lead", "abstract", "vorspann"),
    # a bare "id" is not taken for the story id: dumps number their rows so
    "story_id": ("storyid",),
    "publisher_id": ("publisherid", "companyid", "newsroomid", "officeid"),
    "publisher": ("publisher", "company", "newsroom", "herausgeber", "unternehmen"),
    # as a page's lang attribute: the normaliser keeps the primary subtag ("en-GB" -> "en");
    # none given: German, as for a page without one
    "language": ("language", "lang", "sprache", "inlanguage"),
}
MAPPABLE = tuple(COLUMN_NAMES)


@dataclass(frozen=True)
class BadRecord:
    """A record (or a whole file) that could not be read: where, why, and how it began."""

    location: str
    reason: str
    snippet: str = ""


def parse_mapping(text: str | None) -> dict[str, str]:
    """``text=Hauptartikel,url=Link`` -> {"text": "Hauptartikel", "url": "Link"};
    ValueError naming what is wrong (an unknown field, a pair without "=")."""
    mapping: dict[str, str] = {}
    for pair in (text or "").split(","):
        if not pair.strip():
            continue
        name, sep, column = pair.partition("=")
        name, column = name.strip(), column.strip()
        if not sep or not name or not column:
            raise ValueError(f"--map takes FIELD=COLUMN pairs separated by commas, got {pair!r}")
        if name not in MAPPABLE:
            raise ValueError(f"--map: unknown field {name!r}; fields: {', '.join(MAPPABLE)}")
        mapping[name] = column
    return mapping


def _norm(name: str) -> str:
    return "".join(ch for ch in name.strip().lower() if ch not in " _-\t")


def resolve_columns(names: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """{field: column} for the columns (or keys) `names`: `mapping` first, then the first
    column whose normalised name is one of `COLUMN_NAMES`. ValueError when a mapped
    column is not there."""
    columns: dict[str, str] = {}
    for name, column in mapping.items():
        if column not in names:
            raise ValueError(f"--map {name}={column}: no column {column!r} (columns: {', '.join(names)})")
        columns[name] = column
    normalised = [(_norm(n), n) for n in names]
    for name, known in COLUMN_NAMES.items():
        if name in columns:
            continue
        found = next((original for norm, original in normalised if norm in known), None)
        if found is not None and found not in columns.values():
            columns[name] = found
    return columns


def check_encoding(encoding: str) -> None:
    """Refuse an encoding the readers cannot read: LookupError for an unknown one,
    ValueError for one that is no text encoding ("base64") or does not keep ASCII as it
    is ("utf-16", "cp037"): the files are split into lines, cells and JSON as bytes."""
    ascii_ = bytes(range(128))
    try:
        same = ascii_.decode(encoding) == ascii_.decode("ascii")
    except LookupError:
        codecs.lookup(encoding)  # unknown: its own message; else no text encoding
        raise ValueError(f"--encoding {encoding}: not a text encoding") from None
    except UnicodeDecodeError:
        same = False
    if not same:
        raise ValueError(f"--encoding {encoding}: only encodings that keep ASCII as it is can be read "
                         "(utf-8, windows-1252, latin-1, ...)")


def check_files(paths: list[str]) -> None:
    """Refuse paths that name no readable file, before anything is read: ValueError
    naming them (a fault of the command line, not of a record; `presseportal import` and
    `scrapy crawl import` say the same). Standard input (-) may be named once."""
    if not paths:
        raise ValueError("no file to import")
    missing = [f for f in paths if f != STDIN and not os.path.exists(f)]
    if missing:
        raise ValueError(f"no such file: {', '.join(missing)}")
    not_files = [f for f in paths if f != STDIN and not os.path.isfile(f)]
    if not_files:
        raise ValueError(f"not a file (give the files inside a folder, e.g. folder/*.jsonl): {', '.join(not_files)}")
    if paths.count(STDIN) > 1:
        raise ValueError("standard input (-) can be read once")


def check_mapping(paths: list[str], fmt: str, mapping: dict[str, str], encoding: str = "utf-8") -> None:
    """Refuse a `--map` that cannot apply, before anything is read: ValueError naming it.

    A mapped column missing from a named file's header (csv) or first record (jsonl) is a
    fault of the command line, not of a record: the message names the file and its columns.
    `--map` with `--format lines` or `api` (which have no columns) is refused too.
    Standard input cannot be read twice: its columns are checked when it is read (a bad
    record at line 1). A file that cannot be opened is left to `read_records`."""
    if not mapping:
        return
    if fmt in ("lines", "api"):
        raise ValueError(f"--map names columns of csv and jsonl files; --format {fmt} has none")
    for path in paths:
        if path == STDIN:
            continue
        with contextlib.ExitStack() as files:
            try:
                stream = open_input(path, files)
                head = stream.peek(_PEEK)[:_PEEK]
            except (OSError, EOFError, zlib.error):
                continue
            names = _columns(head, fmt if fmt != "auto" else detect_format(path, head, mapping), encoding)
        if names is not None:
            try:
                resolve_columns(names, mapping)
            except ValueError as exc:
                raise ValueError(f"{path}: {exc}") from None


def _columns(head: bytes, fmt: str, encoding: str) -> list[str] | None:
    """The column names of a csv header or the keys of a first jsonl record in `head`;
    None when there are none to check (another format, an unreadable first line)."""
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    if fmt == "csv":
        header = next(csv.reader(io.StringIO(text), _sniff_dialect(text)), None)
        return [name.lstrip("\ufeff") for name in header] if header else None
    if fmt == "jsonl":
        first, complete = _first_line(head)
        try:
            value = json.loads(first) if complete else None
        except ValueError:
            return None
        return list(value) if isinstance(value, dict) else None
    return None


# --- opening -----------------------------------------------------------------------------------


def display_name(path: str) -> str:
    return "<stdin>" if path == STDIN else path


def open_input(path: str, files: contextlib.ExitStack) -> BinaryIO:
    """The bytes of a file or of standard input ("-"), gunzipped when they are gzip
    (its magic bytes, whatever the name); peekable (`peek`) for the sniffing, and read
    in pieces, so that a truncated gzip still gives every line before the cut. What was
    opened is closed with `files` (standard input stays open). OSError when it cannot
    be opened."""
    stream = sys.stdin.buffer if path == STDIN else files.enter_context(open(path, "rb", buffering=_PEEK))
    if stream.peek(2)[:2] == b"\x1f\x8b":
        return files.enter_context(gzip.GzipFile(fileobj=stream, mode="rb"))
    return stream


def _first_line(head: bytes) -> tuple[str, bool]:
    """The first line that is not blank (stripped), and whether `head` holds all of it."""
    for line in head.split(b"\n"):
        text = line.decode("utf-8", errors="replace").lstrip("\ufeff").strip()
        if text:
            return text, len(line) < len(head)
    return "", True


# an API answer (its "content" is an object), not a JSON record with a "content" text
_API_ANSWER = re.compile(r'"content"\s*:\s*\{')


def detect_format(path: str, head: bytes, mapping: dict[str, str] | None = None) -> str:
    """The format of a file from its name and its first bytes (see the module docstring)."""
    name = path.lower().removesuffix(".gz")
    if name.endswith((".csv", ".tsv")):
        return "csv"
    first, complete = _first_line(head)
    if first.startswith(("{", "[")):
        if not complete:  # a line longer than what was peeked at
            return "api" if _API_ANSWER.search(first) else "jsonl"
        try:
            value = json.loads(first)
        except ValueError:
            return "api"  # an answer spread over lines: the API's way, not JSON Lines
        return "api" if isinstance(value, dict) and isinstance(value.get("content"), dict) else "jsonl"
    if not first.startswith("date "):
        text_columns = set(COLUMN_NAMES["text"]) | {_norm(c) for c in (mapping or {}).values()}
        for delimiter in (",", ";", "\t", "|"):
            cells = [_norm(c.strip('"')) for c in first.split(delimiter)]
            if len(cells) > 1 and text_columns & set(cells):
                return "csv"
    return "lines"


# --- reading -----------------------------------------------------------------------------------


def read_records(path: str, fmt: str = "auto", *, mapping: dict[str, str] | None = None,
                 encoding: str = "utf-8") -> Iterator[Record | BadRecord]:
    """Every release of one file, in order; see the module docstring."""
    name = display_name(path)
    mapping = mapping or {}
    with contextlib.ExitStack() as files:
        try:
            stream = open_input(path, files)
        except OSError as exc:
            yield BadRecord(name, f"cannot read the file: {exc.strerror or exc}")
            return
        reader = _Reader(name, stream, encoding)
        try:
            if fmt == "auto":
                fmt = detect_format(path, stream.peek(_PEEK)[:_PEEK], mapping)
            read = {"lines": reader.lines, "csv": reader.csv, "jsonl": reader.jsonl, "api": reader.api}[fmt]
            yield from read(mapping)
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            # a truncated or broken gzip, a read error: what was read is kept, the rest is lost
            yield BadRecord(f"{name}:{reader.line}", f"the file cannot be read on from here: {exc}")


class _Reader:
    """One file being read; `line` is the number of the last line read."""

    def __init__(self, name: str, stream: BinaryIO, encoding: str) -> None:
        self.name = name
        self.stream = stream
        self.encoding = codecs.lookup(encoding).name
        self.line = 0

    def where(self, line: int | None = None) -> str:
        return f"{self.name}:{self.line if line is None else line}"

    def decoded_lines(self) -> Iterator[tuple[int, str | BadRecord]]:
        """(number, text without its line end) of every line; a line that is not valid
        in the encoding comes as a BadRecord."""
        for raw in self.stream:
            self.line += 1
            if self.line == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
            try:
                yield self.line, raw.decode(self.encoding).rstrip("\r\n")
            except UnicodeDecodeError as exc:
                yield self.line, BadRecord(
                    self.where(), f"not {self.encoding}: byte 0x{raw[exc.start]:02x} at column {exc.start + 1}",
                    raw[:SNIPPET].decode(self.encoding, errors="replace"))

    # lines ----------------------------------------------------------------------------------

    def lines(self, mapping: dict[str, str]) -> Iterator[Record | BadRecord]:
        for number, text in self.decoded_lines():
            if isinstance(text, BadRecord):
                yield text
                continue
            if not text.strip():
                continue  # blank lines part nothing
            date = ""
            if text.startswith("date "):
                date, _, rest = text[5:].partition(" ")
                if not _is_prefix_date(date):
                    yield BadRecord(self.where(number), "unreadable date prefix: `date YYYY-MM ` or "
                                    "`date YYYY-MM-DD ` opens a line", text[:SNIPPET])
                    continue
                text = rest
            yield Record(self.where(number), "lines", text=text, date=date)

    # csv ------------------------------------------------------------------------------------

    def csv(self, mapping: dict[str, str]) -> Iterator[Record | BadRecord]:
        sample = self.stream.peek(_PEEK)[:_PEEK].decode(self.encoding, errors="replace").lstrip("\ufeff")
        text = io.TextIOWrapper(self.stream, encoding=self.encoding, errors="surrogateescape", newline="")
        try:
            yield from self.csv_rows(csv.reader(text, _sniff_dialect(sample)), mapping)
        finally:
            text.detach()  # the file is closed by read_records (standard input: never)

    def csv_rows(self, rows, mapping: dict[str, str]) -> Iterator[Record | BadRecord]:
        csv.field_size_limit(64 << 20)  # a release's text is one cell
        try:
            header = next(rows)
        except StopIteration:
            return
        header[0] = header[0].lstrip("\ufeff")
        self.line = rows.line_num
        try:
            columns = resolve_columns(header, mapping)
        except ValueError as exc:
            yield BadRecord(self.where(1), str(exc), ",".join(header)[:SNIPPET])
            return
        if "text" not in columns:
            yield BadRecord(self.where(1), f"no text column among {', '.join(header)}: name it with "
                            "--map text=COLUMN", ",".join(header)[:SNIPPET])
            return
        while True:
            start = rows.line_num + 1
            try:
                row = next(rows)
            except StopIteration:
                return
            except csv.Error as exc:
                self.line = rows.line_num
                yield BadRecord(self.where(start), f"unreadable CSV row: {exc}")
                continue
            self.line = rows.line_num
            if not any(cell.strip() for cell in row):
                continue
            if any(_undecodable(cell) for cell in row):
                yield BadRecord(self.where(start), f"not {self.encoding}",
                                _printable(rows.dialect.delimiter.join(row))[:SNIPPET])
                continue
            values = dict(zip(header, row, strict=False))
            yield _record(self.where(start), "csv", {name: values.get(column, "") for name, column in columns.items()})

    # jsonl ----------------------------------------------------------------------------------

    def jsonl(self, mapping: dict[str, str]) -> Iterator[Record | BadRecord]:
        resolved: dict[tuple[str, ...], dict[str, str]] = {}
        for number, text in self.decoded_lines():
            if isinstance(text, BadRecord):
                yield text
                continue
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except ValueError as exc:
                yield BadRecord(self.where(number), f"broken JSON: {exc}", text[:SNIPPET])
                continue
            if not isinstance(value, dict):
                yield BadRecord(self.where(number), "not a JSON object", text[:SNIPPET])
                continue
            keys = tuple(value)
            if keys not in resolved:
                try:
                    resolved[keys] = resolve_columns(list(keys), mapping)
                except ValueError as exc:
                    yield BadRecord(self.where(number), str(exc), text[:SNIPPET])
                    continue
            columns = resolved[keys]
            yield _record(self.where(number), "jsonl",
                          {name: _scalar(value.get(column)) for name, column in columns.items()})

    # api ------------------------------------------------------------------------------------

    def api(self, mapping: dict[str, str]) -> Iterator[Record | BadRecord]:
        # one answer a line, unless the first line is not JSON of its own (an answer
        # spread over lines: "{", then its keys)
        first, complete = _first_line(self.stream.peek(_PEEK)[:_PEEK])
        one_per_line = not complete
        if first and complete:
            try:
                json.loads(first)
                one_per_line = True
            except ValueError:
                pass
        if one_per_line:
            for number, text in self.decoded_lines():
                if isinstance(text, BadRecord):
                    yield text
                elif text.strip():
                    yield from self.answer(text, number)
            return
        data = self.stream.read()
        self.line = data.count(b"\n") + 1
        try:
            text = data.decode(self.encoding).lstrip("\ufeff")
        except UnicodeDecodeError as exc:
            yield BadRecord(self.where(1), f"not {self.encoding}: byte 0x{data[exc.start]:02x} at offset {exc.start}")
            return
        yield from self.answer(text, 1)

    def answer(self, text: str, line: int) -> Iterator[Record | BadRecord]:
        """The stories of one API answer that starts at `line`."""
        try:
            value = json.loads(text)
        except ValueError as exc:
            at = line + exc.lineno - 1 if isinstance(exc, json.JSONDecodeError) else line
            yield BadRecord(self.where(at), f"broken JSON: {exc}", text[:SNIPPET])
            return
        content = value.get("content") if isinstance(value, dict) else None
        if not isinstance(content, dict) or "story" not in content:
            reason = "not an API answer: no content.story"
            if isinstance(value, dict) and str(value.get("success", "1")) in ("0", "false", "False"):
                reason = f"the API answer says it failed: {_scalar(value.get('error') or value.get('message'))}"
            yield BadRecord(self.where(line), reason, text[:SNIPPET])
            return
        stories = content["story"]
        if isinstance(stories, dict):
            stories = [stories]
        if not isinstance(stories, list):
            stories = []  # "story": "" when the answer holds none
        for n, story in enumerate(stories, 1):
            where = f"{self.where(line)} story {n}"
            if not isinstance(story, dict):
                yield BadRecord(where, "a story that is not a JSON object", json.dumps(story)[:SNIPPET])
                continue
            yield api_record(story, where)


def api_record(story: dict[str, Any], location: str) -> Record:
    """A Record of one story of an API answer (see the module docstring)."""
    newsroom = story.get("company") or story.get("office")
    newsroom = newsroom if isinstance(newsroom, dict) else {}
    keywords = story.get("keywords")
    if isinstance(keywords, dict):
        keywords = keywords.get("keyword")
    if isinstance(keywords, str):
        keywords = [keywords] if keywords.strip() else []
    media = story.get("media")
    images = media.get("image") if isinstance(media, dict) else None
    if isinstance(images, dict):
        images = [images]
    return Record(
        location=location,
        fmt="api",
        text=_scalar(story.get("body")),
        url=_scalar(story.get("url")),
        title=_scalar(story.get("title")),
        date=_scalar(story.get("published")),
        teaser=_scalar(story.get("teaser")),
        story_id=_scalar(story.get("id")),
        publisher_id=_scalar(newsroom.get("id")),
        publisher=_scalar(newsroom.get("name")),
        keywords=[_scalar(k) for k in keywords or [] if _scalar(k).strip()],
        images=[{"url": _scalar(i.get("url")), "caption": _scalar(i.get("caption"))}
                for i in images or [] if isinstance(i, dict) and i.get("url")],
        language=_scalar(story.get("language")),
    )


# --- helpers -----------------------------------------------------------------------------------


def _record(location: str, fmt: str, values: dict[str, str]) -> Record:
    return Record(location=location, fmt=fmt, **{k: v or "" for k, v in values.items()})


def _scalar(value: Any) -> str:
    """A JSON value as the string a Record holds ("" for null and for containers)."""
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)


def _is_prefix_date(token: str) -> bool:
    parts = token.split("-")
    return (len(parts) in (2, 3) and len(parts[0]) == 4 and all(len(p) == 2 for p in parts[1:])
            and all(p.isdigit() for p in parts))


def _sniff_dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    """The CSV dialect of a sample; the delimiter most frequent in the header line when
    the sniffer cannot tell."""
    lines = sample.splitlines(keepends=True)
    whole = "".join(lines[:-1]) if len(lines) > 1 else sample  # no cut last line
    try:
        return csv.Sniffer().sniff(whole, delimiters=",;\t|")
    except csv.Error:
        header = lines[0] if lines else ""
        delimiter = max(",;\t|", key=header.count)

        class Sniffed(csv.excel):
            pass

        Sniffed.delimiter = delimiter if header.count(delimiter) else ","
        return Sniffed


def _undecodable(cell: str) -> bool:
    # errors="surrogateescape" turns each byte that is not valid text into U+DC80..U+DCFF
    return any("\udc80" <= ch <= "\udcff" for ch in cell) if not cell.isascii() else False


def _printable(text: str) -> str:
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
