"""The embedded PostgreSQL: as root (server run by the postgres user) and as an ordinary user."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from crawler.db import embedded
from crawler.db.embedded import embedded_location, ensure_embedded, free_port, stop_embedded

ROOT = Path(__file__).resolve().parents[2]


def test_ensure_is_idempotent_and_says_where_data_lives(reachable_tmp, caplog):
    data = reachable_tmp / "pg"
    port = free_port()
    caplog.set_level("INFO", logger="crawler.db.embedded")
    try:
        url = ensure_embedded(data_dir=data, port=port)
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_database(), inet_server_port()").fetchone() == (
                "presseportal", port)
            assert conn.execute("SHOW password_encryption").fetchone()[0] == "scram-sha-256"
        assert str(data) in caplog.text, "the log must say where the data lives"
        password = psycopg.conninfo.conninfo_to_dict(url)["password"]
        assert password not in caplog.text
        # a second call reuses the running server (and its port when none is asked for)
        assert ensure_embedded(data_dir=data, port=port) == url
        assert ensure_embedded(data_dir=data) == url
        where = embedded_location(data_dir=data)
        assert where["running"] and where["port"] == port and where["data_dir"] == str(data)
        assert password not in json.dumps(where) and "***" in where["url"]
        pwfile = Path(where["password_file"])
        assert stat.S_IMODE(pwfile.stat().st_mode) == 0o600
        assert pwfile.stat().st_uid == os.geteuid()
        if os.geteuid() == 0:
            assert data.stat().st_uid == embedded._service_account().pw_uid
        # password auth is enforced, also on loopback
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(psycopg.conninfo.make_conninfo(url, password="wrong"), connect_timeout=3)
        assert stop_embedded(data_dir=data) is True
        assert stop_embedded(data_dir=data) is False
        assert not embedded_location(data_dir=data)["running"]
        # start again on demand: same data, same password
        assert ensure_embedded(data_dir=data, port=port) == url
    finally:
        stop_embedded(data_dir=data)


def test_unreachable_data_dir_as_root_is_a_clear_error(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only root hands the data dir to the postgres user")
    with pytest.raises(embedded.EmbeddedError, match="cannot reach"):
        ensure_embedded(data_dir=tmp_path / "pg", port=free_port())


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("runuser"),
                    reason="needs root to switch to an ordinary user")
def test_works_as_an_ordinary_user(reachable_tmp):
    # the venv's interpreter may live under /root; the system python 3.11 + the venv's
    # site-packages is enough for this module
    site = next((ROOT / ".venv/lib").glob("python3*/site-packages"), None)
    system_python = shutil.which("python3", path="/usr/bin")
    if not site or not system_python:
        pytest.skip("no system python3 to run as an ordinary user")
    probe = subprocess.run([system_python, "-c", "import sys; print(sys.version_info[:2])"],
                           capture_output=True, text=True)
    if f"python{probe.stdout.strip()[1:-1].replace(', ', '.')}" not in str(site):
        pytest.skip("the system python's version differs from the venv's")
    home = reachable_tmp / "home"
    home.mkdir()
    shutil.chown(home, "nobody")
    port = free_port()
    script = (
        "import json; from crawler.db.embedded import *; import psycopg\n"
        f"url = ensure_embedded(port={port})\n"
        "psycopg.connect(url).close()\n"
        "print(json.dumps(embedded_location()))\n"
        "stop_embedded()\n"
    )
    proc = subprocess.run(
        ["runuser", "-u", "nobody", "--", "env", f"HOME={home}", f"XDG_DATA_HOME={home}/.local/share",
         f"PYTHONPATH={ROOT}:{site}", system_python, "-c", script],
        capture_output=True, text=True, timeout=120, cwd="/",
    )
    assert proc.returncode == 0, proc.stderr
    where = json.loads(proc.stdout.strip().splitlines()[-1])
    assert where["data_dir"] == f"{home}/.local/share/presseportal/postgres"
    assert where["port"] == port and "***" in where["url"]
    assert sys.platform.startswith("linux")


def test_parallel_workers_accept_the_servers_settings(pg_server):
    # a parallel worker re-reads every setting of its leader: a bad one (initdb once wrote
    # pg_catalog.pg_catalog.german) failed every aggregate big enough to go parallel
    with psycopg.connect(pg_server.url) as conn:
        assert conn.execute("SHOW default_text_search_config").fetchone()[0] == "pg_catalog.german"
        force = "debug_parallel_query" if conn.info.server_version >= 160000 else "force_parallel_mode"
        for setting in ("parallel_setup_cost = 0", "parallel_tuple_cost = 0", "min_parallel_table_scan_size = 0",
                        "max_parallel_workers_per_gather = 2", f"{force} = on"):
            conn.execute(f"SET {setting}")
        plan = "\n".join(r[0] for r in conn.execute("EXPLAIN SELECT count(*) FROM pg_class, generate_series(1, 10)"))
        assert "Gather" in plan, plan
        assert conn.execute("SELECT count(*) FROM pg_class, generate_series(1, 10)").fetchone()[0] > 0


def test_the_port_a_cluster_was_set_up_with_stays_its_address_when_it_is_stopped(reachable_tmp):
    # a new user's trial: after a stop, `db url` said :54329 while the cluster's
    # postgresql.conf said port = 54411, and spill folders are named after the address
    data = reachable_tmp / "pg"
    port = free_port()
    try:
        url = ensure_embedded(data_dir=data, port=port)
        stop_embedded(data_dir=data)
        where = embedded_location(data_dir=data)
        assert not where["running"] and where["port"] == port, where
        assert ensure_embedded(data_dir=data) == url, "started again on its own port, not the default"
    finally:
        stop_embedded(data_dir=data)


def test_a_port_asked_for_is_kept_by_the_cluster(reachable_tmp):
    data = reachable_tmp / "pg"
    first, second = free_port(), free_port()
    try:
        ensure_embedded(data_dir=data, port=first)
        stop_embedded(data_dir=data)
        moved = ensure_embedded(data_dir=data, port=second)
        assert f":{second}/" in moved
        stop_embedded(data_dir=data)
        assert embedded_location(data_dir=data)["port"] == second
        assert f":{second}/" in ensure_embedded(data_dir=data), "asked once, kept"
    finally:
        stop_embedded(data_dir=data)


@contextlib.contextmanager
def stopped_cluster(data: Path) -> Iterator[int]:
    """A cluster made in `data` on a free port and stopped again; yields that port and
    stops the cluster at the end whatever the test started."""
    port = free_port()
    try:
        ensure_embedded(data_dir=data, port=port)
        stop_embedded(data_dir=data)
        yield port
    finally:
        stop_embedded(data_dir=data)


@contextlib.contextmanager
def another_program_on(port: int = 0) -> Iterator[int]:
    """Another program listening on 127.0.0.1:`port` (0: a free one); yields the port."""
    with socket.socket() as squatter:
        # as servers do (PostgreSQL too): the connections a test made to the cluster that
        # just left the port linger in TIME_WAIT there, and without it bind() fails
        # (EADDRINUSE, seen once in a few CI runs); a live listener still refuses it
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        yield squatter.getsockname()[1]


def test_a_port_taken_by_another_program_moves_the_cluster_for_good(reachable_tmp, caplog):
    data = reachable_tmp / "pg"
    with stopped_cluster(data) as port:
        with another_program_on(port):
            url = ensure_embedded(data_dir=data)
        new_port = psycopg.conninfo.conninfo_to_dict(url)["port"]
        assert int(new_port) != port
        assert f"port {port} on 127.0.0.1 is taken" in caplog.text and str(new_port) in caplog.text
        stop_embedded(data_dir=data)
        # the old port is free again, but the cluster's address is the one it moved to
        assert embedded_location(data_dir=data)["port"] == int(new_port)
        assert ensure_embedded(data_dir=data) == url


def test_a_port_asked_for_that_another_program_holds_is_refused_and_not_kept(reachable_tmp):
    data = reachable_tmp / "pg"
    with stopped_cluster(data) as port:
        with another_program_on() as taken, pytest.raises(embedded.EmbeddedError, match="PRESSEPORTAL_DB_PORT"):
            ensure_embedded(data_dir=data, port=taken)
        assert embedded_location(data_dir=data)["port"] == port


def test_a_running_cluster_that_refuses_us_is_one_line_and_exit_69_not_a_traceback(reachable_tmp):
    # a new user's trial: the server ran but refused connections (seen from another
    # network namespace; too many clients or a server shutting down do the same), and
    # every command ended in psycopg's traceback
    home = reachable_tmp / "pp"
    data = home / "postgres"
    port = free_port()
    try:
        url = ensure_embedded(data_dir=data, port=port)
        hba = data / "pg_hba.conf"
        kept = hba.read_text()
        hba.write_text("host all all 127.0.0.1/32 reject\n" + kept)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")
        with pytest.raises(embedded.EmbeddedError, match="runs but does not let us in") as refused:
            ensure_embedded(data_dir=data, port=port)
        assert "pg_hba.conf rejects connection" in str(refused.value)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSEPORTAL_") and k != "DATABASE_URL"}
        done = subprocess.run([sys.executable, "-m", "crawler.cli", "status"], cwd=ROOT, capture_output=True,
                              text=True, timeout=120,
                              env={**env, "PRESSEPORTAL_DATA_DIR": str(home), "PRESSEPORTAL_DB_PORT": str(port)})
        assert done.returncode == 69, done.stderr
        assert "Traceback" not in done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "runs but does not let us in" in lines[0], done.stderr
    finally:
        stop_embedded(data_dir=data)
