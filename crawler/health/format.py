"""How the report writes numbers, instants and lengths of time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

TIMEZONE = "Europe/Berlin"  # the site's clock, and its readers'
_BERLIN = ZoneInfo(TIMEZONE)


def when(value: datetime | date | None) -> str:
    """An instant in Berlin time to the minute ("2026-01-12 14:03 CET"), a day as
    YYYY-MM-DD, "-" for None."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.astimezone(_BERLIN).strftime("%Y-%m-%d %H:%M %Z")
    return value.isoformat()


def number(value: int | float) -> str:
    """Thousands with a comma: 200,000."""
    return f"{value:,}"


def duration(seconds: float) -> str:
    """A length of time in words: "15 minutes", "hour", "3 days" (for "every ...", "per ...")."""
    for unit, size in (("year", 365 * 86400), ("week", 7 * 86400), ("day", 86400), ("hour", 3600),
                       ("minute", 60)):
        if seconds >= size:
            count = round(seconds / size, 1)
            return unit if count == 1 else f"{count:g} {unit}s"
    return f"{seconds:.0f} seconds" if seconds >= 1.5 else "second"
