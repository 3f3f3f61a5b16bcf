"""`scrapy crawl`, with the exit statuses cron expects from the `presseportal` command.

Scrapy's own command exits 0 or 1. Here a crawl that could not start because the
database is unreachable exits 69, and one that found its publisher locked by another
run exits 75, as `presseportal crawl` does; a crawl whose run went wrong exits 1.
"""

from scrapy.commands.crawl import Command as ScrapyCrawl

EXIT_BY_REASON = {"database_unavailable": 69, "locked": 75}


class Command(ScrapyCrawl):
    def run(self, args, opts):
        crawlers = []
        create = self._create_crawler

        def remember(spidercls):
            crawler = create(spidercls)
            crawlers.append(crawler)
            return crawler

        self._create_crawler = remember
        super().run(args, opts)
        for crawler in crawlers:
            stats = crawler.stats.get_stats()
            reason = stats.get("finish_reason")
            if reason in EXIT_BY_REASON:
                self.exitcode = EXIT_BY_REASON[reason]
            elif stats.get("presseportal/run_status") not in (None, "success"):
                self.exitcode = self.exitcode or 1
