"""The spiders' arguments as Scrapy hands them over (`scrapy crawl -a NAME=VALUE`,
Scrapyd's schedule.json): Scrapy keeps any name as an attribute, so a misspelt one
(`-a story=` for `stories=`) would be dropped without a word and the crawl would run
with the defaults (publisher 73811). Here it is refused, as the CLI refuses a wrong flag.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

_SPREAD = (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)


def refuse_unknown(spider_cls: type, given: Mapping[str, Any]) -> None:
    """ValueError (one line, naming what the spider takes) for an argument that
    `spider_cls.__init__` does not take. Names starting with "_" pass: Scrapyd adds
    `_job` (and `_version`) to every job's arguments."""
    takes = [name for name, p in inspect.signature(spider_cls.__init__).parameters.items()
             if name != "self" and p.kind not in _SPREAD]
    unknown = [name for name in given if not name.startswith("_") and name not in takes]
    if unknown:
        raise ValueError(f"the {spider_cls.name} spider takes no argument {unknown[0]!r}; "
                         f"it takes: {', '.join(takes)}")


def refuse_empty(**given: Any) -> None:
    """ValueError for a newsroom argument given empty (`-a publisher=`): the spiders read
    an absent one as their default newsroom, an empty one is a mistake."""
    for name, value in given.items():
        if isinstance(value, str) and not value.strip():
            raise ValueError(f"{name} needs at least one id")
