-- Named queries of what the commands read (crawler/db/reads.py).

-- name: status_runs
SELECT id, mode, publishers, offices, started_at, finished_at, status,
       pages, new, changed, unchanged, errors, coverage
FROM crawl_runs
ORDER BY id DESC
LIMIT %(limit)s;

-- name: status_publishers
-- every newsroom, a publisher's or an office's (kind)
SELECT p.kind, p.id AS publisher_id, p.name, count(r.story_id) AS releases, max(r.published_at) AS newest
FROM publishers p
LEFT JOIN releases r ON r.newsroom_kind = p.kind AND r.publisher_id = p.id
GROUP BY p.kind, p.id, p.name
ORDER BY releases DESC, p.kind, p.id;

-- name: newest_releases
SELECT story_id, title, url, published_at
FROM releases
ORDER BY published_at DESC NULLS LAST, story_id DESC
LIMIT %(limit)s;

-- name: search
-- websearch syntax: words are ANDed, "quoted phrases", -excluded, OR
SELECT r.story_id, r.title, r.url, r.published_at,
       ts_rank_cd(r.search, q) AS rank,
       ts_headline('german', r.teaser || ' ' || r.body, q,
                   'MaxWords=30, MinWords=12, StartSel=«, StopSel=», MaxFragments=1') AS snippet
FROM releases r, websearch_to_tsquery('german', %(query)s) AS q
WHERE r.search @@ q
ORDER BY rank DESC, r.published_at DESC
LIMIT %(limit)s;

-- name: export
-- %(publishers)s: publishers' ids (their newsrooms, not offices of the same number), NULL: all
SELECT r.story_id, r.publisher_id, p.name AS publisher, r.url, r.title, r.published_at,
       r.published_raw, r.published_ambiguous, r.dateline, r.teaser, r.body, r.about,
       r.contact, r.originator, r.keywords, r.places, r.images, r.links, r.language,
       r.newsroom_kind, r.office_code
FROM releases r
JOIN publishers p ON p.kind = r.newsroom_kind AND p.id = r.publisher_id
WHERE (%(since)s::date IS NULL OR r.published_at >= (%(since)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
  AND (%(publishers)s::integer[] IS NULL
       OR r.newsroom_kind = 'publisher' AND r.publisher_id = ANY(%(publishers)s::integer[]))
ORDER BY r.published_at DESC, r.story_id DESC;

-- name: ping
SELECT 1;
