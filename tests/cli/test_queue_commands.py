"""`worker`, `enqueue` and `schedule` called wrong, or without a database: one line and a
documented status, never a traceback."""

from __future__ import annotations

import pytest

from tests.cli.test_bad_input import assert_clean, run

USAGE_ERRORS = [
    (["enqueue", "backfill"], "presseportal enqueue", "--office ID[,ID...], or --all-known"),
    (["enqueue", "crawl", "--office", "POL"], "presseportal enqueue", "office ids are numbers"),
    (["enqueue", "crawl", "--publisher", "1", "--since", "2024-01-01"], "presseportal enqueue",
     "--since and --until are for backfill jobs"),
    (["enqueue", "backfill", "--publisher", "x"], "presseportal enqueue", "publisher ids are numbers"),
    (["worker", "--concurrency", "0"], "presseportal worker", "must be 1 or more"),
    (["worker", "--lease", "1"], "presseportal worker", "--lease is 3 seconds or more"),
]


@pytest.mark.parametrize("args, usage, words", USAGE_ERRORS, ids=[" ".join(a[0]) for a in USAGE_ERRORS])
def test_usage_errors_name_the_command_and_the_fix(args, usage, words):
    done = run(*args)
    assert done.returncode == 2, (args, done.stderr)
    assert f"usage: {usage}" in done.stderr and words in done.stderr, done.stderr
    assert_clean(done, args)


def test_a_worker_with_a_bad_cron_line_says_which_setting_before_anything_starts():
    done = run("worker", env={"PRESSEPORTAL_REFRESH_CRON": "every 5 minutes"})
    assert done.returncode == 2, done.stderr
    assert "PRESSEPORTAL_REFRESH_CRON is a cron line" in done.stderr and "'every 5 minutes'" in done.stderr
    assert_clean(done, ["worker"])


@pytest.mark.parametrize("args", [["enqueue", "crawl", "--publisher", "73811"], ["worker"], ["schedule"]])
def test_without_the_database_they_exit_69_in_one_line(args):
    done = run(*args)
    assert done.returncode == 69, (args, done.stderr[-2000:])
    assert done.stderr.startswith("presseportal: database unavailable") and "pw@" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert_clean(done, args)
