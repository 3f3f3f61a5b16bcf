"""Every stored story page extracts to the fields in the json beside it, field by field.

Fixtures: tests/fixtures/story/<case>.html with <case>.json = {url, declared_charset,
note, expected, stored}: "expected" is the raw extraction, "stored" the normalised record
as it ends up in PostgreSQL (exported, without fetched_at). After a deliberate change,
regenerate and review the diff:

    .venv/bin/python -m crawler.extract.regen tests/fixtures/story/<case>.html
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from crawler.extract.regen import FETCH_FIELDS, load_fixture, stored_for
from crawler.extract.story import extract_story
from crawler.items import STORED_EXPORT_FIELDS, RawRelease
from tests.extract.helpers import FIXTURES

PAGES = sorted((FIXTURES / "story").glob("*.html"))
FIELDS = [f.name for f in dataclasses.fields(RawRelease) if f.name not in FETCH_FIELDS]

CASES = [pytest.param(page, name, id=f"{page.stem}-{name}") for page in PAGES for name in FIELDS]
STORED_CASES = [pytest.param(page, name, id=f"{page.stem}-stored-{name}") for page in PAGES for name in STORED_EXPORT_FIELDS]


def test_every_fixture_has_its_expected_json() -> None:
    assert PAGES, "no story fixtures found"
    missing = [p.name for p in PAGES if not p.with_suffix(".json").exists()]
    assert not missing, f"run: python -m crawler.extract.regen {' '.join(missing)}"
    for page in PAGES:
        _, meta = load_fixture(page)
        assert list(meta.get("stored") or {}) == STORED_EXPORT_FIELDS, (
            f"{page.stem}.json: \"stored\" must hold the exported fields in order; "
            f"run: python -m crawler.extract.regen {page.name}"
        )


_cache: dict[Path, tuple[RawRelease, dict]] = {}
_stored: dict[Path, tuple[dict, dict]] = {}


def _extracted(page: Path) -> tuple[RawRelease, dict]:
    """Extract each page once for all its field tests (lazily: nothing runs at import)."""
    if page not in _cache:
        html, meta = load_fixture(page)
        _cache[page] = (extract_story(html, meta["url"]), meta["expected"])
    return _cache[page]


@pytest.mark.parametrize(("page", "name"), CASES)
def test_story_fixture_field(page: Path, name: str) -> None:
    story, expected = _extracted(page)
    assert name in expected, f"{page.stem}.json has no {name!r}: regenerate it (crawler.extract.regen)"
    got = getattr(story, name)
    assert got == expected[name], (
        f"{page.stem}: {name} changed. If the change is intended, run "
        f"`python -m crawler.extract.regen {page.relative_to(FIXTURES.parent.parent)}` and review the diff."
    )


def _normalised(page: Path) -> tuple[dict, dict]:
    """The stored record of each page, computed once for all its field tests."""
    if page not in _stored:
        html, meta = load_fixture(page)
        _stored[page] = (stored_for(html, meta["url"]), meta.get("stored") or {})
    return _stored[page]


@pytest.mark.parametrize(("page", "name"), STORED_CASES)
def test_story_fixture_stored_field(page: Path, name: str) -> None:
    record, stored = _normalised(page)
    assert name in stored, f"{page.stem}.json has no stored {name!r}: regenerate it (crawler.extract.regen)"
    assert record[name] == stored[name], (
        f"{page.stem}: the stored {name} changed. If the change is intended, run "
        f"`python -m crawler.extract.regen {page.relative_to(FIXTURES.parent.parent)}` and review the diff."
    )
