"""`scrapy crawl`, with the exit statuses cron expects from the `presseportal` command.

Scrapy's own command exits 0 or 1. Here a crawl that could not start because the
database is unreachable exits 69, and one that found its publisher locked by another
run exits 75, as `presseportal crawl` does; a crawl whose run went wrong exits 1
(`crawler.exitcodes`).
"""

from scrapy.commands.crawl import Command as ScrapyCrawl

from crawler import exitcodes


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
            if stats.get("finish_reason") in ("database_unavailable", "locked") \
                    or stats.get("presseportal/run_status") is not None:
                self.exitcode = max(self.exitcode, exitcodes.for_crawl(stats))
