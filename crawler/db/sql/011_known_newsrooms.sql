-- 011: the newsrooms the store knows, defined once (the health report and metrics, the
-- refresh's followed newsrooms, `status`, `unfollow`): those it holds releases of (a
-- publishers row) and those a run that visits newsrooms' listing pages named (crawl,
-- backfill, full: crawler.state.CrawlPlan.visits_newsrooms; tests/store/test_newsrooms.py
-- holds the modes here to it). A run that only named stories (`crawl --story`, the
-- refresh's job), an import or a re-extraction makes no newsroom known by naming it:
-- seen, a story that answered 404 left its newsroom followed with no release and a
-- "no successful run" alert for ever. A known newsroom is followed unless it is in
-- unfollowed_newsrooms (010).
-- DISTINCT in each part: the planner then expects a few newsrooms, not a row per run and
-- newsroom (which made it compile the health's query with JIT: seconds for milliseconds).
CREATE VIEW known_newsrooms (kind, id) AS
    SELECT kind, id FROM publishers
    UNION
    SELECT DISTINCT 'publisher', unnest(publishers) FROM crawl_runs WHERE mode IN ('incremental', 'backfill', 'full')
    UNION
    SELECT DISTINCT 'office', unnest(offices) FROM crawl_runs WHERE mode IN ('incremental', 'backfill', 'full');
