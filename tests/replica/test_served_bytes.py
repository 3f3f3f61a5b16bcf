"""The replica serves the same bytes as the fixture records: a faster replica is the same oracle."""

from __future__ import annotations

import json

from tests.replica.served import FIXTURE, digests


def test_replica_serves_the_recorded_bytes_for_every_kind_of_response():
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    found = digests()
    assert list(found) == list(expected), "the sample changed: write the fixture again (tests/replica/served.py)"
    changed = [name for name in expected if found[name] != expected[name]]
    assert not changed, (
        f"the replica now serves other bytes for: {', '.join(changed)}; if that is deliberate, run "
        "`.venv/bin/python -m tests.replica.served --write` and review the fixture's diff"
    )
