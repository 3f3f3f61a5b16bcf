"""`presseportal spill`: what runs could not write to the database, and its replay.

When the database stays away longer than the store's retry budget, or cannot write (a
full disk), a run keeps the releases it could not write, and its own record, in spill
files of that database (`crawler.db.spill`). The next crawl or backfill of those
newsrooms replays them before it fetches anything; this command shows them and
replays them by hand:

- `presseportal spill`: the files waiting for the configured database, and where; then
  the files under the same root written for another database or address, each with
  the database it was meant for (a server moved to another port writes to a new folder:
  its files recorded which database they are for, and are found as this one's);
- `presseportal spill replay`: writes this database's, each under the run locks of its
  newsrooms (a file whose newsrooms a running crawl holds waits for it, exit 75),
  releases before run records; a file is deleted once written;
- `presseportal spill replay --from FOLDER`: writes the files of that folder (a name
  under the root, or a path) into the configured database: for files written before
  they recorded their database, at an address that is no more; a file that records
  another database is refused.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

from crawler import db, exitcodes
from crawler.cli.common import UsageError, database_url, err, project_settings
from crawler.db import spill
from crawler.extensions.run_lock import named


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("spill", help="releases and run records a run could not write, and their replay",
                       description="List the spill files of the configured database (what runs could not "
                       "write when it was away or full), or replay them.")
    p.add_argument("action", nargs="?", choices=("list", "replay"), default="list",
                   help="list (default) or replay")
    p.add_argument("--from", dest="from_folder", metavar="FOLDER",
                   help="replay: the files of this folder (its name under the spill root, or a path), "
                   "written for an address this database had before they recorded which database they are for")
    p.set_defaults(run=cmd_spill)


def cmd_spill(args: argparse.Namespace) -> int:
    settings = project_settings()
    if args.from_folder and args.action != "replay":
        raise UsageError("--from goes with replay: presseportal spill replay --from FOLDER")
    url = database_url(settings)
    root = settings.get("STORE_SPILL_DIR")
    folder = spill.spill_dir(url, root)
    database = spill.database_of(url)
    if args.from_folder:
        return replay(url, *adopted(folder.parent, args.from_folder, database))
    found = spill.find(root, url, database)
    for path, why in found.unreadable:
        err(f"cannot read {path}: {why}")
    if args.action == "list":
        return show(folder, database, found)
    if found.others:
        err(f"{len(found.others)} file(s) written for another database or address left as they are "
            "(`presseportal spill` shows them)")
    return replay(url, folder, found.ours, found.unreadable)


def show(folder, database: spill.Database, found: spill.Found) -> int:
    print(f"spill files of {db.describe(database_url())} ({database}): {folder}")
    if not found.ours:
        print("nothing waits")
    for f in found.ours:
        print(f"  {shown(f, folder)}")
    if found.others:
        print(f"written for another database or address (not replayed into this one), under {folder.parent}:")
    for f in found.others:
        hint = "" if f.database and f.database.identity else \
            f"; if that was this database: presseportal spill replay --from {f.path.parent.name}"
        print(f"  {shown(f, folder)}: meant for {spill.written_for(f)}{hint}")
    return exitcodes.ERRORS if found.unreadable else exitcodes.OK


def shown(f: spill.SpillFile, folder) -> str:
    """One spill file for people: its name (its folder too when not `folder`) and contents."""
    what = f"{spill.count_releases(f)} releases" if f.kind == spill.RELEASES else "run record"
    name = f.path.name if f.path.parent == folder else f"{f.path.parent.name}/{f.path.name}"
    return f"{name}: {what} of run #{f.run_id}, {named(f.newsrooms)}"


def adopted(root, name: str, database: spill.Database):
    """(folder, files, unreadable) of `--from`: the folder's files that may be written
    into `database` (a file recording another database's identity is unreadable here)."""
    folder = Path(name).expanduser() if os.sep in name else root / name
    if not folder.is_dir():
        raise UsageError(f"--from {name}: no such spill folder ({folder})")
    files, unreadable = spill.pending(folder)
    for f in [f for f in files if f.database and f.database.identity and database.identity
              and f.database.identity != database.identity]:
        files.remove(f)
        unreadable.append((f.path, f"written for {f.database}, not for this database ({database})"))
    for path, why in unreadable:
        err(f"cannot replay {path}: {why}")
    return folder, files, unreadable


def replay(url: str, folder, files: list[spill.SpillFile], unreadable) -> int:
    """Exit status: 1 when a file could not be read or written (retrying will not help),
    else 75 when a file waits for a running crawl, else 0."""
    db.ensure_schema(url)
    bad, waiting = bool(unreadable), False
    for f in files:
        with db.connect(url) as lock:  # the run lock of the file's newsrooms, as a crawl takes it
            if not db.acquire_publisher_lock(lock, f.newsrooms):
                err(f"{f.path.name}: {named(f.newsrooms)} locked by a running crawl, "
                    "which replays it itself; left waiting")
                waiting = True
                continue
            try:
                counts = asyncio.run(spill.replay_file(url, f))
            except (spill.SpillError, db.Error, OSError, ValueError) as exc:
                err(f"{f.path.name}: not replayed: {exc}")
                bad = True
                continue
        if f.kind == spill.RELEASES:
            print(f"{f.path.name}: {sum(counts[k] for k in ('new', 'changed', 'unchanged', 'stale'))} releases "
                  f"written (new {counts['new']}, changed {counts['changed']}, unchanged {counts['unchanged']}, "
                  f"older than the stored version {counts['stale']})")
        else:
            print(f"{f.path.name}: run #{f.run_id} finished with its record")
    if not files:
        print(f"nothing waits in {folder}")
    return exitcodes.ERRORS if bad else exitcodes.LOCKED if waiting else exitcodes.OK
