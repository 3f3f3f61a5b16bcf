"""`make demo` (crawler/demo.py): its own database, says where, ends with what to run next,
and those next commands work as printed."""

from __future__ import annotations

import os
import re
import subprocess

from crawler.db.embedded import embedded_location, free_port
from tests.helpers import BIN, ROOT


def test_the_demo_uses_its_own_database_and_its_next_steps_run_as_printed(reachable_tmp, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    # a database the user has: the demo must not even try it
    port = free_port()  # the embedded server's port, as a user sets it for every command
    env.update(DATABASE_URL="postgresql://mine:secret@127.0.0.1:9/production",
               PRESSEPORTAL_DATA_DIR=str(reachable_tmp), DEMO_RELEASES="40", PRESSEPORTAL_DB_PORT=str(port))
    env.pop("PRESSEPORTAL_EMBEDDED_DB", None)
    done = subprocess.run([str(BIN / "python"), "-m", "crawler.demo"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert f"database: presseportal_demo in the embedded PostgreSQL (data in {reachable_tmp}/postgres)" in out
    assert "127.0.0.1:9" not in out and "new 40" in out
    assert "stopped the embedded PostgreSQL it started" in out
    assert embedded_location(data_dir=reachable_tmp / "postgres")["port"] == port, "PRESSEPORTAL_DB_PORT honoured"
    next_lines = out.split("Next:\n", 1)[1].splitlines()
    commands = [line.split("  #")[0].strip() for line in next_lines if "PRESSEPORTAL_EMBEDDED_DB=" in line]
    assert len(commands) == 4, next_lines
    assert all(c.startswith("env -u DATABASE_URL PRESSEPORTAL_EMBEDDED_DB=") for c in commands), \
        "the shell exports DATABASE_URL: the lines must unset it to reach the demo's database"
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")  # the lines say .venv/bin/...: the checkout's
    shown = {}
    try:
        for command in commands:
            ran = subprocess.run(["sh", "-c", command], cwd=tmp_path, env=env, capture_output=True,
                                 text=True, timeout=120)
            assert ran.returncode == 0, (command, ran.stderr[-2000:])
            shown[command.split("presseportal ")[-1].split()[0]] = ran.stdout
        assert "Marketing" in shown["search"] and re.search(r"#1 +incremental +success", shown["status"])
        assert len((tmp_path / "demo.jsonl").read_text(encoding="utf-8").splitlines()) == 40
        assert "<svg" in (tmp_path / "report.html").read_text(encoding="utf-8")
        # the embedded server's own database (the user's store) was never created
        listed = subprocess.run([str(BIN / "presseportal"), "db", "shell"], cwd=ROOT,
                                env={**env, "DATABASE_URL": "", "PRESSEPORTAL_EMBEDDED_DB": "presseportal_demo"},
                                input="SELECT string_agg(datname, ' ') FROM pg_database;\n",
                                capture_output=True, text=True, timeout=60)
        assert "presseportal_demo" in listed.stdout
        assert not re.search(r"\bpresseportal\b(?!_)", listed.stdout), listed.stdout
    finally:
        # the embedded server's: with DATABASE_URL set, db stop leaves it (an external store)
        subprocess.run([str(BIN / "presseportal"), "db", "stop"], env={**env, "DATABASE_URL": ""},
                       capture_output=True, timeout=60)


def test_a_second_demo_prints_the_address_it_serves_on_and_not_the_first_one_s(reachable_tmp):
    import socket

    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(PRESSEPORTAL_DATA_DIR=str(reachable_tmp), DEMO_RELEASES="20",
               DEMO_REPORT=str(reachable_tmp / "report.html"))
    env.pop("DATABASE_URL", None)
    env.pop("PRESSEPORTAL_EMBEDDED_DB", None)

    def demo() -> tuple[str, set[str]]:
        done = subprocess.run([str(BIN / "python"), "-m", "crawler.demo"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        out = done.stdout + done.stderr
        assert done.returncode == 0, out[-3000:]
        served = re.search(r"serving \d+ releases at (http://127\.0\.0\.1:\d+)", out)[1]
        return served, set(re.findall(r"http://127\.0\.0\.1:\d+", out))

    try:
        first, _ = demo()
        second, printed = demo()
        assert printed == {second}, f"the second demo served at {second} and printed {printed}"
        assert second == first, "the replica serves again where the stored releases were fetched"
        # that port taken meanwhile: another, said in a line
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", int(first.rsplit(":", 1)[1])))
            taken.listen()
            done = subprocess.run([str(BIN / "python"), "-m", "crawler.demo"], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        assert f"port {first.rsplit(':', 1)[1]}, where earlier demo runs served, is taken" in done.stdout
        assert f"serving 20 releases at {first}" not in done.stdout
    finally:
        subprocess.run([str(BIN / "presseportal"), "db", "stop"], env={**env, "DATABASE_URL": ""},
                       capture_output=True, timeout=60)


def test_a_malformed_port_for_the_embedded_server_ends_the_demo_in_one_line(tmp_path):
    env = {**os.environ, "PRESSEPORTAL_DATA_DIR": str(tmp_path), "PRESSEPORTAL_DB_PORT": "54x"}
    done = subprocess.run([str(BIN / "python"), "-m", "crawler.demo"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == "demo: PRESSEPORTAL_DB_PORT must be a TCP port from 1 to 65535, got '54x'"
    assert not (tmp_path / "postgres").exists(), "nothing started for a command that cannot run"
