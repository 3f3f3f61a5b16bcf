"""Each fault knob: what the client sees, how often it fires, and the log."""

from __future__ import annotations

import http.client
import re
import socket
import time

import pytest

from tests.replica.observe import fetch, read_listing


def test_429_with_retry_after_fires_times(replica):
    replica.faults.add(r"^/nr/73811$", "429", retry_after=7, times=2)
    first, second, third = (fetch(replica.url("/nr/73811")) for _ in range(3))
    assert first.status == second.status == 429 and first.headers["retry-after"] == "7"
    assert third.status == 200
    assert [e.status for e in replica.log] == [429, 429, 200]
    assert [e.fault for e in replica.log] == ["429", "429", None]


@pytest.mark.parametrize("status", ["500", "503"])
def test_server_errors(replica, status):
    replica.faults.add(r"^/pm/", status)
    sid = replica.corpus.story_ids()[0]
    assert all(fetch(replica.story_url(sid)).status == int(status) for _ in range(3)), "forever by default"
    assert fetch(replica.url("/nr/73811")).status == 200, "only matching paths"
    replica.faults.clear()
    assert fetch(replica.story_url(sid)).status == 200


def test_slow_response_exceeds_client_timeout(replica):
    replica.faults.add(r"^/robots", "slow", delay=3.0, times=1)
    t0 = time.monotonic()
    with pytest.raises((socket.timeout, TimeoutError)):
        fetch(replica.url("/robots.txt"), timeout=0.3)
    assert time.monotonic() - t0 < 2.5
    t0 = time.monotonic()
    assert fetch(replica.url("/robots.txt")).status == 200 and time.monotonic() - t0 < 2.5, "fired once only"


def test_slow_then_served(replica):
    replica.faults.add(r"^/robots", "slow", delay=0.4)
    t0 = time.monotonic()
    assert fetch(replica.url("/robots.txt")).status == 200
    assert time.monotonic() - t0 >= 0.4


def test_drop_closes_without_response(replica):
    replica.faults.add(r"^/nr/", "drop", times=1)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        fetch(replica.url("/nr/73811"))
    assert replica.log[-1].status == 0 and replica.log[-1].fault == "drop"
    assert fetch(replica.url("/nr/73811")).status == 200


def test_truncate_declares_the_full_length(replica):
    replica.faults.add(r"^/pm/", "truncate", keep=0.3, times=1)
    sid = replica.corpus.story_ids()[0]
    with pytest.raises(http.client.IncompleteRead) as info:
        fetch(replica.story_url(sid))
    full = fetch(replica.story_url(sid)).body
    assert len(info.value.partial) == int(len(full) * 0.3)
    assert info.value.partial == full[: len(info.value.partial)]


def test_truncate_short_body(replica):
    replica.faults.add(r"^/pm/", "truncate", declared_length=False, times=1)
    sid = replica.corpus.story_ids()[0]
    cut = fetch(replica.story_url(sid))
    full = fetch(replica.story_url(sid))
    assert cut.status == 200 and full.body.startswith(cut.body) and len(cut.body) == len(full.body) // 2
    assert b"</html>" not in cut.body


def test_truncate_after_the_end_of_the_story_card(replica):
    replica.faults.add(r"^/pm/", "truncate", declared_length=False, after="</article>", times=1)
    sid = replica.corpus.story_ids()[0]
    cut = fetch(replica.story_url(sid))
    assert cut.status == 200 and cut.body.endswith(b"</article>")
    assert b'class="originator"' in cut.body, "the card is whole: originator line and all"
    assert b"</footer>" not in cut.body and b"Themen in dieser" not in cut.body, "what follows the card is gone"


def test_redirect_to_another_story_or_host(replica):
    other = replica.corpus.story_ids(publisher_id=97012)[0]
    sid = replica.corpus.story_ids()[0]
    replica.faults.add(rf"^/pm/73811/{sid}$", "redirect", to=f"/pm/97012/{other}", status=301)
    moved = fetch(replica.story_url(sid))
    assert moved.status == 301 and moved.headers["location"] == f"/pm/97012/{other}"
    assert replica.log[-1].fault == "redirect"


def test_foreign_canonical_names_another_story_in_every_id_layer(replica):
    sid = replica.corpus.story_ids()[0]
    other = replica.corpus.story_ids(publisher_id=97012)[0]
    replica.faults.add(rf"^/pm/73811/{sid}$", "foreign_canonical", times=1)
    html = fetch(replica.story_url(sid)).text
    named = f"{replica.base_url}/pm/97012/{other}"
    assert f'<link rel="canonical" href="{named}">' in html
    assert f'property="og:url" content="{named}"' in html and f'"@id": "{named}"' in html
    assert replica.corpus.truth(sid)["title"] in html, "the page is still the story asked for"


def test_foreign_next_points_the_next_links_at_another_host(replica):
    replica.faults.add(r"^/nr/73811$", "foreign_next")
    page = read_listing(fetch(replica.url("/nr/73811")).text)
    host = f"http://localhost:{replica.port}"
    assert page["next"] == f"{host}/nr/73811/30" and page["next_data_url"] == f"{host}/nr/73811/30"
    assert fetch(page["next"]).status == 200, "the same server answers under the other name"
    assert replica.log[-1].headers["Host"] == f"localhost:{replica.port}"


def test_missing_cards_keeps_the_next_link(replica):
    replica.faults.add(r"^/nr/73811/30$", "missing_cards", keep=4)
    page = read_listing(fetch(replica.url("/nr/73811/30")).text)
    assert len(page["ids"]) == 4 and page["next"].endswith("/nr/73811/60")
    replica.faults.clear()
    replica.faults.add(r"^/nr/73811/30$", "missing_cards")
    assert read_listing(fetch(replica.url("/nr/73811/30")).text)["ids"] == []


def test_broken_link_wraps_a_body_paragraph_without_changing_its_text(replica):
    sid = replica.corpus.story_ids()[0]
    replica.faults.add(rf"^/pm/73811/{sid}$", "broken_link", times=1)
    broken = fetch(replica.story_url(sid)).text
    whole = fetch(replica.story_url(sid)).text
    assert '<a class="uri-ext outbound" href="http://[broken/x">' in broken
    unwrapped = re.sub(r'<a class="uri-ext outbound" href="http://\[broken/x">(.*?)</a></p>', r"\1</p>", broken,
                       count=1)
    assert unwrapped == whole, "only the link is added: the text stays"


def test_bad_date(replica):
    replica.faults.add(r"^/pm/|^/nr/", "bad_date", times=2)
    sid = replica.corpus.story_ids()[0]
    html = fetch(replica.story_url(sid)).text
    assert '<p class="date">32.13.' in html and "-13-32T25:61" in html
    assert "32.13." in read_listing(fetch(replica.url("/nr/73811")).text)["dates"][0]
    assert "32.13." not in fetch(replica.story_url(sid)).text, "times=2 used up"
    assert replica.corpus.truth(sid)["published_raw"][:2] != "32", "faults never change the truth"


def test_no_h1(replica):
    replica.faults.add(r"^/pm/", "no_h1", times=1)
    replica.faults.add(r"^/nr/", "no_h1")  # does not apply to listings: never fires there
    sid = replica.corpus.story_ids()[0]
    html = fetch(replica.story_url(sid)).text
    assert "<h1>" not in html and 'property="og:title"' in html
    assert "<h1>" in fetch(replica.story_url(sid)).text
    assert fetch(replica.url("/nr/73811")).status == 200 and replica.log[-1].fault is None


def test_duplicate_card(replica):
    replica.faults.add(r"^/nr/73811$", "duplicate_card")
    page1 = read_listing(fetch(replica.url("/nr/73811")).text)["ids"]
    page2 = read_listing(fetch(replica.url("/nr/73811/30")).text)["ids"]
    assert len(page1) == 31 and page1[-1] == page2[0], "the same card on two listing pages"


def test_rate_is_deterministic_by_seed_and_path(replica):
    fault = replica.faults.add(kind="503", rate=0.3)
    ids = replica.corpus.story_ids()[:60]
    first = {sid for sid in ids if fetch(replica.story_url(sid)).status == 503}
    second = {sid for sid in ids if fetch(replica.story_url(sid)).status == 503}
    assert first == second and 6 <= len(first) <= 30
    assert fault.fired == 2 * len(first)


def test_per_path_makes_transient_faults(replica):
    replica.faults.add(r"^/pm/", "500", per_path=1)
    a, b = replica.corpus.story_ids()[:2]
    assert [fetch(replica.story_url(a)).status for _ in range(2)] == [500, 200]
    assert [fetch(replica.story_url(b)).status for _ in range(2)] == [500, 200]


def test_unknown_kind_is_refused(replica):
    with pytest.raises(ValueError):
        replica.faults.add(r".", "teapot")
    with pytest.raises(ValueError):
        replica.faults.add(kind="500")
