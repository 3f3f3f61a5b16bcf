"""What a run could not write, kept on disk for the database it belongs to, until replayed.

When the database stays away longer than the store's retry budget (or cannot write: a
full disk), the releases not written go to a spill file, and a run record that cannot
be finished goes to a verdict file. Nothing reads them by accident and nothing loses
them: the next run of those newsrooms replays them before it fetches anything (and
`presseportal spill replay` does it by hand).

Where: ``{root}/{database}/``, one folder per database address. `root` is the STORE_SPILL_DIR
setting: PRESSEPORTAL_SPILL_DIR, else ``$PRESSEPORTAL_DATA_DIR/spill`` (beside the
embedded server's ``$PRESSEPORTAL_DATA_DIR/postgres``), else ``spill`` in the embedded
server's default folder (``~/.local/share/presseportal/spill``;
``/var/lib/presseportal/spill`` as root: `default_root`). The database folder is named after host, port, database name and user
(never the password; `database_key`), so it can be written while the database is away.

An address can change (a server moved to another port) while the database stays the
same, and an address can come to name another database. So every file also records the
database it was written for (`Database`: its address and its identity, the cluster's
system identifier and the database's name, read while it was reachable: `database_of`),
and `find` looks at every folder of the root: a file is this database's when its
identity is this database's, wherever it lies, or, written without one, when it lies in
this address's folder. The others are named (`Found.others`: `presseportal spill` shows
for which database they were meant), never replayed into the wrong database.

Files (each written under a temporary name and renamed, so a half-written file is never
read; 0600 in a 0700 folder: they hold whole pages):

- ``releases-run{run}-{UTC time}.jsonl``: a header line ``{"spill": "releases",
  "run_id", "newsrooms", "database"}`` (newsroom keys, "publisher:73811"; the database:
  ``{"address", "identity"}``), then one release per line
  (the store's record, instants as ISO 8601). Replayed in batches through the store's own transaction
  (`crawler.db.releases.write_batch`), counted on the run that spilled them; a release
  fetched earlier than the stored one is left alone (`stale`).
- ``run{run}.json``: a `RunVerdict` (``{"spill": "run", "database", ...}``), written with
  `crawler.db.runs.write_verdict` after the releases.

A file is deleted once written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from crawler.db.connection import RETRYABLE, DatabaseUnavailable, connect, describe, scrub
from crawler.db.releases import prepare_batch, write_batch
from crawler.db.runs import RunVerdict, write_verdict
from crawler.db.sql_files import query
from crawler.items import PUBLISHER, Newsroom

RELEASES = "releases"
RUN = "run"
REPLAY_BATCH = 200
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_FOLDER = re.compile(r"-[0-9a-f]{8}$")  # how `database_key` ends: other folders of a shared root are not ours


class SpillError(RuntimeError):
    """A spill file could not be written (the releases in it are lost) or read."""


# --- where --------------------------------------------------------------------------------------


def _address(conninfo: str) -> tuple[str, str, str, str]:
    """(host, port, database, user) a conninfo names; libpq's PG* variables fill what the
    conninfo leaves out, as they do for the connection."""
    try:
        params = conninfo_to_dict(conninfo or "")
    except psycopg.ProgrammingError as exc:
        raise SpillError(f"cannot read the database URL: {scrub(exc, conninfo)}") from None
    env = os.environ

    def part(key: str, variable: str, default: str) -> str:
        return str(params.get(key) or env.get(variable) or default)

    user = part("user", "PGUSER", "")
    return (part("host", "PGHOST", "localhost"), part("port", "PGPORT", "5432"),
            part("dbname", "PGDATABASE", user or "postgres"), user)


def database_key(conninfo: str) -> str:
    """A folder name for the database a conninfo names: host, port, database, user (and
    a short digest of them), never the password."""
    host, port, dbname, user = _address(conninfo)
    digest = hashlib.sha256(f"{host}\0{port}\0{dbname}\0{user}".encode()).hexdigest()[:8]
    readable = _UNSAFE.sub("_", f"{host}-{port}-{dbname}").strip("_.")[:80]
    return f"{readable}-{digest}"


@dataclass(frozen=True)
class Database:
    """The database a spill file was written for: `address` ("host:port/name"), and
    `identity` ("{system identifier}/{name}": the same at any address) when it was read."""

    address: str
    identity: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"address": self.address, "identity": self.identity}

    def __str__(self) -> str:
        return self.address + (f" (database {self.identity})" if self.identity else "")


_identities: dict[str, str] = {}


def database_of(conninfo: str, conn: psycopg.Connection | None = None) -> Database:
    """The database a conninfo names, with its identity read from the server (on `conn`
    when given, else a connection of its own; once per process and conninfo); without it
    when the server cannot be asked (away)."""
    host, port, dbname, _ = _address(conninfo)
    if conninfo not in _identities:
        with contextlib.suppress(DatabaseUnavailable, psycopg.Error):
            with contextlib.nullcontext(conn) if conn is not None else connect(conninfo) as asked:
                _identities[conninfo] = asked.execute(query("database_identity")).fetchone()[0]
    return Database(f"{host}:{port}/{dbname}", _identities.get(conninfo))


def default_root() -> Path:
    """``spill`` in the embedded server's default folder (neither PRESSEPORTAL_SPILL_DIR
    nor PRESSEPORTAL_DATA_DIR set: the settings' STORE_SPILL_DIR is empty)."""
    # imported here: the embedded module finds binaries and users, which reading does not need
    from crawler.db.embedded import base_dir

    return base_dir() / "spill"


def spill_dir(conninfo: str, root: str | os.PathLike | None = None) -> Path:
    """The folder of this database's spill files (not created)."""
    base = Path(root).expanduser() if root else default_root()
    return base / database_key(conninfo)


# --- writing ------------------------------------------------------------------------------------


def _private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)


def _write_private(path: Path, lines: Iterable[str]) -> Path:
    """Write `lines` to `path` (0600) through a temporary name: all of it, or nothing."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        _private_folder(path.parent)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for line in lines:
                f.write(line)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise SpillError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | Path):
        return str(value)
    raise TypeError(type(value).__name__)


def write_releases(folder: Path, run_id: int | None, records: list[dict[str, Any]],
                   database: Database | None = None) -> Path:
    """Keep releases the store could not write (for `database`, see `database_of`);
    returns the file. Raises `SpillError` (disk full, no permission): then they are lost,
    and the caller must say so."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"releases-run{run_id or 0}-{stamp}.jsonl"
    newsrooms = sorted({Newsroom(r.get("newsroom_kind") or PUBLISHER, int(r["publisher_id"])) for r in records})
    header = {"spill": RELEASES, "run_id": run_id, "newsrooms": [n.key for n in newsrooms],
              **({"database": database.as_dict()} if database else {})}
    lines = (json.dumps(x, default=_json, ensure_ascii=False) + "\n" for x in [header, *records])
    return _write_private(path, lines)


def write_verdict_file(folder: Path, verdict: RunVerdict, database: Database | None = None) -> Path:
    """Keep a run's verdict that could not be written (for `database`); returns the file."""
    data = {"spill": RUN, **({"database": database.as_dict()} if database else {}), **verdict.as_dict()}
    return _write_private(folder / f"run{verdict.run_id}.json", [json.dumps(data, ensure_ascii=False)])


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpillFile:
    path: Path
    kind: str  # RELEASES or RUN
    run_id: int | None
    newsrooms: tuple[Newsroom, ...]  # none: a run over all newsrooms
    database: Database | None = None  # None: written before files recorded it

    @property
    def order(self) -> tuple[int, str]:
        # releases before verdicts: a run's row then holds its replayed counts when it is finished
        return (0 if self.kind == RELEASES else 1, self.path.name)


def _header(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        first = f.readline() if path.suffix == ".jsonl" else f.read()
    data = json.loads(first)
    if not isinstance(data, dict) or data.get("spill") not in (RELEASES, RUN):
        raise ValueError("not a spill file of this project")
    return data


def pending(folder: Path) -> tuple[list[SpillFile], list[tuple[Path, str]]]:
    """The spill files waiting in `folder` (releases first, oldest first), and the files
    there that cannot be read (path, why)."""
    files, unreadable = [], []
    if not folder.is_dir():
        return files, unreadable
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix not in (".jsonl", ".json"):
            continue
        try:
            head = _header(path)
        except (OSError, ValueError) as exc:
            unreadable.append((path, str(exc)))
            continue
        run_id = head.get("run_id")
        written_for = head.get("database") or {}
        files.append(SpillFile(path, head["spill"], int(run_id) if run_id else None,
                               tuple(Newsroom.from_key(key) for key in head.get("newsrooms") or ()),
                               Database(written_for["address"], written_for.get("identity"))
                               if written_for.get("address") else None))
    return sorted(files, key=lambda f: f.order), unreadable


@dataclass
class Found:
    """The spill files of a root, told apart for one database (`find`)."""

    ours: list[SpillFile]  # this database's, wherever they lie: releases first, oldest first
    others: list[SpillFile]  # written for another database, or for another address without an identity
    unreadable: list[tuple[Path, str]]  # (path, why), in any folder of the root


def written_for(spill: SpillFile) -> str:
    """For whom a file was written, for people: its recorded database, else its folder's
    name (host-port-database, written before files recorded more)."""
    return str(spill.database) if spill.database else f"the database at {spill.path.parent.name}"


def find(root: str | os.PathLike | None, conninfo: str, database: Database) -> Found:
    """Every spill file under `root` (see `spill_dir`), told apart for the database
    `conninfo` names (`database`, from `database_of`). A file is ours when it records
    `database`'s identity, in whichever folder (the address changed: a server moved to
    another port); or when it lies in this address's folder and records no identity
    (older files), or this database's identity is unknown. Every other file is one of
    `others`: never replayed here, named so that no release waits unseen."""
    own = spill_dir(conninfo, root)
    base = own.parent
    folders = sorted({own, *(p for p in base.iterdir() if p.is_dir() and _FOLDER.search(p.name))}
                     if base.is_dir() else {own})
    found = Found([], [], [])
    for folder in folders:
        files, unreadable = pending(folder)
        found.unreadable += unreadable
        for f in files:
            recorded = f.database.identity if f.database else None
            if recorded and database.identity:
                mine = recorded == database.identity
            else:
                mine = folder == own
            (found.ours if mine else found.others).append(f)
    found.ours.sort(key=lambda f: f.order)
    return found


def _records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        next(f)  # the header
        for line in f:
            if line.strip():
                yield json.loads(line)


def count_releases(spill: SpillFile) -> int:
    """How many releases a releases file holds (0 for a verdict)."""
    return sum(1 for _ in _records(spill.path)) if spill.kind == RELEASES else 0


# --- replaying ----------------------------------------------------------------------------------


async def replay_file(conninfo: str, spill: SpillFile, *, batch_size: int = REPLAY_BATCH) -> Counter:
    """Write one spill file into the database and delete it; returns the outcomes
    (new, changed, unchanged, stale, pages; `runs` for a verdict). Raises
    `DatabaseUnavailable` when the database cannot be reached (the file stays)."""
    if spill.kind == RUN:
        verdict = RunVerdict.from_dict(_header(spill.path))
        with connect(conninfo) as conn:
            try:
                write_verdict(conn, verdict)
            except RETRYABLE as exc:
                raise DatabaseUnavailable(f"cannot write to {describe(conninfo)}: {scrub(exc, conninfo)}") from None
        spill.path.unlink()
        return Counter(runs=1)
    counts: Counter = Counter()
    try:
        async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
            batch: list[dict[str, Any]] = []
            for record in _records(spill.path):
                batch.append(record)
                if len(batch) >= batch_size:
                    counts += await write_batch(conn, prepare_batch(batch), spill.run_id)
                    batch = []
            if batch:
                counts += await write_batch(conn, prepare_batch(batch), spill.run_id)
    except RETRYABLE as exc:
        raise DatabaseUnavailable(f"cannot write to {describe(conninfo)}: {scrub(exc, conninfo)}") from None
    spill.path.unlink()
    return counts


async def replay(conninfo: str, files: Iterable[SpillFile], *, newsrooms: Collection[Newsroom]) -> Counter:
    """Replay those of `files` (this database's: `find(...).ours`) whose newsrooms are all
    among `newsrooms` (the caller holds their run locks; none: all newsrooms, every file);
    the others wait for a run that holds theirs. Returns the summed outcomes plus `files`."""
    total: Counter = Counter()
    for spill in files:
        if newsrooms and not (spill.newsrooms and set(spill.newsrooms) <= set(newsrooms)):
            continue  # a file of all newsrooms waits for a run over all of them
        total += await replay_file(conninfo, spill)
        total["files"] += 1
    return total
