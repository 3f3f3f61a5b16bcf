"""`presseportal export`: stream the stored releases out as JSON lines or CSV."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterable
from typing import Any

from crawler import exitcodes
from crawler.cli.common import reading_store, since_and_publishers
from crawler.db import reads
from crawler.items import STORED_EXPORT_FIELDS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="stream releases out as JSON lines or CSV")
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    p.add_argument("--since", help="only releases published on or after this day, YYYY-MM-DD")
    p.add_argument("--publisher", help="only these publisher id(s), comma separated")
    p.set_defaults(run=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    since, publishers = since_and_publishers(args)
    with reading_store() as conn:
        rows = reads.export(conn, since=since, publishers=publishers) if conn is not None else []
        write_rows(rows, args.format, sys.stdout)
    return exitcodes.OK


def write_rows(rows: Iterable[dict[str, Any]], fmt: str, out) -> None:
    """Stored releases as JSON lines, or CSV with list and dict columns as JSON."""
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=STORED_EXPORT_FIELDS)
        writer.writeheader()
    for row in rows:
        record = {name: jsonable(row[name]) for name in STORED_EXPORT_FIELDS}
        if fmt == "jsonl":
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                             for k, v in record.items()})


def jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
