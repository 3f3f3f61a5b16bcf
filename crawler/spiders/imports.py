"""The import spider: releases from dumps and API answers, stored exactly as a crawl's.

`scrapy crawl import -a files=dump.txt.gz,api.json [-a format=auto] [-a publisher=ID | -a office=ID]
[-a map=text=Hauptartikel,url=Link] [-a encoding=utf-8]`, or `presseportal import`.
It reads the files in order (crawler.imports), yields one `RawRelease` per release from
`start()` and fetches nothing; a record that cannot be read is reported with its file
and line (`crawl_errors`, stage "import") and the import goes on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from crawler.imports.formats import (
    FORMATS,
    BadRecord,
    check_encoding,
    check_files,
    check_mapping,
    parse_mapping,
    read_records,
)
from crawler.imports.records import RecordError, raw_release
from crawler.items import RawRelease
from crawler.spiders.arguments import refuse_empty, refuse_unknown
from crawler.spiders.offline import OfflineSpider
from crawler.state import CrawlPlan, CrawlState, parse_newsrooms


class ImportSpider(OfflineSpider):
    name = "import"

    def __init__(
        self,
        files: str | Iterable[str] = "",
        format: str = "auto",  # noqa: A002 - the spider argument's name
        publisher: str | int | None = None,
        office: str | int | None = None,
        map: str | None = None,  # noqa: A002 - the spider argument's name
        encoding: str = "utf-8",
        **kwargs: Any,
    ) -> None:
        refuse_unknown(type(self), kwargs)
        refuse_empty(publisher=publisher, office=office)
        super().__init__(**kwargs)
        self.paths = [p for p in (files.split(",") if isinstance(files, str) else files) if p]
        if not self.paths:
            raise ValueError("no file to import")
        if format not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
        self.format = format
        self.mapping = parse_mapping(map)
        self.encoding = encoding
        check_encoding(encoding)
        named = parse_newsrooms(publisher, office) if publisher or office else []
        if len(named) > 1:
            raise ValueError("an import takes one default newsroom: one publisher or one office id")
        # the files last: the arguments' own shape first, then what they name (usage errors
        # before any run, as `presseportal import` says them)
        check_files(self.paths)
        check_mapping(self.paths, format, self.mapping, encoding)
        self.default_newsroom = named[0] if named else None
        self.crawl_state = CrawlState(CrawlPlan(mode="import", newsrooms=tuple(named)))

    async def start(self) -> AsyncIterator[RawRelease]:
        base_url = self.settings.get("PRESSEPORTAL_BASE_URL").rstrip("/")
        stats = self.crawler.stats
        for path in self.paths:
            for record in read_records(path, self.format, mapping=self.mapping, encoding=self.encoding):
                stats.inc_value("import/records")
                if isinstance(record, BadRecord):
                    self.fail_page(record.location, "import", record.reason, record.snippet)
                    continue
                try:
                    raw = raw_release(record, default_newsroom=self.default_newsroom, base_url=base_url)
                except RecordError as exc:
                    self.fail_page(record.location, "import", str(exc), record.text[:500])
                    continue
                await self.room()
                yield raw
