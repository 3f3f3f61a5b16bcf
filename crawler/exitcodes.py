"""Exit statuses of `presseportal` and of `scrapy crawl presseportal`: what cron sees.

| status | meaning |
| --- | --- |
| 0 | success |
| 1 | finished with errors: failed pages over the tolerance, a field's coverage too low, releases that could not be stored (the store gave up on the database after pages were fetched), or the run stopped early |
| 2 | usage error |
| 69 | database unavailable (EX_UNAVAILABLE): nothing was fetched |
| 75 | another run holds the lock (EX_TEMPFAIL): nothing was fetched |

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
