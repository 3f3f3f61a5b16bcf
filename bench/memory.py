"""Figure 6: peak resident memory of backfills of 5,000 and 20,000 releases.

Each backfill is `presseportal -q backfill --publisher 73811` into a fresh throwaway
PostgreSQL, with delays off, from a replica in its own process (so neither the
replica's nor the database's memory is counted). The crawler's peak RSS is read two
ways: the kernel's ru_maxrss of that child (os.wait4), and psutil polling every 50 ms
of the crawler and any children it starts; the row shows the larger.

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
    return max(result["maxrss_mb"], result["polled_peak_mb"])


def one(releases: int, *, with_bare: bool = False) -> dict:
    done = e2e.MEASURED.get(releases)
    if done is not None and with_bare:
        # the same command on the same data, measured minutes ago by bench.e2e in this run
        return {**done, "reused": True}
    with replica_process(releases) as base_url, throwaway_database() as database_url:
        b = bare(base_url) if with_bare else None
        f = backfill(base_url, database_url)
    return {"releases": releases, "backfill": f, "bare": b, "reused": False}


def measure(small: int = SMALL, large: int = LARGE) -> dict:
    return {"small": one(small, with_bare=True), "large": one(large)}


def describe(r: dict) -> str:
    f = r["backfill"]
    text = (f"{r['releases']:,}: stored {f['stored']:,} in {f['wall']:.0f} s (exit {f['rc']}), "
            f"ru_maxrss {f['maxrss_mb']:.0f} MB, polled {f['polled_peak_mb']:.0f} MB")
    if f["rc"] != 0:
        text += f"; stderr: {tail(f['stderr'], 300)}"
    if f["stored"] != r["releases"]:
        text += f"; INCOMPLETE: {f['stored']} of {r['releases']} stored"
    return text


def rows_from(m: dict) -> list[dict]:
    small, large = m["small"], m["large"]
    ps, pl = peak(small["backfill"]), peak(large["backfill"])
    b = small["bare"]
    bare_mb = peak(b) if b and b["rc"] == 0 else None
    complete = all(r["backfill"]["rc"] == 0 and r["backfill"]["stored"] == r["releases"] for r in (small, large))
    growth = pl / ps - 1
    return [
        {
            "name": f"memory: peak RSS, backfill of {small['releases']:,}",
            "value": ps,
            "unit": "MB",
            "baseline_name": f"bare Scrapy spider, {small['releases']:,}",
            "baseline_value": bare_mb,
            "ratio": ps / bare_mb if bare_mb else None,
            "target": "<= 150 MB",
            "met": ps <= TARGET_MB and complete,
            "notes": describe(small) + (f"; bare spider {b['wall']:.0f} s, exit {b['rc']}" if b else "")
            + ("; the backfill and bare-spider runs measured by bench.e2e in this same run (same commands, "
               "same replica size, fresh database), not repeated" if small.get("reused") else ""),
        },
        {
            "name": f"memory: peak RSS, backfill of {large['releases']:,}",
            "value": pl,
            "unit": "MB",
            "baseline_name": f"backfill of {small['releases']:,}",
            "baseline_value": ps,
            "ratio": pl / ps,
            "target": "<= 150 MB, growth < 10%",
            "met": pl <= TARGET_MB and growth < TARGET_GROWTH and complete,
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
