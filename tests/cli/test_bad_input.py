"""Bad input gets one clear line and a documented exit status, never a traceback.

Every command is run as a user would (a real process), with the arguments users were
seen to get wrong, and with arguments hypothesis makes up.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.exitcodes import DOCUMENTED
from tests.helpers import BIN, ROOT, crawl_env, presseportal

DEAD_DB = "postgresql://ingest:pw@127.0.0.1:9/presse?connect_timeout=2"


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """The command with nothing configured but a dead database and a private data dir."""
    base = dict(os.environ)
    base.pop("DATABASE_URL", None)
    base.update(DATABASE_URL=DEAD_DB, PRESSEPORTAL_DATA_DIR=tempfile.gettempdir() + "/pp-bad-input",
                PRESSEPORTAL_PROFILE="live")
    base.update(env or {})
    return subprocess.run([str(BIN / "presseportal"), *args], cwd=ROOT, env=base,
                          capture_output=True, text=True, timeout=timeout)


def assert_clean(done: subprocess.CompletedProcess, args) -> None:
    assert done.returncode in DOCUMENTED, (args, done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr, (args, done.stderr[-3000:])


USAGE_ERRORS = [
    (["status", "--runs", "-1"], "presseportal status", "must be 1 or more"),
    (["status", "--runs", "0"], "presseportal status", "must be 1 or more"),
    (["status", "--runs", "lots"], "presseportal status", "whole number"),
    (["status", "--errors", "-3"], "presseportal status", "must be 1 or more"),
    (["search", "Marketing", "--limit", "-1"], "presseportal search", "must be 1 or more"),
    (["search", "Marketing", "--limit", "0"], "presseportal search", "must be 1 or more"),
    (["search", ""], "presseportal search", "query is empty"),
    (["search", "   "], "presseportal search", "query is empty"),
    (["crawl", "--min-coverage", "5"], "presseportal crawl", "between 0 and 1"),
    (["crawl", "--min-coverage", "most"], "presseportal crawl", "between 0 and 1"),
    (["crawl", "--max-errors", "-1"], "presseportal crawl", "must be 0 or more"),
    (["crawl", "--publisher", "abc"], "presseportal crawl", "publisher ids are numbers"),
    # seen: an empty list crawled the default newsroom 73811 and exited 0
    (["crawl", "--publisher", ""], "presseportal crawl", "--publisher needs at least one id"),
    (["backfill", "--office", " "], "presseportal backfill", "--office needs at least one id"),
    (["crawl", "--publisher", ","], "presseportal crawl", "no publisher id"),
    (["crawl", "--publisher", "99999999999"], "presseportal crawl", "too large"),
    (["crawl", "--story", "/nr/73811"], "presseportal crawl", "stories are story URLs or paths"),
    (["crawl", "--story", ""], "presseportal crawl", "no story given"),
    (["crawl", "--story", "/pm/73811/5", "--publisher", "73811"], "presseportal crawl",
     "mode stories takes the stories only"),
    (["crawl", "--story", "https://example.org/pm/1/2"], "presseportal crawl",
     "https://example.org/pm/1/2 is not a story of the site crawled (https://www.presseportal.de)"),
    (["crawl", "--bogus"], "presseportal crawl", "unrecognized arguments: --bogus"),
    (["db", "upgrade", "--bogus"], "presseportal db upgrade", "unrecognized arguments: --bogus"),
    (["crawl", "-s", "NOEQUALS"], "presseportal crawl", "NAME=VALUE"),
    (["crawl", "-v", "-q"], "presseportal crawl", "exclude each other"),
    (["backfill", "--since", "2024-13-01"], "presseportal backfill", "since must be a date"),
    (["backfill", "--since", "2025-01-02", "--until", "2025-01-01"], "presseportal backfill", "is after until"),
    (["export", "--since", "yesterday"], "presseportal export", "since must be a date"),
    (["export", "--until", "2024-02-30"], "presseportal export", "until must be a date"),
    (["export", "--format", "xml"], "presseportal export", "invalid choice"),
    # seen: JSON lines written into x.csv without a word; the format comes from the ending
    (["export", "-o", "/tmp/x.json"], "presseportal export", "cannot tell the format of 'x.json'"),
    (["export", "-o", "/tmp/releases"], "presseportal export", "cannot tell the format of 'releases'"),
    (["export", "--format", "jsonl", "-o", "/tmp/x.csv"], "presseportal export",
     "--format jsonl contradicts the file name 'x.csv' (csv)"),
    (["export", "--format", "csv", "-o", "/tmp/X.JSONL"], "presseportal export", "contradicts"),
    # -o of the three commands that write a file: one check (cli/common.output_file), before
    # the store is read; seen: metrics said so with 1 where report and export said 2
    *[([command, "-o", f"/nonexistent-dir/out.{ext}"], f"presseportal {command}",
       f"cannot write '/nonexistent-dir/out.{ext}': no directory '/nonexistent-dir'")
      for command, ext in (("export", "jsonl"), ("metrics", "prom"), ("report", "html"))],
    *[([command, "-o", "/tmp"], f"presseportal {command}", "cannot write '/tmp': a directory, not a file")
      for command in ("export", "metrics", "report")],
    # seen: exit 69 (database unavailable) after a connection to a host named "notaurl"
    (["metrics", "--push", "notaurl"], "presseportal metrics", "must be an http(s) URL with a host"),
    (["metrics", "--push", "http://pushgateway:port"], "presseportal metrics", "must be an http(s) URL"),
    (["metrics", "--push", "ftp://pushgateway:9091"], "presseportal metrics", "must be an http(s) URL"),
    (["db"], "presseportal db", "required"),
    (["db", "frobnicate"], "presseportal db", "invalid choice"),
    (["frobnicate"], "presseportal", "invalid choice"),
]


@pytest.mark.parametrize("args, usage, words", USAGE_ERRORS, ids=[" ".join(a[0]) or "empty" for a in USAGE_ERRORS])
def test_usage_errors_print_the_commands_usage_and_one_line(args, usage, words):
    done = run(*args)
    assert done.returncode == 2, (args, done.stderr)
    assert f"usage: {usage}" in done.stderr, f"the usage shown must be that of `{usage}`: {done.stderr}"
    assert words in done.stderr, done.stderr
    assert_clean(done, args)
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, done.stderr


@pytest.mark.parametrize("command", ["export", "metrics", "report"])
def test_o_onto_something_that_is_no_regular_file_is_refused_and_left_alone(command, tmp_path):
    # seen: `report -o /dev/null` as root renamed the report over the machine's /dev/null;
    # a pipe here stands for any device (the test must never risk the real one)
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    done = run(command, "-o", str(pipe))
    assert done.returncode == 2, done.stderr
    assert f"cannot write '{pipe}': not a regular file" in done.stderr and "Traceback" not in done.stderr
    assert pipe.is_fifo(), "left as it was"


@pytest.mark.parametrize("env, words", [
    ({"PRESSEPORTAL_PROFILE": "fast"}, "unknown PRESSEPORTAL_PROFILE 'fast'"),
    ({"PRESSEPORTAL_PROFILE": "replica", "PRESSEPORTAL_BASE_URL": "https://www.presseportal.de"},
     "loopback only"),
    ({"PRESSEPORTAL_PROFILE": "replica", "PRESSEPORTAL_BASE_URL": "http://10.1.2.3:8000"}, "loopback only"),
    ({"PRESSEPORTAL_BASE_URL": "presseportal.de"}, "must be an http(s) URL"),
])
def test_a_profile_that_may_not_be_used_is_a_usage_error_before_anything_starts(env, words):
    done = run("crawl", env=env)
    assert done.returncode == 2, done.stderr[-2000:]
    assert words in done.stderr
    assert_clean(done, env)


@pytest.mark.parametrize("command", [
    ["import", "{dump}"], ["status"], ["db", "url"], ["unfollow", "--publisher", "73811"], ["spill"],
    ["worker"], ["export", "-o", "{dump}.jsonl"], ["crawl", "-q", "--publisher", "73811"]])
def test_a_mistyped_profile_is_refused_by_every_command_in_one_line(tmp_path, command):
    # a new user's trial: `crawl` refused PRESSEPORTAL_PROFILE=bogus, but `import` wrote
    # into the live site's store, and `status`, `db url`, `unfollow` showed it empty with
    # exit 0; the cron line (`crawl -q --publisher`) passes the pre-check's front door
    dump = tmp_path / "lines.txt"
    dump.write_text("")
    args = [arg.format(dump=dump) for arg in command]
    done = run(*args, env={"PRESSEPORTAL_PROFILE": "bogus"})
    assert done.returncode == 2, (args, done.stderr[-2000:])
    said = [line for line in done.stderr.splitlines() if "unknown PRESSEPORTAL_PROFILE 'bogus'" in line]
    assert len(said) == 1 and "use one of live, replica" in said[0], done.stderr
    assert_clean(done, args)


@pytest.mark.parametrize("command", [["crawl"], ["status"], ["worker"], ["metrics"]])
@pytest.mark.parametrize("env, words", [
    ({"PRESSEPORTAL_SITE_BUDGET": "abc"}, "PRESSEPORTAL_SITE_BUDGET must be a number of requests per second"),
    ({"PRESSEPORTAL_SITE_BUDGET": "-1"}, "of at least 0, got '-1'"),
    # infinitely many requests a second once left a crawl spinning for good
    ({"PRESSEPORTAL_SITE_BUDGET": "inf"}, "of at least 0, got 'inf'"),
    ({"PRESSEPORTAL_SITE_BUDGET": "1e999"}, "of at least 0, got '1e999'"),
    ({"PRESSEPORTAL_COVERAGE_MIN": "x"}, "PRESSEPORTAL_COVERAGE_MIN must be a share from 0 to 1, got 'x'"),
    ({"PRESSEPORTAL_COVERAGE_MIN": "1.5"}, "from 0 to 1, got '1.5'"),
])
def test_a_malformed_number_in_the_environment_is_a_usage_error_naming_it(env, words, command):
    # read by crawler/settings.py while Scrapy imports it: once, a traceback from there
    done = run(*command, env=env)
    assert done.returncode == 2, done.stderr[-2000:]
    assert words in done.stderr
    assert_clean(done, env)


def test_a_story_url_of_the_site_crawled_passes_with_or_without_www():
    # past the argument checks, to the (dead) database: 69, not a usage error
    done = run("crawl", "--story", "https://presseportal.de/pm/73811/5,/pm/73811/6")
    assert done.returncode == 69, done.stderr[-2000:]


def test_the_global_options_work_after_the_command_too():
    for args in (["status", "--quiet"], ["-q", "status"], ["status", "-v"], ["db", "url", "-q"]):
        done = run(*args)
        assert done.returncode in (0, 69), (args, done.stderr)
        assert "unrecognized arguments" not in done.stderr, args


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["crawl", "backfill", "status", "search", "export", "db url", "db upgrade"]),
       st.lists(st.sampled_from(["--publisher", "--since", "--until", "--limit", "--runs", "--format",
                                 "--min-coverage", "--max-errors", "--errors", "--json", "-o", "-s",
                                 "-q", "-v", "--refresh", "--psql", "x", "-1", "0", "5", "2024-02-30",
                                 "abc", "", "ü", "1e9", "--", "--nope"]), max_size=4))
def test_any_arguments_end_in_a_documented_status_without_a_traceback(command, extra):
    args = [*command.split(), *extra]
    done = run(*args, env={"PRESSEPORTAL_BASE_URL": "http://127.0.0.1:9", "PRESSEPORTAL_PROFILE": "replica"})
    assert_clean(done, args)


# --- output cut short: `| head` -----------------------------------------------------------


def closed_pipe_run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run with stdout a pipe whose reader is gone, as `| head -1` leaves it."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([str(BIN / "presseportal"), *args], cwd=ROOT, env=env, stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)


@pytest.mark.slow
def test_a_closed_pipe_ends_the_command_quietly(replica, database_url):
    assert presseportal(replica, "crawl", database_url=database_url).returncode == 0
    env = crawl_env(replica, database_url)
    word = max(replica.corpus.truth(replica.corpus.story_ids()[0])["title"].split(), key=len)
    for args in (["export"], ["status"], ["search", word], ["status", "--json"]):
        done = closed_pipe_run(*args, env=env)
        assert done.returncode == 0, (args, done.stderr)
        assert done.stderr == "", f"{args}: a closed pipe must end the command quietly: {done.stderr}"


# --- the store cannot be had: 69 -----------------------------------------------------------


def read_only(path: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run the command with `path` read-only: a read-only bind mount in a private mount
    namespace as root (root writes through permissions), a mode of 0555 otherwise."""
    argv = [str(BIN / "presseportal"), *args]
    if os.geteuid() == 0:
        if not shutil.which("unshare"):
            pytest.skip("unshare is needed to make a directory read-only for root")
        script = f'mount --bind "{path}" "{path}" && mount -o remount,bind,ro "{path}" && exec "$@"'
        argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", *argv]
    else:
        os.chmod(path, 0o555)
    try:
        return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    finally:
        os.chmod(path, 0o755)


@pytest.mark.parametrize("command", [["status"], ["crawl"], ["db", "upgrade"]])
def test_a_read_only_reachable_tmpectory_means_the_database_is_unavailable(reachable_tmp, command):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PRESSEPORTAL_DATA_DIR=str(reachable_tmp), PRESSEPORTAL_PROFILE="replica",
               PRESSEPORTAL_BASE_URL="http://127.0.0.1:9")
    done = read_only(reachable_tmp, *command, env=env)
    assert done.returncode == 69, done.stderr[-2000:]
    assert str(reachable_tmp) in done.stderr and "Read-only file system" in done.stderr or "ermission" in done.stderr
    assert_clean(done, command)


def test_an_embedded_cluster_whose_binaries_are_gone_says_which_version_to_install(reachable_tmp):
    # a cluster made by a PostgreSQL this machine does not have (any more)
    (reachable_tmp / "postgres").mkdir(mode=0o700)
    (reachable_tmp / "postgres" / "PG_VERSION").write_text("9\n")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PRESSEPORTAL_DATA_DIR=str(reachable_tmp))
    for command in (["status"], ["db", "upgrade"], ["db", "stop"]):
        done = subprocess.run([str(BIN / "presseportal"), *command], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 69, (command, done.stderr)
        assert "PostgreSQL 9" in done.stderr and "install" in done.stderr, done.stderr
        assert_clean(done, command)


# --- the site says no -------------------------------------------------------------------------


def test_an_unknown_publisher_is_a_newsroom_that_does_not_exist(replica, database_url):
    done = presseportal(replica, "crawl", "--publisher", "999999", database_url=database_url)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "newsroom 999999 does not exist" in done.stderr, done.stderr[-2000:]
    assert "could not listing" not in done.stderr
    assert_clean(done, "unknown publisher")


@pytest.mark.parametrize(("site", "words"), [
    ({"PRESSEPORTAL_BASE_URL": "http://127.0.0.1:9"}, "Connection was refused"),
    # a machine without DNS (seen: the demo's live-site line, offline): the live profile,
    # since the replica's is loopback only; .invalid never resolves (RFC 2606)
    ({"PRESSEPORTAL_BASE_URL": "https://presseportal.invalid", "PRESSEPORTAL_PROFILE": "live"},
     "presseportal.invalid"),
], ids=["refused", "no-dns"])
def test_a_dead_site_is_logged_in_lines_not_tracebacks(replica, database_url, site, words):
    done = presseportal(replica, "crawl", database_url=database_url, **site)
    assert done.returncode == 1, done.stderr[-2000:]
    assert words in done.stderr, done.stderr[-2000:]
    assert_clean(done, "dead site")


def test_db_shell_on_an_unreachable_database_is_69_not_psqls_own_status():
    done = run("db", "shell")
    assert done.returncode == 69, done.stderr
    assert "database unavailable" in done.stderr and "pw@" not in done.stderr
    assert_clean(done, "db shell")
