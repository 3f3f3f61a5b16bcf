"""Exit statuses of `presseportal` and of `scrapy crawl presseportal`: what cron sees.

| status | meaning |
| --- | --- |
| 0 | success |
| 1 | finished with errors: failed pages over the tolerance, a field's coverage too low, releases that could not be stored (the store gave up on the database after pages were fetched), or the run stopped early; `export`, `report`, `reextract`, `unfollow`: a newsroom asked for of which the store holds nothing (`unfollow`: and which it does not follow); `schedule`: no site-wide feed this cycle |
| 2 | usage error |
| 69 | database unavailable (EX_UNAVAILABLE): nothing was fetched |
| 75 | another run holds the lock (EX_TEMPFAIL): nothing was fetched |
| 130 | interrupted: a second Ctrl-C (SIGINT) stopped the run before it could finish (128 + SIGINT, as shells report it); one Ctrl-C finishes the run cleanly and exits 1 |

The README's table is this one; a test holds them together.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

OK = 0
ERRORS = 1
USAGE = 2
UNAVAILABLE = 69
LOCKED = 75
INTERRUPTED = 130
DOCUMENTED = (OK, ERRORS, USAGE, UNAVAILABLE, LOCKED, INTERRUPTED)

# a crawl's finish_reason that ended it before anything was fetched
_BY_FINISH_REASON = {"database_unavailable": UNAVAILABLE, "locked": LOCKED}


def for_crawl(stats: Mapping[str, Any]) -> int:
    """The exit status of a finished crawl, from its stats.

    A crawl that never started (database unavailable at open, publisher locked) has
    that reason as `finish_reason`; otherwise the run's status (`presseportal/run_status`,
    set by the run record) decides: success is 0, anything else 1. 69 and 75 promise
    that nothing was fetched: a crawl that walked a newsroom page is never either.
    """
    reason = stats.get("finish_reason")
    if reason in _BY_FINISH_REASON and not stats.get("presseportal/listing_pages"):
        return _BY_FINISH_REASON[reason]
    status = stats.get("presseportal/run_status")
    if status is None:
        # no run record (STORE_RELEASES off, as for a feed export): Scrapy's own verdict
        return OK if reason == "finished" else ERRORS
    return OK if status == "success" else ERRORS


def for_finished_crawler(crawler) -> int | None:
    """The exit status of a crawler after its process stopped, or None when Scrapy's own
    verdict stands (a spider other than ours, STORE_RELEASES off).

    A crawler whose spider opened but never closed (no `finish_reason`: a second Ctrl-C
    stopped the reactor under it) was interrupted: 130. One that never got its spider
    (it failed to start) is an error: 1.
    """
    try:
        stats = crawler.stats.get_stats()
    except RuntimeError:  # "Crawler.stats is not set yet": it failed before it began
        return ERRORS
    if crawler.spider is not None and "finish_reason" not in stats:
        return INTERRUPTED
    if stats.get("finish_reason") in _BY_FINISH_REASON or stats.get("presseportal/run_status") is not None:
        return for_crawl(stats)
    return None
