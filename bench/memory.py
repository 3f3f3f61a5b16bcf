"""Figure 6: peak resident memory of backfills of 5,000 and 20,000 releases.

Each backfill is `presseportal -q backfill --publisher 73811` into a fresh throwaway
PostgreSQL, with delays off, from a replica in its own process (so neither the
replica's nor the database's memory is counted). The crawler's peak RSS is read two
ways every 50 ms until it exits: the kernel's high-water mark of its RSS (VmHWM in
/proc/PID/status, exact up to the last 50 ms), and psutil's RSS of the crawler and
any children it starts, summed; the row shows the larger.

Baseline: the bare Scrapy spider of bench.e2e over the same 5,000 releases (what
Scrapy itself costs with the same settings). When bench.e2e ran before in the same
process (`make bench`), its 5,000 backfill and bare spider are exactly these two runs
(same commands, fresh database), so they are reused rather than repeated; the row's
notes say so.

    python -m bench.memory [--small 5000] [--large 20000]
"""

from __future__ import annotations

import argparse
import sys

from bench import e2e
from bench.e2e import backfill, bare, replica_process, tail, throwaway_database

SMALL = 5000
LARGE = 20000
TARGET_MB = 150.0
TARGET_GROWTH = 0.10


def peak(result: dict) -> float:
    return max(result["hwm_mb"], result["polled_peak_mb"])


def highest(results: list[dict]) -> dict | None:
    return max(results, key=peak) if results else None


def one(releases: int, *, with_bare: bool = False) -> dict:
    done = e2e.MEASURED.get(releases)
    if done is not None and with_bare:
        # the same command on the same data, measured minutes ago by bench.e2e in this run
        return {**done, "reused": True}  # backfills, bares: the higher peak of each counts
    with replica_process(releases) as base_url, throwaway_database() as database_url:
        b = bare(base_url) if with_bare else None
        f = backfill(base_url, database_url)
    return {"releases": releases, "backfills": [f], "bares": [b] if b else [], "reused": False}


def measure(small: int = SMALL, large: int = LARGE) -> dict:
    return {"small": one(small, with_bare=True), "large": one(large)}


def describe(r: dict) -> str:
    parts = []
    for f in r["backfills"]:
        text = (f"stored {f['stored']:,} in {f['wall']:.0f} s (exit {f['rc']}), "
                f"VmHWM {f['hwm_mb']:.0f} MB, polled tree RSS {f['polled_peak_mb']:.0f} MB")
        if f["rc"] != 0:
            text += f", stderr: {tail(f['stderr'], 300)}"
        if f["stored"] != r["releases"]:
            text += f", INCOMPLETE: {f['stored']} of {r['releases']} stored"
        parts.append(text)
    how = "backfill" if len(parts) == 1 else f"{len(parts)} backfills (the higher peak counts)"
    return f"{r['releases']:,} releases, {how}: " + "; ".join(parts)


def complete(r: dict) -> bool:
    return all(f["rc"] == 0 and f["stored"] == r["releases"] for f in r["backfills"])


def rows_from(m: dict) -> list[dict]:
    small, large = m["small"], m["large"]
    ps, pl = peak(highest(small["backfills"])), peak(highest(large["backfills"]))
    b = highest([x for x in small["bares"] if x["rc"] == 0])
    bare_mb = peak(b) if b else None
    ok = complete(small) and complete(large)
    growth = pl / ps - 1
    small_notes = describe(small)
    if b:
        small_notes += f"; bare spider: VmHWM {b['hwm_mb']:.0f} MB, polled {b['polled_peak_mb']:.0f} MB"
    if small.get("reused"):
        small_notes += ("; these are the runs bench.e2e measured earlier in this same `make bench` "
                        "(same commands, same replica size, fresh databases), not repeated")
    return [
        {
            "name": f"memory: peak RSS, backfill of {small['releases']:,}",
            "value": ps,
            "unit": "MB",
            "baseline_name": f"bare Scrapy spider, {small['releases']:,}",
            "baseline_value": bare_mb,
            "ratio": ps / bare_mb if bare_mb else None,
            "target": "<= 150 MB",
            "met": ps <= TARGET_MB and ok,
            "notes": small_notes,
        },
        {
            "name": f"memory: peak RSS, backfill of {large['releases']:,}",
            "value": pl,
            "unit": "MB",
            "baseline_name": f"backfill of {small['releases']:,}",
            "baseline_value": ps,
            "ratio": pl / ps,
            "target": "<= 150 MB, growth < 10%",
            "met": pl <= TARGET_MB and growth < TARGET_GROWTH and ok,
            "notes": describe(large) + f"; growth {growth:+.1%}",
        },
    ]


def run(small: int = SMALL, large: int = LARGE) -> list[dict]:
    return rows_from(measure(small, large))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.splitlines()[0])
    ap.add_argument("--small", type=int, default=SMALL)
    ap.add_argument("--large", type=int, default=LARGE)
    args = ap.parse_args(argv)
    from bench.e2e import print_rows

    print_rows(run(args.small, args.large))
    return 0


if __name__ == "__main__":
    sys.exit(main())
