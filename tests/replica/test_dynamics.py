"""Conditional GET, dynamics (publish/edit/delete) and the request log."""

from __future__ import annotations

from email.utils import format_datetime, parsedate_to_datetime
from datetime import timedelta

from tests.replica.observe import fetch, read_listing, read_story


def test_conditional_get_on_newsroom_and_rss(replica):
    for path in ("/nr/73811", "/nr/73811/30", "/rss/pm_73811.rss2"):
        first = fetch(replica.url(path))
        etag, lm = first.headers["etag"], first.headers["last-modified"]
        assert etag.startswith('"') and parsedate_to_datetime(lm)
        again = fetch(replica.url(path), {"If-None-Match": etag})
        assert again.status == 304 and again.body == b"" and again.headers["etag"] == etag
        assert fetch(replica.url(path), {"If-None-Match": f'"other", W/{etag}'}).status == 304
        assert fetch(replica.url(path), {"If-Modified-Since": lm}).status == 304
        older = format_datetime(parsedate_to_datetime(lm) - timedelta(seconds=1), usegmt=True)
        assert fetch(replica.url(path), {"If-Modified-Since": older}).status == 200
        assert fetch(replica.url(path), {"If-None-Match": '"stale"', "If-Modified-Since": lm}).status == 200, (
            "If-None-Match wins over If-Modified-Since"
        )
    assert "etag" not in fetch(replica.story_url(replica.corpus.story_ids()[0])).headers


def _validators(replica, path):
    page = fetch(replica.url(path))
    return page.headers["etag"], page.headers["last-modified"]


def test_validators_change_on_publish_edit_delete(replica):
    c = replica.corpus
    paths = ("/nr/73811", "/rss/pm_73811.rss2")
    for change in (lambda: replica.publish(1), lambda: replica.edit(c.story_ids()[40]), lambda: replica.delete(c.story_ids()[50])):
        before = {p: _validators(replica, p) for p in paths}
        other = _validators(replica, "/nr/97012")
        change()
        for p in paths:
            etag, lm = before[p]
            assert fetch(replica.url(p), {"If-None-Match": etag}).status == 200, p
            assert fetch(replica.url(p), {"If-Modified-Since": lm}).status == 200, p
            assert _validators(replica, p)[1] != lm
        assert fetch(replica.url("/nr/97012"), {"If-None-Match": other[0]}).status == 304, "other newsroom unchanged"


def test_publish_shifts_pagination(replica):
    c = replica.corpus
    before_first = read_listing(fetch(replica.url("/nr/73811")).text)["ids"]
    new = replica.publish(3)
    assert len(new) == 3 and new == sorted(new, reverse=True) and new[-1] > max(before_first)
    assert c.story_ids()[:3] == new
    after = read_listing(fetch(replica.url("/nr/73811")).text)["ids"]
    assert after[:3] == new and after[3:] == before_first[:27]
    second = read_listing(fetch(replica.url("/nr/73811/30")).text)["ids"]
    assert second[:3] == before_first[27:], "cards pushed off page 1 now open page 2"
    for sid in new:
        truth = c.truth(sid)
        assert truth["published_at"] > c.truth(before_first[0])["published_at"]
        page = fetch(replica.story_url(sid))
        assert page.status == 200 and read_story(page.text, replica.story_url(sid))["body"] == truth["body"]
    rss = fetch(replica.url("/rss/pm_73811.rss2")).text
    assert rss.index(f"/pm/73811/{new[0]}") < rss.index(f"/pm/73811/{before_first[0]}")


def test_edit_changes_body_and_truth(replica):
    c = replica.corpus
    sid = c.story_ids()[5]
    old = c.truth(sid)
    old_page = fetch(replica.story_url(sid)).text
    replica.edit(sid)
    new = c.truth(sid)
    assert new["body"] != old["body"] and new["body"].startswith(old["body"]) and "Aktualisierung 1:" in new["body"]
    assert {k: v for k, v in new.items() if k != "body"} == {k: v for k, v in old.items() if k != "body"}
    page = fetch(replica.story_url(sid)).text
    assert page != old_page and read_story(page, replica.story_url(sid))["body"] == new["body"]
    replica.edit(sid)
    assert "Aktualisierung 2:" in c.truth(sid)["body"]


def test_delete(replica):
    c = replica.corpus
    sid = c.story_ids()[2]
    assert fetch(replica.story_url(sid)).status == 200
    replica.delete(sid)
    assert fetch(replica.url(f"/pm/73811/{sid}")).status == 404
    assert sid not in c.story_ids() and sid not in read_listing(fetch(replica.url("/nr/73811")).text)["ids"]
    assert f"/pm/73811/{sid}<" not in fetch(replica.url("/rss/pm_73811.rss2")).text
    try:
        c.truth(sid)
    except KeyError:
        pass
    else:
        raise AssertionError("truth of a deleted story must raise KeyError")


def test_request_log(replica):
    replica.log.clear()
    sid = replica.corpus.story_ids()[0]
    fetch(replica.url("/robots.txt"))
    fetch(replica.url("/nr/73811?startDate=2020-01-01"))
    fetch(replica.story_url(sid))
    fetch(replica.url("/nope"))
    paths = [e.path for e in replica.log]
    assert paths == ["/robots.txt", "/nr/73811?startDate=2020-01-01", f"/pm/73811/{sid}", "/nope"]
    assert [e.status for e in replica.log] == [200, 200, 200, 404]
    times = [e.time for e in replica.log]
    assert times == sorted(times) and times[0] > 1.7e9
    assert replica.requests("/pm/") == 1 and replica.requests("/nr/73811") == 1 and replica.requests() == 4
    assert replica.requests(status=404) == 1
    replica.log.clear()
    assert replica.requests() == 0
