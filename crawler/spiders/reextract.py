"""The re-extraction spider: the stored raw pages read again, without a request to the site.

`scrapy crawl reextract [-a publisher=ID,...] [-a office=ID,...] [-a since=YYYY-MM-DD]`, or `presseportal
reextract`. It streams the pages kept in `release_pages` (crawler.db.stored_pages), runs
today's extraction on each (`extract_story`, with the stored release's date as the last
layer, as the listing card's was when it was crawled) and yields the raw record with the
page's own fetch time; normalisation and the store do the rest, as for a crawl: a
release whose fields come out the same is unchanged, one that differs is changed and
its previous content kept as a revision. The page itself is not written again.

The run takes the newsroom lock of its newsrooms (all without `publisher` and `office`), as a crawl
does: it rewrites releases from their pages and must not overlap a crawl of them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from crawler import db
from crawler.db import newsrooms as newsrooms_db
from crawler.extract.story import ExtractionError, extract_story
from crawler.items import RawRelease
from crawler.spiders.arguments import refuse_empty, refuse_unknown
from crawler.spiders.offline import OfflineSpider
from crawler.spiders.presseportal import parse_day
from crawler.state import CrawlPlan, CrawlState, parse_newsrooms


class ReextractSpider(OfflineSpider):
    name = "reextract"

    def __init__(self, publisher: str | None = None, office: str | None = None, since: str | None = None,
                 **kwargs: Any) -> None:
        refuse_unknown(type(self), kwargs)
        refuse_empty(publisher=publisher, office=office)
        super().__init__(**kwargs)
        newsrooms = tuple(parse_newsrooms(publisher, office)) if publisher or office else ()
        self.crawl_state = CrawlState(CrawlPlan(mode="reextract", newsrooms=newsrooms,
                                                since=parse_day(since, "since")))

    async def start(self) -> AsyncIterator[RawRelease]:
        conninfo = db.resolve_database_url(self.settings.get("DATABASE_URL"))
        stats = self.crawler.stats
        if self.plan.newsrooms:
            # a newsroom asked for that has nothing stored is a failure of the run (exit 1),
            # not a success with 0 pages; `presseportal reextract` says so before it starts
            with db.connect(conninfo) as conn:
                held = newsrooms_db.holdings(conn, self.plan.newsrooms)
            for holding in held:
                if not holding.releases:
                    self.fail_page(str(holding.newsroom), "reextract", "no release of this newsroom is stored")
        async for page in db.stored_pages(conninfo, newsrooms=self.plan.newsrooms, since=self.plan.since):
            stats.inc_value("reextract/pages")
            try:
                raw = extract_story(page.html, page.url, listing_date=page.published_raw)
            except ExtractionError as exc:
                self.fail_page(page.url, "extract", str(exc), page.html[:500])
                continue
            # the page's own fetch: "Heute, 10:30" means the day it was fetched
            raw.fetched_at = page.fetched_at
            raw.http_status = page.http_status
            await self.room()
            yield raw
