"""The cron job's pre-check: a `presseportal crawl` that finds nothing new, answered
before Scrapy starts.

A cron run that finds nothing is one `304` per newsroom, and nearly all of its cost was
starting Scrapy (its engine, Twisted, TLS: more than half of the run's CPU before the
first request). So the `presseportal` command comes here first (`main`, the console
script). For a plain cron crawl (`crawl` with `--publisher` / `--office`, `-q` / `-v`,
`--max-errors`, `--min-coverage`; no `--story`, no `-s`) it:

1. reads `crawler/settings.py` (which imports no Scrapy) and the store: the schema
   brought up to date, as the command does; the run lock of the newsrooms taken, the
   very lock `RunLock` takes; no unfinished run of them (a dead one is marked
   abandoned by the full run), no spill file waiting, and the validators (ETag /
   Last-Modified) the last good run kept for every newsroom's first page;
2. asks the site as the spider would: robots.txt first (parsed by protego, Scrapy's
   default parser), then each newsroom's first page with its validators (`If-None-Match`,
   `If-Modified-Since`), with the project's User-Agent, each request taking its slot of
   the site's budget (`crawler.db.budget`, as the crawl's download handler does: a slot
   reserved in PostgreSQL, waited for, given up when missed or voided by a push back)
   and the crawl's delay between requests;
3. when every newsroom answered 304: writes the run as the run record writes a cron run
   that found nothing (a `crawl_runs` row, mode incremental, status success, its pages
   and times; `write_verdict`), prints the same summary line, and exits 0.

In any other case (news, a 429 or 5xx, a timeout, a redirect, no validators, robots.txt
forbidding the page, a database problem, the lock held, a command line it does not
know...) it lets go of everything and the full command runs as before, Scrapy and all:
which says what is wrong in its own words, retries, waits, and finds the news. The cost
of the pre-check is then its requests made again (robots.txt, and the first page of each
newsroom it asked for). A 429 or a `Retry-After`
it meets is first written into the site's budget (`push_back`), so the full run and
every other worker wait as the site asked. `PRESSEPORTAL_PRECHECK=0` switches it off.

It imports only what it uses: the standard library's HTTP client, protego, psycopg
through `crawler.db`, the settings module; never Scrapy (tests/cli/test_precheck.py).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from crawler import db, exitcodes
from crawler.db import budget
from crawler.items import Newsroom
from crawler.profiles import ProfileError, push_back_seconds, robots_rules, warn_missing_contact
from crawler.profiles import check as check_profile
from crawler.state import Validators, parse_newsrooms

logger = logging.getLogger(__name__)

# Scrapy's default request headers (DEFAULT_REQUEST_HEADERS) and the encodings its
# compression middleware asks for: the first page is asked for as the spider asks, since
# a server may tie its ETag to the encoding it answered with
REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": "gzip, deflate",
}


@dataclass(frozen=True)
class CronRun:
    """A plain cron crawl's command line: its newsrooms and how loud it is."""

    newsrooms: tuple[Newsroom, ...]
    quiet: bool = False
    verbose: bool = False


class FallThrough(Exception):
    """The pre-check cannot answer this run (why, for the log): the full crawl runs.
    `said_again`: the full command reports the same cause itself (a database away, a held
    lock), so the pre-check keeps its line for the debug log: one line per fault."""

    def __init__(self, why: str, *, said_again: bool = False) -> None:
        super().__init__(why)
        self.said_again = said_again


def main(argv: Sequence[str] | None = None) -> int:
    """The `presseportal` command: a cron crawl that finds nothing is answered here, every
    other command (and a cron crawl with news) by `crawler.cli.main`. The exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    code = answer(args)
    if code is not None:
        return code
    from crawler.cli import main as full_command

    return full_command(args)


def answer(argv: Sequence[str]) -> int | None:
    """Exit status 0 when the pre-check answered the run (every newsroom 304, the run
    recorded, its summary printed), 130 on Ctrl-C, None when the full command must run."""
    run = cron_run(argv)
    if run is None:
        return None
    try:
        settings = precheck_settings()
    except FallThrough:
        return None  # switched off, or the settings are the full command's to judge
    _log_to_stderr("WARNING" if run.quiet else "DEBUG" if run.verbose else settings.get("LOG_LEVEL", "INFO"))
    if not run.quiet:  # quiet prints nothing on success, as the full crawl's Scrapy log is off
        # before the site is asked; the full crawl this may fall through to is this process:
        # it does not say it again
        warn_missing_contact(logger, settings["PRESSEPORTAL_BASE_URL"], settings["USER_AGENT"])
    try:
        stats = check_newsrooms(run, settings)
    except FallThrough as why:
        logger.log(logging.DEBUG if why.said_again else logging.INFO, "pre-check: %s; running the full crawl", why)
        return None
    except KeyboardInterrupt:  # as the full command ends on Ctrl-C; the row is rolled back
        print("presseportal: interrupted", file=sys.stderr)
        return exitcodes.INTERRUPTED
    if not run.quiet:
        from crawler.summary import print_run_summary

        print_run_summary(stats)
    return exitcodes.OK


# --- the command line ---------------------------------------------------------------------------


def cron_run(argv: Sequence[str]) -> CronRun | None:
    """The `CronRun` of `[-q|-v] crawl [--publisher IDS] [--office IDS] [--max-errors N]
    [--min-coverage R] [-q|-v]`, or None for anything else or anything malformed (the
    full command parses it again and says what is wrong). `--max-errors` and
    `--min-coverage` judge pages and releases, which a run of 304s has none of."""
    args = list(argv)
    flags = {"-q": "quiet", "--quiet": "quiet", "-v": "verbose", "--verbose": "verbose"}
    leading = []
    while args and args[0] in flags:
        leading.append(flags[args.pop(0)])
    if not args or args.pop(0) != "crawl":
        return None
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False, exit_on_error=False)
    parser.add_argument("-q", "--quiet", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--publisher")
    parser.add_argument("--office")
    parser.add_argument("--max-errors", type=int)
    parser.add_argument("--min-coverage", type=float)
    try:
        options, unknown = parser.parse_known_args(args)
    except argparse.ArgumentError:
        return None
    quiet, verbose = options.quiet or "quiet" in leading, options.verbose or "verbose" in leading
    if unknown or (quiet and verbose) or (options.max_errors is not None and options.max_errors < 0) \
            or (options.min_coverage is not None and not 0 <= options.min_coverage <= 1):
        return None
    if any(value is not None and not value.strip() for value in (options.publisher, options.office)):
        return None  # an empty id list: the full command's usage error, never the default newsroom
    try:
        newsrooms = tuple(parse_newsrooms(options.publisher, options.office))
    except ValueError:
        return None  # the full command's message is the one people see
    return CronRun(newsrooms, quiet=quiet, verbose=verbose)


# --- the settings -------------------------------------------------------------------------------


def precheck_settings() -> dict[str, Any]:
    """The project settings as `crawler/settings.py` gives them (the environment read
    there), or FallThrough: the pre-check switched off, another settings module, a
    malformed variable, a profile or a contact refused for the site, no store."""
    module = os.environ.get("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    if module != "crawler.settings":
        raise FallThrough(f"SCRAPY_SETTINGS_MODULE is {module}")
    try:
        from crawler import settings as project
    except ValueError as exc:  # crawler.environment.BadEnvironment: a usage error of the full command
        raise FallThrough(str(exc)) from None
    # its own names only: the two _BASE lists Scrapy reads are computed with Scrapy
    settings = {name: value for name, value in vars(project).items() if name.isupper()}
    if settings["PRESSEPORTAL_ENVIRONMENT_ERRORS"]:
        # the full command makes it a usage error (exit 2); a cron run that finds nothing
        # must not pass with a typo that fails it on the first day with news
        raise FallThrough(settings["PRESSEPORTAL_ENVIRONMENT_ERRORS"][0])
    if not settings["PRESSEPORTAL_PRECHECK"]:
        raise FallThrough("PRESSEPORTAL_PRECHECK is off")
    if not settings["STORE_RELEASES"] or not settings["ROBOTSTXT_OBEY"]:
        raise FallThrough("no store, or robots.txt not obeyed")
    try:
        check_profile(settings["PRESSEPORTAL_PROFILE"], settings["PRESSEPORTAL_BASE_URL"],
                      settings["PRESSEPORTAL_CONTACT"])
    except ProfileError as exc:
        raise FallThrough(str(exc)) from None
    return settings


# --- the check ----------------------------------------------------------------------------------


def check_newsrooms(run: CronRun, settings: dict[str, Any]) -> dict[str, Any]:
    """Ask every newsroom's first page with its validators, under the run lock; when all
    answer 304, record the run. Returns the run's stats (as the summary reads them);
    FallThrough otherwise, with nothing recorded and the lock let go."""
    try:
        url = db.resolve_database_url(settings)
        db.ensure_schema(url)
        conn = db.connect(url)
    except db.DatabaseUnavailable as exc:
        raise FallThrough(f"database unavailable ({exc})", said_again=True) from None
    try:
        with conn:
            return _under_lock(conn, url, run, settings)
    except db.DatabaseUnavailable as exc:
        raise FallThrough(f"database unavailable ({exc})", said_again=True) from None
    except db.Error as exc:
        raise FallThrough(f"database error ({db.first_line(exc, url)})", said_again=True) from None


def _under_lock(conn, url: str, run: CronRun, settings: dict[str, Any]) -> dict[str, Any]:
    if not db.acquire_publisher_lock(conn, run.newsrooms):
        raise FallThrough("another run holds the lock", said_again=True)  # the full command names it, exit 75
    if db.unfinished_runs(conn, run.newsrooms):
        raise FallThrough("an unfinished run of these newsrooms")  # alive (75) or to be abandoned
    from crawler.db import spill

    found = spill.find(settings["STORE_SPILL_DIR"], url, spill.database_of(url, conn))
    if found.ours or found.unreadable:
        raise FallThrough("spill files wait for replay")
    validators = {}
    for newsroom in run.newsrooms:
        saved = Validators.from_dict(db.get_cursor(conn, db.newsroom_key(newsroom)))
        if not saved:
            raise FallThrough(f"no validators stored for {newsroom}")
        validators[newsroom] = saved
    from crawler.extensions._liveness import this_process_started

    # the row is written in the transaction that the answers commit (or roll back: a
    # run the full command makes again leaves no row of its own); its start is now
    with conn.transaction():
        run_id = db.start_run(conn, "incremental", run.newsrooms, process_started_at=this_process_started())
        with Site(url, settings) as site:
            site.obeys_robots()
            for newsroom in run.newsrooms:
                site.unchanged(newsroom, validators[newsroom])
        db.write_verdict(conn, db.RunVerdict(
            run_id=run_id, status="success", finished_at=datetime.now(UTC),
            counts={"pages": site.responses, "errors": 0, "coverage": {}},
            # a successful walk, as the run record's: an unfollowed newsroom is followed again
            newsrooms=list(run.newsrooms), follow=list(run.newsrooms)))
    return {"presseportal/run_id": run_id, "presseportal/run_status": "success",
            "response_received_count": site.responses}


class Site:
    """The site as the pre-check asks it: robots.txt, then conditional GETs of first pages;
    every request within the site's budget and the crawl's delay. Each method returns
    when the answer allows the pre-check to go on and raises FallThrough otherwise."""

    def __init__(self, database_url: str, settings: dict[str, Any]):
        self.base_url = settings["PRESSEPORTAL_BASE_URL"].rstrip("/")
        parts = urlsplit(self.base_url)
        self.host = parts.netloc  # the budget's key, as the download handler names the site
        self.https = parts.scheme == "https"
        self.user_agent = settings["USER_AGENT"]
        self.timeout = float(settings["DOWNLOAD_TIMEOUT"])
        # Scrapy spaces requests by DOWNLOAD_DELAY; AutoThrottle starts at its own delay
        self.delay = max(float(settings["DOWNLOAD_DELAY"]),
                         float(settings["AUTOTHROTTLE_START_DELAY"]) if settings["AUTOTHROTTLE_ENABLED"] else 0.0)
        per_second = settings["PRESSEPORTAL_SITE_BUDGET"]
        self.per_second = float(settings["SITE_BUDGET_DEFAULT"] if per_second is None else per_second)
        self.push_seconds = float(settings["SITE_BUDGET_PUSH_SECONDS"])
        self.retry_after_max = float(settings["RETRY_AFTER_MAX_SECONDS"])
        self.database_url = database_url
        self.responses = 0
        self.robots = None  # protego's reading of robots.txt, once asked for
        self.last_sent: float | None = None
        self.loop: asyncio.Runner | None = None
        self.budget_conn = None

    def __enter__(self) -> Site:
        if self.per_second > 0:
            self.loop = asyncio.Runner()
            self.budget_conn = self.loop.run(budget.connect_async(self.database_url))
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self.loop is not None:
            if self.budget_conn is not None:
                self.loop.run(self.budget_conn.close())
            self.loop.close()

    # --- what is asked ---

    def obeys_robots(self) -> None:
        """robots.txt allows each first page to be fetched (`profiles.robots_rules`: a 2xx
        answer parsed by protego, as Scrapy's robots.txt middleware parses it; a robots.txt
        that is not there allows everything; a 5xx leaves the rules unknown)."""
        status, headers, body = self.get("/robots.txt", {}, read=True)
        self.check_push_back(status, headers)
        self.robots = robots_rules(status, body)
        if self.robots is None:
            raise FallThrough(f"robots.txt answered {status}")

    def unchanged(self, newsroom: Newsroom, validators: Validators) -> None:
        """The newsroom's first page answers 304 to its validators."""
        path = newsroom.listing_path(0)
        if not self.robots.can_fetch(self.base_url + path, self.user_agent):
            raise FallThrough(f"robots.txt forbids {path}")
        headers = {}
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        status, answer_headers, _ = self.get(path, headers, read=False)
        self.check_push_back(status, answer_headers)
        if status != 304:
            raise FallThrough(f"{newsroom} answered {status}")
        logger.info("newsroom %s unchanged since the last run (304, pre-check)", newsroom)

    # --- how ---

    def get(self, path: str, headers: dict[str, str], *, read: bool) -> tuple[int, Any, bytes]:
        """GET `path` of the site within the budget and the delay: (status, headers, body
        when `read`). A redirect is an answer like any other (not followed)."""
        self.wait_for_slot()
        connection_class = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        connection = connection_class(self.host, timeout=self.timeout)
        try:
            connection.request("GET", path, headers={"User-Agent": self.user_agent, **REQUEST_HEADERS, **headers})
            response = connection.getresponse()
            # a 304 has no body; a 200 of news is the full crawl's to read
            body = response.read() if read else b""
        except (OSError, http.client.HTTPException) as exc:
            raise FallThrough(f"GET {path}: {exc or type(exc).__name__}") from None
        finally:
            connection.close()
            self.last_sent = time.monotonic()
        self.responses += 1
        return response.status, response.headers, body

    def wait_for_slot(self) -> None:
        """The crawl's delay after the last request, then a slot of the site's budget,
        taken as the crawl's `SiteBudgetDownloadHandler` takes it (`budget.take_shared_slot`)."""
        if self.last_sent is not None:
            time.sleep(max(0.0, self.last_sent + self.delay - time.monotonic()))
        if self.loop is not None:
            self.loop.run(budget.take_shared_slot(self.budget_conn, self.host, self.per_second))

    def check_push_back(self, status: int, headers) -> None:
        """A 429 or a Retry-After holds every worker back (`budget.push_back` for
        `push_back_seconds`), as the crawl's budget does; the full crawl then waits for
        it too."""
        wait = push_back_seconds(status, headers.get("Retry-After"),
                                 default=self.push_seconds, longest=self.retry_after_max)
        if not wait:
            return
        if self.loop is not None:
            self.loop.run(budget.push_back(self.budget_conn, self.host, wait))
        raise FallThrough(f"the site asked to wait {wait:g} s (status {status})")


def _log_to_stderr(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


if __name__ == "__main__":  # `python -m crawler.precheck`: how a worker starts a job's crawl
    sys.exit(main())
