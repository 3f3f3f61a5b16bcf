"""The replica's HTTP server (aiohttp on 127.0.0.1) and the ``Replica`` handle.

One catch-all handler routes by regex, so every request, including 404s and
faulted ones, passes the request log and the fault knobs in one place. Rendered
pages are kept in an LRU cache keyed by the corpus version, which every
publish/edit/delete bumps.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import re
import socket
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from aiohttp import web

from crawler.items import OFFICE, PUBLISHER, Newsroom

from . import render
from .corpus import Corpus
from .faults import Fault, Faults, LogEntry, RequestLog

# a publisher's newsroom and stories, or (under /blaulicht/) a police or fire office's
RE_STORY = re.compile(r"^(/blaulicht)?/pm/(\d+)/(\d+)(?:/[^/]+)?/?$")
RE_NEWSROOM = re.compile(r"^(/blaulicht)?/nr/(\d+)(?:/(\d+))?/?$")
RE_RSS = re.compile(r"^/rss/(pm|dienststelle)_(\d+)\.rss2$")
SITE_FEED = "/rss/presseportal.rss2"
SITE_FEED_ITEMS = 50  # stories in the site-wide feed, newest first

HTML = "text/html; charset=utf-8"


@dataclass
class Page:
    status: int
    body: bytes
    content_type: str
    etag: str | None = None
    last_modified: str | None = None


@functools.lru_cache(maxsize=4096)  # one (immutable) object per newsroom, not one per request
def newsroom(office: bool, number: str) -> Newsroom:
    return Newsroom(OFFICE if office else PUBLISHER, int(number))


class Site:
    """Routing and rendering; no networking (tests and the bench call ``page`` too)."""

    def __init__(self, corpus: Corpus, page_size: int, cache_size: int = 512) -> None:
        self.corpus = corpus
        self.page_size = page_size
        self._cache: OrderedDict[tuple, Page] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        # extra `Disallow:` paths of /robots.txt (tests of robots.txt obedience)
        self.robots_disallow: tuple[str, ...] = ()

    @staticmethod
    def classify(path: str) -> tuple[str, tuple]:
        if path == "/robots.txt":
            return "robots", ()
        if path == SITE_FEED:
            return "site_rss", ()
        m = RE_STORY.match(path)
        if m:
            return "story", (newsroom(m[1] is not None, m[2]), int(m[3]))
        m = RE_NEWSROOM.match(path)
        if m:
            return "listing", (newsroom(m[1] is not None, m[2]), int(m[3] or 0))
        m = RE_RSS.match(path)
        if m:
            return "rss", (newsroom(m[1] == "dienststelle", m[2]),)
        return "other", ()

    def page(self, kind: str, args: tuple, query: dict[str, str], flags: render.Flags) -> Page:
        window = (query.get("startDate", ""), query.get("endDate", "")) if kind == "listing" else ("", "")
        key = (kind, args, window, self.corpus.version, self.robots_disallow if kind == "robots" else ())
        cacheable = flags is render.NO_FLAGS or flags == render.NO_FLAGS
        if cacheable:
            with self._lock:
                hit = self._cache.get(key)
                if hit is not None:
                    self._cache.move_to_end(key)
                    return hit
        page = self._render(kind, args, window, flags)
        if cacheable:
            with self._lock:
                self._cache[key] = page
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return page

    def _not_found(self) -> Page:
        return Page(404, render.NOT_FOUND.encode(), HTML)

    def _conditional(self, newsroom: Newsroom | None, body: bytes) -> tuple[str, str]:
        # None: the whole site (its newest change)
        mtime = self.corpus.mtime(newsroom) if newsroom is not None else max(map(self.corpus.mtime, self.corpus.newsrooms))
        digest = hashlib.blake2b(body + mtime.isoformat().encode(), digest_size=10).hexdigest()
        return f'"{digest}"', format_datetime(mtime, usegmt=True)

    def _render(self, kind: str, args: tuple, window: tuple[str, str], flags: render.Flags) -> Page:
        c = self.corpus
        if kind == "robots":
            return Page(200, render.robots(c.base_url, self.robots_disallow).encode(), "text/plain; charset=utf-8")
        if kind == "story":
            room, sid = args
            e = c.entry(sid)
            if e is None or e.newsroom != room:
                return self._not_found()
            doc = c.doc(sid)
            body = render.story_bytes(c, doc, flags)
            # the cp1252 variety is served in the legacy charset (render.story_bytes)
            return Page(200, body, "text/html; charset=windows-1252" if "cp1252" in doc.kinds else HTML)
        if kind == "listing":
            room, offset = args
            if room not in c.newsrooms:
                return self._not_found()
            start, end = render.parse_day(window[0]), render.parse_day(window[1])
            with c.lock:
                sids = c.stories(room, start, end)
                if offset and offset >= len(sids):
                    return self._not_found()
                query = "&".join(
                    f"{k}={v}" for k, v in (("startDate", window[0]), ("endDate", window[1])) if v
                )
                text = render.listing_page(c, room, sids, offset, self.page_size, query, flags)
            body = text.encode()
            return Page(200, body, HTML, *self._conditional(room, body))
        if kind == "rss":
            (room,) = args
            if room not in c.newsrooms:
                return self._not_found()
            with c.lock:
                body = render.rss(c, room, c.stories(room)[:30]).encode()
            return Page(200, body, "application/rss+xml; charset=utf-8", *self._conditional(room, body))
        if kind == "site_rss":
            with c.lock:
                body = render.site_rss(c, c.newest(SITE_FEED_ITEMS)).encode()
            return Page(200, body, "application/rss+xml; charset=utf-8", *self._conditional(None, body))
        return self._not_found()


def not_modified(request: web.Request, page: Page) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since."""
    if page.etag is None:
        return False
    inm = request.headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or page.etag in tags
    ims = request.headers.get("If-Modified-Since")
    if ims and page.last_modified:
        try:
            return parsedate_to_datetime(page.last_modified) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


class Server:
    def __init__(self, site: Site, faults: Faults, log: RequestLog, latency_s: float = 0.0) -> None:
        self.site = site
        self.faults = faults
        self.log = log
        self.latency_s = latency_s

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        arrived = time.time()
        path = request.raw_path
        kind, args = self.site.classify(request.path)
        fault = self.faults.pick(path, kind)
        fault_kind = fault.kind if fault else None

        def log(status: int) -> None:
            self.log.record(LogEntry(path, status, arrived, request.method, fault_kind, dict(request.headers)))

        if self.latency_s:
            # the time the live site takes to answer (every response, 304s and faults too)
            await asyncio.sleep(self.latency_s)
        if fault is not None:
            early = await self._early_fault(request, fault, log)
            if early is not None:
                return early
        flags = self._flags(fault, kind, args, request) if fault is not None else render.NO_FLAGS
        query = dict(request.query) if "?" in path else {}  # (raw_path has the query; parsing none costs)
        page = self.site.page(kind, args, query, flags)
        headers: dict[str, str] = {}
        if page.etag:
            headers["ETag"] = page.etag
            headers["Last-Modified"] = page.last_modified or ""
        if page.status == 200 and not_modified(request, page):
            log(304)
            return web.Response(status=304, headers=headers)
        if fault_kind == "truncate":
            return await self._truncate(request, fault, page, headers, log)
        log(page.status)
        return web.Response(status=page.status, body=page.body, headers={**headers, "Content-Type": page.content_type})

    def _flags(self, fault: Fault, kind: str, args: tuple, request: web.Request) -> render.Flags:
        """The render-time faults of this request (see faults.KINDS)."""
        opts = fault.opts
        canonical = ""
        if fault.kind == "foreign_canonical":
            canonical = opts.get("story") or self._other_story(args[0])
        return render.Flags(
            bad_date=fault.kind == "bad_date",
            no_h1=fault.kind == "no_h1",
            duplicate_card=fault.kind == "duplicate_card",
            canonical=canonical,
            # the same server under another host name: what it serves there is logged too
            next_host=(opts.get("host") or request.host.replace("127.0.0.1", "localhost"))
            if fault.kind == "foreign_next" else "",
            keep_cards=int(opts.get("keep", 0)) if fault.kind == "missing_cards" else None,
            broken_link=opts.get("href", "http://[broken/x") if fault.kind == "broken_link" else "",
        )

    def _other_story(self, room: Newsroom) -> str:
        """"{pid}/{sid}" of the newest story of the publisher after the newsroom's number."""
        pids = list(self.site.corpus.publishers)
        other = pids[(pids.index(room.id) + 1) % len(pids)] if room.id in pids else pids[0]
        return f"{other}/{self.site.corpus.story_ids(other)[0]}"

    async def _early_fault(self, request: web.Request, fault: Fault, log) -> web.StreamResponse | None:
        kind = fault.kind
        if kind == "redirect":
            status = int(fault.opts.get("status", 302))
            log(status)
            return web.Response(status=status, headers={"Location": str(fault.opts["to"])})
        if kind == "slow":
            await asyncio.sleep(float(fault.opts.get("delay", 3.0)))
            return None
        if kind in ("429", "500", "503"):
            status = int(kind)
            headers = {"Content-Type": HTML}
            if kind == "429" or "retry_after" in fault.opts:
                headers["Retry-After"] = str(fault.opts.get("retry_after", 1))
            log(status)
            body = f"<html><body><h1>{status}</h1></body></html>".encode()
            return web.Response(status=status, body=body, headers=headers)
        if kind == "drop":
            log(0)
            # close the socket before any byte of a response is written
            if request.transport is not None:
                request.transport.abort()
            # aiohttp finds the transport closed and writes nothing
            return web.Response(status=599)
        return None

    async def _truncate(self, request: web.Request, fault: Fault, page: Page, headers: dict, log) -> web.StreamResponse:
        keep = float(fault.opts.get("keep", 0.5))
        cut = page.body[: max(1, int(len(page.body) * keep))]
        after = fault.opts.get("after")
        if after and (at := page.body.find(after.encode())) >= 0:
            cut = page.body[: at + len(after)]
        log(page.status)
        if not fault.opts.get("declared_length", True):
            # a complete HTTP response whose HTML simply stops
            return web.Response(status=page.status, body=cut, headers={**headers, "Content-Type": page.content_type})
        # promise the whole body, send part of it, hang up: the client sees data loss
        resp = web.StreamResponse(status=page.status, headers={**headers, "Content-Type": page.content_type})
        resp.content_length = len(page.body)
        await resp.prepare(request)
        await resp.write(cut)
        if request.transport is not None:
            request.transport.abort()
        return resp


class Replica:
    """Corpus + server on 127.0.0.1 in a background thread.

    >>> with Replica(releases=300, seed=1) as r:
    ...     r.base_url, r.corpus.story_ids()[:3]
    """

    def __init__(
        self,
        releases: int = 300,
        seed: int = 1,
        page_size: int = 30,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: float = 0.0,
        publishers: int = 0,
        offices: int = 0,
        request_log: str | None = None,
    ) -> None:
        self.host = host
        self.latency_s = latency_ms / 1000.0
        self.port = port
        self.page_size = page_size
        self.corpus = Corpus(releases=releases, seed=seed, publishers=publishers, offices=offices)
        self.faults = Faults(seed)
        self.log = RequestLog(request_log)
        self.site = Site(self.corpus, page_size)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._sock: socket.socket | None = None

    # ---- lifecycle ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._sock is None:
            raise RuntimeError("replica not started; call start() or use it as a context manager")
        return f"http://{self.host}:{self.port}"

    def start(self) -> "Replica":
        if self._thread is not None:
            return self
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(512)
        self.port = sock.getsockname()[1]
        self._sock = sock
        self.corpus.base_url = f"http://{self.host}:{self.port}"
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            try:
                self._runner = web.AppRunner(
                    Server(self.site, self.faults, self.log, self.latency_s).app(),
                    access_log=None,
                    handle_signals=False,
                    shutdown_timeout=0.5,  # a pending "slow" fault must not hold up stop()
                )
                loop.run_until_complete(self._runner.setup())
                site = web.SockSite(self._runner, sock)
                loop.run_until_complete(site.start())
            except BaseException as exc:  # reported to start()
                errors.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name=f"replica:{self.port}", daemon=True)
        self._thread.start()
        ready.wait(10)
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._thread = None
        if self._sock is not None:
            self._sock.close()
        self.log.close()

    def __enter__(self) -> "Replica":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ---- dynamics and helpers ----------------------------------------------------------------

    def publish(self, n: int = 1, publisher_id: int | None = None, *, office_id: int | None = None) -> list[int]:
        """Publish n new releases at the top of a publisher's newsroom (an office's with
        `office_id`); their ids, newest first."""
        return self.corpus.publish(n, publisher_id or self.corpus.publisher_id, office_id=office_id)

    def edit(self, story_id: int) -> None:
        self.corpus.edit(story_id)

    def delete(self, story_id: int) -> None:
        self.corpus.delete(story_id)

    def requests(self, prefix: str = "", status: int | None = None) -> int:
        """How many requests the log holds whose path starts with ``prefix``."""
        return self.log.count(prefix, status)

    def url(self, path: str) -> str:
        return self.base_url + path

    def story_url(self, story_id: int) -> str:
        """The story's canonical address on the replica (an office's under /blaulicht/)."""
        e = self.corpus.entry(story_id)
        room = e.newsroom if e else self.corpus.newsroom_of(self.corpus.publisher_id)
        return self.base_url + room.story_path(story_id)
