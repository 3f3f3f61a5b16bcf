"""Releases from outside the site: dumps of other scrapers and answers of the official API.

- `formats.read_records(path, fmt, *, mapping, encoding)`: a file (gzip or not, "-" for
  standard input) into `Record`s and `BadRecord`s, in order (formats: lines, csv,
  jsonl, api, auto);
- `records.raw_release(record, *, default_newsroom, base_url) -> RawRelease`: the text
  split by the release grammar, ids from the URL or `Originalmeldung:` line (else a
  derived id), the date as given; raises `RecordError` (no text, no publisher).

Pure reading: no database, no Scrapy. `crawler.spiders.imports.ImportSpider` yields the
raw records, and the crawl's own pipelines and extensions store them.
"""
