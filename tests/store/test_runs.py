"""Run rows that tell a live run from a dead one, and a run's verdict written in one go."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import psycopg

from crawler import db
from crawler.extensions._liveness import process_alive, run_is_dead, this_process_started
from crawler.items import Newsroom


def test_the_heartbeat_names_the_lock_session_and_reports_the_status(database_url):
    with db.connect(database_url) as conn:
        run_id = db.start_run(conn, "crawl", [1], lock_backend_pid=1, process_started_at=this_process_started())
        assert db.heartbeat(conn, run_id) == "running"
        row = conn.execute("SELECT backend_pid, heartbeat_at IS NOT NULL FROM crawl_runs WHERE id = %s",
                           (run_id,)).fetchone()
        assert row == (db.backend_pid(conn), True), "after a reconnect the row names the new session"
        assert db.abandon_run(conn, run_id)
        assert db.heartbeat(conn, run_id) == "abandoned", "a run learns that another gave it up"
        assert not db.abandon_run(conn, run_id), "a finished run is left alone"


def test_the_heartbeat_never_waits_for_the_row_the_store_is_writing(database_url):
    with db.connect(database_url) as conn, psycopg.connect(database_url) as store:
        run_id = db.start_run(conn, "crawl", [1])
        # the store's batch transaction has added its counts and not committed yet
        store.execute("UPDATE crawl_runs SET new = new + 1 WHERE id = %s", (run_id,))
        started = time.monotonic()
        assert db.heartbeat(conn, run_id) is None, "skipped this time"
        assert time.monotonic() - started < 1, "waiting here would block the crawl that holds the row"
        store.commit()
        assert db.heartbeat(conn, run_id) == "running"


def test_unfinished_runs_tell_what_their_process_is(database_url):
    with db.connect(database_url) as conn:
        mine = db.start_run(conn, "crawl", [1, 2], process_started_at=this_process_started())
        other = db.start_run(conn, "backfill", [3])
        everything = db.start_run(conn, "scrapy", [])
        db.finish_run(conn, other, "success")
        runs = db.unfinished_runs(conn, [2])
    assert [r["run_id"] for r in runs] == [mine, everything], "an all-publishers run shares every publisher"
    run = runs[0]
    assert (run["host"], run["pid"]) == (socket.gethostname(), os.getpid())
    assert run["session_alive"] and 0 <= run["quiet_seconds"] < 60


def test_a_process_is_alive_only_with_its_own_start_time():
    started = this_process_started()
    assert process_alive(os.getpid(), started)
    assert not process_alive(os.getpid(), started - timedelta(hours=1)), "the pid now belongs to another process"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    assert not process_alive(int(gone.stdout), None)


def test_a_run_is_dead_when_its_process_is_gone_here_or_its_heartbeat_is_old_elsewhere():
    here = {"host": socket.gethostname(), "pid": os.getpid(), "process_started_at": this_process_started(),
            "quiet_seconds": 3600.0, "session_alive": False}
    assert not run_is_dead(here, stale_after=60), "alive on this host, however quiet (a long outage)"
    assert run_is_dead({**here, "pid": 2**22 + 12345}, stale_after=60)
    elsewhere = {**here, "host": "another-host", "quiet_seconds": 20.0}
    assert not run_is_dead(elsewhere, stale_after=60)
    assert run_is_dead({**elsewhere, "quiet_seconds": 61.0}, stale_after=60)
    assert not run_is_dead({**elsewhere, "quiet_seconds": 61.0, "session_alive": True}, stale_after=60)


def test_a_verdict_is_written_in_one_go_and_keeps_when_the_run_ended(database_url):
    with db.connect(database_url) as conn:
        run_id = db.start_run(conn, "crawl", [73811])
        ended = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        verdict = db.RunVerdict(
            run_id=run_id, status="store_failed", finished_at=ended, counts={"pages": 12, "errors": 1},
            failed=[db.FailedPage("file:///x.jsonl", "store", "3 releases not written")],
            cursors={"newsroom:publisher:73811": {"covered_through": 5}},
            newsrooms=[Newsroom("publisher", 73811)])
        db.write_verdict(conn, db.RunVerdict.from_dict(verdict.as_dict()))
        row = conn.execute("SELECT status, finished_at, pages, errors FROM crawl_runs WHERE id = %s",
                           (run_id,)).fetchone()
        assert row == ("store_failed", ended, 12, 1)
        assert conn.execute("SELECT stage, reason FROM crawl_errors").fetchall() == [
            ("store", "3 releases not written")]
        assert db.get_cursor(conn, "newsroom:publisher:73811") == {"covered_through": 5}
