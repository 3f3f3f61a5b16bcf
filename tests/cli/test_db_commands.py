"""`presseportal db url --psql`, `db shell` and `db stop` on the embedded PostgreSQL."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from crawler.db.embedded import free_port
from tests.helpers import BIN, ROOT

# a log line of a library: a logger that is not the project's
LIBRARY_LINE = re.compile(r"\[(?!crawler[.\]]|pipelines[.\]])[\w.]+\] [A-Z]+: ")


@pytest.fixture
def embedded_env(reachable_tmp):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("PG")}
    env["PRESSEPORTAL_DATA_DIR"] = str(reachable_tmp)
    yield env
    subprocess.run([str(BIN / "presseportal"), "db", "stop"], env=env, capture_output=True, timeout=60)


def cli(env, *args, **kw):
    return subprocess.run([str(BIN / "presseportal"), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, **kw)


def test_db_url_psql_prints_a_line_that_opens_psql_without_showing_the_password(embedded_env):
    assert cli(embedded_env, "db", "upgrade").returncode == 0
    line = cli(embedded_env, "db", "url", "--psql").stdout.strip()
    password = (Path(embedded_env["PRESSEPORTAL_DATA_DIR"]) / "postgres.password").read_text().strip()
    assert password not in line and "postgres.password" in line
    done = subprocess.run(["sh", "-c", f"{line} -Atc 'SELECT count(*) FROM schema_migrations'"],
                          env=embedded_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) >= 3


def test_db_shell_opens_psql_on_the_embedded_database(embedded_env):
    done = cli(embedded_env, "db", "shell", input="SELECT current_database();\n")
    assert done.returncode == 0, done.stderr
    assert "presseportal" in done.stdout


def test_db_stop_stops_the_embedded_server(embedded_env):
    assert cli(embedded_env, "db", "upgrade").returncode == 0
    assert "running" in cli(embedded_env, "db", "url").stdout
    stopped = cli(embedded_env, "db", "stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    again = cli(embedded_env, "db", "stop")
    assert "was not running" in again.stdout
    assert "not running" in cli(embedded_env, "db", "url").stdout


@pytest.mark.parametrize("external", [{"DATABASE_URL": "postgresql://ingest:s3cret@db.example:5432/presse"},
                                      {"PGHOST": "db.example"}])
def test_db_stop_of_an_external_server_says_it_only_stops_the_embedded_one_and_leaves_it(embedded_env, external):
    assert cli(embedded_env, "db", "upgrade").returncode == 0  # the embedded server runs
    done = cli({**embedded_env, **external}, "db", "stop")
    assert done.returncode == 2, done.stderr
    (line,) = [line for line in done.stderr.splitlines() if "error:" in line]
    assert "db stop only stops the embedded server" in line and "external server" in line, line
    assert "s3cret" not in done.stderr and done.stdout == ""
    assert cli(embedded_env, "db", "url").stdout.splitlines()[1].split(", ")[1] == "running", "left as it was"


def test_the_replica_profile_has_its_own_embedded_database(embedded_env):
    # a replica crawl into the live store would leave invented stories that a live crawl
    # then counts as stored (a new user's trial)
    live = cli(embedded_env, "db", "url").stdout.splitlines()[0]
    replica = cli({**embedded_env, "PRESSEPORTAL_PROFILE": "replica"}, "db", "url").stdout.splitlines()[0]
    assert live.endswith("/presseportal") and replica.endswith("/presseportal_replica"), (live, replica)
    # profile names are read in any case, and mean the same profile for every command (a
    # new user's trial: `Replica` sent an import into the live store)
    capitalised = cli({**embedded_env, "PRESSEPORTAL_PROFILE": " Replica "}, "db", "url")
    assert capitalised.stdout.splitlines()[0] == replica, capitalised.stderr
    chosen = cli({**embedded_env, "PRESSEPORTAL_PROFILE": "replica", "PRESSEPORTAL_EMBEDDED_DB": "mine"}, "db", "url")
    assert chosen.stdout.splitlines()[0].endswith("/mine"), "PRESSEPORTAL_EMBEDDED_DB still wins"


def test_db_url_with_pg_variables_names_them_but_never_the_password(embedded_env):
    env = {**embedded_env, "PGHOST": "db.example", "PGPORT": "5433", "PGPASSWORD": "s3cret"}
    done = cli(env, "db", "url")
    assert done.returncode == 0, done.stderr
    assert "PGHOST=db.example" in done.stdout and "PGPORT=5433" in done.stdout, done.stdout
    assert "s3cret" not in done.stdout and "PGPASSWORD=***" in done.stdout


def test_db_port_setting_places_the_embedded_server_and_the_cluster_keeps_it(embedded_env):
    port = free_port()
    started = cli({**embedded_env, "PRESSEPORTAL_DB_PORT": str(port)}, "db", "start")
    assert started.returncode == 0, started.stderr
    assert f"@127.0.0.1:{port}/presseportal" in started.stdout and "running" in started.stdout
    assert cli(embedded_env, "db", "stop").returncode == 0
    # the user's trial: stopped, `db url` named the default port, not the cluster's
    stopped = cli(embedded_env, "db", "url").stdout.splitlines()
    assert f"@127.0.0.1:{port}/presseportal" in stopped[0] and "not running" in stopped[1], stopped
    again = cli(embedded_env, "db", "start")
    assert f":{port}/" in again.stdout, "every command finds the server on the port it was given"


@pytest.mark.parametrize("value", ["abc", "0", "70000", "5432.5", "55871.0", "5.5874e4"])
def test_a_malformed_db_port_is_a_usage_error_in_one_line(embedded_env, value):
    done = cli({**embedded_env, "PRESSEPORTAL_DB_PORT": value}, "db", "url")
    assert done.returncode == 2, done.stderr
    assert "PRESSEPORTAL_DB_PORT must be a TCP port" in done.stderr and "Traceback" not in done.stderr


def test_db_start_of_an_external_server_is_a_usage_error(embedded_env):
    done = cli({**embedded_env, "DATABASE_URL": "postgresql://ingest:s3cret@db.example:5432/presse"}, "db", "start")
    assert done.returncode == 2 and "db start only starts the embedded server" in done.stderr, done.stderr
    assert "s3cret" not in done.stderr


def test_db_upgrade_prints_only_its_own_lines(embedded_env):
    # seen: "[procrastinate.blueprints] INFO: Adding tasks from blueprint" on stderr; a
    # library's INFO lines are for -v (crawler/cli/__init__.py, for every command alike)
    for store in ("fresh", "current"):
        done = cli(embedded_env, "db", "upgrade")
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("applied ") and len(done.stdout.splitlines()) == 1, done.stdout
        assert not LIBRARY_LINE.search(done.stderr), (store, done.stderr)
    verbose = cli(embedded_env, "-v", "db", "upgrade")
    assert "[procrastinate.blueprints] INFO: Adding tasks from blueprint" in verbose.stderr, "-v shows them"


def test_enqueue_prints_only_its_own_lines(embedded_env):
    done = cli(embedded_env, "enqueue", "crawl", "--publisher", "73811")
    assert done.returncode == 0, done.stderr
    assert "queued 1 job(s)" in done.stderr and not LIBRARY_LINE.search(done.stderr), done.stderr
