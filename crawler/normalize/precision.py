"""How much of a publication date is known: a month, a day, or the minute.

A story page shows the minute (``21.01.2021 – 10:30``). Dumps and other scrapers'
archives often know less: ``2021-01`` (a month) or ``2021-01-21`` (a day). Such a date
is kept with its precision and never given a made-up time: `published_at` is then the
period's first instant in Berlin (``2021-01`` -> 2021-01-01 00:00 Europe/Berlin, i.e.
2020-12-31T23:00Z) and `published_precision` says how much of it is known. A crawl of
the page later fills in the minute (crawler/db/sql/queries/store.sql, "upgraded").

`read_published(raw, *, now=None) -> (ParsedDate, precision)`:

- ``YYYY-MM``, ``MM.YYYY``, ``MM/YYYY`` -> "month";
- ``YYYY-MM-DD``, ``DD.MM.YYYY`` (no time of day) -> "day";
- anything else `crawler.normalize.dates.parse_published` reads -> "minute".

Raises `DateParseError` like `parse_published` (an impossible month too: ``2021-13``).
"""

from __future__ import annotations

import re
from datetime import datetime

from crawler.normalize.dates import DateParseError, ParsedDate, localize_berlin, parse_published

PRECISIONS = ("month", "day", "minute")

_MONTH = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})|(?P<m2>\d{1,2})[./](?P<y2>\d{4})")
_DAY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{4}")


def read_published(raw: str, *, now: datetime | None = None) -> tuple[ParsedDate, str]:
    """The instant and the precision of a published date; see the module docstring."""
    text = " ".join(raw.split()) if isinstance(raw, str) else raw
    if isinstance(text, str) and (m := _MONTH.fullmatch(text)):
        year, month = int(m["y"] or m["y2"]), int(m["m"] or m["m2"])
        if not 1 <= month <= 12:
            raise DateParseError(raw, f"month {month} does not exist")
        instant, _ = localize_berlin(datetime(year, month, 1))  # midnight is never ambiguous
        return ParsedDate(instant, False, raw), "month"
    parsed = parse_published(raw, now=now)
    return parsed, "day" if _DAY.fullmatch(text) else "minute"
