"""The job queue: many workers on many machines share the crawl work through PostgreSQL.

procrastinate (a maintained PostgreSQL job queue: workers, retries, queueing locks,
periodic tasks, worker heartbeats, psycopg 3) holds the jobs in the store's own database,
so no second server is needed.

- `jobs`: what a job is (`CrawlJob`: a newsroom, or a newsroom and a date window; mode
  crawl | backfill; `StoriesJob`: the feed's new stories), its lock key and the crawl
  command it runs; pure.
- `app`: the procrastinate `App`, opened on the store's URL (`open_queue`), the queue's
  schema kept at the installed procrastinate's (`ensure_queue_schema`, also `db upgrade`).
- `tasks`: the tasks: `crawl_newsroom` (the crawl as a child process that dies with its
  worker), `fetch_stories` (the stories the site-wide feed named), `refresh` (the
  site-wide feed: which stories of followed newsrooms are new).
- `worker`: `run_worker` (concurrency, the lease, SIGTERM) and the takeover of jobs whose
  worker stopped answering.
"""
