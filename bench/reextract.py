"""Figure: `presseportal reextract` of 5,000 stored pages, releases/s.

The store is filled the way a crawl fills it: 5,000 replica releases (publisher 73811)
with their rendered story pages written by the StorePipeline, raw pages on, into a
fresh throwaway PostgreSQL (durability off, as bench.e2e). Then `presseportal -q
reextract` runs as a whole command (interpreter start to exit): every page read back
from `release_pages`, extracted, normalised and compared by the store; the extractor is
the one that stored them, so every release must come back unchanged (the notes say how
many did).

Baseline: extraction and normalisation of the same 5,000 pages in memory on one core
(`extract_story` + `normalize_release`, no database): the share of that speed the whole
command keeps.

    python -m bench.reextract [--releases 5000]
"""

from __future__ import annotations

import argparse
import re
import sys
import time

from bench.e2e import crawler_env, presseportal, print_rows, run_measured, tail, throwaway_database

RELEASES = 5_000
SITE = "https://www.presseportal.de"


def in_memory_rate(items: list) -> float:
    """Releases/s of extract_story + normalize_release over the items' pages, one core."""
    from crawler.extract.story import extract_story
    from crawler.normalize.release import normalize_release

    t0 = time.perf_counter()
    for item in items:
        normalize_release(extract_story(item.raw_html, item.url))
    return len(items) / (time.perf_counter() - t0)


def measure(releases: int = RELEASES) -> dict:
    from crawler import db
    from bench.store import build_releases, load_batched

    items = build_releases(releases)
    with throwaway_database() as database_url:
        db.migrate(database_url)
        load_batched(database_url, items, pages=True)
        result = run_measured(presseportal("reextract"), crawler_env(SITE, database_url), timeout=3600)
    counts = dict(re.findall(r"(pages|new|changed|unchanged|errors) (\d+)", result["stderr"]))
    return {"releases": len(items), "run": result, "counts": {k: int(v) for k, v in counts.items()},
            "baseline": in_memory_rate(items)}


def rows_from(m: dict) -> list[dict]:
    run, counts = m["run"], m["counts"]
    pages = counts.get("pages", 0)
    rate = pages / run["wall"]
    complete = run["rc"] == 0 and pages == m["releases"] and counts.get("unchanged") == m["releases"]
    notes = (f"{m['releases']:,} replica releases stored with their pages; reextract: {run['wall']:.1f} s "
             f"(exit {run['rc']}), pages {pages:,}, unchanged {counts.get('unchanged', 0):,}, "
             f"changed {counts.get('changed', 0):,}, errors {counts.get('errors', 0)}; "
             f"VmHWM {run['hwm_mb']:.0f} MB")
    if not complete:
        notes += f"; stderr: {tail(run['stderr'])}"
    return [{
        "name": f"reextract: {m['releases']:,} stored pages, whole command",
        "value": rate, "unit": "releases/s",
        "baseline_name": "extract + normalise in memory, same pages, one core",
        "baseline_value": m["baseline"],
        "ratio": rate / m["baseline"],
        "target": "every release unchanged", "met": complete,
        "notes": notes,
    }]


def run(releases: int = RELEASES) -> list[dict]:
    return rows_from(measure(releases))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.reextract", description=__doc__.splitlines()[0])
    ap.add_argument("--releases", type=int, default=RELEASES)
    args = ap.parse_args(argv)
    print_rows(run(args.releases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
