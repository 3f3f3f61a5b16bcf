"""`presseportal metrics`: the store's health in the Prometheus text format, for
node_exporter's textfile collector (stdout or `-o FILE`) or a Pushgateway (`--push URL`)."""

from __future__ import annotations

import argparse
import sys

from crawler import exitcodes
from crawler.cli.common import (
    err,
    http_url,
    output_file,
    project_settings,
    reading_store,
)

JOB = "presseportal"  # the Pushgateway's job name, unless --job says otherwise


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("metrics", help="the store's health as Prometheus metrics (text format)",
                       description="Print the Prometheus text format: last successful run and releases per "
                       "newsroom, the last run of each mode, field coverage. For node_exporter's textfile "
                       "collector (-o /var/lib/node_exporter/textfile/presseportal.prom) or a Pushgateway (--push).")
    p.add_argument("-o", "--output", metavar="FILE", type=output_file,
                   help="write FILE atomically instead of printing (for the textfile collector: *.prom)")
    p.add_argument("--push", metavar="URL", type=http_url,
                   help="PUT the metrics to this Pushgateway (http://host:9091; a malformed URL is a usage error)")
    p.add_argument("--job", default=JOB, help=f"the Pushgateway job name (default: {JOB})")
    p.set_defaults(run=cmd_metrics)


def cmd_metrics(args: argparse.Namespace) -> int:
    # imported here: every command (cron's crawl too) would otherwise load prometheus-client
    from crawler.health import metrics

    coverage_min = project_settings().getfloat("COVERAGE_MIN_RATIO")
    with reading_store() as conn:
        state = metrics.read(conn, coverage_min=coverage_min)
    if args.push:
        try:
            metrics.push(args.push, state, job=args.job)
        except OSError as exc:
            err(f"cannot push to the Pushgateway at {args.push}: {exc}")
            return exitcodes.UNAVAILABLE
    if args.output:
        try:
            metrics.write_textfile(str(args.output), state)
        except OSError as exc:
            err(f"cannot write {args.output}: {exc.strerror or exc}")
            return exitcodes.ERRORS
    if not args.push and not args.output:
        sys.stdout.buffer.write(metrics.exposition(state))
        sys.stdout.flush()
    return exitcodes.OK
