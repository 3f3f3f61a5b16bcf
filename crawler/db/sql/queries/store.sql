-- Named queries of the store pipeline (pipelines.store). One batch = one transaction:
-- insert_publisher + touch_publisher (per publisher), upsert_releases (the whole batch as JSON),
-- touch_unchanged, upsert_pages (arrays), add_run_counts.

-- name: insert_publisher
-- New publishers only: DO NOTHING takes no row lock on a known one, so concurrent batch
-- writers of one publisher do not queue behind each other here.
INSERT INTO publishers (id, name, first_seen_at, last_seen_at)
VALUES (%(id)s, %(name)s, %(seen_at)s, %(seen_at)s)
ON CONFLICT (id) DO NOTHING;

-- name: touch_publisher
-- A new name (never an empty one), or last_seen_at more than a minute old: only then is
-- the row written (and locked), so most batches leave it alone.
UPDATE publishers SET
    name = CASE WHEN %(name)s <> '' THEN %(name)s ELSE name END,
    last_seen_at = GREATEST(last_seen_at, %(seen_at)s)
WHERE id = %(id)s
  AND ((%(name)s <> '' AND name IS DISTINCT FROM %(name)s)
       OR last_seen_at < %(seen_at)s::timestamptz - interval '1 minute');

-- name: upsert_releases
-- One statement per batch (set-based: per-row statements cost more than the rows).
-- %(batch)s is a JSON array of release rows with unique story_ids. `old` is the state
-- before (rows locked, in story_id order), `rev` keeps it as a revision where the hash
-- differs, `up` inserts or updates only where the hash differs, so an unchanged release
-- is not rewritten and keeps its changed_at. A row fetched earlier than the stored one
-- (a spill file replayed after a newer crawl) never overwrites it: `stale`. Returns each
-- story's outcome.
WITH incoming AS (
    SELECT * FROM jsonb_to_recordset(%(batch)s::jsonb) AS x(
        story_id integer, publisher_id integer, url text, title text,
        published_at timestamptz, published_raw text, published_ambiguous boolean,
        dateline text, teaser text, body text, about text, contact text, originator text,
        keywords text[], places text[], images jsonb, links jsonb, language text,
        content_hash text, fetched_at timestamptz, seen_at timestamptz)
), old AS (
    SELECT r.story_id, r.content_hash, to_jsonb(r) - 'search' AS content, r.changed_at,
           i.fetched_at < r.fetched_at AS stale
    FROM releases r JOIN incoming i USING (story_id)
    ORDER BY r.story_id
    FOR UPDATE OF r
), rev AS (
    INSERT INTO release_revisions (story_id, content_hash, content, valid_from)
    SELECT o.story_id, o.content_hash, o.content, o.changed_at
    FROM old o JOIN incoming i USING (story_id)
    WHERE o.content_hash IS DISTINCT FROM i.content_hash AND o.stale IS NOT TRUE
    ORDER BY o.story_id
), up AS (
    INSERT INTO releases AS r (
        story_id, publisher_id, url, title, published_at, published_raw, published_ambiguous,
        dateline, teaser, body, about, contact, originator, keywords, places, images, links,
        language, content_hash, first_seen_at, last_seen_at, changed_at, fetched_at
    )
    SELECT story_id, publisher_id, url, title, published_at, published_raw, published_ambiguous,
           dateline, teaser, body, about, contact, originator, keywords, places, images, links,
           language, content_hash, seen_at, seen_at, seen_at, fetched_at
    FROM incoming
    ORDER BY story_id
    ON CONFLICT (story_id) DO UPDATE SET
        publisher_id = excluded.publisher_id,
        url = excluded.url,
        title = excluded.title,
        published_at = excluded.published_at,
        published_raw = excluded.published_raw,
        published_ambiguous = excluded.published_ambiguous,
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
        content_hash = excluded.content_hash,
        last_seen_at = excluded.last_seen_at,
        changed_at = excluded.changed_at,
        fetched_at = excluded.fetched_at
    WHERE r.content_hash IS DISTINCT FROM excluded.content_hash
      AND (excluded.fetched_at >= r.fetched_at) IS NOT FALSE
    RETURNING r.story_id
)
SELECT i.story_id,
       CASE WHEN o.story_id IS NULL THEN 'new'
            WHEN u.story_id IS NOT NULL THEN 'changed'
            WHEN o.stale THEN 'stale'
            ELSE 'unchanged' END AS outcome
FROM incoming i
LEFT JOIN old o USING (story_id)
LEFT JOIN up u USING (story_id);

-- name: touch_unchanged
-- Seen again with the same content: only last_seen_at moves.
UPDATE releases SET last_seen_at = GREATEST(last_seen_at, %(seen_at)s)
WHERE story_id = ANY(%(story_ids)s);

-- name: upsert_pages
-- The raw pages of a batch (unique story_ids), as parallel arrays; a page is rewritten
-- only when its HTML changed, and never by one fetched earlier.
INSERT INTO release_pages AS p (story_id, url, fetched_at, http_status, compression,
                                html_sha256, html_size, html)
SELECT story_id, url, fetched_at, http_status, 'zlib', html_sha256, html_size, html
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

-- name: insert_release_plain
-- The naive path for the benchmark baseline (news-please style: one INSERT, one commit).
INSERT INTO releases (
    story_id, publisher_id, url, title, published_at, published_raw, published_ambiguous,
    dateline, teaser, body, about, contact, originator, keywords, places, images, links,
    language, content_hash, first_seen_at, last_seen_at, changed_at, fetched_at
) VALUES (
    %(story_id)s, %(publisher_id)s, %(url)s, %(title)s, %(published_at)s, %(published_raw)s,
    %(published_ambiguous)s, %(dateline)s, %(teaser)s, %(body)s, %(about)s, %(contact)s,
    %(originator)s, %(keywords)s, %(places)s, %(images)s, %(links)s, %(language)s,
    %(content_hash)s, %(seen_at)s, %(seen_at)s, %(seen_at)s, %(fetched_at)s
);
