"""news-please, the peer: its virtual environment (bench/peers/.venv-newsplease) and its
CPU per release on the replica's story pages, stored into PostgreSQL.

    python -m bench.peers.newsplease --setup     # create the environment (a few minutes)
    python -m bench.peers.newsplease [--pages 200]
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


def measure(pages: int = 200) -> dict:
    """{"ms_per_release": CPU ms of the peer's process per stored article (None when it
    could not run), "notes": what was run}."""
    from bench.e2e import crawler_env, replica_process, run_measured, tail, throwaway_database

    problem = setup()
    if problem:
        return {"ms_per_release": None, "notes": f"news-please not measured: {problem}"}
    from tests.replica.corpus import MAIN_PUBLISHER, Corpus

    with replica_process(pages) as base_url, throwaway_database() as database_url, \
            tempfile.NamedTemporaryFile("w", suffix=".txt") as urls:
        corpus = Corpus(releases=pages, base_url=base_url)
        ids = list(corpus.story_ids(MAIN_PUBLISHER))[:pages]
        urls.write("".join(f"{base_url}/pm/{MAIN_PUBLISHER}/{sid}\n" for sid in ids))
        urls.flush()
        result = run_measured([str(PYTHON), str(HERE / "newsplease_peer.py"), urls.name, database_url],
                              crawler_env(base_url), timeout=1800)
    try:
        summary = json.loads(result["stdout"].strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"ms_per_release": None,
                "notes": f"news-please failed (exit {result['rc']}): {tail(result['stderr'], 300)}"}
    stored = summary["stored"]
    ms = result["cpu_s"] * 1000 / stored if stored else None
    return {"ms_per_release": ms,
            "notes": f"news-please 1.6.16 (its own venv, bench/peers/) on {pages} replica story URLs: "
                     f"fetched (urllib), NewsPlease.from_html, one SELECT + INSERT + commit per article into "
                     f"PostgreSQL; stored {stored}, failed {summary['failed']}; whole process "
                     f"{result['cpu_s']:.1f} CPU s (start-up included), {result['wall']:.1f} s"}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.peers.newsplease", description=__doc__.splitlines()[0])
    ap.add_argument("--setup", action="store_true", help="only create the environment")
    ap.add_argument("--pages", type=int, default=200)
    args = ap.parse_args(argv)
    if args.setup:
        problem = setup()
        print(problem or f"ready: {PYTHON}")
        return 1 if problem else 0
    print(json.dumps(measure(args.pages)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
