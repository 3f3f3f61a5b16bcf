"""pytest plugin (listed in tests/conftest.py): replicas of presseportal.de on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .server import Replica


@pytest.fixture
def replica() -> Iterator[Replica]:
    """A fresh replica (120 releases of publisher 73811, seed 7) on a free port."""
    with Replica(releases=120, seed=7) as r:
        yield r


@pytest.fixture
def replica_factory() -> Iterator[Callable[..., Replica]]:
    """Start replicas with any Replica(...) kwargs; all are stopped at teardown."""
    started: list[Replica] = []

    def make(**kwargs: Any) -> Replica:
        r = Replica(**kwargs).start()
        started.append(r)
        return r

    yield make
    for r in started:
        r.stop()
