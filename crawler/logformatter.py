"""How Scrapy logs what befalls an item (`LOG_FORMATTER`): one line naming the release.

Scrapy's own formatter logs a dropped item as "Dropped: {reason}" followed by the whole
item, and an item a pipeline failed on as the whole item: a `RawRelease` with every
paragraph (and a page's raw HTML) for each bad record of an import. Here both name the
release as its crawl_errors row does (`items.place_of`: an import's "file:line", else
the page's URL) and say why on the same line; the level is Scrapy's (a drop: WARNING, or
the exception's `log_level`; a pipeline's error: ERROR, with its traceback).
"""

from __future__ import annotations

from typing import Any

from scrapy import logformatter

from crawler.items import place_of


class LogFormatter(logformatter.LogFormatter):
    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> logformatter.LogFormatterResult:
        entry = super().dropped(item, exception, response, spider)
        return {**entry, "msg": "Dropped %(where)s: %(reason)s",
                "args": {"where": place_of(item, response) or type(item).__name__, "reason": _one_line(exception)}}

    def item_error(self, item: Any, exception: BaseException, response: Any,
                   spider: Any) -> logformatter.LogFormatterResult:
        entry = super().item_error(item, exception, response, spider)
        return {**entry, "msg": "Error processing %(where)s",
                "args": {"where": place_of(item, response) or type(item).__name__}}


def _one_line(exception: BaseException) -> str:
    return " ".join(str(exception).split()) or type(exception).__name__
