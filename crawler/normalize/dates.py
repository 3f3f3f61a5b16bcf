"""Publication dates: from whatever string the site showed to one aware instant.

`parse_published(raw)` reads the formats presseportal.de actually uses on an
exact fast path (a regex or `email.utils`, no dateparser):

- story and listing pages: ``21.01.2021 – 10:30`` with an en dash, an ASCII
  hyphen, an em dash or the undecoded entity ``&ndash;``, optional ``Uhr``,
  any amount of (non-breaking) space; also without the time;
- the same as other scrapers and text renderings wrote it: a comma, ``|`` or ``um``
  between date and time (``20.01.2015 | 18:00``), a full hour with ``Uhr``
  (``20.01.2015, 18 Uhr``), a weekday before it (``Di., 20.01.2015 - 18:00``,
  ``Dienstag, 20.01.2015``), the month as a German or English name
  (``20. Januar 2015, 18:00 Uhr``, ``20. Jan. 2015``);
- JSON-LD ``datePublished``: ``2021-01-21T10:30:00`` WITHOUT offset, which is
  Berlin local time (the site writes wall-clock time there);
- the API: ISO 8601 with an offset, ``2020-07-02T04:30:00+0200``, ``+02:00``, ``Z``;
- RSS ``pubDate``: RFC 822, ``Thu, 21 Jan 2021 10:30:00 +0100``;
- English pages: ``01/21/2021 – 10:30`` (optionally ``AM``/``PM``), month first as in
  English usage; a first number above 12 can only be the day and is read so.

Anything else (``Heute, 10:30``, ``gestern``, ``January 21, 2021 10:30``)
falls back to dateparser (German first, then English, Europe/Berlin, dates from
the past). Relative dates need a reference time: pass ``now=`` (the pipeline
passes the fetch time); without it, the current time is used.

DST policy (binding; also in docs/ARCHITECTURE.md)
---------------------------------------------------
Local wall times are Europe/Berlin, read with `zoneinfo` and ``fold=0``:

- a wall time that does not exist (spring forward, 2021-03-28 02:30) is read
  with the offset in force BEFORE the jump, +01:00: 02:30 -> 01:30 UTC
  (which is 03:30 CEST);
- a wall time that exists twice (fall back, 2021-10-31 02:30) is read as its
  FIRST occurrence, +02:00: 02:30 -> 00:30 UTC.

Both cases set ``ambiguous=True`` (detected by comparing the UTC offsets of
``fold=0`` and ``fold=1``). A string that carries its own offset is never
ambiguous. dateparser's own localisation (pytz, which picks the second
occurrence) is not trusted: when the string carried no zone, its wall time is
re-read with the policy above, so both paths agree.

A string that cannot be read raises `DateParseError` with the raw string in
the message: never a silent ``None`` and never "now".
"""

from __future__ import annotations

import email.utils
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

# dateparser settings for the fallback; the benchmark uses the same ones.
DATEPARSER_LANGUAGES = ["de", "en"]
DATEPARSER_SETTINGS: dict[str, object] = {
    "TIMEZONE": "Europe/Berlin",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "PREFER_DATES_FROM": "past",
    # German numeric dates are day first. Without this, dateparser reads
    # "02.10.2019 – 12:39" as 10 February as soon as English is among the languages.
    "DATE_ORDER": "DMY",
}

# Longer strings are not a date but a paragraph; dateparser would find
# "a date" in almost any of them (and slowly).
_MAX_FALLBACK_LEN = 80


class DateParseError(ValueError):
    """A published date that no path could read; the message holds the raw string."""

    def __init__(self, raw: str, reason: str = "unrecognised date format") -> None:
        self.raw = raw
        self.reason = reason
        # the raw string verbatim (not repr), so that a grep for it finds the log line
        super().__init__(f"cannot parse date \"{raw}\": {reason}")


@dataclass(frozen=True)
class ParsedDate:
    instant: datetime  # aware, UTC
    ambiguous: bool  # the local wall time fell into a DST gap or overlap
    raw: str  # exactly the string that was parsed


def localize_berlin(naive: datetime) -> tuple[datetime, bool]:
    """Read a naive Berlin wall time with the DST policy; return (UTC instant, ambiguous)."""
    # the zone's offsets asked of the wall time directly: the same numbers as aware
    # datetimes' utcoffset() and astimezone(), without building three datetimes
    if naive.fold:
        naive = naive.replace(fold=0)
    offset = BERLIN.utcoffset(naive)
    ambiguous = offset != BERLIN.utcoffset(naive.replace(fold=1))
    return (naive - offset).replace(tzinfo=UTC), ambiguous


# --- fast path ------------------------------------------------------------------------

# Month names as the site's German pages and other scrapers' dumps write them (the first
# three letters decide; "Jänner" is Austrian, "Mrz" an old abbreviation)
MONTHS: dict[str, int] = {
    "jan": 1, "jän": 1, "feb": 2, "mär": 3, "mrz": 3, "mar": 3, "apr": 4, "mai": 5, "may": 5,
    "jun": 6, "jul": 7, "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "dez": 12, "dec": 12,
}
# A weekday before the date: "Di., ", "Dienstag, ", "Tue, " (German and English)
WEEKDAYS = (
    "Mo", "Di", "Mi", "Do", "Fr", "Sa", "So", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag",
    "Samstag", "Sonnabend", "Sonntag", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
)

# "21.01.2021 – 10:30", "21.01.2021 - 10:30 Uhr", "21.01.2021, 10:30", "21.01.2021 10:30:15",
# "21.01.2021", "20.01.2015, 18 Uhr", "20.01.2015 | 18:00", "Di., 20.01.2015 - 18:00",
# "20. Januar 2015, 18:00 Uhr", "02.10.2019 um 12:39"
_GERMAN = re.compile(
    rf"(?:(?:{'|'.join(WEEKDAYS)})\.?,? )?"
    r"(?P<d>\d{1,2})\. ?(?:(?P<m>\d{1,2})\. ?|(?P<month>[A-Za-zÄä]{3,9})\.? )(?P<y>\d{4})"
    r"(?: ?(?:[-\u2010\u2011\u2012\u2013\u2014\u2212,|] ?)?(?:um )?"
    r"(?:(?P<H>\d{1,2})[:.](?P<M>\d{2})(?::(?P<S>\d{2}))?(?: ?Uhr)?|(?P<hour>\d{1,2}) ?Uhr))?"
)

# English pages (presseportal.de/en): "01/21/2021 – 10:30", month first as in English
# usage; a first number above 12 can only be a day, and is read so.
_SLASHED = re.compile(
    r"(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})"
    r"(?:\s?(?:[-\u2010\u2011\u2012\u2013\u2014\u2212,]\s?)?"
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?\s?(?P<ampm>[AaPp]\.?[Mm]\.?)?)?"
)

# "2021-01-21T10:30:00", "2021-01-21 10:30", "2020-07-02T04:30:00+0200", "...+02:00", "...Z"
_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,6})\d*)?)?"
    r"\s?(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.IGNORECASE,
)

# RFC 822 / 2822 as in RSS pubDate: "Thu, 21 Jan 2021 10:30:00 +0100" (weekday optional)
_RFC822 = re.compile(
    r"(?:[A-Za-z]{3},\s?)?\d{1,2}\s[A-Za-z]{3}\s\d{2,4}\s\d{1,2}:\d{2}(?::\d{2})?(?:\s\S+)?"
)


def _prepare(raw: str) -> str:
    text = raw
    if "&" in text:
        text = html.unescape(text)  # "&ndash;", "&nbsp;", "&#8211;"
    # every kind of space (NBSP, narrow NBSP, thin space, ...) one plain space, ends stripped
    return " ".join(text.split())


def _from_parts(
    y: str, m: str, d: str, hh: str | None, mm: str | None, ss: str | None, frac: str | None = None
) -> datetime:
    micro = int(frac.ljust(6, "0")) if frac else 0
    return datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0), micro)


def _offset(tz: str) -> timezone:
    if tz.upper() == "Z":
        return UTC
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"bad UTC offset {tz}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _fast(text: str, raw: str) -> ParsedDate | None:
    """The site's own formats; None when the text is none of them."""
    m = _GERMAN.fullmatch(text)
    if m:
        month = m["m"] or MONTHS.get(m["month"][:3].lower())
        if month is None:
            return None  # a word that is no month: not a date we know
        naive = _from_parts(m["y"], str(month), m["d"], m["H"] or m["hour"], m["M"], m["S"])
        instant, ambiguous = localize_berlin(naive)
        return ParsedDate(instant, ambiguous, raw)
    m = _SLASHED.fullmatch(text)
    if m:
        month, day = (m["a"], m["b"]) if int(m["a"]) <= 12 else (m["b"], m["a"])
        hour = m["H"]
        if hour is not None and m["ampm"]:
            hour = str(int(hour) % 12 + (12 if m["ampm"][0] in "Pp" else 0))
        naive = _from_parts(m["y"], month, day, hour, m["M"], m["S"])
        instant, ambiguous = localize_berlin(naive)
        return ParsedDate(instant, ambiguous, raw)
    m = _ISO.fullmatch(text)
    if m:
        naive = _from_parts(m["y"], m["m"], m["d"], m["H"], m["M"], m["S"], m["f"])
        if m["tz"]:
            return ParsedDate(naive.replace(tzinfo=_offset(m["tz"])).astimezone(UTC), False, raw)
        # JSON-LD without offset: Berlin wall time
        instant, ambiguous = localize_berlin(naive)
        return ParsedDate(instant, ambiguous, raw)
    if _RFC822.fullmatch(text):
        try:
            value = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if value.tzinfo is not None:
            return ParsedDate(value.astimezone(UTC), False, raw)
        if text.endswith("-0000"):  # RFC 2822: UTC, source zone unknown
            return ParsedDate(value.replace(tzinfo=UTC), False, raw)
        # no zone, or one email.utils does not know (CET, MEZ): Berlin wall time
        instant, ambiguous = localize_berlin(value)
        return ParsedDate(instant, ambiguous, raw)
    return None


# --- fallback -------------------------------------------------------------------------


def _fallback(text: str, raw: str, now: datetime | None) -> ParsedDate:
    # imported here: dateparser costs ~0.5 s to import and most crawls never need it
    import dateparser
    from dateparser.timezone_parser import pop_tz_offset_from_string

    if len(text) > _MAX_FALLBACK_LEN:
        raise DateParseError(raw, f"longer than {_MAX_FALLBACK_LEN} characters")
    if text.isdigit():
        # dateparser reads "1" as the first of the current month
        raise DateParseError(raw, "a bare number is not a date")
    reference = now if now is not None else datetime.now(UTC)
    if reference.tzinfo is not None:
        reference = reference.astimezone(BERLIN).replace(tzinfo=None)
    settings = dict(DATEPARSER_SETTINGS, RELATIVE_BASE=reference)
    try:
        value = dateparser.parse(text, languages=DATEPARSER_LANGUAGES, settings=settings)
    except (ValueError, OverflowError, TypeError) as exc:
        raise DateParseError(raw, f"dateparser failed: {exc}") from exc
    if value is None:
        raise DateParseError(raw)
    _, zone = pop_tz_offset_from_string(text)
    if zone is not None and value.tzinfo is not None:
        # the string named its zone: dateparser's instant is exact
        return ParsedDate(value.astimezone(UTC), False, raw)
    # no zone in the string: re-read the wall time with our DST policy. The site shows
    # minutes; a relative date ("vor 5 Minuten") would otherwise carry the fetch's
    # seconds and make every refetch look like a changed release.
    instant, ambiguous = localize_berlin(value.replace(tzinfo=None, second=0, microsecond=0))
    return ParsedDate(instant, ambiguous, raw)


def parse_published(raw: str, *, now: datetime | None = None) -> ParsedDate:
    """Read a published date as the site showed it; see the module doc for formats and DST.

    ``now`` is the reference for relative dates ("Heute, 10:30", "gestern");
    an aware datetime (any zone) or a naive Berlin wall time.
    Raises `DateParseError` (a ValueError) with ``raw`` in its message.
    """
    if not isinstance(raw, str):
        raise DateParseError(repr(raw), "not a string")
    text = _prepare(raw)
    if not text:
        raise DateParseError(raw, "empty")
    try:
        parsed = _fast(text, raw)
    except (ValueError, OverflowError) as exc:  # 31.02.2021, 25:00, year 0001 out of range
        raise DateParseError(raw, str(exc)) from exc
    if parsed is not None:
        return parsed
    try:
        return _fallback(text, raw, now)
    except OverflowError as exc:
        raise DateParseError(raw, str(exc)) from exc
