"""Following newsrooms: `presseportal unfollow`, a newsroom the site does not know, and
following again (`unfollowed_newsrooms`, migration 010).

A newsroom the site has shown the store (a crawled release, a crawl naming it; not
imported records alone) is followed: the queue's refresh crawls it
(`crawler.db.queue.followed_newsrooms`) and the health report and metrics watch it. An
unfollowed one keeps its releases and leaves both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import psycopg

from crawler.db.sql_files import query
from crawler.items import OFFICE, PUBLISHER, Newsroom


@dataclass(frozen=True)
class NewsroomHoldings:
    """What the store holds of a newsroom: its releases (imported ones too), whether the
    site has shown it (`met`: a crawled release, or a run that visited it), and whether it
    is unfollowed."""

    newsroom: Newsroom
    releases: int
    met: bool
    unfollowed: bool = False


def holdings(conn: psycopg.Connection, newsrooms: Iterable[Newsroom]) -> list[NewsroomHoldings]:
    """`NewsroomHoldings` of each newsroom, in the order given."""
    newsrooms = list(newsrooms)
    rows = conn.execute(query("newsroom_releases"), _columns(newsrooms)).fetchall()
    return [NewsroomHoldings(Newsroom(kind, int(nid)), int(count), bool(met), bool(unfollowed))
            for kind, nid, count, met, unfollowed in rows]


def unfollow(conn: psycopg.Connection, newsrooms: Iterable[Newsroom], reason: str) -> None:
    """Stop following these newsrooms (their releases stay), saying why; in one transaction."""
    with conn.transaction():
        for newsroom in newsrooms:
            conn.execute(query("unfollow_newsroom"), {"kind": newsroom.kind, "id": newsroom.id, "reason": reason})


def unfollow_unknown(conn: psycopg.Connection, newsrooms: Iterable[Newsroom], reason: str) -> None:
    """Stop following the newsrooms the site does not know (their listing answered 404),
    unless the store holds releases crawled from one (imported ones do not count: the site
    may never have known it): a newsroom that vanished from the site stays watched, so
    that its alert says so. In the caller's transaction."""
    for newsroom in newsrooms:
        conn.execute(query("unfollow_if_empty"), {"kind": newsroom.kind, "id": newsroom.id, "reason": reason})


def follow_again(conn: psycopg.Connection, newsrooms: Iterable[Newsroom]) -> None:
    """Follow these newsrooms again (a successful walk of them). In the caller's transaction."""
    newsrooms = list(newsrooms)
    if newsrooms:
        conn.execute(query("follow_again"), _columns(newsrooms))


def scope(newsrooms: Iterable[Newsroom] | None) -> dict[str, object]:
    """The query parameters that pick rows of these newsrooms: %(every)s (true when none
    is given: every newsroom, of both kinds), %(publishers)s and %(offices)s (the ids of
    each kind). An office and a publisher of one number are two newsrooms."""
    newsrooms = list(newsrooms or ())
    return {"every": not newsrooms,
            "publishers": sorted({n.id for n in newsrooms if n.kind == PUBLISHER}),
            "offices": sorted({n.id for n in newsrooms if n.kind == OFFICE})}


def _columns(newsrooms: list[Newsroom]) -> dict[str, list]:
    return {"kinds": [n.kind for n in newsrooms], "ids": [n.id for n in newsrooms]}
