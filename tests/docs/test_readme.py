"""The README's commands, crontab line and systemd unit, each run exactly as printed.

The blocks are read from README.md itself, so that a change there is a change here. What
is replaced is named and nothing else: the install directory, the database (a throwaway
one) and the log file; the site is the replica (PRESSEPORTAL_BASE_URL and
PRESSEPORTAL_PROFILE=replica in the environment), since tests never touch the live site.
"""

from __future__ import annotations

import inspect
import os
import re
import subprocess
from pathlib import Path

import pytest

from crawler import exitcodes
from tests.docs.readme import README, blocks, command_lines, section, url_of
from tests.helpers import BIN, ROOT

pytestmark = pytest.mark.slow


@pytest.fixture
def install_dir(tmp_path) -> Path:
    """A directory that looks like the install (/opt/presseportal-ingest): the venv and
    scrapy.cfg; files the commands write land here, not in the checkout."""
    where = tmp_path / "presseportal-ingest"
    where.mkdir()
    (where / ".venv").symlink_to(ROOT / ".venv")
    (where / "scrapy.cfg").symlink_to(ROOT / "scrapy.cfg")
    return where


def site_env(replica, database_url: str, base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env.update(PRESSEPORTAL_BASE_URL=replica.base_url, PRESSEPORTAL_PROFILE="replica",
               DATABASE_URL=database_url)
    return env


def test_the_exit_status_table_is_the_one_in_crawler_exitcodes():
    table = section("Exit status (for cron)")
    codes = [int(m) for m in re.findall(r"^\| (\d+) \|", table, re.M)]
    assert tuple(codes) == exitcodes.DOCUMENTED
    doc = [int(m) for m in re.findall(r"^\| (\d+) \|", exitcodes.__doc__, re.M)]
    assert tuple(doc) == exitcodes.DOCUMENTED


def commands_naming_an_empty_newsroom() -> set[str]:
    """The commands that end in exit 1 with one line when a newsroom asked for holds no
    release: those whose function says so through `cli.common.say_empty_newsrooms`."""
    from crawler.cli import build_parser, command_parsers

    return {parser.prog.split()[-1] for parser in command_parsers(build_parser())
            if parser.get_default("run") and "say_empty_newsrooms(" in inspect.getsource(parser.get_default("run"))}


def test_the_exit_status_tables_name_every_command_that_exits_1_for_a_newsroom_with_nothing_stored():
    # seen: `report --office 55555` exits 1, and the table named export, reextract and unfollow only
    commands = commands_naming_an_empty_newsroom()
    assert {"export", "report", "reextract", "unfollow"} <= commands, commands
    for name, table in (("README.md", section("Exit status (for cron)")), ("crawler/exitcodes.py", exitcodes.__doc__)):
        (row,) = re.findall(r"^\| 1 \|.*$", table, re.M)
        (clause,) = re.findall(r";\s*((?:`\w+`(?:,|\s+and)?\s*)+):\s*a newsroom", row)
        assert set(re.findall(r"`(\w+)`", clause)) == commands, f"{name}'s exit 1 row: name {sorted(commands)}"


def test_scrapy_commands_need_the_project_folder_or_the_settings_module(tmp_path):
    # the README says so where its scrapy examples are: elsewhere Scrapy knows no project
    intro = README.split("Scrapy users can run the spider directly", 1)[1].split("```", 1)[0]
    assert "project folder" in intro and "no active project" in intro and "SCRAPY_SETTINGS_MODULE" in intro
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    outside = subprocess.run([str(BIN / "scrapy"), "crawl", "presseportal"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=60)
    assert "no active project" in outside.stdout + outside.stderr
    anywhere = subprocess.run([str(BIN / "scrapy"), "list"], cwd=tmp_path, capture_output=True, text=True,
                              env={**env, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}, timeout=60)
    assert anywhere.returncode == 0 and "presseportal" in anywhere.stdout.split(), anywhere.stderr[-2000:]


def test_every_command_of_crawling_the_live_site_runs_as_printed(replica, database_url, install_dir):
    own_blocks = blocks(section("Crawling the live site", subsections=False), "sh")
    lines = [line for block in own_blocks for line in command_lines(block)]
    assert len(lines) >= 15, "the README's command blocks were not found"
    env = site_env(replica, database_url)
    for line in lines:
        done = subprocess.run(["sh", "-c", line], cwd=install_dir, env=env, capture_output=True,
                              text=True, timeout=300)
        assert "Traceback" not in done.stderr, (line, done.stderr[-3000:])
        if "103258" in line:
            # the replica serves three publishers, not this one: it says so and exits 1
            assert done.returncode == 1 and "newsroom 103258 does not exist" in done.stderr, (line, done.stderr[-2000:])
        else:
            assert done.returncode == 0, (line, done.stderr[-3000:])
    assert (install_dir / "releases.jsonl").stat().st_size > 0
    assert (install_dir / "h1.csv").read_text(encoding="utf-8").startswith("story_id,")
    assert (install_dir / "items.jsonl").stat().st_size > 0


def test_the_crontab_line_runs_with_crons_environment(replica, database_url, install_dir, tmp_path):
    (block,) = blocks(section("Cron"), "cron")
    (entry,) = command_lines(block)
    fields = entry.split(None, 5)
    assert fields[:5] == ["*/15", "*", "*", "*", "*"]
    command = fields[5]
    log = tmp_path / "presseportal.log"
    for placeholder, value in (("/opt/presseportal-ingest", str(install_dir)),
                               ("postgresql://ingest@db/presse", url_of(database_url)),
                               ("/var/log/presseportal.log", str(log))):
        assert placeholder in command, f"the crontab line no longer holds {placeholder}"
        command = command.replace(placeholder, value)
    # cron: /bin/sh, a minimal PATH, HOME and LOGNAME; nothing of this shell
    cron_env = {"PATH": "/usr/bin:/bin", "SHELL": "/bin/sh", "HOME": str(tmp_path), "LOGNAME": "root"}
    env = site_env(replica, "", cron_env)
    del env["DATABASE_URL"]  # the line sets it
    first = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, log.read_text()[-3000:]
    assert first.stdout == "" and first.stderr == "" and log.read_text() == "", \
        "a good quiet run prints nothing: cron would mail it"
    replica.faults.add(r"^/nr/", "500")
    replica.publish(1)
    failed = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1
    assert len(log.read_text().splitlines()) == 1, log.read_text()


def test_the_systemd_unit_runs_as_printed(replica, database_url, install_dir, tmp_path):
    (block,) = blocks(section("Cron"), "ini")
    service = block.split("# /etc/systemd/system/presseportal-crawl.timer")[0]
    values: dict[str, list[str]] = {}
    for line in service.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            values.setdefault(key.strip(), []).append(value.strip())
    assert values["Type"] == ["oneshot"]
    workdir = values["WorkingDirectory"][0].replace("/opt/presseportal-ingest", str(install_dir))
    argv = values["ExecStart"][0].replace("/opt/presseportal-ingest", str(install_dir)).split()
    # systemd's environment: its own PATH and the unit's Environment= lines
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"}
    for assignment in values["Environment"]:
        name, _, value = assignment.partition("=")
        env[name] = value.replace("postgresql://ingest@db/presse", url_of(database_url))
    env.update(PRESSEPORTAL_BASE_URL=replica.base_url, PRESSEPORTAL_PROFILE="replica")
    done = subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout == "" and done.stderr == "", "the journal stays empty on a good run"
    timer = block.split("# /etc/systemd/system/presseportal-crawl.timer")[1]
    assert "OnCalendar=*:0/15" in timer and "WantedBy=timers.target" in timer


def test_the_replica_commands_run_as_printed(database_url, install_dir):
    (block,) = blocks(section("The replica of presseportal.de"), "sh")
    serve, crawl = command_lines(block)
    server = subprocess.Popen(["sh", "-c", f"exec {serve}"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        base_url = server.stdout.readline().strip()
        if base_url != "http://127.0.0.1:8000":
            pytest.fail(f"the replica did not start on port 8000 as printed (taken?): {base_url!r}")
        env = dict(os.environ, DATABASE_URL=database_url)
        done = subprocess.run(["sh", "-c", crawl], cwd=install_dir, env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "new 300" in done.stderr
    finally:
        server.terminate()
        server.wait(timeout=30)
