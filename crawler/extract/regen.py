"""Regenerate the expected output of stored fixture pages (STYLE.md pattern 10).

    python -m crawler.extract.regen tests/fixtures/story/<case>.html [...]
    python -m crawler.extract.regen --url https://www.presseportal.de/pm/1/2 new-case.html

Each `<case>.html` has a `<case>.json` beside it: `{"url", "declared_charset", "note",
"expected", "stored"}`. The command keeps url, declared_charset and note, runs the
extractor of the fixture's kind (the folder name: story, listing) on the stored bytes, and
rewrites "expected" (the raw extraction) and, for a story, "stored": the record the
normalise stage makes of it, as `presseportal export` gives it back from PostgreSQL (no
fetched_at). Review the diff before committing: the file is the test's truth.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from crawler.extract.encoding import decode_html
from crawler.extract.listing import extract_listing
from crawler.extract.story import extract_story

# fields of a RawRelease that are no page's content but the fetch's
FETCH_FIELDS = ("fetched_at", "http_status", "raw_html")


def expected_for(kind: str, html: str, url: str) -> dict[str, Any]:
    """The fields a fixture's json holds under "expected"."""
    if kind == "story":
        data = dataclasses.asdict(extract_story(html, url))
        for name in FETCH_FIELDS:  # the spider's to set, empty in pure extraction
            data.pop(name)
        return data
    if kind == "listing":
        return dataclasses.asdict(extract_listing(html, url))
    raise ValueError(f"no extractor for fixtures of kind {kind!r} (folder name: story or listing)")


def stored_for(html: str, url: str) -> dict[str, Any]:
    """The fields a story fixture's json holds under "stored": the normalised record as exported."""
    from crawler.items import exported
    from crawler.normalize.release import normalize_release

    record = exported(normalize_release(extract_story(html, url)))
    record.pop("fetched_at")
    return record


def load_fixture(html_path: Path) -> tuple[str, dict[str, Any]]:
    """(decoded page, its json) for a fixture page; the json may not exist yet."""
    meta_path = html_path.with_suffix(".json")
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    html = decode_html(html_path.read_bytes(), meta.get("declared_charset"))
    return html, meta


def regenerate(html_path: Path, url: str | None = None) -> Path:
    html, meta = load_fixture(html_path)
    meta["url"] = url or meta.get("url")
    if not meta["url"]:
        raise SystemExit(f"{html_path}: no url in {html_path.with_suffix('.json').name}; pass --url")
    meta.setdefault("declared_charset", None)
    meta.setdefault("note", "")
    meta["expected"] = expected_for(html_path.parent.name, html, meta["url"])
    if html_path.parent.name == "story":
        meta["stored"] = stored_for(html, meta["url"])
    out = html_path.with_suffix(".json")
    out.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="+", type=Path, help="fixture .html files")
    parser.add_argument("--url", help="URL the page was fetched from (for a new fixture)")
    args = parser.parse_args(argv)
    for page in args.pages:
        print(regenerate(page, args.url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
