"""The procrastinate application of the project, opened on the store's database.

The tasks (crawler/queue/tasks.py) are registered on `app` at import; `open_queue(url)`
points it at a database for one process (a worker, `enqueue`, `schedule`), after the
queue's schema is applied when absent (`ensure_queue_schema`, only by commands that
write: the read-only `status` never creates it).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import procrastinate
from procrastinate.schema import SchemaManager

from crawler import db
from crawler.db import queue as queue_db

# connected per process by open_queue; tasks import it to register themselves
app = procrastinate.App(connector=procrastinate.PsycopgConnector(),
                        import_paths=["crawler.queue.tasks"])


def ensure_queue_schema(url: str) -> bool:
    """Apply procrastinate's schema to the store's database when it lacks it; True when
    applied now. Raises `db.DatabaseUnavailable`."""
    with db.connect(url) as conn:
        return queue_db.ensure_queue_schema(conn, SchemaManager.get_schema())


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
