"""`pip install .` (not editable) gives a working product, with every SQL file in it.

Builds the wheel, installs it into a fresh virtual environment (dependencies from the
package index, as a user's install would get them), and runs the installed command
from a folder outside the repository: `presseportal db upgrade`, then a crawl of the
replica into PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
import venv
import zipfile
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
SQL_FILES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "crawler" / "db" / "sql").rglob("*.sql"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True, timeout=300)
    (found,) = out.glob("presseportal_ingest-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    done = subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return env_dir / "bin"


def test_the_wheel_carries_every_sql_file_and_no_tests_or_bench(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    missing = [f for f in SQL_FILES if f not in names]
    assert SQL_FILES and not missing, f"SQL files left out of the wheel (package-data in pyproject.toml): {missing}"
    tops = {name.split("/")[0] for name in names}
    assert not tops & {"tests", "bench"}, f"tests and bench are not part of the product: {sorted(tops)}"


@pytest.fixture
def empty_database(pg_server):
    """A database without any schema: the installed product must build it from its own files."""
    name = f"wheel_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_server.url_for(name)
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_installed_product_migrates_and_crawls_the_replica(installed, replica, empty_database, tmp_path):
    database_url = empty_database
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DATABASE_URL")}
    env.update(DATABASE_URL=database_url, PRESSEPORTAL_BASE_URL=replica.base_url,
               PRESSEPORTAL_PROFILE="replica")
    # a folder outside the repository: only the installed package can be imported
    where = subprocess.run([str(installed / "python"), "-c", "import crawler, sys; print(crawler.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert str(installed.parent) in where.stdout, where.stdout + where.stderr
    upgrade = subprocess.run([str(installed / "presseportal"), "db", "upgrade"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=120)
    assert upgrade.returncode == 0, upgrade.stderr[-3000:]
    migrations = [f for f in SQL_FILES if "/queries/" not in f]
    assert f"applied {len(migrations)} migration(s)" in upgrade.stdout, upgrade.stdout
    crawl = subprocess.run([str(installed / "presseportal"), "crawl"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=300)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    with psycopg.connect(database_url) as conn:
        stored = conn.execute("SELECT count(*) FROM releases WHERE publisher_id = 73811").fetchone()[0]
    assert stored == len(replica.corpus.story_ids(publisher_id=73811))
