"""Looking into the store: status (text and JSON), failed pages, export windows and files,
search help and one-line snippets."""

from __future__ import annotations

import json
import re

import psycopg

from tests.helpers import presseportal

PID = 73811


def crawled(replica, database_url, *args):
    done = presseportal(replica, "crawl", *args, database_url=database_url)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return done


def test_status_json_has_runs_with_durations_publishers_and_coverage(replica, database_url):
    crawled(replica, database_url)
    done = presseportal(replica, "status", "--json", database_url=database_url)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    run = doc["runs"][0]
    assert run["mode"] == "incremental" and run["status"] == "success" and not run["running"]
    assert run["duration_seconds"] > 0 and run["new"] == len(replica.corpus.story_ids(publisher_id=PID))
    assert doc["publishers"][0]["publisher_id"] == PID
    assert doc["publishers"][0]["releases"] == run["new"]
    assert doc["coverage"]["run"] == run["id"] and doc["coverage"]["fields"]["title"] == 1.0
    assert doc["newest_release"]["url"].startswith(replica.base_url)


def test_status_shows_the_coverage_of_the_latest_run_that_stored_releases(replica, database_url):
    # seen: after a run with nothing new (one 304) the coverage section was gone, "coverage": null
    crawled(replica, database_url)
    crawled(replica, database_url)
    doc = json.loads(presseportal(replica, "status", "--json", database_url=database_url).stdout)
    first, nothing_new = doc["runs"][1], doc["runs"][0]
    assert (nothing_new["new"], nothing_new["changed"], nothing_new["unchanged"], nothing_new["status"]) == (
        0, 0, 0, "success"), nothing_new
    assert doc["coverage"]["run"] == first["id"] and doc["coverage"]["releases"] == first["new"] > 0
    assert doc["coverage"]["fields"]["title"] == 1.0
    text = presseportal(replica, "status", database_url=database_url).stdout
    assert (f"Field coverage of run #{first['id']} (incremental), the latest that extracted releases from pages "
            f"({first['new']} releases; imports are not counted)") in text


def test_status_rows_show_durations_and_stay_aligned_whatever_the_status(replica, database_url):
    crawled(replica, database_url)
    victim = replica.corpus.story_ids(publisher_id=PID)[0]
    with psycopg.connect(database_url) as conn:
        conn.execute("DELETE FROM releases WHERE story_id = %s", (victim,))
        conn.execute("UPDATE crawl_runs SET status = 'a_very_long_status_word'")
    replica.faults.add(rf"^/pm/{PID}/{victim}$", "500")
    crawled(replica, database_url, "-s", f"PRESSEPORTAL_BASE_URL={replica.base_url}")
    out = presseportal(replica, "status", database_url=database_url).stdout
    block = out.split("\n\n")[0].splitlines()[1:]
    header, rows = block[0], block[1:]
    assert len(rows) == 2 and "took" in header
    for column in ("pages", "errors"):
        end = header.index(column) + len(column)
        for row in rows:
            # right-aligned numbers end where their header ends
            assert row[end - 1].isdigit() and (len(row) == end or row[end] == " "), (column, out)
    assert all(re.search(r"\d+(\.\d)?s|\dm\d\ds", row) for row in rows), out


def test_status_errors_lists_the_failed_pages_of_a_run(replica, database_url):
    victim = replica.corpus.story_ids(publisher_id=PID)[1]
    replica.faults.add(rf"^/pm/{PID}/{victim}$", "500")
    crawled(replica, database_url)
    newest = presseportal(replica, "status", "--errors", database_url=database_url)
    by_id = presseportal(replica, "status", "--errors", "1", database_url=database_url)
    assert newest.returncode == 0 and by_id.stdout == newest.stdout
    assert newest.stdout.splitlines()[0] == "Failed pages of run #1: 1"
    assert newest.stdout.splitlines()[1].split() == ["stage", "url", "reason"]
    line = next(line for line in newest.stdout.splitlines() if f"/pm/{PID}/{victim}" in line)
    assert "fetch" in line and "HTTP 500" in line
    as_json = json.loads(presseportal(replica, "status", "--errors", "1", "--json", database_url=database_url).stdout)
    assert [e["stage"] for e in as_json["errors"]] == ["fetch"] and as_json["mode"] == "incremental"
    missing = presseportal(replica, "status", "--errors", "99", database_url=database_url)
    assert missing.returncode == 2 and "there is no run #99" in missing.stderr


def test_export_takes_a_window_and_writes_a_file(replica, database_url, tmp_path):
    crawled(replica, database_url)
    everything = [json.loads(line) for line in
                  presseportal(replica, "export", database_url=database_url).stdout.splitlines()]
    days = sorted({r["published_at"][:10] for r in everything})
    since, until = days[5], days[-5]
    target = tmp_path / "window.jsonl"
    done = presseportal(replica, "export", "--since", since, "--until", until, "-o", str(target),
                        database_url=database_url)
    assert done.returncode == 0 and done.stdout == "", done.stderr
    got = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert got and len(got) < len(everything)
    # days are Berlin days: compare in Berlin
    from datetime import datetime
    from zoneinfo import ZoneInfo

    def day(r):
        return datetime.fromisoformat(r["published_at"]).astimezone(ZoneInfo("Europe/Berlin")).date().isoformat()

    assert {r["story_id"] for r in got} == {r["story_id"] for r in everything if since <= day(r) <= until}
    assert oct(target.stat().st_mode & 0o777) != oct(0o600), "the file is made as `>` would make it"


def test_export_takes_its_format_from_the_files_ending(replica, database_url, tmp_path):
    # seen: `export -o x.csv` wrote JSON lines into the .csv file without a word
    crawled(replica, database_url)
    for name, first in (("x.csv", "story_id,publisher_id,"), ("x.JSONL", '{"story_id": '), ("x.ndjson", "{")):
        done = presseportal(replica, "export", "-o", str(tmp_path / name), database_url=database_url)
        assert done.returncode == 0, done.stderr
        assert (tmp_path / name).read_text(encoding="utf-8").startswith(first), name
    # an ending export does not know is written only as --format says
    done = presseportal(replica, "export", "--format", "csv", "-o", str(tmp_path / "x.txt"), database_url=database_url)
    assert done.returncode == 0 and (tmp_path / "x.txt").read_text(encoding="utf-8").startswith("story_id,")


def test_search_help_explains_the_query_syntax(replica):
    done = presseportal(replica, "search", "--help")
    assert done.returncode == 0
    for words in ('"klare Botschaften"', "OR", "-Kommunen", "Stadtmarketing", "Fachkraefte"):
        assert words in done.stdout, words


def test_search_snippets_stay_on_one_line(replica, database_url):
    crawled(replica, database_url)
    truth = replica.corpus.truth(replica.corpus.story_ids(publisher_id=PID)[0])
    word = max(truth["body"].split(), key=len).strip(".,:;!?\"„“()")
    done = presseportal(replica, "search", word, "--limit", "5", database_url=database_url)
    assert done.returncode == 0, done.stderr
    results = [block for block in done.stdout.strip().split("\n\n") if block]
    assert results and all(len(block.splitlines()) == 3 for block in results), done.stdout
