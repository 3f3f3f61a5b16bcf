"""parse_published: every site format, every DST edge, the fallback, the errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.normalize.dates import DateParseError, ParsedDate, localize_berlin, parse_published

# reference time for relative dates: Monday 29 March 2021, 12:00 in Berlin (CEST)
NOW = datetime(2021, 3, 29, 10, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


FAST = [
    # story page p.date, as decoded and undecoded
    ("21.01.2021 – 10:30", utc(2021, 1, 21, 9, 30), False),
    ("21.01.2021 - 10:30", utc(2021, 1, 21, 9, 30), False),
    ("21.01.2021 &ndash; 10:30", utc(2021, 1, 21, 9, 30), False),
    ("21.01.2021 &#8211; 10:30", utc(2021, 1, 21, 9, 30), False),
    ("21.01.2021 — 10:30", utc(2021, 1, 21, 9, 30), False),
    ("21.01.2021 – 10:30 Uhr", utc(2021, 1, 21, 9, 30), False),
    ("  21.01.2021\u00a0\u2013\u00a010:30  ", utc(2021, 1, 21, 9, 30), False),
    ("21.01.2021   –   10:30", utc(2021, 1, 21, 9, 30), False),
    ("21.01.2021&nbsp;&ndash;&nbsp;10:30", utc(2021, 1, 21, 9, 30), False),
    ("21.01.2021 10:30", utc(2021, 1, 21, 9, 30), False),
    ("21.01.2021, 10:30", utc(2021, 1, 21, 9, 30), False),
    ("20.01.2015 &ndash; 09:30", utc(2015, 1, 20, 8, 30), False),  # the real page
    ("02.07.2020 – 04:30", utc(2020, 7, 2, 2, 30), False),  # summer: +02:00
    ("21.01.2021", utc(2021, 1, 20, 23, 0), False),  # date only: local midnight
    # JSON-LD datePublished: Berlin wall time, no offset
    ("2021-01-21T10:30:00", utc(2021, 1, 21, 9, 30), False),
    ("2015-01-20T09:30:00", utc(2015, 1, 20, 8, 30), False),
    ("2020-07-02T04:30:00", utc(2020, 7, 2, 2, 30), False),
    ("2021-01-21 10:30", utc(2021, 1, 21, 9, 30), False),
    # API, ISO with offset
    ("2020-07-02T04:30:00+0200", utc(2020, 7, 2, 2, 30), False),
    ("2020-07-02T04:30:00+02:00", utc(2020, 7, 2, 2, 30), False),
    ("2020-07-02T04:30:00Z", utc(2020, 7, 2, 4, 30), False),
    ("2020-07-02T04:30:00.123+02:00", datetime(2020, 7, 2, 2, 30, 0, 123000, tzinfo=UTC), False),
    ("2021-10-31T02:30:00+01:00", utc(2021, 10, 31, 1, 30), False),  # offset given: not ambiguous
    # RSS pubDate
    ("Thu, 21 Jan 2021 10:30:00 +0100", utc(2021, 1, 21, 9, 30), False),
    ("Thu, 02 Jul 2020 04:30:00 +0200", utc(2020, 7, 2, 2, 30), False),
    ("Thu, 21 Jan 2021 10:30:00 GMT", utc(2021, 1, 21, 10, 30), False),
    ("Thu, 21 Jan 2021 10:30:00 -0000", utc(2021, 1, 21, 10, 30), False),
    ("Thu, 21 Jan 2021 10:30:00", utc(2021, 1, 21, 9, 30), False),  # no zone: Berlin
    ("21 Jan 2021 10:30:00 +0100", utc(2021, 1, 21, 9, 30), False),
    # as other scrapers and text renderings wrote the shown date (issue 13: "20.01.2015, 18 Uhr"
    # dropped the release); the month as a name, a weekday before it, "|" or "um" between
    ("20.01.2015, 18 Uhr", utc(2015, 1, 20, 17, 0), False),
    ("20.01.2015 18 Uhr", utc(2015, 1, 20, 17, 0), False),
    ("20. Januar 2015, 18:00 Uhr", utc(2015, 1, 20, 17, 0), False),
    ("20.01.2015 | 18:00", utc(2015, 1, 20, 17, 0), False),
    ("Di., 20.01.2015 - 18:00", utc(2015, 1, 20, 17, 0), False),
    ("Dienstag, 20.01.2015, 18:00 Uhr", utc(2015, 1, 20, 17, 0), False),
    ("Tue, 20.01.2015 | 18:00", utc(2015, 1, 20, 17, 0), False),
    ("20. Jan. 2015 – 18:00", utc(2015, 1, 20, 17, 0), False),
    ("21. Januar 2021, 10:30 Uhr", utc(2021, 1, 21, 9, 30), False),
    ("21. Januar 2021", utc(2021, 1, 20, 23, 0), False),
    ("2. Juli 2020, 04:30 Uhr", utc(2020, 7, 2, 2, 30), False),
    ("3. März 2020, 10:00 Uhr", utc(2020, 3, 3, 9, 0), False),
    # numeric dates are day first
    ("02.10.2019 um 12:39", utc(2019, 10, 2, 10, 39), False),
]

DST = [
    # spring forward: 02:30 does not exist; read with +01:00 (the offset before the jump)
    ("28.03.2021 – 02:30", utc(2021, 3, 28, 1, 30), True),
    ("2021-03-28T02:30:00", utc(2021, 3, 28, 1, 30), True),
    ("Sun, 28 Mar 2021 02:30:00", utc(2021, 3, 28, 1, 30), True),
    # fall back: 02:30 exists twice; the first occurrence (+02:00)
    ("31.10.2021 – 02:30", utc(2021, 10, 31, 0, 30), True),
    ("2021-10-31T02:30:00", utc(2021, 10, 31, 0, 30), True),
    # just outside the edges: not ambiguous
    ("28.03.2021 – 01:59", utc(2021, 3, 28, 0, 59), False),
    ("28.03.2021 – 03:00", utc(2021, 3, 28, 1, 0), False),
    ("31.10.2021 – 01:59", utc(2021, 10, 30, 23, 59), False),
    ("31. Oktober 2021, 02:30 Uhr", utc(2021, 10, 31, 0, 30), True),
    ("28. März 2021, 02:30 Uhr", utc(2021, 3, 28, 1, 30), True),
    ("31.10.2021 – 03:00", utc(2021, 10, 31, 2, 0), False),
    # New Year's Eve: the UTC instant is still in the old year
    ("31.12.2020 – 23:30", utc(2020, 12, 31, 22, 30), False),
    ("01.01.2021 – 00:30", utc(2020, 12, 31, 23, 30), False),
]

FALLBACK = [
    ("Heute, 10:30", utc(2021, 3, 29, 8, 30), False),
    ("heute, 10:30 Uhr", utc(2021, 3, 29, 8, 30), False),
    ("Gestern, 09:15", utc(2021, 3, 28, 7, 15), False),  # the 28th is already CEST at 09:15
    ("gestern", utc(2021, 3, 28, 10, 0), False),  # same wall time as NOW, one day earlier
    ("January 21, 2021 10:30", utc(2021, 1, 21, 9, 30), False),
    # slashes are the English pages' form, month first (the fast path, see below)
    ("10/02/2021 10:30", utc(2021, 10, 2, 8, 30), False),
    # the fallback follows the same DST policy (dateparser alone would pick +01:00)
    ("October 31, 2021 02:30", utc(2021, 10, 31, 0, 30), True),
    ("March 28, 2021 02:30", utc(2021, 3, 28, 1, 30), True),
    # a zone in the string is honoured
    ("21. Januar 2021 10:30 UTC", utc(2021, 1, 21, 10, 30), False),
]


def _ids(cases):
    return [c[0] for c in cases]


@pytest.mark.parametrize(("raw", "instant", "ambiguous"), FAST + DST, ids=_ids(FAST + DST))
def test_fast_path(raw: str, instant: datetime, ambiguous: bool, monkeypatch) -> None:
    # the fast path must not touch dateparser at all
    import crawler.normalize.dates as dates

    def no_fallback(*_a, **_k):
        raise AssertionError(f"{raw!r} fell back to dateparser; extend the fast path regex")

    monkeypatch.setattr(dates, "_fallback", no_fallback)
    parsed = parse_published(raw)
    assert parsed == ParsedDate(instant, ambiguous, raw)
    assert parsed.instant.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(("raw", "instant", "ambiguous"), FALLBACK, ids=_ids(FALLBACK))
def test_fallback(raw: str, instant: datetime, ambiguous: bool) -> None:
    parsed = parse_published(raw, now=NOW)
    assert (parsed.instant, parsed.ambiguous, parsed.raw) == (instant, ambiguous, raw)
    assert parsed.instant.tzinfo is UTC


def test_naive_now_is_berlin_wall_time() -> None:
    parsed = parse_published("Heute, 10:30", now=datetime(2021, 3, 29, 12, 0))
    assert parsed.instant == utc(2021, 3, 29, 8, 30)


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "kaputt", "31.02.2021 – 10:30", "21.13.2021 – 10:30", "21.01.2021 – 25:00",
     "2021-01-21T10:30:00+2500", "1", "12345", "x" * 200, "\u200b"],
)
def test_unparseable_is_an_error_with_the_raw_string(raw: str) -> None:
    with pytest.raises(DateParseError) as err:
        parse_published(raw, now=NOW)
    assert raw in str(err.value), "the message must quote the raw string verbatim"
    assert isinstance(err.value, ValueError)
    assert err.value.raw == raw


def test_parsed_date_is_frozen() -> None:
    parsed = parse_published("21.01.2021 – 10:30")
    with pytest.raises(AttributeError):
        parsed.ambiguous = True  # type: ignore[misc]


def test_localize_berlin_policy() -> None:
    assert localize_berlin(datetime(2021, 3, 28, 2, 30)) == (utc(2021, 3, 28, 1, 30), True)
    assert localize_berlin(datetime(2021, 10, 31, 2, 30)) == (utc(2021, 10, 31, 0, 30), True)
    assert localize_berlin(datetime(2021, 6, 1, 12, 0)) == (utc(2021, 6, 1, 10, 0), False)


# English pages show the month first; a first number above 12 can only be the day.
@pytest.mark.parametrize("raw, expected", [
    ("05/03/2015 – 09:30", "2015-05-03T07:30:00+00:00"),
    ("01/20/2015 – 09:30", "2015-01-20T08:30:00+00:00"),
    ("20/01/2015 - 09:30", "2015-01-20T08:30:00+00:00"),
    ("05/03/2015 – 09:30 PM", "2015-05-03T19:30:00+00:00"),
    ("12/31/2020 – 11:30 pm", "2020-12-31T22:30:00+00:00"),
])
def test_english_slashed_dates_read_month_first(raw, expected):
    assert parse_published(raw).instant.isoformat() == expected


def test_relative_dates_are_read_to_the_minute_so_a_refetch_is_no_change():
    from datetime import datetime, timezone

    first = parse_published("vor 5 Minuten", now=datetime(2024, 5, 1, 10, 0, 33, 123, tzinfo=timezone.utc))
    again = parse_published("vor 5 Minuten", now=datetime(2024, 5, 1, 10, 0, 51, 9, tzinfo=timezone.utc))
    assert first.instant == again.instant
    assert first.instant.isoformat() == "2024-05-01T09:55:00+00:00"
