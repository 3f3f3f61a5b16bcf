"""`make demo`: the main job end to end, offline, in a database of its own.

Starts the project's replica of presseportal.de on loopback, runs the cron job
(`presseportal crawl`) against it into the database `presseportal_demo` of the embedded
PostgreSQL, prints what landed, writes the store's report (report.html, or DEMO_REPORT)
and says where it is, then what to run next; it stops the replica and (when the demo
started it) the embedded server. Run it twice: the second run reports 0 new.

It never writes into a database the user already has: DATABASE_URL and the PG*
variables are ignored here, and the embedded server's own database (`presseportal`,
where `presseportal crawl` stores the live site) is left alone.

The replica serves on the port its stored releases name (`stored_replica_port`): a
release keeps the URL it was first fetched from, so on a fresh port every run after the
first printed the first run's address beside the one it used.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

DEMO_DATABASE = "presseportal_demo"
# the replica's corpus the demo crawls (DEMO_RELEASES overrides the size): the README's and
# `search --help`'s search examples are words of it (tests/docs/test_readme_search.py)
RELEASES = 300
SEED = 1
# what points a command at another database than the embedded server's demo database
DATABASE_VARIABLES = ("DATABASE_URL", "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER",
                      "PGPASSWORD", "PGSERVICE", "PGSERVICEFILE", "PGPASSFILE")


def main() -> int:
    from tests.replica import Replica

    releases = int(os.environ.get("DEMO_RELEASES", str(RELEASES)))
    # the demo's own database, whatever the shell exports (settings read the environment
    # once, on first import: set it before anything imports them)
    exported = [name for name in DATABASE_VARIABLES if os.environ.pop(name, None)]
    os.environ["PRESSEPORTAL_EMBEDDED_DB"] = DEMO_DATABASE
    # Scrapy's own log lines (and its stats dump) are for debugging; the summary below is the demo
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # the store first (crawler.db reads no settings): the replica serves where it says
    from crawler import db, environment, exitcodes
    from crawler.db import embedded

    errors: list[str] = []
    store = {"PRESSEPORTAL_DATA_DIR": os.environ.get("PRESSEPORTAL_DATA_DIR"), "EMBEDDED_DATABASE": DEMO_DATABASE,
             "EMBEDDED_PORT": environment.port("PRESSEPORTAL_DB_PORT", errors=errors)}
    if errors:
        print(f"demo: {errors[0]}", file=sys.stderr)
        return exitcodes.USAGE
    where = embedded.embedded_location(**db.embedded_settings(store))
    was_running = where["running"]
    port = stored_replica_port(db.embedded_url(store))
    replica = Replica(releases=releases, seed=SEED, port=port)
    try:
        replica.start()
    except OSError:  # taken since: a port of its own this time
        replica = Replica(releases=releases, seed=SEED).start()
        print(f"port {port}, where earlier demo runs served, is taken: the releases they stored "
              "keep its URLs", flush=True)
    with replica:
        print(f"replica of presseportal.de serving {releases} releases at {replica.base_url}", flush=True)
        os.environ["PRESSEPORTAL_BASE_URL"] = replica.base_url
        os.environ["PRESSEPORTAL_PROFILE"] = "replica"
        from crawler import cli
        from crawler.cli.common import reading_store
        from crawler.db import reads

        print(f"database: {DEMO_DATABASE} in the embedded PostgreSQL (data in {where['data_dir']}); "
              "your own databases are not touched", flush=True)
        print("crawling (presseportal crawl) ...", flush=True)

        status = cli.main(["crawl", "--publisher", str(replica.corpus.publisher_id)])
        print(flush=True)
        cli.main(["status", "--runs", "3"])
        print("\nNewest titles", flush=True)
        with reading_store() as conn:
            for row in reads.newest_releases(conn, 5) if conn is not None else []:
                print(f"  {row['published_at']:%Y-%m-%d %H:%M}  {row['title']}")
        print(f"\ncrawl exit status: {status}")
        # the picture of the same store (presseportal report); the command says where it is
        print()
        cli.main(["report", "-o", os.environ.get("DEMO_REPORT", "report.html")])
        print("open it in any browser: it needs no network")
    stopped = not was_running and embedded.stop_embedded(where["data_dir"])
    print(next_steps(stopped, exported))
    return status


def stored_replica_port(conninfo: str) -> int:
    """The loopback port named by the URLs of the releases stored at `conninfo` (the
    replica an earlier demo fetched them from); 0 when none are stored (any free port)."""
    from crawler import db
    from crawler.db import reads

    with db.connect(conninfo) as conn:
        newest = [] if db.schema_status(conn).empty else reads.newest_releases(conn, 1)
    url = urlsplit(newest[0]["url"]) if newest else None
    return url.port or 0 if url is not None and url.hostname == "127.0.0.1" else 0


def next_steps(stopped: bool, exported: list[str]) -> str:
    """What to run next, as lines to paste: the demo's database, even where the shell
    exports another one (`exported`: those variables, unset for the command by env -u)."""
    bin_ = ".venv/bin/presseportal"
    unset = "env " + "".join(f"-u {name} " for name in exported) if exported else ""
    demo_env = f"{unset}PRESSEPORTAL_EMBEDDED_DB={DEMO_DATABASE}"
    server = ("The demo stopped the embedded PostgreSQL it started; every command starts it again "
              "on demand." if stopped else
              f"The embedded PostgreSQL is still running: `{unset}{bin_} db stop` stops it.")
    lines = [
        ("make demo", "again: the cron job finds 0 new"),
        (f"{demo_env} {bin_} search Marketing", "search the demo's releases"),
        (f"{demo_env} {bin_} status", "its runs, publishers, coverage"),
        (f"{demo_env} {bin_} export -o demo.jsonl", "export them"),
        (f"{demo_env} {bin_} report -o report.html", "the picture again, after more runs"),
        (f"{bin_} crawl", "the live site (publisher 73811), into your own store"),
    ]
    width = max(len(cmd) for cmd, _ in lines)
    return f"\n{server}\nNext:\n" + "\n".join(f"  {cmd:<{width}}  # {what}" for cmd, what in lines)


if __name__ == "__main__":
    sys.exit(main())
