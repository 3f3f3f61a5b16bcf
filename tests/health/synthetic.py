"""A synthetic store of known shape (synthetic.sql), for the report's tests and its benchmark.

The crawls of the replica give real stores of a few runs; the report's aggregations
need the shapes only time makes (years of releases, thousands of runs on a cron
cadence, a month without a release, missed runs, a coverage drop), and the benchmark
needs them at scale: PostgreSQL builds them itself with generate_series.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg

from crawler.items import WATCHED_FIELDS

SQL = Path(__file__).with_name("synthetic.sql")


@dataclass(frozen=True)
class Shape:
    newsrooms: int = 4
    offices: int = 0  # the last this many newsrooms are police offices (kind "office")
    releases: int = 2_000
    runs: int = 200
    first_day: date = date(2016, 1, 1)
    gap_month: date = date(2019, 6, 1)  # newsroom 1001 has no release that month
    missed: int = 4  # cron slots left out in the middle of the runs
    drop_field: str = "dateline"  # its coverage drops to 0.6 over the last 5% of the runs

    @property
    def gap_newsroom(self) -> int:
        return 1001


def build(database_url: str, shape: Shape = Shape()) -> Shape:
    """Fill a migrated, empty store with `shape`; returns it."""
    params = {
        "newsrooms": shape.newsrooms, "offices": shape.offices, "releases": shape.releases, "runs": shape.runs,
        "first_day": shape.first_day, "gap_month": shape.gap_month, "missed": shape.missed,
        "fields": list(WATCHED_FIELDS), "drop_field": shape.drop_field,
    }
    with psycopg.connect(database_url) as conn:
        # several statements with parameters: bound on the client
        psycopg.ClientCursor(conn).execute(SQL.read_text(encoding="utf-8"), params)
        conn.execute("ANALYZE")
    return shape
