"""How the extensions reach the database: one resolved URL, and no fetch without it."""

from __future__ import annotations

import logging

from scrapy.exceptions import CloseSpider

from crawler import db

logger = logging.getLogger(__name__)


def connect_or_close(settings):
    """A connection to the crawl's database, or CloseSpider("database_unavailable")
    before anything is fetched (exit status 69). The schema is brought up to date once
    per process (`db.ensure_schema`)."""
    try:
        conninfo = db.resolve_database_url(settings)
        conn = db.connect(conninfo)
        db.ensure_schema(conninfo)
        return conninfo, conn
    except db.DatabaseUnavailable as exc:
        logger.error("database unavailable: %s", exc)
        raise CloseSpider("database_unavailable") from None
