"""`presseportal report`: read the store, draw the charts, write one HTML file.

This module imports matplotlib (half a second): the command imports it only when it
writes a report, so cron's commands never pay for it.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from crawler.health import charts, gather, page


def render(data: gather.ReportData) -> str:
    """The report page of `data` (HTML text)."""
    drawn = {
        "archive": charts.archive(data),
        "runs": charts.runs(data),
        "coverage": charts.coverage(data),
        "failures": charts.failures(data),
    }
    return page.render(data, drawn, status_colour=charts.status_colour)


def write_report(conn, path: Path, scope: gather.Scope, *, store: str, coverage_min: float,
                 coverage_min_items: int, now: datetime | None = None) -> gather.ReportData:
    """Read the store in `scope` through `conn` (None: an empty store), write the report to
    `path` (atomically: a reader never sees half a file) and return what it shows.
    Raises OSError when `path` cannot be written."""
    now = now or datetime.now(UTC)
    options = {"store": store, "now": now, "coverage_min": coverage_min, "coverage_min_items": coverage_min_items}
    data = gather.gather(conn, scope, **options) if conn is not None else gather.empty(scope, **options)
    html = render(data)
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(html)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return data
