"""The live-site profile is polite; the replica profile only drops the delays."""

from __future__ import annotations

import importlib
import os
from types import SimpleNamespace

import pytest

from crawler.middlewares import retry_after_seconds


def load_settings(profile: str):
    old = os.environ.get("PRESSEPORTAL_PROFILE")
    os.environ["PRESSEPORTAL_PROFILE"] = profile
    try:
        import crawler.settings

        module = importlib.reload(crawler.settings)
        return SimpleNamespace(**{k: getattr(module, k) for k in dir(module) if k.isupper()})
    finally:
        if old is None:
            os.environ.pop("PRESSEPORTAL_PROFILE")
        else:
            os.environ["PRESSEPORTAL_PROFILE"] = old
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
    assert "http" in s.USER_AGENT and "presseportal-ingest" in s.USER_AGENT
    assert s.PRESSEPORTAL_BASE_URL == os.environ.get("PRESSEPORTAL_BASE_URL", "https://www.presseportal.de")


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
