-- 014: which runs asked the site, said once: a crawl (incremental, full), a backfill (a
-- refresh too), the refresh's stories run; the workers' jobs are runs of these modes
-- (crawler.spiders.presseportal.MODES; tests/health/test_site_crawls.py holds them to
-- it). Only these are a newsroom's health (health.sql: its last successful run, its last
-- run; the metrics', the report's and the alerts' "no successful run"). An import reads
-- files and a re-extraction the stored pages: neither asked the site anything, and a
-- `reextract` over every newsroom made a newsroom whose crawls failed for days look
-- healthy. Both stay in the run history. (Which runs make a newsroom known is narrower:
-- those that visit its listings, known_newsrooms in 011 and 012.)
-- An SQL function of one expression: the planner inlines it.
CREATE FUNCTION site_crawl(mode text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT mode IN ('incremental', 'full', 'backfill', 'stories') $$;
