"""bench/pipe.py reads a crawl's rate at the site: its clock is the replica's request log."""

from __future__ import annotations

import pytest

from bench.pipe import LATENCY_MS, site_rate
from tests.replica.faults import LogEntry


def test_the_rate_runs_from_the_first_listing_request_to_the_last_story_answer():
    log = [
        LogEntry("/robots.txt", 200, 100.0),  # before the walk: not the pipe's time
        LogEntry("/nr/73811", 200, 101.0),
        *(LogEntry(f"/pm/73811/{sid}", 200, 101.0 + sid * 0.5) for sid in range(1, 9)),
        LogEntry("/pm/73811/99", 503, 106.0),  # a failed answer is no story page
        LogEntry("/nr/73811", 304, 107.0),  # the recheck after the last story: not counted
    ]
    rate, stories = site_rate(log)
    assert stories == 8
    assert rate == pytest.approx(8 / (4.0 + LATENCY_MS / 1000))


def test_no_story_answered_is_no_rate():
    assert site_rate([LogEntry("/nr/73811", 200, 1.0)]) == (None, 0)
