"""The live-site profile is polite; the replica profile only drops the delays."""

from __future__ import annotations

import importlib
import os
from types import SimpleNamespace

import pytest

from crawler.middlewares import retry_after_seconds
from crawler.profiles import push_back_seconds, robots_rules


def load_settings(profile: str, **env: str):
    env = {"PRESSEPORTAL_PROFILE": profile, "PRESSEPORTAL_CONTACT": "", **env}
    old = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        import crawler.settings

        module = importlib.reload(crawler.settings)
        return SimpleNamespace(**{k: getattr(module, k) for k in dir(module) if k.isupper()})
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name)
            else:
                os.environ[name] = value
        import crawler.settings

        importlib.reload(crawler.settings)


def test_live_profile_is_polite():
    s = load_settings("live")
    assert s.ROBOTSTXT_OBEY is True
    assert s.DOWNLOAD_DELAY * (1 - s.DOWNLOAD_DELAY_JITTER) >= 1 - 1e-9, "never less than 1 s, jitter included"
    assert s.AUTOTHROTTLE_ENABLED
    assert s.CONCURRENT_REQUESTS_PER_DOMAIN <= 2
    assert 429 in s.RETRY_HTTP_CODES and 503 in s.RETRY_HTTP_CODES
    assert s.DOWNLOAD_TIMEOUT > 0
    assert "presseportal-ingest" in s.USER_AGENT and "robots.txt" in s.USER_AGENT
    # no contact set: the User-Agent names none, rather than a page that does not exist
    assert "http" not in s.USER_AGENT and "+" not in s.USER_AGENT
    assert s.PRESSEPORTAL_BASE_URL == os.environ.get("PRESSEPORTAL_BASE_URL", "https://www.presseportal.de")


def test_the_user_agent_names_the_contact_the_operator_sets():
    s = load_settings("live", PRESSEPORTAL_CONTACT="https://newsroom.example.org/bot")
    assert "(+https://newsroom.example.org/bot;" in s.USER_AGENT
    assert s.PRESSEPORTAL_CONTACT == "https://newsroom.example.org/bot"


def test_a_contact_given_as_a_setting_reaches_the_user_agent():
    from scrapy.settings import Settings

    from crawler.spiders.presseportal import PresseportalSpider

    settings = Settings({"USER_AGENT": "project default"}, priority="project")
    settings.set("PRESSEPORTAL_CONTACT", "mailto:ops@example.org", priority="cmdline")
    PresseportalSpider.update_settings(settings)
    assert "(+mailto:ops@example.org;" in settings["USER_AGENT"]
    # a User-Agent set by hand wins over the contact
    settings.set("USER_AGENT", "mine/1.0", priority="cmdline")
    PresseportalSpider.update_settings(settings)
    assert settings["USER_AGENT"] == "mine/1.0"


def test_an_unknown_profile_name_is_not_silently_live():
    from crawler.profiles import ProfileError, check

    with pytest.raises(ProfileError, match="unknown PRESSEPORTAL_PROFILE 'relpica'"):
        check("relpica", "http://127.0.0.1:8000")


@pytest.mark.parametrize("url, allowed", [
    ("http://127.0.0.1:8000", True), ("http://localhost:8000", True), ("http://127.8.9.10", True),
    ("http://[::1]:8000", True), ("https://www.presseportal.de", False), ("http://10.0.0.5:8000", False),
    ("http://127.0.0.1.nip.io", False), ("http://localhost.evil.org", False),
])
def test_the_replica_profile_is_for_loopback_only(url, allowed):
    from crawler.profiles import ProfileError, check

    check("live", url)  # the live profile goes anywhere
    if allowed:
        check("replica", url)
    else:
        with pytest.raises(ProfileError, match="loopback only"):
            check("replica", url)


def test_replica_profile_keeps_robots_but_drops_delays():
    s = load_settings("replica")
    assert s.ROBOTSTXT_OBEY is True
    assert s.DOWNLOAD_DELAY == 0 and not s.AUTOTHROTTLE_ENABLED


def test_asyncio_reactor():
    s = load_settings("live")
    assert s.TWISTED_REACTOR.endswith("AsyncioSelectorReactor")


@pytest.mark.parametrize("header, expected", [
    (b"5", 5.0),
    ("120", 120.0),
    (None, None),
    (b"soon", None),
    (b"1.5", 1.5),
    (b"-3", 0.0),
])
def test_retry_after_seconds(header, expected):
    assert retry_after_seconds(header) == expected


def test_retry_after_http_date():
    from email.utils import formatdate

    now = 1_700_000_000.0
    assert retry_after_seconds(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1)
    assert retry_after_seconds(formatdate(now - 30, usegmt=True), now=now) == 0.0


@pytest.mark.parametrize("status, header, expected", [
    (429, b"2", 2.0),  # what the site asks
    (429, None, 5.0),  # a 429 without Retry-After: SITE_BUDGET_PUSH_SECONDS
    (503, b"7", 7.0),  # a Retry-After on any answer
    (200, b"3", 3.0),
    (503, None, 0.0),  # a 5xx alone asks nobody to wait
    (200, None, 0.0),
    (429, b"0", 0.0),  # "come back now"
    (429, b"86400", 300.0),  # a day is capped at RETRY_AFTER_MAX_SECONDS
])
def test_what_an_answer_says_about_waiting_is_one_rule_for_every_path(status, header, expected):
    # the budget middleware, the cron pre-check and the queue's refresh all push the site's
    # budget back by this reading
    assert push_back_seconds(status, header, default=5.0, longest=300.0) == expected


@pytest.mark.parametrize("status, body, feed_allowed", [
    (200, b"User-agent: *\nDisallow: /rss/\n", False),
    (200, b"User-agent: *\nDisallow: /images/\n", True),
    (404, b"<html>User-agent: *\nDisallow: /</html>", True),  # no robots.txt: everything allowed
    (410, b"", True),
])
def test_a_robots_txt_answer_allows_what_it_says_and_an_absent_one_everything(status, body, feed_allowed):
    rules = robots_rules(status, body)
    assert rules.can_fetch("https://www.presseportal.de/rss/presseportal.rss2", "presseportal-ingest") is feed_allowed


@pytest.mark.parametrize("status", [500, 503, 429, 301])
def test_a_robots_txt_that_cannot_be_read_leaves_the_rules_unknown(status):
    # a 5xx (RFC 9309: unreachable) or a 429: nothing else is asked of the site for now
    assert robots_rules(status, b"User-agent: *\nAllow: /\n") is None


# --- an identified bot: a crawl of the live site without a contact says so -----------------------

LIVE = "https://www.presseportal.de"


def test_the_live_site_without_a_contact_gets_one_line_naming_the_setting():
    from crawler.profiles import missing_contact, user_agent

    line = missing_contact(LIVE, user_agent(""))
    assert line is not None and "\n" not in line
    assert "PRESSEPORTAL_CONTACT" in line and "www.presseportal.de" in line
    assert "mailto:" in line and "URL" in line, "it says what to set it to"


@pytest.mark.parametrize("base_url, agent", [
    (LIVE, "presseportal-ingest/0.1 (+mailto:ops@example.org; press-release archiver; obeys robots.txt)"),
    (LIVE, "mine/1.0 (+https://example.org/bot)"),  # a User-Agent set by hand
    ("http://127.0.0.1:8000", None),  # the replica: the tests, the demo, the benchmarks
    ("http://localhost:8000", None),
], ids=["contact", "own-user-agent", "replica", "localhost"])
def test_no_warning_with_a_contact_or_for_the_replica(base_url, agent):
    from crawler.profiles import missing_contact, user_agent

    assert missing_contact(base_url, user_agent("") if agent is None else agent) is None


@pytest.fixture
def not_warned_yet(monkeypatch):
    import crawler.profiles

    monkeypatch.setattr(crawler.profiles, "_contact_warned", False)


def test_the_spider_warns_once_per_process_when_it_is_made_for_the_live_site(not_warned_yet, caplog):
    import logging

    from scrapy.utils.test import get_crawler

    from crawler.profiles import user_agent
    from crawler.spiders.presseportal import PresseportalSpider

    def make(**settings):
        # the project's User-Agent (crawler/settings.py) with no contact; not Scrapy's default
        crawler = get_crawler(PresseportalSpider, {"PRESSEPORTAL_PROFILE": "live", "USER_AGENT": user_agent(),
                                                   **settings})
        PresseportalSpider.from_crawler(crawler)

    with caplog.at_level(logging.WARNING):
        make(PRESSEPORTAL_BASE_URL="http://127.0.0.1:8000")
        assert "PRESSEPORTAL_CONTACT" not in caplog.text, "the replica on loopback: no warning"
        make(PRESSEPORTAL_BASE_URL=LIVE)
        make(PRESSEPORTAL_BASE_URL=LIVE)
    warnings = [r for r in caplog.records if "PRESSEPORTAL_CONTACT is not set" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING, caplog.text



# --- a contact that reaches nobody is refused for the live site ---------------------------------

@pytest.mark.parametrize("contact", [
    "", "https://example.org/about-our-crawler", "http://example.org", "mailto:ops@example.org",
    "MAILTO:ops@example.org", "ops@example.org", "  https://example.org  ",
])
def test_a_url_a_mail_address_or_none_is_a_contact(contact):
    from crawler.profiles import check, contact_problem

    assert contact_problem(contact) is None
    check("live", LIVE, contact)


@pytest.mark.parametrize("contact", [
    "not a contact", "www.example.org", "example.org/about", "ftp://example.org", "https://", "https:/example.org",
    "mailto:", "mailto:nobody", "ops@localhost", "http://[broken", "https://example.org/our crawler",
    "https://example.org/(bot)", "Erika Musterfrau <erika@example.org>",
])
def test_anything_else_is_refused_for_the_live_site_in_one_line_naming_the_fix(contact):
    from crawler.profiles import ContactError, ProfileError, check

    with pytest.raises(ContactError) as refused:
        check("live", LIVE, contact)
    line = str(refused.value)
    assert "\n" not in line and repr(contact.strip()) in line and "PRESSEPORTAL_CONTACT" in line
    assert "mailto:" in line and "https://" in line and "www.presseportal.de" in line, "it says what to set"
    assert isinstance(refused.value, ProfileError), "every front door already makes that a usage error"
    check("replica", "http://127.0.0.1:8000", contact)  # the replica takes it, as it takes none


def test_the_spider_made_for_the_live_site_refuses_a_contact_that_reaches_nobody():
    # Scrapyd starts the spider without our front doors: it refuses before the first request
    from scrapy.utils.test import get_crawler

    from crawler.profiles import ContactError
    from crawler.spiders.presseportal import PresseportalSpider

    crawler = get_crawler(PresseportalSpider, {"PRESSEPORTAL_PROFILE": "live", "PRESSEPORTAL_BASE_URL": LIVE,
                                               "PRESSEPORTAL_CONTACT": "not a contact"})
    with pytest.raises(ContactError):
        PresseportalSpider.from_crawler(crawler)
