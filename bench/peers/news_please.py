"""news-please, the peer: its virtual environment (bench/peers/.venv-newsplease) and its
CPU per release on the replica's story pages, stored into PostgreSQL.

    python -m bench.peers.news_please --setup     # create the environment (a few minutes)
    python -m bench.peers.news_please [--pages 200]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv-newsplease"
PYTHON = VENV / "bin" / "python"
# news-please's last release; psycopg for the storage its PostgreSQL pipeline does
REQUIREMENTS = ["news-please==1.6.16", "psycopg[binary]>=3.2"]
SETUP_TIMEOUT = 1200


def setup() -> str | None:
    """Create the environment when it is missing; None when ready, else why not."""
    if PYTHON.exists() and subprocess.run([str(PYTHON), "-c", "import newsplease, psycopg"],
                                          capture_output=True).returncode == 0:
        return None
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True, capture_output=True)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "-q", *REQUIREMENTS], check=True,
                       capture_output=True, text=True, timeout=SETUP_TIMEOUT)
    except subprocess.CalledProcessError as exc:
        return f"could not install {' '.join(REQUIREMENTS)}: {' '.join(str(exc.stderr).split())[-300:]}"
    except subprocess.TimeoutExpired:
        return f"installing {' '.join(REQUIREMENTS)} took over {SETUP_TIMEOUT} s"
    return None


def run_peer(base_url: str, database_url: str, story_ids: list[int]) -> dict:
    """The peer over `story_ids` (a fresh table each time: the database is new)."""
    from bench.e2e import crawler_env, run_measured
    from tests.replica.corpus import MAIN_PUBLISHER

    with tempfile.NamedTemporaryFile("w", suffix=".txt") as urls:
        urls.write("".join(f"{base_url}/pm/{MAIN_PUBLISHER}/{sid}\n" for sid in story_ids))
        urls.flush()
        result = run_measured([str(PYTHON), str(HERE / "newsplease_peer.py"), urls.name, database_url],
                              crawler_env(base_url), timeout=1800)
    try:
        result.update(json.loads(result["stdout"].strip().splitlines()[-1]))
    except (ValueError, IndexError):
        result["stored"] = None
    return result


def measure(pages: int = 100, warm: int = 10) -> dict:
    """{"ms_per_release": CPU ms of the peer's process per further article stored (None
    when it could not run), "notes": what was run}. The peer runs twice, over `warm`
    URLs and over `pages`: the difference is its cost per release without its start-up,
    as the product's start-up is spread over thousands of releases."""
    from bench.e2e import replica_process, tail, throwaway_database

    problem = setup()
    if problem:
        return {"ms_per_release": None, "notes": f"news-please not measured: {problem}"}
    from tests.replica.corpus import MAIN_PUBLISHER, Corpus

    with replica_process(pages) as base_url:
        ids = list(Corpus(releases=pages, seed=1, base_url=base_url).story_ids(MAIN_PUBLISHER))[:pages]
        with throwaway_database() as database_url:
            few = run_peer(base_url, database_url, ids[:warm])
        with throwaway_database() as database_url:
            many = run_peer(base_url, database_url, ids)
    if not few["stored"] or not many["stored"] or many["stored"] <= few["stored"]:
        bad = many if not many["stored"] else few
        return {"ms_per_release": None,
                "notes": f"news-please failed (exit {bad['rc']}): {tail(bad['stderr'], 300)}"}
    ms = (many["cpu_s"] - few["cpu_s"]) * 1000 / (many["stored"] - few["stored"])
    return {"ms_per_release": ms,
            "notes": f"news-please 1.6.16 (its own venv, bench/peers/) on replica story URLs: fetched "
                     f"(urllib), NewsPlease.from_html, one SELECT + INSERT + commit per article into "
                     f"PostgreSQL; {many['stored']} stored ({many['failed']} failed) in {many['cpu_s']:.1f} CPU s, "
                     f"{few['stored']} in {few['cpu_s']:.1f} CPU s: the difference per release (its start-up "
                     f"left out)"}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.peers.news_please", description=__doc__.splitlines()[0])
    ap.add_argument("--setup", action="store_true", help="only create the environment")
    ap.add_argument("--pages", type=int, default=100)
    args = ap.parse_args(argv)
    if args.setup:
        problem = setup()
        print(problem or f"ready: {PYTHON}")
        return 1 if problem else 0
    print(json.dumps(measure(args.pages)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
