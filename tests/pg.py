"""pytest plugin: a real, throwaway PostgreSQL for the test session.

- ``pg_server`` (session): a fresh PostgreSQL 15 cluster in a temp dir on a free port
  (as root, run by the ``postgres`` user; the machinery is crawler.db.embedded.Cluster),
  durability off for speed. Yields an object with ``.url`` (superuser conninfo to the
  ``presseportal`` database), ``.port``, ``.stop()``, ``.start()``, ``.restart()``,
  ``.can_restart`` and ``.url_for(dbname)``. With ``TEST_DATABASE_URL`` set no server is
  started: that server is used, and tests that need stop/restart are skipped.
- ``database_url`` (function): a fresh database for one test, created from a migrated
  template (so it costs a file copy, not a migration), dropped afterwards;
  ``empty_database_url``: the same without any schema.
- ``pg_template_url``: the migrated template's URL (read it, never write to it).
- ``reachable_tmp`` (function): a fresh temp dir the postgres user can enter (as root the
  embedded server runs as postgres, and pytest's tmp_path sits under a 0700 dir), for an
  embedded cluster's data dir (PRESSEPORTAL_DATA_DIR).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from crawler import db
from crawler.db.embedded import Cluster, destroy_cluster, throwaway_cluster

TEMPLATE_DB = "presseportal_test_template"


class PgServer:
    def __init__(self, url: str, cluster: Cluster | None) -> None:
        self.url = url
        self.cluster = cluster

    @property
    def port(self) -> int:
        if self.cluster is not None:
            return self.cluster.port
        return int(conninfo_to_dict(self.url).get("port") or 5432)

    @property
    def can_restart(self) -> bool:
        return self.cluster is not None

    def _need_cluster(self) -> Cluster:
        if self.cluster is None:
            pytest.skip("TEST_DATABASE_URL is set: the test session does not own that server, "
                        "so it cannot stop or restart it")
        return self.cluster

    def url_for(self, dbname: str) -> str:
        return make_conninfo(self.url, dbname=dbname)

    def stop(self) -> None:
        self._need_cluster().stop(mode="fast")

    def start(self) -> None:
        self._need_cluster().start()

    def restart(self) -> None:
        self._need_cluster().restart()


@pytest.fixture(scope="session")
def pg_server():
    external = os.environ.get("TEST_DATABASE_URL", "").strip()
    if external:
        yield PgServer(external, None)
        return
    try:
        cluster = throwaway_cluster(prefix="pp-test-pg-")
    except Exception as exc:  # no binaries, no postgres user: say so instead of erroring 50 tests
        pytest.skip(f"cannot start a throwaway PostgreSQL for the tests: {db.scrub(exc)}")
    try:
        yield PgServer(cluster.url(), cluster)
    finally:
        destroy_cluster(cluster)


def _admin(pg_server: PgServer) -> psycopg.Connection:
    return psycopg.connect(pg_server.url, autocommit=True, connect_timeout=10)


@pytest.fixture(scope="session")
def pg_template_url(pg_server) -> str:
    """A migrated template database, built once per session."""
    name = f"{TEMPLATE_DB}_{uuid.uuid4().hex[:8]}"
    with _admin(pg_server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = pg_server.url_for(name)
    db.migrate(url)
    yield url
    try:
        with _admin(pg_server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.Error:
        pass


def _scratch_database(pg_server, template: str | None = None):
    name = f"test_{uuid.uuid4().hex[:12]}"
    with _admin(pg_server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    yield pg_server.url_for(name)
    try:
        with _admin(pg_server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.Error:
        pass  # the server may have been stopped by the test; the cluster goes away anyway


@pytest.fixture
def database_url(pg_server, pg_template_url) -> str:
    """A fresh, migrated database for this test only."""
    yield from _scratch_database(pg_server, conninfo_to_dict(pg_template_url)["dbname"])


@pytest.fixture
def empty_database_url(pg_server) -> str:
    """A fresh database without any schema, for this test only (migrations from scratch)."""
    yield from _scratch_database(pg_server)


@pytest.fixture
def reachable_tmp():
    path = Path(tempfile.mkdtemp(prefix="pp-embedded-"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)
