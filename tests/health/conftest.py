"""Stores for the report and the metrics: one from real crawls of the replica, one synthetic.

Both are built once per session (the commands under test only read them) in databases
of the session's throwaway PostgreSQL, made from its migrated template.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from tests.health import synthetic
from tests.helpers import presseportal
from tests.replica import Replica

MAIN = 73811
SECOND = 97012  # "Rheinische Datenwerke AG" of the replica
# "Bundespolizeiinspektion Nordhafen" (BPOL-NH): an office with SECOND's number, so the
# report and the metrics must tell the two newsrooms apart by kind
OFFICE = 97012
OFFICE_CODE = "BPOL-NH"


def _database(pg_server, template_url: str) -> str:
    name = f"test_health_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{conninfo_to_dict(template_url)["dbname"]}"')
    return pg_server.url_for(name)


def _drop(pg_server, url: str) -> None:
    try:
        with psycopg.connect(pg_server.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{conninfo_to_dict(url)["dbname"]}" WITH (FORCE)')
    except psycopg.Error:
        pass


@dataclass
class CrawledStore:
    url: str
    replica: Replica


@pytest.fixture(scope="session")
def crawled_store(pg_server, pg_template_url):
    """A store filled by the cron job and a backfill, against the replica over HTTP:
    a first crawl with broken pages (failed pages, status `errors`), a crawl after three
    new releases, a crawl with nothing new (304), a backfill of a second newsroom, and a
    cron crawl of a police office that has the second newsroom's number."""
    url = _database(pg_server, pg_template_url)
    with Replica(releases=120, seed=7) as replica:
        replica.faults.add(r"^/pm/", "bad_date", rate=0.05)
        replica.faults.add(r"^/pm/", "500", rate=0.03)
        first = presseportal(replica, "crawl", database_url=url)
        assert first.returncode == 1, f"broken pages make the first run fail: {first.stderr[-2000:]}"
        replica.faults.clear()
        replica.publish(3)
        for args in (["crawl"], ["crawl"], ["backfill", "--publisher", str(SECOND)],
                     ["crawl", "--office", str(OFFICE)]):
            done = presseportal(replica, *args, database_url=url)
            assert done.returncode == 0, done.stderr[-2000:]
        yield CrawledStore(url, replica)
    _drop(pg_server, url)


@dataclass
class SyntheticStore:
    url: str
    shape: synthetic.Shape


@pytest.fixture(scope="session")
def synthetic_store(pg_server, pg_template_url):
    """Years of releases of four newsrooms, 200 cron runs every 15 minutes with four
    missed, a coverage drop (see tests/health/synthetic.py)."""
    url = _database(pg_server, pg_template_url)
    yield SyntheticStore(url, synthetic.build(url))
    _drop(pg_server, url)


@pytest.fixture
def empty_database(pg_server):
    """A database without the schema: nothing was ever stored there."""
    name = f"test_empty_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = pg_server.url_for(name)
    yield url
    _drop(pg_server, url)
