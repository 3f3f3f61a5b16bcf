"""Signals of this project (Scrapy's own are in scrapy.signals)."""

from scrapy.exceptions import IgnoreRequest

# A page could not be fetched, parsed or stored. Arguments: url, stage ("fetch",
# "listing", "extract", "identity", "redirect", "offsite", "store"; the pipelines' drops
# arrive as Scrapy's item_dropped), reason, snippet (the start of the raw input), and
# story_id when the page is a story (a backfill's resume point counts it as settled).
page_failed = object()

# The store committed a batch. Argument: story_ids (the stories in it). A backfill's
# resume point follows it (crawler.extensions.backfill_cursor).
batch_stored = object()


class DroppedAtStop(IgnoreRequest):
    """A request dropped before it went out because the crawl is stopping (a first
    Ctrl-C, SIGTERM, a close): it waited for a slot of the site's budget or out a
    Retry-After (crawler.middlewares.sleep_unless_stopping). Not a failed page: like a
    request still in the scheduler, it is simply not sent, and a backfill's resume point
    stays before it, so the next run asks for it."""


def failure_reason(failure) -> str:
    """The reason to record for a failed page: its HTTP status, else the exception."""
    if failure is None:
        return "unknown error"
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    return f"{type(failure.value).__name__}: {failure.value}"
