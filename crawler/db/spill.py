"""What a run could not write, kept on disk for the database it belongs to, until replayed.

When the database stays away longer than the store's retry budget (or cannot write: a
full disk), the releases not written go to a spill file, and a run record that cannot
be finished goes to a verdict file. Nothing reads them by accident and nothing loses
them: the next run of those newsrooms replays them before it fetches anything (and
`presseportal spill replay` does it by hand).

Where: ``{root}/{database}/``, one folder per database. `root` is the STORE_SPILL_DIR
setting: PRESSEPORTAL_SPILL_DIR, else ``$PRESSEPORTAL_DATA_DIR/spill`` (beside the
embedded server's ``$PRESSEPORTAL_DATA_DIR/postgres``), else ``spill`` in the embedded
server's default folder (``~/.local/share/presseportal/spill``;
``/var/lib/presseportal/spill`` as root: `default_root`). The database folder is named after host, port, database name and user
(never the password; `database_key`), so a spill of one database is never replayed
into another, whichever DATABASE_URL a later run is given.

Files (each written under a temporary name and renamed, so a half-written file is never
read; 0600 in a 0700 folder: they hold whole pages):

- ``releases-run{run}-{UTC time}.jsonl``: a header line ``{"spill": "releases",
  "run_id", "newsrooms"}`` (newsroom keys, "publisher:73811"), then one release per line
  (the store's record, instants as ISO 8601). Replayed in batches through the store's own transaction
  (`crawler.db.releases.write_batch`), counted on the run that spilled them; a release
  fetched earlier than the stored one is left alone (`stale`).
- ``run{run}.json``: a `RunVerdict` (``{"spill": "run", ...}``), written with
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
from crawler.items import PUBLISHER, Newsroom

RELEASES = "releases"
RUN = "run"
REPLAY_BATCH = 200
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class SpillError(RuntimeError):
    """A spill file could not be written (the releases in it are lost) or read."""


# --- where --------------------------------------------------------------------------------------


def database_key(conninfo: str) -> str:
    """A folder name for the database a conninfo names: host, port, database, user (and
    a short digest of them), never the password. libpq's PG* variables fill what the
    conninfo leaves out, as they do for the connection."""
    try:
        params = conninfo_to_dict(conninfo or "")
    except psycopg.ProgrammingError as exc:
        raise SpillError(f"cannot read the database URL: {scrub(exc, conninfo)}") from None
    env = os.environ

    def part(key: str, variable: str, default: str) -> str:
        return str(params.get(key) or env.get(variable) or default)

    host = part("host", "PGHOST", "localhost")
    port = part("port", "PGPORT", "5432")
    user = part("user", "PGUSER", "")
    dbname = part("dbname", "PGDATABASE", user or "postgres")
    digest = hashlib.sha256(f"{host}\0{port}\0{dbname}\0{user}".encode()).hexdigest()[:8]
    readable = _UNSAFE.sub("_", f"{host}-{port}-{dbname}").strip("_.")[:80]
    return f"{readable}-{digest}"


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


def write_releases(folder: Path, run_id: int | None, records: list[dict[str, Any]]) -> Path:
    """Keep releases the store could not write; returns the file. Raises `SpillError`
    (disk full, no permission): then they are lost, and the caller must say so."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"releases-run{run_id or 0}-{stamp}.jsonl"
    newsrooms = sorted({Newsroom(r.get("newsroom_kind") or PUBLISHER, int(r["publisher_id"])) for r in records})
    header = {"spill": RELEASES, "run_id": run_id, "newsrooms": [n.key for n in newsrooms]}
    lines = (json.dumps(x, default=_json, ensure_ascii=False) + "\n" for x in [header, *records])
    return _write_private(path, lines)


def write_verdict_file(folder: Path, verdict: RunVerdict) -> Path:
    """Keep a run's verdict that could not be written; returns the file."""
    data = {"spill": RUN, **verdict.as_dict()}
    return _write_private(folder / f"run{verdict.run_id}.json", [json.dumps(data, ensure_ascii=False)])


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpillFile:
    path: Path
    kind: str  # RELEASES or RUN
    run_id: int | None
    newsrooms: tuple[Newsroom, ...]  # none: a run over all newsrooms

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
        files.append(SpillFile(path, head["spill"], int(run_id) if run_id else None,
                               tuple(Newsroom.from_key(key) for key in head.get("newsrooms") or ())))
    return sorted(files, key=lambda f: f.order), unreadable


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


async def replay(conninfo: str, folder: Path, *, newsrooms: Collection[Newsroom]) -> Counter:
    """Replay the files of `folder` whose newsrooms are all among `newsrooms` (the caller
    holds their run locks; none: all newsrooms, every file); the others wait for a run
    that holds theirs. Returns the summed outcomes plus `files`."""
    total: Counter = Counter()
    files, _ = pending(folder)
    for spill in files:
        if newsrooms and not (spill.newsrooms and set(spill.newsrooms) <= set(newsrooms)):
            continue  # a file of all newsrooms waits for a run over all of them
        total += await replay_file(conninfo, spill)
        total["files"] += 1
    return total
