"""`presseportal db upgrade|url|shell|start|stop`: the schema (the store's and the job
queue's), where the store is, psql on it, and starting and stopping the embedded server
(on its own port: the one its cluster records, or PRESSEPORTAL_DB_PORT)."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys

from crawler import db, exitcodes
from crawler.cli.common import UsageError, database_url, err, project_settings
from crawler.db import embedded


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="database chores: upgrade, url, shell, stop")
    db_sub = p.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    db_sub.add_parser("upgrade", help="apply schema migrations (the store's, then the job queue's)").set_defaults(run=cmd_upgrade)
    url = db_sub.add_parser("url", help="where the database is (password hidden)")
    url.add_argument("--psql", action="store_true",
                     help="print a psql command line for it (the password read from its file, never printed)")
    url.set_defaults(run=cmd_url)
    db_sub.add_parser("shell", help="psql on the database (the embedded one: no password to type)"
                      ).set_defaults(run=cmd_shell)
    db_sub.add_parser("start", help="start the embedded PostgreSQL server (every command starts it on "
                      "demand; this says where it listens)").set_defaults(run=cmd_start)
    db_sub.add_parser("stop", help="stop the embedded PostgreSQL server (not an external one named by "
                      "DATABASE_URL or PG* variables: a usage error)").set_defaults(run=cmd_stop)


def cmd_upgrade(args: argparse.Namespace) -> int:
    url = database_url()
    applied = db.migrate(url)
    # the job queue's schema too (procrastinate's, brought to the installed version):
    # workers and `enqueue` do the same at start, this is the step of an upgrade
    from crawler.queue.app import ensure_queue_schema, queue_version

    queue = ensure_queue_schema(url)
    queue_said = ("schema created" if queue == ["schema"] else
                  f"{len(queue)} migration(s) applied: {', '.join(queue)}" if queue else "current")
    print(f"applied {len(applied)} migration(s){': ' + ', '.join(applied) if applied else ''}; "
          f"job queue (procrastinate {queue_version()}): {queue_said}; database {db.redact(url)}")
    return exitcodes.OK


def cmd_url(args: argparse.Namespace) -> int:
    settings = project_settings()
    if args.psql:
        print(psql_command_line(settings))
    else:
        print(database_location(settings))
    return exitcodes.OK


def database_location(settings) -> str:
    """Where the store is, for people: never with the password."""
    configured = settings.get("DATABASE_URL") or ""
    if configured:
        return db.redact(configured)
    if any(os.environ.get(name) for name in db.PG_ENV_VARS):
        # what libpq will read, the password's value left out
        named = " ".join(f"{name}={'***' if name == 'PGPASSWORD' else value}"
                         for name in db.PG_ENV_VARS if (value := os.environ.get(name)))
        return f"libpq defaults from the PG* environment variables: {named}"
    where = embedded.embedded_location(**db.embedded_settings(settings))
    state = "running" if where["running"] else "not running (started on demand)"
    return f"{where['url']}\nembedded PostgreSQL, {state}, data in {where['data_dir']}"


def external_store(settings) -> bool:
    """The store is a server named by DATABASE_URL or the PG* variables, not the embedded one."""
    return bool(settings.get("DATABASE_URL")) or any(os.environ.get(name) for name in db.PG_ENV_VARS)


def psql_command_line(settings) -> str:
    """A shell command line that opens psql on the store; the embedded server's password
    is read from its file when the line runs, so it is never printed."""
    configured = settings.get("DATABASE_URL") or ""
    if external_store(settings):
        return shlex.join(["psql", db.redact(configured)]) if configured else "psql"
    where = embedded.embedded_location(**db.embedded_settings(settings))
    psql = os.path.join(where["bin_dir"], "psql") if where["bin_dir"] else "psql"
    url = where["url"].replace(":***@", "@")
    return (f"PGPASSWORD=\"$(cat {shlex.quote(where['password_file'])})\" "
            f"{shlex.quote(psql)} {shlex.quote(url)}")


def cmd_shell(args: argparse.Namespace) -> int:
    settings = project_settings()
    url = database_url(settings)  # starts the embedded server when that is the store
    db.connect(url).close()  # unreachable: 69 and one line here, not psql's own status
    psql = psql_binary(settings)
    if psql is None:
        err("psql not found: install the PostgreSQL client (Debian/Ubuntu: apt-get install "
            "postgresql-client)")
        return exitcodes.UNAVAILABLE
    # the password goes in the environment, not on a command line others can read (ps)
    conninfo, password = db.without_password(url) if url else ("", None)
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = password
    sys.stdout.flush()
    os.execvpe(psql, [psql, conninfo] if conninfo else [psql], env)
    return exitcodes.OK  # not reached


def psql_binary(settings) -> str | None:
    """psql beside the embedded server's binaries, else the one on PATH."""
    if not external_store(settings):
        bin_dir = embedded.embedded_location(**db.embedded_settings(settings))["bin_dir"]
        if bin_dir and os.access(os.path.join(bin_dir, "psql"), os.X_OK):
            return os.path.join(bin_dir, "psql")
    return shutil.which("psql")


def cmd_start(args: argparse.Namespace) -> int:
    """Start the embedded server (creating its cluster and the database the settings name)
    and say where it listens; an external store is a usage error, as for `db stop`."""
    settings = project_settings()
    only_embedded(settings, "start")
    url = database_url(settings)  # DatabaseUnavailable (69) when it cannot be started
    where = embedded.embedded_location(**db.embedded_settings(settings))
    print(f"{db.redact(url)}\nembedded PostgreSQL running, data in {where['data_dir']}")
    return exitcodes.OK


def only_embedded(settings, verb: str) -> None:
    """UsageError when the store is an external server (DATABASE_URL or PG* variables): the
    project starts and stops only the embedded one, and leaves that one alone then."""
    if external_store(settings):
        configured = settings.get("DATABASE_URL") or ""
        where = f"DATABASE_URL {db.redact(configured)}" if configured else "the PG* environment variables"
        raise UsageError(f"db {verb} only {verb}s the embedded server the project started; the store here is "
                         f"an external server ({where}): {verb} it with its own tools")


def cmd_stop(args: argparse.Namespace) -> int:
    """Stop the embedded server. With DATABASE_URL or PG* variables set, the store is a
    server the project did not start: a usage error saying so (exit 2), and the embedded
    server, which this configuration does not use, is left as it is."""
    settings = project_settings()
    only_embedded(settings, "stop")
    kwargs = db.embedded_settings(settings)
    where = embedded.embedded_location(**kwargs)
    try:
        stopped = embedded.stop_embedded(kwargs.get("data_dir"))
    except embedded.EmbeddedError as exc:
        raise db.DatabaseUnavailable(str(exc)) from None
    print(f"embedded PostgreSQL {'stopped' if stopped else 'was not running'} (data in {where['data_dir']})")
    return exitcodes.OK
