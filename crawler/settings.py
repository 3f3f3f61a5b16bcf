"""Scrapy settings: the one place that reads the environment.

Everything else reads `crawler.settings`; users override with `-s NAME=value`.
The defaults are for the live site and are polite; the replica profile
(`PRESSEPORTAL_PROFILE=replica`, used by the demo, the tests and the benchmarks)
switches the delays off because it only talks to loopback.
"""

import os

from crawler.environment import number, port
from crawler.items import EXPORT_FIELDS
from crawler.profiles import EMBEDDED_DATABASES, PROFILES, ProfileError, profile_named, user_agent

BOT_NAME = "presseportal"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# our `scrapy crawl` maps a database outage to exit 69 and a held lock to 75
COMMANDS_MODULE = "crawler.commands"

# --- where to crawl, where to store --------------------------------------------------
# malformed numbers in the environment (crawler/environment.py): kept here, not raised
# while Scrapy imports this module; the CLI and `scrapy crawl` end with the first one in
# one line, exit 2
PRESSEPORTAL_ENVIRONMENT_ERRORS: list[str] = []
PRESSEPORTAL_BASE_URL = os.environ.get("PRESSEPORTAL_BASE_URL", "https://www.presseportal.de")
# libpq URL; empty means: the standard PG* variables if set, else the embedded server
DATABASE_URL = os.environ.get("DATABASE_URL", "")
STORE_RELEASES = os.environ.get("STORE_RELEASES", "1") not in ("0", "false", "no", "")
# "live" or "replica" (crawler/profiles.py; any case: "Replica" is the replica profile);
# checked against the base URL before a crawl. An unknown name is kept as an environment
# error: every command refuses it (exit 2), so that no command reads or writes the live
# store for a mistyped replica
try:
    PRESSEPORTAL_PROFILE = profile_named(os.environ.get("PRESSEPORTAL_PROFILE"))
except ProfileError as exc:
    PRESSEPORTAL_ENVIRONMENT_ERRORS.append(str(exc))
    PRESSEPORTAL_PROFILE = os.environ["PRESSEPORTAL_PROFILE"]  # refused again by `profiles.check`
# the embedded PostgreSQL (no DATABASE_URL, no PG* variables): its cluster lives in
# $PRESSEPORTAL_DATA_DIR/postgres (default: the user's data dir, /var/lib/presseportal as
# root), and this database in it (the demo uses its own, presseportal_demo; the replica
# profile presseportal_replica, so that the replica's invented stories, whose ids look
# like the site's, never sit in the store a live crawl reads as what it already has)
PRESSEPORTAL_DATA_DIR = os.environ.get("PRESSEPORTAL_DATA_DIR", "")
# the embedded server's port on 127.0.0.1; unset (None): the one its cluster was set up
# with (its postgresql.conf), 54329 for a new one. A port given here is kept by the
# cluster: set it once, and later commands without it still find the server there
EMBEDDED_PORT = port("PRESSEPORTAL_DB_PORT", errors=PRESSEPORTAL_ENVIRONMENT_ERRORS)
EMBEDDED_DATABASE = os.environ.get("PRESSEPORTAL_EMBEDDED_DB", "") or EMBEDDED_DATABASES.get(
    PRESSEPORTAL_PROFILE, "presseportal")

# --- politeness (live site) ------------------------------------------------------------
# who runs the crawler: a URL or mail address the site's people can reach, sent in the
# User-Agent (the spider builds it again when this is set with -s); anything else is
# refused before a crawl of the live site (profiles.check)
PRESSEPORTAL_CONTACT = os.environ.get("PRESSEPORTAL_CONTACT", "")
USER_AGENT = user_agent(PRESSEPORTAL_CONTACT)
ROBOTSTXT_OBEY = True
# 1 to 2 s between requests: 1.5 s, varied by a third either way, as a person's would
DOWNLOAD_DELAY = 1.5
DOWNLOAD_DELAY_JITTER = 1 / 3
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
# Retry-After on 429/503 is honoured by crawler.middlewares.RetryAfterMiddleware,
# capped so that a hostile header cannot park the crawl for a day.
RETRY_AFTER_MAX_SECONDS = 300
COOKIES_ENABLED = False
# A story page yields one release; Scrapy's default (100) starts that many asyncio
# workers for every callback result, which cost a third of the crawler's CPU here.
CONCURRENT_ITEMS = 8
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19 remote control: an HTTP port nobody asked for on a cron box
REMOTE_CONTROL_ENABLED = False

# The cron job's pre-check (crawler/precheck.py): before Scrapy starts, `presseportal
# crawl` asks each newsroom's first page with the validators the last good run kept
# (robots.txt, the site budget and the run lock honoured); when every one answers 304 the
# run is recorded as Scrapy's would be, at a fraction of its CPU. Anything else (news, an
# error, no validators) runs the full crawl as before, which costs one request more.
# PRESSEPORTAL_PRECHECK=0 switches it off.
PRESSEPORTAL_PRECHECK = os.environ.get("PRESSEPORTAL_PRECHECK", "1").strip().lower() not in (
    "0", "false", "no", "off")

# One request budget per site, shared by every process on every machine through
# PostgreSQL (crawler/budget.py SiteBudgetDownloadHandler, table site_budgets): requests
# per second to the site in total, whatever the number of workers (no one-second window
# holds more, rounded up); 0 switches it off.
# A 429 or Retry-After pushes every worker back. Unset (None), the profile's default
# applies: 1 for the live site, none for the replica on loopback.
PRESSEPORTAL_SITE_BUDGET = number("PRESSEPORTAL_SITE_BUDGET", None, meaning="a number of requests per second",
                                  errors=PRESSEPORTAL_ENVIRONMENT_ERRORS)
SITE_BUDGET_DEFAULT = 1.0
# a 429 without Retry-After holds every worker back this long (seconds)
SITE_BUDGET_PUSH_SECONDS = 5.0

# the replica profile switches the delays off (loopback only: crawler/profiles.py); an
# unknown name is refused before the crawl starts
globals().update(PROFILES.get(PRESSEPORTAL_PROFILE, {}))

# --- Scrapy 2.13+ idioms ---------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

# --- components, in data-flow order ---------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # offsite requests refused as Scrapy does, but recorded as failed pages
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.SiteOnlyMiddleware": 50,
    # robots.txt obeyed as by Scrapy's own; a dead site logged in one line, not tracebacks
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfterMiddleware": 550,
}
# the site budget is taken in the download handler, after Scrapy's download slots (their
# delays and concurrency) and right before the request goes out: every request (robots.txt,
# retries, redirects) in its slot
DOWNLOAD_HANDLERS = {
    "http": "crawler.budget.SiteBudgetDownloadHandler",
    "https": "crawler.budget.SiteBudgetDownloadHandler",
}
# a dropped or failed item is logged as one line naming its page or file:line, not the record
LOG_FORMATTER = "crawler.logformatter.LogFormatter"
ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 300,
    "pipelines.validate.ValidatePipeline": 400,
    "pipelines.store.StorePipeline": 800,
}
# The order matters (handlers of one signal run in this order): coverage before the run
# record, which reads its verdict when the spider closes; the lock before the run record
# and the cursor, which start only when it is held.
EXTENSIONS = {
    "crawler.extensions.coverage.FieldCoverage": 500,
    "crawler.extensions.run_lock.RunLock": 505,
    "crawler.extensions.run_record.RunRecord": 510,
    "crawler.extensions.progress.Progress": 520,
    "crawler.extensions.backfill_cursor.BackfillCursor": 530,
    "crawler.extensions.collector.Collector": 540,
}
# Scrapy's components that this project switches off, left out of the _BASE lists so
# that they are not even imported: Scrapy imports every listed component (a None in
# EXTENSIONS too) before asking it whether it is enabled. The remote control brings
# aiohttp, the cookies middleware tldextract, requests and urllib3: together a quarter
# of the CPU of a cron run that finds nothing (one 304). Turning one on again
# (TELNETCONSOLE_ENABLED, REMOTE_CONTROL_ENABLED, COOKIES_ENABLED) needs it back in
# EXTENSIONS / DOWNLOADER_MIDDLEWARES.
UNUSED_COMPONENTS = {
    "scrapy.extensions.telnet.TelnetConsole",
    "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
}
# EXTENSIONS_BASE and DOWNLOADER_MIDDLEWARES_BASE: Scrapy's own, without them. Computed
# when Scrapy reads this module (PEP 562 `__getattr__`; Scrapy's `setmodule` lists the
# names with `dir`), so that the cron pre-check (crawler/precheck.py) reads the rest of
# this module without importing Scrapy.
_WITHOUT_UNUSED = ("EXTENSIONS_BASE", "DOWNLOADER_MIDDLEWARES_BASE")


def __getattr__(name: str):
    if name not in _WITHOUT_UNUSED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from scrapy.settings import default_settings

    return {k: v for k, v in getattr(default_settings, name).items() if k not in UNUSED_COMPONENTS}


def __dir__() -> list[str]:
    return sorted([*globals(), *_WITHOUT_UNUSED])


FEED_EXPORT_FIELDS = EXPORT_FIELDS

# --- data quality ------------------------------------------------------------------------
# a crawl warns (and the CLI exits 1) when a watched field is filled on fewer items than this
COVERAGE_MIN_RATIO = number("PRESSEPORTAL_COVERAGE_MIN", 0.95, high=1.0, meaning="a share",
                            errors=PRESSEPORTAL_ENVIRONMENT_ERRORS)
# below this many releases a run is too small a sample for a ratio: only a field missing
# from all of them counts as low
COVERAGE_MIN_ITEMS = 20
# failed pages a run tolerates before it counts as failed (exit status 1)
PRESSEPORTAL_MAX_ERRORS = 0
# backfills report progress (pages, releases, rate, time left); the CLI switches it on
PRESSEPORTAL_PROGRESS = False
# where a whole-archive backfill expects the archive to begin, for its time-left estimate
PRESSEPORTAL_ARCHIVE_START = "2005-01-01"
# how often a run checks that its database session (holding the run lock) is alive and
# writes its heartbeat in its crawl_runs row; a run whose lock another run took stops
# at the next check
PRESSEPORTAL_LOCK_CHECK_SECONDS = 5.0

# net allocations between two collections of the youngest generation once the engine has
# started, with everything alive then frozen (crawler/extensions/collector.py: the
# collector's walks of the crawl's long-lived heap were 5% of a backfill's CPU); 0 leaves
# Python's collector as it is (a collection every 700)
PRESSEPORTAL_GC_THRESHOLD = 20_000

# story pages extracted back to back, this many at a time, the first waiting at most this
# many seconds (crawler/spiders/batch.py: a page extracted right after the engine's own
# work finds the CPU's caches cold and costs about twice as much); 1: each page at once
EXTRACTION_BATCH_SIZE = 32
EXTRACTION_BATCH_WAIT = 0.1

# --- store (pipelines/store.py) ----------------------------------------------------------------
# a batch is written when this many releases wait, and every STORE_FLUSH_SECONDS
STORE_BATCH_SIZE = 200
STORE_FLUSH_SECONDS = 2.0
# concurrent batch writers, each on its own pooled connection (at most STORE_POOL_MAX)
STORE_WRITERS = 2
STORE_POOL_MAX = 4
# how long a batch is retried while the database is away, before it goes to a spill file
STORE_RETRY_MAX_SECONDS = 120
# where releases that could not be written wait for replay (one folder per database
# inside it); by default $PRESSEPORTAL_DATA_DIR/spill, beside the embedded server's
# $PRESSEPORTAL_DATA_DIR/postgres (one folder holds all the project keeps on disk);
# empty: "spill" in the embedded server's default folder (crawler.db.spill)
STORE_SPILL_DIR = os.environ.get("PRESSEPORTAL_SPILL_DIR", "") or (
    os.path.join(PRESSEPORTAL_DATA_DIR, "spill") if PRESSEPORTAL_DATA_DIR else "")
# seconds to wait for a connection (at open, and per attempt while retrying a batch)
STORE_CONNECT_TIMEOUT = 10
# keep the raw HTML of each story in release_pages (zstd), to re-extract without crawling
STORE_PAGES = True

# --- a re-extraction's dry run (pipelines/compare.py, `presseportal reextract --dry-run`) ---
# compare each release with the stored one instead of storing it (the CLI sets it and
# takes the store out of ITEM_PIPELINES); how many changed releases to show field by field
COMPARE_RELEASES = False
COMPARE_EXAMPLES = 5

# --- the job queue (crawler/queue; `presseportal worker`, `enqueue`, `schedule`) -------------
# seconds without a worker's heartbeat before another worker takes its job over
PRESSEPORTAL_LEASE_SECONDS = 30.0
# seconds a running job may finish in after SIGTERM, before it goes back on the queue
PRESSEPORTAL_WORKER_GRACE_SECONDS = 30.0
# workers refresh the followed newsrooms from the site-wide feed on this cron line, and
# sweep them all (a conditional GET each) on the second one; "" for none. A sixth field
# counts seconds ("* * * * * */10": every 10 s)
PRESSEPORTAL_REFRESH_CRON = os.environ.get("PRESSEPORTAL_REFRESH_CRON", "*/15 * * * *").strip()
PRESSEPORTAL_SWEEP_CRON = os.environ.get("PRESSEPORTAL_SWEEP_CRON", "30 3 * * *").strip()
