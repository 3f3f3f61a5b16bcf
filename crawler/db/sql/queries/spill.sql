-- name: database_identity
-- Which database this is, whatever address it is reached at: its cluster's system
-- identifier (made by initdb, kept across restarts and port changes) and its name.
-- pg_control_system() needs no privilege.
SELECT system_identifier::text || '/' || current_database() FROM pg_control_system();
