"""What a job is: a newsroom, or a newsroom and a date window, crawled or backfilled;
or the stories the site-wide feed named.

Pure: no queue, no database. `CrawlJob.key` names the job for procrastinate's locks (one
job per key waits, one runs); `CrawlJob.argv` is the `presseportal` command line a worker
runs for it, so a job does exactly what the same command typed by hand does (the same
spider, pipelines, store, run lock and backfill resume point). `StoriesJob` is the
refresh's: `presseportal crawl --story ...`, the stories alone, no listing walked.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

MODES = ("crawl", "backfill")
KINDS = ("publisher", "office")  # crawler.items.NEWSROOM_KINDS
OPTION_OF_KIND = {"publisher": "--publisher", "office": "--office"}
# where the jobs wait: cron refreshes never queue behind a long backfill
QUEUE_OF_MODE = {"crawl": "refresh", "backfill": "backfill"}


@dataclass(frozen=True)
class CrawlJob:
    """One unit of work: `mode` crawl (the cron job: what is new) or backfill (the archive,
    or the `since`..`until` window, days inclusive) of one newsroom.

    `kind` is "publisher" (a company newsroom, /nr/{id}) or "office" (a police or fire
    office, /blaulicht/nr/{id}); the two kinds' ids may be the same number.
    """

    mode: str
    newsroom: int
    kind: str = "publisher"
    since: str = ""  # YYYY-MM-DD or ""
    until: str = ""

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"a job's mode is one of {', '.join(MODES)}, not {self.mode!r}")
        if self.kind not in KINDS:
            raise ValueError(f"a job's newsroom kind is one of {', '.join(KINDS)}, not {self.kind!r}")
        for name in ("since", "until"):
            value = getattr(self, name)
            if value:
                date.fromisoformat(value)  # ValueError names the bad day
        if (self.since or self.until) and self.mode != "backfill":
            raise ValueError("only a backfill takes a date window")

    @property
    def key(self) -> str:
        """The job's identity for the queue's locks, e.g. "backfill:publisher:73811:2024-01-01..".
        Two jobs with one key never run at once and never wait twice."""
        window = f"{self.since}..{self.until}" if self.since or self.until else ""
        return f"{self.mode}:{self.kind}:{self.newsroom}:{window}"

    @property
    def queue(self) -> str:
        return QUEUE_OF_MODE[self.mode]

    def argv(self) -> list[str]:
        """The `presseportal` arguments that run this job (after the program name)."""
        args = [self.mode, OPTION_OF_KIND[self.kind], str(self.newsroom)]
        if self.since:
            args += ["--since", self.since]
        if self.until:
            args += ["--until", self.until]
        return args

    def describe(self) -> str:
        """For people: "backfill of publisher 73811 (2024-01-01..2024-03-31)"."""
        window = f" ({self.since}..{self.until})" if self.since or self.until else ""
        return f"{self.mode} of {self.kind} {self.newsroom}{window}"

    def as_args(self) -> dict[str, Any]:
        """The task's keyword arguments (JSON), as procrastinate stores them."""
        return asdict(self)

    @classmethod
    def from_args(cls, args: dict[str, Any]) -> CrawlJob:
        return cls(**{k: args[k] for k in ("mode", "newsroom", "kind", "since", "until") if k in args})


@dataclass(frozen=True)
class StoriesJob:
    """The stories a refresh found in the site-wide feed (story paths such as
    "/pm/73811/5"), fetched in one crawl: a request each, filed under its own newsroom."""

    stories: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.stories:
            raise ValueError("a stories job names at least one story")

    # one stories job runs at a time (the next one finds what this one stored and skips
    # it); none is turned away while another waits: its stories may be gone from the feed
    # by the next cycle
    key = "stories"
    mode = "stories"
    queue = QUEUE_OF_MODE["crawl"]

    def argv(self) -> list[str]:
        return ["crawl", "--story", ",".join(self.stories)]

    def describe(self) -> str:
        return f"{len(self.stories)} stories from the site-wide feed"

    def as_args(self) -> dict[str, Any]:
        return {"stories": list(self.stories)}

    @classmethod
    def from_args(cls, args: dict[str, Any]) -> StoriesJob:
        return cls(tuple(args["stories"]))
