"""The report's charts, drawn by matplotlib as SVG text to put inline in the page.

matplotlib: the best-kept plotting library of Python, whose SVG backend needs no
browser, no JavaScript and no network; the page then works from a file, offline, for
ever. Text stays text (`svg.fonttype: none`): small, selectable, searchable. Each chart
is a `Figure` of its own (no pyplot state), so drawing is safe in any thread.

Each function returns the SVG of one chart (or None when there is nothing to draw). The
ids inside are prefixed with the chart's name, so several charts share one page; the
marks a reader counts carry ids a test can find (groups hold one element per mark):
`archive-bars-<kind>-<id>` (a bar per month with releases of the newsroom, e.g.
`archive-bars-office-99001`), `archive-gap-<kind>-<id>` (a mark per month without), `runs-duration-<status>` (a dot per finished run),
`runs-outcome-<kind>` (a bar per bin of time), `runs-failed` (a dot per run with failed
pages), `runs-missed-<n>`, `coverage-<field>`, `coverage-threshold-<field>`,
`coverage-alarm-<field>`, `failures-stage-<stage>`.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import matplotlib
import matplotlib.dates as mdates
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from crawler.health.format import TIMEZONE, duration
from crawler.health.gather import ReportData, describe_newsroom, key

# matplotlib logs at INFO when it builds its font cache (a first run): not the report's news
logging.getLogger("matplotlib").setLevel(logging.WARNING)

WIDTH = 10.0  # inches; the page scales the SVG to its column
BAND = 0.8  # height of a newsroom's busiest month in the archive (bands are 1 apart)
MIN_BAND = 0.004  # the narrowest band of missed runs, as a share of the time axis
MARKED_RUNS = 300  # up to this many runs, each run's coverage is a dot too (beyond: the line)

STATUS_COLOURS = {
    "success": "#2e7d32",
    "errors": "#ef6c00",
    "running": "#1565c0",
    "abandoned": "#757575",
}
TITLES = {
    "archive": "Releases per month per newsroom",
    "runs": "Runs over time: duration, releases, failed pages",
    "coverage": "Field coverage per run",
    "failures": "Failed pages per stage",
}
OTHER_STATUS = "#c62828"  # a run that stopped early: shutdown, lock_lost, closespider_*, ...
OUTCOME_COLOURS = {"new": "#1565c0", "changed": "#f9a825", "unchanged": "#b0bec5"}
ALARM = "#c62828"
BAR = "#455a64"

_RC = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e0e0e0",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "timezone": TIMEZONE,
}


def plain(text: str) -> str:
    """Text from the store as matplotlib must get it: a "$" would start mathtext."""
    return text.replace("$", r"\$")


def status_colour(status: str | None) -> str:
    return STATUS_COLOURS.get(status or "running", OTHER_STATUS)


@contextmanager
def _figure(name: str, height: float, rows: int = 1, cols: int = 1, **kwargs: Any) -> Iterator[tuple[Figure, Any]]:
    # the hash salt makes matplotlib's ids deterministic (the same store, the same file)
    with matplotlib.rc_context({**_RC, "svg.hashsalt": name}):
        fig = Figure(figsize=(WIDTH, height))
        axes = fig.subplots(rows, cols, squeeze=False, **kwargs)
        # fixed margins in inches: matplotlib's automatic layouts measure every label
        # again and again, seconds for a dozen panels
        fig.subplots_adjust(left=0.8 / WIDTH, right=1 - 0.2 / WIDTH, bottom=0.45 / height,
                            top=1 - 0.3 / height, hspace=0.5 * rows / height + 0.1, wspace=0.12)
        yield fig, axes


def _svg(fig: Figure, name: str) -> str:
    """The figure as an `<svg>` element for an HTML page: no XML prolog, ids unique to
    this chart, scaled by the page's CSS."""
    with matplotlib.rc_context({**_RC, "svg.hashsalt": name}):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)  # matplotlib's RDF credits
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{name}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{name}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{name}-\1"', svg)
    head = svg.index(">") + 1
    return (svg[:head].replace("<svg ", f'<svg role="img" aria-labelledby="{name}-chart-title" class="chart" ', 1)
            + f'<title id="{name}-chart-title">{TITLES[name]}</title>' + svg[head:])


def _bars(ax, starts, width: timedelta, heights, *, bottoms=None, colour: str, gid: str, label: str | None = None):
    """Vertical bars from each start over `width` (time), as one collection: thousands of
    bars draw in one call, and the SVG holds one element per bar (of a height above 0)
    inside `<g id=gid>`."""
    bottoms = bottoms or [0] * len(heights)
    span = mdates.date2num(starts[0] + width) - mdates.date2num(starts[0]) if starts else 0
    verts = [[(x, b), (x, b + h), (x + span, b + h), (x + span, b)]
             for x, h, b in zip(mdates.date2num(starts), heights, bottoms) if h]
    bars = PolyCollection(verts, facecolors=colour, edgecolors="none", label=label)
    bars.set_gid(gid)
    ax.add_collection(bars)
    ax.xaxis_date()
    ax.autoscale_view()
    return bars


def _run_span(data: ReportData) -> tuple[datetime, datetime]:
    """The runs' time axis: from the first run's start to the last one's (or to the end of
    a gap of missed runs that lasts until now), with a margin."""
    first = min([data.runs[0]["started_at"], *(gap["start"] for gap in data.missed)])
    last = max([data.runs[-1]["started_at"], *(gap["end"] for gap in data.missed)])
    margin = max((last - first) * 0.03, timedelta(seconds=30))
    return first - margin, last + margin


# A time axis's one unit, from its span: (shortest span, unit, tick format). matplotlib's
# AutoDateLocator (minticks=4) ticks in whole seconds below 4 minutes, in whole minutes
# from 4 minutes, whole days from 4 days, whole months from 4 months (124 days hold 4 whole
# months): each unit's format is never finer than the ticks need, nor coarser.
TIME_UNITS = (
    (timedelta(days=124), "month", "%b %Y"),
    (timedelta(days=4), "day", "%d %b"),
    (timedelta(minutes=4), "minute", "%H:%M"),
    (timedelta(0), "second", "%H:%M:%S"),
)


def time_unit(first: datetime, last: datetime) -> tuple[str, str, str]:
    """The unit of a time axis from `first` to `last` (aware, Berlin time): its name
    ("month", "day", "minute", "second"), its tick format (strftime) and the axis label,
    which names the unit and the days or years the ticks leave out: one unit per axis,
    where matplotlib's ConciseDateFormatter mixed "45" (seconds) with "11:00" (minutes)."""
    span = last - first
    unit, fmt = next((unit, fmt) for shortest, unit, fmt in TIME_UNITS if span >= shortest)

    def between(a: str, b: str) -> str:
        return a if a == b else f"{a} to {b}"

    if unit == "month":
        return unit, fmt, "month (Berlin time)"
    if unit == "day":
        return unit, fmt, f"day (Berlin time), {between(f'{first:%Y}', f'{last:%Y}')}"
    days = between(f"{first:%d %b %Y}", f"{last:%d %b %Y}")
    if unit == "minute" and first.date() != last.date():
        return unit, "%d %b %H:%M", f"Berlin time (day month hh:mm), {days}"
    clock = "hh:mm" if unit == "minute" else "hh:mm:ss"
    return unit, fmt, f"Berlin time ({clock}), {days}"


def _time_axis(ax) -> None:
    """Ticks on a date x axis in one unit (`time_unit`) for its span as it stands."""
    first, last = (mdates.num2date(x, tz=ZoneInfo(TIMEZONE)) for x in ax.get_xlim())
    _unit, fmt, label = time_unit(first, last)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=10))
    ax.xaxis.set_major_formatter(mdates.DateFormatter(fmt, tz=ZoneInfo(TIMEZONE)))
    ax.set_xlabel(label)


def archive(data: ReportData) -> str | None:
    """Releases per month, a band per newsroom (the biggest, `charted_newsrooms`) on one time
    axis, each band scaled to its own busiest month and labelled with its name, kind
    (publisher or police/fire office), id and office code; months without a release between a
    newsroom's first and last are marked red on its baseline: the archive's gaps. One
    axes for all bands: a dozen panels would cost seconds of tick layout."""
    shown = data.charted_newsrooms
    if not shown:
        return None
    with _figure("archive", 0.9 + 0.75 * len(shown)) as (fig, axes):
        ax = axes[0, 0]
        labels = []
        for row, newsroom in enumerate(shown):
            kind, newsroom_id = key(newsroom)
            gid = f"{kind}-{newsroom_id}"
            base = len(shown) - 1 - row  # the biggest on top
            months = data.months[kind, newsroom_id]
            filled = [m for m in months if m["releases"]]
            gaps = [m["month"] for m in months if not m["releases"]]
            busiest = max(m["releases"] for m in filled)
            _bars(ax, [m["month"] for m in filled], timedelta(days=25),
                  [BAND * m["releases"] / busiest for m in filled], bottoms=[base] * len(filled),
                  colour=BAR, gid=f"bars-{gid}")
            if gaps:
                marks = ax.scatter([g + timedelta(days=12) for g in gaps], [base] * len(gaps),
                                   marker="|", s=90, linewidths=2, color=ALARM, zorder=3)
                marks.set_gid(f"gap-{gid}")
            who = describe_newsroom(kind, newsroom_id, newsroom["office_code"])
            labels.append((base + BAND / 2, f"{plain(newsroom['name'] or 'newsroom')}\n{plain(who)}\n"
                                            f"{newsroom['releases']:,}; busiest month {busiest:,}"))
            ax.axhline(base, color="#9e9e9e", lw=0.6, zorder=1)
        ax.set_yticks([y for y, _ in labels], [text for _, text in labels], fontsize=8)
        ax.set_ylim(-0.15, len(shown))
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
        ax.set_title("Releases per month; red: a month without a release")
        _time_axis(ax)
        fig.subplots_adjust(left=2.2 / WIDTH)
        return _svg(fig, "archive")


def runs(data: ReportData) -> str | None:
    """Runs over time on one axis: each run's duration (status by colour), new / changed /
    unchanged per bin of time, each run's failed pages; missed cron runs shaded red."""
    if not data.runs:
        return None
    with _figure("runs", 6.4, rows=3, sharex=True, height_ratios=[3, 2, 2]) as (fig, axes):
        duration_ax, outcome_ax, failed_ax = axes[:, 0]
        finished = [r for r in data.runs if r["duration_seconds"] is not None]
        # success first: the rarer statuses are drawn over it
        for status in sorted({r["status"] for r in finished}, key=lambda s: (s != "success", s)):
            mine = [r for r in finished if r["status"] == status]
            points = duration_ax.scatter(
                [r["started_at"] for r in mine], [max(r["duration_seconds"], 0.01) for r in mine],
                s=14, color=status_colour(status), label=f"{plain(status)} ({len(mine):,})", zorder=3)
            points.set_gid(f"duration-{status}")
        duration_ax.set_yscale("log")
        for axis_ticks in (duration_ax.yaxis.set_major_formatter, duration_ax.yaxis.set_minor_formatter):
            axis_ticks(FuncFormatter(_seconds_tick))
        duration_ax.set_ylabel("duration (s)")
        duration_ax.set_title("Duration of each run, status by colour; red bands: missed cron runs")
        duration_ax.legend(loc="lower right", bbox_to_anchor=(1, 1), ncols=6, borderaxespad=0.2)

        width = timedelta(seconds=data.outcome_bin_seconds * 0.9)
        bottom = [0] * len(data.outcomes)
        for kind in ("new", "changed", "unchanged"):
            heights = [row[kind] for row in data.outcomes]
            _bars(outcome_ax, [row["bin"] for row in data.outcomes], width, heights, bottoms=bottom,
                  colour=OUTCOME_COLOURS[kind], gid=f"outcome-{kind}", label=kind)
            bottom = [b + h for b, h in zip(bottom, heights)]
        outcome_ax.set_ylabel(f"releases per {duration(data.outcome_bin_seconds)}")
        outcome_ax.legend(loc="lower right", bbox_to_anchor=(1, 1), ncols=3, borderaxespad=0.2)
        outcome_ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))

        failing = [r for r in data.runs if r["errors"]]
        marks = failed_ax.scatter([r["started_at"] for r in failing], [r["errors"] for r in failing],
                                  s=14, color=ALARM, label="failed pages", zorder=3)
        marks.set_gid("failed")
        failed_ax.set_ylabel("failed pages")
        failed_ax.set_ylim(bottom=0, top=max([r["errors"] for r in failing], default=0) * 1.15 + 1)
        failed_ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))

        gaps = [(gap["start"], gap["end"]) for gap in data.missed]
        first, last = _run_span(data)
        # an hour missed in two months of runs must still show: at least MIN_BAND of the axis
        least = (last - first) * MIN_BAND
        for n, (start, end) in enumerate(gaps):
            middle = start + (end - start) / 2
            if end - start < least:
                start, end = middle - least / 2, middle + least / 2
            for ax in axes[:, 0]:
                band = ax.axvspan(start, end, color=ALARM, alpha=0.2, lw=0)
                if ax is duration_ax:
                    band.set_gid(f"missed-{n}")
        failed_ax.set_xlim(*_run_span(data))
        _time_axis(failed_ax)
        return _svg(fig, "runs")


def coverage(data: ReportData) -> str | None:
    """Per watched field, the share of each run's releases that had it, with the alarm
    threshold drawn: a site change shows as a drop. Runs of fewer than
    `coverage_min_items` releases are drawn faint (they alarm only on a field missing from
    all); an alarm is a red dot."""
    measured = data.measured_runs  # not an import's: its dump's gaps are no drop
    if not measured:
        return None
    fields = data.watched_fields
    cols = 2
    rows = (len(fields) + cols - 1) // cols
    with _figure("coverage", 0.4 + 1.5 * rows, rows=rows, cols=cols, sharex=True, sharey=True) as (fig, axes):
        for i, name in enumerate(fields):
            ax = axes[i // cols, i % cols]
            runs_ = [r for r in measured if name in r["coverage"]]
            times = [r["started_at"] for r in runs_]
            ratios = [float(r["coverage"][name]) for r in runs_]
            few = len(runs_) <= MARKED_RUNS
            line, = ax.plot(times, ratios, color=BAR, lw=1.2, marker="o" if few else None, ms=3, zorder=3)
            line.set_gid(name)
            small = [(t, v) for t, v, r in zip(times, ratios, runs_) if r["releases"] < data.coverage_min_items]
            if small and few:
                ax.scatter(*zip(*small), s=16, color="white", edgecolors="#9e9e9e", zorder=4)
            alarms = [(t, v) for t, v, r in zip(times, ratios, runs_) if is_alarm(v, r["releases"], data)]
            if alarms:
                dots = ax.scatter(*zip(*alarms), s=30, color=ALARM, zorder=5)
                dots.set_gid(f"alarm-{name}")
            threshold = ax.axhline(data.coverage_min, color=ALARM, lw=1, ls="--", zorder=2)
            threshold.set_gid(f"threshold-{name}")
            latest = ratios[-1] if ratios else None
            ax.set_title(f"{name}" + (f": {100 * latest:.1f}% in the last run" if latest is not None else ""))
            ax.set_ylim(-0.05, 1.08)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        for j in range(len(fields), rows * cols):
            axes[j // cols, j % cols].set_visible(False)
        axes[0, 0].set_xlim(*_run_span(data))  # the runs chart's time axis: they read together
        for ax in axes[-1, :]:
            _time_axis(ax)
        return _svg(fig, "coverage")


def _seconds_tick(value: float, _pos) -> str:
    """1, 2, 5, 10, 20, 50, ... seconds labelled on the log axis; the ticks between bare."""
    text = f"{value:g}"
    return text if text.lstrip("0.")[:1] in ("1", "2", "5") else ""


def is_alarm(ratio: float, releases: int, data: ReportData) -> bool:
    """The run record's rule (crawler/extensions/coverage.py): under the threshold, and on
    runs of fewer than `coverage_min_items` releases only a field missing from all."""
    if releases >= data.coverage_min_items:
        return ratio < data.coverage_min
    return ratio <= 0


def failures(data: ReportData) -> str | None:
    """Failed pages recorded in scope, per stage."""
    rows = data.failures_by_stage
    if not rows:
        return None
    with _figure("failures", 0.7 + 0.35 * len(rows)) as (fig, axes):
        ax = axes[0, 0]
        stages = [r["stage"] for r in rows][::-1]
        counts = [r["pages"] for r in rows][::-1]
        bars = ax.barh([plain(stage) for stage in stages], counts, color=ALARM, height=0.6)
        for rect, stage in zip(bars, stages):
            rect.set_gid(f"stage-{stage}")
        ax.bar_label(bars, labels=[f"{c:,}" for c in counts], padding=3)
        ax.set_xlabel("failed pages")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="y", visible=False)
        return _svg(fig, "failures")
