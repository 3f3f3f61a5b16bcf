"""The replica's served bytes, as sha256 digests of a sample of responses.

The replica is the tests' oracle: a change that only makes it faster must not change
one byte it serves. This module asks a replica for a sample of every kind of response
(story pages of every variety, newsroom pages, windows, feeds, robots.txt, 404s, 304s
and each fault knob) over a raw socket and digests each whole response, status line,
headers and body; `tests/fixtures/replica/served.json` keeps the digests and
`test_served_bytes.py` compares. After a deliberate change of what the replica serves,
write the fixture again and review its diff:

    .venv/bin/python -m tests.replica.served --write

Two headers differ by run and version and are left out: `Date` and `Server`. The
pages are rendered for the fixed base URL `BASE`, so no digest depends on the port.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import socket
import sys
from pathlib import Path

from .corpus import DERIVED_KINDS, MARKUP_PUBLISHER, MARKUP_SLOT_KINDS, OFFICE_SLOT_KINDS, SLOT_KINDS
from .server import Replica

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "replica" / "served.json"
BASE = "http://127.0.0.1:8000"
RELEASES, SEED = 300, 1
VARYING = (b"date:", b"server:")


def raw_get(port: int, path: str, headers: dict[str, str] | None = None) -> bytes:
    """Every byte the server sends for one GET (Connection: close), Date and Server
    header lines left out."""
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n{extra}\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode("latin-1"))
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:  # the drop and truncate knobs hang up
                break
            if not chunk:
                break
            chunks.append(chunk)
    data = b"".join(chunks)
    head, sep, body = data.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(VARYING)]
    return b"\r\n".join(lines) + sep + body


def sample(r: Replica) -> list[tuple[str, str, dict[str, str]]]:
    """(name, path, request headers) of the sampled responses, in the order asked."""
    c = r.corpus
    out: list[tuple[str, str, dict[str, str]]] = [("robots", "/robots.txt", {})]

    def story(name: str, sid: int) -> None:
        e = c.entry(sid)
        out.append((name, e.newsroom.story_path(sid), {}))

    main_kinds = sorted(set(SLOT_KINDS.values()) | DERIVED_KINDS)
    for kind in main_kinds:
        if c.cases(kind):
            story(f"story 73811 {kind}", c.cases(kind)[0])
    for kind in sorted(MARKUP_SLOT_KINDS.values()):
        story(f"story {MARKUP_PUBLISHER} {kind}", c.cases(kind, MARKUP_PUBLISHER)[0])
    for kind in sorted(OFFICE_SLOT_KINDS.values()):
        story(f"story office 99001 {kind}", c.cases(kind, office_id=99001)[0])
    for pid in (97012, 118420):
        story(f"story {pid} newest", c.story_ids(pid)[0])
    for oid in (99002, 97012):
        story(f"story office {oid} newest", c.story_ids(office_id=oid)[0])
    sid = c.story_ids()[7]
    out.append(("story with slug", f"/pm/73811/{sid}/any-slug", {}))
    out += [
        ("listing 73811", "/nr/73811", {}),
        ("listing 73811 odd page", "/nr/73811/30", {}),
        ("listing 73811 last page", "/nr/73811/270", {}),
        ("listing 97012", "/nr/97012", {}),
        ("listing 118420", "/nr/118420", {}),
        ("listing 120501", "/nr/120501/30", {}),
        ("listing office 99001", "/blaulicht/nr/99001", {}),
        ("listing office 99002 second", "/blaulicht/nr/99002/30", {}),
        ("listing window", "/nr/73811?startDate=2018-01-01&endDate=2020-12-31", {}),
        ("listing window second", "/nr/73811/30?startDate=2018-01-01", {}),
        ("feed 73811", "/rss/pm_73811.rss2", {}),
        ("feed 120501", "/rss/pm_120501.rss2", {}),
        ("feed office 99001", "/rss/dienststelle_99001.rss2", {}),
        ("feed site", "/rss/presseportal.rss2", {}),
        ("404 offset past the end", "/nr/73811/300", {}),
        ("404 unknown newsroom", "/nr/99999", {}),
        ("404 story of another publisher", f"/pm/97012/{sid}", {}),
        ("404 publisher story under blaulicht", f"/blaulicht/pm/73811/{sid}", {}),
        ("404 other path", "/suche/?q=x", {}),
    ]
    return out


# (name, fault pattern, kind, opts, path): one request each, the fault firing once
FAULTED: list[tuple[str, str, str, dict, str]] = [
    ("fault 429", "^/nr/97012$", "429", {"retry_after": 7}, "/nr/97012"),
    ("fault 500", "^/robots", "500", {}, "/robots.txt"),
    ("fault 503", "^/nr/118420$", "503", {"retry_after": 3}, "/nr/118420"),
    ("fault slow", "^/nr/73811/60$", "slow", {"delay": 0.01}, "/nr/73811/60"),
    ("fault drop", "^/nr/73811/90$", "drop", {}, "/nr/73811/90"),
    ("fault truncate", "^/nr/73811/120$", "truncate", {}, "/nr/73811/120"),
    ("fault truncate undeclared", "^/nr/73811/150$", "truncate", {"declared_length": False, "keep": 0.3},
     "/nr/73811/150"),
    ("fault bad_date listing", "^/nr/73811/180$", "bad_date", {}, "/nr/73811/180"),
    ("fault duplicate_card", "^/nr/73811/210$", "duplicate_card", {}, "/nr/73811/210"),
    ("fault redirect", "^/nr/73811/240$", "redirect", {"to": "/pm/97012/1"}, "/nr/73811/240"),
    ("fault foreign_next", "^/nr/97012/30$", "foreign_next", {"host": "localhost:8000"}, "/nr/97012/30"),
    ("fault missing_cards", "^/blaulicht/nr/99001/30$", "missing_cards", {"keep": 2}, "/blaulicht/nr/99001/30"),
]
# story faults: on the newest stories of 73811 (path filled in by `faulted`)
STORY_FAULTS: list[tuple[str, str, dict]] = [
    ("fault truncate after", "truncate", {"after": "</article>"}),
    ("fault bad_date story", "bad_date", {}),
    ("fault no_h1", "no_h1", {}),
    ("fault foreign_canonical", "foreign_canonical", {}),
    ("fault broken_link", "broken_link", {}),
]


def digests() -> dict[str, str]:
    """name -> sha256 of the whole response, for the sample of a fresh replica."""
    out: dict[str, str] = {}
    with Replica(releases=RELEASES, seed=SEED) as r:
        r.corpus.base_url = BASE  # rendered as if served at BASE: digests do not depend on the port

        def get(name: str, path: str, headers: dict[str, str] | None = None) -> bytes:
            data = raw_get(r.port, path, headers)
            out[name] = hashlib.sha256(data).hexdigest()
            return data

        for name, path, headers in sample(r):
            get(name, path, headers)
        # conditional requests (a newsroom's ETag and Last-Modified, taken from its page)
        head = get("listing 73811 again", "/nr/73811").partition(b"\r\n\r\n")[0].decode("latin-1")
        fields = dict(line.split(": ", 1) for line in head.split("\r\n")[1:])
        get("304 if-none-match", "/nr/73811", {"If-None-Match": fields["ETag"]})
        get("304 if-modified-since", "/nr/73811", {"If-Modified-Since": fields["Last-Modified"]})
        get("200 stale if-none-match", "/nr/73811", {"If-None-Match": '"other"'})
        for name, pattern, kind, opts, path in FAULTED:
            r.faults.add(pattern, kind, times=1, **opts)
            get(name, path)
        for i, (name, kind, opts) in enumerate(STORY_FAULTS):
            sid = r.corpus.story_ids()[10 + i]
            r.faults.add(f"^/pm/73811/{sid}$", kind, times=1, **opts)
            get(name, f"/pm/73811/{sid}")
        # a revised story (its body grows; a story page has no ETag, so the edit's time is not in it)
        sid = r.corpus.story_ids()[20]
        r.edit(sid)
        get("story edited", f"/pm/73811/{sid}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.replica.served", description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help=f"write the digests to {FIXTURE}")
    args = ap.parse_args(argv)
    found = digests()
    if args.write:
        FIXTURE.parent.mkdir(parents=True, exist_ok=True)
        FIXTURE.write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{len(found)} digests written to {FIXTURE}")
    else:
        print(json.dumps(found, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
