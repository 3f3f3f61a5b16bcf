"""The cron job's pre-check (crawler/precheck.py): a cron run that finds nothing is
answered before Scrapy starts, and records what the Scrapy run records; anything else
runs the full crawl, with the site's robots.txt, budget and run lock honoured."""

from __future__ import annotations

import json
import subprocess
import sys

import psycopg
import pytest

from crawler import db, exitcodes
from crawler.items import OFFICE, PUBLISHER, Newsroom
from crawler.precheck import CronRun, cron_run
from crawler.spiders.presseportal import crawl_plan
from tests.helpers import BIN, ROOT, crawl_env, presseportal

PID = 73811
OFF = {"PRESSEPORTAL_PRECHECK": "0"}
# what tells two runs apart that did the same: their ids, clocks and processes
RUN_IDENTITY = ("id", "started_at", "finished_at", "heartbeat_at", "pid", "backend_pid", "process_started_at")
# what the pre-check must never load: Scrapy, its reactor, its parsers
HEAVY = ("scrapy", "twisted", "lxml", "parsel", "itemadapter", "aiohttp")


def paths(replica) -> list[tuple[str, int]]:
    return [(e.path, e.status) for e in replica.log]


def crawled(replica, database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    replica.log.clear()
    return presseportal(replica, "crawl", *args, database_url=database_url, **env)


def run_rows(database_url: str) -> list[dict]:
    with psycopg.connect(database_url) as conn:
        cur = conn.execute("SELECT * FROM crawl_runs ORDER BY id")
        names = [c.name for c in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def without_identity(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in RUN_IDENTITY}


def summary(done: subprocess.CompletedProcess) -> str:
    """The summary line, without the run's number."""
    (line,) = [line for line in done.stderr.splitlines() if line.startswith("run ")]
    return line.split(":", 1)[1]


# --- which command lines it answers ------------------------------------------------------------


@pytest.mark.parametrize("argv, expected", [
    (["crawl"], CronRun((Newsroom(PUBLISHER, PID),))),
    (["-q", "crawl"], CronRun((Newsroom(PUBLISHER, PID),), quiet=True)),
    (["crawl", "--quiet", "--publisher", "1,2,1"], CronRun((Newsroom(PUBLISHER, 1), Newsroom(PUBLISHER, 2)),
                                                            quiet=True)),
    (["crawl", "--office=9", "--publisher", "1", "-v"], CronRun((Newsroom(PUBLISHER, 1), Newsroom(OFFICE, 9)),
                                                                verbose=True)),
    (["crawl", "--max-errors", "3", "--min-coverage", "0.9"], CronRun((Newsroom(PUBLISHER, PID),))),
])
def test_a_plain_cron_line_is_recognised(argv, expected):
    assert cron_run(argv) == expected


@pytest.mark.parametrize("publisher, office", [(None, None), ("1,2,1", None), ("1", "9"), (None, "99001,99002")])
def test_its_newsrooms_are_the_ones_the_spider_walks(publisher, office):
    # in the spider's order, its default publisher too
    argv = ["crawl", *(["--publisher", publisher] if publisher else []), *(["--office", office] if office else [])]
    assert cron_run(argv).newsrooms == crawl_plan(publisher=publisher, office=office).newsrooms


@pytest.mark.parametrize("argv", [
    [], ["status"], ["backfill"], ["crawl", "--story", "/pm/1/2"], ["crawl", "-s", "DOWNLOAD_DELAY=2"],
    ["crawl", "--publisher", "x"], ["crawl", "--publisher", ""], ["crawl", "--pub", "1"], ["crawl", "-q", "-v"],
    ["crawl", "--max-errors", "-1"], ["crawl", "--min-coverage", "2"], ["crawl", "--help"], ["--publisher", "1", "crawl"],
    ["crawl", "--publisher"], ["crawl", "--publisher", "99999999999"],
])
def test_anything_else_is_left_to_the_full_command(argv):
    # the full command parses it again and says what is wrong in its own words
    assert cron_run(argv) is None


# --- a run that finds nothing ------------------------------------------------------------------


@pytest.mark.slow
def test_a_second_cron_run_with_nothing_new_never_starts_scrapy(replica, database_url):
    assert crawled(replica, database_url).returncode == 0
    replica.log.clear()
    done = subprocess.run([sys.executable, "-X", "importtime", str(BIN / "presseportal"), "-q", "crawl"],
                          cwd=ROOT, env=crawl_env(replica, database_url), capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "crawler.precheck" in imported and "psycopg" in imported, "the import log is read"
    heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY)
    assert not heavy, f"the pre-check loaded {heavy[:10]}: import it where it is used, not at the top"
    assert paths(replica) == [("/robots.txt", 200), (f"/nr/{PID}", 304)], "robots.txt and one conditional GET"
    assert [line for line in done.stderr.splitlines() if not line.startswith("import time:")] == [], \
        "quiet: cron mails any output"


@pytest.mark.slow
def test_its_run_record_summary_and_status_are_those_of_the_scrapy_run(replica, database_url):
    args = ("--publisher", str(PID), "--office", "99001")
    assert crawled(replica, database_url, *args).returncode == 0
    checked = crawled(replica, database_url, *args)
    checked_requests = paths(replica)
    scrapy_run = crawled(replica, database_url, *args, **OFF)
    assert checked.returncode == scrapy_run.returncode == 0, checked.stderr[-2000:] + scrapy_run.stderr[-2000:]
    assert "[scrapy" not in checked.stderr and "[scrapy" in scrapy_run.stderr, "one answered by each path"
    assert checked_requests == paths(replica), "the same requests: robots.txt, a 304 per newsroom"
    assert summary(checked) == summary(scrapy_run) == " success; pages 3, new 0, changed 0, unchanged 0, errors 0"
    *_, by_precheck, by_scrapy = run_rows(database_url)
    assert without_identity(by_precheck) == without_identity(by_scrapy)
    assert by_precheck["finished_at"] > by_precheck["started_at"]
    status = json.loads(presseportal(replica, "status", "--json", database_url=database_url).stdout)
    shown = {run["id"]: run for run in status["runs"]}
    timings = RUN_IDENTITY + ("duration_seconds",)
    assert ({k: v for k, v in shown[by_precheck["id"]].items() if k not in timings}
            == {k: v for k, v in shown[by_scrapy["id"]].items() if k not in timings})


# --- anything else: the full crawl -------------------------------------------------------------


@pytest.mark.slow
def test_news_falls_through_to_the_full_crawl_which_stores_it(replica, database_url):
    assert crawled(replica, database_url).returncode == 0
    (story,) = replica.publish(1, publisher_id=PID)
    done = crawled(replica, database_url)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "new 1," in summary(done)
    listing = [status for path, status in paths(replica) if path == f"/nr/{PID}"]
    assert listing[0] == 200, "the pre-check asked first, and saw news"
    assert len(listing) >= 2 and f"/pm/{PID}/{story}" in [p for p, _ in paths(replica)]
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM releases WHERE story_id = %s", (story,)).fetchone()[0] == 1
    assert [row["status"] for row in run_rows(database_url)] == ["success", "success"], \
        "a run that fell through leaves no row of its own"


@pytest.mark.slow
def test_no_validators_stored_fall_through_without_a_request(replica, database_url):
    done = crawled(replica, database_url)
    assert done.returncode == 0, done.stderr[-2000:]
    assert paths(replica)[:2] == [("/robots.txt", 200), (f"/nr/{PID}", 200)], "only the full crawl asked"


@pytest.mark.slow
@pytest.mark.parametrize("value", ["abc", "-1", "inf"])
def test_a_malformed_number_in_the_environment_is_the_usage_error_it_is_without_the_precheck(
        replica, database_url, value):
    # a cron run that finds nothing once passed with a typo the full command refuses
    assert crawled(replica, database_url).returncode == 0
    done = crawled(replica, database_url, PRESSEPORTAL_SITE_BUDGET=value)
    assert done.returncode == exitcodes.USAGE, done.stderr[-2000:]
    assert f"PRESSEPORTAL_SITE_BUDGET must be a number of requests per second of at least 0, got '{value}'" \
        in done.stderr
    assert paths(replica) == [], "nothing asked of the site"


@pytest.mark.slow
def test_a_429_seen_by_the_precheck_holds_back_the_full_crawl(replica, database_url):
    budget = {"PRESSEPORTAL_SITE_BUDGET": "20"}
    assert crawled(replica, database_url, **budget).returncode == 0
    replica.faults.add(rf"^/nr/{PID}$", "429", retry_after=2, times=1)
    done = crawled(replica, database_url, **budget)
    assert done.returncode == 0, done.stderr[-2000:]
    log = list(replica.log)
    told = next(e for e in log if e.status == 429)
    after = [e for e in log if e.time > told.time]
    assert after and after[0].path == "/robots.txt", "the full crawl started"
    assert min(e.time for e in after) >= told.time + 1.8, \
        "the hold the pre-check wrote into the site's budget kept the full crawl back"
    with psycopg.connect(database_url) as conn:
        pushes = conn.execute("SELECT pushes FROM site_budgets WHERE host = %s",
                              (replica.base_url.split("//")[1],)).fetchone()
    assert pushes == (1,)
    assert [e.status for e in after if e.path == f"/nr/{PID}"] == [304]


@pytest.mark.slow
def test_a_page_robots_txt_forbids_is_never_asked_for_by_the_precheck(replica, database_url):
    assert crawled(replica, database_url).returncode == 0
    replica.site.robots_disallow = ("/nr/",)
    checked = crawled(replica, database_url)
    checked_requests = paths(replica)
    scrapy_run = crawled(replica, database_url, **OFF)
    assert [p for p, _ in checked_requests] == ["/robots.txt", "/robots.txt"], \
        "robots.txt read by the pre-check, then by Scrapy; the newsroom page by neither"
    assert checked.returncode == scrapy_run.returncode


@pytest.mark.slow
def test_a_run_lock_held_by_another_run_ends_as_it_always_did(replica, database_url):
    assert crawled(replica, database_url).returncode == 0
    with db.connect(database_url) as holder:
        assert db.acquire_publisher_lock(holder, [Newsroom(PUBLISHER, PID)])
        checked = crawled(replica, database_url, "-q")
        checked_requests = paths(replica)
        scrapy_run = crawled(replica, database_url, "-q", **OFF)
    assert checked.returncode == scrapy_run.returncode == exitcodes.LOCKED
    assert checked.stderr == scrapy_run.stderr and f"publisher {PID} is locked by a session without a run" in checked.stderr
    assert checked_requests == [], "nothing is fetched while another run holds the newsroom"


@pytest.mark.slow
def test_switched_off_the_cron_run_is_scrapys(replica, database_url):
    assert crawled(replica, database_url).returncode == 0
    done = crawled(replica, database_url, **OFF)
    assert done.returncode == 0 and "[scrapy" in done.stderr
    assert paths(replica) == [("/robots.txt", 200), (f"/nr/{PID}", 304)]
