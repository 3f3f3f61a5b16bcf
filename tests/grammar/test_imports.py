"""The grammar is light and above the normaliser (tests/architecture/test_rooms.py holds
the rest of the room map)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

CRAWLER = Path(__file__).resolve().parents[2] / "crawler"


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


# what the grammar may import beside the standard library: the shared character sets and
# the record types (story addresses), neither of which loads anything else
LIGHT = {"crawler.normalize.chars", "crawler.items"}


def test_the_grammar_is_light() -> None:
    # extraction imports it: the standard library, the shared character sets and the
    # record types only (no ftfy, no dateparser); normalisation never imports the grammar
    path = CRAWLER / "grammar.py"
    bad = [
        f"grammar.py:{line} imports {name}"
        for line, name in _imports(path)
        if name.split(".")[0] not in sys.stdlib_module_names and name not in LIGHT
    ]
    assert not bad, "crawler/grammar.py is pure text rules (extraction uses it):\n" + "\n".join(bad)
    for path in sorted((CRAWLER / "normalize").glob("*.py")):
        assert not [n for _, n in _imports(path) if n.startswith("crawler.grammar")], (
            f"{path.name}: the normaliser keeps characters and dates, it does not import the grammar"
        )
