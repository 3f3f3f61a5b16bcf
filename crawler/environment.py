"""Numbers read from the environment by crawler/settings.py, checked where they are read.

A malformed value must end a command in one line with exit 2 (the CLI turns
`BadEnvironment` into a usage error), not in a traceback from deep inside Scrapy's
settings import.
"""

from __future__ import annotations

import math
import os


class BadEnvironment(ValueError):
    """An environment variable holds a value the setting cannot take (one line)."""


def number(name: str, default: float | None, *, low: float = 0.0, high: float = math.inf,
           meaning: str = "a number") -> float | None:
    """`float(os.environ[name])` when set and not blank, else `default`; BadEnvironment
    naming the variable when it is no finite number in [low, high]."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (low <= value <= high):  # NaN fails every comparison
        bound = f"from {low:g} to {high:g}" if high != math.inf else f"of at least {low:g}"
        raise BadEnvironment(f"{name} must be {meaning} {bound}, got {raw!r}")
    return value
