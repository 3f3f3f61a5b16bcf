"""Helpers shared by the tests that drive whole crawls."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def crawl_env(replica, database_url: str | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PRESSEPORTAL_BASE_URL=replica.base_url,
        PRESSEPORTAL_PROFILE="replica",
        PYTHONPATH=str(ROOT),
    )
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    env.update(extra)
    return env


def run_scrapy(replica, *args: str, database_url: str | None = None, timeout: float = 180,
               spider: str = "presseportal", **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "scrapy"), "crawl", spider, *args],
        cwd=ROOT, env=crawl_env(replica, database_url, **env),
        capture_output=True, text=True, timeout=timeout,
    )


def presseportal(replica, *args: str, database_url: str | None = None, timeout: float = 180,
                 **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "presseportal"), *args],
        cwd=ROOT, env=crawl_env(replica, database_url, **env),
        capture_output=True, text=True, timeout=timeout,
    )


def start_presseportal(replica, *args: str, database_url: str | None = None, log_path: Path,
                       **env: str) -> subprocess.Popen:
    """Start the command in the background; its output goes to a file, never to a pipe that
    nobody reads (a full pipe would stall the crawl)."""
    log = open(log_path, "w", encoding="utf-8")
    proc = subprocess.Popen(
        [str(BIN / "presseportal"), *args],
        cwd=ROOT, env=crawl_env(replica, database_url, **env),
        stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    log.close()
    return proc


def ctrl_c(proc: subprocess.Popen, log_path: Path) -> tuple[int, float, str]:
    """One Ctrl-C (SIGINT) to a command started by `start_presseportal`: its exit status,
    how many seconds it took to stop, and its log."""
    import signal
    import time

    asked_at = time.monotonic()
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=120)
    return code, time.monotonic() - asked_at, log_path.read_text()


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def field_differences(got: dict, truth: dict, fields=None) -> list[str]:
    """Readable differences between an exported record and the replica's truth."""
    out = []
    for name in fields or truth:
        if got.get(name) != truth.get(name):
            out.append(f"story {truth.get('story_id')} field {name!r}: got {got.get(name)!r}, "
                       f"expected {truth.get(name)!r}")
    return out


def stop_processes(procs, timeout: float = 60) -> None:
    """SIGTERM to each process still running, then wait for all (SIGKILL after `timeout`)."""
    import signal

    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
