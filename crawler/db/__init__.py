"""The database room: the only code that holds SQL or talks to the driver.

- `connection`: resolving the URL (once per process; the embedded server when none is
  configured), connecting, pools, password-free messages (`DatabaseUnavailable`);
- `migrations`: the schema (`ensure_schema` for commands that write, `schema_status`
  for those that only read);
- `runs`: run locks, `crawl_runs` rows (heartbeats, verdicts), failed pages, resume
  points, stored story ids;
- `spill`: what a run could not write, on disk per database, and its replay;
- `newsrooms`: which newsrooms are followed (`unfollow`, a newsroom the site does not
  know, following again) and what the store holds of each;
- `releases`: batch rows and the batch transaction of the store; the kept raw pages
  streamed back (`stored_pages`, for a re-extraction);
- `reads`: status, search, export;
- `health`: what the report and the metrics read (aggregated in SQL);
- `embedded`: the embedded PostgreSQL server;
- `sql_files`: the `.sql` files (migrations and named queries), read as package resources.

Callers import this package (`from crawler import db`) and use the names below.
"""

from crawler.db.connection import (
    PG_ENV_VARS,
    RETRYABLE,
    DatabaseUnavailable,
    Error,
    connect,
    describe,
    embedded_settings,
    embedded_url,
    first_line,
    is_alive,
    open_pool,
    redact,
    resolve_database_url,
    scrub,
    without_password,
)
from crawler.db.migrations import SchemaStatus, ensure_schema, migrate, schema_status
from crawler.db.releases import StoredPage, stored_pages
from crawler.db.runs import (
    LOCK_NAMESPACE,
    LOCK_NAMESPACES,
    SNIPPET_MAX,
    FailedPage,
    RunVerdict,
    abandon_run,
    acquire_publisher_lock,
    backend_pid,
    current_lock_holder,
    delete_cursor,
    finish_run,
    get_cursor,
    heartbeat,
    known_story_ids,
    lock_holders,
    newsroom_key,
    record_error,
    release_publisher_lock,
    set_cursor,
    start_run,
    stored_story_ids,
    unfinished_runs,
    write_verdict,
)
from crawler.db.sql_files import migration_versions, query, query_names

__all__ = [
    "LOCK_NAMESPACE",
    "LOCK_NAMESPACES",
    "SNIPPET_MAX",
    "PG_ENV_VARS",
    "RETRYABLE",
    "DatabaseUnavailable",
    "Error",
    "FailedPage",
    "RunVerdict",
    "SchemaStatus",
    "StoredPage",
    "abandon_run",
    "acquire_publisher_lock",
    "backend_pid",
    "connect",
    "current_lock_holder",
    "delete_cursor",
    "describe",
    "embedded_settings",
    "embedded_url",
    "ensure_schema",
    "finish_run",
    "first_line",
    "get_cursor",
    "heartbeat",
    "is_alive",
    "known_story_ids",
    "lock_holders",
    "migrate",
    "migration_versions",
    "newsroom_key",
    "open_pool",
    "query",
    "query_names",
    "record_error",
    "redact",
    "release_publisher_lock",
    "resolve_database_url",
    "schema_status",
    "scrub",
    "set_cursor",
    "start_run",
    "stored_pages",
    "stored_story_ids",
    "unfinished_runs",
    "without_password",
    "write_verdict",
]
