-- Named queries of what the commands read (crawler/db/reads.py).

-- name: status_runs
SELECT id, mode, publishers, offices, started_at, finished_at, status,
       pages, new, changed, unchanged, errors, coverage
FROM crawl_runs
ORDER BY id DESC
LIMIT %(limit)s;

-- name: status_publishers
-- every newsroom the store knows (known_newsrooms, 011), a publisher's or an office's
-- (kind), and whether it is followed: the newsrooms the metrics watch are the followed ones
SELECT k.kind, k.id AS publisher_id, coalesce(p.name, '') AS name, count(r.story_id) AS releases,
       max(r.published_at) AS newest,
       NOT EXISTS (SELECT 1 FROM unfollowed_newsrooms u WHERE u.kind = k.kind AND u.id = k.id) AS followed
FROM known_newsrooms k
LEFT JOIN publishers p ON p.kind = k.kind AND p.id = k.id
LEFT JOIN releases r ON r.newsroom_kind = k.kind AND r.publisher_id = k.id
GROUP BY k.kind, k.id, p.name
ORDER BY releases DESC, k.kind, k.id;

-- name: newest_releases
SELECT story_id, title, url, published_at
FROM releases
ORDER BY published_at DESC NULLS LAST, story_id DESC
LIMIT %(limit)s;

-- name: search
-- websearch syntax: words are ANDed, "quoted phrases", -excluded, OR (German full text,
-- ranked first). Then the releases whose folded text (german_fold, 003_german_search.sql)
-- holds every word not excluded (any of them, for OR), inside compounds and in ae/oe/ue/ss spelling, and none
-- of the excluded ones; ranked after, by trigram word similarity (pg_trgm).
WITH q AS (
    SELECT websearch_to_tsquery('german', %(query)s) AS ts,
           tsvector_to_array(to_tsvector('simple', german_fold(
               regexp_replace(%(query)s, '(^|\s)-\S+|\m[Oo][Rr]\M|"', ' ', 'g')))) AS words,
           tsvector_to_array(to_tsvector('simple', german_fold(array_to_string(
               ARRAY(SELECT m[1] FROM regexp_matches(%(query)s, '(?:^|\s)-(\S+)', 'g') AS m), ' '))))
               AS excluded,
           %(query)s ~ '\mOR\M' AS any_word
), hits AS (
    SELECT r.story_id, r.title, r.url, r.published_at, r.teaser, r.body,
           r.search @@ q.ts AS full_text,
           ts_rank_cd(r.search, q.ts) AS text_rank,
           (SELECT avg(word_similarity(w, german_fold(r.title || ' ' || r.teaser)))
            FROM unnest(q.words) AS w) AS likeness,
           q.ts
    FROM releases r, q
    WHERE r.search @@ q.ts
       OR (cardinality(q.words) > 0
           AND CASE WHEN q.any_word
               THEN german_fold(r.title || ' ' || r.teaser || ' ' || r.body)
                    LIKE ANY (SELECT '%%' || w || '%%' FROM unnest(q.words) AS w)
               ELSE german_fold(r.title || ' ' || r.teaser || ' ' || r.body)
                    LIKE ALL (SELECT '%%' || w || '%%' FROM unnest(q.words) AS w) END
           AND NOT german_fold(r.title || ' ' || r.teaser || ' ' || r.body)
               LIKE ANY (SELECT '%%' || w || '%%' FROM unnest(q.excluded) AS w))
)
SELECT story_id, title, url, published_at, full_text,
       CASE WHEN full_text THEN text_rank ELSE 0 END AS rank,
       btrim(regexp_replace(ts_headline('german', teaser || ' ' || body, ts,
                   'MaxWords=30, MinWords=12, StartSel=«, StopSel=», MaxFragments=1'),
                      '\s+', ' ', 'g')) AS snippet
FROM hits
ORDER BY full_text DESC, rank DESC, likeness DESC NULLS LAST, published_at DESC
LIMIT %(limit)s;

-- name: export
-- %(every)s: every newsroom, else those of %(publishers)s and %(offices)s (ids of each kind:
-- a publisher's newsroom is not the office of the same number)
SELECT r.story_id, r.publisher_id, p.name AS publisher, r.url, r.title, r.published_at,
       r.published_raw, r.published_ambiguous, r.published_precision, r.dateline, r.teaser,
       r.body, r.about, r.contact, r.originator, r.keywords, r.places, r.images, r.links,
       r.language, r.origin, r.story_id_derived, r.newsroom_kind, r.office_code
FROM releases r
JOIN publishers p ON p.kind = r.newsroom_kind AND p.id = r.publisher_id
WHERE (%(since)s::date IS NULL OR r.published_at >= (%(since)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
  AND (%(until)s::date IS NULL OR r.published_at < ((%(until)s::date + 1)::timestamp AT TIME ZONE 'Europe/Berlin'))
  AND (%(every)s OR r.newsroom_kind = 'publisher' AND r.publisher_id = ANY(%(publishers)s::integer[])
                 OR r.newsroom_kind = 'office' AND r.publisher_id = ANY(%(offices)s::integer[]))
ORDER BY r.published_at DESC, r.story_id DESC;

-- name: ping
SELECT 1;

-- name: run_errors
SELECT url, stage, reason, at
FROM crawl_errors
WHERE run_id = %(run_id)s
ORDER BY id;

-- name: run_mode
SELECT mode FROM crawl_runs WHERE id = %(run_id)s;

-- name: newest_run_id
SELECT max(id) FROM crawl_runs;
