"""Fault matrix: faults injected into real runs, and what the store holds after the next run.

Each scenario crawls or backfills a replica (in this process: its request log is what
faults and fetches are counted from) into its own database of one throwaway PostgreSQL
cluster (durable, as a user's server is), which the scenario may stop, crash, restart
or fill up. One kind of fault is
injected into the faulty run(s); then the run a user runs next (the next cron run, the
same backfill again) runs with the fault gone. The figures, per scenario:

- faults: answers the replica faulted, plus the actions on PostgreSQL or the crawler;
- expected: the releases on the site (the replica's truth) of publisher 73811, and in
  the scenarios that crawl one too, of police office 97012 (`/blaulicht/`: a number a
  publisher has too, so a release filed under the wrong kind shows);
- stored: rows whose newsroom (kind and id), title and body are the truth's for their
  story id;
- lost: expected and not stored; misfiled: rows under an id or newsroom whose truth they
  are not (or of a newsroom not crawled); duplicated: stories whose page was served whole
  more than once (fetched twice);
- the exit statuses of the runs, faulty ones first.

Target: nothing lost, nothing misfiled, every run exits as due (a faulty run says so:
1, 75 or killed; one that rode the fault out: 0), and no story fetched twice where
runs must not overlap (a restart under a live run).

    python -m bench.faults [--releases 240] [--only NAME]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.e2e import BIN, PUBLISHER, ROOT, crawler_env, print_rows, tail
from crawler.items import OFFICE, PUBLISHER as PUBLISHER_KIND, Newsroom

RELEASES = 240  # eight listing pages
OTHER = 97012
# the office crawled beside the publisher where a scenario says so: the police office
# that has OTHER's number (tests/replica/corpus.py)
OFFICE_ID = 97012


@dataclass
class Ctx:
    """One scenario: its replica, database, spill folder and what was done to them."""

    replica: object
    cluster: object
    database_url: str
    spill: Path
    actions: int = 0
    codes: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failed: bool = False  # a run exited otherwise than due, or the scenario broke
    logs: dict = field(default_factory=dict)  # pid -> the output file of a started run
    paced: bool = False
    office: int | None = None  # an office every run crawls beside the publisher

    def argv(self, *args: str) -> list[str]:
        office = ["--office", str(self.office)] if self.office is not None else []
        return [str(BIN / "presseportal"), "-q", *args, "--publisher", str(PUBLISHER), *office]

    @property
    def newsrooms(self) -> list[Newsroom]:
        """The newsrooms the runs crawl."""
        office = [Newsroom(OFFICE, self.office)] if self.office is not None else []
        return [Newsroom(PUBLISHER_KIND, PUBLISHER), *office]

    def env(self) -> dict[str, str]:
        return {**crawler_env(self.replica.base_url, self.database_url), "PRESSEPORTAL_SPILL_DIR": str(self.spill)}

    def run(self, *args: str, expect: int, timeout: float = 300) -> int:
        """Run the command; an exit status other than `expect` is noted (the scenario fails)."""
        done = subprocess.run(self.argv(*args), cwd=ROOT, env=self.env(), capture_output=True, text=True,
                              timeout=timeout)
        return self.exited(done.returncode, expect, done.stderr)

    def start(self, *args: str) -> subprocess.Popen:
        # its output goes to a file: a full pipe nobody reads would stall the crawl
        log = tempfile.TemporaryFile("w+")
        proc = subprocess.Popen(self.argv(*args), cwd=ROOT, env=self.env(), stdout=subprocess.DEVNULL,
                                stderr=log, text=True)
        self.logs[proc.pid] = log
        return proc

    def finish(self, proc: subprocess.Popen, *, expect: int, timeout: float = 300) -> int:
        proc.wait(timeout=timeout)
        with self.logs.pop(proc.pid) as log:
            log.seek(0)
            return self.exited(proc.returncode, expect, log.read())

    def exited(self, code: int, expect: int, stderr: str) -> int:
        self.codes.append(code)
        if code != expect:
            self.failed = True
            self.notes.append(f"exit {code} where {expect} was due: {tail(stderr or '', 300)}")
        return code

    def query(self, sql: str, *params) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description else []

    def pace(self, delay: float) -> None:
        """Slow story pages down, so that a run lasts long enough to be hit in the middle
        (a pace, not a fault: not counted as one)."""
        self.replica.faults.add(r"^/pm/", "slow", delay=delay)
        self.paced = True

    def stored(self) -> int:
        return self.query("SELECT count(*) FROM releases WHERE publisher_id = %s", PUBLISHER)[0][0]

    def wait_stored(self, n: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while self.stored() < n:
            if time.monotonic() > deadline:
                raise TimeoutError(f"fewer than {n} releases stored after {timeout} s")
            time.sleep(0.1)

    def sids(self, publisher_id: int = PUBLISHER) -> list[int]:
        return self.replica.corpus.story_ids(publisher_id=publisher_id)


# --- the scenarios: the faulty run(s), then the next run ----------------------------------------


def http_faults(c: Ctx) -> None:
    """429 (Retry-After), 503, dropped connections and timeouts on a tenth of the pages, each
    once: the publisher's and the office's (`/blaulicht/`) alike."""
    for kind, opts in (("429", {"retry_after": 0.2}), ("503", {}), ("drop", {}), ("slow", {"delay": 12})):
        c.replica.faults.add(r"^/(blaulicht/)?(pm|nr)/", kind, rate=0.1, per_path=1, **opts)
    c.run("backfill", "-s", "DOWNLOAD_TIMEOUT=3", expect=0)
    c.replica.faults.clear()
    c.run("crawl", expect=0)


def truncated_pages(c: Ctx) -> None:
    """Story pages cut right after the card with a complete response (a tenth, once each;
    three stories always) and one listing page cut in its cards."""
    cut = {"declared_length": False, "after": "</article>"}
    for sid in c.sids()[10:13]:
        c.replica.faults.add(rf"^/pm/{PUBLISHER}/{sid}$", "truncate", **cut)
    c.replica.faults.add(r"^/pm/", "truncate", rate=0.1, per_path=1, **cut)
    c.replica.faults.add(rf"^/nr/{PUBLISHER}/90$", "truncate", declared_length=False, keep=0.5)
    c.run("backfill", expect=1)
    c.replica.faults.clear()
    c.run("backfill", expect=0)


def misfiled_stories(c: Ctx) -> None:
    """Redirects to another publisher's story, canonicals naming another story, redirect
    loops: three of each."""
    other = c.sids(OTHER)[0]
    sids = c.sids()
    for sid in sids[3:6]:
        c.replica.faults.add(rf"^/pm/{PUBLISHER}/{sid}$", "redirect", to=f"/pm/{OTHER}/{other}")
    for sid in sids[40:43]:
        c.replica.faults.add(rf"^/pm/{PUBLISHER}/{sid}$", "foreign_canonical", story=f"{OTHER}/{other}")
    for sid in sids[80:83]:
        c.replica.faults.add(rf"^/pm/{PUBLISHER}/{sid}$", "redirect", to=f"/pm/{PUBLISHER}/{sid}?loop=1")
        c.replica.faults.add(rf"^/pm/{PUBLISHER}/{sid}\?loop=1$", "redirect", to=f"/pm/{PUBLISHER}/{sid}")
    c.run("backfill", expect=1)
    c.replica.faults.clear()
    c.run("backfill", expect=0)


def leaving_the_site(c: Ctx) -> None:
    """A next link and three story redirects to another host (the replica under another name)."""
    foreign = f"http://localhost:{c.replica.port}"
    for sid in c.sids()[5:8]:
        c.replica.faults.add(rf"^/pm/{PUBLISHER}/{sid}$", "redirect", to=f"{foreign}/pm/{PUBLISHER}/{sid}")
    c.replica.faults.add(rf"^/nr/{PUBLISHER}/60$", "foreign_next")
    c.run("backfill", expect=1)
    foreign_requests = sum(1 for e in c.replica.log if e.headers.get("Host", "").startswith("localhost"))
    c.notes.append(f"requests to the other host: {foreign_requests}")
    c.replica.faults.clear()
    c.run("backfill", expect=0)


def empty_listing_page(c: Ctx) -> None:
    """The cards of one listing page in the middle of the archive gone, its next link kept."""
    c.replica.faults.add(rf"^/nr/{PUBLISHER}/120$", "missing_cards")
    c.run("backfill", expect=1)
    cursor = c.query("SELECT state->>'offset' FROM crawl_cursors WHERE key LIKE 'backfill:%%'")
    c.notes.append(f"resume point kept at offset {cursor[0][0] if cursor else 'none'}")
    c.replica.faults.clear()
    c.run("backfill", expect=0)


def bad_links(c: Ctx) -> None:
    """A body link URL parsers refuse (http://[broken/x) on a fifth of the stories."""
    c.replica.faults.add(r"^/pm/", "broken_link", rate=0.2)
    c.run("backfill", expect=0)
    c.replica.faults.clear()
    c.run("crawl", expect=0)


def database_away(c: Ctx) -> None:
    """After a good cron run, 150 new releases; PostgreSQL stops mid-run for longer than the
    store's retry budget. Then it is back, and the next cron run."""
    c.run("crawl", expect=0)
    c.replica.publish(150)
    c.pace(0.2)
    before = c.stored()
    proc = c.start("crawl", "-s", "STORE_RETRY_MAX_SECONDS=2", "-s", "STORE_CONNECT_TIMEOUT=1",
                   "-s", "STORE_BATCH_SIZE=10", "-s", "STORE_FLUSH_SECONDS=0.2")
    c.wait_stored(before + 30)
    c.cluster.stop(mode="fast")
    c.actions += 1
    try:
        c.finish(proc, timeout=120, expect=1)
    finally:
        c.cluster.start()
    c.replica.faults.clear()
    c.run("crawl", expect=0)


def full_disk(c: Ctx) -> None:
    """Every write to `releases` fails as on a full disk (SQLSTATE 53100); then space is freed."""
    c.query("""CREATE FUNCTION disk_is_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                 RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full';
               END $$""")
    c.query("CREATE TRIGGER disk_is_full BEFORE INSERT OR UPDATE ON releases "
            "FOR EACH ROW EXECUTE FUNCTION disk_is_full()")
    c.actions += 1
    c.run("crawl", "-s", "STORE_RETRY_MAX_SECONDS=1", expect=1)
    c.query("DROP TRIGGER disk_is_full ON releases")
    c.run("crawl", expect=0)


def crawler_killed(c: Ctx) -> None:
    """kill -9 of a backfill in the middle; the same backfill again."""
    c.pace(0.2)
    proc = c.start("backfill")
    c.wait_stored(RELEASES // 2)
    proc.send_signal(signal.SIGKILL)
    c.actions += 1
    c.finish(proc, expect=-9)
    c.replica.faults.clear()
    c.run("backfill", expect=0)


def postgres_crashed(c: Ctx) -> None:
    """PostgreSQL shut down immediately (no checkpoint, sessions cut: a crash) in the middle
    of a backfill, back 3 s later."""
    c.pace(0.2)
    proc = c.start("backfill")
    c.wait_stored(RELEASES // 3)
    c.cluster.stop(mode="immediate")
    c.actions += 1
    time.sleep(3)
    c.cluster.start()
    c.finish(proc, expect=0)
    c.replica.faults.clear()
    c.run("crawl", expect=0)


def restart_under_a_live_run(c: Ctx) -> None:
    """PostgreSQL restarted under a live backfill whose watchdog looks only every 30 s; a
    second backfill is started meanwhile (it must not run beside the live one)."""
    c.pace(1.0)  # about 15 s: the second run starts while the first still crawls
    live = c.start("backfill", "-s", "PRESSEPORTAL_LOCK_CHECK_SECONDS=30")
    c.wait_stored(30)
    c.cluster.restart()
    c.actions += 1
    c.run("backfill", expect=75)
    c.finish(live, expect=0)
    c.replica.faults.clear()
    c.run("crawl", expect=0)


SCENARIOS: list[tuple[str, Callable[[Ctx], None], bool]] = [
    # name, scenario, whether a story fetched twice is a failure (runs must not overlap)
    ("429/503/drops/timeouts, a publisher and an office", http_faults, False),
    ("truncated pages", truncated_pages, False),
    ("stories filed under another id", misfiled_stories, False),
    ("leaving the site", leaving_the_site, False),
    ("empty listing page mid-archive", empty_listing_page, False),
    ("bad body links", bad_links, False),
    ("database away beyond the retry budget", database_away, False),
    ("full disk", full_disk, False),
    ("kill -9 of the crawler", crawler_killed, False),
    ("PostgreSQL crash mid-backfill", postgres_crashed, False),
    ("restart under a live run, second run started", restart_under_a_live_run, True),
]

# the scenarios whose runs crawl an office beside the publisher
WITH_OFFICE = {http_faults}


# --- measuring ---------------------------------------------------------------------------------


def fresh_database(cluster) -> str:
    import psycopg

    from crawler import db

    name = f"faults_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = cluster.url(name)
    db.migrate(url)
    return url


def verdict(c: Ctx) -> dict:
    corpus = c.replica.corpus
    crawled = c.newsrooms
    expected = {sid for room in crawled for sid in corpus.stories(room)}
    rows = c.query("SELECT story_id, newsroom_kind, publisher_id, title, body FROM releases")
    right, misfiled = set(), 0
    for sid, kind, pid, title, body in rows:
        entry = corpus.entry(sid)
        truth = corpus.truth(sid) if entry is not None else None
        filed = Newsroom(kind, pid)
        if (truth is not None and filed == entry.newsroom and filed in crawled
                and (title, body) == (truth["title"], truth["body"])):
            right.add(sid)
        else:
            misfiled += 1
    served = Counter(e.path.split("?")[0] for e in c.replica.log
                     if e.path.startswith(("/pm/", "/blaulicht/pm/")) and e.status == 200 and e.fault is None)
    faults = sum(1 for e in c.replica.log if e.fault is not None and not (c.paced and e.fault == "slow"))
    faults += c.actions
    return {"faults": faults, "expected": len(expected), "stored": len(right & expected),
            "lost": len(expected - right), "misfiled": misfiled,
            "duplicated": sum(1 for n in served.values() if n > 1)}


def measure(releases: int = RELEASES, only: str | None = None) -> list[dict]:
    from crawler.db.embedded import destroy_cluster, throwaway_cluster
    from tests.replica import Replica

    results = []
    # durable, as a user's server is: a crash of a server without synchronous commit
    # loses transactions it acknowledged, which no client can make up for
    cluster = throwaway_cluster(fast=False, prefix="pp-bench-faults-")
    try:
        for name, scenario, overlap_matters in SCENARIOS:
            if only and only not in name:
                continue
            started = time.monotonic()
            with Replica(releases=releases, seed=12) as replica, tempfile.TemporaryDirectory() as spill:
                c = Ctx(replica, cluster, fresh_database(cluster), Path(spill),
                        office=OFFICE_ID if scenario in WITH_OFFICE else None)
                try:
                    scenario(c)
                except Exception as exc:  # a scenario that breaks is reported, not hidden
                    c.failed = True
                    c.notes.append(f"scenario failed: {type(exc).__name__}: {exc}")
                    with contextlib.suppress(Exception):
                        cluster.start()
                figures = verdict(c)
            figures.update(name=name, codes=c.codes, notes=c.notes, seconds=time.monotonic() - started,
                           overlap_matters=overlap_matters, notes_failed=c.failed)
            print(f"   {name}: {figures}", file=sys.stderr, flush=True)
            results.append(figures)
    finally:
        destroy_cluster(cluster)
    return results


def rows_from(results: list[dict]) -> list[dict]:
    rows = []
    for r in results:
        met = (r["lost"] == 0 and r["misfiled"] == 0 and not r["notes_failed"]
               and not (r["overlap_matters"] and r["duplicated"]))
        rows.append({
            "name": f"faults: {r['name']}",
            "value": r["lost"],
            "unit": "lost",
            "baseline_name": "expected",
            "baseline_value": r["expected"],
            "ratio": None,
            "target": "0 lost, 0 misfiled, every run exits as due",
            "met": met,
            "notes": (f"faults injected {r['faults']}; expected {r['expected']}, stored {r['stored']}, "
                      f"lost {r['lost']}, misfiled {r['misfiled']}, duplicated {r['duplicated']}; "
                      f"exit statuses {', '.join(map(str, r['codes']))}; {r['seconds']:.0f} s"
                      + ("; " + "; ".join(r["notes"]) if r["notes"] else "")),
        })
    return rows


def run(releases: int = RELEASES) -> list[dict]:
    return rows_from(measure(releases))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__.splitlines()[0])
    ap.add_argument("--releases", type=int, default=RELEASES)
    ap.add_argument("--only", help="run the scenarios whose name contains this")
    args = ap.parse_args(argv)
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    print_rows(rows_from(measure(args.releases, args.only)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
