"""`presseportal export`: stream the stored releases out as JSON lines or CSV."""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from crawler import exitcodes
from crawler.cli.common import (
    UsageError,
    asked_newsrooms,
    output_file,
    published_iso,
    reading_store,
    say_empty_newsrooms,
    window_and_publishers,
)
from crawler.db import reads
from crawler.items import STORED_EXPORT_FIELDS

# the file name's ending that says each format; `-o` without --format takes the format
# from it (and refuses an ending it does not know: a .json file wants one JSON document,
# which export does not write)
EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
FORMATS = tuple(dict.fromkeys(EXTENSIONS.values()))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help="stream releases out as JSON lines or CSV",
        description="Write the stored releases, newest first, one record each with the fields "
        "of a crawl's feed export (without fetched_at), in the same order; CSV's list and dict "
        "columns as JSON. Where each came from: origin (page: crawled; import: from "
        "`presseportal import`) and, last, imported_from (an import's FILE:LINE, '' for a page: "
        "what traces an imported release without URL).")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="jsonl (JSON lines) or csv; default: from the -o file's ending (.jsonl, .ndjson, "
                   ".csv; another ending needs --format, and --format must not contradict the ending), "
                   "jsonl on stdout")
    p.add_argument("--since", help="only releases published on or after this day, YYYY-MM-DD")
    p.add_argument("--until", help="only releases published on or before this day, YYYY-MM-DD")
    p.add_argument("--publisher", help="only these publisher id(s), comma separated")
    p.add_argument("--office", help="only these police or fire office id(s), comma separated")
    p.add_argument("-o", "--output", metavar="FILE", type=output_file,
                   help="write to FILE (replaced only once the export is complete) instead of stdout")
    p.set_defaults(run=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    """0; 1 when a newsroom asked for (`--publisher`, `--office`) has no release stored
    (one line each on stderr; the others are exported all the same, and when none is
    left `-o` leaves its file as it was)."""
    since, until, _ = window_and_publishers(args)
    newsrooms = asked_newsrooms(args)
    fmt = export_format(args.format, args.output)
    with reading_store() as conn:
        empty = say_empty_newsrooms(conn, newsrooms) if newsrooms else []
        if newsrooms and len(empty) == len(newsrooms) and args.output is not None:
            return exitcodes.ERRORS  # nothing to export: no empty file where none (or an old one) was
        with output(args.output) as out:
            export_to(out, conn, fmt, since, until, newsrooms)
    return exitcodes.ERRORS if empty else exitcodes.OK


def export_format(asked: str | None, target: Path | None) -> str:
    """The format to write: `asked` (--format), else the one `target`'s ending names
    (`EXTENSIONS`), else jsonl on stdout. A usage error: an ending that names no format
    without --format, or one that names another format than --format (a .csv file of
    JSON lines is read by nobody)."""
    named = EXTENSIONS.get(target.suffix.lower()) if target is not None else None
    if asked is not None:
        if target is not None and named not in (None, asked):
            raise UsageError(f"--format {asked} contradicts the file name {target.name!r} ({named}); "
                             "leave out --format or rename the file")
        return asked
    if target is None:
        return "jsonl"
    if named is None:
        endings = ", ".join(EXTENSIONS)
        raise UsageError(f"cannot tell the format of {target.name!r} from its ending ({endings}): give --format")
    return named


def export_to(out: TextIO, conn, fmt: str, since, until, newsrooms) -> None:
    """The stored releases in the window and newsrooms (all when none) written to `out`
    as `fmt` (`conn` None: an empty store)."""
    if conn is None:
        write_rows([], fmt, out)
        return
    # closed here, whatever happens while writing (a reader gone away): its transaction
    # ends before the connection does
    with contextlib.closing(reads.export(conn, since=since, until=until, newsrooms=newsrooms)) as rows:
        write_rows(rows, fmt, out)


@contextlib.contextmanager
def output(target: Path | None) -> Iterator[TextIO]:
    """stdout, or a temporary file beside `target` (its folder checked by `output_file`)
    renamed over it once complete, so that a failed export never leaves half a file where
    a complete one was. A folder that cannot be written to is a usage error."""
    if target is None:
        yield sys.stdout
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise UsageError(f"cannot write {str(target)!r}: {exc.strerror or exc}") from None
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # as a plain `> FILE` would create it, not mkstemp's 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            yield out
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def write_rows(rows: Iterable[dict[str, Any]], fmt: str, out) -> None:
    """Stored releases as JSON lines, or CSV with list and dict columns as JSON."""
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=STORED_EXPORT_FIELDS)
        writer.writeheader()
    for row in rows:
        record = {name: jsonable(row[name]) for name in STORED_EXPORT_FIELDS}
        # a date known to the day: its Berlin midnight, not the UTC evening before
        record["published_at"] = published_iso(row["published_at"], row["published_precision"])
        if fmt == "jsonl":
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                             for k, v in record.items()})


def jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
