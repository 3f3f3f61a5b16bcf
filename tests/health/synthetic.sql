-- A synthetic store of known shape, made by PostgreSQL itself (generate_series): the
-- benchmark's 200,000 releases and 5,000 runs in seconds, and small stores for tests.
-- Parameters: %(newsrooms)s (ids 1001, 1002, ...; the last %(offices)s of them police
-- offices, with a code "POL-{n}"), %(releases)s, %(runs)s, %(first_day)s (the archive starts),
-- %(gap_month)s (newsroom 1's releases of that month move to the next: a gap),
-- %(missed)s (cron slots left out in the middle of the runs: missed runs),
-- %(fields)s (the watched fields), %(drop_field)s (its coverage drops to 0.6 over the
-- last 5%% of the runs: a site change).

CREATE TEMPORARY TABLE synthetic_newsrooms AS
SELECT n, 1000 + n AS id,
       CASE WHEN n > %(newsrooms)s - %(offices)s THEN 'office' ELSE 'publisher' END AS kind
FROM generate_series(1, %(newsrooms)s) AS n;

INSERT INTO publishers (kind, id, name)
SELECT kind, id, 'Newsroom ' || n FROM synthetic_newsrooms;

INSERT INTO releases (story_id, newsroom_kind, publisher_id, office_code, url, title, published_at,
                      published_raw, body, content_hash, fetched_at)
SELECT 1000000 + i,
       nr.kind,
       nr.id,
       CASE nr.kind WHEN 'office' THEN 'POL-' || nr.n ELSE '' END,
       'https://www.presseportal.de/' || CASE nr.kind WHEN 'office' THEN 'blaulicht/' ELSE '' END
           || 'pm/' || nr.id || '/' || (1000000 + i),
       CASE nr.kind WHEN 'office' THEN 'POL-' || nr.n || ': ' ELSE '' END || 'Meldung ' || i,
       CASE WHEN i %% %(newsrooms)s = 0
                 AND date_trunc('month', t AT TIME ZONE 'Europe/Berlin')::date = %(gap_month)s::date
            THEN t + interval '1 month' ELSE t END,
       '', 'Text ' || i, md5(i::text), now()
FROM generate_series(1, %(releases)s) AS i
     JOIN synthetic_newsrooms nr ON nr.n = 1 + (i %% %(newsrooms)s),
     LATERAL (SELECT (%(first_day)s::date::timestamp AT TIME ZONE 'Europe/Berlin')
                     + (now() - interval '1 day' - (%(first_day)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
                       * (i::float8 / %(releases)s) AS t) AS at;

-- cron every 15 minutes, the last one 10 minutes ago; %(missed)s slots in the middle skipped
INSERT INTO crawl_runs (id, mode, publishers, offices, started_at, finished_at, status, pages, new, changed,
                        unchanged, errors, coverage)
SELECT slot,
       'incremental',
       (SELECT coalesce(array_agg(id ORDER BY n), '{}') FROM synthetic_newsrooms WHERE kind = 'publisher'),
       (SELECT coalesce(array_agg(id ORDER BY n), '{}') FROM synthetic_newsrooms WHERE kind = 'office'),
       start,
       start + make_interval(secs => 2 + slot %% 7),
       CASE WHEN slot %% 97 = 0 THEN 'errors' ELSE 'success' END,
       2 + slot %% 5,
       20 + slot %% 4, (slot %% 11 = 0)::int, 0,
       CASE WHEN slot %% 97 = 0 THEN 3 ELSE 0 END,
       (SELECT jsonb_object_agg(f, CASE WHEN f = %(drop_field)s AND slot > %(runs)s * 0.95 + %(missed)s
                                        THEN 0.6 ELSE 1.0 END)
        FROM unnest(%(fields)s::text[]) AS f)
FROM generate_series(1, %(runs)s + %(missed)s) AS slot,
     LATERAL (SELECT now() - interval '10 minutes'
                     - (%(runs)s + %(missed)s - slot) * interval '15 minutes' AS start) AS s
WHERE slot NOT BETWEEN (%(runs)s / 2) + 1 AND (%(runs)s / 2) + %(missed)s;

SELECT setval('crawl_runs_id_seq', (SELECT max(id) FROM crawl_runs));

INSERT INTO crawl_errors (run_id, url, stage, reason, at)
SELECT r.id,
       'https://www.presseportal.de/pm/1001/' || (r.id * 10 + k),
       (ARRAY['fetch', 'extract', 'pipeline'])[k],
       'synthetic failure ' || k,
       r.finished_at
FROM crawl_runs r, generate_series(1, 3) AS k
WHERE r.status = 'errors';
