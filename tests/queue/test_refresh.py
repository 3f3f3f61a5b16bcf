"""The cheap refresh of many followed newsrooms: the site-wide feed says which have news;
a cycle with nothing new costs one request, whatever the number of newsrooms."""

from __future__ import annotations

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


@pytest.mark.slow
def test_refresh_cycles_of_20_newsrooms_cost_one_request_plus_the_news(replica_factory, database_url, tmp_path):
    replica = replica_factory(releases=60, seed=5, publishers=17)  # and the 3 offices: 20 newsrooms
    newsrooms = list(replica.corpus.newsrooms)
    assert len(newsrooms) == 20
    # the store follows all 20 newsrooms: their releases imported (no request to the site)
    dump = tmp_path / "all.jsonl"
    dump.write_text("".join(json.dumps({"text": dumps.plain_text(t), "url": t["url"],
                                        "date": f"{dumps.local(t):%Y-%m-%d %H:%M}"}) + "\n"
                            for room in newsrooms for t in map(replica.corpus.truth, replica.corpus.stories(room))),
                    encoding="utf-8")
    imported = presseportal(replica, "import", str(dump), database_url=database_url)
    assert imported.returncode == 0, imported.stderr[-2000:]

    def cycle() -> str:
        replica.log.clear()
        done = presseportal(replica, "schedule", database_url=database_url)
        assert done.returncode == 0, done.stderr[-2000:]
        assert replica.log.paths() == ["/rss/presseportal.rss2"]  # one request, whatever the news
        return done.stdout

    # the first cycle has no earlier one to compare with: it sweeps
    assert "swept every followed newsroom: 20 newsroom(s), 20 crawl job(s) queued" in cycle()
    with db.connect(database_url) as conn:
        conn.execute("DELETE FROM procrastinate_jobs")  # not the point here: 20 crawls of nothing
    # nothing new: no job
    assert "0 new story(ies) in the feed: 0 newsroom(s), 0 crawl job(s) queued" in cycle()
    # 5 new stories in 3 newsrooms: 3 jobs
    offices = [room for room in newsrooms if room.kind == OFFICE]
    publishers = [room for room in newsrooms if room.kind == PUBLISHER]
    replica.publish(2, publisher_id=publishers[5].id)
    replica.publish(2, publisher_id=publishers[11].id)
    replica.publish(1, office_id=offices[0].id)  # an office's news is news too
    assert "5 new story(ies) in the feed: 3 newsroom(s), 3 crawl job(s) queued" in cycle()

    replica.log.clear()
    worker = start_presseportal(replica, "worker", "--concurrency", "3", "--no-schedule",
                                database_url=database_url, log_path=tmp_path / "worker.log")
    try:
        deadline_ok = wait_jobs_done(database_url, 120)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert deadline_ok, (tmp_path / "worker.log").read_text()[-3000:]
    with db.connect(database_url) as conn:
        stored = conn.execute("SELECT count(*) FROM releases").fetchone()[0]
    assert stored == sum(len(replica.corpus.stories(room)) for room in newsrooms)
    story_requests = [p for p in replica.log.paths() if p.startswith(("/pm/", "/blaulicht/pm/"))]
    assert len(story_requests) == 5  # only the new stories
    # per newsroom: robots.txt (a crawl process each), its first page, the look at it
    # again at the end (stories published meanwhile), and for a newsroom whose first page
    # is its only one, the spider's probe of the offset after it (the site's page size is
    # uncertain: a page as long as the first counts as full)
    assert len(replica.log) <= 5 + 3 * 4, replica.log.paths()


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
