"""Paths and small helpers shared by the extraction tests (no fixtures, no I/O at import)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
# the one real page: a third-party file, read in place and never copied into the project
REFERENCE = REPO.parent / "shared" / "reference" / "story-103258-2930232.html"
REFERENCE_URL = "https://www.presseportal.de/pm/103258/2930232"


def reference_html() -> str:
    if not REFERENCE.is_file():
        pytest.skip(f"real reference page not available at {REFERENCE}")
    return REFERENCE.read_text(encoding="utf-8")
