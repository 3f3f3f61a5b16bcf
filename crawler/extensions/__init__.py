"""Extensions: what a crawl reports about itself and keeps in PostgreSQL. One per file.

| extension | job |
| --- | --- |
| `coverage.FieldCoverage` | per watched field, how many releases have it and which layer gave it; warns under COVERAGE_MIN_RATIO |
| `run_lock.RunLock` | the run's per-publisher advisory lock, taken before any request; a watchdog retakes it after a server restart, or stops the run if another took it |
| `run_record.RunRecord` | the run's `crawl_runs` row, its failed pages (`crawl_errors`), its verdict; tells the spider which stories are stored and the newsroom's last validators |
| `progress.Progress` | a backfill's pages, releases, rate and time left |
| `backfill_cursor.BackfillCursor` | a backfill's resume point in `crawl_cursors` |

A component switched off by its setting (`STORE_RELEASES` off: a dry run, a feed export
without a database) raises a bare `NotConfigured`, Scrapy's own convention: with a
message Scrapy would warn, once per component, about what was asked for on purpose.

They meet the spider only through `spider.crawl_state` (`crawler.state.CrawlState`).
"""
