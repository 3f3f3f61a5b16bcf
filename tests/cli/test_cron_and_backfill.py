"""The `presseportal` command against the replica and a real PostgreSQL."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter

import psycopg
import pytest

from crawler import db
from tests.helpers import presseportal, start_presseportal

PID = 73811


def rows(database_url: str, sql: str, *params):
    with psycopg.connect(database_url) as conn:
        return conn.execute(sql, params).fetchall()


def stored_ids(database_url: str) -> set[int]:
    return {r[0] for r in rows(database_url, "SELECT story_id FROM releases WHERE publisher_id = %s", PID)}


def story_fetches(replica) -> Counter:
    return Counter(e.path for e in replica.log if e.path.startswith("/pm/"))


def site_requests(replica) -> list[str]:
    return [e.path for e in replica.log if e.path != "/robots.txt"]


def fresh_database(pg_server) -> str:
    import uuid

    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_server.url_for(name)


def content_table(database_url: str):
    return rows(database_url, """
        SELECT story_id, publisher_id, url, title, published_at, published_raw, published_ambiguous,
               dateline, teaser, body, about, contact, originator, keywords, places, images, links,
               language, content_hash
        FROM releases ORDER BY story_id""")


def test_first_crawl_stores_everything_and_second_costs_at_most_two_requests(replica, database_url):
    first = presseportal(replica, "crawl", database_url=database_url)
    assert first.returncode == 0, first.stderr[-3000:]
    assert stored_ids(database_url) == set(replica.corpus.story_ids(publisher_id=PID))

    replica.log.clear()
    second = presseportal(replica, "crawl", database_url=database_url)
    assert second.returncode == 0, second.stderr[-3000:]
    requests = site_requests(replica)
    assert len(requests) <= 2, f"a cron run with nothing new made {requests}"
    statuses = [e.status for e in replica.log if e.path == f"/nr/{PID}"]
    assert statuses == [304], "the first listing page is asked for with its ETag: 304, unchanged"
    assert "new 0" in second.stderr
    runs = rows(database_url, "SELECT status, new FROM crawl_runs ORDER BY id")
    assert runs[-1] == ("success", 0)


def test_five_new_releases_are_fetched_and_nothing_else(replica, database_url):
    assert presseportal(replica, "crawl", database_url=database_url).returncode == 0
    new_ids = replica.publish(5)
    replica.log.clear()
    done = presseportal(replica, "crawl", database_url=database_url)
    assert done.returncode == 0, done.stderr[-3000:]
    fetched = story_fetches(replica)
    assert set(fetched) == {f"/pm/{PID}/{sid}" for sid in new_ids}
    assert set(new_ids) <= stored_ids(database_url)
    listing = [p for p in site_requests(replica) if p.startswith("/nr/")]
    # the pre-check's conditional GET saw the news (crawler/precheck.py), then the walk
    assert listing[0] == f"/nr/{PID}" and len(listing[1:]) <= 3, listing


def test_stories_published_mid_crawl_are_neither_missed_nor_fetched_twice(replica, database_url, tmp_path):
    # slow story pages keep the crawl busy while new stories push the listing down
    replica.faults.add(r"^/pm/", "slow", delay=0.05)
    proc = start_presseportal(replica, "crawl", database_url=database_url, log_path=tmp_path / "crawl.log")
    deadline = time.monotonic() + 60
    while sum(1 for e in replica.log if e.path.startswith("/pm/")) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    published = replica.publish(3)
    assert proc.wait(timeout=180) == 0, (tmp_path / "crawl.log").read_text()[-3000:]
    assert set(published) <= stored_ids(database_url), \
        "stories published while the run paged must be fetched by that same run (the recheck)"
    follow_up = presseportal(replica, "crawl", database_url=database_url)
    assert follow_up.returncode == 0
    assert stored_ids(database_url) == set(replica.corpus.story_ids(publisher_id=PID))
    assert set(published) <= stored_ids(database_url)
    twice = {path: n for path, n in story_fetches(replica).items() if n > 1}
    assert not twice, f"fetched more than once: {twice}"


def test_backfill_of_a_window(replica, database_url):
    truth = list(replica.corpus.all_truth(publisher_id=PID))
    days = sorted({t["published_at"][:10] for t in truth})
    since, until = days[10], days[40]
    done = presseportal(replica, "backfill", "--since", since, "--until", until, database_url=database_url)
    assert done.returncode == 0, done.stderr[-3000:]
    got = stored_ids(database_url)
    assert got, "nothing stored"
    from crawler.normalize.dates import parse_published
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    expected = {t["story_id"] for t in truth
                if since <= parse_published(t["published_at"]).instant.astimezone(berlin).date().isoformat() <= until}
    assert got == expected
    assert "releases/s" in done.stderr, "a backfill reports its progress"


def test_backfill_refresh_records_a_revision_for_an_edited_release(replica, database_url):
    assert presseportal(replica, "backfill", database_url=database_url).returncode == 0
    victim = replica.corpus.story_ids(publisher_id=PID)[2]
    replica.edit(victim)
    done = presseportal(replica, "backfill", "--refresh", database_url=database_url)
    assert done.returncode == 0, done.stderr[-3000:]
    revisions = rows(database_url, "SELECT story_id FROM release_revisions")
    assert revisions == [(victim,)]
    body = rows(database_url, "SELECT body FROM releases WHERE story_id = %s", victim)[0][0]
    assert body == replica.corpus.truth(victim)["body"]


def test_kill_9_mid_backfill_then_resume_gives_the_same_table(replica_factory, database_url, pg_server, tmp_path):
    replica = replica_factory(releases=300, seed=3)
    # about 10 s for the whole backfill: time to kill it in the middle
    replica.faults.add(r"^/pm/", "slow", delay=0.5)
    proc = start_presseportal(replica, "backfill", database_url=database_url, log_path=tmp_path / "backfill.log")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        time.sleep(0.1)
        # the cursor follows the store batch by batch: kill once it is past the first pages
        if rows(database_url, "SELECT 1 FROM crawl_cursors WHERE key LIKE 'backfill:%%'") and len(stored_ids(database_url)) >= 90:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    interrupted = len(stored_ids(database_url))
    assert 0 < interrupted < 300, f"the kill came too late or too early ({interrupted} stored)"
    replica.faults.clear()
    replica.log.clear()
    resumed = presseportal(replica, "backfill", database_url=database_url)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    refetched = story_fetches(replica)
    assert len(refetched) <= 300 - interrupted + 30, "the resumed backfill fetched stored stories again"
    first_listing = next(e.path for e in replica.log if e.path.startswith("/nr/"))
    assert first_listing != f"/nr/{PID}", "the resumed backfill walked the listing from the top again"
    assert "resuming the backfill" in resumed.stderr
    assert not rows(database_url, "SELECT 1 FROM crawl_cursors WHERE key LIKE 'backfill:%%'"), \
        "a finished backfill leaves no cursor"

    # an uninterrupted run into a second database gives the same table
    other = fresh_database(pg_server)
    clean = presseportal(replica, "backfill", database_url=other)
    assert clean.returncode == 0, clean.stderr[-3000:]
    assert content_table(database_url) == content_table(other)


def refresh_cursor_offset(database_url: str) -> int:
    found = rows(database_url, "SELECT (state->>'offset')::int FROM crawl_cursors "
                 "WHERE key LIKE 'backfill:%%:refresh'")
    return found[0][0] if found else 0


def kill_once_past(proc, database_url: str, offset: int) -> int:
    """SIGKILL `proc` once the refresh's resume point is past `offset`; the point reached."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
        if refresh_cursor_offset(database_url) >= offset:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return refresh_cursor_offset(database_url)


def test_kill_9_twice_mid_refresh_then_resume_fetches_each_story_about_once(
        replica_factory, database_url, tmp_path):
    replica = replica_factory(releases=300, seed=3)
    assert presseportal(replica, "backfill", database_url=database_url).returncode == 0
    oldest = replica.corpus.story_ids(publisher_id=PID)[-1]
    replica.edit(oldest)  # only the end of the archive changed: the last run must reach it
    replica.faults.add(r"^/pm/", "slow", delay=0.5)  # about 10 s a refresh: time for two kills
    replica.log.clear()
    first = start_presseportal(replica, "backfill", "--refresh", database_url=database_url,
                               log_path=tmp_path / "first.log")
    reached_first = kill_once_past(first, database_url, 90)
    assert 0 < reached_first < 270, f"the first kill came too early or too late (resume point {reached_first})"
    second = start_presseportal(replica, "backfill", "--refresh", database_url=database_url,
                                log_path=tmp_path / "second.log")
    reached = kill_once_past(second, database_url, reached_first + 60)
    assert "resuming the refresh" in (tmp_path / "second.log").read_text()
    assert reached_first < reached < 300, f"the second run did not move the resume point ({reached})"
    assert not rows(database_url, "SELECT 1 FROM crawl_cursors WHERE key LIKE 'backfill:%%:missing'"), \
        "a refresh keeps its own resume point, apart from a plain backfill's"
    replica.faults.clear()
    before_last = sum(story_fetches(replica).values())
    replica_log_at_last = len(replica.log)
    last = presseportal(replica, "backfill", "--refresh", database_url=database_url)
    assert last.returncode == 0, last.stderr[-3000:]

    fetched_by_last = sum(story_fetches(replica).values()) - before_last
    # what was left, and the stories in flight or waiting for the store at the kill
    assert fetched_by_last <= 300 - reached + 60, \
        f"the resumed refresh fetched {fetched_by_last} stories with {300 - reached} left"
    assert sum(story_fetches(replica).values()) <= 300 + 2 * 60, "the refresh started over after a kill"
    assert "resuming the refresh" in last.stderr
    first_listing = next(e.path for e in list(replica.log)[replica_log_at_last:] if e.path.startswith("/nr/"))
    assert first_listing != f"/nr/{PID}", "the resumed refresh walked the listing from the top again"
    assert rows(database_url, "SELECT story_id FROM release_revisions") == [(oldest,)]
    assert not rows(database_url, "SELECT 1 FROM crawl_cursors WHERE key LIKE 'backfill:%%'"), \
        "a finished refresh leaves no resume point"

    # the next refresh is a new one: from the top, every story again
    replica.log.clear()
    again = presseportal(replica, "backfill", "--refresh", database_url=database_url)
    assert again.returncode == 0, again.stderr[-3000:]
    assert site_requests(replica)[0] == f"/nr/{PID}"
    assert len(story_fetches(replica)) == 300


def test_overlapping_runs_exit_75_naming_the_holder(replica, database_url, tmp_path):
    # the first run lasts well beyond the second's start-up, even on a loaded machine
    # (it is stopped with SIGTERM as soon as the second has answered)
    replica.faults.add(r"^/pm/", "slow", delay=2.0)
    first = start_presseportal(replica, "backfill", database_url=database_url, log_path=tmp_path / "first.log")
    deadline = time.monotonic() + 60
    while not any(e.path.startswith("/pm/") for e in replica.log) and time.monotonic() < deadline:
        time.sleep(0.05)
    second = presseportal(replica, "crawl", database_url=database_url)
    first.send_signal(signal.SIGTERM)
    first.wait(timeout=120)
    assert second.returncode == 75, second.stderr[-2000:]
    assert "locked by run" in second.stderr


def test_the_lock_line_names_only_the_newsrooms_held_by_their_runs_once(replica, database_url):
    # seen: while a backfill of 97012 ran, `crawl --publisher 97012,73811` said "newsroom(s)
    # publisher 97012, publisher 73811 are locked by run #57", as an ERROR log line and again
    with db.connect(database_url) as backfill, db.connect(database_url) as cron:
        assert db.acquire_publisher_lock(backfill, [97012])
        backfill_run = db.start_run(backfill, "backfill", [97012])
        done = presseportal(replica, "crawl", "--publisher", f"97012,{PID}", database_url=database_url)
        assert done.returncode == 75, done.stderr[-3000:]
        # every line that says it (Scrapy's dump of the run's stats aside)
        locked = [line for line in done.stderr.splitlines()
                  if "locked by" in line and not line.lstrip().startswith(("'", "{"))]
        assert len(locked) == 1, done.stderr[-3000:]
        (line,) = locked
        assert line.startswith(f"presseportal: publisher 97012 is locked by run #{backfill_run} (backfill, pid "), line
        assert line.endswith("; not starting") and str(PID) not in line, line

        assert db.acquire_publisher_lock(cron, [PID])
        cron_run = db.start_run(cron, "incremental", [PID])
        done = presseportal(replica, "crawl", "--publisher", f"97012,{PID}", "-q", database_url=database_url)
        assert done.returncode == 75, done.stderr[-3000:]
        assert done.stderr.count("\n") == 1 and f"publisher 97012 is locked by run #{backfill_run} (" in done.stderr
        assert f"; publisher {PID} is locked by run #{cron_run} (incremental, " in done.stderr, done.stderr
    assert not any(e.path.startswith(("/pm/", "/nr/")) for e in replica.log), "nothing fetched"


def test_exit_1_when_a_page_fails(replica, database_url):
    victim = replica.corpus.story_ids(publisher_id=PID)[4]
    replica.faults.add(rf"^/pm/{PID}/{victim}$", "500")
    done = presseportal(replica, "crawl", database_url=database_url)
    assert done.returncode == 1, done.stderr[-3000:]
    errors = rows(database_url, "SELECT url, stage, reason FROM crawl_errors")
    assert any(url.endswith(f"/pm/{PID}/{victim}") and "500" in reason for url, _, reason in errors), errors
    assert rows(database_url, "SELECT status FROM crawl_runs")[-1] == ("errors",)
    # everything else still landed
    assert len(stored_ids(database_url)) == len(replica.corpus.story_ids(publisher_id=PID)) - 1


@pytest.mark.parametrize("args", [
    ["backfill", "--since", "2024-13-01"],
    ["crawl", "--publisher", "abc"],
    ["frobnicate"],
    ["backfill", "--since", "2025-01-02", "--until", "2025-01-01"],
])
def test_exit_2_on_usage_errors(replica, database_url, args):
    done = presseportal(replica, *args, database_url=database_url)
    assert done.returncode == 2, (args, done.stderr)
    assert "usage" in done.stderr.lower() or "error" in done.stderr.lower()
    assert not replica.log, "a usage error must not touch the site"


def test_exit_69_when_the_database_is_unreachable_and_the_password_stays_secret(replica):
    url = "postgresql://ingest:s3cr3t-pw@127.0.0.1:9/presse?connect_timeout=2"
    done = presseportal(replica, "crawl", database_url=url)
    assert done.returncode == 69, done.stderr[-2000:]
    assert "s3cr3t-pw" not in done.stderr + done.stdout
    assert "database" in done.stderr.lower()
    # one line: the pre-check, which met the same fault first, leaves it to the full command
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not replica.log, "nothing may be fetched without a database"


def test_search_ranks_and_shows_a_snippet(replica, database_url):
    assert presseportal(replica, "crawl", database_url=database_url).returncode == 0
    truth = replica.corpus.truth(replica.corpus.story_ids(publisher_id=PID)[0])
    word = max(truth["title"].split(), key=len).strip(".,:;!?\"„“")
    done = presseportal(replica, "search", word, database_url=database_url)
    assert done.returncode == 0, done.stderr
    assert truth["title"] in done.stdout
    none = presseportal(replica, "search", "Xylophonquartettzzz", database_url=database_url)
    assert none.returncode == 0 and "no release matches" in none.stderr


def test_export_streams_jsonl_and_csv(replica, database_url):
    assert presseportal(replica, "crawl", database_url=database_url).returncode == 0
    done = presseportal(replica, "export", "--format", "jsonl", database_url=database_url)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert {r["story_id"] for r in records} == set(replica.corpus.story_ids(publisher_id=PID))
    one = next(r for r in records if r["story_id"] == records[0]["story_id"])
    truth = replica.corpus.truth(one["story_id"])
    assert one["body"] == truth["body"] and one["keywords"] == truth["keywords"]
    assert one["published_at"] == truth["published_at"]

    csv_out = presseportal(replica, "export", "--format", "csv", "--since", "2026-01-01", database_url=database_url)
    assert csv_out.returncode == 0
    header = csv_out.stdout.splitlines()[0]
    assert header.startswith("story_id,publisher_id,publisher,url,title,published_at")


def test_status_shows_runs_publishers_and_coverage(replica, database_url):
    assert presseportal(replica, "crawl", database_url=database_url).returncode == 0
    done = presseportal(replica, "status", database_url=database_url)
    assert done.returncode == 0, done.stderr
    assert "Last runs" in done.stdout and "incremental" in done.stdout and "success" in done.stdout
    assert str(PID) in done.stdout and "Public Marketing" in done.stdout
    assert "Field coverage" in done.stdout and "title" in done.stdout


def test_every_command_has_help(replica):
    for args in (["--help"], ["crawl", "--help"], ["backfill", "--help"], ["status", "--help"],
                 ["search", "--help"], ["export", "--help"], ["db", "--help"]):
        done = presseportal(replica, *args)
        assert done.returncode == 0 and "usage" in done.stdout.lower(), args


def test_db_upgrade_is_idempotent_and_db_url_hides_the_password(replica, database_url):
    first = presseportal(replica, "db", "upgrade", database_url=database_url)
    assert first.returncode == 0, first.stderr
    again = presseportal(replica, "db", "upgrade", database_url=database_url)
    assert again.returncode == 0 and "applied 0 migration" in again.stdout
    shown = presseportal(replica, "db", "url", database_url=database_url)
    assert shown.returncode == 0
    from urllib.parse import urlsplit

    password = urlsplit(database_url).password
    if password:
        assert password not in shown.stdout


def test_a_database_restart_mid_run_keeps_the_lock_and_finishes_the_run_record(
        replica_factory, database_url, pg_server, tmp_path):
    replica = replica_factory(releases=300, seed=5)
    # about 20 s of crawling: the restart and the second run's start-up fit in, even on a
    # loaded machine
    replica.faults.add(r"^/pm/", "slow", delay=1.0)
    first = start_presseportal(replica, "backfill", "-s", "PRESSEPORTAL_LOCK_CHECK_SECONDS=0.5",
                               database_url=database_url, log_path=tmp_path / "first.log")
    deadline = time.monotonic() + 60
    while len(stored_ids(database_url)) < 20 and time.monotonic() < deadline:
        time.sleep(0.2)
    pg_server.restart()
    time.sleep(3)  # the watchdog notices, reconnects and takes the lock again
    second = presseportal(replica, "crawl", database_url=database_url)
    assert first.wait(timeout=180) == 0, (tmp_path / "first.log").read_text()[-3000:]
    assert second.returncode == 75, second.stderr[-2000:]
    assert stored_ids(database_url) == set(replica.corpus.story_ids(publisher_id=PID))
    runs = rows(database_url, "SELECT mode, status, finished_at IS NOT NULL FROM crawl_runs ORDER BY id")
    assert runs[0] == ("backfill", "success", True), runs


def test_a_run_left_unfinished_by_a_dead_process_is_marked_abandoned(replica, database_url):
    from crawler import db

    with db.connect(database_url) as dead:  # a run whose process died with its session
        dead_run = db.start_run(dead, "backfill", [PID])
    # its process: one that has exited (the row names the pid of this test otherwise)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    rows(database_url, "UPDATE crawl_runs SET pid = %s WHERE id = %s RETURNING id", int(gone.stdout), dead_run)
    done = presseportal(replica, "crawl", database_url=database_url)
    assert done.returncode == 0, done.stderr[-2000:]
    status = rows(database_url, "SELECT status, finished_at IS NOT NULL FROM crawl_runs WHERE id = %s", dead_run)
    assert status == [("abandoned", True)]
