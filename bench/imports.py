"""Figures: `presseportal import` of 100,000 flattened lines, beside the crawl's store rate,
and its peak memory against an import of 20,000 lines (it must stay flat).

The dump is a gzipped `lines` file built from the replica's truth the way other scrapers
flattened releases (tests.replica.dumps.line: paragraphs, sections and contact lines
glued, the originator and `Originalmeldung: URL` at the end, `date YYYY-MM-DD ` in
front): 5,000 distinct releases of publisher 73811, each repeated under other story ids
(the Originalmeldung URL), so every line is a new release.

- **import**: `presseportal -q import dump.txt.gz` timed as a whole command (interpreter
  start to exit) into a fresh throwaway PostgreSQL (durability off, as bench.e2e);
  lines/s = stored releases / wall time. Its peak RSS is read as in bench.memory
  (VmHWM and the polled process tree).
- **baseline**: the crawl's store rate, the StorePipeline alone (bench.store.load_batched,
  raw pages off) writing 10,000 replica releases into the same kind of database, rows/s.
  The import does the grammar, normalisation and Scrapy's item machinery on top.

    python -m bench.imports [--lines 100000] [--small 20000]
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
from pathlib import Path

from bench.e2e import count_releases, crawler_env, presseportal, print_rows, run_measured, tail, throwaway_database

LINES = 100_000
SMALL = 20_000
DISTINCT = 5_000
STORE_RELEASES = 10_000
SITE = "https://www.presseportal.de"
TARGET_MB = 150.0
TARGET_GROWTH = 0.10


def write_dump(path: Path, lines: int, distinct: int = DISTINCT) -> None:
    """A gzipped lines dump of `lines` releases (see the module docstring)."""
    from tests.replica import dumps
    from tests.replica.corpus import MAIN_PUBLISHER, Corpus

    truths = list(Corpus(releases=distinct, base_url=SITE).all_truth(MAIN_PUBLISHER))
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as f:
        for i in range(lines):
            truth, copy = truths[i % len(truths)], i // len(truths)
            if copy:  # the same text under another story id: a new release for the store
                sid = truth["story_id"] + copy * 10_000_000
                truth = {**truth, "story_id": sid, "url": f"{SITE}/pm/{truth['publisher_id']}/{sid}"}
            f.write(dumps.line(truth, "day") + "\n")


def import_dump(path: Path) -> dict:
    with throwaway_database() as database_url:
        result = run_measured(presseportal("import", str(path)), crawler_env(SITE, database_url), timeout=3600)
        result["stored"] = count_releases(database_url)
    return result


def store_rate(n: int = STORE_RELEASES) -> tuple[float, int]:
    """rows/s of the StorePipeline alone (raw pages off), fresh throwaway database."""
    from crawler import db
    from bench.store import build_releases, load_batched

    items = build_releases(n)
    with throwaway_database() as database_url:
        db.migrate(database_url)
        seconds = load_batched(database_url, items, pages=False)
    return len(items) / seconds, len(items)


def measure(lines: int = LINES, small: int = SMALL) -> dict:
    with tempfile.TemporaryDirectory(prefix="pp-bench-import-") as tmp:
        t0 = time.perf_counter()
        big, little = Path(tmp) / "dump.txt.gz", Path(tmp) / "small.txt.gz"
        write_dump(big, lines)
        write_dump(little, small)
        built = time.perf_counter() - t0
        runs = {"small": import_dump(little), "large": import_dump(big)}
    rate, stored = store_rate()
    return {"lines": lines, "small_lines": small, "built": built, "runs": runs, "store_rate": rate,
            "store_n": stored}


def peak(result: dict) -> float:
    return max(result["hwm_mb"], result["polled_peak_mb"])


def describe(result: dict, lines: int) -> str:
    text = (f"{lines:,} lines: stored {result['stored']:,} in {result['wall']:.0f} s (exit {result['rc']}), "
            f"VmHWM {result['hwm_mb']:.0f} MB, polled tree RSS {result['polled_peak_mb']:.0f} MB")
    if result["rc"] != 0 or result["stored"] != lines:
        text += f", INCOMPLETE; stderr: {tail(result['stderr'])}"
    return text


def rows_from(m: dict) -> list[dict]:
    large, small = m["runs"]["large"], m["runs"]["small"]
    complete = all(r["rc"] == 0 for r in (large, small)) and large["stored"] == m["lines"] \
        and small["stored"] == m["small_lines"]
    rate = large["stored"] / large["wall"]
    growth = peak(large) / peak(small) - 1
    notes = (f"{describe(large, m['lines'])}; {describe(small, m['small_lines'])}; "
             f"{DISTINCT:,} distinct replica releases, the dumps built in {m['built']:.0f} s; "
             f"store baseline: {m['store_n']:,} releases through StorePipeline, raw pages off")
    return [
        {
            "name": f"import: {m['lines']:,} flattened lines (gzip) into PostgreSQL",
            "value": rate, "unit": "lines/s",
            "baseline_name": "the crawl's store (StorePipeline alone), rows/s",
            "baseline_value": m["store_rate"],
            "ratio": rate / m["store_rate"],
            "target": None, "met": None if complete else False,
            "notes": notes,
        },
        {
            "name": f"import: peak RSS, {m['lines']:,} lines",
            "value": peak(large), "unit": "MB",
            "baseline_name": f"import of {m['small_lines']:,} lines",
            "baseline_value": peak(small),
            "ratio": peak(large) / peak(small),
            "target": "<= 150 MB, growth < 10%",
            "met": complete and peak(large) <= TARGET_MB and growth < TARGET_GROWTH,
            "notes": f"growth {growth:+.1%}",
        },
    ]


def run(lines: int = LINES, small: int = SMALL) -> list[dict]:
    return rows_from(measure(lines, small))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=LINES)
    ap.add_argument("--small", type=int, default=SMALL)
    args = ap.parse_args(argv)
    print_rows(run(args.lines, args.small))
    return 0


if __name__ == "__main__":
    sys.exit(main())
