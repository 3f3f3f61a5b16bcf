-- Named queries of the pipeline's health: `presseportal report` and `presseportal metrics`
-- (crawler/db/health.py). Read only; everything is aggregated here, not in Python.
--
-- The scope parameters of the report: %(since)s (a Berlin calendar day, or NULL for all)
-- and %(publishers)s (newsroom ids, or NULL for all). Releases are in scope by their
-- publication, runs by their start, failed pages by when they were recorded; a run over
-- all newsrooms (publishers '{}') is in every newsroom's scope. The report is of the
-- publishers' newsrooms: an office (newsroom_kind 'office', whose id may be a publisher's
-- too) is not drawn yet.

-- name: health_newsrooms
-- Every newsroom the store knows (it has releases, or a run asked for it): its releases
-- in scope, the oldest and newest of them, and its runs (all of them, whatever the scope:
-- "when did this newsroom last succeed" does not depend on the window looked at).
WITH scoped AS (
    SELECT publisher_id, count(*) AS releases, min(published_at) AS oldest, max(published_at) AS newest
    FROM releases
    WHERE newsroom_kind = 'publisher'
      AND (%(since)s::date IS NULL OR published_at >= (%(since)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
      AND (%(publishers)s::integer[] IS NULL OR publisher_id = ANY(%(publishers)s::integer[]))
    GROUP BY publisher_id
), known AS (
    SELECT id AS publisher_id FROM publishers WHERE kind = 'publisher'
    UNION
    SELECT DISTINCT unnest(publishers) FROM crawl_runs
)
SELECT k.publisher_id, coalesce(p.name, '') AS name, coalesce(s.releases, 0) AS releases,
       s.oldest, s.newest,
       (SELECT max(r.finished_at) FROM crawl_runs r
        WHERE r.status = 'success' AND (k.publisher_id = ANY(r.publishers) OR r.publishers = '{}')) AS last_success,
       last.started_at AS last_run_started, last.status AS last_run_status
FROM known k
LEFT JOIN publishers p ON p.kind = 'publisher' AND p.id = k.publisher_id
LEFT JOIN scoped s ON s.publisher_id = k.publisher_id
LEFT JOIN LATERAL (
    SELECT r.started_at, r.status FROM crawl_runs r
    WHERE k.publisher_id = ANY(r.publishers) OR r.publishers = '{}'
    ORDER BY r.started_at DESC, r.id DESC LIMIT 1
) last ON true
WHERE %(publishers)s::integer[] IS NULL OR k.publisher_id = ANY(%(publishers)s::integer[])
ORDER BY releases DESC, k.publisher_id;

-- name: health_archive_months
-- Releases per Berlin calendar month per newsroom, every month from the newsroom's first
-- to its last one in scope, months without a release included (0): the archive's gaps.
WITH counted AS (
    SELECT publisher_id,
           date_trunc('month', published_at AT TIME ZONE 'Europe/Berlin')::date AS month,
           count(*) AS releases
    FROM releases
    WHERE published_at IS NOT NULL AND newsroom_kind = 'publisher'
      AND (%(since)s::date IS NULL OR published_at >= (%(since)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
      AND (%(publishers)s::integer[] IS NULL OR publisher_id = ANY(%(publishers)s::integer[]))
    GROUP BY 1, 2
), spans AS (
    SELECT publisher_id, min(month) AS first, max(month) AS last FROM counted GROUP BY publisher_id
)
SELECT s.publisher_id, m.month::date AS month, coalesce(c.releases, 0) AS releases
FROM spans s
CROSS JOIN LATERAL generate_series(s.first, s.last, interval '1 month') AS m (month)
LEFT JOIN counted c ON c.publisher_id = s.publisher_id AND c.month = m.month::date
ORDER BY s.publisher_id, m.month;

-- name: health_runs
-- One row per run in scope, oldest first; duration in seconds (NULL while running).
SELECT id, mode, publishers, started_at, finished_at, status,
       extract(epoch FROM finished_at - started_at)::float8 AS duration_seconds,
       pages, new, changed, unchanged, errors, new + changed + unchanged AS releases, coverage
FROM crawl_runs
WHERE (%(since)s::date IS NULL OR started_at >= (%(since)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
  AND (%(publishers)s::integer[] IS NULL OR publishers && %(publishers)s::integer[] OR publishers = '{}')
ORDER BY started_at, id;

-- name: health_run_outcomes
-- new / changed / unchanged summed over bins of %(bin_seconds)s seconds of the runs' start
-- (a bar per bin: thousands of runs stay a readable chart).
SELECT date_bin(make_interval(secs => %(bin_seconds)s), started_at, timestamptz '2000-01-01') AS bin,
       sum(new)::bigint AS new, sum(changed)::bigint AS changed, sum(unchanged)::bigint AS unchanged,
       count(*) AS runs
FROM crawl_runs
WHERE (%(since)s::date IS NULL OR started_at >= (%(since)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
  AND (%(publishers)s::integer[] IS NULL OR publishers && %(publishers)s::integer[] OR publishers = '{}')
GROUP BY 1
ORDER BY 1;

-- name: health_cron_rhythm
-- The cron job's rhythm per newsroom: the median interval between the starts of its
-- incremental runs (known from %(min_intervals)s intervals on), and the gaps longer than
-- %(factor)s times that (missed runs), the one from the last run until now included.
WITH cron AS (
    SELECT unnest(publishers) AS publisher_id, started_at
    FROM crawl_runs
    WHERE mode = 'incremental'
      AND (%(since)s::date IS NULL OR started_at >= (%(since)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
), steps AS (
    SELECT publisher_id, started_at AS gap_from,
           lead(started_at) OVER (PARTITION BY publisher_id ORDER BY started_at) AS gap_to
    FROM cron
    WHERE %(publishers)s::integer[] IS NULL OR publisher_id = ANY(%(publishers)s::integer[])
), cadence AS (
    SELECT publisher_id, count(*) + 1 AS runs,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM gap_to - gap_from)) AS cadence_seconds
    FROM steps
    WHERE gap_to IS NOT NULL
    GROUP BY publisher_id
    HAVING count(*) >= %(min_intervals)s
), gaps AS (
    SELECT s.publisher_id, s.gap_from, coalesce(s.gap_to, now()) AS gap_to
    FROM steps s
    JOIN cadence c USING (publisher_id)
    WHERE extract(epoch FROM coalesce(s.gap_to, now()) - s.gap_from) > %(factor)s * c.cadence_seconds
)
SELECT c.publisher_id, c.runs, c.cadence_seconds,
       coalesce(array_agg(g.gap_from ORDER BY g.gap_from) FILTER (WHERE g.gap_from IS NOT NULL), '{}') AS gap_starts,
       coalesce(array_agg(g.gap_to ORDER BY g.gap_from) FILTER (WHERE g.gap_from IS NOT NULL), '{}') AS gap_ends
FROM cadence c
LEFT JOIN gaps g USING (publisher_id)
GROUP BY c.publisher_id, c.runs, c.cadence_seconds
ORDER BY c.publisher_id;

-- name: health_failures_by_stage
-- Failed pages recorded in scope, per stage (fetch, listing, extract, pipeline, ...).
SELECT e.stage, count(*) AS pages
FROM crawl_errors e
LEFT JOIN crawl_runs r ON r.id = e.run_id
WHERE (%(since)s::date IS NULL OR e.at >= (%(since)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
  AND (%(publishers)s::integer[] IS NULL OR r.publishers && %(publishers)s::integer[] OR r.publishers = '{}')
GROUP BY e.stage
ORDER BY pages DESC, e.stage;

-- name: health_latest_failures
SELECT e.at, e.run_id, e.stage, e.url, e.reason
FROM crawl_errors e
LEFT JOIN crawl_runs r ON r.id = e.run_id
WHERE (%(since)s::date IS NULL OR e.at >= (%(since)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
  AND (%(publishers)s::integer[] IS NULL OR r.publishers && %(publishers)s::integer[] OR r.publishers = '{}')
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
       id, mode, publishers, started_at, finished_at, status,
       extract(epoch FROM finished_at - started_at)::float8 AS duration_seconds,
       pages, new, changed, unchanged, errors
FROM crawl_runs
WHERE finished_at IS NOT NULL
ORDER BY mode, finished_at DESC, id DESC;

-- name: health_last_coverage
-- The field coverage of the last finished run that measured one (a run with releases).
SELECT id, coverage, new + changed + unchanged AS releases
FROM crawl_runs
WHERE finished_at IS NOT NULL AND coverage <> '{}'::jsonb
ORDER BY finished_at DESC, id DESC
LIMIT 1;
