"""Collector: Python's cyclic garbage collector kept off the crawl's long-lived objects.

A crawl's process holds a large heap that lives as long as the run (Scrapy, Twisted,
lxml, psycopg, the normaliser's tables, the engine's own objects), and it allocates
steadily: every response, tree and release. With Python's defaults (a collection every
700 net allocations, the oldest generation walked whenever it grew by a quarter), the
collector walked that heap again and again: about 5% of a backfill's CPU (bench.cpu's
profile; timed with `gc.callbacks` inside a backfill of 3,000: 1.0 s of 19 s in 700
collections, 0.1 s with this extension).

So, once the engine has started (every component loaded, the spider open), the
extension moves every object alive at that moment into the permanent generation
(`gc.freeze`: never walked again) and raises the first generation's threshold to
PRESSEPORTAL_GC_THRESHOLD net allocations. A release's own objects are freed by
reference counting as before; only cycles wait a little longer. When the engine stops,
the process's collector is left as it was found (a process may run more than a crawl:
tests, `CrawlerRunner` users).

PRESSEPORTAL_GC_THRESHOLD = 0 leaves the collector alone.
"""

from __future__ import annotations

import gc

from scrapy import signals
from scrapy.exceptions import NotConfigured


# crawlers of one process running now (a `CrawlerProcess` may run several at once) and
# the thresholds found before the first: the last one to stop puts them back
_running = 0
_found: tuple[int, int, int] | None = None


class Collector:
    def __init__(self, threshold: int):
        self.threshold = threshold
        self.started = False

    @classmethod
    def from_crawler(cls, crawler):
        threshold = crawler.settings.getint("PRESSEPORTAL_GC_THRESHOLD")
        if threshold <= 0:
            raise NotConfigured
        ext = cls(threshold)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_started(self) -> None:
        global _running, _found
        if self.started or not gc.isenabled():
            return  # started twice, or someone switched the collector off: theirs to run
        self.started = True
        _running += 1
        if _running == 1:
            _found = gc.get_threshold()
        gc.collect()  # start-up's garbage is not frozen with the rest
        gc.freeze()
        gc.set_threshold(max(self.threshold, gc.get_threshold()[0]), *_found[1:])

    def engine_stopped(self) -> None:
        global _running, _found
        if not self.started:
            return
        self.started = False
        _running -= 1
        if _running == 0 and _found is not None:
            gc.set_threshold(*_found)
            gc.unfreeze()
            _found = None
