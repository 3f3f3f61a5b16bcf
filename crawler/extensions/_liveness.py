"""Is the process of an unfinished run alive? Only a run known to be dead is abandoned.

A run's lock is a PostgreSQL session: a database restart ends the session but not the
run, which takes its lock again at its next watchdog check. In between, a new run can
take the lock, and must then not call the old one abandoned (both would crawl). What
the run row says of its process decides (`crawler.db.unfinished_runs`):

- on this host: the pid with the same start time (psutil) is alive; no such process
  (or the pid now belongs to a later process) is dead;
- on another host: a heartbeat within `stale_after` seconds is alive, an older one dead.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from typing import Any

import psutil

# a process's start time, as psutil and the OS report it, may differ by rounding
START_TOLERANCE_SECONDS = 1.0


def this_process_started() -> datetime:
    """When the OS started this process (aware, UTC)."""
    return datetime.fromtimestamp(psutil.Process().create_time(), UTC)


def process_alive(pid: int | None, started_at: datetime | None) -> bool:
    """Whether the process `pid` of this host lives and is the one that started then."""
    if not pid:
        return False
    try:
        created = psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except psutil.AccessDenied:
        return True  # it exists; whose it is we may not read
    if started_at is None:
        return True  # a row from before process_started_at was recorded
    return abs(created - started_at.timestamp()) <= START_TOLERANCE_SECONDS


def run_is_dead(run: dict[str, Any], *, stale_after: float) -> bool:
    """Whether the process of an unfinished run (a row of `db.unfinished_runs`) is known
    to be dead."""
    if run.get("host") == socket.gethostname():
        return not process_alive(run.get("pid"), run.get("process_started_at"))
    if run.get("session_alive"):
        return False  # its lock's session is still connected: alive, wherever it is
    return float(run.get("quiet_seconds") or 0) > stale_after
