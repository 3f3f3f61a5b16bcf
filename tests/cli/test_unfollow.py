"""Following newsrooms: a newsroom the site does not know is never left followed, and
`presseportal unfollow` stops following one while its releases stay (the refresh, the
report and the metrics leave it; a crawl of it follows it again)."""

from __future__ import annotations

import json

from crawler import db
from crawler.db import queue as queue_db
from crawler.items import Newsroom
from tests.helpers import presseportal

OTHER = 97012


def followed(database_url: str) -> list[Newsroom]:
    with db.connect(database_url) as conn:
        return queue_db.followed_newsrooms(conn)


def watched(replica, database_url: str) -> str:
    """The newsrooms the metrics watch ("no successful run" alerts), by their label."""
    done = presseportal(replica, "metrics", database_url=database_url)
    assert done.returncode == 0, done.stderr
    return "\n".join(line for line in done.stdout.splitlines()
                     if line.startswith("presseportal_last_success_timestamp_seconds{"))


def test_a_newsroom_the_site_does_not_know_fails_in_one_line_and_is_not_left_followed(
        replica, database_url, tmp_path):
    done = presseportal(replica, "crawl", "--publisher", "999999999", "--quiet", database_url=database_url)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "publisher newsroom 999999999 does not exist" in lines[0] and "HTTP 404" in lines[0], lines[0]
    assert presseportal(replica, "crawl", "--publisher", str(OTHER), database_url=database_url).returncode == 0
    assert 'newsroom="999999999"' not in watched(replica, database_url), "no alert carried forever"
    assert f'newsroom="{OTHER}"' in watched(replica, database_url)
    assert Newsroom("publisher", 999999999) not in followed(database_url)
    # seen: "already not followed; its 0 release(s) stay", exit 0: it is unknown, as export says
    again = presseportal(replica, "unfollow", "--publisher", "999999999", database_url=database_url)
    export = presseportal(replica, "export", "--publisher", "999999999", database_url=database_url)
    assert (again.returncode, again.stderr, again.stdout) == (export.returncode, export.stderr, "") == (
        1, "presseportal: publisher 999999999: no release of this newsroom is stored\n", ""), again.stderr
    # asked for by id beside a newsroom it holds, the report still shows it with its failed run
    report = presseportal(replica, "report", "--publisher", f"999999999,{OTHER}", "-o", str(tmp_path / "r.html"),
                          database_url=database_url)
    assert report.returncode == 1 and report.stderr == export.stderr, report.stderr
    assert "999999999" in (tmp_path / "r.html").read_text(encoding="utf-8")


def status_followed(replica, database_url: str) -> set[str]:
    """The newsrooms `status --json` marks followed, as the metrics label them."""
    done = presseportal(replica, "status", "--json", database_url=database_url)
    assert done.returncode == 0, done.stderr
    return {f'{{kind="{row["kind"]}",newsroom="{row["publisher_id"]}"}}'
            for row in json.loads(done.stdout)["publishers"] if row["followed"]}


def metrics_watched(replica, database_url: str) -> set[str]:
    return {line.split("}")[0].removeprefix("presseportal_last_success_timestamp_seconds") + "}"
            for line in watched(replica, database_url).splitlines()}


def test_a_story_the_site_does_not_have_leaves_no_followed_newsroom(replica, database_url):
    # seen: `crawl --story /pm/99999/6443955` (404) left newsroom 99999 watched by the
    # metrics with last success 0, an alert for ever, while status did not list it
    assert presseportal(replica, "crawl", "--publisher", str(OTHER), database_url=database_url).returncode == 0
    done = presseportal(replica, "crawl", "--story", "/pm/99999/6443955", database_url=database_url)
    assert done.returncode == 1 and "404" in done.stderr, done.stderr[-2000:]
    assert 'newsroom="99999"' not in watched(replica, database_url)
    assert Newsroom("publisher", 99999) not in followed(database_url)
    assert metrics_watched(replica, database_url) == status_followed(replica, database_url) == {
        f'{{kind="publisher",newsroom="{OTHER}"}}'}, "metrics and status agree on the followed newsrooms"
    # a story it did store makes its newsroom followed, as any release does
    (story,) = replica.publish(1, publisher_id=73811)
    assert presseportal(replica, "crawl", "--story", f"/pm/73811/{story}", database_url=database_url).returncode == 0
    assert Newsroom("publisher", 73811) in followed(database_url)
    assert metrics_watched(replica, database_url) == status_followed(replica, database_url)
    assert len(status_followed(replica, database_url)) == 2


def test_unfollow_stops_the_refresh_and_the_watch_keeps_the_releases_and_a_crawl_follows_again(
        replica, database_url):
    assert presseportal(replica, "crawl", "--publisher", f"73811,{OTHER}", database_url=database_url).returncode == 0
    stored = len(replica.corpus.story_ids(publisher_id=OTHER))
    done = presseportal(replica, "unfollow", "--publisher", str(OTHER), database_url=database_url)
    assert done.returncode == 0, done.stderr
    assert f"publisher {OTHER}: no longer followed; its {stored} release(s) stay" in done.stdout
    assert followed(database_url) == [Newsroom("publisher", 73811)]
    assert f'newsroom="{OTHER}"' not in watched(replica, database_url)
    assert 'newsroom="73811"' in watched(replica, database_url)
    export = presseportal(replica, "export", "--publisher", str(OTHER), database_url=database_url)
    assert len([json.loads(line) for line in export.stdout.splitlines()]) == stored, "its releases stay"

    assert presseportal(replica, "crawl", "--publisher", str(OTHER), database_url=database_url).returncode == 0
    assert Newsroom("publisher", OTHER) in followed(database_url), "a crawl of it follows it again"
    assert f'newsroom="{OTHER}"' in watched(replica, database_url)


def test_unfollow_of_a_newsroom_the_store_never_met_says_so_and_exits_1(replica, database_url):
    assert presseportal(replica, "crawl", database_url=database_url).returncode == 0
    done = presseportal(replica, "unfollow", "--office", "73811", database_url=database_url)
    assert done.returncode == 1
    stored = len(replica.corpus.story_ids(publisher_id=73811))
    assert done.stderr.strip() == ("presseportal: office 73811: no release of this newsroom is stored; "
                                   f"publisher 73811 has {stored}: --publisher 73811?"), done.stderr
    assert followed(database_url) == [Newsroom("publisher", 73811)]


def test_a_followed_newsroom_without_a_release_can_be_unfollowed(replica, database_url):
    quiet = Newsroom("publisher", 31337)  # a crawl named it and stored nothing (its pages failed)
    with db.connect(database_url) as conn:
        db.finish_run(conn, db.start_run(conn, "incremental", [quiet]), "failed")
    assert quiet in followed(database_url)
    done = presseportal(replica, "unfollow", "--publisher", "31337", database_url=database_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "publisher 31337: no longer followed; no release of it is stored " \
                          "(a crawl of it follows it again)\n"
    assert quiet not in followed(database_url)


def test_unfollow_names_its_newsrooms_or_is_a_usage_error(replica, database_url):
    for args in ([], ["--publisher", ""], ["--office", "x"]):
        done = presseportal(replica, "unfollow", *args, database_url=database_url)
        assert done.returncode == 2, (args, done.stderr)
        assert "usage: presseportal unfollow" in done.stderr and "Traceback" not in done.stderr


def test_a_newsroom_that_vanished_from_the_site_stays_watched_while_the_store_holds_its_releases(
        replica, database_url):
    gone = 999999998  # stored earlier (rows as a crawl left them), now 404 on the site
    with db.connect(database_url) as conn:
        conn.execute("INSERT INTO publishers (id, name) VALUES (%s, 'Verschwunden GmbH')", [gone])
        conn.execute("INSERT INTO releases (story_id, publisher_id, url, published_at, content_hash) "
                     "VALUES (5, %s, '/pm/999999998/5', now(), '')", [gone])
        conn.commit()
    done = presseportal(replica, "crawl", "--publisher", str(gone), database_url=database_url)
    assert done.returncode == 1 and "does not exist" in done.stderr, done.stderr[-2000:]
    assert Newsroom("publisher", gone) in followed(database_url)
    assert f'newsroom="{gone}"' in watched(replica, database_url), "its alert says it is gone"
