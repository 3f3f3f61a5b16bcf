-- Named queries used by crawler.db.migrate. Each query starts with "-- name: <name>".

-- name: create_schema_migrations
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    text PRIMARY KEY,          -- file name without .sql, e.g. 001_init
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- name: migration_lock
-- session-level advisory lock (namespace 28785, object 1 = migrations; 28784 is for runs): concurrent
-- migrate() calls wait for each other instead of racing on CREATE TABLE.
SELECT pg_advisory_lock(28785, 1);

-- name: migration_unlock
SELECT pg_advisory_unlock(28785, 1);

-- name: applied_migrations
SELECT version FROM schema_migrations ORDER BY version;

-- name: record_migration
INSERT INTO schema_migrations (version) VALUES (%(version)s);

-- name: schema_migrations_exists
-- read-only commands ask before they read: an empty database has no schema yet
SELECT to_regclass('schema_migrations') IS NOT NULL;

-- name: database_exists
SELECT 1 FROM pg_database WHERE datname = %(name)s;

-- name: create_database
-- {name} is an identifier, composed with psycopg.sql (CREATE DATABASE takes no parameters)
CREATE DATABASE {name};
