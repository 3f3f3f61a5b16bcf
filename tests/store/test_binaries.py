"""Where the PostgreSQL server comes from (crawler/db/binaries.py), and make's check
before it installs anything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.db import binaries
from tests.helpers import ROOT


def test_the_machines_own_postgresql_comes_first():
    found = binaries.bin_dirs()
    assert found, "this machine (or its venv) has a PostgreSQL server"
    sources = [d.source for d in found]
    assert sources == sorted(sources, key=lambda s: s != "system"), "system binaries before the pip server's"
    for d in found:
        assert all((d.path / name).exists() for name in binaries.SERVER_BINARIES) and d.major >= 13


def test_the_pip_packaged_server_comes_wherever_it_has_a_wheel():
    pip_dir = binaries.pip_bin_dir()
    if binaries.wheel_available():
        assert pip_dir is not None, "make installs the server extra wherever it has a wheel"
        assert (pip_dir / "initdb").exists() and any(d.source == "pip" for d in binaries.bin_dirs())
    else:
        assert pip_dir is None


@pytest.mark.parametrize("facts, expected", [
    (dict(system=True, wheel=True, root=True, account=True, apt=True), "system"),
    (dict(system=False, wheel=True, root=False, account=False, apt=False), "pip"),
    (dict(system=False, wheel=True, root=True, account=True, apt=True), "pip"),
    (dict(system=False, wheel=True, root=True, account=False, apt=True), "apt"),
    (dict(system=False, wheel=False, root=True, account=False, apt=True), "apt"),
    (dict(system=False, wheel=False, root=False, account=False, apt=False), "none"),
    (dict(system=False, wheel=True, root=True, account=False, apt=False), "none"),
])
def test_the_plan_takes_the_first_way_that_works(monkeypatch, facts, expected):
    dirs = [binaries.BinDir(Path("/usr/lib/postgresql/15/bin"), 15, "system")] if facts["system"] else []
    monkeypatch.setattr(binaries, "bin_dirs", lambda: dirs)
    monkeypatch.setattr(binaries, "wheel_available", lambda: facts["wheel"])
    monkeypatch.setattr(binaries.os, "geteuid", lambda: 0 if facts["root"] else 1000)
    monkeypatch.setattr(binaries, "service_account_exists", lambda: facts["account"])
    monkeypatch.setattr(binaries, "apt_usable", lambda: facts["apt"])
    how, message = binaries.plan()
    assert how == expected
    if how == "none":
        assert "install" in message and "\n" not in message, "one line that says what to install"


def test_with_no_way_make_stops_in_one_line_before_installing(monkeypatch, capsys):
    monkeypatch.setattr(binaries, "plan", lambda: ("none", "no PostgreSQL server: install postgresql"))
    assert binaries.main([]) == 1
    err = capsys.readouterr().err
    assert err == "make: no PostgreSQL server: install postgresql\n"


def test_the_check_runs_with_a_bare_python_before_the_venv_exists():
    # the system's python, no venv, no dependencies: stdlib only
    done = subprocess.run([sys.base_prefix + "/bin/python3", "-S", "-I", str(ROOT / "crawler/db/binaries.py")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("server" if binaries.wheel_available() else "")
    makefile = (ROOT / "Makefile").read_text()
    assert makefile.index("crawler/db/binaries.py") < makefile.index("-m venv"), \
        "the check runs before anything is installed"
