"""`scrapyd-deploy` of this project to a real Scrapyd 1.6 on loopback, and a scheduled job
that crawls the replica into PostgreSQL.

Scrapyd runs from a throwaway virtual environment that sees the project's dependencies
but not the project itself (its editable install is not processed there): the crawler
runs from the egg alone, so an egg without its settings entry point or its SQL files
fails here.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import psycopg
import pytest

from tests.docs.readme import blocks, command_lines, section, url_of
from tests.helpers import BIN, ROOT

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def project_copy(dest: Path) -> Path:
    """The working tree's files (tracked and new, not ignored), as a fresh checkout has them."""
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def dependencies_only_venv(path: Path) -> Path:
    """A venv whose sys.path holds our venv's site-packages as a plain path: the
    dependencies import, the editable `crawler` does not."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(subprocess.run([str(path / "bin/python"), "-c", purelib],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    check = subprocess.run([str(path / "bin/python"), "-c", "import scrapyd, psycopg; import crawler"],
                           cwd="/", capture_output=True, text=True)
    assert "No module named 'crawler'" in check.stderr, "the throwaway venv must not see the project"
    return path / "bin/python"


def project_spiders() -> list[str]:
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings
    return sorted(SpiderLoader.from_settings(get_project_settings()).list())


def api(port: int, endpoint: str, data: dict | list | None = None) -> dict:
    url = f"http://127.0.0.1:{port}/{endpoint}"
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def scrapyd(tmp_path):
    python = dependencies_only_venv(tmp_path / "scrapyd-venv")
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.5\n"
        f"eggs_dir = {home}/eggs\nlogs_dir = {home}/logs\ndbs_dir = {home}/dbs\n")
    log = open(home / "scrapyd.out", "w")
    proc = subprocess.Popen([str(python), "-m", "scrapyd"], cwd=home, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if api(port, "daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError((home / "scrapyd.out").read_text()[-3000:])
                time.sleep(0.3)
        yield port, home
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_scrapyd_deploy_and_a_scheduled_job_crawls_the_replica_into_postgresql(scrapyd, replica, database_url, tmp_path):
    port, home = scrapyd
    src = project_copy(tmp_path / "src")
    cfg = (src / "scrapy.cfg").read_text()
    (src / "scrapy.cfg").write_text(cfg.replace("[deploy]", f"[deploy]\nurl = http://127.0.0.1:{port}/"))

    egg = tmp_path / "project.egg"
    built = subprocess.run([str(BIN / "scrapyd-deploy"), "--build-egg", str(egg)], cwd=src,
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-3000:]
    with zipfile.ZipFile(egg) as z:
        names = set(z.namelist())
        entry_points = z.read("EGG-INFO/entry_points.txt").decode()
    sql_files = {str(p.relative_to(ROOT)) for p in (ROOT / "crawler/db/sql").rglob("*.sql")}
    assert sql_files <= names, f"SQL files missing from the egg: {sorted(sql_files - names)}"
    assert "[scrapy]" in entry_points and "settings = crawler.settings" in entry_points
    assert not any(n.startswith(("tests/", "bench/")) for n in names)

    # the README's Scrapyd block, as printed: its target and database replaced, and the
    # replica instead of the live site
    (block,) = blocks(section("Scrapyd"), "sh")
    deploy_line, schedule_line = command_lines(block)
    venv = src / ".venv"
    venv.symlink_to(ROOT / ".venv")
    deployed = subprocess.run(["sh", "-c", deploy_line], cwd=src, capture_output=True, text=True, timeout=300)
    assert deployed.returncode == 0 and '"status": "ok"' in deployed.stdout, deployed.stdout + deployed.stderr
    # the deployed egg offers exactly the spiders this checkout has (the crawl, and the
    # import and reextract spiders that read files and stored pages)
    assert sorted(api(port, "listspiders.json?project=crawler")["spiders"]) == project_spiders()

    for placeholder, value in (("http://scrapyd:6800", f"http://127.0.0.1:{port}"),
                               ("postgresql://ingest@db/presse", url_of(database_url))):
        assert placeholder in schedule_line, f"the README's schedule line no longer holds {placeholder}"
        schedule_line = schedule_line.replace(placeholder, value)
    schedule_line += (f" -d setting=PRESSEPORTAL_BASE_URL={replica.base_url}"
                      " -d setting=PRESSEPORTAL_PROFILE=replica")
    scheduled = subprocess.run(["sh", "-c", schedule_line], capture_output=True, text=True, timeout=60)
    job = json.loads(scheduled.stdout)
    assert job["status"] == "ok", job
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        finished = api(port, "listjobs.json?project=crawler")["finished"]
        if any(j["id"] == job["jobid"] for j in finished):
            break
        time.sleep(1)
    else:
        raise AssertionError("the Scrapyd job did not finish in 240 s")
    log = next((home / "logs").rglob(f"{job['jobid']}.log")).read_text()
    assert "Traceback" not in log, log[-3000:]
    with psycopg.connect(database_url) as conn:
        stored = conn.execute("SELECT count(*) FROM releases").fetchone()[0]
        runs = conn.execute("SELECT mode, status FROM crawl_runs").fetchall()
    assert stored == len(replica.corpus.story_ids(publisher_id=73811)), log[-6000:]
    # Scrapyd ignores exit statuses: the outcome is read in crawl_runs (presseportal status)
    assert runs == [("incremental", "success")]
