"""The README's "Scaling out": its worker unit runs as printed, takes a job, and on the
SIGTERM systemd sends (KillMode=mixed: to the worker only) finishes it and exits 0."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from crawler import db
from tests.docs.readme import blocks, section, url_of
from tests.helpers import ROOT, presseportal

pytestmark = pytest.mark.slow


def unit_values(block: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in block.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def test_the_worker_unit_runs_as_printed_and_finishes_its_job_on_sigterm(replica, database_url, tmp_path):
    (block,) = blocks(section("Workers on several machines"), "ini")
    values = unit_values(block)
    assert values["KillMode"] == ["mixed"] and values["WantedBy"] == ["multi-user.target"]
    argv = values["ExecStart"][0].replace("/opt/presseportal-ingest", str(ROOT)).split()
    assert argv[1:] == ["worker", "--concurrency", "2"]
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"}  # systemd's own
    for assignment in values["Environment"]:
        name, _, value = assignment.partition("=")
        env[name] = value.replace("postgresql://ingest@db/presse", url_of(database_url))
    env.update(PRESSEPORTAL_BASE_URL=replica.base_url, PRESSEPORTAL_PROFILE="replica")
    queued = presseportal(replica, "enqueue", "crawl", "--publisher", "73811", database_url=database_url)
    assert queued.returncode == 0, queued.stderr
    with open(tmp_path / "journal", "w") as journal:
        worker = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=journal, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while scalar(database_url, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'") < 1:
            assert worker.poll() is None, (tmp_path / "journal").read_text()[-3000:]
            assert time.monotonic() < deadline, "the worker did not take its job"
            time.sleep(0.1)
        # systemctl stop in the middle of the job: within the grace (30 s) it finishes it
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=int(values["TimeoutStopSec"][0])) == 0
        assert scalar(database_url, "SELECT status::text FROM procrastinate_jobs") == "succeeded"
    finally:
        if worker.poll() is None:
            worker.kill()
    assert scalar(database_url, "SELECT count(*) FROM releases") == len(replica.corpus.story_ids())
    # the operator's contact went out in the User-Agent of every request
    assert all("data-team@example.org" in e.headers.get("User-Agent", "") for e in replica.log)


def scalar(database_url: str, sql: str):
    with db.connect(database_url) as conn:
        return conn.execute(sql).fetchone()[0]
