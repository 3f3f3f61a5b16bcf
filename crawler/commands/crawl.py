"""`scrapy crawl`, with the exit statuses cron expects from the `presseportal` command.

Scrapy's own command exits 0 or 1. Here a crawl that could not start because the
database is unreachable exits 69, and one that found its publisher locked by another
run exits 75, as `presseportal crawl` does; a crawl whose run went wrong exits 1; a
crawl stopped by a second Ctrl-C (before it could finish) exits 130
(`crawler.exitcodes`). Wrong spider arguments (`-a mode=bogus`, `-a publisher=abc`), a
malformed number in the environment (`PRESSEPORTAL_SITE_BUDGET=abc`,
crawler/environment.py) and a profile that may not be used for the site are usage
errors: one line, exit 2, before anything starts.
"""

import logging

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from crawler import exitcodes
from crawler.environment import check as check_environment
from crawler.profiles import check as check_profile
from crawler.spiders.presseportal import PresseportalSpider, crawl_plan

PLAN_ARGUMENTS = ("publisher", "mode", "since", "until", "refresh")
logger = logging.getLogger(__name__)


class Command(ScrapyCrawl):
    def run(self, args, opts):
        try:
            check_environment(self.settings)  # every spider of the project reads these settings
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if args and args[0] == PresseportalSpider.name:
            # other arguments become spider attributes, as Scrapy does (Scrapyd adds _job)
            known = {k: v for k, v in opts.spargs.items() if k in PLAN_ARGUMENTS}
            try:
                crawl_plan(**known)
                check_profile(self.settings.get("PRESSEPORTAL_PROFILE"),
                              self.settings.get("PRESSEPORTAL_BASE_URL"))
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
