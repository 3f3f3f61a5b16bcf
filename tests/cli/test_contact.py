"""An identified bot: a crawl or backfill of the live site without PRESSEPORTAL_CONTACT
warns once, at its start, in one line naming the setting; the cron pre-check and the full
crawl it falls through to say it once between them; the replica, a contact and -q never.
A contact that reaches nobody (neither an http(s) URL nor a mail address) is refused by
every command that would ask the live site with it: one line, exit 2; the replica takes it.

The live site is never asked: its stand-in is https://presseportal.invalid, a host that
never resolves (RFC 2606), with the live profile, so each crawl ends at once (exit 1)."""

from __future__ import annotations

import subprocess

import pytest

from tests.helpers import presseportal, run_scrapy

pytestmark = pytest.mark.slow

LIVE_STAND_IN = {"PRESSEPORTAL_BASE_URL": "https://presseportal.invalid", "PRESSEPORTAL_PROFILE": "live",
                 "PRESSEPORTAL_CONTACT": ""}
WARNING = "PRESSEPORTAL_CONTACT is not set"


def warnings(done: subprocess.CompletedProcess) -> list[str]:
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return [line for line in done.stderr.splitlines() if WARNING in line]


@pytest.mark.parametrize("command", [["crawl"], ["backfill", "--since", "2024-01-01"]])
def test_a_crawl_of_the_live_site_without_a_contact_warns_once_at_its_start(replica, database_url, command):
    done = presseportal(replica, *command, database_url=database_url, **LIVE_STAND_IN)
    assert done.returncode == 1, done.stderr[-2000:]
    (line,) = warnings(done)
    assert "WARNING" in line and "presseportal.invalid" in line and "mailto:" in line
    first_request = next(n for n, text in enumerate(done.stderr.splitlines()) if "presseportal.invalid/" in text)
    assert done.stderr.splitlines().index(line) < first_request, "at the start, before the site is asked"


def test_the_pre_check_and_the_full_crawl_it_falls_through_to_warn_once(replica, database_url):
    # a first crawl keeps the newsroom's validators: the next cron run's pre-check asks the site
    assert presseportal(replica, "crawl", database_url=database_url).returncode == 0
    done = presseportal(replica, "crawl", database_url=database_url, **LIVE_STAND_IN)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "pre-check:" in done.stderr and "running the full crawl" in done.stderr, "it asked, then fell through"
    assert len(warnings(done)) == 1, done.stderr[-3000:]


@pytest.mark.parametrize("args, env", [
    ([], {"PRESSEPORTAL_CONTACT": "mailto:ops@example.org"}),
    ([], {"PRESSEPORTAL_CONTACT": "ops@example.org"}),
    (["-s", "PRESSEPORTAL_CONTACT=https://example.org/our-crawler"], {}),
], ids=["contact", "plain-mail-address", "contact-with-s"])
def test_a_contact_says_nothing_of_it(replica, database_url, args, env):
    # no retries of the dead host: the warning is said at the start or never
    done = presseportal(replica, "crawl", "-s", "RETRY_ENABLED=False", *args, database_url=database_url,
                        **{**LIVE_STAND_IN, **env})
    assert done.returncode == 1, done.stderr[-2000:]
    assert warnings(done) == []


def test_a_quiet_cron_run_says_nothing_of_it_on_either_path(replica, database_url):
    # quiet prints nothing on success (cron mails any output): the pre-check asks, falls through
    assert presseportal(replica, "crawl", database_url=database_url).returncode == 0
    done = presseportal(replica, "-q", "crawl", database_url=database_url, **LIVE_STAND_IN)
    assert done.returncode == 1, done.stderr[-2000:]
    assert warnings(done) == []


def test_the_replica_says_nothing_of_it(replica, database_url):
    done = presseportal(replica, "crawl", database_url=database_url, PRESSEPORTAL_CONTACT="")
    assert done.returncode == 0, done.stderr[-2000:]
    assert warnings(done) == []


# --- a contact that reaches nobody: refused before the site is asked, as a usage error --------------

NOT_A_CONTACT = {**LIVE_STAND_IN, "PRESSEPORTAL_CONTACT": "not a contact"}
REFUSAL = "PRESSEPORTAL_CONTACT must be an http(s) URL or a mail address"


def refused(done: subprocess.CompletedProcess, value: str = "not a contact") -> None:
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if REFUSAL in line]
    assert len(lines) == 1 and repr(value) in lines[0], done.stderr[-2000:]
    assert "presseportal.invalid/" not in done.stderr, "refused before the site is asked"


@pytest.mark.parametrize("command", [
    ["crawl"], ["-q", "crawl"], ["backfill", "--since", "2024-01-01"], ["worker"], ["schedule"],
], ids=["crawl", "quiet-cron", "backfill", "worker", "schedule"])
def test_a_contact_that_reaches_nobody_is_refused_by_every_command_that_asks_the_live_site(
        replica, database_url, command):
    # -q too: a warning there would never be seen, and the site would be told nonsense for good
    refused(presseportal(replica, *command, database_url=database_url, timeout=60, **NOT_A_CONTACT))


def test_a_contact_given_with_s_is_checked_too(replica, database_url):
    done = presseportal(replica, "crawl", "-s", "PRESSEPORTAL_CONTACT=www.example.org", database_url=database_url,
                        **LIVE_STAND_IN)
    refused(done, "www.example.org")


@pytest.mark.parametrize("args, env", [
    ([], NOT_A_CONTACT),
    (["-s", "PRESSEPORTAL_CONTACT=not a contact"], LIVE_STAND_IN),
], ids=["environment", "with-s"])
def test_scrapy_crawl_refuses_a_contact_that_reaches_nobody(replica, database_url, args, env):
    refused(run_scrapy(replica, *args, database_url=database_url, timeout=60, **env))


def test_the_replica_takes_any_contact(replica, database_url):
    # as it never warns of a missing one: nobody on loopback reads the User-Agent
    done = presseportal(replica, "crawl", database_url=database_url, PRESSEPORTAL_CONTACT="not a contact")
    assert done.returncode == 0, done.stderr[-2000:]
    assert REFUSAL not in done.stderr
