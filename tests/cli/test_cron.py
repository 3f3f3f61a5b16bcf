"""What cron users expect: quiet success, one line on failure, options anywhere, Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import psycopg

from crawler import exitcodes
from tests.helpers import BIN, ROOT, crawl_env, ctrl_c, presseportal, start_presseportal

PID = 73811


def test_quiet_success_prints_nothing_at_all(replica, database_url):
    for args in (["crawl", "--quiet"], ["crawl", "-q"], ["-q", "crawl"]):
        done = presseportal(replica, *args, database_url=database_url)
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout == "" and done.stderr == "", f"{args}: cron mails any output: {done.stderr[-2000:]}"


def test_quiet_failure_prints_one_line_saying_what_failed(replica, database_url):
    victim = replica.corpus.story_ids(publisher_id=PID)[3]
    replica.faults.add(rf"^/pm/{PID}/{victim}$", "500")
    done = presseportal(replica, "crawl", "--quiet", database_url=database_url)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "1 failed page(s)" in lines[0] and "presseportal status --errors" in lines[0]


def summary_line(stderr: str) -> str:
    """The run's one summary line (after Scrapy's log, when not quiet)."""
    return next(line for line in reversed(stderr.splitlines()) if line.startswith(("run ", "presseportal: run ")))


def test_a_failed_run_names_its_first_failed_page_and_why_on_its_summary_line(replica, database_url):
    victim = replica.corpus.story_ids(publisher_id=PID)[2]
    replica.faults.add(rf"^/pm/{PID}/{victim}$", "truncate", declared_length=False, after="</article>")
    for quiet in ([], ["--quiet"]):
        done = presseportal(replica, "crawl", *quiet, database_url=database_url)
        assert done.returncode == 1, done.stderr[-2000:]
        line = summary_line(done.stderr)
        assert f"1 failed page(s) (first: {replica.base_url}/pm/{PID}/{victim}" in line, line
        assert "truncated" in line, line


def test_verbose_after_the_command_logs_debug(replica, database_url):
    done = presseportal(replica, "crawl", "-v", database_url=database_url)
    assert done.returncode == 0
    assert "DEBUG" in done.stderr


def wait_for_stories(database_url: str, n: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with psycopg.connect(database_url) as conn:
            if conn.execute("SELECT count(*) FROM releases").fetchone()[0] >= n:
                return
        time.sleep(0.2)
    raise AssertionError(f"fewer than {n} releases stored after {timeout} s")


def test_one_ctrl_c_finishes_the_run_cleanly(replica, database_url, tmp_path):
    replica.faults.add(r"^/pm/", "slow", delay=0.3)
    proc = start_presseportal(replica, "backfill", database_url=database_url, log_path=tmp_path / "log")
    wait_for_stories(database_url, 5)
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=120)
    log = (tmp_path / "log").read_text()
    assert code == exitcodes.ERRORS, log[-3000:]
    assert "Traceback" not in log
    with psycopg.connect(database_url) as conn:
        status, finished = conn.execute("SELECT status, finished_at IS NOT NULL FROM crawl_runs").fetchone()
    assert (status, finished) == ("shutdown", True), "one Ctrl-C lets the run record finish"


def test_one_ctrl_c_does_not_wait_out_a_retry_after(replica, database_url, tmp_path):
    # every story asks for a minute's pause; the replica profile's cap, raised to allow it
    replica.faults.add(r"^/pm/", "429", retry_after=60)
    proc = start_presseportal(replica, "backfill", "-s", "RETRY_AFTER_MAX_SECONDS=60", database_url=database_url,
                              log_path=tmp_path / "log")
    deadline = time.monotonic() + 60
    while not replica.requests("/pm/", status=429) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # the 429s reach the retry middleware
    code, took, log = ctrl_c(proc, tmp_path / "log")
    assert code == exitcodes.ERRORS, log[-3000:]
    assert took < 8, f"one Ctrl-C took {took:.1f} s: it waited out the Retry-After"
    with psycopg.connect(database_url) as conn:
        failed = conn.execute("SELECT url, reason FROM crawl_errors").fetchall()
    assert failed == [], "a retry dropped at the stop is no failed page: the next run asks for it"


def test_two_ctrl_c_end_the_run_with_130(replica, database_url, tmp_path):
    replica.faults.add(r"^/pm/", "slow", delay=2.0)  # stories in flight keep the first stop waiting
    proc = start_presseportal(replica, "backfill", database_url=database_url, log_path=tmp_path / "log")
    deadline = time.monotonic() + 60
    while not any(e.path.startswith("/pm/") for e in replica.log) and time.monotonic() < deadline:
        time.sleep(0.05)
    # the log shows a story once it is answered: the first batch may all end at once, so
    # wait until the next batch is on its way (2 s each) before the first Ctrl-C; with
    # nothing in flight the first stop would finish before the second Ctrl-C came
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=60)
    log = (tmp_path / "log").read_text()
    assert code == exitcodes.INTERRUPTED, log[-3000:]
    assert "interrupted (second Ctrl-C)" in log
    assert "Traceback" not in log


def test_a_cron_run_that_finds_nothing_imports_no_component_it_switched_off(replica, database_url):
    # Scrapy imports every component listed in its _BASE settings before asking it
    # whether it is enabled; the remote control (aiohttp) and the cookies middleware
    # (tldextract, requests) were a quarter of the CPU of a run that ends with one 304;
    # normalisation (ftfy) is loaded with the first release. The Scrapy run, without the
    # pre-check that answers it before Scrapy starts (tests/cli/test_precheck.py)
    first = presseportal(replica, "crawl", database_url=database_url)
    assert first.returncode == 0, first.stderr[-2000:]
    replica.log.clear()
    done = subprocess.run([sys.executable, "-X", "importtime", str(BIN / "presseportal"), "-q", "crawl"],
                          cwd=ROOT, env=crawl_env(replica, database_url, PRESSEPORTAL_PRECHECK="0"),
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert [e.status for e in replica.log if e.path.startswith("/nr/")] == [304]
    imported = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "scrapy.core.engine" in imported, "the import log is read"
    assert not imported & {"aiohttp", "aiohttp.web", "tldextract", "scrapy.extensions.remote_control",
                           "scrapy.extensions.telnet", "scrapy.downloadermiddlewares.cookies", "ftfy"}


def test_quiet_import_and_reextract_print_nothing_on_success(replica, database_url, tmp_path):
    # as crawl: cron mails any output, so -q keeps the success summary to itself
    from tests.replica import dumps

    assert presseportal(replica, "crawl", "-q", database_url=database_url).returncode == 0
    truths = [replica.corpus.truth(sid) for sid in replica.corpus.story_ids(publisher_id=PID)[:3]]
    dump = tmp_path / "dump.txt"
    dump.write_text("".join(dumps.line(x) + "\n" for x in truths), encoding="utf-8")
    for args in (["reextract", "-q"], ["-q", "import", str(dump)]):
        done = presseportal(replica, *args, database_url=database_url)
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout == "" and done.stderr == "", f"{args}: {done.stderr[-2000:]}"
    loud = presseportal(replica, "reextract", database_url=database_url)
    assert loud.returncode == 0 and "reextract run" in loud.stderr


def test_a_quiet_import_with_a_bad_record_says_so_in_one_line_naming_the_record(replica, database_url, tmp_path):
    dump = tmp_path / "dump.csv"
    # no --publisher and no newsroom column: the record names no newsroom
    dump.write_text("title,date,text\nHallo,2024-01-31,Ein Text\n", encoding="utf-8")
    done = presseportal(replica, "-q", "import", str(dump), database_url=database_url)
    assert done.returncode == 1, done.stderr[-2000:]
    (line,) = done.stderr.splitlines()
    assert f"1 bad record(s) (first: {dump}:2" in line and "page" not in line, line
