"""The store's health as Prometheus metrics (`presseportal metrics`).

prometheus-client writes the text format that node_exporter's textfile collector and
the Pushgateway read, and pushes to the Pushgateway; its own parser reads the output
back in the tests. The values come from the store at the moment of the call, so they
are a custom collector's metric families (the library's pattern for exporting another
system's state), not counters kept by a process.

A newsroom is a publisher's or a police or fire office's, and the site may give both
kinds the same number: every newsroom's series carries `kind` ("publisher" or "office")
beside `newsroom` (its id), and only the two together name one.

| metric | labels | value |
| --- | --- | --- |
| `presseportal_newsroom_info` | kind, newsroom, name, office_code | 1 per newsroom the store knows (office_code: an office's "POL-XY", '' else) |
| `presseportal_releases_total` | kind, newsroom | releases stored |
| `presseportal_newest_release_timestamp_seconds` | kind, newsroom | publication of the newest release |
| `presseportal_last_success_timestamp_seconds` | kind, newsroom | end of its last successful crawl (a run that asked the site); 0: never |
| `presseportal_runs_total` | status | runs that ended (or are) in that status |
| `presseportal_run_finished_timestamp_seconds` | mode | end of the last finished run of that mode |
| `presseportal_run_duration_seconds` | mode | its duration |
| `presseportal_run_success` | mode | 1 when it succeeded, else 0 |
| `presseportal_run_pages` | mode | pages it fetched |
| `presseportal_run_releases` | mode, outcome | its new / changed / unchanged releases |
| `presseportal_run_failed_pages` | mode | its failed pages |
| `presseportal_field_coverage_ratio` | field | share of the last measured run's releases with the field |
| `presseportal_field_coverage_releases` | | how many releases that run measured |
| `presseportal_field_coverage_run` | mode | that run's id (its mode as label) |
| `presseportal_field_coverage_min_ratio` | | the alarm threshold (COVERAGE_MIN_RATIO) |

A newsroom's last successful crawl is its last successful run that asked the site: not
an import, not a re-extraction (`site_crawl`, migration 014), which asked it nothing.
"The last measured run" is the last that extracted releases from pages (a crawl or a
re-extraction): an import's coverage says what its dump held, not how the extractor does
(`crawler.db.health.last_coverage`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest, push_to_gateway, write_to_textfile
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily, Metric

from crawler.db import health

PREFIX = "presseportal"
NEWSROOM_LABELS = ["kind", "newsroom"]  # a newsroom is (kind, id): see above


@dataclass
class StoreHealth:
    """What the metrics say, read from the store at one moment (rows of `crawler.db.health`)."""

    coverage_min: float
    newsrooms: list[dict[str, Any]] = field(default_factory=list)
    runs_by_status: list[dict[str, Any]] = field(default_factory=list)
    last_runs: list[dict[str, Any]] = field(default_factory=list)  # one per mode
    last_coverage: dict[str, Any] | None = None


def read(conn, *, coverage_min: float) -> StoreHealth:
    """The store's health through `conn`; None reads as an empty store (no schema)."""
    if conn is None:
        return StoreHealth(coverage_min)
    health.without_jit(conn)
    return StoreHealth(
        coverage_min=coverage_min,
        newsrooms=health.newsrooms(conn),
        runs_by_status=health.runs_by_status(conn),
        last_runs=health.last_finished_runs(conn),
        last_coverage=health.last_coverage(conn),
    )


def _seconds(value: datetime | None) -> float:
    return value.timestamp() if value is not None else 0.0


class StoreCollector:
    """A prometheus-client collector of one `StoreHealth` (register it in a registry)."""

    def __init__(self, state: StoreHealth) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        state = self.state
        yield from self._newsrooms(state.newsrooms)
        runs = CounterMetricFamily(f"{PREFIX}_runs", "Runs recorded, by status.", labels=["status"])
        for row in state.runs_by_status:
            runs.add_metric([row["status"]], row["runs"])
        yield runs
        yield from self._last_runs(state.last_runs)
        yield from self._coverage(state.last_coverage, state.coverage_min)

    def _newsrooms(self, rows: list[dict[str, Any]]) -> Iterator[Metric]:
        info = InfoMetricFamily(f"{PREFIX}_newsroom", "Newsrooms the store knows (kind publisher or office), "
                                "with their name and an office's code.", labels=NEWSROOM_LABELS)
        releases = CounterMetricFamily(f"{PREFIX}_releases", "Releases stored, per newsroom.",
                                       labels=NEWSROOM_LABELS)
        newest = GaugeMetricFamily(f"{PREFIX}_newest_release_timestamp_seconds",
                                   "Publication time of the newsroom's newest stored release.",
                                   labels=NEWSROOM_LABELS)
        success = GaugeMetricFamily(f"{PREFIX}_last_success_timestamp_seconds",
                                    "End of the newsroom's last successful crawl, a run that asked the site (0: none yet).",
                                    labels=NEWSROOM_LABELS)
        for row in rows:
            newsroom = [row["kind"], str(row["newsroom_id"])]
            info.add_metric(newsroom, {"name": row["name"], "office_code": row["office_code"]})
            releases.add_metric(newsroom, row["releases"])
            if row["newest"] is not None:
                newest.add_metric(newsroom, _seconds(row["newest"]))
            success.add_metric(newsroom, _seconds(row["last_success"]))
        yield from (info, releases, newest, success)

    def _last_runs(self, rows: list[dict[str, Any]]) -> Iterator[Metric]:
        def gauge(name: str, doc: str, extra: tuple[str, ...] = ()) -> GaugeMetricFamily:
            return GaugeMetricFamily(f"{PREFIX}_run_{name}", f"Last finished run of each mode: {doc}",
                                     labels=["mode", *extra])

        finished = gauge("finished_timestamp_seconds", "when it finished.")
        duration = gauge("duration_seconds", "how long it took.")
        success = gauge("success", "1 when it succeeded, else 0.")
        pages = gauge("pages", "pages fetched.")
        releases = gauge("releases", "releases by outcome (new, changed, unchanged).", ("outcome",))
        failed = gauge("failed_pages", "pages that failed (fetch, listing, extract, pipeline).")
        for run in rows:
            mode = [run["mode"]]
            finished.add_metric(mode, _seconds(run["finished_at"]))
            duration.add_metric(mode, run["duration_seconds"])
            success.add_metric(mode, 1 if run["status"] == "success" else 0)
            pages.add_metric(mode, run["pages"])
            for outcome in ("new", "changed", "unchanged"):
                releases.add_metric([*mode, outcome], run[outcome])
            failed.add_metric(mode, run["errors"])
        yield from (finished, duration, success, pages, releases, failed)

    def _coverage(self, last: dict[str, Any] | None, coverage_min: float) -> Iterator[Metric]:
        ratio = GaugeMetricFamily(f"{PREFIX}_field_coverage_ratio",
                                  "Share of the releases of the last run that extracted pages that had the field.",
                                  labels=["field"])
        measured = GaugeMetricFamily(f"{PREFIX}_field_coverage_releases",
                                     "How many releases the last measured run had.")
        # which run that is: its id as the value (a label would make a series per run)
        run = GaugeMetricFamily(f"{PREFIX}_field_coverage_run",
                                "Id of the last run that extracted pages (the coverage's run).",
                                labels=["mode"])
        if last is not None:
            for name, value in sorted(last["coverage"].items()):
                ratio.add_metric([name], float(value))
            measured.add_metric([], last["releases"])
            run.add_metric([last["mode"]], last["id"])
        threshold = GaugeMetricFamily(f"{PREFIX}_field_coverage_min_ratio",
                                      "Alarm threshold of a field's coverage (COVERAGE_MIN_RATIO).",
                                      value=coverage_min)
        yield from (ratio, measured, run, threshold)


def registry(state: StoreHealth) -> CollectorRegistry:
    """A registry holding only the store's metrics (not the process's own)."""
    reg = CollectorRegistry(auto_describe=False)
    reg.register(StoreCollector(state))
    return reg


def exposition(state: StoreHealth) -> bytes:
    """The Prometheus text format (version 0.0.4) of `state`."""
    return generate_latest(registry(state))


def write_textfile(path: str, state: StoreHealth) -> None:
    """Write the text format to `path` atomically (node_exporter's textfile collector reads
    `*.prom` files and must never see half a file). Raises OSError."""
    write_to_textfile(path, registry(state))


def push(gateway: str, state: StoreHealth, *, job: str, timeout: float = 10) -> None:
    """PUT the metrics to a Pushgateway at `gateway` (http://host:9091) under `job`,
    replacing what that job pushed before. Raises OSError (URLError, HTTPError) when the
    gateway cannot be reached or refuses."""
    push_to_gateway(gateway, job=job, registry=registry(state), timeout=timeout)
