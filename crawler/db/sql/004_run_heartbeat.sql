-- 004: a run's heartbeat and the start time of its process. A new run calls an
-- unfinished one abandoned only when its process is known to be dead: on the same
-- host, no process with that pid and start time; elsewhere, no heartbeat for a while
-- (crawler/extensions/_liveness.py). A database restart ends the run's lock session but
-- not the run.
ALTER TABLE crawl_runs
    ADD COLUMN heartbeat_at       timestamptz,  -- written by the run lock's watchdog
    ADD COLUMN process_started_at timestamptz;  -- with host and pid: which process it was
