"""`presseportal db upgrade|url`: the schema, and where the store is."""

from __future__ import annotations

import argparse
import os

from crawler import db, exitcodes
from crawler.cli.common import database_url, project_settings
from crawler.db import embedded


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="database chores")
    db_sub = p.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    db_sub.add_parser("upgrade", help="apply schema migrations").set_defaults(run=cmd_upgrade)
    db_sub.add_parser("url", help="where the database is (password hidden)").set_defaults(run=cmd_url)


def cmd_upgrade(args: argparse.Namespace) -> int:
    url = database_url()
    applied = db.migrate(url)
    print(f"applied {len(applied)} migration(s){': ' + ', '.join(applied) if applied else ''}; "
          f"database {db.redact(url)}")
    return exitcodes.OK


def cmd_url(args: argparse.Namespace) -> int:
    print(database_location(project_settings()))
    return exitcodes.OK


def database_location(settings) -> str:
    """Where the store is, for people: never with the password."""
    configured = settings.get("DATABASE_URL") or ""
    if configured:
        return db.redact(configured)
    if any(os.environ.get(name) for name in db.PG_ENV_VARS):
        return "libpq defaults from the PG* environment variables"
    where = embedded.embedded_location()
    return f"{where['url']}\nembedded PostgreSQL, data in {where['data_dir']}"
