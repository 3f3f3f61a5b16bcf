"""`presseportal import` against a real PostgreSQL: every format (gzip and standard input
too), the replica's releases back from their dumps field by field, bad records listed,
and a later crawl that upgrades what was imported."""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
from datetime import datetime, time
from pathlib import Path

import psycopg
import pytest

from crawler.cli import main
from tests.helpers import BIN, ROOT, crawl_env, presseportal
from tests.replica import dumps

PID = 73811


def rows(database_url: str, sql: str, *params):
    with psycopg.connect(database_url) as conn:
        return conn.execute(sql, params).fetchall()


def import_(replica, database_url, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "presseportal"), "import", *args], cwd=ROOT, input=stdin,
                          env=crawl_env(replica, database_url), capture_output=True, timeout=180)


def exported(replica, database_url) -> dict[int, dict]:
    done = presseportal(replica, "export", database_url=database_url)
    assert done.returncode == 0, done.stderr[-2000:]
    return {r["story_id"]: r for r in map(json.loads, done.stdout.splitlines())}


def truths(replica, publisher_id: int = PID) -> list[dict]:
    return list(replica.corpus.all_truth(publisher_id))


def lines_file(path: Path, records: list[str], *, gz: bool = False) -> Path:
    data = "".join(f"{r}\n" for r in records).encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


# --- every format ------------------------------------------------------------------------------


def test_every_format_is_stored_as_a_crawl_stores_it_and_a_second_import_changes_nothing(
        replica, database_url, tmp_path):
    t = truths(replica)[:25]
    lines = lines_file(tmp_path / "dump.txt", [dumps.line(x) for x in t[0:5]])
    gz = lines_file(tmp_path / "dump.txt.gz", [dumps.line(x, "month") for x in t[5:10]], gz=True)
    with (tmp_path / "export.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["Nr", "Überschrift", "Datum", "Inhalt", "Link"])
        for n, x in enumerate(t[10:15]):
            writer.writerow([n, x["title"], x["published_raw"], dumps.plain_text(x), x["url"]])
    (tmp_path / "scraper.jsonl").write_text("".join(
        json.dumps({"headline": x["title"], "text": dumps.plain_text(x), "link": x["url"],
                    "published": dumps.local(x).isoformat()}) + "\n" for x in t[15:20]), encoding="utf-8")
    (tmp_path / "answer.json").write_text(json.dumps(
        {"success": "1", "content": {"story": [dumps.api_story(x) for x in t[20:25]]}}, indent=2), encoding="utf-8")
    files = [str(tmp_path / n) for n in ("dump.txt", "dump.txt.gz", "export.csv", "scraper.jsonl", "answer.json")]
    assert lines.exists() and gz.exists()

    done = import_(replica, database_url, *files)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    assert b"records 25, new 25" in done.stderr
    stored = exported(replica, database_url)
    assert set(stored) == {x["story_id"] for x in t}
    assert {r["origin"] for r in stored.values()} == {"import"}
    precision = {sid: stored[sid]["published_precision"] for sid in stored}
    assert [precision[x["story_id"]] for x in t] == ["day"] * 5 + ["month"] * 5 + ["minute"] * 15
    for x in t[5:10]:  # the month's first instant (exported in Berlin time), no made-up day or time
        first = datetime.combine(dumps.local(x).date().replace(day=1), time(), tzinfo=dumps.BERLIN)
        assert stored[x["story_id"]]["published_at"] == first.isoformat()
    for x in t[10:]:  # these carry title and the exact instant
        assert (stored[x["story_id"]]["title"], stored[x["story_id"]]["published_at"]) == (x["title"], x["published_at"])
    for x in t[20:]:  # the API also carries keywords, images, teaser and language
        got = stored[x["story_id"]]
        assert (got["keywords"], got["images"], got["teaser"], got["language"]) == (
            x["keywords"], x["images"], x["teaser"], x["language"])
    assert rows(database_url, "SELECT mode, status, new FROM crawl_runs") == [("import", "success", 25)]

    again = import_(replica, database_url, *files)
    assert again.returncode == 0 and b"new 0, changed 0, unchanged 25" in again.stderr
    assert rows(database_url, "SELECT count(*) FROM release_revisions") == [(0,)]


def test_standard_input(replica, database_url):
    # gzipped standard input: tests/imports/test_formats.py
    t = truths(replica)[:3]
    done = import_(replica, database_url, "-", stdin="".join(dumps.line(x) + "\n" for x in t).encode())
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert {r[0] for r in rows(database_url, "SELECT story_id FROM releases")} == {x["story_id"] for x in t}
    assert rows(database_url, "SELECT url FROM crawl_errors") == []


# --- the replica's truth back from a flattened dump -------------------------------------------


def test_a_flattened_dump_of_the_replica_comes_back_field_by_field(replica, database_url, tmp_path):
    t = truths(replica)
    path = lines_file(tmp_path / "dump.txt.gz", [dumps.line(x, "day") for x in t], gz=True)
    done = import_(replica, database_url, str(path))
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    stored = exported(replica, database_url)
    assert set(stored) == {x["story_id"] for x in t}, "ids from the Originalmeldung line"
    wrong = []
    for x in t:
        got = stored[x["story_id"]]
        for name in ("story_id", "publisher_id", "url", "dateline", "about", "originator"):
            if got[name] != x[name]:
                wrong.append(f"{x['story_id']} {name}: {got[name]!r} != {x[name]!r}")
        # a subheading glued to the next paragraph has no full stop to show where it ends
        if "long" not in replica.corpus.kinds(x["story_id"]) and got["body"] != x["body"]:
            wrong.append(f"{x['story_id']} body: {got['body']!r} != {x['body']!r}")
        if (got["published_precision"], got["published_at"]) != ("day", day_start(x)):
            wrong.append(f"{x['story_id']} published: {got['published_at']} ({got['published_precision']})")
        if got["title"] or got["teaser"] or got["keywords"] or got["images"]:
            wrong.append(f"{x['story_id']}: fields the line does not carry were invented")
    assert not wrong, "\n".join(wrong[:20])


def test_the_glued_contact_lines_of_a_flattened_dump_come_back(replica, database_url, tmp_path):
    t = truths(replica)[:10]
    assert import_(replica, database_url, str(lines_file(tmp_path / "d.txt", [dumps.line(x) for x in t]))).returncode == 0
    stored = exported(replica, database_url)
    assert [stored[x["story_id"]]["contact"] for x in t] == [x["contact"] for x in t]


def day_start(truth: dict) -> str:
    """The first instant of the release's Berlin day, as exported (in Berlin time: its
    date part is the day)."""
    day = dumps.local(truth).date()
    return datetime.combine(day, time(), tzinfo=dumps.BERLIN).isoformat()


# --- a later crawl -----------------------------------------------------------------------------


def test_a_later_crawl_upgrades_imported_releases_without_a_spurious_revision(replica_factory, database_url, tmp_path):
    replica = replica_factory(releases=40, seed=7)
    t = truths(replica)
    path = tmp_path / "archive.jsonl"
    path.write_text("".join(json.dumps({"text": dumps.plain_text(x), "url": x["url"],
                                        "date": f"{dumps.local(x):%Y-%m}"}) + "\n" for x in t), encoding="utf-8")
    assert import_(replica, database_url, str(path)).returncode == 0
    imported_at = dict(rows(database_url, "SELECT story_id, changed_at FROM releases"))
    assert {r[0] for r in rows(database_url, "SELECT published_precision FROM releases")} == {"month"}

    cron = presseportal(replica, "crawl", database_url=database_url)
    assert cron.returncode == 0, cron.stderr[-3000:]
    assert not [e for e in replica.log if e.path.startswith("/pm/")], "cron counts imported releases as stored"

    done = presseportal(replica, "backfill", database_url=database_url)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "new 0, changed 0" in done.stderr
    assert rows(database_url, "SELECT count(*) FROM release_revisions") == [(0,)], "an upgrade is no revision"
    assert dict(rows(database_url, "SELECT story_id, changed_at FROM releases")) == imported_at
    stored = exported(replica, database_url)
    for x in t:
        got = stored[x["story_id"]]
        assert {k: got[k] for k in x} == x, f"story {x['story_id']} differs from its page after the crawl"
        assert (got["published_precision"], got["origin"]) == ("minute", "page")


def test_a_release_imported_without_its_url_gets_its_id_from_the_crawl(replica_factory, database_url, tmp_path):
    replica = replica_factory(releases=40, seed=7)
    x = truths(replica)[3]
    path = tmp_path / "no-url.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["title", "date", "text"])
        writer.writerow([x["title"], f"{dumps.local(x):%Y-%m-%d}", dumps.plain_text(x)])
    done = import_(replica, database_url, "--publisher", str(PID), str(path))
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    ((derived, flagged),) = rows(database_url, "SELECT story_id, story_id_derived FROM releases")
    assert derived < 0 and flagged

    assert presseportal(replica, "backfill", database_url=database_url).returncode == 0
    assert rows(database_url, "SELECT count(*) FROM releases WHERE story_id_derived") == [(0,)]
    assert rows(database_url, "SELECT origin FROM releases WHERE story_id = %s", x["story_id"]) == [("page",)]
    again = import_(replica, database_url, "--publisher", str(PID), str(path))
    assert again.returncode == 0 and b"new 0" in again.stderr, "the import knows its release by now"


def test_html_entities_of_a_dump_are_decoded_and_the_release_is_found_by_its_words(replica, database_url, tmp_path):
    path = tmp_path / "dump.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["title", "body", "url"])
        writer.writerow(["Entities &amp; Co: M&uuml;ller &quot;zitiert&quot;",
                         "Hamburg (ots) - M&uuml;ller &amp; S&ouml;hne sagen &bdquo;Hallo&ldquo; &ndash; "
                         "und sonst nichts.", "https://www.presseportal.de/pm/12345/6789012"])
    done = import_(replica, database_url, str(path))
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    release = exported(replica, database_url)[6789012]
    assert release["title"] == 'Entities & Co: Müller "zitiert"'
    assert release["body"] == "Müller & Söhne sagen „Hallo“ – und sonst nichts."
    found = presseportal(replica, "search", "Söhne", database_url=database_url)
    assert found.returncode == 0 and "6789012" in found.stdout, found.stdout + found.stderr


# --- bad input ---------------------------------------------------------------------------------


def test_bad_records_are_listed_with_file_and_line_and_the_import_goes_on(replica, database_url, tmp_path):
    t = truths(replica)[:3]
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"".join([
        dumps.line(t[0]).encode() + b"\n",
        b"date 2021-01 \n",  # no text
        "Für den Vertrieb (ots) - ohne Adresse.".encode("cp1252") + b"\n",  # not UTF-8
        b"date 2021-13 " + dumps.flattened(t[1]).encode() + b"\n",  # no such month
        dumps.line(t[2]).encode() + b"\n",
    ]))
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "ok", "url": "%s"}\n{"text": \n' % t[1]["url"], encoding="utf-8")
    done = import_(replica, database_url, str(path), str(broken))
    assert done.returncode == 1, done.stderr.decode()[-2000:]
    errors = rows(database_url, "SELECT url, stage, reason FROM crawl_errors ORDER BY url")
    assert [e[0] for e in errors] == [f"{broken}:2", f"{path}:2", f"{path}:3", f"{path}:4"]
    assert "broken JSON" in errors[0][2] and "no text" in errors[1][2]
    assert "not utf-8" in errors[2][2] and "2021-13" in errors[3][2]
    stored = {r[0] for r in rows(database_url, "SELECT story_id FROM releases")}
    assert stored == {t[0]["story_id"], t[1]["story_id"], t[2]["story_id"]}
    assert rows(database_url, "SELECT mode, status, errors FROM crawl_runs") == [("import", "errors", 4)]
    (line,) = [line for line in done.stderr.decode().splitlines() if line.startswith("import run")]
    assert "errors 4 (first: " in line and f"{path}:2: " in line, "the first bad record, with file:line and why"
    run = line.split()[2].rstrip(":")
    assert line.endswith(f"all: presseportal status --errors {run})"), line
    # the dropped record is logged in one line naming file:line and why, never the record
    (dropped,) = [line for line in done.stderr.decode().splitlines() if "Dropped" in line]
    assert errors[3][2].startswith("unparseable published date: ")
    assert dropped.endswith(f"Dropped {path}:4: {errors[3][2]}"), dropped
    assert "RawRelease(" not in done.stderr.decode()
    listed = presseportal(replica, "status", "--errors", run, database_url=database_url)
    assert listed.returncode == 0 and f"{broken}:2" in listed.stdout and f"{path}:4" in listed.stdout, listed
    # an import's failures are its bad records, each named by file:line (a crawl's: failed pages, by URL)
    heading, columns = listed.stdout.splitlines()[:2]
    assert heading == f"Bad records of import run #{run}: 4"
    assert columns.split() == ["stage", "record", "reason"]
    as_json = json.loads(presseportal(replica, "status", "--errors", run, "--json", database_url=database_url).stdout)
    assert as_json["mode"] == "import" and len(as_json["errors"]) == 4


@pytest.mark.parametrize(("args", "message"), [
    (["nowhere.txt"], "no such file"),
    (["."], "not a file"),  # seen: a folder was called "no such file"
    (["--map", "text", "x.txt"], "--map"),
    (["--format", "xml", "x.txt"], "invalid choice"),
    (["--publisher", "abc", "x.txt"], "publisher"),
    (["--publisher", "1,2", "x.txt"], "one id"),
    (["--office", "1,2", "x.txt"], "--office takes one id"),
    (["--office", "x", "x.txt"], "office"),
    (["--office", " ", "x.txt"], "--office needs at least one id"),
    (["--publisher", "1", "--office", "2", "x.txt"], "not allowed with argument"),
    (["--encoding", "klingon", "x.txt"], "klingon"),
    (["-", "x.txt", "-"], "once"),
    # a --map column the file lacks: the command line is wrong, not a record
    (["--map", "text=Nope", "dump.csv"], "dump.csv: --map text=Nope: no column 'Nope' (columns: title, body)"),
    (["--map", "text=Nope", "dump.jsonl"], "dump.jsonl: --map text=Nope: no column 'Nope' (columns: title, body)"),
    (["--map", "text=Nope", "--format", "csv", "dump.csv.gz"], "no column 'Nope'"),
    (["--map", "text=body", "--format", "lines", "x.txt"], "--format lines has none"),
    (["--encoding", "utf-16", "x.txt"], "keep ASCII"),  # lines are split as bytes
    (["--encoding", "base64", "x.txt"], "not a text encoding"),
])
def test_exit_2_on_usage_errors(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.txt").write_text("Text.\n", encoding="utf-8")
    (tmp_path / "dump.csv").write_text("title,body\nT,Text.\n", encoding="utf-8")
    (tmp_path / "dump.csv.gz").write_bytes(gzip.compress(b"title;body\nT;Text.\n"))
    (tmp_path / "dump.jsonl").write_text('{"title": "T", "body": "Text."}\n', encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["import", *args])  # refused before the database or a file is read
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err.strip().splitlines()[-1], "one line saying what is wrong, after the usage"


def test_an_import_runs_beside_a_crawl_of_the_same_newsroom(replica, database_url, tmp_path):
    from crawler import db

    with db.connect(database_url) as dead:  # an import whose process died
        dead_import = db.start_run(dead, "import", [PID])
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    rows(database_url, "UPDATE crawl_runs SET pid = %s WHERE id = %s RETURNING id", int(gone.stdout), dead_import)
    with db.connect(database_url) as crawl_session:  # a live crawl of 73811 holds its lock
        assert db.acquire_publisher_lock(crawl_session, [PID])
        live_crawl = db.start_run(crawl_session, "backfill", [PID])
        path = lines_file(tmp_path / "d.txt", [dumps.line(x) for x in truths(replica)[:2]])
        done = import_(replica, database_url, "--publisher", str(PID), str(path))
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    status = dict(rows(database_url, "SELECT id, status FROM crawl_runs WHERE id IN (%s, %s)", dead_import, live_crawl))
    assert status == {dead_import: "abandoned", live_crawl: "running"}, "only the dead import is given up"


def test_help(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["import", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "--map" in out and "standard input" in out



def test_an_english_release_keeps_its_language_from_the_dump(replica, database_url, tmp_path):
    path = tmp_path / "en.jsonl"
    path.write_text(json.dumps({
        "url": "https://www.presseportal.de/pm/12345/6789012", "language": "en-US", "title": "Launch",
        "text": "Hamburg (ots/PRNewswire) - The company launched a product.\n\nPress contact:\n\nErika Musterfrau",
    }) + "\n", encoding="utf-8")
    done = import_(replica, database_url, str(path))
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    release = exported(replica, database_url)[6789012]
    assert release["language"] == "en", "as the dump says, not the default German"
    assert release["body"] == "The company launched a product." and release["contact"] == "Erika Musterfrau"


def test_a_police_dump_without_story_urls_is_imported_under_the_office_given(replica, database_url, tmp_path):
    path = tmp_path / "polizei.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Titel", "Datum", "Text"])
        writer.writerow(["POL-MS: 231107 - 1024 Beispielort-Süd: Kiosk aufgebrochen", "07.11.2023, 10:24 Uhr",
                         "Beispielort (ots) - Ein Kiosk wurde aufgebrochen.\n\nRückfragen bitte an:\n\n"
                         "Polizeipräsidium Musterstadt\nPressestelle"])
    done = import_(replica, database_url, "--office", "99001", str(path))
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    office = presseportal(replica, "export", "--office", "99001", database_url=database_url)
    (release,) = map(json.loads, office.stdout.splitlines())
    assert (release["newsroom_kind"], release["office_code"], release["story_id_derived"]) == ("office", "POL-MS", True)
    assert release["contact"] == "Polizeipräsidium Musterstadt\nPressestelle"
