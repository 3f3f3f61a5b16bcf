"""Runs, their locks, failed pages and resume points: named functions over runs.sql.

Newsroom locks (cron and backfill never overlap on a newsroom) are session-level
PostgreSQL advisory locks in the two-int form ``pg_try_advisory_lock(namespace, id)``. A
newsroom is (kind, id) (`crawler.items.Newsroom`): a publisher's lives in namespace
``LOCK_NAMESPACES["publisher"] = 28784`` (0x7070, "pp"), an office's in 28786 (its id may
be a publisher's number too; 28785 is the migrations' lock):

- a run over *all* newsrooms takes ``(28784, 0)`` exclusively;
- a run over some newsrooms takes ``(28784, 0)`` shared plus ``(namespace, id)``
  exclusively for each, in ascending order (no deadlock), all or nothing.

A run over a date window of its newsrooms (two windows of one newsroom may run at once,
issue 15) takes ``(28784, 0)`` shared, ``(namespace, id)`` *shared* for each, and
``pg_try_advisory_lock(28787, window_lock_key(newsroom, window))`` exclusively.

So two runs conflict exactly when they share a newsroom (unless both are window runs over
different windows) or one of them is an all-newsrooms run. Where a function takes
`newsrooms`, an int stands for a publisher's newsroom (the common case; a `Newsroom` says
which kind). Locks live as long as the session: keep the connection that took
them open for the whole run; `start_run` records that session's backend pid, which is
how `lock_holders` names the run.

Every function takes an autocommit connection and commits what it did, unless the
caller opened a transaction block (`with conn.transaction():`), which it joins.
"""

from __future__ import annotations

import os
import socket
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from crawler.db.newsrooms import follow_again, unfollow_unknown
from crawler.db.releases import strip_nul
from crawler.db.sql_files import query
from crawler.items import OFFICE, PUBLISHER, Newsroom

LOCK_NAMESPACE = 28784  # publishers, and object 0: all newsrooms
LOCK_NAMESPACES = {PUBLISHER: LOCK_NAMESPACE, OFFICE: 28786}
WINDOW_LOCK_NAMESPACE = 28787  # a newsroom's date window (window_lock_key)
SNIPPET_MAX = 2000


def _commit(conn: psycopg.Connection) -> None:
    # commit our own implicit transaction, never one the caller opened with conn.transaction()
    if not conn.autocommit and not getattr(conn, "_num_transactions", 0):
        conn.commit()


def _newsroom(newsroom: Newsroom | int) -> Newsroom:
    """An int is a publisher's newsroom."""
    return newsroom if isinstance(newsroom, Newsroom) else Newsroom(PUBLISHER, int(newsroom))


def _newsrooms(newsrooms: Iterable[Newsroom | int] | None) -> list[Newsroom]:
    """Sorted and unique; an int is a publisher's newsroom."""
    return sorted({_newsroom(n) for n in newsrooms or ()})


def _ids(newsrooms: Iterable[Newsroom | int] | None, kind: str = PUBLISHER) -> list[int]:
    """The ids of the newsrooms of one kind, sorted."""
    return [n.id for n in _newsrooms(newsrooms) if n.kind == kind]


def _lock_key(newsroom: Newsroom) -> dict[str, int]:
    return {"namespace": LOCK_NAMESPACES[newsroom.kind], "id": newsroom.id}


# --- locks ------------------------------------------------------------------------------------


def window_lock_key(newsroom: Newsroom, window: str) -> int:
    """The advisory lock key (namespace 28787) of one newsroom's date window: a stable
    31-bit number of "kind:id:window" (a collision only makes two windows take turns)."""
    return zlib.crc32(f"{newsroom.kind}:{newsroom.id}:{window}".encode()) & 0x7FFFFFFF


def _lock_steps(newsrooms: Iterable[Newsroom | int] | None, window: str) -> list[tuple[str, str, dict]]:
    """The locks a run takes, in order (ascending newsrooms: no deadlock): (try query,
    unlock query, params)."""
    rooms = _newsrooms(newsrooms)
    if not rooms:
        return [("try_lock_all", "unlock_all", {})]
    steps = [("try_lock_all_shared", "unlock_all_shared", {})]
    if not window:
        return steps + [("try_lock_newsroom", "unlock_newsroom", _lock_key(n)) for n in rooms]
    steps += [("try_lock_newsroom_shared", "unlock_newsroom_shared", _lock_key(n)) for n in rooms]
    return steps + [("try_lock_window", "unlock_window", {"key": window_lock_key(n, window)}) for n in rooms]


def acquire_publisher_lock(conn: psycopg.Connection, newsrooms: Iterable[Newsroom | int] | None,
                           window: str = "") -> bool:
    """Take the run lock for these newsrooms (None or empty: all), over their whole
    archive or, with `window` (e.g. "2024-01-01..2024-03-31"), over that date window
    only; False if another run holds a conflicting lock.

    All or nothing: on False nothing stays locked. Held until `release_publisher_lock` or
    until the session ends (a killed run frees its lock with its connection).
    """
    taken: list[tuple[str, dict]] = []
    for try_name, unlock_name, params in _lock_steps(newsrooms, window):
        if conn.execute(query(try_name), params).fetchone()[0]:
            taken.append((unlock_name, params))
            continue
        for unlock, unlock_params in reversed(taken):
            conn.execute(query(unlock), unlock_params)
        _commit(conn)
        return False
    _commit(conn)
    return True


def release_publisher_lock(conn: psycopg.Connection, newsrooms: Iterable[Newsroom | int] | None,
                           window: str = "") -> None:
    for _, unlock_name, params in reversed(_lock_steps(newsrooms, window)):
        conn.execute(query(unlock_name), params)
    _commit(conn)


def current_lock_holder(conn: psycopg.Connection, newsrooms: Iterable[Newsroom | int] | None,
                        window: str = "") -> dict | None:
    """The first of `lock_holders` (the one that started first), or None."""
    holders = lock_holders(conn, newsrooms, window)
    return holders[0] if holders else None


def lock_holders(conn: psycopg.Connection, newsrooms: Iterable[Newsroom | int] | None,
                 window: str = "") -> list[dict]:
    """The sessions holding a lock that conflicts with a run over `newsrooms` (and
    `window`, see `acquire_publisher_lock`), the one that started first first; [] when
    none does.

    Each a dict: run_id (None if that session started no run), run_mode, publishers,
    offices, started_at, pid (OS pid of the crawler), host, backend_pid, lock_namespace,
    lock_object ((28784, 0) = all), and `held`: the newsrooms of `newsrooms` it holds
    (a list; None when it holds every newsroom: a run over all, or `newsrooms` is all).
    """
    rooms = _newsrooms(newsrooms)
    keys = [_lock_key(n) for n in rooms]
    params = {"all": not keys,
              "namespaces": [LOCK_NAMESPACE, *(k["namespace"] for k in keys)],
              "objids": [0, *(k["id"] for k in keys)],
              "windowed": bool(window and keys),
              "window_keys": [window_lock_key(n, window) for n in rooms] if window else []}
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query("lock_holder"), params).fetchall()
    _commit(conn)
    by_session: dict[int, dict] = {}
    for row in rows:
        held = _held_newsroom(row, rooms, window)
        holder = by_session.setdefault(row["backend_pid"], {**row, "held": []})
        if held is None or holder["held"] is None:
            holder["held"] = None
        elif held not in holder["held"]:
            holder["held"].append(held)
    return list(by_session.values())


def _held_newsroom(lock: dict, rooms: list[Newsroom], window: str) -> Newsroom | None:
    """Which of `rooms` a conflicting lock row holds; None: every newsroom (the
    all-newsrooms lock, or `rooms` is all)."""
    namespace, object_id = lock["lock_namespace"], lock["lock_object"]
    if not rooms or (namespace == LOCK_NAMESPACE and object_id == 0):
        return None
    if namespace == WINDOW_LOCK_NAMESPACE:
        return next(n for n in rooms if window_lock_key(n, window) == object_id)
    kind = next(k for k, ns in LOCK_NAMESPACES.items() if ns == namespace)
    return Newsroom(kind, object_id)


def backend_pid(conn: psycopg.Connection) -> int:
    """The server process of this session (what the run row records for its lock)."""
    return int(conn.info.backend_pid)


# --- runs -------------------------------------------------------------------------------------


def start_run(conn: psycopg.Connection, mode: str, newsrooms: Iterable[Newsroom | int] | None,
              *, lock_backend_pid: int | None = None, process_started_at: datetime | None = None,
              window: str = "") -> int:
    """Insert a crawl_runs row (status 'running', heartbeat now) for these newsrooms
    (publishers and offices; none: all) and return its id. `window`: the date window the
    run's lock covers ("" for the whole newsroom; see `acquire_publisher_lock`).

    The row names this process: host, pid and `process_started_at` (when the OS started
    it; with the pid it tells this process from a later one that reuses the pid).
    `lock_backend_pid`: the backend pid of the session that holds the run's lock (default:
    this connection's), which is how `lock_holders` names the run.
    """
    row = conn.execute(
        query("start_run"),
        {
            "mode": mode,
            "publishers": _ids(newsrooms),
            "offices": _ids(newsrooms, OFFICE),
            "window": window,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "backend_pid": lock_backend_pid if lock_backend_pid is not None else backend_pid(conn),
            "process_started_at": process_started_at,
        },
    ).fetchone()
    _commit(conn)
    return int(row[0])


def finish_run(conn: psycopg.Connection, run_id: int, status: str, counts: Mapping[str, Any] | None = None,
               *, finished_at: datetime | None = None) -> None:
    """Close a run: finished_at (default now()), status, and the counts given.

    Keys: pages, new, changed, unchanged, errors (ints), coverage ({field: ratio}). A key
    left out keeps what is stored: the store already adds new/changed/unchanged as it
    commits.
    """
    counts = dict(counts or {})
    coverage = counts.get("coverage")
    conn.execute(
        query("finish_run"),
        {
            "run_id": run_id,
            "status": status,
            "finished_at": finished_at,
            "pages": counts.get("pages"),
            "new": counts.get("new"),
            "changed": counts.get("changed"),
            "unchanged": counts.get("unchanged"),
            "errors": counts.get("errors"),
            "coverage": Jsonb(coverage) if coverage is not None else None,
        },
    )
    _commit(conn)


def unfinished_runs(conn: psycopg.Connection, newsrooms: Iterable[Newsroom | int] | None) -> list[dict]:
    """Runs sharing a newsroom with `newsrooms` (None or empty: all) that have no
    finished_at, oldest first; a run over all newsrooms shares every one. Each a dict:
    run_id, run_mode, publishers, offices, started_at, pid, host, backend_pid,
    process_started_at, heartbeat_at, quiet_seconds (since the last heartbeat, by the
    server's clock), session_alive (its lock's session still connected). Whether the
    process lives is the caller's to judge (crawler/extensions/_liveness.py)."""
    params = {"all": not _newsrooms(newsrooms), "publishers": _ids(newsrooms), "offices": _ids(newsrooms, OFFICE)}
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query("unfinished_runs"), params).fetchall()
    _commit(conn)
    return rows


def abandon_run(conn: psycopg.Connection, run_id: int) -> bool:
    """Mark an unfinished run 'abandoned' (its process is dead); False when it had finished."""
    done = conn.execute(query("abandon_run"), {"run_id": run_id}).rowcount
    _commit(conn)
    return bool(done)


def heartbeat(conn: psycopg.Connection, run_id: int) -> str | None:
    """Note that the run is alive and that this session holds its lock (heartbeat_at,
    backend_pid); return its status, so that a run learns when another marked it
    abandoned. None: the row was being written by the run's store (its lock is not
    waited for: the caller is the crawl's own thread), or there is no such row."""
    row = conn.execute(query("heartbeat"), {"run_id": run_id}).fetchone()
    _commit(conn)
    return row[0] if row else None



# --- failed pages -----------------------------------------------------------------------------


@dataclass
class FailedPage:
    """A page the run could not fetch, parse or store: a crawl_errors row to be."""

    url: str
    stage: str
    reason: str
    snippet: str = ""


def error_params(run_id: int | None, url: str, stage: str, reason: str, snippet: str | bytes | None) -> dict:
    if isinstance(snippet, bytes):
        snippet = snippet.decode("utf-8", errors="replace")
    return {
        "run_id": run_id,
        "url": strip_nul(url or ""),
        "stage": strip_nul(stage or "unknown"),
        "reason": strip_nul(str(reason))[:SNIPPET_MAX],
        "snippet": strip_nul(snippet or "")[:SNIPPET_MAX],
    }


def record_error(
    conn: psycopg.Connection,
    run_id: int | None,
    url: str,
    stage: str,
    reason: str,
    snippet: str | bytes | None = "",
) -> None:
    """Record a failed page in crawl_errors (snippet cut to 2000 chars) and count it on the run."""
    params = error_params(run_id, url, stage, reason, snippet)
    with conn.transaction():
        conn.execute(query("record_error"), params)
        if run_id is not None:
            conn.execute(query("count_error"), {"run_id": run_id})
    _commit(conn)


# --- what is stored ---------------------------------------------------------------------------


def known_story_ids(conn: psycopg.Connection, newsrooms: Iterable[Newsroom | int] | None,
                    *, imports: bool = True, seen_since: datetime | None = None) -> set[int]:
    """Story ids already stored for these newsrooms (None or empty: all newsrooms); with
    imports=False only those stored from a page (an imported release's page is still to
    be fetched); with `seen_since` (aware) only those stored or seen again since then
    (`releases.last_seen_at`, which every write of the release moves: what a refresh
    begun then has fetched again)."""
    stored = stored_story_ids(conn, newsrooms, imports=imports, seen_since=seen_since)
    return set().union(*stored.values())


def stored_story_ids(conn: psycopg.Connection, newsrooms: Iterable[Newsroom | int] | None,
                     *, imports: bool = True, seen_since: datetime | None = None) -> dict[Newsroom, set[int]]:
    """`known_story_ids` per newsroom: each newsroom asked for, in the order asked (every
    one, empty sets included; None or empty: those of the whole store), and its stored
    story ids."""
    params = {"imports": imports, "seen_since": seen_since}
    stored: dict[Newsroom, set[int]] = {_newsroom(n): set() for n in newsrooms or ()}
    if stored:
        params.update(publishers=_ids(stored), offices=_ids(stored, OFFICE))
        rows = conn.execute(query("known_story_ids"), params).fetchall()
    else:
        rows = conn.execute(query("known_story_ids_all"), params).fetchall()
    _commit(conn)
    for kind, newsroom_id, story_id in rows:
        stored.setdefault(Newsroom(kind, int(newsroom_id)), set()).add(int(story_id))
    return stored


# --- resume points and validators (crawl_cursors) ---------------------------------------------


def newsroom_key(newsroom: Newsroom) -> str:
    """The crawl_cursors key under which a newsroom's validators and coverage are kept
    ("newsroom:publisher:73811", "newsroom:office:99001")."""
    return f"newsroom:{newsroom.key}"


def get_cursor(conn: psycopg.Connection, key: str) -> Any:
    """The saved state of a resumable job (crawl_cursors), or None."""
    row = conn.execute(query("get_cursor"), {"key": key}).fetchone()
    _commit(conn)
    return row[0] if row else None


def set_cursor(conn: psycopg.Connection, key: str, state: Any) -> None:
    """Save the state of a resumable job (JSON-serialisable)."""
    conn.execute(query("set_cursor"), {"key": key, "state": Jsonb(state)})
    _commit(conn)


def delete_cursor(conn: psycopg.Connection, key: str) -> None:
    conn.execute(query("delete_cursor"), {"key": key})
    _commit(conn)


# --- a run's verdict --------------------------------------------------------------------------


@dataclass
class RunVerdict:
    """How a run ended, written in one go when it finishes (`write_verdict`), or kept in
    a spill file while the database is away and written by the next run
    (`crawler.db.spill`)."""

    run_id: int
    status: str
    finished_at: datetime
    counts: dict[str, Any] = field(default_factory=dict)  # see finish_run
    failed: list[FailedPage] = field(default_factory=list)
    cursors: dict[str, Any] = field(default_factory=dict)  # crawl_cursors to set (a good run's)
    newsrooms: list[Newsroom] = field(default_factory=list)  # the run's (none: all)
    # newsrooms whose first listing page answered 404 (the site does not know them): no
    # longer followed, unless the store holds releases of one (crawler/db/newsrooms.py)
    unknown: list[Newsroom] = field(default_factory=list)
    # newsrooms a successful walk confirmed: followed again if they had been unfollowed
    follow: list[Newsroom] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["finished_at"] = self.finished_at.isoformat()
        for name in ("newsrooms", "unknown", "follow"):
            data[name] = [n.key for n in getattr(self, name)]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunVerdict:
        return cls(
            run_id=int(data["run_id"]),
            status=str(data["status"]),
            finished_at=datetime.fromisoformat(data["finished_at"]),
            counts=dict(data.get("counts") or {}),
            failed=[FailedPage(**page) for page in data.get("failed") or ()],
            cursors=dict(data.get("cursors") or {}),
            newsrooms=[Newsroom.from_key(key) for key in data.get("newsrooms") or ()],
            unknown=[Newsroom.from_key(key) for key in data.get("unknown") or ()],
            follow=[Newsroom.from_key(key) for key in data.get("follow") or ()],
        )


def write_verdict(conn: psycopg.Connection, verdict: RunVerdict) -> None:
    """Finish the run's row with its verdict, in one transaction: its failed pages to
    crawl_errors (counted on the row), its cursors, status, counts and finished_at, and
    which newsrooms it stops or starts following (`crawler.db.newsrooms`)."""
    with conn.transaction():
        for page in verdict.failed:
            record_error(conn, verdict.run_id, page.url, page.stage, page.reason, page.snippet)
        for key, state in verdict.cursors.items():
            set_cursor(conn, key, state)
        unfollow_unknown(conn, verdict.unknown, f"the site answered 404 for its listing (run {verdict.run_id})")
        follow_again(conn, verdict.follow)
        finish_run(conn, verdict.run_id, verdict.status, verdict.counts, finished_at=verdict.finished_at)
    _commit(conn)
