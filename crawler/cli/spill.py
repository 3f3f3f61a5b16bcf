"""`presseportal spill`: what runs could not write to the database, and its replay.

When the database stays away longer than the store's retry budget, or cannot write (a
full disk), a run keeps the releases it could not write, and its own record, in spill
files of that database (`crawler.db.spill`). The next crawl or backfill of those
newsrooms replays them before it fetches anything; this command shows them and
replays them by hand:

- `presseportal spill`: the files waiting for the configured database, and where;
- `presseportal spill replay`: writes them, each under the run locks of its newsrooms
  (a file whose newsrooms a running crawl holds waits for it, exit 75), releases before
  run records; a file is deleted once written.
"""

from __future__ import annotations

import argparse
import asyncio

from crawler import db, exitcodes
from crawler.cli.common import database_url, err, project_settings
from crawler.db import spill
from crawler.extensions.run_lock import named


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("spill", help="releases and run records a run could not write, and their replay",
                       description="List the spill files of the configured database (what runs could not "
                       "write when it was away or full), or replay them.")
    p.add_argument("action", nargs="?", choices=("list", "replay"), default="list",
                   help="list (default) or replay")
    p.set_defaults(run=cmd_spill)


def cmd_spill(args: argparse.Namespace) -> int:
    settings = project_settings()
    url = database_url(settings)
    folder = spill.spill_dir(url, settings.get("STORE_SPILL_DIR"))
    files, unreadable = spill.pending(folder)
    for path, why in unreadable:
        err(f"cannot read {path}: {why}")
    if args.action == "list":
        return show(folder, files, unreadable)
    return replay(url, folder, files, unreadable)


def show(folder, files: list[spill.SpillFile], unreadable) -> int:
    print(f"spill files of {db.describe(database_url())}: {folder}")
    if not files:
        print("nothing waits")
    for f in files:
        what = f"{spill.count_releases(f)} releases" if f.kind == spill.RELEASES else "run record"
        print(f"  {f.path.name}: {what} of run #{f.run_id}, {named(f.newsrooms)}")
    return exitcodes.ERRORS if unreadable else exitcodes.OK


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
