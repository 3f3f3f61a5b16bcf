"""Real worker processes (`presseportal worker`) against the replica and a real PostgreSQL:
jobs shared by two workers under one site budget, a killed worker's job taken over, two
windows of one newsroom at once, SIGTERM, and the queue in `presseportal status`."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from crawler import db
from tests.helpers import presseportal, start_presseportal, stop_processes

pytestmark = pytest.mark.slow

LEASE = "3"  # seconds: a killed worker's job is taken over 3 to 4 s after the kill


def start_worker(replica, database_url: str, log_path: Path, *args: str, **env: str) -> subprocess.Popen:
    return start_presseportal(replica, "worker", "--lease", LEASE, "--no-schedule", *args,
                              database_url=database_url, log_path=log_path, **env)


def enqueue(replica, database_url: str, *args: str, **env: str) -> None:
    done = presseportal(replica, "enqueue", *args, database_url=database_url, **env)
    assert done.returncode == 0, done.stderr


def wait_for(condition, timeout: float, what: str, procs=()):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        for proc in procs:
            assert proc.poll() is None, f"a worker ended early ({proc.returncode}) while waiting for {what}"
        assert time.monotonic() < deadline, f"timed out after {timeout}s waiting for {what}"
        time.sleep(0.2)


def scalar(database_url: str, sql: str, *params):
    with db.connect(database_url) as conn:
        return conn.execute(sql, params).fetchone()[0]


def job_statuses(database_url: str) -> dict[str, int]:
    with db.connect(database_url) as conn:
        rows = conn.execute("SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY 1").fetchall()
    return dict(rows)


def test_two_workers_share_the_jobs_under_one_site_budget(replica_factory, database_url, tmp_path):
    replica = replica_factory(releases=24, seed=7)  # 48 stories: 3 s of requests at the budget
    budget = 20
    env = {"PRESSEPORTAL_SITE_BUDGET": str(budget)}
    # three company newsrooms and a police office (97012 is an office's number too)
    enqueue(replica, database_url, "backfill", "--publisher", "73811,97012,118420", "--office", "97012", **env)
    enqueue(replica, database_url, "crawl", "--publisher", "999999", **env)  # no such newsroom
    workers = [start_worker(replica, database_url, tmp_path / f"worker{i}.log", **env) for i in (1, 2)]
    try:
        wait_for(lambda: job_statuses(database_url).keys() <= {"succeeded", "failed"}, 120,
                 "every job to end", workers)
        status = presseportal(replica, "status", database_url=database_url)
    finally:
        stop_processes(workers)
    assert [w.returncode for w in workers] == [0, 0]
    assert job_statuses(database_url) == {"succeeded": 4, "failed": 1}
    # every release of the four newsrooms stored, each once (the runs' new counts add up)
    expected = (sum(len(replica.corpus.story_ids(publisher_id=pid)) for pid in (73811, 97012, 118420))
                + len(replica.corpus.story_ids(office_id=97012)))
    assert scalar(database_url, "SELECT count(*) FROM releases") == expected
    assert scalar(database_url, "SELECT sum(new) FROM crawl_runs") == expected
    # both workers took jobs
    assert scalar(database_url, "SELECT count(DISTINCT worker) FROM job_attempts") == 2
    # the budget held for the two together: never more than budget + 10 % in any second
    assert len(replica.log) > expected
    assert replica.log.busiest_second() <= budget * 1.1, replica.log.busiest_second()
    assert replica.requests("/blaulicht/pm/97012/") == len(replica.corpus.story_ids(office_id=97012))
    # status shows the failed job with its reason
    assert status.returncode == 0, status.stderr
    failed = [line for line in status.stdout.splitlines() if "failed" in line and "999999" in line]
    assert failed and "crawl of 999999" in failed[0] and "run" in failed[0], status.stdout
    # the workers' logs: the failed job in one line with its reason, no procrastinate traceback
    logs = "".join((tmp_path / f"worker{i}.log").read_text() for i in (1, 2))
    assert "Traceback" not in logs, logs[-3000:]
    (ended,) = [line for line in logs.splitlines() if "ended with status: Error" in line]
    assert "crawl failed: presseportal: run" in ended and "does not exist" in ended, ended


def test_a_killed_worker_s_job_is_taken_over_and_nothing_is_lost_or_stored_twice(
        replica_factory, database_url, tmp_path):
    replica = replica_factory(releases=400, seed=3)
    env = {"PRESSEPORTAL_SITE_BUDGET": "60"}  # 400 stories: about 7 s, time to kill it in the middle
    first = start_worker(replica, database_url, tmp_path / "first.log", **env)
    second = None
    try:
        enqueue(replica, database_url, "backfill", "--publisher", "73811", **env)
        wait_for(lambda: scalar(database_url, "SELECT count(*) FROM releases") >= 150, 90,
                 "the backfill to be well under way", [first])
        second = start_worker(replica, database_url, tmp_path / "second.log", **env)
        child_pid = scalar(database_url, "SELECT pid FROM crawl_runs ORDER BY id DESC LIMIT 1")
        first.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait(timeout=10)
        stored_at_kill = scalar(database_url, "SELECT count(*) FROM releases")
        # the crawl died with its worker (PR_SET_PDEATHSIG)
        wait_for(lambda: not pid_alive(child_pid), 5, "the killed worker's crawl to die")
        wait_for(lambda: job_statuses(database_url) == {"succeeded": 1}, 120,
                 "the job to be taken over and finished", [second])
        took_over = scalar(database_url, "SELECT max(started_at) FROM job_attempts")
        finished = time.monotonic()
    finally:
        stop_processes([w for w in (first, second) if w is not None])
    expected = replica.corpus.story_ids(publisher_id=73811)
    assert 0 < stored_at_kill < len(expected)
    assert scalar(database_url, "SELECT count(*) FROM releases") == len(expected)
    assert scalar(database_url, "SELECT sum(new) FROM crawl_runs") == len(expected)
    with db.connect(database_url) as conn:
        attempts = conn.execute("SELECT worker, outcome FROM job_attempts ORDER BY id").fetchall()
        runs = conn.execute("SELECT status FROM crawl_runs ORDER BY id").fetchall()
    assert [a[1] for a in attempts] == ["lost", "succeeded"]
    assert attempts[0][0] != attempts[1][0]
    assert [r[0] for r in runs] == ["abandoned", "success"], runs
    assert took_over is not None and finished - killed_at < 60
    # the resumed crawl started near where the killed one stopped: few stories fetched twice
    story_requests = replica.requests("/pm/")
    assert story_requests - len(expected) < 120, story_requests


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_two_windows_of_one_newsroom_run_at_once(replica_factory, database_url, tmp_path):
    replica = replica_factory(releases=120, seed=7, latency_ms=50)
    enqueue(replica, database_url, "backfill", "--publisher", "73811", "--since", "2015-01-01",
            "--until", "2019-12-31")
    enqueue(replica, database_url, "backfill", "--publisher", "73811", "--since", "2020-01-01")
    # the same window again waits no second time
    again = presseportal(replica, "enqueue", "backfill", "--publisher", "73811", "--since", "2020-01-01",
                         database_url=database_url)
    assert "queued 0 job(s), 1 already waiting" in again.stderr
    worker = start_worker(replica, database_url, tmp_path / "worker.log", "--concurrency", "2")
    try:
        wait_for(lambda: job_statuses(database_url) == {"succeeded": 2}, 120, "both windows", [worker])
    finally:
        stop_processes([worker])
    with db.connect(database_url) as conn:
        runs = conn.execute("SELECT started_at, finished_at, status FROM crawl_runs ORDER BY id").fetchall()
    assert len(runs) == 2 and all(r[2] == "success" for r in runs), runs
    (start_a, end_a, _), (start_b, end_b, _) = runs
    assert start_b < end_a and start_a < end_b, f"the windows ran one after the other: {runs}"
    assert scalar(database_url, "SELECT count(*) FROM releases") == len(replica.corpus.story_ids(publisher_id=73811))


def test_sigterm_releases_the_running_job_with_its_resume_point(replica_factory, database_url, tmp_path):
    replica = replica_factory(releases=400, seed=3)
    env = {"PRESSEPORTAL_SITE_BUDGET": "20"}  # 20 s of stories: status and SIGTERM come well before the end
    worker = start_worker(replica, database_url, tmp_path / "worker.log", "--grace", "0", **env)
    try:
        enqueue(replica, database_url, "backfill", "--publisher", "73811", **env)
        wait_for(lambda: scalar(database_url, "SELECT count(*) FROM releases") >= 100, 90,
                 "the backfill to be under way", [worker])
        running = presseportal(replica, "status", database_url=database_url)
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=60)
    finally:
        stop_processes([worker])
    assert code == 0, (tmp_path / "worker.log").read_text()
    # while it ran, status named the job, its worker (host:pid) and since when
    line = next(line for line in running.stdout.splitlines() if "running" in line and "backfill of 73811" in line)
    assert f":{worker.pid}" in line and "since" in line, running.stdout
    # released: back on the queue, the crawl's run closed (not left running), its resume point saved
    assert job_statuses(database_url) == {"todo": 1}
    assert scalar(database_url, "SELECT outcome FROM job_attempts ORDER BY id DESC LIMIT 1") == "released"
    log = (tmp_path / "worker.log").read_text()
    assert "Traceback" not in log, log[-3000:]
    assert any("to retry" in line and "released: the worker stopped" in line for line in log.splitlines()), log[-3000:]
    assert scalar(database_url, "SELECT count(*) FROM crawl_runs WHERE finished_at IS NULL") == 0
    assert scalar(database_url, "SELECT count(*) FROM crawl_cursors WHERE key LIKE 'backfill:%%'") == 1
    waiting = presseportal(replica, "status", database_url=database_url)
    assert "0 running, 1 waiting" in waiting.stdout and "last: released" in waiting.stdout, waiting.stdout


def test_a_worker_for_the_live_site_without_a_contact_warns_once_at_its_start(replica, database_url, tmp_path):
    # its crawls run with -q and say nothing of it: one line per worker, not one per job;
    # https://presseportal.invalid stands in for the live site and is never reached
    log = tmp_path / "worker.log"
    worker = start_worker(replica, database_url, log, PRESSEPORTAL_BASE_URL="https://presseportal.invalid",
                          PRESSEPORTAL_PROFILE="live", PRESSEPORTAL_CONTACT="")
    try:
        wait_for(lambda: "PRESSEPORTAL_CONTACT is not set" in log.read_text(), 60, "the warning", [worker])
    finally:
        stop_processes([worker])
    text = log.read_text()
    assert "Traceback" not in text, text[-2000:]
    assert text.count("PRESSEPORTAL_CONTACT is not set") == 1 and "mailto:" in text, text[-2000:]
