"""python -m tests.replica serves by hand and stops on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from tests.replica.observe import fetch

ROOT = Path(__file__).resolve().parents[2]


def test_cli_prints_base_url_and_stops_on_sigterm():
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.replica", "--port", "0", "--releases", "40", "--seed", "3", "--page-size", "10"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:") and not base.endswith("/")
        assert fetch(base + "/robots.txt").status == 200
        assert fetch(base + "/nr/73811/30").status == 200 and fetch(base + "/nr/73811/40").status == 404
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_latency_ms_delays_every_response():
    import time

    from tests.replica.server import Replica

    with Replica(releases=10, seed=1, latency_ms=150) as replica:
        for path in ("/robots.txt", "/nr/73811", "/no-such-page"):
            started = time.monotonic()
            fetch(replica.base_url + path)
            assert time.monotonic() - started >= 0.15, path


def test_many_newsrooms_their_ids_the_site_wide_feed_and_the_request_log(tmp_path):
    log = tmp_path / "requests.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.replica", "--port", "0", "--releases", "2000", "--seed", "3",
         "--publishers", "1000", "--offices", "10", "--request-log", str(log)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        base = proc.stdout.readline().strip()
        ids = [int(i) for i in proc.stdout.readline().strip().split(",")]
        publishers, offices = ids[:1000], ids[1000:]
        assert len(set(publishers)) == 1000 and 73811 in publishers and len(offices) == 10
        # the releases spread over every newsroom: the last of each kind has its own
        assert fetch(f"{base}/nr/{publishers[-1]}").status == 200
        assert fetch(f"{base}/blaulicht/nr/{offices[-1]}").status == 200
        feed = fetch(base + "/rss/presseportal.rss2")
        assert feed.status == 200
        from crawler.extract.feed import extract_feed

        entries = extract_feed(feed.body, base + "/rss/presseportal.rss2")
        sids = [e.story_id for e in entries]
        assert len(entries) == 50 and sids == sorted(sids, reverse=True)
        assert len({e.publisher_id for e in entries}) > 10  # stories of many newsrooms
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    lines = [line.split(" ", 2) for line in log.read_text().splitlines()]
    assert [(status, path) for _, status, path in lines] == [
        ("200", f"/nr/{publishers[-1]}"), ("200", f"/blaulicht/nr/{offices[-1]}"), ("200", "/rss/presseportal.rss2")]
    assert all(float(t) > 1.7e9 for t, _, _ in lines)


def test_the_start_up_lines_name_each_newsrooms_kind_after_the_machine_read_ones():
    # a user could not tell which id to give --publisher and which --office
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.replica", "--port", "0", "--releases", "40", "--seed", "3",
         "--publishers", "3", "--offices", "2"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        base = proc.stdout.readline().strip()
        ids = proc.stdout.readline().strip().split(",")
        proc.send_signal(signal.SIGTERM)  # the start-up lines are all printed before it serves
        # read through the same buffered reader: communicate(timeout=) reads the pipe itself
        # and loses what readline() already took in (on a fast machine, all four lines)
        rest = proc.stdout.read()
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert base.startswith("http://127.0.0.1:") and all(i.isdigit() for i in ids), "lines 1 and 2 as before"
    people = rest.splitlines()
    publishers = [line for line in people if line.startswith("publishers (--publisher): ")]
    offices = [line for line in people if line.startswith("police/fire offices (--office): ")]
    assert len(publishers) == len(offices) == 1, people
    publisher_ids = publishers[0].split(": ", 1)[1].split(", ")
    office_ids = offices[0].split(": ", 1)[1].split(", ")
    assert publisher_ids + office_ids == ids, "the same ids as line 2, each with its kind"
    assert "73811" in publisher_ids and len(publisher_ids) >= 3 and len(office_ids) >= 2
