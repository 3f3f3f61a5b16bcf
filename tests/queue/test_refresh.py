"""The cheap refresh of many followed newsrooms: the site-wide feed says which have news;
a cycle with nothing new costs one request, whatever the number of newsrooms."""

from __future__ import annotations

import asyncio
import json
import signal

import pytest

from crawler import db
from crawler.extract.feed import FeedEntry
from crawler.items import OFFICE, PUBLISHER, Newsroom
from crawler.queue.refresh import plan_refresh
from tests.helpers import presseportal, start_presseportal
from tests.replica import dumps


def entry(story_id: int, newsroom_id: int, kind: str = PUBLISHER) -> FeedEntry:
    return FeedEntry(story_id=story_id, publisher_id=newsroom_id, newsroom_kind=kind,
                     url=f"http://x{Newsroom(kind, newsroom_id).story_path(story_id)}")


def rooms(*ids: int, kind: str = PUBLISHER) -> list[Newsroom]:
    return [Newsroom(kind, i) for i in ids]


def test_a_cycle_crawls_only_followed_newsrooms_with_stories_the_store_lacks():
    feed = [entry(111, 1, OFFICE), entry(110, 1), entry(109, 2), entry(108, 9), entry(107, 1),
            entry(106, 2, OFFICE), entry(100, 3)]
    plan = plan_refresh(feed, followed=rooms(1, 2, 3, 4) + rooms(1, kind=OFFICE), stored={109, 100},
                        last_newest=100)
    # 9 and office 2 are not followed, 2's and 3's stories are stored, 4 has none in the
    # feed; office 1 is not publisher 1
    assert plan.newsrooms == [Newsroom(OFFICE, 1), Newsroom(PUBLISHER, 1)]
    assert plan.new_stories == 3 and not plan.swept
    assert plan.newest_story_id == 111
    # the stories themselves, each with its own newsroom's path: what the stories job fetches
    assert plan.stories == ["/blaulicht/pm/1/111", "/pm/1/110", "/pm/1/107"]


def test_a_story_the_feed_lists_twice_is_fetched_once():
    plan = plan_refresh([entry(110, 1), entry(110, 1), entry(100, 1)], followed=rooms(1), stored={100},
                        last_newest=100)
    assert plan.stories == ["/pm/1/110"] and plan.new_stories == 1


def test_nothing_new_means_nothing_to_crawl():
    feed = [entry(110, 1), entry(109, 2)]
    plan = plan_refresh(feed, followed=rooms(1, 2), stored={110, 109}, last_newest=110)
    assert plan.newsrooms == [] and not plan.swept


@pytest.mark.parametrize("last_newest", [None, 105])
def test_a_gap_in_the_feed_or_the_first_cycle_sweeps_every_followed_newsroom(last_newest):
    # the feed's oldest story (108) is newer than the newest seen last time (105): stories
    # in between may have dropped out of the feed unseen
    feed = [entry(110, 1), entry(108, 2)]
    plan = plan_refresh(feed, followed=rooms(1, 2, 3), stored=set(), last_newest=last_newest)
    assert plan.swept and plan.newsrooms == rooms(1, 2, 3)


def test_asked_to_sweep_it_crawls_every_followed_newsroom():
    plan = plan_refresh([], followed=rooms(4, 5), stored=set(), last_newest=100, sweep=True)
    assert plan.swept and plan.newsrooms == rooms(4, 5) and plan.newest_story_id == 100


def follow_every_newsroom(replica, database_url: str, tmp_path) -> list[Newsroom]:
    """The store follows every newsroom of the replica: their releases imported (no request
    to the site) and a cron run of them recorded (an import alone follows no newsroom: the
    site has not shown it yet); then one cycle (the first sweeps: no earlier one to compare
    with) whose crawl jobs are dropped (not the point: crawls of nothing)."""
    newsrooms = list(replica.corpus.newsrooms)
    dump = tmp_path / "all.jsonl"
    dump.write_text("".join(json.dumps({"text": dumps.plain_text(t), "url": t["url"],
                                        "date": f"{dumps.local(t):%Y-%m-%d %H:%M}"}) + "\n"
                            for room in newsrooms for t in map(replica.corpus.truth, replica.corpus.stories(room))),
                    encoding="utf-8")
    imported = presseportal(replica, "import", str(dump), database_url=database_url)
    assert imported.returncode == 0, imported.stderr[-2000:]
    with db.connect(database_url) as conn:
        db.finish_run(conn, db.start_run(conn, "incremental", newsrooms), "success")
    first = presseportal(replica, "schedule", database_url=database_url)
    assert first.returncode == 0, first.stderr[-2000:]
    assert (f"swept every followed newsroom: {len(newsrooms)} newsroom(s), {len(newsrooms)} crawl job(s) queued"
            in first.stdout), first.stdout
    with db.connect(database_url) as conn:
        conn.execute("DELETE FROM procrastinate_jobs")
    return newsrooms


def story_paths(replica) -> list[str]:
    return sorted(p for p in replica.log.paths() if p.startswith(("/pm/", "/blaulicht/pm/")))


def newsroom_of_stored(database_url: str, story_ids: list[int]) -> dict[int, Newsroom]:
    with db.connect(database_url) as conn:
        rows = conn.execute("SELECT story_id, newsroom_kind, publisher_id FROM releases WHERE story_id = ANY(%s)",
                            (story_ids,)).fetchall()
    return {sid: Newsroom(kind, nid) for sid, kind, nid in rows}


@pytest.mark.slow
def test_refresh_cycles_of_20_newsrooms_cost_one_request_plus_the_news(replica_factory, database_url, tmp_path):
    replica = replica_factory(releases=60, seed=5, publishers=17)  # and the 3 offices: 20 newsrooms
    newsrooms = follow_every_newsroom(replica, database_url, tmp_path)
    assert len(newsrooms) == 20

    def cycle() -> str:
        replica.log.clear()
        done = presseportal(replica, "schedule", database_url=database_url)
        assert done.returncode == 0, done.stderr[-2000:]
        assert replica.log.paths() == ["/rss/presseportal.rss2"]  # one request, whatever the news
        return done.stdout

    # nothing new: no job
    assert "0 new story(ies) in the feed, in 0 followed newsroom(s): 0 stories job(s) queued" in cycle()
    # 5 new stories in 3 newsrooms: one job fetches the 5
    offices = [room for room in newsrooms if room.kind == OFFICE]
    publishers = [room for room in newsrooms if room.kind == PUBLISHER]
    news = {sid: publishers[5] for sid in replica.publish(2, publisher_id=publishers[5].id)}
    news |= {sid: publishers[11] for sid in replica.publish(2, publisher_id=publishers[11].id)}
    news |= {sid: offices[0] for sid in replica.publish(1, office_id=offices[0].id)}  # an office's news too
    assert "5 new story(ies) in the feed, in 3 followed newsroom(s): 1 stories job(s) queued" in cycle()
    waiting = presseportal(replica, "status", database_url=database_url)
    assert any("waiting" in line and "5 stories from the site-wide feed" in line
               for line in waiting.stdout.splitlines()), waiting.stdout

    replica.log.clear()
    worker = start_presseportal(replica, "worker", "--no-schedule", database_url=database_url,
                                log_path=tmp_path / "worker.log")
    try:
        deadline_ok = wait_jobs_done(database_url, 120)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert deadline_ok, (tmp_path / "worker.log").read_text()[-3000:]
    with db.connect(database_url) as conn:
        stored = conn.execute("SELECT count(*) FROM releases").fetchone()[0]
    assert stored == sum(len(replica.corpus.stories(room)) for room in newsrooms)
    # the new stories themselves and robots.txt (the crawl process's first request): no
    # newsroom page, nothing else
    assert story_paths(replica) == sorted(room.story_path(sid) for sid, room in news.items())
    assert sorted(replica.log.paths()) == sorted(["/robots.txt", *story_paths(replica)])
    # each filed under its own newsroom
    assert newsroom_of_stored(database_url, list(news)) == news


@pytest.mark.slow
def test_a_worker_refreshes_on_its_own_schedule_and_stores_the_news(replica_factory, database_url, tmp_path):
    replica = replica_factory(releases=40, seed=5, publishers=7)  # and the 3 offices: 10 newsrooms
    newsrooms = follow_every_newsroom(replica, database_url, tmp_path)
    news = {sid: newsrooms[2] for sid in replica.publish(1, publisher_id=newsrooms[2].id)}
    office = next(room for room in newsrooms if room.kind == OFFICE)
    news |= {sid: office for sid in replica.publish(1, office_id=office.id)}
    replica.log.clear()
    # the worker's own periodic task (procrastinate's periodic defer), every 2 s; no sweep
    worker = start_presseportal(replica, "worker", database_url=database_url, log_path=tmp_path / "worker.log",
                                PRESSEPORTAL_REFRESH_CRON="* * * * * */2", PRESSEPORTAL_SWEEP_CRON="")
    try:
        stored = wait_stored(database_url, list(news), 90, worker)
        assert wait_for_job(database_url, "fetch_stories", 30), "the stories job's end was never recorded"
        with db.connect(database_url) as conn:
            done = dict(conn.execute("SELECT task_name, count(*) FROM procrastinate_jobs "
                                     "WHERE status = 'succeeded' GROUP BY 1").fetchall())
            failed = conn.execute("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'").fetchone()[0]
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=60)
    log = (tmp_path / "worker.log").read_text()
    assert stored, log[-3000:]
    assert code == 0, log[-3000:]
    assert newsroom_of_stored(database_url, list(news)) == news
    assert done.get("refresh", 0) >= 1 and done.get("fetch_stories", 0) >= 1 and failed == 0, (done, log[-3000:])
    assert "crawl_newsroom" not in done  # no newsroom walked: the feed said which stories
    # the feed (once per cycle) and the two stories, each once
    assert story_paths(replica) == sorted(room.story_path(sid) for sid, room in news.items())
    assert replica.log.count("/rss/presseportal.rss2") >= 1
    assert set(replica.log.paths()) <= {"/rss/presseportal.rss2", "/robots.txt", *story_paths(replica)}


def wait_for_job(database_url: str, task: str, timeout: float) -> bool:
    """A job of `task` ended well within `timeout` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.connect(database_url) as conn:
            if conn.execute("SELECT count(*) FROM procrastinate_jobs WHERE task_name = %s AND status = 'succeeded'",
                            (task,)).fetchone()[0]:
                return True
        time.sleep(0.3)
    return False


def wait_stored(database_url: str, story_ids: list[int], timeout: float, worker) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker ended"
        with db.connect(database_url) as conn:
            if conn.execute("SELECT count(*) FROM releases WHERE story_id = ANY(%s)",
                            (story_ids,)).fetchone()[0] == len(story_ids):
                return True
        time.sleep(0.3)
    return False


def wait_jobs_done(database_url: str, timeout: float) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.connect(database_url) as conn:
            left = conn.execute("SELECT count(*) FROM procrastinate_jobs "
                                "WHERE status NOT IN ('succeeded', 'failed')").fetchone()[0]
            failed = conn.execute("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'").fetchone()[0]
        assert not failed
        if not left:
            return True
        time.sleep(0.3)
    return False


# --- the feed's request is as polite as a crawl's ----------------------------------------------


def schedule(replica, database_url: str, **env: str):
    """One `presseportal schedule` cycle; its result, and the paths it asked the site for."""
    replica.log.clear()
    done = presseportal(replica, "schedule", database_url=database_url, **env)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done, replica.log.paths()


def queued_jobs(database_url: str) -> int:
    with db.connect(database_url) as conn:
        exists = conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").fetchone()[0]
        return conn.execute("SELECT count(*) FROM procrastinate_jobs").fetchone()[0] if exists else 0


@pytest.mark.slow
def test_a_429_on_the_feed_pushes_the_site_budget_back_for_every_worker(replica, database_url):
    from crawler.db import budget

    host = replica.base_url.split("//")[1]
    replica.faults.add(r"^/rss/presseportal\.rss2$", "429", retry_after=3, times=1)
    done, asked = schedule(replica, database_url, PRESSEPORTAL_SITE_BUDGET="20")
    assert done.returncode == 1, done.stderr[-2000:]
    assert asked == ["/robots.txt", "/rss/presseportal.rss2"]
    # one line says why, and nothing was queued
    assert done.stderr.strip() == ("presseportal: no refresh this cycle: /rss/presseportal.rss2 answered 429: "
                                   "the site asked to wait 3 s, and every worker does"), done.stderr
    assert queued_jobs(database_url) == 0

    async def next_slot():
        conn = await budget.connect_async(database_url)
        try:
            return await budget.reserve_slot(conn, host, 20.0)
        finally:
            await conn.close()

    # the site's next slot, for every worker, is the 3 s after its answer: judged on the
    # clock, not by what is left of the 3 s when this test asks (a loaded machine may take
    # more than half of them to end the schedule process)
    answered = next(e.time for e in replica.log if e.status == 429)
    with db.connect(database_url) as conn:
        pushes, next_at = conn.execute("SELECT pushes, extract(epoch FROM next_at) FROM site_budgets "
                                       "WHERE host = %s", (host,)).fetchone()
    assert pushes == 1
    assert answered + 3.0 <= float(next_at) <= answered + 3.0 + 1.0
    # and whoever asks next (a crawl, another worker's cycle) gets no slot before it
    slot = asyncio.run(next_slot())
    assert slot.reserved_at.timestamp() + slot.wait >= float(next_at) - 0.01


@pytest.mark.slow
def test_a_robots_txt_forbidding_the_feed_means_no_feed_request(replica, database_url):
    replica.site.robots_disallow = ("/rss/",)
    done, asked = schedule(replica, database_url)
    assert done.returncode == 1, done.stderr[-2000:]
    assert asked == ["/robots.txt"], "the feed is never asked for"
    assert "presseportal: no refresh this cycle: robots.txt forbids /rss/presseportal.rss2" in done.stderr


@pytest.mark.slow
def test_robots_txt_is_read_once_an_hour_for_all_cycles_and_one_that_cannot_be_read_stops_the_feed(
        replica, database_url):
    first, asked = schedule(replica, database_url)
    assert first.returncode == 0, first.stderr[-2000:]
    assert asked == ["/robots.txt", "/rss/presseportal.rss2"]
    # the next cycle, another process (cron's `schedule`, any worker): the feed alone
    again, asked = schedule(replica, database_url)
    assert again.returncode == 0, again.stderr[-2000:]
    assert asked == ["/rss/presseportal.rss2"]
    # an hour later robots.txt is asked for again; a 5xx leaves the site's rules unknown
    with db.connect(database_url) as conn:
        conn.execute("UPDATE crawl_cursors SET state = jsonb_set(state, '{read_at}', "
                     "to_jsonb((state->>'read_at')::float8 - 3601)) WHERE key LIKE 'refresh:robots:%'")
    replica.faults.add(r"^/robots\.txt$", "503", times=1)
    failed, asked = schedule(replica, database_url)
    assert failed.returncode == 1, failed.stderr[-2000:]
    assert asked == ["/robots.txt"], "no feed request while robots.txt cannot be read"
    assert failed.stderr.strip() == ("presseportal: no refresh this cycle: robots.txt answered 503: "
                                     "no feed request this cycle")
    # the site back: robots.txt read again (the old reading was not renewed), then the feed
    back, asked = schedule(replica, database_url)
    assert back.returncode == 0, back.stderr[-2000:]
    assert asked == ["/robots.txt", "/rss/presseportal.rss2"]


@pytest.mark.slow
def test_a_site_that_does_not_answer_is_one_line(replica, database_url):
    import socket

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}"
    done, _ = schedule(replica, database_url, PRESSEPORTAL_BASE_URL=dead)
    assert done.returncode == 1, done.stderr[-2000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("presseportal: no refresh this cycle: GET /robots.txt: "), lines
