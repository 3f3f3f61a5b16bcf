"""Faults that lost or misfiled releases, each provoked against the replica and a real
PostgreSQL through `presseportal` (issue 12): the run says so, nothing is filed under
another story, and what is missing is fetched by the next run."""

from __future__ import annotations

import signal
import stat
import time

import psycopg

from crawler.db import spill
from tests.helpers import presseportal, start_presseportal

PID = 73811
OTHER = 97012


def rows(database_url: str, sql: str, *params):
    with psycopg.connect(database_url) as conn:
        return conn.execute(sql, params).fetchall()


def stored_ids(database_url: str, publisher_id: int = PID) -> set[int]:
    return {r[0] for r in rows(database_url, "SELECT story_id FROM releases WHERE publisher_id = %s", publisher_id)}


def errors(database_url: str) -> list[tuple[str, str, str]]:
    return rows(database_url, "SELECT stage, url, reason FROM crawl_errors ORDER BY id")


def wait_for(condition, timeout: float = 90, step: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(step)


# --- 1 and 9: the store gives up -------------------------------------------------------------


def test_a_run_whose_database_goes_away_exits_1_and_the_next_cron_run_recovers_every_release(
        replica_factory, database_url, pg_server, tmp_path):
    replica = replica_factory(releases=120, seed=21)
    env = {"PRESSEPORTAL_SPILL_DIR": str(tmp_path)}
    assert presseportal(replica, "crawl", database_url=database_url, **env).returncode == 0
    published = replica.publish(150)  # five pages of news since the last good run
    replica.faults.add(r"^/pm/", "slow", delay=0.2)
    failing = start_presseportal(replica, "crawl", "-s", "STORE_RETRY_MAX_SECONDS=2", "-s", "STORE_CONNECT_TIMEOUT=1",
                                 "-s", "STORE_BATCH_SIZE=10", "-s", "STORE_FLUSH_SECONDS=0.2",
                                 database_url=database_url, log_path=tmp_path / "failing.log", **env)
    wait_for(lambda: len(stored_ids(database_url) & set(published)) >= 30)
    pg_server.stop()
    try:
        code = failing.wait(timeout=120)
    finally:
        pg_server.start()
    log = (tmp_path / "failing.log").read_text()
    assert code == 1, f"pages were fetched: exit 1, not 69\n{log[-3000:]}"
    assert "store failed:" in log and "kept in" in log
    summary = next(line for line in log.splitlines() if line.startswith("run "))
    assert "releases could not be stored (" in summary, summary

    folder = spill.spill_dir(database_url, tmp_path)
    files, _ = spill.pending(folder)
    assert {f.kind for f in files} == {"releases", "run"}, "the releases and the run's own verdict wait"
    assert all(stat.S_IMODE(f.path.stat().st_mode) == 0o600 for f in files)
    failed_run = next(f.run_id for f in files if f.kind == "run")
    assert rows(database_url, "SELECT status FROM crawl_runs WHERE id = %s", failed_run) == [("running",)]
    missing = set(replica.corpus.story_ids(publisher_id=PID)) - stored_ids(database_url)
    assert missing, "the failed run left releases unstored"

    replica.faults.clear()
    replica.log.clear()
    nxt = presseportal(replica, "crawl", database_url=database_url, **env)
    assert nxt.returncode == 0, nxt.stderr[-3000:]
    assert "replayed" in nxt.stderr
    assert stored_ids(database_url) == set(replica.corpus.story_ids(publisher_id=PID)), \
        "the newest page was fully stored, yet the walk went on down to the last good run's coverage"
    assert spill.pending(folder) == ([], [])
    status = rows(database_url, "SELECT status, finished_at IS NOT NULL FROM crawl_runs WHERE id = %s", failed_run)
    assert status == [("store_failed", True)]
    assert any(stage == "store" for stage, _, _ in
               rows(database_url, "SELECT stage, url, reason FROM crawl_errors WHERE run_id = %s", failed_run))


def test_a_full_disk_is_named_in_the_summary_and_in_crawl_errors_and_nothing_is_lost(
        replica, database_url, tmp_path):
    with psycopg.connect(database_url, autocommit=True) as conn:  # what PostgreSQL says on a full disk
        conn.execute("""
            CREATE FUNCTION disk_is_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
              RAISE EXCEPTION 'could not extend file "base/16384/16390": No space left on device'
                USING ERRCODE = 'disk_full', HINT = 'Check free disk space.';
            END $$;
            CREATE TRIGGER disk_is_full BEFORE INSERT OR UPDATE ON releases
              FOR EACH ROW EXECUTE FUNCTION disk_is_full();""")
    env = {"PRESSEPORTAL_SPILL_DIR": str(tmp_path)}
    full = presseportal(replica, "crawl", "-s", "STORE_RETRY_MAX_SECONDS=1", database_url=database_url, **env)
    assert full.returncode == 1, full.stderr[-3000:]
    assert "errors 0" not in full.stderr
    assert "store failed: " in full.stderr and "No space left on device" in full.stderr
    summary = next(line for line in full.stderr.splitlines() if line.startswith("run "))
    assert "store_failed" in summary and "releases could not be stored (" in summary, summary
    assert "No space left on device" in summary, "the one summary line names why"
    store_errors = [reason for stage, _, reason in errors(database_url) if stage == "store"]
    assert store_errors and all("No space left on device" in r for r in store_errors), errors(database_url)
    assert rows(database_url, "SELECT status FROM crawl_runs") == [("store_failed",)]

    with psycopg.connect(database_url, autocommit=True) as conn:  # space freed
        conn.execute("DROP TRIGGER disk_is_full ON releases")
    again = presseportal(replica, "crawl", database_url=database_url, **env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert stored_ids(database_url) == set(replica.corpus.story_ids(publisher_id=PID))


def test_spill_replay_by_hand_lists_then_writes_and_waits_for_a_running_crawl(replica, database_url, tmp_path):
    from crawler import db

    env = {"PRESSEPORTAL_SPILL_DIR": str(tmp_path)}
    truth = [replica.corpus.truth(sid) for sid in replica.corpus.story_ids(publisher_id=PID)[:3]]
    records = [{**t, "fetched_at": "2026-01-01T00:00:00+00:00", "raw_html": ""} for t in truth]
    folder = spill.spill_dir(database_url, tmp_path)
    spill.write_releases(folder, None, records)
    listed = presseportal(replica, "spill", database_url=database_url, **env)
    assert listed.returncode == 0 and "3 releases" in listed.stdout and str(folder) in listed.stdout
    with db.connect(database_url) as holder:
        assert db.acquire_publisher_lock(holder, [PID])
        db.start_run(holder, "crawl", [PID])
        waiting = presseportal(replica, "spill", "replay", database_url=database_url, **env)
    assert waiting.returncode == 75 and "locked" in waiting.stderr
    done = presseportal(replica, "spill", "replay", database_url=database_url, **env)
    assert done.returncode == 0, done.stderr
    assert "new 3" in done.stdout
    assert stored_ids(database_url) == {t["story_id"] for t in truth}
    assert spill.pending(folder) == ([], [])


def dead_run(database_url: str) -> int:
    """An unfinished crawl of PID whose process is gone (its pid cannot exist)."""
    from crawler import db

    with db.connect(database_url) as conn:
        run_id = db.start_run(conn, "crawl", [PID])
        conn.execute("UPDATE crawl_runs SET pid = 4194400 WHERE id = %s", (run_id,))
    return run_id


def spilled_truth(replica, count: int = 3) -> list[dict]:
    truth = [replica.corpus.truth(sid) for sid in replica.corpus.story_ids(publisher_id=PID)[:count]]
    return [{**t, "fetched_at": "2026-01-01T00:00:00+00:00", "raw_html": ""} for t in truth]


def test_a_spill_left_at_another_address_of_the_same_database_is_replayed_and_finishes_its_run(
        replica, database_url, tmp_path):
    # a new user's trial: the database stopped mid-crawl (store_failed, releases spilled)
    # came back on another port; `spill` said "nothing waits" and the next run marked the
    # failed run abandoned, its releases left behind
    from datetime import UTC, datetime

    from psycopg.conninfo import make_conninfo

    from crawler import db
    from crawler.items import Newsroom

    env = {"PRESSEPORTAL_SPILL_DIR": str(tmp_path)}
    run_id = dead_run(database_url)
    before = make_conninfo(database_url, host="localhost")  # the same database, another address
    folder = spill.spill_dir(before, tmp_path)
    assert folder != spill.spill_dir(database_url, tmp_path)
    records = spilled_truth(replica)
    spill.write_releases(folder, run_id, records, spill.database_of(before))
    spill.write_verdict_file(folder, db.RunVerdict(run_id=run_id, status="store_failed", finished_at=datetime.now(UTC),
                                                   newsrooms=[Newsroom("publisher", PID)]), spill.database_of(before))
    listed = presseportal(replica, "spill", database_url=database_url, **env)
    assert listed.returncode == 0, listed.stderr
    assert "nothing waits" not in listed.stdout and f"3 releases of run #{run_id}" in listed.stdout, listed.stdout
    done = presseportal(replica, "crawl", database_url=database_url, **env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "replayed 2 spill file(s)" in done.stderr and "abandoned" not in done.stderr
    assert rows(database_url, "SELECT status FROM crawl_runs WHERE id = %s", run_id) == [("store_failed",)]
    assert rows(database_url, "SELECT new FROM crawl_runs WHERE id = %s", run_id) == [(3,)], \
        "the replayed releases count on the run that spilled them"
    assert not list(folder.iterdir())


def test_a_spill_of_an_address_that_is_gone_is_named_with_its_database_and_replayed_on_request(
        replica, database_url, tmp_path):
    # files written before they recorded their database: nobody can tell they are this
    # database's, so they are never replayed unasked, but never left unseen either
    env = {"PRESSEPORTAL_SPILL_DIR": str(tmp_path)}
    run_id = dead_run(database_url)
    old = tmp_path / "127.0.0.1-54411-presseportal_replica-0a1b2c3d"
    spill.write_releases(old, run_id, spilled_truth(replica))
    listed = presseportal(replica, "spill", database_url=database_url, **env)
    assert listed.returncode == 0, listed.stderr
    line = next(line for line in listed.stdout.splitlines() if "3 releases" in line)
    assert f"meant for the database at {old.name}" in line and f"spill replay --from {old.name}" in line, line
    crawled = presseportal(replica, "crawl", database_url=database_url, **env)
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    abandoned = next(line for line in crawled.stderr.splitlines() if "marked abandoned" in line)
    assert f"spill files of a run #{run_id} written for the database at {old.name} wait in {old}" in abandoned, \
        abandoned
    assert "not replayed into" in crawled.stderr
    replayed = presseportal(replica, "spill", "replay", "--from", old.name, database_url=database_url, **env)
    assert replayed.returncode == 0, replayed.stderr
    assert "3 releases written" in replayed.stdout and not list(old.iterdir())


def test_spill_replay_from_refuses_a_file_written_for_another_database(replica, database_url, tmp_path):
    env = {"PRESSEPORTAL_SPILL_DIR": str(tmp_path)}
    old = tmp_path / "elsewhere"
    path = spill.write_releases(old, None, spilled_truth(replica, 1),
                                spill.Database("db.example:5432/presse", "7000000000000000000/presse"))
    done = presseportal(replica, "spill", "replay", "--from", str(old), database_url=database_url, **env)
    assert done.returncode == 1 and "written for db.example:5432/presse" in done.stderr, done.stderr
    assert path.exists() and stored_ids(database_url) == set()


# --- 2: truncated pages ------------------------------------------------------------------------


def test_a_story_cut_after_its_card_with_a_complete_response_is_retried_then_recorded(replica, database_url):
    sids = replica.corpus.story_ids(publisher_id=PID)
    once, always = sids[3], sids[4]
    cut = {"declared_length": False, "after": "</article>"}
    replica.faults.add(rf"^/pm/{PID}/{once}$", "truncate", per_path=1, **cut)
    replica.faults.add(rf"^/pm/{PID}/{always}$", "truncate", **cut)
    done = presseportal(replica, "crawl", database_url=database_url)
    assert done.returncode == 1, done.stderr[-3000:]
    assert always not in stored_ids(database_url), "a page without its end is never stored as complete"
    stage, url, reason = next(e for e in errors(database_url) if e[1].endswith(f"/{always}"))
    assert stage == "fetch" and "truncated" in reason
    keywords, contact = rows(database_url, "SELECT keywords, contact FROM releases WHERE story_id = %s", once)[0]
    truth = replica.corpus.truth(once)
    assert (keywords, contact) == (truth["keywords"], truth["contact"]), "asked again, stored whole"


def test_a_listing_cut_short_is_a_listing_failure_not_a_shorter_newsroom(replica, database_url):
    replica.faults.add(rf"^/nr/{PID}/30$", "truncate", declared_length=False, keep=0.4)
    done = presseportal(replica, "backfill", database_url=database_url)
    assert done.returncode == 1, done.stderr[-3000:]
    assert any(stage == "listing" and url.endswith("/nr/73811/30") and "truncated" in reason
               for stage, url, reason in errors(database_url))
    assert rows(database_url, "SELECT count(*) FROM crawl_cursors WHERE key LIKE 'backfill:%%'") == [(1,)]


# --- 3 and 4: stories filed under the wrong id; leaving the site -----------------------------


def test_stories_are_filed_under_the_ids_asked_for(replica, database_url):
    sids = replica.corpus.story_ids(publisher_id=PID)
    moved, renamed, looped = sids[2], sids[5], sids[8]
    other = replica.corpus.story_ids(publisher_id=OTHER)[0]
    replica.faults.add(rf"^/pm/{PID}/{moved}$", "redirect", to=f"/pm/{OTHER}/{other}")
    replica.faults.add(rf"^/pm/{PID}/{renamed}$", "foreign_canonical", story=f"{OTHER}/{other}")
    replica.faults.add(rf"^/pm/{PID}/{looped}$", "redirect", to=f"/pm/{PID}/{looped}?again=1")
    replica.faults.add(rf"^/pm/{PID}/{looped}\?again=1$", "redirect", to=f"/pm/{PID}/{looped}")
    done = presseportal(replica, "crawl", database_url=database_url)
    assert done.returncode == 1, done.stderr[-3000:]
    assert stored_ids(database_url, OTHER) == set(), "nothing of another newsroom in this run"
    assert moved not in stored_ids(database_url)
    title, url = rows(database_url, "SELECT title, url FROM releases WHERE story_id = %s", renamed)[0]
    assert (title, url) == (replica.corpus.truth(renamed)["title"], replica.story_url(renamed))
    assert rows(database_url, "SELECT count(*) FROM release_revisions") == [(0,)]
    by_url = {(stage, url.rsplit("/pm/", 1)[-1]): reason for stage, url, reason in errors(database_url)}
    assert f"{OTHER}/{other}" in by_url[("identity", f"{PID}/{moved}")]
    assert f"{OTHER}/{other}" in by_url[("identity", f"{PID}/{renamed}")]
    assert "redirect loop" in by_url[("redirect", f"{PID}/{looped}")]


def test_requests_never_leave_the_host_of_the_base_url(replica, database_url):
    sid = replica.corpus.story_ids(publisher_id=PID)[1]
    foreign = f"http://localhost:{replica.port}"
    replica.faults.add(rf"^/pm/{PID}/{sid}$", "redirect", to=f"{foreign}/pm/{PID}/{sid}")
    replica.faults.add(rf"^/nr/{PID}/30$", "foreign_next")
    done = presseportal(replica, "backfill", database_url=database_url)
    assert done.returncode == 1, done.stderr[-3000:]
    hosts = {e.headers.get("Host") for e in replica.log}
    assert hosts == {f"127.0.0.1:{replica.port}"}, f"requests went to {hosts}"
    assert rows(database_url, "SELECT count(*) FROM releases WHERE url LIKE '%%localhost%%'") == [(0,)]
    offsite = [(url, reason) for stage, url, reason in errors(database_url) if stage == "offsite"]
    assert any(url == replica.story_url(sid) and f"{foreign}/pm/{PID}/{sid}" in reason for url, reason in offsite)
    assert any(url == f"{foreign}/nr/{PID}/60" for url, _ in offsite)


# --- 5 and 7: backfills ----------------------------------------------------------------------


def test_an_empty_listing_page_mid_archive_fails_the_backfill_and_keeps_its_cursor(replica_factory, database_url):
    replica = replica_factory(releases=240, seed=23)
    replica.faults.add(rf"^/nr/{PID}/90$", "missing_cards")
    done = presseportal(replica, "backfill", database_url=database_url)
    assert done.returncode == 1, done.stderr[-3000:]
    assert any(stage == "listing" and url.endswith("/nr/73811/90") for stage, url, _ in errors(database_url))
    (cursor,) = rows(database_url, "SELECT state FROM crawl_cursors WHERE key LIKE 'backfill:%%'")
    assert cursor[0]["offset"] == 90, "the resume point stops before the page that lost its cards"
    assert len(stored_ids(database_url)) == 240 - 30, "the pages after it were still walked"
    replica.faults.clear()
    resumed = presseportal(replica, "backfill", database_url=database_url)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert stored_ids(database_url) == set(replica.corpus.story_ids(publisher_id=PID))
    assert not rows(database_url, "SELECT 1 FROM crawl_cursors WHERE key LIKE 'backfill:%%'")


def test_the_resume_point_follows_the_store_past_a_story_that_cannot_be_had(
        replica_factory, database_url, tmp_path):
    replica = replica_factory(releases=600, seed=24)
    sids = replica.corpus.story_ids(publisher_id=PID)
    lost = sids[40]  # on the second page, failing whatever the retries
    replica.faults.add(rf"^/pm/{PID}/{lost}$", "500")
    replica.faults.add(r"^/pm/", "slow", delay=0.3)
    proc = start_presseportal(replica, "backfill", "-s", "STORE_BATCH_SIZE=20", "-s", "STORE_FLUSH_SECONDS=0.5",
                              database_url=database_url, log_path=tmp_path / "backfill.log")
    wait_for(lambda: len(stored_ids(database_url)) >= 300)
    stored = len(stored_ids(database_url))
    (cursor,) = rows(database_url, "SELECT state FROM crawl_cursors WHERE key LIKE 'backfill:%%'")[0]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert cursor["offset"] >= stored - 3 * 30 - 20, f"the resume point lags: {cursor['offset']} with {stored} stored"
    assert cursor["retry"] == [lost]

    replica.faults.clear()
    replica.log.clear()
    resumed = presseportal(replica, "backfill", database_url=database_url)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert stored_ids(database_url) == set(sids)
    listings = [e.path for e in replica.log if e.path.startswith("/nr/")]
    first = cursor["offset"] - 30
    walked_again = [p for p in listings if p == f"/nr/{PID}" or int(p.rsplit("/", 1)[-1]) < first]
    assert walked_again in ([], [f"/nr/{PID}"]), f"the stored prefix was walked again: {walked_again}"
    assert f"/pm/{PID}/{lost}" in [e.path for e in replica.log], "the story given up on was asked for again"


# --- 8: a database restart under a live run --------------------------------------------------


def test_after_a_database_restart_a_new_run_leaves_the_live_one_alone(
        replica_factory, database_url, pg_server, tmp_path):
    replica = replica_factory(releases=300, seed=25)
    replica.faults.add(r"^/pm/", "slow", delay=1.0)  # about 20 s: the second run starts meanwhile
    # its watchdog looks only every 30 s: the lock stays free long after the restart
    live = start_presseportal(replica, "backfill", "-s", "PRESSEPORTAL_LOCK_CHECK_SECONDS=30",
                              database_url=database_url, log_path=tmp_path / "live.log")
    wait_for(lambda: len(stored_ids(database_url)) >= 20)
    pg_server.restart()
    second = presseportal(replica, "backfill", database_url=database_url)
    assert second.returncode == 75, second.stderr[-3000:]
    assert "alive" in second.stderr
    assert live.wait(timeout=180) == 0, (tmp_path / "live.log").read_text()[-3000:]
    assert rows(database_url, "SELECT mode, status FROM crawl_runs ORDER BY id") == [("backfill", "success")]
    fetched = [e.path for e in replica.log if e.path.startswith("/pm/")]
    assert len(fetched) == len(set(fetched)) == 300, "every story fetched once: one run crawled"


def test_a_live_run_whose_lock_another_run_took_stops_at_its_next_check(replica_factory, database_url, tmp_path):
    from crawler import db

    replica = replica_factory(releases=300, seed=26)
    replica.faults.add(r"^/pm/", "slow", delay=0.5)
    live = start_presseportal(replica, "backfill", "-s", "PRESSEPORTAL_LOCK_CHECK_SECONDS=2",
                              database_url=database_url, log_path=tmp_path / "live.log")
    wait_for(lambda: len(stored_ids(database_url)) >= 20)
    with db.connect(database_url) as other:
        # its lock session ends as in a database restart, and a run elsewhere, which
        # judged it dead, takes the free lock before the live run's next check
        other.execute("SELECT pg_terminate_backend(backend_pid) FROM crawl_runs WHERE finished_at IS NULL")
        wait_for(lambda: db.acquire_publisher_lock(other, [PID]), timeout=5, step=0.01)
        db.start_run(other, "backfill", [PID])
        took = time.monotonic()
        assert live.wait(timeout=60) == 1
        stopped_after = time.monotonic() - took
    assert stopped_after < 2 + 5, f"stopped {stopped_after:.1f} s after its lock was taken"
    assert "took the lock" in (tmp_path / "live.log").read_text()
    assert rows(database_url, "SELECT status FROM crawl_runs ORDER BY id LIMIT 1") == [("lock_lost",)]
