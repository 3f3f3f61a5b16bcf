"""Numbers (and ports) read from the environment by crawler/settings.py, checked where they are read.

A malformed value must end a command in one line with exit 2, not in a traceback from
deep inside Scrapy's settings import (which `scrapy crawl` runs before any of the
project's code). So the settings module does not raise: `number` keeps the message in
the list it is given (the setting `PRESSEPORTAL_ENVIRONMENT_ERRORS`) and the default
stands meanwhile; `check(settings)` raises `BadEnvironment` for the first one, which the
`presseportal` CLI (crawler/cli/common.py) and `scrapy crawl` (crawler/commands/crawl.py)
turn into a usage error.
"""

from __future__ import annotations

import math
import os


class BadEnvironment(ValueError):
    """An environment variable holds a value the setting cannot take (one line)."""


def check(settings) -> None:
    """BadEnvironment (one line) when crawler/settings.py met a malformed variable."""
    errors = settings.getlist("PRESSEPORTAL_ENVIRONMENT_ERRORS")
    if errors:
        raise BadEnvironment(errors[0])


def number(name: str, default: float | None, *, low: float = 0.0, high: float = math.inf,
           meaning: str = "a number", errors: list[str] | None = None) -> float | None:
    """`float(os.environ[name])` when set and not blank, else `default`. When it is no
    finite number in [low, high]: BadEnvironment naming the variable, or, given a list of
    `errors`, that message added to it and `default` returned."""
    try:
        return _number(name, default, low=low, high=high, meaning=meaning)
    except BadEnvironment as exc:
        if errors is None:
            raise
        errors.append(str(exc))
        return default


def port(name: str, *, errors: list[str]) -> int | None:
    """A TCP port (1 to 65535) from the environment variable `name`, None when unset or
    blank; a malformed one is added to `errors` (None returned)."""
    value = number(name, None, low=1, high=65535, meaning="a TCP port", errors=errors)
    raw = os.environ.get(name, "").strip()
    # digits only: 55871.0 or 5.5874e4 is a number in the range, but names no port
    if value is not None and not (raw.isascii() and raw.isdigit()):
        errors.append(f"{name} must be a TCP port from 1 to 65535, got {os.environ[name].strip()!r}")
        return None
    return None if value is None else int(value)


def _number(name: str, default: float | None, *, low: float, high: float, meaning: str) -> float | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    # NaN fails every comparison; infinity would pass an open-ended range, and a budget
    # of infinitely many requests a second leaves the slot arithmetic spinning
    if not (low <= value <= high) or math.isinf(value):
        bound = f"from {low:g} to {high:g}" if high != math.inf else f"of at least {low:g}"
        raise BadEnvironment(f"{name} must be {meaning} {bound}, got {raw!r}")
    return value
