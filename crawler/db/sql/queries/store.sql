-- Named queries of the store pipeline (pipelines.store). One batch = one transaction:
-- insert_publisher + touch_publisher (per publisher), adopt_imports and upsert_releases
-- (the whole batch as JSON), touch_unchanged, upsert_pages (arrays), add_run_counts.

-- name: insert_publisher
-- New newsrooms only (a publisher's or an office's: (kind, id)): DO NOTHING takes no row
-- lock on a known one, so concurrent batch writers of one newsroom do not queue behind
-- each other here.
INSERT INTO publishers (kind, id, name, first_seen_at, last_seen_at)
VALUES (%(kind)s, %(id)s, %(name)s, %(seen_at)s, %(seen_at)s)
ON CONFLICT (kind, id) DO NOTHING;

-- name: touch_publisher
-- A new name (never an empty one), or last_seen_at more than a minute old: only then is
-- the row written (and locked), so most batches leave it alone.
UPDATE publishers SET
    name = CASE WHEN %(name)s <> '' THEN %(name)s ELSE name END,
    last_seen_at = GREATEST(last_seen_at, %(seen_at)s)
WHERE kind = %(kind)s AND id = %(id)s
  AND ((%(name)s <> '' AND name IS DISTINCT FROM %(name)s)
       OR last_seen_at < %(seen_at)s::timestamptz - interval '1 minute');

-- name: adopt_imports
-- An import without the site's story id is stored under a derived (negative) id. When a
-- crawled page of the same newsroom, title and Berlin day arrives and its real id is
-- not stored yet, the import takes the real id (its revisions follow: ON UPDATE CASCADE),
-- so that upsert_releases then meets it as the stored copy of that release. One import
-- per real id and one real id per import. %(keys)s: a JSON array of the batch's crawled
-- rows (story_id, publisher_id, newsroom_kind, title, published_at). Returns (derived id, real id).
WITH incoming AS (
    SELECT * FROM jsonb_to_recordset(%(keys)s::jsonb) AS k(
        story_id integer, publisher_id integer, newsroom_kind text, title text,
        published_at timestamptz)
    -- a one-time filter: a store without such imports (most) does not even parse the keys
    WHERE EXISTS (SELECT 1 FROM releases WHERE story_id_derived)
), candidates AS (
    SELECT DISTINCT ON (d.story_id) d.story_id AS derived_id, i.story_id AS real_id
    FROM incoming i
    JOIN releases d
      ON d.story_id_derived AND d.publisher_id = i.publisher_id
     AND d.newsroom_kind = i.newsroom_kind AND d.title = i.title
     AND d.published_precision IN ('day', 'minute')
     AND (d.published_at AT TIME ZONE 'Europe/Berlin')::date
         = (i.published_at AT TIME ZONE 'Europe/Berlin')::date
    WHERE i.title <> '' AND NOT EXISTS (SELECT 1 FROM releases r WHERE r.story_id = i.story_id)
    ORDER BY d.story_id, i.story_id
), pairs AS (
    SELECT DISTINCT ON (real_id) derived_id, real_id FROM candidates ORDER BY real_id, derived_id
)
UPDATE releases r SET story_id = p.real_id, story_id_derived = false
FROM pairs p
WHERE r.story_id = p.derived_id
RETURNING p.derived_id, p.real_id;

-- name: upsert_releases
-- One statement per batch (set-based: per-row statements cost more than the rows).
-- %(batch)s is a JSON array of release rows with unique story_ids; %(compared)s the
-- content fields an import and a page must agree on (crawler/db/releases.py).
--
-- Each row's outcome:
--   new        not stored yet: inserted;
--   stale      fetched earlier than the stored row of the same origin (a spill file
--              replayed after a later crawl): left alone, never written over it;
--   unchanged  the same content hash (nothing written but last_seen_at), or an import
--              that says nothing the crawled page stored contradicts;
--   upgraded   a crawled page of a release stored from an import, saying everything the
--              import said (its instant inside the import's month or day): the row takes
--              the page's fuller content, without a revision and keeping changed_at;
--   changed    anything else that differs: the stored content becomes a revision;
--   kept       an import that contradicts the crawled page stored: the page stays, the
--              import is kept as a revision (once: the same import again is unchanged).
-- "Says": every compared field the import holds (not empty) equals the page's.
--
-- incoming: the rows, where an import with a derived id is the release stored under the
-- site's id (same newsroom, title and Berlin day) taking that id; `old` the stored rows
-- (locked, in story_id order); `verdict` the outcomes; `rev` the revisions; `up` the
-- rows written.
WITH batch AS (
    SELECT * FROM jsonb_to_recordset(%(batch)s::jsonb) AS x(
        story_id integer, publisher_id integer, newsroom_kind text, url text, title text, office_code text,
        published_at timestamptz, published_raw text, published_ambiguous boolean,
        published_precision text,
        dateline text, teaser text, body text, about text, contact text, originator text,
        keywords text[], places text[], images jsonb, links jsonb, language text,
        origin text, story_id_derived boolean, imported_from text,
        content_hash text, fetched_at timestamptz, seen_at timestamptz)
), crawled AS (
    SELECT DISTINCT ON (b.story_id) b.story_id AS derived_id, r.story_id
    FROM batch b
    CROSS JOIN LATERAL (SELECT date_trunc('day', b.published_at AT TIME ZONE 'Europe/Berlin') AS day) d
    JOIN releases r
      ON NOT r.story_id_derived AND r.publisher_id = b.publisher_id
     AND r.newsroom_kind = b.newsroom_kind AND r.title = b.title
     AND r.published_at >= d.day AT TIME ZONE 'Europe/Berlin'
     AND r.published_at < (d.day + interval '1 day') AT TIME ZONE 'Europe/Berlin'
    WHERE b.story_id_derived AND b.title <> '' AND b.published_precision IN ('day', 'minute')
      AND r.story_id NOT IN (SELECT story_id FROM batch)
    ORDER BY b.story_id, r.story_id
), crawled_once AS (
    SELECT DISTINCT ON (story_id) derived_id, story_id FROM crawled ORDER BY story_id, derived_id
), incoming AS (
    SELECT COALESCE(c.story_id, b.story_id) AS story_id, b.publisher_id, b.newsroom_kind, b.url,
           b.title, b.office_code, b.published_at, b.published_raw, b.published_ambiguous, b.published_precision,
           b.dateline, b.teaser, b.body, b.about, b.contact, b.originator,
           b.keywords, b.places, b.images, b.links, b.language,
           b.origin, b.story_id_derived AND c.story_id IS NULL AS story_id_derived, b.imported_from,
           b.content_hash, b.fetched_at, b.seen_at
    FROM batch b
    LEFT JOIN crawled_once c ON c.derived_id = b.story_id
), old AS (
    SELECT r.story_id, r.content_hash, r.origin, to_jsonb(r) - 'search' AS content, r.changed_at,
           r.fetched_at
    FROM releases r
    WHERE r.story_id IN (SELECT story_id FROM incoming)
    ORDER BY r.story_id
    FOR UPDATE
), verdict AS (
    SELECT i.story_id,
           CASE
               WHEN o.story_id IS NULL THEN 'new'
               WHEN i.origin = o.origin AND i.fetched_at < o.fetched_at THEN 'stale'
               WHEN i.origin = 'import' AND o.origin = 'page' THEN
                   CASE WHEN a.agree OR EXISTS (
                            SELECT 1 FROM release_revisions v
                            WHERE v.story_id = i.story_id AND v.content_hash = i.content_hash)
                        THEN 'unchanged' ELSE 'kept' END
               WHEN i.origin = 'page' AND o.origin = 'import' AND a.agree THEN 'upgraded'
               WHEN o.content_hash = i.content_hash THEN 'unchanged'
               ELSE 'changed'
           END AS outcome
    FROM incoming i
    LEFT JOIN old o USING (story_id)
    LEFT JOIN LATERAL (
        -- the import (stored or incoming) says nothing the page contradicts
        SELECT NOT EXISTS (
                   SELECT 1 FROM unnest(%(compared)s::text[]) AS f(name)
                   WHERE s.import -> f.name NOT IN ('""'::jsonb, '[]'::jsonb, 'null'::jsonb)
                     AND s.import -> f.name IS DISTINCT FROM s.page -> f.name)
               AND (s.import ->> 'published_at' IS NULL
                    OR CASE s.import ->> 'published_precision'
                           WHEN 'minute' THEN (s.import ->> 'published_at')::timestamptz
                                              = (s.page ->> 'published_at')::timestamptz
                           ELSE date_trunc(s.import ->> 'published_precision',
                                           (s.page ->> 'published_at')::timestamptz AT TIME ZONE 'Europe/Berlin')
                                = (s.import ->> 'published_at')::timestamptz AT TIME ZONE 'Europe/Berlin'
                       END) AS agree
        FROM (SELECT CASE WHEN i.origin = 'import' THEN to_jsonb(i) ELSE o.content END AS import,
                     CASE WHEN i.origin = 'import' THEN o.content ELSE to_jsonb(i) END AS page) s
        WHERE o.origin <> i.origin
    ) a ON true
), rev AS (
    INSERT INTO release_revisions (story_id, content_hash, content, valid_from)
    SELECT o.story_id, o.content_hash, o.content, o.changed_at
    FROM old o JOIN verdict v USING (story_id)
    WHERE v.outcome = 'changed'
    UNION ALL
    SELECT i.story_id, i.content_hash, to_jsonb(i) - 'seen_at', i.seen_at
    FROM incoming i JOIN verdict v USING (story_id)
    WHERE v.outcome = 'kept'
), up AS (
    INSERT INTO releases AS r (
        story_id, publisher_id, newsroom_kind, url, title, office_code, published_at, published_raw,
        published_ambiguous, published_precision, dateline, teaser, body, about, contact, originator,
        keywords, places, images, links, language, origin, story_id_derived, imported_from,
        content_hash, first_seen_at, last_seen_at, changed_at, fetched_at
    )
    SELECT i.story_id, i.publisher_id, i.newsroom_kind, i.url, i.title, i.office_code, i.published_at,
           i.published_raw, i.published_ambiguous, i.published_precision, i.dateline, i.teaser, i.body,
           i.about, i.contact, i.originator, i.keywords, i.places, i.images, i.links, i.language,
           i.origin, i.story_id_derived, i.imported_from, i.content_hash, i.seen_at, i.seen_at,
           CASE WHEN v.outcome = 'upgraded' THEN o.changed_at ELSE i.seen_at END, i.fetched_at
    FROM incoming i
    JOIN verdict v USING (story_id)
    LEFT JOIN old o USING (story_id)
    WHERE v.outcome IN ('new', 'changed', 'upgraded')
    ORDER BY i.story_id
    ON CONFLICT (story_id) DO UPDATE SET
        publisher_id = excluded.publisher_id,
        newsroom_kind = excluded.newsroom_kind,
        url = excluded.url,
        title = excluded.title,
        office_code = excluded.office_code,
        published_at = excluded.published_at,
        published_raw = excluded.published_raw,
        published_ambiguous = excluded.published_ambiguous,
        published_precision = excluded.published_precision,
        dateline = excluded.dateline,
        teaser = excluded.teaser,
        body = excluded.body,
        about = excluded.about,
        contact = excluded.contact,
        originator = excluded.originator,
        keywords = excluded.keywords,
        places = excluded.places,
        images = excluded.images,
        links = excluded.links,
        language = excluded.language,
        origin = excluded.origin,
        story_id_derived = excluded.story_id_derived,
        imported_from = excluded.imported_from,
        content_hash = excluded.content_hash,
        last_seen_at = excluded.last_seen_at,
        changed_at = excluded.changed_at,
        fetched_at = excluded.fetched_at
    WHERE r.content_hash IS DISTINCT FROM excluded.content_hash OR r.origin <> excluded.origin
    RETURNING r.story_id
)
SELECT story_id, outcome FROM verdict;

-- name: touch_unchanged
-- Seen again with the same content: only last_seen_at moves.
UPDATE releases SET last_seen_at = GREATEST(last_seen_at, %(seen_at)s)
WHERE story_id = ANY(%(story_ids)s);

-- name: upsert_pages
-- The raw pages of a batch (unique story_ids), as parallel arrays, all compressed the
-- same way (compression: its name); a page is rewritten only when its HTML changed, and
-- never by one fetched earlier.
INSERT INTO release_pages AS p (story_id, url, fetched_at, http_status, compression,
                                html_sha256, html_size, html)
SELECT story_id, url, fetched_at, http_status, %(compression)s, html_sha256, html_size, html
FROM unnest(%(story_id)s::integer[], %(url)s::text[], %(fetched_at)s::timestamptz[],
            %(http_status)s::smallint[], %(html_sha256)s::text[], %(html_size)s::integer[],
            %(html)b::bytea[])  -- binary: no hex text round trip
     AS x(story_id, url, fetched_at, http_status, html_sha256, html_size, html)
ORDER BY story_id
ON CONFLICT (story_id) DO UPDATE SET
    url = excluded.url, fetched_at = excluded.fetched_at, http_status = excluded.http_status,
    compression = excluded.compression, html_sha256 = excluded.html_sha256,
    html_size = excluded.html_size, html = excluded.html
WHERE p.html_sha256 IS DISTINCT FROM excluded.html_sha256
  AND (excluded.fetched_at >= p.fetched_at) IS NOT FALSE;

-- name: copy_releases_plain
-- The floor for the benchmark: plain COPY into the same table (generated tsvector and
-- GIN index included), no upsert, no revisions.
COPY releases (
    story_id, publisher_id, url, title, published_at, published_raw, published_ambiguous,
    dateline, teaser, body, about, contact, originator, keywords, places, images, links,
    language, content_hash, first_seen_at, last_seen_at, changed_at, fetched_at
) FROM STDIN;

-- name: insert_release_plain
-- The naive path for the benchmark baseline (news-please style: one INSERT, one commit).
INSERT INTO releases (
    story_id, publisher_id, newsroom_kind, url, title, office_code, published_at, published_raw,
    published_ambiguous, dateline, teaser, body, about, contact, originator, keywords, places, images,
    links, language, content_hash, first_seen_at, last_seen_at, changed_at, fetched_at
) VALUES (
    %(story_id)s, %(publisher_id)s, %(newsroom_kind)s, %(url)s, %(title)s, %(office_code)s,
    %(published_at)s, %(published_raw)s,
    %(published_ambiguous)s, %(dateline)s, %(teaser)s, %(body)s, %(about)s, %(contact)s,
    %(originator)s, %(keywords)s, %(places)s, %(images)s, %(links)s, %(language)s,
    %(content_hash)s, %(seen_at)s, %(seen_at)s, %(seen_at)s, %(fetched_at)s
);
