-- 009: which of procrastinate's own migrations this database's queue has (issue 15).
-- procrastinate ships its whole schema (schema.sql) and, for upgrades, one SQL file per
-- change (procrastinate/sql/migrations/NN.NN.NN_NN_*.sql), but keeps no record of what a
-- database has. crawler/db/queue.py `upgrade_queue_schema` keeps it here: a fresh queue
-- gets schema.sql with every migration it sums up recorded, an existing one each missing
-- migration in name order, each in one transaction with its row.
CREATE TABLE queue_schema_migrations (
    name       text PRIMARY KEY,       -- the migration's file name without .sql
    applied_at timestamptz NOT NULL DEFAULT now(),
    how        text NOT NULL           -- schema (in schema.sql), baseline (the queue made before 009), applied
);
