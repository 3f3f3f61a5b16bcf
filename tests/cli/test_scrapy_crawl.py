"""`scrapy crawl presseportal` (and `import`, `reextract`) keeps working for Scrapy users, with the
same exit statuses."""

from __future__ import annotations

import re
import subprocess

import psycopg
import pytest

from crawler import db
from tests.helpers import BIN, ROOT, crawl_env, run_scrapy


def test_scrapy_crawl_stores_into_postgresql_and_records_its_run(replica, database_url):
    done = run_scrapy(replica, database_url=database_url)
    assert done.returncode == 0, done.stderr[-3000:]
    with psycopg.connect(database_url) as conn:
        stored = conn.execute("SELECT count(*) FROM releases").fetchone()[0]
        run = conn.execute("SELECT mode, status, new FROM crawl_runs").fetchall()
    assert stored == len(replica.corpus.story_ids(publisher_id=73811))
    assert run == [("incremental", "success", stored)], "without -a mode the crawl is incremental"


def test_scrapy_crawl_without_mode_does_not_fetch_stored_stories_again(replica, database_url):
    assert run_scrapy(replica, database_url=database_url).returncode == 0
    new = replica.publish(2)
    replica.log.clear()
    again = run_scrapy(replica, database_url=database_url)
    assert again.returncode == 0, again.stderr[-3000:]
    fetched = {e.path for e in replica.log if e.path.startswith("/pm/")}
    assert fetched == {f"/pm/73811/{sid}" for sid in new}, "a plain scrapy crawl fetched stored stories"


def test_scrapy_crawl_mode_full_fetches_everything_by_name(replica, database_url):
    assert run_scrapy(replica, database_url=database_url).returncode == 0
    replica.log.clear()
    full = run_scrapy(replica, "-a", "mode=full", database_url=database_url)
    assert full.returncode == 0, full.stderr[-3000:]
    fetched = {e.path for e in replica.log if e.path.startswith("/pm/")}
    assert len(fetched) == len(replica.corpus.story_ids(publisher_id=73811))


@pytest.mark.parametrize("args, words", [
    (["-a", "mode=bogus"], "mode must be one of"),
    (["-a", "publisher=abc"], "publisher ids are numbers"),
    (["-a", "since=2024-13-01"], "since must be a date"),
    (["-a", "refresh=maybe"], "refresh is 1 or 0"),
])
def test_scrapy_crawl_bad_arguments_are_one_usage_line(replica, args, words):
    done = run_scrapy(replica, *args, database_url="postgresql://u@127.0.0.1:9/x")
    assert done.returncode == 2, done.stderr[-3000:]
    assert words in done.stderr and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert "Crawler.stats" not in done.stderr
    assert not replica.log, "a usage error must not touch the site"


@pytest.mark.parametrize("args, words", [
    (["import"], "error: no file to import"),
    (["import", "-a", "files={csv}", "-a", "map=nonsense"], "error: --map takes FIELD=COLUMN pairs"),
    (["import", "-a", "files={csv}", "-a", "map=title=Überschrift"], "--map title=Überschrift: no column 'Überschrift'"),
    (["import", "-a", "files={csv}", "-a", "format=xml"], "error: format must be one of"),
    (["reextract", "-a", "publisher=abc"], "error: publisher ids are numbers, got 'abc'"),
    (["presseportl"], "error: no spider named 'presseportl'; this project's: import, presseportal, reextract"),
    # a misspelt argument was dropped and the crawl ran with the defaults (publisher 73811)
    (["presseportal", "-a", "story=/pm/73811/5"], "error: the presseportal spider takes no argument 'story'; "
                                                  "it takes: publisher, mode, since, until, refresh, office, stories"),
    (["reextract", "-a", "files=x"], "error: the reextract spider takes no argument 'files'"),
    (["presseportal", "-a", "publisher="], "error: publisher needs at least one id"),
    (["import", "-a", "files={csv}", "-a", "office= "], "error: office needs at least one id"),
    # as `presseportal import` says them, before a run is recorded
    (["import", "-a", "files=/nonexistent/releases.csv"], "error: no such file: /nonexistent/releases.csv"),
    (["import", "-a", "files={folder}"], "error: not a file (give the files inside a folder"),
])
def test_every_spider_s_bad_arguments_and_an_unknown_spider_are_one_usage_line(replica, tmp_path, args, words):
    csv = tmp_path / "releases.csv"
    csv.write_text("title,date,text\nHallo,2024-01-31,Text\n", encoding="utf-8")
    argv = [str(BIN / "scrapy"), "crawl", *(a.format(csv=csv, folder=tmp_path) for a in args)]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True,
                          env=crawl_env(replica, "postgresql://u@127.0.0.1:9/x"), timeout=120)
    assert done.returncode == 2, done.stderr[-3000:]
    assert words in done.stderr and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert not replica.log


@pytest.mark.parametrize("spider", ["presseportal", "reextract"])
@pytest.mark.parametrize("env, words", [
    ({"PRESSEPORTAL_SITE_BUDGET": "abc"}, "PRESSEPORTAL_SITE_BUDGET must be a number of requests per second"),
    ({"PRESSEPORTAL_COVERAGE_MIN": "1.5"}, "PRESSEPORTAL_COVERAGE_MIN must be a share from 0 to 1, got '1.5'"),
    # a mistyped profile: refused by every spider, not only the crawl's
    ({"PRESSEPORTAL_PROFILE": "bogus"}, "unknown PRESSEPORTAL_PROFILE 'bogus'"),
])
def test_scrapy_crawl_with_a_malformed_number_in_the_environment_is_one_usage_line(replica, spider, env, words):
    # Scrapy imports crawler/settings.py before any command of ours runs: once a traceback
    done = subprocess.run([str(BIN / "scrapy"), "crawl", spider], cwd=ROOT, capture_output=True, text=True,
                          env=crawl_env(replica, "postgresql://u@127.0.0.1:9/x", **env), timeout=120)
    assert done.returncode == 2, done.stderr[-3000:]
    assert f"error: {words}" in done.stderr and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert not replica.log, "a usage error must not touch the site"


def test_scrapy_crawl_replica_profile_refuses_a_host_off_loopback(replica):
    done = run_scrapy(replica, database_url="postgresql://u@127.0.0.1:9/x",
                      PRESSEPORTAL_BASE_URL="https://www.presseportal.de")
    assert done.returncode == 2, done.stderr[-3000:]
    assert "loopback only" in done.stderr and "Traceback" not in done.stderr


def test_scrapy_crawl_exits_69_without_database_and_fetches_nothing(replica):
    done = run_scrapy(replica, database_url="postgresql://u:s3cret@127.0.0.1:9/x?connect_timeout=2")
    assert done.returncode == 69, done.stderr[-3000:]
    assert "s3cret" not in done.stderr
    assert "database unavailable" in done.stderr
    assert [e.path for e in replica.log if e.path != "/robots.txt"] == []


def test_scrapy_crawl_exits_75_when_the_publisher_is_locked(replica, database_url):
    with db.connect(database_url) as holder:
        assert db.acquire_publisher_lock(holder, [73811])
        run_id = db.start_run(holder, "backfill", [73811])
        done = run_scrapy(replica, database_url=database_url)
    assert done.returncode == 75, done.stderr[-3000:]
    assert f"run #{run_id}" in done.stderr
    assert not any(e.path.startswith("/pm/") for e in replica.log)


def test_scrapy_crawl_without_database_url_stores_into_the_embedded_database_the_settings_name(
        replica, reachable_tmp):
    env = dict(PRESSEPORTAL_DATA_DIR=str(reachable_tmp), PRESSEPORTAL_EMBEDDED_DB="scrapy_users")
    try:
        done = run_scrapy(replica, database_url=None, **env)
        assert done.returncode == 0, done.stderr[-3000:]
        shell = subprocess.run([str(BIN / "presseportal"), "db", "shell"], cwd=ROOT,
                               env=crawl_env(replica, None, **env), input="SELECT count(*) FROM releases;\n",
                               capture_output=True, text=True, timeout=60)
        assert str(len(replica.corpus.story_ids(publisher_id=73811))) in shell.stdout, shell.stdout + shell.stderr
    finally:
        subprocess.run([str(BIN / "presseportal"), "db", "stop"], env=crawl_env(replica, None, **env),
                       capture_output=True, timeout=60)


def test_a_replica_profile_given_with_s_stores_into_the_replica_s_embedded_database(replica, reachable_tmp):
    # the environment says live (no profile): the -s profile brings its database along, so
    # that the replica's invented stories never land in the store a live crawl reads
    env = crawl_env(replica, None, PRESSEPORTAL_DATA_DIR=str(reachable_tmp))
    env.pop("PRESSEPORTAL_PROFILE")
    env.pop("PRESSEPORTAL_EMBEDDED_DB", None)
    try:
        done = subprocess.run([str(BIN / "scrapy"), "crawl", "presseportal", "-s", "PRESSEPORTAL_PROFILE=replica"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr[-3000:]
        counts = {}
        for profile in ("replica", "live"):
            shell = subprocess.run([str(BIN / "presseportal"), "db", "shell"], cwd=ROOT,
                                   env={**env, "PRESSEPORTAL_PROFILE": profile},
                                   input="SELECT 'rows=' || count(*) FROM releases;\n",
                                   capture_output=True, text=True, timeout=60)
            counts[profile] = shell.stdout + shell.stderr
        assert f"rows={len(replica.corpus.story_ids(publisher_id=73811))}" in counts["replica"], counts
        assert not re.search(r"rows=[1-9]", counts["live"]), counts
    finally:
        subprocess.run([str(BIN / "presseportal"), "db", "stop"], env=env, capture_output=True, timeout=60)


def test_scrapyd_s_job_argument_is_taken_as_scrapy_gives_it(replica, database_url):
    done = run_scrapy(replica, "-a", "_job=6487ec79947edab326d6db28a2d86511", database_url=database_url)
    assert done.returncode == 0, done.stderr[-3000:]


def test_scrapy_crawl_reextract_of_a_newsroom_with_nothing_stored_fails_the_run(replica, database_url):
    assert run_scrapy(replica, database_url=database_url).returncode == 0
    done = subprocess.run([str(BIN / "scrapy"), "crawl", "reextract", "-a", "office=99002"], cwd=ROOT,
                          env=crawl_env(replica, database_url), capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr[-3000:]
    assert "office 99002: no release of this newsroom is stored" in done.stderr
    with psycopg.connect(database_url) as conn:
        (status, errors), = conn.execute(
            "SELECT r.status, array_agg(e.url) FROM crawl_runs r JOIN crawl_errors e ON e.run_id = r.id "
            "WHERE r.mode = 'reextract' GROUP BY r.status").fetchall()
    assert (status, errors) == ("errors", ["office 99002"])
