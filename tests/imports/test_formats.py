"""Reading dumps: each format, gzip and standard input, columns by name, and every bad
record reported with its file and line while the reading goes on."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path

import pytest

from crawler.imports.formats import (
    BadRecord,
    detect_format,
    parse_mapping,
    read_records,
    resolve_columns,
)
from crawler.imports.records import Record

LINE = "Hamburg (ots) - Erster Absatz.Zweiter Absatz.Originalmeldung: https://www.presseportal.de/pm/73811/4806207"


def read(path: Path, fmt: str = "auto", **kwargs) -> list[Record | BadRecord]:
    return list(read_records(str(path), fmt, **kwargs))


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


# --- lines ---------------------------------------------------------------------------------------


def test_lines_with_and_without_a_date_prefix(tmp_path):
    path = write(tmp_path, "dump.txt", f"\ufeffdate 2021-01 {LINE}\r\n\ndate 2021-01-21 Zweite.\nDritte ohne Datum.\n")
    records = read(path)
    assert [(r.location, r.date, r.text) for r in records] == [
        (f"{path}:1", "2021-01", LINE),
        (f"{path}:3", "2021-01-21", "Zweite."),
        (f"{path}:4", "", "Dritte ohne Datum."),
    ]
    assert {r.fmt for r in records} == {"lines"}


def test_a_bad_line_is_reported_and_the_next_ones_are_read(tmp_path):
    content = b"Erste.\n" + "Zweite mit Umlaut: f\u00fcr".encode("cp1252") + b"\ndate soon Dritte.\nVierte.\n"
    records = read(write(tmp_path, "dump.txt", content))
    bad = [r for r in records if isinstance(r, BadRecord)]
    assert [r.location.rsplit(":", 1)[1] for r in bad] == ["2", "3"]
    assert "not utf-8" in bad[0].reason and "0xfc" in bad[0].reason
    assert "date prefix" in bad[1].reason
    assert [r.text for r in records if isinstance(r, Record)] == ["Erste.", "Vierte."]


def test_another_encoding_on_request(tmp_path):
    path = write(tmp_path, "dump.txt", "Für alle.\n".encode("cp1252"))
    assert [r.text for r in read(path, encoding="cp1252")] == ["Für alle."]


def test_gzip_is_read_as_it_is_whatever_its_name(tmp_path):
    data = gzip.compress(f"date 2021-01 {LINE}\n".encode())
    for name in ("dump.txt.gz", "dump.bin"):
        (record,) = read(write(tmp_path, name, data))
        assert (record.date, record.text) == ("2021-01", LINE)


def test_a_truncated_gzip_keeps_what_was_read_and_says_where_it_broke(tmp_path):
    lines = "".join(f"Zeile {i}.\n" for i in range(20_000)).encode()
    data = gzip.compress(lines)
    records = read(write(tmp_path, "cut.txt.gz", data[: len(data) // 2]))
    good = [r for r in records if isinstance(r, Record)]
    assert good and good[0].text == "Zeile 0."
    assert isinstance(records[-1], BadRecord) and "cannot be read on" in records[-1].reason


def test_standard_input(monkeypatch):
    stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(gzip.compress(f"{LINE}\n".encode()))))
    monkeypatch.setattr(sys, "stdin", stdin)
    (record,) = list(read_records("-"))
    assert record.text == LINE and record.location == "<stdin>:1"


def test_a_missing_file_is_one_bad_record(tmp_path):
    (bad,) = read(tmp_path / "nowhere.txt")
    assert isinstance(bad, BadRecord) and "cannot read the file" in bad.reason


# --- csv -----------------------------------------------------------------------------------------


def test_csv_with_any_delimiter_and_quoted_line_breaks(tmp_path):
    for delimiter in (";", ",", "\t", "|"):
        header = delimiter.join(["Nr", "Titel", "Datum", "Inhalt", "Link"])
        row1 = delimiter.join(["1", "Erster Titel", "21.01.2021 10:30", '"Köln (ots) - Eins.\n\nZwei; drei, vier."',
                               "https://www.presseportal.de/pm/1/2"])
        row2 = delimiter.join(["2", "Zweiter", "2021-01", "Noch ein Text.", ""])
        path = write(tmp_path, f"dump{ord(delimiter)}.csv", f"{header}\r\n{row1}\r\n{row2}\r\n")
        first, second = read(path)
        assert (first.title, first.date, first.url) == ("Erster Titel", "21.01.2021 10:30", "https://www.presseportal.de/pm/1/2")
        assert first.text == "Köln (ots) - Eins.\n\nZwei; drei, vier."
        assert (first.location, second.location) == (f"{path}:2", f"{path}:5"), "the line each record starts on"
        assert (second.title, second.date, second.text) == ("Zweiter", "2021-01", "Noch ein Text.")


def test_csv_columns_by_map(tmp_path):
    path = write(tmp_path, "export.csv", "Hauptartikel,Adresse,Ueberschrift\nDer Text.,https://www.presseportal.de/pm/1/2,T\n")
    (record,) = read(path, mapping=parse_mapping("text=Hauptartikel,url=Adresse"))
    assert (record.text, record.url, record.title) == ("Der Text.", "https://www.presseportal.de/pm/1/2", "T")


def test_csv_without_a_text_column_says_how_to_name_it(tmp_path):
    (bad,) = read(write(tmp_path, "export.csv", "A,B\n1,2\n"))
    assert bad.location.endswith(":1") and "--map text=COLUMN" in bad.reason
    (bad,) = read(write(tmp_path, "export2.csv", "text,B\n1,2\n"), mapping={"url": "Link"})
    assert "no column 'Link'" in bad.reason


def test_a_csv_row_not_in_the_encoding_is_bad_and_the_others_are_read(tmp_path):
    content = b"text\nEins.\n" + "Zw\u00f6i.".encode("cp1252") + b"\nDrei.\n"
    records = read(write(tmp_path, "d.csv", content))
    assert [type(r).__name__ for r in records] == ["Record", "BadRecord", "Record"]
    assert records[1].location.endswith(":3")


# --- jsonl ---------------------------------------------------------------------------------------


def test_jsonl_keys_by_name_and_broken_lines(tmp_path):
    lines = [
        json.dumps({"headline": "T", "body": "Text.", "link": "https://www.presseportal.de/pm/1/2", "published": "2021-01-21"}),
        "{broken",
        json.dumps(["not", "an", "object"]),
        json.dumps({"content": "Zweiter.", "storyId": 5, "publisher_id": 7}),
    ]
    records = read(write(tmp_path, "d.jsonl", "\n".join(lines) + "\n"))
    first, broken, listed, second = records
    assert (first.title, first.text, first.url, first.date, first.fmt) == (
        "T", "Text.", "https://www.presseportal.de/pm/1/2", "2021-01-21", "jsonl")
    assert isinstance(broken, BadRecord) and broken.location.endswith(":2") and "broken JSON" in broken.reason
    assert isinstance(listed, BadRecord) and "not a JSON object" in listed.reason
    assert (second.text, second.story_id, second.publisher_id) == ("Zweiter.", "5", "7")


def test_a_release_s_language_is_read_from_its_column(tmp_path):
    # an English release must not be stored as German, the default for a text that says nothing
    lines = [json.dumps({"text": "Press release.", "lang": "en-GB"}), json.dumps({"text": "Meldung."})]
    english, german = read(write(tmp_path, "d.jsonl", "\n".join(lines) + "\n"))
    assert (english.language, german.language) == ("en-GB", "")
    mapped, = read(write(tmp_path, "m.csv", "Inhalt;Sprachcode\nText.;en\n"), "csv", mapping={"language": "Sprachcode"})
    assert mapped.language == "en"


# --- api -----------------------------------------------------------------------------------------

STORY = {
    "id": "4640344", "url": "https://www.presseportal.de/pm/73811/4640344", "title": "Titel",
    "body": "Hamburg (ots) - Text.\n\nPressekontakt:\nMax\nTel. 1", "teaser": "Text.",
    "published": "2020-07-02T04:30:00+0200", "language": "de", "ressort": "Medien",
    "company": {"id": "73811", "url": "https://www.presseportal.de/nr/73811", "name": "Public Marketing"},
    "keywords": {"keyword": ["Medien", "Marketing"]},
    "media": {"image": [{"url": "https://cache.pressmailing.net/a.jpg", "caption": "Bild", "size": "1"}]},
    "short": "https://ots.de/abc",
}
POLICE = {"id": "5", "url": "https://www.presseportal.de/blaulicht/pm/99001/5", "title": "POL-XY: Kiosk",
          "body": "Musterstadt (ots) - Kiosk.", "published": "2023-11-07T10:24:00+0100",
          "office": {"id": "99001", "name": "Polizei Musterstadt"}, "keywords": "", "media": ""}


def answer(*stories) -> dict:
    return {"success": "1", "content": {"story": list(stories)}}


def test_an_api_answer_per_file(tmp_path):
    path = write(tmp_path, "answer.json", json.dumps(answer(STORY, POLICE), indent=2, ensure_ascii=False))
    company, office = read(path)
    assert company.location == f"{path}:1 story 1" and company.fmt == "api"
    assert (company.story_id, company.publisher_id, company.publisher) == ("4640344", "73811", "Public Marketing")
    assert (company.title, company.date, company.teaser) == ("Titel", "2020-07-02T04:30:00+0200", "Text.")
    assert company.keywords == ["Medien", "Marketing"]
    assert company.images == [{"url": "https://cache.pressmailing.net/a.jpg", "caption": "Bild"}]
    assert (office.publisher_id, office.publisher, office.keywords, office.images) == (
        "99001", "Polizei Musterstadt", [], [])


def test_api_answers_one_per_line_with_a_broken_and_a_failed_one(tmp_path):
    lines = [json.dumps(answer(STORY)), '{"content": {"story": [', json.dumps({"success": "0", "error": "bad key"}),
             json.dumps(answer(POLICE))]
    records = read(write(tmp_path, "answers.jsonl", "\n".join(lines)))
    assert [type(r).__name__ for r in records] == ["Record", "BadRecord", "BadRecord", "Record"]
    assert records[1].location.endswith(":2") and "broken JSON" in records[1].reason
    assert "bad key" in records[2].reason
    assert records[3].location.endswith(":4 story 1")


# --- choosing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "head", "fmt"), [
    ("dump.txt", "date 2021-01 Hamburg (ots) - Text, mit Komma.", "lines"),
    ("dump.txt", "Hamburg (ots) - Text, mit Komma.", "lines"),
    ("dump.csv.gz", "anything", "csv"),
    ("export", "id;Titel;Inhalt;Link", "csv"),
    ("export", "Nr\tText", "csv"),
    ("d.jsonl", '{"text": "T"}', "jsonl"),
    ("d.json", '{"success": "1", "content": {"story": []}}', "api"),
    ("d.json", "{\n  \"success\": \"1\",", "api"),
    ("d.jsonl", '{"content": "a text, not an answer"}', "jsonl"),
])
def test_auto_detection(name, head, fmt):
    assert detect_format(name, head.encode()) == fmt


def test_a_first_line_longer_than_the_peek_is_told_apart():
    long_text = "x" * 100
    assert detect_format("d", f'{{"text": "{long_text}'.encode()) == "jsonl"
    assert detect_format("d", f'{{"success": "1", "content": {{"story": [{{"body": "{long_text}'.encode()) == "api"


def test_a_mapped_text_column_makes_a_csv_recognisable():
    assert detect_format("export", b"Beitrag,Link") == "lines"
    assert detect_format("export", b"Beitrag,Link", {"text": "Beitrag"}) == "csv"


def test_mapping_and_column_names():
    assert parse_mapping("text=Hauptartikel, url=Link") == {"text": "Hauptartikel", "url": "Link"}
    for wrong in ("text", "body=Inhalt", "text="):
        with pytest.raises(ValueError, match="--map"):
            parse_mapping(wrong)
    columns = resolve_columns(["ID", "Published At", "Full_Text", "Source-URL", "Überschrift"], {})
    assert columns == {"text": "Full_Text", "url": "Source-URL", "title": "Überschrift", "date": "Published At"}
    assert "story_id" not in resolve_columns(["id", "text"], {}), "a row number is no story id"
