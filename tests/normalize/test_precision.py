"""A date that knows only its month or its day keeps that precision, and no time is invented."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.items import RawRelease
from crawler.normalize.dates import DateParseError
from crawler.normalize.precision import read_published
from crawler.normalize.release import normalize_release


@pytest.mark.parametrize(("raw", "instant", "precision"), [
    # the first instant of the period, Berlin: 2021-01-01 00:00 CET
    ("2021-01", datetime(2020, 12, 31, 23, 0, tzinfo=UTC), "month"),
    ("01.2021", datetime(2020, 12, 31, 23, 0, tzinfo=UTC), "month"),
    ("07/2021", datetime(2021, 6, 30, 22, 0, tzinfo=UTC), "month"),  # CEST
    ("2021-01-21", datetime(2021, 1, 20, 23, 0, tzinfo=UTC), "day"),
    ("21.01.2021", datetime(2021, 1, 20, 23, 0, tzinfo=UTC), "day"),
    ("21.01.2021 – 10:30", datetime(2021, 1, 21, 9, 30, tzinfo=UTC), "minute"),
    ("2020-07-02T04:30:00+0200", datetime(2020, 7, 2, 2, 30, tzinfo=UTC), "minute"),
])
def test_precision_of_a_date(raw, instant, precision):
    parsed, got = read_published(raw)
    assert (parsed.instant, got, parsed.raw) == (instant, precision, raw)
    assert parsed.ambiguous is False


def test_a_month_that_does_not_exist_is_refused():
    with pytest.raises(DateParseError, match="2021-13"):
        read_published("2021-13")


def test_the_clean_release_carries_the_precision():
    def clean(published_raw: str):
        return normalize_release(RawRelease(story_id=1, publisher_id=2, url="", title="",
                                            published_raw=published_raw, body=["Text."], origin="import"))

    month = clean("2021-01")
    assert (month.published_at, month.published_precision, month.published_raw) == (
        datetime(2020, 12, 31, 23, 0, tzinfo=UTC), "month", "2021-01")
    assert month.origin == "import"
    undated = clean("")
    assert (undated.published_at, undated.published_precision) == (None, "")
    assert clean("21.01.2021 – 10:30").published_precision == "minute"
