"""Fault knobs and the request log of the replica.

A fault matches a request by a regex on the path (query included) and/or by a
``rate``: a fraction of paths chosen deterministically from (seed, kind, path), so
the same run faults the same paths every time. ``times`` caps how often a fault
fires in total, ``per_path`` how often per path (``per_path=1`` makes a transient
fault that a retry gets past). Faults are checked in the order they were added;
the first applicable one fires.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

# kind -> the page kinds it applies to (None: every response)
KINDS: dict[str, set[str] | None] = {
    "429": None,  # opts: retry_after (seconds, default 1)
    "500": None,
    "503": None,  # opts: retry_after (optional)
    "slow": None,  # opts: delay (seconds, default 3.0); then the normal response
    "drop": None,  # connection closed without a response
    # opts: keep (fraction of the body, default 0.5), declared_length (default True),
    # after (cut right after the first occurrence of this text, e.g. "</article>": the end
    # of the story card; wins over keep)
    "truncate": None,
    "bad_date": {"story", "listing"},  # malformed p.date / JSON-LD date / card dates
    "no_h1": {"story"},
    "duplicate_card": {"listing"},  # the first card of the next page repeats at the end of this one
    # opts: to (the Location: a path on the replica or an absolute URL), status (default 302)
    "redirect": None,
    # canonical, og:url, twitter:url and JSON-LD @id name another story; opts: story
    # ("{pid}/{sid}", default the newest story of the next publisher)
    "foreign_canonical": {"story"},
    # the next-page links point at another host; opts: host (default "localhost:{port}",
    # the same server under another name)
    "foreign_next": {"listing"},
    # only the first `keep` cards are served (default 0), the next-page links stay
    "missing_cards": {"listing"},
    # a body link whose href breaks URL parsers; opts: href (default "http://[broken/x")
    "broken_link": {"story"},
}


@dataclass
class Fault:
    kind: str
    pattern: re.Pattern[str] | None = None
    rate: float | None = None
    times: int | None = None
    per_path: int | None = None
    opts: dict[str, Any] = field(default_factory=dict)
    fired: int = 0
    _per_path: dict[str, int] = field(default_factory=dict, repr=False)

    def selects(self, path: str, seed: int) -> bool:
        if self.pattern is not None and not self.pattern.search(path):
            return False
        if self.rate is not None:
            h = hashlib.blake2b(f"{seed}|{self.kind}|{path}".encode(), digest_size=8).digest()
            if int.from_bytes(h, "big") / 2**64 >= self.rate:
                return False
        return True

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times


class Faults:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        pattern: str | None = None,
        kind: str = "500",
        *,
        rate: float | None = None,
        times: int | None = None,
        per_path: int | None = None,
        **opts: Any,
    ) -> Fault:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {sorted(KINDS)}")
        if pattern is None and rate is None:
            raise ValueError("give a path pattern, a rate, or both")
        fault = Fault(
            kind=kind,
            pattern=re.compile(pattern) if pattern is not None else None,
            rate=rate,
            times=times,
            per_path=per_path,
            opts=opts,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def __len__(self) -> int:
        return len(self._faults)

    def __iter__(self):
        return iter(list(self._faults))

    def pick(self, path: str, page_kind: str) -> Fault | None:
        """The fault to apply to this request (and count it as fired), or None."""
        if not self._faults:
            return None
        with self._lock:
            for f in self._faults:
                applies = KINDS[f.kind]
                if f.exhausted or (applies is not None and page_kind not in applies):
                    continue
                if f.per_path is not None and f._per_path.get(path, 0) >= f.per_path:
                    continue
                if not f.selects(path, self.seed):
                    continue
                f.fired += 1
                f._per_path[path] = f._per_path.get(path, 0) + 1
                return f
        return None


@dataclass(frozen=True)
class LogEntry:
    path: str  # path with query, as requested
    status: int  # 0 when the connection was dropped without a response
    time: float  # time.time() when the request arrived
    method: str = "GET"
    fault: str | None = None
    headers: dict[str, str] = field(default_factory=dict, compare=False, repr=False)


class RequestLog(list):
    """Every request the replica answered, in arrival order (a list of LogEntry); with a
    `path`, also one line per request in that file: its arrival time in seconds (Unix
    time), the status and the path, separated by spaces."""

    def __init__(self, path=None) -> None:
        super().__init__()
        self.file = open(path, "a", encoding="utf-8", buffering=1) if path else None

    def record(self, entry: LogEntry) -> None:
        self.append(entry)
        if self.file is not None:
            self.file.write(f"{entry.time:.6f} {entry.status} {entry.path}\n")

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None

    def paths(self) -> list[str]:
        return [e.path for e in self]

    def busiest_second(self) -> int:
        """The most requests that arrived in any window of 1 s (each window opens at a
        request): what a request budget per second is held to."""
        times = sorted(e.time for e in list(self))
        best, j = 0, 0
        for i, start in enumerate(times):
            while j < len(times) and times[j] < start + 1.0:
                j += 1
            best = max(best, j - i)
        return best

    def count(self, prefix: str = "", status: int | None = None) -> int:
        return sum(1 for e in list(self) if e.path.startswith(prefix) and (status is None or e.status == status))


def now() -> float:
    return time.time()
