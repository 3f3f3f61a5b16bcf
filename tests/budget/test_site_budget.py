"""One request budget per site (crawler/budget.py): crawls in separate processes keep to
it together, whatever delays Scrapy adds or the database takes, a 429 with Retry-After
holds all of them back, and the replica profile has none unless asked."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import psycopg
import pytest
from scrapy.settings import Settings

from crawler import exitcodes
from crawler import settings as project_settings
from crawler.budget import site_budget
from crawler.profiles import PROFILES
from tests.helpers import ctrl_c, presseportal, start_presseportal


def settings_with(**values) -> Settings:
    s = Settings()
    s.setmodule(project_settings)
    s.setdict(values, priority="cmdline")
    return s


def test_the_live_site_gets_one_request_per_second_and_the_replica_none_unless_set():
    assert site_budget(settings_with(PRESSEPORTAL_SITE_BUDGET=None, SITE_BUDGET_DEFAULT=1.0)) == 1.0
    replica = settings_with(PRESSEPORTAL_SITE_BUDGET=None, **PROFILES["replica"])
    assert site_budget(replica) == 0
    assert site_budget(settings_with(PRESSEPORTAL_SITE_BUDGET=20, **PROFILES["replica"])) == 20


def test_no_budget_leaves_the_download_handler_as_scrapy_s_without_a_warning(caplog):
    # on every demo and replica run, no budget is what was asked for
    from scrapy.utils.test import get_crawler

    from crawler.budget import SiteBudget

    crawler = get_crawler(settings_dict={"PRESSEPORTAL_SITE_BUDGET": None, **PROFILES["replica"]})
    assert SiteBudget.from_crawler(crawler) is None
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    assert project_settings.DOWNLOAD_HANDLERS == {"http": "crawler.budget.SiteBudgetDownloadHandler",
                                                  "https": "crawler.budget.SiteBudgetDownloadHandler"}


@pytest.mark.slow
def test_a_429_with_retry_after_holds_back_every_process(replica_factory, database_url, tmp_path):
    replica = replica_factory(releases=120, seed=7)
    env = {"PRESSEPORTAL_SITE_BUDGET": "30"}
    # the third story page of 97012 answers 429 once, asking for 2 s
    target = replica.corpus.story_ids(publisher_id=97012)[2]
    replica.faults.add(rf"^/pm/97012/{target}$", "429", retry_after=2, times=1)
    other = start_presseportal(replica, "backfill", "--publisher", "73811", database_url=database_url,
                               log_path=tmp_path / "73811.log", **env)
    done = presseportal(replica, "backfill", "--publisher", "97012", database_url=database_url, **env)
    assert other.wait(timeout=120) == 0, (tmp_path / "73811.log").read_text()[-2000:]
    assert done.returncode == 0, done.stderr[-2000:]
    told = next(e.time for e in replica.log if e.status == 429)
    # slots reserved before the 429 may still go out (at most a few at 30/s); then nobody,
    # not even the other process, sends until the 2 s are over
    during = [e.path for e in replica.log if told + 0.6 < e.time < told + 1.9]
    assert during == [], during
    assert any(e.time > told + 1.9 and e.path.startswith("/pm/73811/") for e in replica.log)


@pytest.mark.slow
def test_crawls_with_the_live_profile_s_delay_and_concurrency_still_keep_to_the_budget_together(
        replica_factory, database_url, tmp_path):
    # Scrapy's download slots (DOWNLOAD_DELAY, AutoThrottle, CONCURRENT_REQUESTS_PER_DOMAIN)
    # hold requests back after the downloader middlewares: a budget slot taken in one was
    # used seconds later, beside other crawls' requests sent in their own slots (8 requests
    # in one second here at a budget of 5). The live profile's concurrency, its delay shorter.
    replica = replica_factory(releases=120, seed=7)  # 24 stories in each of the three newsrooms
    budget = 5
    env = {"PRESSEPORTAL_SITE_BUDGET": str(budget)}
    live_like = ["-s", "DOWNLOAD_DELAY=0.3", "-s", "CONCURRENT_REQUESTS=8", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"]
    crawls = [start_presseportal(replica, "backfill", "--publisher", str(pid), *live_like, database_url=database_url,
                                 log_path=tmp_path / f"{pid}.log", **env) for pid in (97012, 118420, 120501)]
    codes = [crawl.wait(timeout=180) for crawl in crawls]
    assert codes == [0, 0, 0], [(tmp_path / f"{pid}.log").read_text()[-2000:] for pid in (97012, 118420, 120501)]
    assert replica.requests("/pm/") == 72
    # the budget holds every second (the one more allowed: the replica's own clock reading,
    # a few ms after the request arrived)
    assert replica.log.busiest_second() <= budget + 1, replica.log.busiest_second()


@pytest.mark.slow
def test_requests_held_up_past_their_slot_by_a_slow_database_are_given_up_not_sent_in_a_burst(
        replica_factory, database_url, tmp_path):
    # a request waking in its slot asks the database whether a push back voided it; held
    # up there (the site's row locked by another worker, a loaded database), it was sent
    # whenever the answer came, with every other request that woke meanwhile (14 requests
    # in one second here at a budget of 10)
    replica = replica_factory(releases=120, seed=7)
    budget = 10
    host = urlsplit(replica.base_url).netloc
    proc = start_presseportal(replica, "backfill", "--publisher", "73811", database_url=database_url,
                              log_path=tmp_path / "log", PRESSEPORTAL_SITE_BUDGET=str(budget))
    deadline = time.monotonic() + 60
    while replica.requests("/pm/") < 15 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert replica.requests("/pm/") >= 15, (tmp_path / "log").read_text()[-3000:]
    with psycopg.connect(database_url) as conn:  # one transaction: the row stays locked
        conn.execute("SELECT 1 FROM site_budgets WHERE host = %s FOR UPDATE", (host,))
        time.sleep(1.0)
    assert proc.wait(timeout=120) == 0, (tmp_path / "log").read_text()[-3000:]
    assert replica.requests("/pm/") == 120
    assert replica.log.busiest_second() <= budget + 1, replica.log.busiest_second()


def test_one_ctrl_c_stops_a_crawl_soon_dropping_the_requests_that_wait_for_a_slot(
        replica, database_url, tmp_path):
    # 0.5 requests/s: the 16 requests let into the downloader at once hold slots up to
    # 32 s ahead; a first Ctrl-C used to wait for each of them (31 s in a trial)
    proc = start_presseportal(replica, "backfill", database_url=database_url, log_path=tmp_path / "log",
                              PRESSEPORTAL_SITE_BUDGET="0.5")
    deadline = time.monotonic() + 60
    while replica.requests("/pm/") < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert replica.requests("/pm/") >= 2, (tmp_path / "log").read_text()[-3000:]
    code, took, log = ctrl_c(proc, tmp_path / "log")
    assert code == exitcodes.ERRORS, log[-3000:]
    assert took < 8, f"one Ctrl-C took {took:.1f} s to stop the crawl"
    assert "Traceback" not in log
    answered = {int(e.path.rsplit("/", 1)[1]) for e in replica.log if e.path.startswith("/pm/") and e.status == 200}
    with psycopg.connect(database_url) as conn:
        stored = {r[0] for r in conn.execute("SELECT story_id FROM releases")}
        status = conn.execute("SELECT status FROM crawl_runs").fetchone()[0]
        failed = conn.execute("SELECT url, reason FROM crawl_errors").fetchall()
    assert answered <= stored, "the responses in flight at the Ctrl-C are stored"
    assert status == "shutdown"
    assert failed == [], "a request dropped at the stop is no failed page: the next run asks for it"
