"""Story pages extracted a few at a time, back to back (`ExtractionBatch`).

Between two story responses a crawl runs Scrapy's engine, the HTTP client, the item
pipelines and the store; by the next page they have pushed the extractor's code and
data out of the CPU's caches, and a cold extraction costs about twice a warm one
(`extract_story` of the same 500 replica pages: 0.8 ms each in a loop, 1.5 ms with a
stand-in for the engine's work between them). So a story callback hands its page to
the batch and waits; the batch extracts when `size` pages wait, or `wait` seconds
after the first one came (a slow site never fills a batch: its pages wait that long,
not longer), one page after the other. Each waiting callback gets its own page's
release, or its own page's error, as if it had called `extract_story` itself.

Only where the work runs changes: the same function on the same arguments, in the
spider's process and thread. The waiting responses count toward Scrapy's scraper
memory limit (SCRAPER_SLOT_MAX_ACTIVE_SIZE) as any response being parsed does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from crawler.items import RawRelease


class ExtractionBatch:
    """`await batch.extract(html, url, **kwargs)` is `extract(html, url, **kwargs)`, run
    together with the other pages that wait. `size`: pages per batch (1: at once);
    `wait`: seconds the first page of a batch waits at most."""

    def __init__(self, extract: Callable[..., RawRelease], *, size: int = 8, wait: float = 0.05):
        self._extract = extract
        self.size = max(1, size)
        self.wait = wait
        self._waiting: list[tuple[asyncio.Future, str, str, dict[str, Any]]] = []
        self._timer: asyncio.TimerHandle | None = None

    async def extract(self, html: str, url: str, **kwargs: Any) -> RawRelease:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._waiting.append((future, html, url, kwargs))
        if len(self._waiting) >= self.size:
            self.flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.wait, self.flush)
        return await future

    def flush(self) -> None:
        """Extract every page waiting now, in the order they came."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        waiting, self._waiting = self._waiting, []
        for future, html, url, kwargs in waiting:
            if future.cancelled():  # its callback is gone (the crawl was stopped)
                continue
            try:
                future.set_result(self._extract(html, url, **kwargs))
            except Exception as exc:  # noqa: BLE001 - the page's own error, raised in its callback
                future.set_exception(exc)
