"""What the commands share: project settings, the store for reading, usage errors, the
argument types that turn bad values into usage errors, output."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler import db
from crawler.items import Newsroom
from crawler.normalize.dates import BERLIN
from crawler.spiders.presseportal import parse_window
from crawler.state import parse_newsrooms, parse_publishers


class UsageError(Exception):
    """A command was called wrong: exit status 2 with the command's usage."""


def window_and_publishers(args) -> tuple[date | None, date | None, list[int] | None]:
    """The `--since` and `--until` days (`--until` where the command has it) and the
    `--publisher` ids of a command that reads the store, None when not given; a
    malformed one, or since after until, is a usage error."""
    try:
        since, until = parse_window(args.since, getattr(args, "until", None))
        return since, until, parse_publishers(args.publisher) if args.publisher else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def asked_newsrooms(args, *, required: bool = False) -> list[Newsroom] | None:
    """The newsrooms of `--publisher` and `--office` (comma separated ids; publishers
    first), None when neither is given (a usage error when `required`); a malformed or
    empty id list is a usage error naming the option."""
    for option, value in (("--publisher", args.publisher), ("--office", args.office)):
        if value is not None and not value.strip():
            raise UsageError(f"{option} needs at least one id")
    if args.publisher is None and args.office is None:
        if required:
            raise UsageError("name the newsrooms: --publisher and/or --office")
        return None
    try:
        return parse_newsrooms(args.publisher, args.office)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def say_empty_newsrooms(conn, newsrooms: list[Newsroom]) -> list[Newsroom]:
    """One line on stderr for each newsroom asked for of which the store holds no release
    (`conn` None: nothing stored yet), naming the other kind when it has releases under
    the same number (an office's number given as `--publisher`); those newsrooms."""
    from crawler.db import newsrooms as newsrooms_db

    asked = newsrooms_db.holdings(conn, newsrooms) if conn is not None else []
    others = {h.newsroom: h.releases for h in newsrooms_db.holdings(
        conn, [n.other_kind() for n in newsrooms])} if conn is not None else {}
    empty = [h.newsroom for h in asked if not h.releases] if conn is not None else list(newsrooms)
    for newsroom in empty:
        other = newsroom.other_kind()
        hint = (f"; {other} has {others[other]}: --{other.kind} {other.id}?" if others.get(other) else "")
        err(f"{newsroom}: no release of this newsroom is stored{hint}")
    return empty


def project_settings(overrides: dict[str, Any] | None = None):
    """Scrapy's project settings (crawler/settings.py, which reads the environment), with
    `overrides` at command-line priority."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    # imported here: Scrapy's settings machinery is not needed by `--help`
    from scrapy.utils.project import get_project_settings

    from crawler.environment import BadEnvironment, check

    settings = get_project_settings()
    try:
        check(settings)
    except BadEnvironment as exc:  # crawler/settings.py read a malformed variable
        raise UsageError(str(exc)) from None
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def checked_settings(overrides: dict[str, Any] | None = None):
    """`project_settings`, with the profile checked against the base URL (a usage error
    otherwise: the replica profile only on loopback) and the contact a site off loopback is
    told (PRESSEPORTAL_CONTACT, also given with -s: a URL or mail address, or none)."""
    from crawler.profiles import ProfileError, check

    settings = project_settings(overrides)
    try:
        check(settings.get("PRESSEPORTAL_PROFILE"), settings.get("PRESSEPORTAL_BASE_URL"),
              settings.get("PRESSEPORTAL_CONTACT"))
    except ProfileError as exc:
        raise UsageError(str(exc)) from None
    return settings


def warn_missing_contact(settings, *, quiet: bool) -> None:
    """For a command about to ask the site outside a crawl (a worker, `schedule`): the one
    warning when it is the live site and the User-Agent names no contact
    (`crawler.profiles.missing_contact`); none under `-q`, which prints nothing on success."""
    from crawler.profiles import warn_missing_contact as warn

    if not quiet:
        warn(logging.getLogger("crawler.cli"), settings.get("PRESSEPORTAL_BASE_URL"), settings.get("USER_AGENT"))


def site_access(settings):
    """How the queue's refresh reaches the site (`crawler.queue.refresh.SiteAccess`): base
    URL, User-Agent, the site's budget, the download timeout, how long "slow down" holds
    the site back, and robots.txt, from the settings (as a crawl's)."""
    from crawler.budget import site_budget
    from crawler.queue.refresh import SiteAccess

    return SiteAccess(base_url=settings.get("PRESSEPORTAL_BASE_URL"), user_agent=settings.get("USER_AGENT"),
                      budget=site_budget(settings), timeout=settings.getfloat("DOWNLOAD_TIMEOUT"),
                      push_seconds=settings.getfloat("SITE_BUDGET_PUSH_SECONDS"),
                      retry_after_max=settings.getfloat("RETRY_AFTER_MAX_SECONDS"),
                      obey_robots=settings.getbool("ROBOTSTXT_OBEY"))


def database_url(settings=None) -> str:
    """The store's conninfo (resolved once per process; the embedded server when none is
    configured). Raises `db.DatabaseUnavailable`."""
    settings = settings or project_settings()
    return db.resolve_database_url(settings)


class SchemaBehind(db.DatabaseUnavailable):
    """The database's schema is older than this code: reading it would fail."""


@contextlib.contextmanager
def reading_store() -> Iterator[Any]:
    """A connection for a command that only reads, or None for an empty store (no schema
    yet: nothing was ever stored). Never migrates; a schema older than the code raises
    `SchemaBehind` (exit status 69) naming the command that brings it up to date."""
    url = database_url()
    with db.connect(url) as conn:
        status = db.schema_status(conn)
        if status.empty:
            yield None
            return
        if not status.current:
            raise SchemaBehind(
                f"the database at {db.describe(url)} lacks migrations {', '.join(status.pending)}: "
                "run `presseportal db upgrade` (or any crawl) first"
            )
        yield conn


def fmt_time(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M %Z") if value is not None else "-"


# a date an import knew only to the day or the month is stored as the period's first
# instant in Berlin (crawler/normalize/precision.py): shown as that day or month of
# Berlin's calendar, never as a made-up time ("2021-02-14 23:00 UTC" for 2021-02-15)
_PERIOD_FORMATS = {"day": "%Y-%m-%d", "month": "%Y-%m"}


def fmt_published(value: datetime | None, precision: str) -> str:
    """A release's publication as far as it is known: "2021-02-15" (a day), "2021-02"
    (a month), else the minute as `fmt_time`; "-" without a date."""
    if value is None:
        return "-"
    if precision in _PERIOD_FORMATS:
        return value.astimezone(BERLIN).strftime(_PERIOD_FORMATS[precision])
    return fmt_time(value)


def published_iso(value: datetime | None, precision: str) -> str | None:
    """ISO 8601 of a publication for exports: a day or a month with Berlin's offset, whose
    date part is that day ("2021-02-15T00:00:00+01:00", the instant stored, as a feed
    export of the import writes it), else as stored (UTC); None without a date."""
    if value is None:
        return None
    return (value.astimezone(BERLIN) if precision in _PERIOD_FORMATS else value).isoformat()


OPENING_WORDS = 8  # how much of its text names a release without a title


def release_title(row: dict[str, Any]) -> str:
    """A release's title; without one (an import of a flattened line) its first words,
    marked as such: "(no title) Noch eine Meldung ohne Titel über Homeoffice …"."""
    if row["title"]:
        return row["title"]
    words = (row.get("opening") or "").split()
    if not words:
        return "(no title, no text)"
    more = " …" if len(words) > OPENING_WORDS else ""
    return f"(no title) {' '.join(words[:OPENING_WORDS])}{more}"


def release_address(row: dict[str, Any]) -> str:
    """A release's URL; without one (an import that named none), where it was imported
    from: "(no URL: imported from dump.txt:17)"."""
    if row["url"]:
        return row["url"]
    where = row.get("imported_from")
    return f"(no URL: imported from {where})" if where else "(no URL: imported)"


def duration_seconds(start: datetime | None, end: datetime | None) -> float | None:
    """Seconds between two instants; None while either is missing (a run still going)."""
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)


def fmt_duration(seconds: float | None) -> str:
    """`4.2s`, `3m05s`, `2h14m`; `-` when unknown."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


# --- argument types: a bad value is a usage error naming the option ------------------------


def at_least(minimum: int):
    """An argparse type: a whole number of `minimum` or more."""
    def whole_number(text: str) -> int:
        value = _int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum} or more, not {text}")
        return value
    return whole_number


positive_int = at_least(1)
non_negative_int = at_least(0)


def ratio(text: str) -> float:
    """A share between 0 and 1 (0.95 means 95 %)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number between 0 and 1, not {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (0.95 means 95%), not {text}")
    return value


def output_file(text: str) -> Path:
    """An argparse type: a file to write (`-o` of report, metrics, export), whose folder
    must be there and which, if it exists, is a regular file: anything else is the
    caller's slip (exit 2), found before the store is read; a write that fails later is
    an error (1)."""
    path = Path(text)
    if not path.name or path.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: a directory, not a file")
    if path.exists() and not path.is_file():
        # the file is written beside the target and renamed over it: over /dev/null (as
        # root) that would leave a plain file where the machine's device was
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: not a regular file (a device or a pipe); "
                                         "leave out -o to print")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: no directory {str(path.parent)!r}")
    return path


def http_url(text: str) -> str:
    """An argparse type: an http or https URL with a host (`--push` of metrics:
    http://pushgateway:9091); anything else is a usage error before the store is read,
    never a failed connection to a host named like the typo."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a port that is no number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"must be an http(s) URL with a host, such as http://host:9091, not {text!r}")
    return text


def _int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if abs(value) > 2**31 - 1:
        raise argparse.ArgumentTypeError(f"is too large: {text}")
    return value


def parse_setting(item: str) -> tuple[str, str]:
    """A `-s NAME=VALUE` Scrapy setting as (name, value); a usage error otherwise."""
    name, sep, value = item.partition("=")
    if not sep or not name:
        raise UsageError(f"-s takes NAME=VALUE, got {item!r}")
    return name, value


def err(message: str) -> None:
    """One line for people on stderr, prefixed with the command's name."""
    print(f"presseportal: {message}", file=sys.stderr)


def table(headers: list[str], rows: list[list[Any]], right: set[int] = frozenset(), indent: str = "  ") -> str:
    """Rows as aligned text columns under their headers (columns in `right` right-aligned),
    one line per row, whatever the width of any value."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        parts = [value.rjust(widths[i]) if i in right else value.ljust(widths[i])
                 for i, value in enumerate(row)]
        lines.append((indent + "  ".join(parts)).rstrip())
    return "\n".join(lines) + "\n"
