"""Helpers of the report's and the metrics' tests."""

from __future__ import annotations

import os
import subprocess

import psycopg
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import BIN, ROOT


def sql(url: str, query: str, *params) -> list[tuple]:
    """Every row of `query`: the tests' own view of the database, beside the commands'."""
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


def one(url: str, query: str, *params):
    return sql(url, query, *params)[0][0]


def run_cli(*args: str, database_url: str) -> subprocess.CompletedProcess:
    """`presseportal ARGS` against `database_url`, as a user runs it."""
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    return subprocess.run([str(BIN / "presseportal"), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def samples(text: str) -> dict[str, dict[tuple, float]]:
    """{sample name: {sorted label items: value}} of a text exposition, by prometheus-client."""
    found: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found.setdefault(s.name, {})[tuple(sorted(s.labels.items()))] = s.value
    return found
