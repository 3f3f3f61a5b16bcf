"""Crawl profiles: how hard a crawl may push the site it talks to.

- `live` (the default): the politeness of `crawler/settings.py`, for presseportal.de.
- `replica`: no delays, no shared site budget, 16 requests at a time, short timeouts; for the project's replica
  of the site on loopback (the demo, the tests, the benchmarks), and refused for any
  other host, so that a stray environment variable cannot turn it on a real site.

`crawler/settings.py` reads the name (`profile_named`: any case; an unknown one is kept
as an environment error, which every `presseportal` command, `scrapy crawl`, the worker
and the cron pre-check refuse with exit 2) and applies the profile's overrides; the
spider, `scrapy crawl` and the `presseportal` command call `check` before the first request. Here too, for every
component that talks to the site (Scrapy's middlewares and the cron pre-check alike):
the User-Agent (`user_agent`; `warn_missing_contact`: one warning when a crawl of the live
site names no contact; `contact_problem`: a contact that reaches nobody, which `check`
refuses), how long a site's `Retry-After` asks us to wait
(`retry_after_seconds`) and how long an answer holds every worker back (`push_back_seconds`,
for the crawl's site budget, the pre-check and the queue's refresh), and what a robots.txt
answer allows outside Scrapy (`robots_rules`, for the pre-check and the refresh).
"""

from __future__ import annotations

import email.utils
import ipaddress
import re
import time
from urllib.parse import urlsplit

PROFILES: dict[str, dict[str, object]] = {
    "live": {},
    "replica": {
        "DOWNLOAD_DELAY": 0,
        "DOWNLOAD_DELAY_JITTER": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "DOWNLOAD_TIMEOUT": 10,
        "RETRY_AFTER_MAX_SECONDS": 5,
        # no shared budget on loopback unless PRESSEPORTAL_SITE_BUDGET says so
        "SITE_BUDGET_DEFAULT": 0,
    },
}
LOOPBACK_ONLY = {"replica"}
# the embedded server's database of each profile (unless PRESSEPORTAL_EMBEDDED_DB names
# one): the replica's invented stories, whose ids look like the site's, must never sit in
# the store a live crawl reads as what it already has
EMBEDDED_DATABASES = {"live": "presseportal", "replica": "presseportal_replica"}


class ProfileError(ValueError):
    """The profile is unknown, or may not be used for this site (a usage error: exit 2)."""


class ContactError(ProfileError):
    """PRESSEPORTAL_CONTACT names nobody the site's people could reach (a usage error: exit 2)."""


def is_loopback(host: str) -> bool:
    """`localhost`, 127.0.0.0/8 or ::1."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def profile_named(value: str | None) -> str:
    """The profile a PRESSEPORTAL_PROFILE value names: one of `PROFILES`, in any case and
    with blanks around it (``Replica`` is the replica profile, for every command alike);
    unset or blank: ``live``. Raises `ProfileError` (one line) for any other value, which
    every command refuses (a mistyped profile once wrote a replica's import into the
    live site's store)."""
    name = (value or "").strip().lower() or "live"
    if name not in PROFILES:
        raise ProfileError(f"unknown PRESSEPORTAL_PROFILE {value!r}: use one of {', '.join(PROFILES)}")
    return name


def check(profile: str, base_url: str, contact: str = "") -> None:
    """Raise `ProfileError` (one line, naming the fix) for an unknown profile, or a
    loopback-only profile pointed at another host; `ContactError` for a `contact`
    (PRESSEPORTAL_CONTACT) that is set but no way to reach anyone, when the site is not
    on loopback (`contact_problem`). Every front door that starts a crawl passes the
    contact: the CLI, `scrapy crawl`, the spider, the cron pre-check."""
    profile = profile_named(profile)
    parts = urlsplit(base_url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProfileError(f"PRESSEPORTAL_BASE_URL must be an http(s) URL, not {base_url!r}")
    if profile in LOOPBACK_ONLY and not is_loopback(parts.hostname):
        raise ProfileError(
            f"PRESSEPORTAL_PROFILE={profile} (no delays, 16 requests at a time) is for the replica "
            f"on loopback only, not for {parts.hostname}: unset it to crawl {parts.hostname} politely"
        )
    problem = None if is_loopback(parts.hostname) else contact_problem(contact)
    if problem:
        raise ContactError(f"{problem}; it goes into the User-Agent sent to {parts.hostname}")


def user_agent(contact: str = "") -> str:
    """The crawler's User-Agent: the project and, when the operator set one
    (PRESSEPORTAL_CONTACT), the URL or mail address where the site's people reach them.
    Without a contact it names none rather than a page that does not exist."""
    who = f"+{contact.strip()}; " if contact and contact.strip() else ""
    return f"presseportal-ingest/0.1 ({who}press-release archiver; obeys robots.txt)"


# a mail address as people write it: one @, a domain with a dot
_MAIL = re.compile(r"[^@]+@[^@.]+(?:\.[^@.]+)+")
# what would end the User-Agent's comment, or the header, early: blanks, controls, ( ) \\
_BREAKS_USER_AGENT = re.compile(r"[\s()\\\x00-\x1f\x7f]")


def contact_problem(contact: str | None) -> str | None:
    """Why `contact` (PRESSEPORTAL_CONTACT) reaches nobody, in one line naming the fix;
    None for an http(s) URL with a host, a `mailto:` address or a plain mail address, and
    for none at all (`missing_contact` warns of that). A contact that is set but reaches
    nobody is refused, not warned of: it was set to identify the operator to the site's
    people, the User-Agent would carry the mistake to every page asked for, and a cron
    run's -q would hide a warning for good (Heritrix, too, does not launch a crawl whose
    operator contact URL is no URL)."""
    text = (contact or "").strip()
    if not text or (not _BREAKS_USER_AGENT.search(text) and _reaches(text)):
        return None
    why = (" (no blanks or parentheses: the User-Agent carries it as written)"
           if _BREAKS_USER_AGENT.search(text) else "")
    return (f"PRESSEPORTAL_CONTACT must be an http(s) URL or a mail address the site's people can reach"
            f"{why}, e.g. https://example.org/about-our-crawler, mailto:you@example.org or "
            f"you@example.org; not {text!r}")


def _reaches(text: str) -> bool:
    if text.lower().startswith("mailto:"):
        return _MAIL.fullmatch(text[len("mailto:"):]) is not None
    if "://" not in text:
        return _MAIL.fullmatch(text) is not None
    try:
        parts = urlsplit(text)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # "http://[broken"
        return False


def missing_contact(base_url: str, agent: str) -> str | None:
    """The warning (one line) for a crawl about to ask `base_url` with the User-Agent
    `agent` when that names nobody to reach: PRESSEPORTAL_CONTACT unset and USER_AGENT
    not set by hand. None when it names someone, or for a site on loopback (the replica:
    the tests, the demo, the benchmarks). `base_url` has passed `check`."""
    host = urlsplit(base_url).hostname or ""
    if agent != user_agent() or is_loopback(host):
        return None
    return (f"PRESSEPORTAL_CONTACT is not set: the requests to {host} name nobody the site can reach; "
            "set it to your URL or mail address (e.g. PRESSEPORTAL_CONTACT=mailto:you@example.org), "
            "which goes into the User-Agent")


# the cron pre-check and the full crawl it falls through to run in one process: one warning
_contact_warned = False


def warn_missing_contact(logger, base_url: str, agent: str) -> None:
    """Log `missing_contact`'s line as a warning on `logger`, once per process."""
    global _contact_warned
    line = missing_contact(base_url, agent)
    if line and not _contact_warned:
        _contact_warned = True
        logger.warning(line)


def retry_after_seconds(value: bytes | str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    try:
        return max(0.0, float(text))  # delta-seconds (some servers send "1.5" or "-1")
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def push_back_seconds(status: int, retry_after: bytes | str | None, *, default: float, longest: float) -> float:
    """How long (seconds; 0: not at all) every worker leaves the site alone after an answer
    with this status and Retry-After header: what the Retry-After asks (on any answer), else
    `default` (SITE_BUDGET_PUSH_SECONDS) for a 429 without one, and never more than
    `longest` (RETRY_AFTER_MAX_SECONDS: a site asking for a day must not stall the crawl for
    a day). The one reading of "slow down" for the crawl's site budget, the cron pre-check
    and the queue's refresh, so a site's answer holds back every path alike."""
    wait = retry_after_seconds(retry_after)
    if status == 429 and wait is None:
        wait = default
    return min(wait or 0.0, longest)


def robots_rules(status: int, body: bytes):
    """What a robots.txt answer allows, for requests made outside Scrapy (the cron
    pre-check, the queue's refresh): a `protego.Protego` (`can_fetch(url, user_agent)`)
    of a 2xx answer's body (protego is Scrapy's default robots.txt parser); a 4xx other
    than 429 (no robots.txt) allows everything (RFC 9309, 2.3.1.3). None for anything
    else (a 5xx, a 429, a redirect not followed): the site's rules are unknown, so
    nothing else is asked of it now (RFC 9309, 2.3.1.4)."""
    from protego import Protego  # imported here: the pre-check loads only what it uses

    if 200 <= status < 300:
        return Protego.parse(body.decode("utf-8", errors="ignore"))
    if 400 <= status < 500 and status != 429:
        return Protego.parse("")
    return None
