"""CPU per release: what one stored release costs the crawler process, against the bare
Scrapy spider's cost per page, with a profile of where the time goes, and two peers.

1. **Cost per release**: CPU seconds (user + system, from wait4) of the whole
   `presseportal -q backfill` of 5,000 replica releases on loopback, delays off, with
   storing and raw pages, divided by the releases stored; against the bare spider's CPU
   seconds per story page (bench/e2e.py: same settings, middlewares and URLs). The runs
   are bench.e2e's (interleaved, a fresh database each); the median of each side counts.
   **What the parts cost**: the same backfill without raw pages (`STORE_PAGES` off), and
   with no item pipelines at all (the spider and its extraction, nothing normalised,
   validated or stored), interleaved with the bare spider: the least the ratio could be
   were that part free (information rows).
   **What each part costs in place**: the same backfill with the product's own stages
   wrapped where the crawl calls them (`python -m bench.cpu --accounted`), each adding the
   CPU seconds of the thread it runs in (time.thread_time) to its part: extraction (of it
   the lxml parse), listing pages, decoding and the completeness check, normalisation,
   validation, the store's batch rows (of it the raw pages); the rest (Scrapy, HTTP, the
   store's writes, extensions, start-up) is the process's CPU less those. Interleaved
   with the bare spider, each part beside its CPU per page (information rows): the cost
   row's ratio is 1 + (the parts + the rest beyond the bare spider's) / the bare spider.
2. **Where the time goes**: py-spy samples one backfill of `PROFILE_RELEASES` (the
   replica in its own process, not sampled); each sample goes to the first part of the
   path a release takes that its stack shows (start-up imports, store, normalisation,
   extraction and its lxml parse, extensions, HTTP, Scrapy's engine).
3. **Peers**: trafilatura's `extract` of the same story pages (CPU ms per page, in this
   process); news-please (`bench/peers/`, its own virtual environment) fed the same
   story URLs, extracting and storing each article into PostgreSQL with one INSERT and
   commit, as its PostgreSQL storage does: CPU ms per release of its process (over 100
   URLs less over 10: its start-up left out). Neither is
   a dependency of the product; `make bench` creates the news-please environment on its
   first run (`bench/peers/news_please.py --setup`), and says so when it cannot.

    python -m bench.cpu [--profile-releases 2000]
    python -m bench.cpu --accounted OUT.json -- ARGS...   (the presseportal command ARGS, parts to OUT)
"""

from __future__ import annotations

import argparse
import functools
import importlib
import inspect
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench import e2e
from bench.e2e import BIN, PUBLISHER, crawler_env, presseportal, replica_process, run_measured, tail

RELEASES = e2e.RELEASES
PROFILE_RELEASES = 2000
PEER_PAGES = 200
NEWSPLEASE_PAGES = 100
TARGET_RATIO = 1.5
TARGET_NEWSPLEASE_FACTOR = 10.0

# (part, what in a sampled stack puts the sample there), first match wins
PARTS = [
    ("start-up (imports)", ("_find_and_load",)),
    ("store (batch rows, raw page zstd + sha256, psycopg)", ("pipelines/store.py", "crawler/db/", "psycopg")),
    ("normalisation (characters, dates)", ("crawler/normalize/", "pipelines/normalize.py")),
    ("lxml parse", ("parse_html (", "document_fromstring", "lxml/html/__init__.py")),
    ("extraction (extract_story, grammar, decoding)", ("crawler/extract/", "crawler/grammar.py")),
    ("validation, field coverage, progress, run record", ("pipelines/validate.py", "crawler/extensions/")),
    ("spider (navigation, decoding the body)", ("crawler/spiders/",)),
    ("HTTP (Twisted client, download handler)", ("twisted/web/", "scrapy/core/downloader/handlers",
                                                 "twisted/internet/tcp.py", "twisted/protocols/")),
    ("Scrapy engine, scheduler, middlewares, reactor", ("scrapy/", "twisted/", "asyncio/")),
]


# --- 1. the cost per release ------------------------------------------------------------------


def e2e_runs() -> dict:
    """bench.e2e's runs of RELEASES (measured now unless this `make bench` has them)."""
    return e2e.MEASURED.get(RELEASES) or e2e.measure(RELEASES)


def cost_row(m: dict, profile: dict | None) -> dict:
    backfills, bares = m["backfills"], m["bares"]
    ok = all(r["rc"] == 0 and r["stored"] == RELEASES for r in backfills) and \
        all(r["rc"] == 0 and r.get("stories") == RELEASES for r in bares)
    per_release = statistics.median(r["cpu_s"] / max(r["stored"], 1) for r in backfills) * 1000
    per_page = statistics.median(r["cpu_s"] / max(r.get("stories") or 0, 1) for r in bares) * 1000
    ratio = per_release / per_page if per_page else None
    cpu = lambda runs: ", ".join(f"{r['cpu_s']:.1f}" for r in runs)  # noqa: E731
    notes = (f"{RELEASES:,} replica releases on loopback, delays off; medians of {len(backfills)} interleaved "
             f"runs each (bench.e2e's): backfill CPU {cpu(backfills)} s, bare spider CPU {cpu(bares)} s, "
             f"whole commands (start-up included)")
    if not ok:
        notes += "; INCOMPLETE runs: " + "; ".join(tail(r["stderr"], 200) for r in [*backfills, *bares] if r["rc"])
    if profile:
        notes += f"; where the time goes: {profile['summary']}"
    return {
        "name": "cpu: CPU per stored release, backfill end to end (store and raw pages)",
        "value": per_release,
        "unit": "ms",
        "baseline_name": "bare Scrapy spider, CPU per page",
        "baseline_value": per_page,
        "ratio": ratio,
        "target": f"ratio <= {TARGET_RATIO}",
        "met": bool(ok and ratio is not None and ratio <= TARGET_RATIO),
        "notes": notes,
    }


# --- 1b. what the parts cost: the same backfill with parts switched off --------------------------

# (row name, the backfill's -s settings): each leaves out a part of the path, so its ratio
# is the least the full path's could reach were everything that part does free
PARTS_OFF = [
    ("cpu: backfill without raw pages (STORE_PAGES off), CPU per stored release", ["STORE_PAGES=False"]),
    ("cpu: spider and extraction alone (no item pipelines: nothing normalised, validated or stored), "
     "CPU per story page", ["ITEM_PIPELINES={}"]),
]


def parts_off_rows(releases: int = RELEASES, rounds: int = e2e.ROUNDS) -> list[dict]:
    """The backfill with each of PARTS_OFF, interleaved with the bare spider against one
    replica process (a fresh database each): CPU ms per page, medians, beside the bare
    spider's. Information: the cost row's ratio cannot go below these without making
    what is left cheaper."""
    bares: list[dict] = []
    runs: dict[str, list[dict]] = {name: [] for name, _ in PARTS_OFF}
    with replica_process(releases) as base_url:
        for _ in range(rounds):
            bares.append(e2e.bare(base_url))
            for name, settings in PARTS_OFF:
                with e2e.throwaway_database() as database_url:
                    sets = [arg for item in settings for arg in ("-s", item)]
                    runs[name].append(e2e.backfill(base_url, database_url, *sets))
    per_page = statistics.median(r["cpu_s"] / max(r.get("stories") or 0, 1) for r in bares) * 1000
    rows = []
    for name, settings in PARTS_OFF:
        done = runs[name]
        ok = all(r["rc"] == 0 for r in done) and all(r["rc"] == 0 and r.get("stories") == releases for r in bares)
        stores = "STORE_PAGES=False" in settings
        # without pipelines nothing is stored: per page fetched (every run fetched them all)
        value = statistics.median(r["cpu_s"] / max(r["stored"] if stores else releases, 1) for r in done) * 1000
        cpu = ", ".join(f"{r['cpu_s']:.1f}" for r in done)
        stored = f"stored {done[0]['stored']:,}" if stores else "nothing stored"
        notes = (f"{releases:,} replica releases, `presseportal backfill -s {' -s '.join(settings)}`, medians of "
                 f"{len(done)} runs interleaved with the bare spider's: CPU {cpu} s, {stored}")
        if not ok:
            notes += "; INCOMPLETE runs: " + "; ".join(tail(r["stderr"], 200) for r in [*done, *bares] if r["rc"])
        rows.append({"name": name, "value": value, "unit": "ms", "baseline_name": "bare Scrapy spider, CPU per page",
                     "baseline_value": per_page, "ratio": value / per_page if per_page else None,
                     "target": None, "met": None, "notes": notes})
    return rows


# --- 1c. what each part costs in place: thread CPU of the product's own stages ------------------

# (part, module, name): the function is wrapped where the crawl looks it up, and adds the CPU
# seconds of its thread (time.thread_time) to its part while it runs. A part whose name
# starts with "of which" runs inside the one above it; the others do not nest.
ACCOUNTED = [
    ("extraction of story pages (extract_story)", "crawler.spiders.presseportal", "extract_story"),
    ("of which the lxml parse", "crawler.extract.story", "parse_html"),
    ("listing pages (extract_listing)", "crawler.spiders.presseportal", "extract_listing"),
    ("decoding a story page", "crawler.spiders.presseportal", "decode_html"),
    ("the completeness check of a story page", "crawler.spiders.presseportal", "missing_end"),
    ("normalisation (NormalizePipeline)", "pipelines.normalize", "NormalizePipeline.process_item"),
    ("validation (ValidatePipeline)", "pipelines.validate", "ValidatePipeline.process_item"),
    ("the store's batch rows (prepare_batch)", "pipelines.store", "prepare_batch"),
    ("of which raw pages (sha256, zstd)", "crawler.db.releases", "page_row"),
]
REST = "the rest: Scrapy, HTTP, the store's writes, extensions, start-up"
OWN = "the parts above together (the product's own stages)"


def _accounting(spent: dict[str, float], part: str, fn):
    @functools.wraps(fn)
    def accounted(*args, **kwargs):
        t0 = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[part] += time.thread_time() - t0
    return accounted


def accounted_main(out: str, argv: list[str]) -> int:
    """The `presseportal` command with ACCOUNTED's functions wrapped; writes
    {"parts": {part: CPU s}, "total": the process's CPU s} to `out` (JSON) at the end."""
    import resource

    spent = dict.fromkeys((part for part, _, _ in ACCOUNTED), 0.0)
    for part, module, name in ACCOUNTED:
        owner = importlib.import_module(module)
        *path, attr = name.split(".")
        for step in path:
            owner = getattr(owner, step)
        fn = getattr(owner, attr)
        assert not inspect.iscoroutinefunction(fn), f"{module}.{name}: thread CPU cannot follow a coroutine"
        setattr(owner, attr, _accounting(spent, part, fn))
    from crawler.precheck import main as presseportal_main

    try:
        return presseportal_main(argv)
    finally:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        Path(out).write_text(json.dumps({"parts": spent, "total": usage.ru_utime + usage.ru_stime}))


def accounted_rows(releases: int = RELEASES, rounds: int = e2e.ROUNDS) -> list[dict]:
    """ACCOUNTED's parts of the backfill (CPU ms per stored release, medians), interleaved
    with the bare spider, each beside the bare spider's CPU per page."""
    bares, runs = [], []
    with replica_process(releases) as base_url, tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "parts.json"
        for _ in range(rounds):
            bares.append(e2e.bare(base_url))
            with e2e.throwaway_database() as database_url:
                argv = [sys.executable, "-m", "bench.cpu", "--accounted", str(out), "--",
                        *presseportal("backfill", "--publisher", str(PUBLISHER))[1:]]
                result = run_measured(argv, crawler_env(base_url, database_url))
                stored = e2e.count_releases(database_url)
                spent = json.loads(out.read_text()) if result["rc"] == 0 and out.exists() else None
                runs.append({"rc": result["rc"], "stored": stored, "spent": spent, "stderr": result["stderr"]})
                out.unlink(missing_ok=True)
    ok = all(r["rc"] == 0 and r["stored"] == releases and r["spent"] for r in runs) and \
        all(r["rc"] == 0 and r.get("stories") == releases for r in bares)
    per_page = statistics.median(r["cpu_s"] / max(r.get("stories") or 0, 1) for r in bares) * 1000
    if not ok:
        why = "; ".join(tail(r["stderr"], 200) for r in [*runs, *bares] if r["rc"]) or "a run stored less"
        return [{"name": "cpu: parts in place", "value": None, "unit": "ms", "baseline_name": None,
                 "baseline_value": None, "ratio": None, "target": None, "met": False, "notes": f"INCOMPLETE: {why}"}]

    def ms(run: dict, part: str) -> float:
        spent = run["spent"]
        own = sum(v for p, v in spent["parts"].items() if not p.startswith("of which"))
        cpu = own if part == OWN else spent["total"] - own if part == REST else spent["parts"][part]
        return cpu * 1000 / run["stored"]

    rows = []
    for part in [*(p for p, _, _ in ACCOUNTED), OWN, REST]:
        value = statistics.median(ms(r, part) for r in runs)
        rows.append({
            "name": f"cpu: in place, {part}, CPU per stored release", "value": value, "unit": "ms",
            "baseline_name": "bare Scrapy spider, CPU per page (all of it)", "baseline_value": per_page,
            "ratio": value / per_page if per_page else None, "target": None, "met": None,
            "notes": (f"{releases:,} replica releases, `python -m bench.cpu --accounted` (the backfill with its "
                      f"stages wrapped, thread CPU each), medians of {len(runs)} runs interleaved with the bare "
                      f"spider's: " + ", ".join(f"{ms(r, part):.3f}" for r in runs) + " ms"),
        })
    return rows


# --- 2. the profile ---------------------------------------------------------------------------


def part_of(stack: str) -> str | None:
    """The part of PARTS a sampled stack belongs to; None for a stack without a Python
    frame (a thread waiting in native code: not the crawler's CPU)."""
    if not stack.strip():
        return None
    for part, marks in PARTS:
        if any(mark in stack for mark in marks):
            return part
    return "other"


def profile(releases: int = PROFILE_RELEASES) -> dict | None:
    """py-spy's samples of one backfill, by part; None when py-spy is not installed."""
    spy = shutil.which("py-spy", path=str(BIN)) or shutil.which("py-spy")
    if spy is None:
        return None
    parts: Counter = Counter()
    with replica_process(releases) as base_url, e2e.throwaway_database() as database_url, \
            tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "samples.txt"
        argv = [spy, "record", "--format", "raw", "--rate", "200", "--nonblocking", "-o", str(raw), "--",
                *presseportal("backfill", "--publisher", str(PUBLISHER))]
        result = run_measured(argv, crawler_env(base_url, database_url))
        if result["rc"] != 0 or not raw.exists():
            return {"summary": f"py-spy failed (exit {result['rc']}): {tail(result['stderr'], 200)}", "parts": {}}
        for line in raw.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            part = part_of(stack)
            if count.isdigit() and part is not None:
                parts[part] += int(count)
    total = sum(parts.values()) or 1
    shares = {part: n / total for part, n in parts.most_common()}
    summary = ", ".join(f"{part} {share:.0%}" for part, share in shares.items())
    return {"summary": f"py-spy, one backfill of {releases:,}, {total:,} samples: {summary}", "parts": shares}


# --- 3. the peers -----------------------------------------------------------------------------


def trafilatura_ms(pages: list[tuple[str, bytes, str | None]]) -> float | None:
    """CPU ms per page of trafilatura.extract on the decoded pages; None without it."""
    try:
        import trafilatura
    except ImportError:
        return None
    from crawler.extract.encoding import decode_html

    decoded = [(url, decode_html(body, charset)) for url, body, charset in pages]
    trafilatura.extract(decoded[0][1], url=decoded[0][0])  # its lazy set-up is not per page
    t0 = time.process_time()
    for url, html in decoded:
        trafilatura.extract(html, url=url)
    return (time.process_time() - t0) * 1000 / len(decoded)


def peer_row(name: str, value: float | None, product: float, notes: str, target: float | None = None) -> dict:
    """A peer's CPU ms per release beside the product's; `target`: the least factor."""
    ratio = value / product if value and product else None
    return {
        "name": name, "value": value, "unit": "ms",
        "baseline_name": "the product, CPU per stored release end to end (the first cpu row)",
        "baseline_value": product, "ratio": ratio,
        "target": f"ratio >= {target:g}" if target else None,
        "met": None if target is None or ratio is None else ratio >= target,
        "notes": notes,
    }


def peer_rows(cost: dict) -> list[dict]:
    from bench.extract import fetch_pages
    from bench.peers import news_please

    product = cost["value"]
    traf = trafilatura_ms(fetch_pages(PEER_PAGES))
    np = news_please.measure(NEWSPLEASE_PAGES)
    return [
        peer_row("cpu: trafilatura, extraction alone, CPU per page", traf, product,
                 f"trafilatura.extract (default options) of {PEER_PAGES} replica story pages, decoded, in this "
                 "process" if traf else "trafilatura is not installed (pip install -e '.[bench]')"),
        peer_row("cpu: news-please, fetch + extract + store, CPU per release", np.get("ms_per_release"), product,
                 np["notes"], target=TARGET_NEWSPLEASE_FACTOR),
    ]


def run(profile_releases: int = PROFILE_RELEASES) -> list[dict]:
    cost = cost_row(e2e_runs(), profile(profile_releases))
    return [cost, *peer_rows(cost), *parts_off_rows(), *accounted_rows()]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__.splitlines()[0])
    ap.add_argument("--profile-releases", type=int, default=PROFILE_RELEASES)
    ap.add_argument("--accounted", metavar="OUT", help="run the presseportal command given after -- with "
                    "ACCOUNTED's parts wrapped; their CPU seconds to OUT (JSON)")
    ap.add_argument("command", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.accounted:
        return accounted_main(args.accounted, args.command[1:] if args.command[:1] == ["--"] else args.command)
    e2e.print_rows(run(args.profile_releases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
