-- Named queries of `presseportal reextract` (crawler/db/releases.py stored_pages,
-- crawler/db/reads.py stored_releases).

-- name: stored_pages
-- One keyset page of the kept raw pages, in story_id order, after %(after)s: of every
-- newsroom (%(every)s) or those of %(publishers)s and %(offices)s, of releases published on or
-- after the Berlin day %(since)s (NULL: any). The release's published_raw comes along: the last layer of a date.
SELECT p.story_id, p.url, p.fetched_at, p.http_status, p.compression, p.html, r.published_raw
FROM release_pages p
JOIN releases r USING (story_id)
WHERE p.story_id > %(after)s
  AND (%(every)s OR r.newsroom_kind = 'publisher' AND r.publisher_id = ANY(%(publishers)s::integer[])
                 OR r.newsroom_kind = 'office' AND r.publisher_id = ANY(%(offices)s::integer[]))
  AND (%(since)s::date IS NULL OR r.published_at >= (%(since)s::date::timestamp AT TIME ZONE 'Europe/Berlin'))
ORDER BY p.story_id
LIMIT %(limit)s;

-- name: stored_releases
-- The stored content of some releases (for a dry run's comparison).
SELECT story_id, publisher_id, url, title, published_at, published_raw, published_ambiguous,
       dateline, teaser, body, about, contact, originator, keywords, places, images, links,
       language
FROM releases
WHERE story_id = ANY(%(story_ids)s::integer[]);
