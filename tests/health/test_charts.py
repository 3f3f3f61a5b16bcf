"""The report's charts (crawler/health/charts.py) read as a reader reads them: the text of
the SVG they put in the page. A time axis speaks one unit, chosen from its span, and says
which; matplotlib's ConciseDateFormatter had mixed "45" (seconds) with "11:00" (minutes)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from crawler.health import charts
from crawler.health.gather import ReportData, Scope

START = datetime(2025, 3, 4, 10, 0, 5, tzinfo=UTC)  # 11:00:05 in Berlin


def report(span: timedelta, runs: int = 8) -> ReportData:
    """Runs evenly spread over `span` from START, each with coverage and a releases bin."""
    rows = [{"started_at": START + span * i / (runs - 1), "mode": "incremental", "duration_seconds": 3.0 + i,
             "status": "success", "errors": i % 2, "coverage": {"title": 1.0 - i / 100}, "releases": 25}
            for i in range(runs)]
    return ReportData(
        scope=Scope(), generated_at=START + span, store="test", coverage_min=0.95, coverage_min_items=20,
        watched_fields=["title"], newsrooms=[], months={}, runs=rows, outcome_bin_seconds=60,
        outcomes=[{"bin": r["started_at"], "new": 1, "changed": 0, "unchanged": 2} for r in rows],
        rhythm={}, failures_by_stage=[], latest_failures=[], queue=None)


def time_axes(svg: str) -> list[tuple[list[str], str]]:
    """Each x axis drawn with tick labels: (its tick labels, its label), from the SVG's
    groups (matplotlib names them `matplotlib.axis_N`, `xtick_N`)."""
    root = etree.fromstring(svg.encode())
    found = []
    for axis in root.iter("{http://www.w3.org/2000/svg}g"):
        ticks = [g for g in axis if re.fullmatch(r".*-xtick_\d+", g.get("id", ""))]
        if not ticks:
            continue
        labels = [text for g in ticks if (text := "".join(g.itertext()).strip())]
        rest = ["".join(g.itertext()).strip() for g in axis if g not in ticks]
        if labels:
            found.append((labels, " ".join(t for t in rest if t)))
    return found


@pytest.mark.parametrize("span, tick, label", [
    (timedelta(seconds=50), r"\d\d:\d\d:\d\d", "Berlin time (hh:mm:ss), 04 Mar 2025"),
    (timedelta(minutes=20), r"\d\d:\d\d", "Berlin time (hh:mm), 04 Mar 2025"),
    (timedelta(hours=5), r"\d\d:\d\d", "Berlin time (hh:mm), 04 Mar 2025"),
    (timedelta(days=2), r"\d\d [A-Z][a-z]{2} \d\d:\d\d", "Berlin time (day month hh:mm), 04 Mar 2025 to 06 Mar 2025"),
    (timedelta(days=20), r"\d\d [A-Z][a-z]{2}", "day (Berlin time), 2025"),
    (timedelta(days=400), r"[A-Z][a-z]{2} \d{4}", "month (Berlin time)"),
], ids=["seconds", "minutes", "hours", "days-and-hours", "days", "months"])
@pytest.mark.parametrize("chart", [charts.runs, charts.coverage], ids=["runs", "coverage"])
def test_a_time_axis_speaks_one_unit_and_names_it(chart, span, tick, label):
    axes = time_axes(chart(report(span)))
    assert axes, "the chart has a time axis with tick labels"
    for ticks, axis_label in axes:
        odd = [t for t in ticks if not re.fullmatch(tick, t)]
        assert not odd, f"{span}: ticks {ticks} mix units: {odd} are not {tick}"
        assert len(ticks) >= 3 and len(set(ticks)) == len(ticks), f"{span}: every tick its own label: {ticks}"
        assert axis_label == label, f"{span}: the axis names its unit: {axis_label!r}"


def test_the_ticks_are_berlin_time():
    ((ticks, _),) = time_axes(charts.runs(report(timedelta(minutes=20))))
    assert "11:00" in ticks and "10:00" not in ticks, ticks  # START is 10:00 UTC, 11:00 in Berlin
