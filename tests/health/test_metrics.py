"""`presseportal metrics`: the Prometheus text format, read back with prometheus-client's
own parser and held against the database; the textfile collector's file; a Pushgateway.

The Pushgateway is a small HTTP server on loopback that records what it is sent, the way
the real one's API takes it (PUT /metrics/job/<job>).
"""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from crawler.items import WATCHED_FIELDS
from tests.health.conftest import OFFICE, OFFICE_CODE, SECOND
from tests.health.support import run_cli, samples, sql
from tests.helpers import presseportal

pytestmark = pytest.mark.slow


def families(text: str) -> dict[str, str]:
    return {f.name: f.type for f in text_string_to_metric_families(text)}


@pytest.fixture(scope="module")
def exposed(crawled_store) -> str:
    done = presseportal(crawled_store.replica, "metrics", database_url=crawled_store.url)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_output_parses_and_names_follow_prometheus_conventions(exposed):
    types = families(exposed)
    assert types["presseportal_releases"] == "counter"  # exposed as presseportal_releases_total
    assert types["presseportal_runs"] == "counter"
    for gauge in ("presseportal_last_success_timestamp_seconds", "presseportal_run_duration_seconds",
                  "presseportal_run_failed_pages", "presseportal_field_coverage_ratio",
                  "presseportal_newest_release_timestamp_seconds", "presseportal_field_coverage_min_ratio"):
        assert types[gauge] == "gauge", gauge
    # an info metric: the text format carries it as a gauge of value 1 with its labels
    assert types["presseportal_newsroom_info"] == "gauge"
    assert all(name.startswith("presseportal_") for name in types)


def test_newsroom_values_equal_the_databases_for_publishers_and_offices(exposed, crawled_store):
    got = samples(exposed)
    rows = sql(crawled_store.url, """
        SELECT p.kind, p.id, p.name, count(r.story_id), extract(epoch FROM max(r.published_at)),
               (SELECT extract(epoch FROM max(finished_at)) FROM crawl_runs c
                WHERE c.status = 'success' AND p.id = ANY(CASE p.kind WHEN 'office' THEN c.offices
                                                                         ELSE c.publishers END)),
               coalesce(max(r.office_code), '')
        FROM publishers p JOIN releases r ON r.newsroom_kind = p.kind AND r.publisher_id = p.id
        GROUP BY p.kind, p.id, p.name""")
    assert {(kind, pid) for kind, pid, *_ in rows} == {
        ("publisher", 73811), ("publisher", SECOND), ("office", OFFICE)}, "an office of a publisher's number apart"
    for kind, pid, name, releases, newest, last_success, code in rows:
        key = (("kind", kind), ("newsroom", str(pid)))
        assert got["presseportal_releases_total"][key] == releases
        assert got["presseportal_newest_release_timestamp_seconds"][key] == pytest.approx(float(newest))
        assert got["presseportal_last_success_timestamp_seconds"][key] == pytest.approx(float(last_success))
        assert got["presseportal_newsroom_info"][(("kind", kind), ("name", name), ("newsroom", str(pid)),
                                                  ("office_code", code))] == 1
    assert len(got["presseportal_releases_total"]) == 3
    codes = {(kind, pid): code for kind, pid, *_, code in rows}
    assert codes[("office", OFFICE)] == OFFICE_CODE and codes[("publisher", SECOND)] == ""


def test_run_values_equal_the_databases(exposed, crawled_store):
    got = samples(exposed)
    by_status = dict(sql(crawled_store.url, "SELECT status, count(*) FROM crawl_runs GROUP BY status"))
    assert {labels[0][1]: value for labels, value in got["presseportal_runs_total"].items()} == by_status
    last = sql(crawled_store.url, """
        SELECT DISTINCT ON (mode) mode, extract(epoch FROM finished_at - started_at), extract(epoch FROM finished_at),
               status, pages, new, changed, unchanged, errors
        FROM crawl_runs WHERE finished_at IS NOT NULL ORDER BY mode, finished_at DESC""")
    assert {row[0] for row in last} == {"incremental", "backfill"}
    for mode, duration, finished, status, pages, new, changed, unchanged, errors in last:
        key = (("mode", mode),)
        assert got["presseportal_run_duration_seconds"][key] == pytest.approx(float(duration))
        assert got["presseportal_run_finished_timestamp_seconds"][key] == pytest.approx(float(finished))
        assert got["presseportal_run_success"][key] == (status == "success")
        assert got["presseportal_run_pages"][key] == pages
        assert got["presseportal_run_failed_pages"][key] == errors
        for outcome, count in (("new", new), ("changed", changed), ("unchanged", unchanged)):
            assert got["presseportal_run_releases"][(("mode", mode), ("outcome", outcome))] == count


def test_coverage_values_equal_the_last_measured_run(exposed, crawled_store):
    got = samples(exposed)
    run, mode, coverage, releases = sql(crawled_store.url, """
        SELECT id, mode, coverage, new + changed + unchanged FROM crawl_runs
        WHERE finished_at IS NOT NULL AND coverage <> '{}' AND mode <> 'import'
        ORDER BY finished_at DESC LIMIT 1""")[0]
    ratios = {labels[0][1]: value for labels, value in got["presseportal_field_coverage_ratio"].items()}
    assert set(ratios) == set(WATCHED_FIELDS)
    assert ratios == pytest.approx({name: float(v) for name, v in coverage.items()})
    assert got["presseportal_field_coverage_releases"][()] == releases
    assert got["presseportal_field_coverage_run"] == {(("mode", mode),): run}
    assert got["presseportal_field_coverage_min_ratio"][()] == 0.95


def test_a_textfile_for_node_exporter_is_written_whole(exposed, crawled_store, tmp_path):
    target = tmp_path / "presseportal.prom"
    done = presseportal(crawled_store.replica, "metrics", "-o", str(target), database_url=crawled_store.url)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == ""
    assert samples(target.read_text()) == samples(exposed)
    assert [p.name for p in tmp_path.iterdir()] == ["presseportal.prom"], "no temporary file left behind"


class Pushgateway(http.server.BaseHTTPRequestHandler):
    """Records each request (method, path, body) like the Pushgateway's API takes it."""

    received: list[tuple[str, str, str]]

    def _record(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
        self.received.append((self.command, self.path, body))
        self.send_response(200)
        self.end_headers()

    do_PUT = do_POST = _record

    def log_message(self, *args) -> None:
        pass


@contextmanager
def pushgateway() -> Iterator[tuple[str, list]]:
    received: list[tuple[str, str, str]] = []
    handler = type("Recorder", (Pushgateway,), {"received": received})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def test_push_sends_the_same_metrics_to_a_pushgateway(exposed, crawled_store):
    with pushgateway() as (url, received):
        done = presseportal(crawled_store.replica, "metrics", "--push", url, database_url=crawled_store.url)
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(received) == 1
    method, path, body = received[0]
    assert (method, path) == ("PUT", "/metrics/job/presseportal")
    assert samples(body) == samples(exposed)


def test_an_unreachable_pushgateway_is_one_line_and_exit_69(crawled_store):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = presseportal(crawled_store.replica, "metrics", "--push", f"http://127.0.0.1:{port}",
                        database_url=crawled_store.url)
    assert done.returncode == 69
    assert done.stderr.strip().count("\n") == 0 and "Pushgateway" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_an_empty_store_exposes_the_threshold_and_no_newsroom(empty_database):
    done = run_cli("metrics", database_url=empty_database)
    assert done.returncode == 0, done.stderr[-2000:]
    got = samples(done.stdout)
    assert got["presseportal_field_coverage_min_ratio"][()] == 0.95
    assert "presseportal_releases_total" not in got and "presseportal_runs_total" not in got
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("SELECT to_regclass('crawl_runs')").fetchone()[0] is None, "metrics never migrate"
