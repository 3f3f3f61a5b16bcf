"""Schema migrations, conninfo handling, and the run/lock/error helpers the CLI uses."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from crawler import db


def test_template_is_migrated_and_rerun_is_noop(database_url):
    # the fixture database comes from a migrated template: nothing left to apply
    assert db.migrate(database_url) == []
    assert db.migrate(database_url) == []
    with psycopg.connect(database_url) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    assert versions == db.migration_versions()


def test_migrate_fresh_database_applies_all_in_order(empty_database_url):
    url = empty_database_url
    assert db.migrate(url) == db.migration_versions()
    assert db.migrate(url) == []
    with psycopg.connect(url) as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"publishers", "releases", "release_revisions", "release_pages", "crawl_runs",
            "crawl_errors", "crawl_cursors", "schema_migrations"} <= tables


def test_concurrent_migrations_apply_once(empty_database_url):
    url = empty_database_url
    results, errors = [], []

    def run():
        try:
            results.append(db.migrate(url))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, f"concurrent migrate() failed: {errors}"
    applied = [v for r in results for v in r]
    assert sorted(applied) == db.migration_versions(), results


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("postgresql://u:s3cret@h:5/d", "postgresql://u:***@h:5/d"),
        ("postgres://u:p%40ss@h/d?sslmode=require", "postgres://u:***@h/d?sslmode=require"),
        ("postgresql://h/d?user=u&password=s3cret", "postgresql://h/d?user=u&password=***"),
        ("host=h user=u password=s3cret dbname=d", "host=h user=u password=*** dbname=d"),
        ("host=h password='se cret' dbname=d", "host=h password=*** dbname=d"),
        ("postgresql://u@h/d", "postgresql://u@h/d"),
    ],
)
def test_redact(raw, expected):
    assert db.redact(raw) == expected


def test_unreachable_server_raises_without_password():
    from crawler.db.embedded import free_port

    url = f"postgresql://bob:TopSecret123@127.0.0.1:{free_port()}/x"
    with pytest.raises(db.DatabaseUnavailable) as info:
        db.migrate(url)
    assert "TopSecret123" not in str(info.value)
    assert "127.0.0.1" in str(info.value)
    assert info.value.exit_code == 69


def test_wrong_password_message_is_scrubbed(pg_server):
    from psycopg.conninfo import make_conninfo

    url = make_conninfo(pg_server.url, password="WrongPass-xyz")
    with pytest.raises(db.DatabaseUnavailable) as info:
        db.connect(url)
    assert "WrongPass-xyz" not in str(info.value)
    assert "password" in str(info.value).lower()


def test_resolve_database_url(monkeypatch):
    monkeypatch.setattr("crawler.db.embedded.ensure_embedded", lambda: "EMBEDDED")
    # resolved once per process: start from nothing, and leave nothing behind
    monkeypatch.setattr("crawler.db.connection._resolved", {})
    for name in db.PG_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    assert db.resolve_database_url("postgresql://x/y") == "postgresql://x/y"
    assert db.resolve_database_url({"DATABASE_URL": "postgresql://a/b"}) == "postgresql://a/b"
    assert db.resolve_database_url("") == "EMBEDDED"
    monkeypatch.setenv("PGHOST", "somewhere")
    assert db.resolve_database_url("") == ""


def test_queries_all_parse():
    names = db.query_names()
    assert {"upsert_releases", "upsert_pages", "start_run", "lock_holder", "record_error"} <= set(names)
    assert all(db.query(name).strip() for name in names)


def test_publisher_locks_and_holder(database_url):
    a = db.connect(database_url)
    b = db.connect(database_url)
    try:
        assert db.acquire_publisher_lock(a, [73811, 42])
        run_id = db.start_run(a, "crawl", [73811, 42])
        # same publisher: refused, holder named
        assert not db.acquire_publisher_lock(b, [42])
        holder = db.current_lock_holder(b, [42])
        assert holder is not None and holder["run_id"] == run_id, holder
        assert holder["pid"] and holder["host"]
        # all publishers: refused too
        assert not db.acquire_publisher_lock(b, None)
        assert db.current_lock_holder(b, None)["run_id"] == run_id
        # another publisher: fine, and all-or-nothing left nothing behind on refusal
        assert db.acquire_publisher_lock(b, [7])
        db.release_publisher_lock(b, [7])
        assert db.current_lock_holder(b, [7]) is None
        # the holder goes away (kill -9 of the crawler): the lock goes with its session
        a.close()
        # the server ends the backend (and frees its locks) a moment after the disconnect
        deadline = time.monotonic() + 10
        while not db.acquire_publisher_lock(b, None):
            assert time.monotonic() < deadline, "the lock of a closed session was not freed"
            time.sleep(0.05)
        c = db.connect(database_url)
        try:
            assert not db.acquire_publisher_lock(c, [1234])
            assert db.current_lock_holder(c, [1234])["lock_object"] == 0
        finally:
            c.close()
    finally:
        a.close()
        b.close()


def test_runs_errors_cursors(database_url):
    with db.connect(database_url) as conn:
        run_id = db.start_run(conn, "backfill", [5])
        db.record_error(conn, run_id, "https://x/pm/5/9", "extract", "no title", "<html>\x00" + "x" * 5000)
        db.finish_run(conn, run_id, "ok", {"pages": 12, "coverage": {"title": 1.0}})
        row = conn.execute(
            "SELECT status, pages, errors, coverage, finished_at IS NOT NULL, publishers "
            "FROM crawl_runs WHERE id = %s", [run_id]).fetchone()
        assert row == ("ok", 12, 1, {"title": 1.0}, True, [5])
        err = conn.execute("SELECT stage, reason, length(snippet) FROM crawl_errors").fetchone()
        assert err == ("extract", "no title", db.SNIPPET_MAX)
        assert db.known_story_ids(conn, [5]) == set()
        assert db.get_cursor(conn, "backfill:5") is None
        db.set_cursor(conn, "backfill:5", {"page": 3})
        assert db.get_cursor(conn, "backfill:5") == {"page": 3}
        db.delete_cursor(conn, "backfill:5")
        assert db.get_cursor(conn, "backfill:5") is None
