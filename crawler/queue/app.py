"""The procrastinate application of the project, opened on the store's database.

The tasks (crawler/queue/tasks.py) are registered on `app` at import; `open_queue(url)`
points it at a database for one process (a worker, `enqueue`, `schedule`), after the
queue's schema is brought to the installed procrastinate's (`ensure_queue_schema`, also
run by `presseportal db upgrade`; only commands that write: the read-only `status` never
creates it).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
from collections.abc import AsyncIterator
from pathlib import Path

import procrastinate
from procrastinate.schema import SchemaManager

from crawler import db
from crawler.db import queue as queue_db

# connected per process by open_queue; tasks import it to register themselves
app = procrastinate.App(connector=procrastinate.PsycopgConnector(),
                        import_paths=["crawler.queue.tasks"])


# the last migration of procrastinate 3.10.0, the one the queues made before migration
# 009 were made with (they kept no record of their version)
QUEUE_BASELINE = "03.04.00_50_post_add_retry_failed_job_procedure"


def queue_version() -> str:
    """The installed procrastinate's version ("3.10.0")."""
    return importlib.metadata.version("procrastinate")


def queue_migrations() -> list[tuple[str, str]]:
    """procrastinate's migration files, (name without .sql, sql), in the order they apply."""
    folder = Path(SchemaManager.get_migrations_path())
    return [(path.stem, path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.sql"))]


def ensure_queue_schema(url: str) -> list[str]:
    """The store's schema migrated, then the queue's brought to the installed
    procrastinate's (crawler/db/queue.py `upgrade_queue_schema`): what was applied now,
    [] when current. Raises `db.DatabaseUnavailable`."""
    db.ensure_schema(url)
    with db.connect(url) as conn:
        return queue_db.upgrade_queue_schema(conn, SchemaManager.get_schema(), queue_migrations(),
                                             QUEUE_BASELINE)


@contextlib.asynccontextmanager
async def open_queue(url: str, *, pool_size: int = 4) -> AsyncIterator[procrastinate.App]:
    """The app, connected to `url` (a pool of at most `pool_size` connections) for the
    block, with its schema in place and its tasks registered."""
    from crawler.queue import tasks  # noqa: F401  (registers the tasks on app)

    ensure_queue_schema(url)
    connector = procrastinate.PsycopgConnector(conninfo=url, min_size=1, max_size=pool_size,
                                               kwargs={"connect_timeout": 10})
    with app.replace_connector(connector):
        async with app.open_async():
            yield app
