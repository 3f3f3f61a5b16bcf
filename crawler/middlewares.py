"""Downloader middlewares."""

from __future__ import annotations

import asyncio
import logging
from time import monotonic

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message

from crawler.profiles import retry_after_seconds
from crawler.signals import DroppedAtStop, page_failed

logger = logging.getLogger(__name__)

# how often a request waiting to go out looks whether the crawl is stopping
STOP_CHECK_SECONDS = 0.2


def crawl_stopping(crawler) -> bool:
    """Whether the crawl is stopping: a first Ctrl-C or SIGTERM (the engine no longer
    running) or a close under way (CloseSpider, a lost lock, the store giving up; Scrapy
    2.19 shows that only in its engine's slot, `closing`)."""
    engine = crawler.engine
    if engine is None or not engine.running:
        return True
    slot = getattr(engine, "_slot", None)
    return slot is None or getattr(slot, "closing", None) is not None


async def sleep_unless_stopping(crawler, seconds: float) -> None:
    """Sleep `seconds`, for a request waiting to go out; raise `DroppedAtStop` as soon as
    the crawl is stopping (looked at every STOP_CHECK_SECONDS): Scrapy's graceful stop
    waits for every request in the downloader, and a request waiting its turn has nothing
    in flight to finish (at a budget of 0.5 requests/s, 16 of them held a first Ctrl-C
    for 31 s)."""
    end = monotonic() + seconds
    while True:
        if crawl_stopping(crawler):
            crawler.stats.inc_value("presseportal/dropped_at_stop")
            raise DroppedAtStop("not sent: the crawl is stopping")
        left = end - monotonic()
        if left <= 0:
            return
        await asyncio.sleep(min(left, STOP_CHECK_SECONDS))


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retry middleware, but a 429 or 503 waits as long as the server asks.

    Scrapy retries at once and ignores Retry-After (scrapy/scrapy#3849). Hammering a
    site that said "slow down" is how bots get banned, so the retry is held back for
    the requested time (capped by RETRY_AFTER_MAX_SECONDS), and the download slot of
    the site is pushed back too, so that no other request goes out meanwhile.
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX_SECONDS", 300.0)

    async def process_response(self, request: Request, response: Response, spider=None):
        if request.meta.get("dont_retry", False):
            return response
        if response.status in (429, 503) and response.status in self.retry_http_codes:
            wait = retry_after_seconds(response.headers.get(b"Retry-After"))
            if wait is not None:
                wait = min(wait, self.retry_after_max)
                self.crawler.stats.inc_value("retry/retry_after_honoured")
                logger.info(
                    "%s answered %s: waiting %.1fs (Retry-After) before retrying",
                    request.url, response.status, wait,
                )
                self._hold_slot(request, wait)
                await sleep_unless_stopping(self.crawler, wait)
            return self._retry(request, response_status_message(response.status)) or response
        return super().process_response(request, response)

    def _hold_slot(self, request: Request, wait: float) -> None:
        # Push the site's download slot into the future: with a download delay in force,
        # the downloader then sends nothing to this site until the wait is over.
        downloader = getattr(self.crawler.engine, "downloader", None)
        if downloader is None:
            return
        key = request.meta.get("download_slot") or downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.lastseen = max(slot.lastseen, monotonic() + wait)


class _NetworkErrorsOnOneLine(logging.Filter):
    """Drop the traceback from a log record about a network failure: the message already
    names it ("Connection was refused ..."), and a dead site is not a bug to debug."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and _is_network_error(exc):
            record.exc_info = None
            record.exc_text = None
        return True


# Scrapy 2.14+ wraps Twisted's connection errors in its own types (scrapy.exceptions)
_SCRAPY_NETWORK_ERRORS = ("CannotResolveHostError",)


def _is_network_error(exc: BaseException) -> bool:
    kind = type(exc)
    return isinstance(exc, (OSError, TimeoutError)) or kind.__module__.startswith(
        ("twisted.internet.error", "twisted.web._newclient")) or (
        kind.__module__ == "scrapy.exceptions"
        and (kind.__name__.startswith("Download") or kind.__name__ in _SCRAPY_NETWORK_ERRORS))


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, whose failure to fetch robots.txt (a dead site, a
    refused connection) is logged in one line instead of a chain of tracebacks."""

    @classmethod
    def from_crawler(cls, crawler):
        logging.getLogger(ScrapyRobotsTxtMiddleware.__module__).addFilter(_ONE_LINE)
        return super().from_crawler(crawler)


_ONE_LINE = _NetworkErrorsOnOneLine()


class SiteOnlyMiddleware(OffsiteMiddleware):
    """Scrapy's offsite handling (the spider's `allowed_domains`), made loud and strict.

    Scrapy refuses a request to another host when it is scheduled and says so only in
    a DEBUG line and the `offsite/filtered` stat: a next link or a redirect that leaves
    the site would end a walk, or lose a story, without a word. Every refusal here is
    a failed page (`crawler.signals.page_failed`, stage ``offsite``, the URL first asked
    for and where it led), so it reaches crawl_errors and the exit status. And
    `dont_filter` (which the first page's recheck sets) does not let a request leave the
    site: only `allow_offsite` in its meta does.
    """

    def request_scheduled(self, request: Request) -> None:
        try:
            self.process_request(request)
        except IgnoreRequest:
            chain = request.meta.get("redirect_urls") or []
            asked = chain[0] if chain else request.url
            via = f" (redirected from {asked})" if chain else ""
            reason = (f"refused a request to another host: {request.url}{via}; "
                      f"only {', '.join(self.crawler.spider.allowed_domains)} is crawled")
            logger.error("could not stay on the site for %s: %s", asked, reason)
            self.crawler.signals.send_catch_log(page_failed, url=asked, stage="offsite", reason=reason,
                                                story_id=request.meta.get("story_id"))
            raise

    def process_request(self, request: Request) -> None:
        if request.meta.get("allow_offsite") or self.should_follow(request, self.crawler.spider):
            return
        host = urlparse_cached(request).hostname
        self.stats.inc_value("offsite/filtered")
        raise IgnoreRequest(f"Filtered offsite request to {host!r}")
