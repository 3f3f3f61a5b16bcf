"""README.md read as the tests need it: sections, code blocks, command lines."""

from __future__ import annotations

import re
from urllib.parse import quote

from psycopg.conninfo import conninfo_to_dict

from tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str, subsections: bool = True) -> str:
    """The text of the README section with this heading, up to the next heading of its
    level or above (a `#` line inside a code block is no heading)."""
    lines, found, level, fenced = [], False, 0, False
    for line in README.splitlines(keepends=True):
        if line.startswith("```"):
            fenced = not fenced
        heading = re.match(r"(#+) ", line) if not fenced else None
        if found and heading and (len(heading.group(1)) <= level or not subsections):
            break
        if found:
            lines.append(line)
        elif heading and line.rstrip("\n") == f"{heading.group(1)} {title}":
            found, level = True, len(heading.group(1))
    assert found, f"README has no section {title!r}"
    return "".join(lines)


def blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", text, re.M | re.S)


def command_lines(block: str) -> list[str]:
    """A block's commands: lines that are neither comments nor continuations' tails."""
    joined = block.replace("\\\n", "")
    return [line for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def url_of(conninfo: str) -> str:
    """A postgresql:// URL for a key=value conninfo: a cron line passes it as one word."""
    p = conninfo_to_dict(conninfo)
    return (f"postgresql://{quote(p['user'])}:{quote(p.get('password', ''))}@{p.get('host', '127.0.0.1')}:"
            f"{p.get('port', 5432)}/{quote(p['dbname'])}")
