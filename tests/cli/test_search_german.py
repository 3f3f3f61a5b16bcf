"""German search as users type it: parts of compounds, ae/oe/ue/ss for umlauts and ß,
German full-text matches ranked first (migration 003_german_search.sql)."""

from __future__ import annotations

import psycopg
import pytest

from crawler.db import reads

RELEASES = [
    (1, "Stadtmarketing in Köln", "Das Stadtmarketing lädt zum Forum ein."),
    (2, "Fachkräfte gesucht", "Viele Fachkräfte fehlen an der Hauptstraße."),
    (3, "Marketing heute", "Marketing für Kommunen ist mehr als Werbung."),
    (4, "Müllabfuhr neu geregelt", "Die Gebühren für Müll steigen."),
]


@pytest.fixture
def store(database_url):
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO publishers (id, name) VALUES (1, 'Stadt')")
        for sid, title, body in RELEASES:
            conn.execute("INSERT INTO releases (story_id, publisher_id, url, title, body, published_at, "
                         "content_hash) VALUES (%s, 1, %s, %s, %s, now(), 'x')", (sid, f"/pm/1/{sid}", title, body))
        yield conn


def found(conn, text):
    return [row["story_id"] for row in reads.search(conn, text, 10)]


@pytest.mark.parametrize("query, expected", [
    ("Marketing", [3, 1]),            # the word first (full text), then the compound
    ("Fachkraefte", [2]),             # ae for ä
    ("Hauptstrasse", [2]),            # ss for ß
    ("Muell", [4]),                   # ue for ü, and a part of "Müllabfuhr"
    ("koeln", [1]),
    ("Marketing -Stadtmarketing", [3]),
    ("Koeln OR Fachkraefte", [2, 1]),
    ('"Marketing für Kommunen"', [3]),
])
def test_german_search(store, query, expected):
    assert sorted(found(store, query)) == sorted(expected), query
    if query == "Marketing":
        assert found(store, query) == expected, "full-text matches rank before compound matches"


def test_snippets_are_one_line(store):
    for row in reads.search(store, "Marketing", 10):
        assert "\n" not in row["snippet"] and row["snippet"] == row["snippet"].strip()
