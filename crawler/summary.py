"""What `presseportal crawl` and `backfill` tell people when a run ends well or badly: the
summary lines, from the run's stats (Scrapy's, or the cron pre-check's in the same shape).

Here, beside nothing heavy, so that a cron run answered before Scrapy starts
(crawler/precheck.py) prints the very line the Scrapy run prints.
"""

from __future__ import annotations

import sys
from typing import Any


def print_run_summary(stats: dict[str, Any]) -> None:
    """The run's line on stderr (`run 12: success; pages 2, new 0, ...`), then what went
    wrong, if anything: low field coverage, releases the store could not write."""
    status = stats.get("presseportal/run_status") or stats.get("finish_reason", "unknown")
    print(
        f"run {stats.get('presseportal/run_id', '?')}: {status}; "
        f"pages {stats.get('response_received_count', 0)}, "
        f"new {stats.get('store/new', 0)}, changed {stats.get('store/changed', 0)}, "
        f"unchanged {stats.get('store/unchanged', 0)}, errors {stats.get('presseportal/errors', 0)}"
        + (f": {why}" if (why := failure_detail(stats)) else ""),
        file=sys.stderr,
    )
    low = stats.get("coverage/low_fields") or []
    if low:
        print(f"low field coverage: {', '.join(low)}", file=sys.stderr)
    if stats.get("store/error"):
        kept = (f"; {stats['store/spilled']} releases kept in {stats['store/spill_file']} (replayed by the "
                "next run, or `presseportal spill replay`)" if stats.get("store/spilled") else "")
        lost = f"; {stats['store/lost']} releases LOST" if stats.get("store/lost") else ""
        print(f"store failed: {stats['store/error']}{kept}{lost}", file=sys.stderr)

def failure_detail(stats: dict[str, Any]) -> str:
    """Why a run did not succeed, in a few words for its one summary line ("" for a
    success): the store's error (the database went away, a full disk), the failed pages
    (an import's bad records) with the first one's URL (file:line) and reason
    (`presseportal/first_error`, set by the run record; `status --errors` lists them
    all), the fields whose coverage is low, else the reason the run stopped early."""
    status = stats.get("presseportal/run_status") or stats.get("finish_reason", "unknown")
    if status == "success":
        return ""
    what = []
    if stats.get("store/error") or stats.get("store/spilled") or stats.get("store/lost"):
        what.append("releases could not be stored" + (f" ({stats['store/error']})" if stats.get("store/error") else ""))
    if stats.get("presseportal/errors"):
        first = stats.get("presseportal/first_error")
        # an import's failures are records of its files, not pages (status --errors heads them so)
        noun = "bad record(s)" if "import/records" in stats else "failed page(s)"
        what.append(f"{stats['presseportal/errors']} {noun}" + (f" (first: {first})" if first else ""))
    if stats.get("coverage/low_fields"):
        what.append(f"low field coverage: {', '.join(stats['coverage/low_fields'])}")
    return "; ".join(what) or f"stopped early ({status})"
