"""A job's crawl runs as a child process that dies with its worker.

The child is `python -m crawler.precheck <mode> --publisher ... -q`: the `presseportal`
command a user types (its console script's entry point), so a job has the spider,
pipelines, store, run lock and resume point of a crawl by hand, and a cron crawl job that
finds nothing (the sweep's conditional GETs, one job per followed newsroom) is answered
by the pre-check without starting Scrapy: 0.5 CPU s a job instead of 1.5 (bench/results.md,
"incremental"). It runs in its own session (Ctrl-C on the worker's terminal reaches only the
worker, which decides what becomes of the job) and with PR_SET_PDEATHSIG = SIGKILL: a
worker killed with `kill -9` takes its crawl with it, the crawl's database sessions close
and its run lock is free for the worker that takes the job over.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
from dataclasses import dataclass

PR_SET_PDEATHSIG = 1  # linux/prctl.h
# how long a crawl asked to stop (SIGTERM: Scrapy closes the run, saves the resume point)
# may take before it is killed
STOP_SECONDS = 60.0


@dataclass
class ChildResult:
    returncode: int  # negative: killed by that signal
    last_lines: list[str]  # the end of its standard error (one line on failure with -q)

    @property
    def reason(self) -> str:
        return " ".join(" ".join(self.last_lines[-3:]).split())[:500]


def die_with_parent(parent_pid: int):
    """A preexec function: SIGKILL this process when the parent (the worker) dies."""
    def preexec() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent_pid:  # the worker died before prctl: do not run orphaned
            os._exit(1)
    return preexec


async def run_crawl_child(argv: list[str], env: dict[str, str], *, keep_lines: int = 20) -> ChildResult:
    """Run `presseportal <argv>` as a child of this process and wait for it; the last
    `keep_lines` non-empty lines of its standard error are kept.

    When the awaiting task is cancelled (the worker stops), the crawl is asked to stop with
    SIGTERM (Scrapy finishes the run row and saves a backfill's resume point), killed after
    STOP_SECONDS, and the cancellation goes on.
    """
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "crawler.precheck", *argv,
        env=env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE, start_new_session=True,
        preexec_fn=die_with_parent(os.getpid()),
    )
    lines: list[str] = []

    async def read_stderr() -> None:
        async for raw in proc.stderr:
            text = raw.decode("utf-8", "replace").rstrip()
            if text:
                lines.append(text)
                del lines[:-keep_lines]

    reader = asyncio.create_task(read_stderr())
    try:
        returncode = await proc.wait()
    except asyncio.CancelledError:
        await stop_child(proc)
        raise
    finally:
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(reader, timeout=5)
    return ChildResult(returncode, lines)


async def stop_child(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM, then SIGKILL after STOP_SECONDS; returns when the child is gone."""
    if proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(asyncio.shield(proc.wait()), timeout=STOP_SECONDS)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
