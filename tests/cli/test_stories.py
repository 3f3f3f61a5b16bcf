"""`presseportal crawl --story`: the stories the site-wide feed named, and nothing else;
each filed under its own newsroom; the newsrooms' coverage left as the last walk left it,
so the next walk still finds the older stories the feed did not name."""

from __future__ import annotations

from crawler import db
from crawler.items import OFFICE
from tests.helpers import presseportal

PID = 73811


def cursor(database_url: str, key: str):
    with db.connect(database_url) as conn:
        return db.get_cursor(conn, key)


def test_it_fetches_only_the_stories_named_each_under_its_newsroom(replica_factory, database_url):
    replica = replica_factory(releases=60, seed=5)
    office = next(room.id for room in replica.corpus.newsrooms if room.kind == OFFICE)
    (company_story,) = replica.publish(1, publisher_id=PID)
    (office_story,) = replica.publish(1, office_id=office)
    replica.log.clear()
    # a path and a full URL (as the feed gives them), the same story twice
    named = f"/pm/{PID}/{company_story},{replica.base_url}/blaulicht/pm/{office}/{office_story},/pm/{PID}/{company_story}"
    done = presseportal(replica, "crawl", "--story", named, database_url=database_url)
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(replica.log.paths()) == sorted(
        ["/robots.txt", f"/pm/{PID}/{company_story}", f"/blaulicht/pm/{office}/{office_story}"])
    with db.connect(database_url) as conn:
        rows = conn.execute("SELECT story_id, publisher_id, newsroom_kind FROM releases ORDER BY story_id").fetchall()
        run = conn.execute("SELECT mode, status, new FROM crawl_runs").fetchall()
    assert sorted(rows) == sorted([(company_story, PID, "publisher"), (office_story, office, "office")])
    assert run == [("stories", "success", 2)]
    # a stories run walks no listing: no newsroom's validators nor coverage written
    assert cursor(database_url, f"newsroom:publisher:{PID}") is None
    assert cursor(database_url, f"newsroom:office:{office}") is None
    # named again: both are stored, nothing is asked of the site at all
    replica.log.clear()
    again = presseportal(replica, "crawl", "--story", named, database_url=database_url)
    assert again.returncode == 0, again.stderr[-2000:]
    assert replica.log.paths() == []


def test_a_later_walk_still_finds_the_older_stories_the_feed_did_not_name(replica_factory, database_url):
    replica = replica_factory(releases=60, seed=5)
    first = presseportal(replica, "crawl", "--publisher", str(PID), database_url=database_url)
    assert first.returncode == 0, first.stderr[-2000:]
    covered = cursor(database_url, f"newsroom:publisher:{PID}")
    assert covered and covered["covered_through"]
    # 35 new stories: a whole first page (30) of them, and 5 pushed down to the second
    new = replica.publish(35, publisher_id=PID)
    feed_named = new[:replica.page_size]  # the feed named the newest only
    done = presseportal(replica, "crawl", "--story", ",".join(f"/pm/{PID}/{sid}" for sid in feed_named),
                        database_url=database_url)
    assert done.returncode == 0, done.stderr[-2000:]
    # the newsroom's coverage stays where the walk left it: the stories fetched say nothing
    # of what lies below them (had it moved to the newest, the walk below would stop at
    # the fully stored first page and never see the 5 on the second)
    assert cursor(database_url, f"newsroom:publisher:{PID}") == covered
    replica.log.clear()
    walk = presseportal(replica, "crawl", "--publisher", str(PID), database_url=database_url)
    assert walk.returncode == 0, walk.stderr[-2000:]
    story_paths = sorted(p for p in replica.log.paths() if p.startswith("/pm/"))
    assert story_paths == sorted(f"/pm/{PID}/{sid}" for sid in new[replica.page_size:])
    with db.connect(database_url) as conn:
        stored = conn.execute("SELECT count(*) FROM releases WHERE publisher_id = %s", (PID,)).fetchone()[0]
    assert stored == len(replica.corpus.story_ids(publisher_id=PID))
    assert cursor(database_url, f"newsroom:publisher:{PID}")["covered_through"] == max(new)
