"""`make demo`: the main job end to end, offline.

Starts the project's replica of presseportal.de on loopback, runs the cron job
(`presseportal crawl`) against it into the embedded PostgreSQL (or DATABASE_URL),
prints what landed, and stops the replica; then writes the store's report (report.html,
or DEMO_REPORT) and says where it is. Run it twice: the second run reports 0 new.
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    from tests.replica import Replica

    releases = int(os.environ.get("DEMO_RELEASES", "300"))
    # Scrapy's own log lines (and its stats dump) are for debugging; the summary below is the demo
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    with Replica(releases=releases, seed=1) as replica:
        print(f"replica of presseportal.de serving {releases} releases at {replica.base_url}", flush=True)
        # settings read the environment once, on first import: set it before the crawl
        os.environ["PRESSEPORTAL_BASE_URL"] = replica.base_url
        os.environ["PRESSEPORTAL_PROFILE"] = "replica"
        from crawler import cli
        from crawler.cli.common import project_settings, reading_store
        from crawler.cli.database import database_location
        from crawler.db import reads

        print(f"database: {database_location(project_settings())}")
        print("crawling (presseportal crawl) ...", flush=True)

        status = cli.main(["crawl", "--publisher", str(replica.corpus.publisher_id)])
        print(flush=True)
        cli.main(["status", "--runs", "3"])
        print("\nNewest titles", flush=True)
        with reading_store() as conn:
            for row in reads.newest_releases(conn, 5) if conn is not None else []:
                print(f"  {row['published_at']:%Y-%m-%d %H:%M}  {row['title']}")
        print(f"\ncrawl exit status: {status}")
    # the picture of the same store (presseportal report); the command says where it is
    print()
    cli.main(["report", "-o", os.environ.get("DEMO_REPORT", "report.html")])
    print("open it in any browser: it needs no network")
    return status


if __name__ == "__main__":
    sys.exit(main())
