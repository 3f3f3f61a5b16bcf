-- Named queries of the pipeline's health: `presseportal report` and `presseportal metrics`
-- (crawler/db/health.py). Read only; everything is aggregated here, not in Python.
--
-- A newsroom is (kind, id) everywhere here: a publisher's ('publisher', /nr/{id}) or a
-- police or fire office's ('office', /blaulicht/nr/{id}); the site may give both kinds the
-- same number (006_newsroom_kinds.sql), so every row names both and every join and group
-- uses both. Release rows name theirs in (newsroom_kind, publisher_id); a run names its
-- newsrooms in crawl_runs.publishers and crawl_runs.offices, both empty for a run over
-- every newsroom (which is in every newsroom's scope and history).
--
-- The scope parameters of the report: %(since)s (a Berlin calendar day, or NULL for all),
-- %(every)s (true: every newsroom), else %(publishers)s and %(offices)s (the ids of each
-- kind in scope; '{}' for none). Releases are in scope by their publication, runs by their
-- start, failed pages by when they were recorded.

-- name: health_without_jit
-- These queries boil large tables down to small answers from rough estimates (a newsroom's
-- months, its runs): compiled by JIT, PostgreSQL's default above jit_above_cost, a query of
-- a second took over ten on a store of 200,000 releases (bench/report.py).
SET jit = off;

-- name: health_newsrooms
-- Every newsroom the store follows (known_newsrooms, 011 and 012: the site showed it, a
-- crawled release or a crawl or backfill naming it; not one of unfollowed_newsrooms), and
-- asked for by id any newsroom the store lists (listed_newsrooms, 013: an unfollowed one,
-- one only an import names): its releases in scope, the oldest and newest of them, an office's
-- code (from its newest release that has one), and its runs (all of them, whatever the
-- scope: "when did this newsroom last succeed" does not depend on the window looked at):
-- the runs that asked the site (site_crawl, 014). An import or a re-extraction is none of
-- them: one without --publisher names no newsroom, which reads as a run over every
-- newsroom, and its success hid a newsroom whose crawls failed.
WITH scoped AS (
    SELECT newsroom_kind AS kind, publisher_id AS newsroom_id, count(*) AS releases,
           min(published_at) AS oldest, max(published_at) AS newest
    FROM releases
    WHERE (%(since)s::date IS NULL OR published_at >= (%(since)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
      AND (%(every)s OR newsroom_kind = 'publisher' AND publisher_id = ANY(%(publishers)s::integer[])
                     OR newsroom_kind = 'office' AND publisher_id = ANY(%(offices)s::integer[]))
    GROUP BY newsroom_kind, publisher_id
), listed AS (
    SELECT kind, id AS newsroom_id, known FROM listed_newsrooms  -- 013
)
SELECT k.kind, k.newsroom_id, coalesce(p.name, '') AS name,
       coalesce(code.office_code, '') AS office_code,
       coalesce(s.releases, 0) AS releases, s.oldest, s.newest,
       (SELECT max(r.finished_at) FROM crawl_runs r
        WHERE r.status = 'success' AND site_crawl(r.mode)
          AND (k.kind = 'publisher' AND k.newsroom_id = ANY(r.publishers)
               OR k.kind = 'office' AND k.newsroom_id = ANY(r.offices)
               OR cardinality(r.publishers) = 0 AND cardinality(r.offices) = 0)) AS last_success,
       last.started_at AS last_run_started, last.status AS last_run_status
FROM listed k
LEFT JOIN publishers p ON p.kind = k.kind AND p.id = k.newsroom_id
LEFT JOIN scoped s ON s.kind = k.kind AND s.newsroom_id = k.newsroom_id
LEFT JOIN LATERAL (
    -- its last crawl: one that named it, or one over every newsroom
    SELECT r.started_at, r.status FROM crawl_runs r
    WHERE (k.kind = 'publisher' AND k.newsroom_id = ANY(r.publishers)
           OR k.kind = 'office' AND k.newsroom_id = ANY(r.offices)
           OR cardinality(r.publishers) = 0 AND cardinality(r.offices) = 0)
      AND site_crawl(r.mode)
    ORDER BY r.started_at DESC, r.id DESC LIMIT 1
) last ON true
LEFT JOIN LATERAL (
    -- newest first along releases_newsroom_published_idx: the first with a code
    SELECT r.office_code FROM releases r
    WHERE k.kind = 'office' AND r.newsroom_kind = 'office' AND r.publisher_id = k.newsroom_id
      AND r.published_at IS NOT NULL AND r.office_code <> ''
    ORDER BY r.published_at DESC LIMIT 1
) code ON true
WHERE %(every)s AND k.known AND NOT EXISTS (SELECT 1 FROM unfollowed_newsrooms u  -- asked for by id: shown all the same
                                            WHERE u.kind = k.kind AND u.id = k.newsroom_id)
   OR k.kind = 'publisher' AND k.newsroom_id = ANY(%(publishers)s::integer[])
   OR k.kind = 'office' AND k.newsroom_id = ANY(%(offices)s::integer[])
ORDER BY releases DESC, k.kind DESC, k.newsroom_id;

-- name: health_archive_months
-- Releases per Berlin calendar month per newsroom, every month from the newsroom's first
-- to its last one in scope, months without a release included (0): the archive's gaps.
WITH counted AS (
    SELECT newsroom_kind AS kind, publisher_id AS newsroom_id,
           date_trunc('month', published_at AT TIME ZONE 'Europe/Berlin')::date AS month,
           count(*) AS releases
    FROM releases
    WHERE published_at IS NOT NULL
      AND (%(since)s::date IS NULL OR published_at >= (%(since)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
      AND (%(every)s OR newsroom_kind = 'publisher' AND publisher_id = ANY(%(publishers)s::integer[])
                     OR newsroom_kind = 'office' AND publisher_id = ANY(%(offices)s::integer[]))
    GROUP BY 1, 2, 3
), spans AS (
    SELECT kind, newsroom_id, min(month) AS first, max(month) AS last FROM counted GROUP BY kind, newsroom_id
)
SELECT s.kind, s.newsroom_id, m.month::date AS month, coalesce(c.releases, 0) AS releases
FROM spans s
CROSS JOIN LATERAL generate_series(s.first, s.last, interval '1 month') AS m (month)
LEFT JOIN counted c ON c.kind = s.kind AND c.newsroom_id = s.newsroom_id AND c.month = m.month::date
ORDER BY s.kind DESC, s.newsroom_id, m.month;

-- name: health_runs
-- One row per run in scope, oldest first; duration in seconds (NULL while running).
SELECT id, mode, publishers, offices, started_at, finished_at, status,
       extract(epoch FROM finished_at - started_at)::float8 AS duration_seconds,
       pages, new, changed, unchanged, errors, new + changed + unchanged AS releases, coverage
FROM crawl_runs
WHERE (%(since)s::date IS NULL OR started_at >= (%(since)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
  AND (%(every)s OR publishers && %(publishers)s::integer[] OR offices && %(offices)s::integer[]
       OR cardinality(publishers) = 0 AND cardinality(offices) = 0)
ORDER BY started_at, id;

-- name: health_run_outcomes
-- new / changed / unchanged summed over bins of %(bin_seconds)s seconds of the runs' start
-- (a bar per bin: thousands of runs stay a readable chart).
SELECT date_bin(make_interval(secs => %(bin_seconds)s), started_at, timestamptz '2000-01-01') AS bin,
       sum(new)::bigint AS new, sum(changed)::bigint AS changed, sum(unchanged)::bigint AS unchanged,
       count(*) AS runs
FROM crawl_runs
WHERE (%(since)s::date IS NULL OR started_at >= (%(since)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
  AND (%(every)s OR publishers && %(publishers)s::integer[] OR offices && %(offices)s::integer[]
       OR cardinality(publishers) = 0 AND cardinality(offices) = 0)
GROUP BY 1
ORDER BY 1;

-- name: health_cron_rhythm
-- The cron job's rhythm per newsroom: the median interval between the starts of its
-- incremental runs (known from %(min_intervals)s intervals on), and the gaps longer than
-- %(factor)s times that (missed runs), the one from the last run until now included.
-- Stories runs (the workers' refresh: a newsroom's stories the site-wide feed named) are
-- left out: they follow the news, not the clock; a newsroom without news has none, which
-- is no missed run. With workers, the rhythm is the sweep's (PRESSEPORTAL_SWEEP_CRON).
-- Inside, a newsroom's kind is `office` (a boolean): a run per newsroom is a hundred
-- thousand rows on a large store, and sorting them by a text would cost seconds.
WITH cron AS (
    SELECT false AS office, unnest(publishers) AS newsroom_id, started_at
    FROM crawl_runs
    WHERE mode = 'incremental'
      AND (%(since)s::date IS NULL OR started_at >= (%(since)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
    UNION ALL
    SELECT true, unnest(offices), started_at
    FROM crawl_runs
    WHERE mode = 'incremental'
      AND (%(since)s::date IS NULL OR started_at >= (%(since)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
), steps AS (
    SELECT office, newsroom_id, started_at AS gap_from,
           lead(started_at) OVER (PARTITION BY office, newsroom_id ORDER BY started_at) AS gap_to
    FROM cron
    WHERE %(every)s OR NOT office AND newsroom_id = ANY(%(publishers)s::integer[])
                    OR office AND newsroom_id = ANY(%(offices)s::integer[])
), cadence AS (
    SELECT office, newsroom_id, count(*) + 1 AS runs,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM gap_to - gap_from)) AS cadence_seconds
    FROM steps
    WHERE gap_to IS NOT NULL
    GROUP BY office, newsroom_id
    HAVING count(*) >= %(min_intervals)s
), gaps AS (
    SELECT s.office, s.newsroom_id, s.gap_from, coalesce(s.gap_to, now()) AS gap_to
    FROM steps s
    JOIN cadence c USING (office, newsroom_id)
    WHERE extract(epoch FROM coalesce(s.gap_to, now()) - s.gap_from) > %(factor)s * c.cadence_seconds
)
SELECT CASE WHEN c.office THEN 'office' ELSE 'publisher' END AS kind, c.newsroom_id, c.runs, c.cadence_seconds,
       coalesce(array_agg(g.gap_from ORDER BY g.gap_from) FILTER (WHERE g.gap_from IS NOT NULL), '{}') AS gap_starts,
       coalesce(array_agg(g.gap_to ORDER BY g.gap_from) FILTER (WHERE g.gap_from IS NOT NULL), '{}') AS gap_ends
FROM cadence c
LEFT JOIN gaps g USING (office, newsroom_id)
GROUP BY c.office, c.newsroom_id, c.runs, c.cadence_seconds
ORDER BY c.office, c.newsroom_id;

-- name: health_failures_by_stage
-- Failed pages recorded in scope, per stage (fetch, listing, extract, pipeline, ...).
SELECT e.stage, count(*) AS pages
FROM crawl_errors e
LEFT JOIN crawl_runs r ON r.id = e.run_id
WHERE (%(since)s::date IS NULL OR e.at >= (%(since)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
  AND (%(every)s OR r.publishers && %(publishers)s::integer[] OR r.offices && %(offices)s::integer[]
       OR cardinality(r.publishers) = 0 AND cardinality(r.offices) = 0)
GROUP BY e.stage
ORDER BY pages DESC, e.stage;

-- name: health_latest_failures
SELECT e.at, e.run_id, e.stage, e.url, e.reason
FROM crawl_errors e
LEFT JOIN crawl_runs r ON r.id = e.run_id
WHERE (%(since)s::date IS NULL OR e.at >= (%(since)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
  AND (%(every)s OR r.publishers && %(publishers)s::integer[] OR r.offices && %(offices)s::integer[]
       OR cardinality(r.publishers) = 0 AND cardinality(r.offices) = 0)
ORDER BY e.id DESC
LIMIT %(limit)s;

-- name: health_queue
SELECT queue_name, status::text AS status, count(*) AS jobs
FROM procrastinate_jobs
GROUP BY 1, 2
ORDER BY 1, 2;

-- name: health_runs_by_status
SELECT status, count(*) AS runs FROM crawl_runs GROUP BY status ORDER BY status;

-- name: health_last_finished_runs
-- The run of each mode (incremental, backfill, ...) that finished last.
SELECT DISTINCT ON (mode)
       id, mode, publishers, offices, started_at, finished_at, status,
       extract(epoch FROM finished_at - started_at)::float8 AS duration_seconds,
       pages, new, changed, unchanged, errors
FROM crawl_runs
WHERE finished_at IS NOT NULL
ORDER BY mode, finished_at DESC, id DESC;

-- name: health_last_coverage
-- The field coverage of the last finished run that measured one (a run with releases)
-- on extracted pages: not an import's (%(imports)s: crawler.state.IMPORT_MODES), since
-- what a dump held says nothing of the extractor.
SELECT id, mode, finished_at, coverage, new + changed + unchanged AS releases
FROM crawl_runs
WHERE finished_at IS NOT NULL AND coverage <> '{}'::jsonb
  AND mode <> ALL(%(imports)s::text[])
ORDER BY finished_at DESC, id DESC
LIMIT 1;
