-- Named queries of what the commands read (crawler/db/reads.py).

-- name: status_runs
SELECT id, mode, publishers, offices, started_at, finished_at, status,
       pages, new, changed, unchanged, errors, coverage
FROM crawl_runs
ORDER BY id DESC
LIMIT %(limit)s;

-- name: status_publishers
-- every newsroom the store lists (listed_newsrooms, 013: it knows it, the site showed it,
-- or holds releases of it), a publisher's or an office's (kind); whether it is followed
-- (known and not unfollowed: the newsrooms the refresh crawls and the metrics watch) or
-- known only from an import (imported_only: not followed); its newest release's
-- publication and how much of it is known (newest_precision: an import may know only the day)
SELECT n.kind, n.id AS publisher_id, coalesce(p.name, '') AS name,
       (SELECT count(*) FROM releases r WHERE r.newsroom_kind = n.kind AND r.publisher_id = n.id) AS releases,
       newest.published_at AS newest, coalesce(newest.published_precision, '') AS newest_precision,
       n.known AND NOT EXISTS (SELECT 1 FROM unfollowed_newsrooms u WHERE u.kind = n.kind AND u.id = n.id)
           AS followed,
       NOT n.known AS imported_only
FROM listed_newsrooms n
LEFT JOIN publishers p ON p.kind = n.kind AND p.id = n.id
LEFT JOIN LATERAL (
    -- newest first along releases_newsroom_published_idx
    SELECT r.published_at, r.published_precision FROM releases r
    WHERE r.newsroom_kind = n.kind AND r.publisher_id = n.id AND r.published_at IS NOT NULL
    ORDER BY r.published_at DESC LIMIT 1
) newest ON true
ORDER BY releases DESC, n.kind, n.id;

-- name: newest_releases
-- with what a release without title or URL is shown by (crawler.cli.common.release_title,
-- release_address): its opening words, where an import read it
SELECT story_id, title, url, published_at, published_precision, imported_from,
       left(btrim(teaser || ' ' || body), 300) AS opening
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
    SELECT r.story_id, r.title, r.url, r.published_at, r.published_precision, r.imported_from,
           r.teaser, r.body,
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
SELECT story_id, title, url, published_at, published_precision, imported_from,
       left(btrim(teaser || ' ' || body), 300) AS opening, full_text,
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
       r.language, r.origin, r.story_id_derived, r.newsroom_kind, r.office_code, r.imported_from
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
