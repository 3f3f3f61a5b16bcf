"""The job queue's schema (procrastinate's) is installed and upgraded by our migrate path:
once on a fresh database, each of procrastinate's later migrations once, in order, each
recorded with its own transaction; a queue made before the record existed is adopted."""

from __future__ import annotations

import psycopg
import pytest
from procrastinate.schema import SchemaManager

from crawler import db
from crawler.db import queue as queue_db
from crawler.queue.app import QUEUE_BASELINE, ensure_queue_schema, queue_migrations
from tests.helpers import presseportal

LATER = ("99.00.00_01_pre_add_a_column", "ALTER TABLE procrastinate_jobs ADD COLUMN later_note text;")


def recorded(conn) -> dict[str, str]:
    return dict(conn.execute("SELECT name, how FROM queue_schema_migrations").fetchall())


def test_a_fresh_queue_gets_the_whole_schema_with_every_migration_recorded_once(database_url):
    assert ensure_queue_schema(database_url) == ["schema"]
    assert ensure_queue_schema(database_url) == []  # idempotent
    with db.connect(database_url) as conn:
        assert queue_db.queue_schema_present(conn)
        names = [name for name, _ in queue_migrations()]
        assert recorded(conn) == {name: "schema" for name in names}
    assert QUEUE_BASELINE in names  # the baseline is one of the installed procrastinate's
    assert names == sorted(names) and len(names) > 30


def test_a_later_procrastinate_migration_is_applied_once_in_its_own_transaction(database_url):
    ensure_queue_schema(database_url)
    schema, migrations = SchemaManager.get_schema(), queue_migrations()
    broken = ("99.00.00_02_post_broken", "ALTER TABLE procrastinate_jobs ADD COLUMN later_note text;")
    with db.connect(database_url) as conn:
        # as after `pip install -U procrastinate`: one new migration, applied and recorded
        assert queue_db.upgrade_queue_schema(conn, schema, [*migrations, LATER], QUEUE_BASELINE) == [LATER[0]]
        assert queue_db.upgrade_queue_schema(conn, schema, [*migrations, LATER], QUEUE_BASELINE) == []
        assert recorded(conn)[LATER[0]] == "applied"
        conn.execute("SELECT later_note FROM procrastinate_jobs")  # the column is there
        # a migration that fails leaves no record and nothing half done; the next try repeats it
        with pytest.raises(psycopg.errors.DuplicateColumn):
            queue_db.upgrade_queue_schema(conn, schema, [*migrations, LATER, broken], QUEUE_BASELINE)
        assert broken[0] not in recorded(conn)


def test_a_queue_made_before_the_record_is_adopted_at_its_version_and_upgraded(database_url):
    migrations = queue_migrations()
    with db.connect(database_url) as conn:
        conn.execute(SchemaManager.get_schema())  # what the code before migration 009 did
        assert recorded(conn) == {}
        applied = queue_db.upgrade_queue_schema(conn, SchemaManager.get_schema(), [*migrations, LATER],
                                                QUEUE_BASELINE)
        assert applied == [LATER[0]]
        how = recorded(conn)
    assert {name for name, h in how.items() if h == "baseline"} == {n for n, _ in migrations if n <= QUEUE_BASELINE}


def test_db_upgrade_installs_the_queue_and_says_so_then_finds_it_current(replica, empty_database_url):
    first = presseportal(replica, "db", "upgrade", database_url=empty_database_url)
    assert first.returncode == 0, first.stderr
    assert "job queue (procrastinate 3." in first.stdout and "schema created" in first.stdout, first.stdout
    again = presseportal(replica, "db", "upgrade", database_url=empty_database_url)
    assert again.returncode == 0, again.stderr
    assert "applied 0 migration(s)" in again.stdout and "): current;" in again.stdout, again.stdout
    with db.connect(empty_database_url) as conn:
        assert queue_db.queue_jobs(conn) == []
