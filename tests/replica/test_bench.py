"""bench/replica.py keeps working (a tiny load; the real numbers come from `python -m bench.replica`)."""

from __future__ import annotations

from bench.replica import run

KEYS = {"name", "value", "unit", "baseline_name", "baseline_value", "ratio", "target", "met"}


def test_bench_runs_and_reports_its_shape():
    results = run(releases=30, mixed_requests=200)
    names = [r["name"] for r in results]
    assert names[:2] == ["replica.crawl_responses_per_s", "replica.mixed_responses_per_s"]
    for r in results:
        assert set(r) == KEYS and r["value"] > 0 and r["unit"] == "responses/s" and r["target"] == ">= 1,000 responses/s"
        assert r["met"] == (r["value"] >= 1000.0)
