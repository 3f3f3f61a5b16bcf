-- Named queries around the job queue (crawler/db/queue.py). The queue's own tables
-- (procrastinate_jobs, procrastinate_workers, procrastinate_events) are procrastinate's;
-- job_attempts (008_scale_out.sql) is ours.

-- name: queue_schema_present
SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present;

-- name: queue_schema_lock
-- namespace 28785 (the schema's; object 1 is the migrations): two workers starting on a
-- fresh database apply the queue's schema once
SELECT pg_advisory_lock(28785, 2);

-- name: queue_schema_unlock
SELECT pg_advisory_unlock(28785, 2);

-- name: queue_migrations_recorded
SELECT name FROM queue_schema_migrations ORDER BY name;

-- name: record_queue_migrations
INSERT INTO queue_schema_migrations (name, how)
SELECT unnest(%(names)s::text[]), %(how)s
ON CONFLICT (name) DO NOTHING;

-- name: close_lost_attempts
-- A job starts again while an earlier attempt never finished: that worker died (its lease
-- expired and the job was given to another).
UPDATE job_attempts SET finished_at = now(), outcome = 'lost',
       reason = 'the worker stopped answering (lease expired); the job was taken over'
WHERE job_id = %(job_id)s AND finished_at IS NULL;

-- name: start_attempt
INSERT INTO job_attempts (job_id, worker) VALUES (%(job_id)s, %(worker)s) RETURNING id;

-- name: finish_attempt
UPDATE job_attempts SET finished_at = now(), outcome = %(outcome)s, reason = %(reason)s,
       run_id = COALESCE(%(run_id)s, run_id)
WHERE id = %(id)s;

-- name: queue_jobs
-- The jobs to show: every waiting and running job, the newest failed ones; with the
-- latest attempt (worker, since when, why it ended).
SELECT j.id, j.queue_name, j.task_name, j.status::text AS status, j.args, j.attempts,
       j.scheduled_at, a.worker, a.started_at, a.finished_at, a.outcome, a.reason, a.run_id
FROM procrastinate_jobs j
LEFT JOIN LATERAL (
    SELECT * FROM job_attempts a WHERE a.job_id = j.id ORDER BY a.id DESC LIMIT 1
) a ON true
WHERE j.status IN ('todo', 'doing')
   OR j.status = 'failed' AND j.id IN (SELECT id FROM procrastinate_jobs WHERE status = 'failed'
                                       ORDER BY id DESC LIMIT %(failed)s)
ORDER BY CASE j.status WHEN 'doing' THEN 0 WHEN 'todo' THEN 1 ELSE 2 END, j.id;

-- name: job_attempts
SELECT id, job_id, worker, started_at, finished_at, outcome, reason, run_id
FROM job_attempts WHERE job_id = %(job_id)s ORDER BY id;

-- name: followed_newsrooms
-- The newsrooms a refresh looks after: every one the site has shown (known_newsrooms, 011
-- and 012: publishers and offices, as the health watches them; not one only an import
-- names), less those unfollowed.
SELECT kind, id FROM known_newsrooms k
WHERE NOT EXISTS (SELECT 1 FROM unfollowed_newsrooms u WHERE u.kind = k.kind AND u.id = k.id)
ORDER BY kind DESC, id;

-- name: stored_among
SELECT story_id FROM releases WHERE story_id = ANY(%(story_ids)s);
