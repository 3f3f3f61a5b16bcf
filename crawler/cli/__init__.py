"""The `presseportal` command: the cron job, backfills, and a look into the store.

One module per command (crawl.py holds crawl and backfill); each registers its
subparser and the function that runs it. Exit statuses: `crawler.exitcodes`.

What every command shares is here: the global options (`-v`, `-q`, before or after the
command's name), usage errors shown with the command's own usage, and the few ways a
run ends without a traceback (database unavailable: 69; output cut short by a closed
pipe, as with `| head`: 0 and nothing more; Ctrl-C: 130).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from crawler import db, exitcodes
from crawler.cli import (
    crawl,
    database,
    enqueue,
    export,
    imports,
    metrics,
    reextract,
    report,
    schedule,
    search,
    spill,
    status,
    unfollow,
    worker,
)
from crawler.cli.common import UsageError, err, project_settings

COMMAND_MODULES = (crawl, imports, reextract, worker, enqueue, schedule, unfollow, status, search, export,
                   database, report, metrics, spill)
# the commands that run a spider log through Scrapy's own handler; the others through ours
CRAWL_COMMANDS = ("crawl", "backfill", "import", "reextract")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="presseportal",
        description="Crawl presseportal.de newsrooms into PostgreSQL, and look into what is stored.",
        epilog="Environment: DATABASE_URL (else PG* variables, else an embedded PostgreSQL), "
        "PRESSEPORTAL_BASE_URL (default https://www.presseportal.de), PRESSEPORTAL_CONTACT "
        "(your URL or mail address, sent in the User-Agent). "
        f"Exit status: {exitcodes.OK} ok, {exitcodes.ERRORS} errors, {exitcodes.USAGE} usage, "
        f"{exitcodes.UNAVAILABLE} database unavailable, {exitcodes.LOCKED} locked, "
        f"{exitcodes.INTERRUPTED} interrupted.",
    )
    add_global_options(parser, default=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    for command_parser in command_parsers(parser):
        # after the command's name too (`presseportal crawl --quiet`, as cron lines are
        # written); SUPPRESS: an option not given there leaves the one given before it
        add_global_options(command_parser, default=argparse.SUPPRESS)
        command_parser.set_defaults(command_parser=command_parser)
    return parser


def add_global_options(parser: argparse.ArgumentParser, default) -> None:
    group = parser.add_argument_group("global options")
    group.add_argument("-v", "--verbose", action="store_true", default=default,
                       help="log debug messages")
    group.add_argument("-q", "--quiet", action="store_true", default=default,
                       help="print nothing on success (for cron); a failure still prints one line")


def command_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every subcommand's parser, nested ones (`db upgrade`) included."""
    found = []
    for action in parser._actions:  # argparse keeps its subparsers here, and nowhere public
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                found += [child, *command_parsers(child)]
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # argparse would blame the top-level parser and print its usage, not the command's
        getattr(args, "command_parser", parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.verbose and args.quiet:
        args.command_parser.error("-v and -q exclude each other")
    level = "DEBUG" if args.verbose else "WARNING" if args.quiet else None
    try:
        if args.command in CRAWL_COMMANDS:
            # quiet: Scrapy says nothing at all; the command prints one line on failure
            crawl_level = "CRITICAL" if args.quiet else level
            if crawl_level:
                args.set = [*args.set, f"LOG_LEVEL={crawl_level}"]
        else:
            _log_to_stderr(level or project_settings().get("LOG_LEVEL"))
        code = args.run(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the try, not at exit
        return code
    except UsageError as exc:
        args.command_parser.error(str(exc))  # the command's own usage; exits 2
    except db.DatabaseUnavailable as exc:
        err(f"database unavailable: {exc}")
        return exitcodes.UNAVAILABLE
    except BrokenPipeError:
        # the reader went away (`| head`): what it wanted it has; stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return exitcodes.OK
    except KeyboardInterrupt:
        err("interrupted")
        return exitcodes.INTERRUPTED


# whose INFO lines are a command's own output: ours, and procrastinate's worker, whose
# lines are the worker's job log (a job started, ended, back on the queue)
OWN_LOGGERS = ("crawler", "pipelines", "procrastinate.worker")


class OwnInfoOnly(logging.Filter):
    """Below WARNING, only our own loggers' lines (`OWN_LOGGERS`): a library's INFO lines
    (procrastinate's "Adding tasks from blueprint" on `db upgrade`) are for debugging."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or any(
            record.name == name or record.name.startswith(name + ".") for name in OWN_LOGGERS)


def _log_to_stderr(level: str) -> None:
    """The log of every command that runs no spider (the others log through Scrapy's
    handler): at `level`, libraries' lines from WARNING up unless the level is DEBUG
    (-v, LOG_LEVEL=DEBUG), which shows everything."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s"))
    if handler.level > logging.DEBUG:
        handler.addFilter(OwnInfoOnly())
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(handler.level)


if __name__ == "__main__":
    sys.exit(main())
