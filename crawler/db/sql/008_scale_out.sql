-- 008: many workers on many machines (issue 15): one request budget per site, shared by
-- every worker through this table, and the attempts of the job queue's jobs (the queue
-- itself is procrastinate's schema, applied by crawler.db.queue.ensure_queue_schema).

-- The next free request slot of a site (host[:port]). A worker reserves a slot with one
-- UPDATE (crawler/db/sql/queries/budget.sql): slot = greatest(now, next_at), next_at =
-- slot + 1/budget; a 429 or Retry-After pushes next_at for every worker.
CREATE TABLE site_budgets (
    host       text PRIMARY KEY,
    next_at    timestamptz NOT NULL DEFAULT now(),
    pushed_at  timestamptz,            -- the last time the site said "slow down"
    pushes     integer NOT NULL DEFAULT 0
);

-- One row per attempt of a queued job: which worker (host, pid) ran it since when, how it
-- ended and why. procrastinate keeps the job's status; the reason of a failure is ours.
CREATE TABLE job_attempts (
    id          bigserial PRIMARY KEY,
    job_id      bigint NOT NULL,
    worker      text NOT NULL,         -- host:pid of the worker process
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    outcome     text,                  -- succeeded, failed, released, skipped; NULL while running
    reason      text NOT NULL DEFAULT '',
    run_id      bigint                 -- the crawl_runs row of the crawl it started, when known
);
CREATE INDEX job_attempts_job_id_idx ON job_attempts (job_id, id DESC);

-- The date window a run covers ("2024-01-01..2024-03-31"; '' for the whole newsroom), as
-- its run lock names it: a run that finds an unfinished run of its newsroom after a
-- database restart asks whether that run is alive only when their windows conflict.
ALTER TABLE crawl_runs ADD COLUMN run_window text NOT NULL DEFAULT '';
