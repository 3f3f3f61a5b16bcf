-- Named queries for crawl runs, locks, errors and cursors (crawler/db/runs.py).

-- name: try_lock_all
-- A run over all newsrooms: exclusive on object 0 of namespace 28784.
SELECT pg_try_advisory_lock(28784, 0) AS ok;

-- name: try_lock_all_shared
-- A run over some newsrooms: shared on object 0, so it excludes (and is excluded by)
-- an all-newsrooms run but not other per-newsroom runs.
SELECT pg_try_advisory_lock_shared(28784, 0) AS ok;

-- name: try_lock_newsroom
-- One newsroom: namespace 28784 for a publisher, 28786 for an office (their ids may be
-- the same number; 28785 is the migrations').
SELECT pg_try_advisory_lock(%(namespace)s, %(id)s) AS ok;

-- name: unlock_newsroom
SELECT pg_advisory_unlock(%(namespace)s, %(id)s);

-- name: unlock_all
SELECT pg_advisory_unlock(28784, 0);

-- name: unlock_all_shared
SELECT pg_advisory_unlock_shared(28784, 0);

-- name: try_lock_newsroom_shared
-- A run over a date window of the newsroom: shared on the newsroom, so that windows of
-- one newsroom run side by side while a run over the whole newsroom excludes them all.
SELECT pg_try_advisory_lock_shared(%(namespace)s, %(id)s) AS ok;

-- name: unlock_newsroom_shared
SELECT pg_advisory_unlock_shared(%(namespace)s, %(id)s);

-- name: try_lock_window
-- The window itself: exclusive in namespace 28787 on a key of (newsroom, window)
-- (crawler.db.runs.window_lock_key), so the same window never runs twice at once.
SELECT pg_try_advisory_lock(28787, %(key)s) AS ok;

-- name: unlock_window
SELECT pg_advisory_unlock(28787, %(key)s);

-- name: lock_holder
-- Who holds the newsroom locks that conflict with ours (a row per lock): the (namespace, object) pairs
-- %(namespaces)s x %(objids)s ((28784, 0) = all newsrooms), granted to another session;
-- %(all)s: any lock of the run namespaces. The run row is the unfinished crawl_runs row
-- that session started (start_run records pg_backend_pid()).
SELECT l.pid AS backend_pid, l.classid::integer AS lock_namespace, l.objid::integer AS lock_object, l.mode,
       r.id AS run_id, r.mode AS run_mode, r.publishers, r.offices, r.started_at, r.pid, r.host,
       a.application_name, a.client_addr::text AS client_addr
FROM pg_locks l
LEFT JOIN pg_stat_activity a ON a.pid = l.pid
LEFT JOIN LATERAL (
    SELECT * FROM crawl_runs c
    WHERE c.backend_pid = l.pid AND c.finished_at IS NULL
    ORDER BY c.id DESC LIMIT 1
) r ON true
WHERE l.locktype = 'advisory' AND l.classid IN (28784, 28786, 28787) AND l.objsubid = 2
  AND l.granted AND l.pid <> pg_backend_pid()
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND (%(all)s AND l.classid IN (28784, 28786)
       OR (l.classid::integer, l.objid::bigint) IN (
              SELECT * FROM unnest(%(namespaces)s::integer[], %(objids)s::bigint[]))
          -- a run over some newsrooms shares (28784, 0); a window run shares its newsrooms
          AND (l.objid <> 0 OR l.mode = 'ExclusiveLock')
          AND (NOT %(windowed)s OR l.mode = 'ExclusiveLock')
       -- the same window of the same newsroom (namespace 28787)
       OR l.classid = 28787 AND l.objid::bigint = ANY(%(window_keys)s::bigint[]))
ORDER BY r.started_at NULLS LAST, l.pid;

-- name: start_run
INSERT INTO crawl_runs (mode, publishers, offices, run_window, pid, host, backend_pid, process_started_at,
                        heartbeat_at)
VALUES (%(mode)s, %(publishers)s, %(offices)s, %(window)s, %(pid)s, %(host)s, %(backend_pid)s,
        %(process_started_at)s, now())
RETURNING id;

-- name: finish_run
-- Only the counts passed (not NULL) are written: the store pipeline adds new / changed /
-- unchanged / errors to the row as it commits, the CLI may leave them alone. A verdict
-- written late (replayed from a spill file) keeps the time the run ended.
UPDATE crawl_runs SET
    finished_at = COALESCE(%(finished_at)s::timestamptz, now()),
    status    = %(status)s,
    pages     = COALESCE(%(pages)s, pages),
    new       = COALESCE(%(new)s, new),
    changed   = COALESCE(%(changed)s, changed),
    unchanged = COALESCE(%(unchanged)s, unchanged),
    errors    = COALESCE(%(errors)s, errors),
    coverage  = COALESCE(%(coverage)s, coverage)
WHERE id = %(run_id)s;

-- name: add_run_counts
UPDATE crawl_runs SET
    pages     = pages + %(pages)s,
    new       = new + %(new)s,
    changed   = changed + %(changed)s,
    unchanged = unchanged + %(unchanged)s,
    errors    = errors + %(errors)s
WHERE id = %(run_id)s;

-- name: record_error
INSERT INTO crawl_errors (run_id, url, stage, reason, snippet)
VALUES (%(run_id)s, %(url)s, %(stage)s, %(reason)s, %(snippet)s);

-- name: count_error
UPDATE crawl_runs SET errors = errors + 1 WHERE id = %(run_id)s;

-- name: known_story_ids
-- %(imports)s false: only releases stored from a page (a backfill fetches imported ones);
-- %(seen_since)s not null: only those stored or seen again since then (a refresh resumed)
SELECT newsroom_kind, publisher_id, story_id FROM releases
WHERE (newsroom_kind = 'publisher' AND publisher_id = ANY(%(publishers)s)
       OR newsroom_kind = 'office' AND publisher_id = ANY(%(offices)s))
  AND (%(imports)s OR origin = 'page')
  AND (%(seen_since)s::timestamptz IS NULL OR last_seen_at >= %(seen_since)s::timestamptz);

-- name: known_story_ids_all
SELECT newsroom_kind, publisher_id, story_id FROM releases
WHERE (%(imports)s OR origin = 'page')
  AND (%(seen_since)s::timestamptz IS NULL OR last_seen_at >= %(seen_since)s::timestamptz);

-- name: get_cursor
SELECT state FROM crawl_cursors WHERE key = %(key)s;

-- name: set_cursor
INSERT INTO crawl_cursors (key, state, updated_at) VALUES (%(key)s, %(state)s, now())
ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at;

-- name: delete_cursor
DELETE FROM crawl_cursors WHERE key = %(key)s;

-- name: unfinished_runs
-- Runs sharing a newsroom with these publishers and offices (%(all)s: every run) left
-- without finished_at, with what tells whether their process lives: host, pid and its
-- start, the seconds since the last heartbeat, and whether the session that held their
-- lock is still connected. A run over all newsrooms (no publishers, no offices) shares
-- every one.
SELECT id AS run_id, mode AS run_mode, publishers, offices, run_window, started_at, pid, host, backend_pid,
       process_started_at, heartbeat_at,
       EXTRACT(EPOCH FROM now() - COALESCE(heartbeat_at, started_at))::float8 AS quiet_seconds,
       EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = crawl_runs.backend_pid) AS session_alive
FROM crawl_runs
WHERE finished_at IS NULL
  AND (%(all)s OR (cardinality(publishers) = 0 AND cardinality(offices) = 0)
       OR publishers && %(publishers)s::integer[] OR offices && %(offices)s::integer[])
ORDER BY id;

-- name: abandon_run
-- A run whose process is known to be dead (kill -9, a crash): called by a new run once
-- it holds the lock on the publishers.
UPDATE crawl_runs SET status = 'abandoned', finished_at = now()
WHERE id = %(run_id)s AND finished_at IS NULL;

-- name: heartbeat
-- The run is alive, and this session holds its lock (after a reconnect: a new session,
-- which current_lock_holder then names). A row the store is updating (its counts, in a
-- batch transaction) is skipped, never waited for: the heartbeat runs on the crawl's
-- own thread, and waiting there would keep that very transaction from committing.
-- Returns the status, which another run may have changed (no row: skipped this time).
UPDATE crawl_runs SET heartbeat_at = now(), backend_pid = pg_backend_pid()
WHERE id = (SELECT id FROM crawl_runs WHERE id = %(run_id)s FOR UPDATE SKIP LOCKED)
RETURNING status;
