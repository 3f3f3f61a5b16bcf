"""`scrapy crawl`, with the exit statuses cron expects from the `presseportal` command.

Scrapy's own command exits 0 or 1. Here a crawl that could not start because the
database is unreachable exits 69, and one that found its publisher locked by another
run exits 75, as `presseportal crawl` does; a crawl whose run went wrong exits 1; a
crawl stopped by a second Ctrl-C (before it could finish) exits 130
(`crawler.exitcodes`). Wrong spider arguments (`-a mode=bogus`, `-a publisher=abc`, an
import without `-a files=`, a `-a map=` naming no column of the file), a
malformed number in the environment (`PRESSEPORTAL_SITE_BUDGET=abc`,
crawler/environment.py), a profile that may not be used for the site and a
PRESSEPORTAL_CONTACT that reaches nobody (crawler/profiles.py) are usage errors: one
line, exit 2, before anything starts.
"""

import logging

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from crawler import exitcodes
from crawler.environment import check as check_environment
from crawler.profiles import check as check_profile
from crawler.spiders.presseportal import PresseportalSpider

logger = logging.getLogger(__name__)


class Command(ScrapyCrawl):
    def run(self, args, opts):
        try:
            check_environment(self.settings)  # every spider of the project reads these settings
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if args:
            loader = self.crawler_process.spider_loader
            try:
                spidercls = loader.load(args[0])
            except KeyError:
                raise UsageError(f"no spider named {args[0]!r}; this project's: "
                                 f"{', '.join(sorted(loader.list()))}") from None
            try:
                # the project's spiders check their arguments in __init__ and do nothing
                # else there (no requests, no database, no signals; an import reads its
                # files' headers): built once here, a wrong one is a usage line before
                # anything starts, not a traceback from inside the crawl
                spidercls(**opts.spargs)
                if args[0] == PresseportalSpider.name:
                    check_profile(self.settings.get("PRESSEPORTAL_PROFILE"),
                                  self.settings.get("PRESSEPORTAL_BASE_URL"),
                                  self.settings.get("PRESSEPORTAL_CONTACT"))
            except ValueError as exc:
                raise UsageError(str(exc)) from None
        crawlers = []
        create = self._create_crawler

        def remember(spidercls):
            crawler = create(spidercls)
            crawlers.append(crawler)
            return crawler

        self._create_crawler = remember
        super().run(args, opts)
        for crawler in crawlers:
            code = exitcodes.for_finished_crawler(crawler)
            if code == exitcodes.LOCKED:
                # the run lock only records who holds what; each front end says it once
                logger.error("%s: not starting", crawler.stats.get_value("presseportal/locked_by"))
            if code is not None:
                self.exitcode = max(self.exitcode, code)
