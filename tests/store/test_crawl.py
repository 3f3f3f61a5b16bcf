"""StorePipeline inside a whole Scrapy crawl (engine, asyncio reactor), in a subprocess."""

from __future__ import annotations

import dataclasses
import json
import pickle
import subprocess
import sys
from pathlib import Path

import psycopg

from crawler.db.embedded import free_port

from .support import releases

ROOT = Path(__file__).resolve().parents[2]


def crawl(tmp_path, items, database_url, *settings) -> tuple[dict, str]:
    path = tmp_path / f"items-{len(list(tmp_path.iterdir()))}.pickle"
    path.write_bytes(pickle.dumps(items))
    proc = subprocess.run(
        [sys.executable, "-m", "tests.store.crawl_list", str(path), database_url, *settings],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


def test_whole_crawl_twice_then_an_edit(tmp_path, database_url):
    items = releases(175)
    stats, _ = crawl(tmp_path, items, database_url)
    assert stats["finish_reason"] == "finished"
    assert stats["item_scraped_count"] == 175 and stats["store/new"] == 175

    stats, _ = crawl(tmp_path, items, database_url)
    assert stats["store/unchanged"] == 175 and stats.get("store/new", 0) == 0

    items[3] = dataclasses.replace(items[3], teaser="Eine korrigierte Zusammenfassung.")
    stats, _ = crawl(tmp_path, items, database_url)
    assert (stats.get("store/changed"), stats.get("store/unchanged")) == (1, 174)
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM releases").fetchone()[0] == 175
        assert conn.execute("SELECT story_id FROM release_revisions").fetchall() == [(items[3].story_id,)]


def test_unreachable_database_stops_the_crawl_before_it_starts(tmp_path):
    url = f"postgresql://crawler:Secret-Pw-987@127.0.0.1:{free_port()}/presseportal"
    stats, log = crawl(tmp_path, releases(5), url)
    assert stats["finish_reason"] == "database_unavailable"
    assert "test/start_called" not in stats, "the spider's start() must not run"
    assert stats.get("item_scraped_count", 0) == 0
    assert "Secret-Pw-987" not in log and "Secret-Pw-987" not in json.dumps(stats)
    assert "database unavailable" in log
