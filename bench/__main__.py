"""`make bench`: every benchmark, each figure beside its baseline from the same run.

Each module under bench/ has `run() -> list[dict]` whose dicts carry: name, value, unit,
baseline_name, baseline_value, ratio, target, met. This runner calls them in turn,
prints one table and writes bench/results.md from what it measured (nothing in that
file is typed by hand).
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time
import traceback
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

MODULES = ["extract", "normalize", "store", "pipe", "e2e", "cpu", "incremental", "memory", "imports", "reextract",
           "replica", "report", "faults", "fuzz", "scale"]
RESULTS = Path(__file__).with_name("results.md")


def fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def versions() -> str:
    names = ["scrapy", "dateparser", "psycopg", "lxml", "ftfy", "aiohttp", "zstandard", "trafilatura", "procrastinate",
             "py-spy"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return f"Python {platform.python_version()}; " + ", ".join(found)


def table(rows: list[dict]) -> list[str]:
    lines = [
        "| figure | value | baseline | baseline value | ratio | target | met |",
        "| --- | ---: | --- | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        met = {True: "yes", False: "**no**", None: "-"}[r.get("met")]
        lines.append(
            f"| {r['name']} | {fmt(r.get('value'))} {r.get('unit', '')} | {r.get('baseline_name') or '-'} "
            f"| {fmt(r.get('baseline_value'))} | {fmt(r.get('ratio'))} | {r.get('target') or '-'} | {met} |"
        )
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("modules", nargs="*", default=MODULES, help=f"which ones (default: {' '.join(MODULES)})")
    parser.add_argument("--no-write", action="store_true", help="print only, leave bench/results.md alone")
    args = parser.parse_args(argv)
    rows: list[dict] = []
    failures: list[str] = []
    started = time.monotonic()
    for name in args.modules:
        t0 = time.monotonic()
        print(f"== bench.{name}", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(f"bench.{name}")
            got = module.run()
        except Exception:  # one broken benchmark must not hide the others' figures
            failures.append(f"bench.{name}: {traceback.format_exc(limit=3)}")
            traceback.print_exc()
            continue
        for row in got:
            row.setdefault("module", name)
        rows.extend(got)
        # each module's rows as soon as it ends: a run stopped later keeps them
        print("\n".join(table(got)[2:] + [f"- {r['name']}: {r['notes']}" for r in got if r.get("notes")]),
              file=sys.stderr)
        print(f"   {time.monotonic() - t0:.1f}s", file=sys.stderr, flush=True)
    lines = table(rows)
    print("\n".join(lines))
    missed = [r["name"] for r in rows if r.get("met") is False]
    if not args.no_write:
        doc = [
            "# Benchmark results",
            "",
            f"Written by `make bench` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC "
            f"in {time.monotonic() - started:.0f} s.",
            "",
            f"- Machine: {machine()}",
            f"- Versions: {versions()}",
            "",
            *lines,
            "",
        ]
        notes = [f"- {r['name']}: {r['notes']}" for r in rows if r.get("notes")]
        if notes:
            doc += ["Notes:", "", *notes, ""]
        if missed:
            doc += ["Targets missed in this run: " + "; ".join(missed) + ".", ""]
        if failures:
            doc += ["Benchmarks that failed to run:", "", "```", *failures, "```", ""]
        RESULTS.write_text("\n".join(doc), encoding="utf-8")
        print(f"wrote {RESULTS}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
