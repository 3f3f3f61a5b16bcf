"""What the report shows, read from the store in one pass (`gather`).

Everything is aggregated by the database (`crawler.db.health`): the Python side gets a
row per newsroom, per newsroom-month, per run and per bin of time, and shapes nothing
bigger than that. A newsroom is a publisher's or a police or fire office's, keyed by
(kind, id) (`NewsroomKey`): the site may give an office a publisher's number.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from crawler.db import health
from crawler.items import WATCHED_FIELDS
from crawler.state import extracts_pages

# bin widths (seconds) for the runs' new / changed / unchanged bars: the smallest that
# keeps the chart under MAX_BINS bars
BIN_WIDTHS = (1, 5, 15, 60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400, 365 * 86400)
MAX_BINS = 150
# a gap between cron runs longer than this many cadences is a missed run; the cadence
# is known once a newsroom has this many intervals between its runs
MISSED_FACTOR = 2.0
# the archive chart draws this many newsrooms (the biggest); its table lists all
MAX_NEWSROOMS = 12
MIN_INTERVALS = 3

NewsroomKey = tuple[str, int]  # (kind, id): ("publisher", 73811), ("office", 99001)
# what a reader is told a newsroom of each kind is
KIND_NAMES = {"publisher": "publisher", "office": "police/fire office"}


def key(row: dict[str, Any]) -> NewsroomKey:
    """The (kind, id) of a `crawler.db.health` row."""
    return row["kind"], row["newsroom_id"]


def describe_newsroom(kind: str, newsroom_id: int, office_code: str = "") -> str:
    """A newsroom as a reader is told it: "publisher 73811", "police/fire office 99001
    POL-MS" (with its code when known)."""
    return " ".join(part for part in (KIND_NAMES.get(kind, kind), str(newsroom_id), office_code) if part)


@dataclass(frozen=True)
class Scope:
    """What the report looks at: releases published and runs started on or after `since`
    (a Berlin calendar day; None: all time), of the newsrooms of `publishers` and
    `offices` (ids of each kind; both None: every newsroom, of both kinds)."""

    since: date | None = None
    publishers: tuple[int, ...] | None = None
    offices: tuple[int, ...] | None = None

    def params(self) -> dict[str, Any]:
        return {"since": self.since, "publishers": list(self.publishers or ()), "offices": list(self.offices or ())}

    def describe(self) -> str:
        named = [f"{label} {', '.join(map(str, ids))}" for label, ids in (
            ("publishers", self.publishers), ("police/fire offices", self.offices)) if ids]
        parts = [" and ".join(named) if named else "every newsroom (publishers and police/fire offices)"]
        parts.append(f"since {self.since.isoformat()}" if self.since else "all time")
        return ", ".join(parts)


@dataclass
class ReportData:
    """The report's content. Rows are the dicts of `crawler.db.health` (see there for keys)."""

    scope: Scope
    generated_at: datetime
    store: str  # where the store is, without a password
    coverage_min: float  # a run's field coverage under this is an alarm
    coverage_min_items: int  # runs with fewer releases only alarm on a field missing from all
    watched_fields: list[str]
    newsrooms: list[dict[str, Any]]
    months: dict[NewsroomKey, list[dict[str, Any]]]  # (kind, id) -> its months, oldest first
    runs: list[dict[str, Any]]
    outcome_bin_seconds: int
    outcomes: list[dict[str, Any]]
    rhythm: dict[NewsroomKey, dict[str, Any]]  # (kind, id) -> cadence and missed runs
    failures_by_stage: list[dict[str, Any]]
    latest_failures: list[dict[str, Any]]
    queue: list[dict[str, Any]] | None  # None: no job queue in this store
    notes: list[str] = field(default_factory=list)

    @property
    def measured_runs(self) -> list[dict[str, Any]]:
        """The runs whose field coverage the report shows, oldest first: those that
        measured one on extracted pages. An import's coverage says what its dump held
        (a flattened line has no title), not how the extractor does: no drop, no alarm."""
        return [r for r in self.runs if r["coverage"] and extracts_pages(r["mode"])]

    @property
    def releases(self) -> int:
        return sum(n["releases"] for n in self.newsrooms)

    @property
    def failed_pages(self) -> int:
        return sum(row["pages"] for row in self.failures_by_stage)

    @property
    def last_success(self) -> datetime | None:
        return max((n["last_success"] for n in self.newsrooms if n["last_success"]), default=None)

    @property
    def newest(self) -> datetime | None:
        return max((n["newest"] for n in self.newsrooms if n["newest"]), default=None)

    @property
    def missed(self) -> list[dict[str, Any]]:
        """The gaps in the cron rhythm, oldest first, one per gap however many newsrooms
        (one cron job crawls several): start, end, cadence_seconds, newsrooms ((kind, id)
        keys), runs (how many runs the gap stands for: its length in cadences, less the one
        that ended it; at least 1)."""
        found: dict[tuple, list[NewsroomKey]] = {}
        for newsroom, rhythm in sorted(self.rhythm.items()):
            for start, end in zip(rhythm["gap_starts"], rhythm["gap_ends"]):
                found.setdefault((start, end, rhythm["cadence_seconds"]), []).append(newsroom)
        return [{"start": start, "end": end, "cadence_seconds": cadence, "newsrooms": newsrooms,
                 "runs": max(round((end - start).total_seconds() / cadence) - 1, 1)}
                for (start, end, cadence), newsrooms in sorted(found.items())]

    @property
    def charted_newsrooms(self) -> list[dict[str, Any]]:
        """The newsrooms the archive chart draws: the MAX_NEWSROOMS biggest with releases in scope."""
        return [n for n in self.newsrooms if self.months.get(key(n))][:MAX_NEWSROOMS]

    def gaps(self, newsroom: NewsroomKey) -> int:
        """Months without a release between a newsroom's first and last month in scope."""
        return sum(1 for m in self.months.get(newsroom, []) if not m["releases"])


def gather(conn, scope: Scope, *, store: str, now: datetime, coverage_min: float,
           coverage_min_items: int, latest_failures: int = 20) -> ReportData:
    """Read everything the report shows, in scope. `conn` is an open connection to a
    store at the current schema (see `crawler.cli.common.reading_store`)."""
    params = scope.params()
    health.without_jit(conn)
    runs = health.runs(conn, **params)
    bin_seconds = outcome_bin(runs)
    months: dict[NewsroomKey, list[dict[str, Any]]] = defaultdict(list)
    for row in health.archive_months(conn, **params):
        months[key(row)].append(row)
    rhythm = {key(row): row for row in health.cron_rhythm(
        conn, factor=MISSED_FACTOR, min_intervals=MIN_INTERVALS, **params)}
    return ReportData(
        scope=scope,
        generated_at=now,
        store=store,
        coverage_min=coverage_min,
        coverage_min_items=coverage_min_items,
        watched_fields=list(WATCHED_FIELDS),
        newsrooms=health.newsrooms(conn, **params),
        months=dict(months),
        runs=runs,
        outcome_bin_seconds=bin_seconds,
        outcomes=health.run_outcomes(conn, bin_seconds=bin_seconds, **params) if runs else [],
        rhythm=rhythm,
        failures_by_stage=health.failures_by_stage(conn, **params),
        latest_failures=health.latest_failures(conn, latest_failures, **params),
        queue=health.queue_jobs(conn),
    )


def empty(scope: Scope, *, store: str, now: datetime, coverage_min: float,
          coverage_min_items: int) -> ReportData:
    """The report of a store that holds nothing yet (no schema)."""
    return ReportData(scope, now, store, coverage_min, coverage_min_items, list(WATCHED_FIELDS),
                      [], {}, [], BIN_WIDTHS[0], [], {}, [], [], None,
                      notes=["The store is empty: no crawl has run against it yet."])


def outcome_bin(runs: list[dict[str, Any]]) -> int:
    """The bin width (seconds) for the runs' new / changed / unchanged bars."""
    if len(runs) < 2:
        return BIN_WIDTHS[0]
    span = (runs[-1]["started_at"] - runs[0]["started_at"]).total_seconds()
    return next((w for w in BIN_WIDTHS if span / w <= MAX_BINS), BIN_WIDTHS[-1])
