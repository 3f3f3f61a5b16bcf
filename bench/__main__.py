"""`make bench`: every benchmark, each figure beside its baseline from the same run.

Each module under bench/ has `run() -> list[dict]` whose dicts carry: name, value, unit,
baseline_name, baseline_value, ratio, target, met. This runner calls them in turn,
prints one table and writes bench/results.md from what it measured (nothing in that
file is typed by hand). `--update` reruns some modules and keeps the other modules' rows
(bench/results.json holds them), so one slow benchmark can be measured again alone.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
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
RESULTS_JSON = RESULTS.with_suffix(".json")


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


def load_previous() -> list[dict]:
    """The rows of the last run(s), from bench/results.json; [] when there is none."""
    try:
        return json.loads(RESULTS_JSON.read_text(encoding="utf-8"))["rows"]
    except (OSError, ValueError, KeyError):
        return []


def merge(previous: list[dict], fresh: list[dict], rerun: set[str]) -> list[dict]:
    """`previous` without the modules in `rerun`, then `fresh`, in the order of MODULES.

    Rows of a module that was rerun are all replaced (a row that module no longer writes
    goes); rows of the other modules are kept with the time they were measured.
    """
    kept = [r for r in previous if r.get("module") not in rerun]
    order = {name: i for i, name in enumerate(MODULES)}
    return sorted(kept + fresh, key=lambda r: order.get(r.get("module"), len(order)))


def write_results(rows: list[dict], failures: list[str], header: str) -> None:
    """bench/results.json (the rows, for the next --update) and bench/results.md (the table)."""
    RESULTS_JSON.write_text(json.dumps({"rows": rows}, indent=1, ensure_ascii=False, default=str) + "\n",
                            encoding="utf-8")
    lines = table(rows)
    doc = ["# Benchmark results", "", header, "", f"- Machine: {machine()}", f"- Versions: {versions()}", ""]
    measured = {}
    for r in rows:
        measured.setdefault(r.get("module"), (r.get("measured_at"), r.get("load")))
    doc += ["Each module's rows were measured at (UTC; 1-minute load average when it started):", "",
            "; ".join(f"{m} {at or '?'} (load {load if load is not None else '?'})"
                      for m, (at, load) in measured.items()) + ".", "", *lines, ""]
    notes = [f"- {r['name']}: {r['notes']}" for r in rows if r.get("notes")]
    if notes:
        doc += ["Notes:", "", *notes, ""]
    missed = [r["name"] for r in rows if r.get("met") is False]
    if missed:
        doc += ["Targets missed: " + "; ".join(missed) + ".", ""]
    if failures:
        doc += ["Benchmarks that failed to run:", "", "```", *failures, "```", ""]
    RESULTS.write_text("\n".join(doc), encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("modules", nargs="*", default=MODULES, help=f"which ones (default: {' '.join(MODULES)})")
    parser.add_argument("--no-write", action="store_true", help="print only, leave bench/results.md alone")
    parser.add_argument("--update", action="store_true",
                        help="replace only the rows of the modules run, keep the others' from bench/results.json")
    args = parser.parse_args(argv)
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"no such benchmark: {', '.join(unknown)} (choose from {' '.join(MODULES)})")
    rows: list[dict] = []
    failures: list[str] = []
    started = time.monotonic()
    for name in args.modules:
        t0 = time.monotonic()
        at = f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M}"
        load = round(os.getloadavg()[0], 1)
        print(f"== bench.{name} (load {load})", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(f"bench.{name}")
            got = module.run()
        except Exception:  # one broken benchmark must not hide the others' figures
            failures.append(f"bench.{name}: {traceback.format_exc(limit=3)}")
            traceback.print_exc()
            continue
        for row in got:
            row.setdefault("module", name)
            row.update(measured_at=at, load=load)
        rows.extend(got)
        # each module's rows as soon as it ends: a run stopped later keeps them
        print("\n".join(table(got)[2:] + [f"- {r['name']}: {r['notes']}" for r in got if r.get("notes")]),
              file=sys.stderr)
        print(f"   {time.monotonic() - t0:.1f}s", file=sys.stderr, flush=True)
    print("\n".join(table(rows)))
    if not args.no_write:
        took = f"{time.monotonic() - started:.0f} s"
        if args.update:
            rows = merge(load_previous(), rows, set(args.modules))
            header = f"Updated by `python -m bench --update {' '.join(args.modules)}` ({took}); other rows kept."
        else:
            header = f"Written by `python -m bench {' '.join(args.modules)}`".replace(
                f" {' '.join(MODULES)}`", "` (make bench)") + f" in {took}."
        write_results(rows, failures, header)
        print(f"wrote {RESULTS}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
