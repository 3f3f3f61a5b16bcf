-- Named queries of the store pipeline (pipelines.store). One batch = one transaction:
-- upsert_publishers, then upsert_release for each item (executemany, pipelined), then
-- touch_unchanged, upsert_page for each page, add_run_counts.

-- name: upsert_publisher
-- An empty name never overwrites a known one.
INSERT INTO publishers AS p (id, name, first_seen_at, last_seen_at)
VALUES (%(id)s, %(name)s, %(seen_at)s, %(seen_at)s)
ON CONFLICT (id) DO UPDATE SET
    name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE p.name END,
    last_seen_at = GREATEST(p.last_seen_at, excluded.last_seen_at)
WHERE p.last_seen_at < excluded.last_seen_at
   OR (excluded.name <> '' AND p.name IS DISTINCT FROM excluded.name);

-- name: upsert_release
-- Tells new / changed / unchanged in one statement: `old` is the row before (locked),
-- `rev` keeps it as a revision when the hash differs, `up` inserts or updates only when
-- the hash differs (so an unchanged release is not rewritten and changed_at stays).
WITH old AS (
    SELECT * FROM releases WHERE story_id = %(story_id)s FOR UPDATE
), rev AS (
    INSERT INTO release_revisions (story_id, content_hash, content, valid_from)
    SELECT o.story_id, o.content_hash, to_jsonb(o) - 'search', o.changed_at
    FROM old o
    WHERE o.content_hash IS DISTINCT FROM %(content_hash)s
), up AS (
    INSERT INTO releases AS r (
        story_id, publisher_id, url, title, published_at, published_raw, published_ambiguous,
        dateline, teaser, body, about, contact, originator, keywords, places, images, links,
        language, content_hash, first_seen_at, last_seen_at, changed_at, fetched_at
    ) VALUES (
        %(story_id)s, %(publisher_id)s, %(url)s, %(title)s, %(published_at)s, %(published_raw)s,
        %(published_ambiguous)s, %(dateline)s, %(teaser)s, %(body)s, %(about)s, %(contact)s,
        %(originator)s, %(keywords)s, %(places)s, %(images)s, %(links)s, %(language)s,
        %(content_hash)s, %(seen_at)s, %(seen_at)s, %(seen_at)s, %(fetched_at)s
    )
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
    RETURNING (xmax = 0) AS inserted
)
SELECT CASE
    WHEN NOT EXISTS (SELECT 1 FROM old) THEN 'new'
    WHEN EXISTS (SELECT 1 FROM up) THEN 'changed'
    ELSE 'unchanged'
END AS outcome;

-- name: touch_unchanged
-- Seen again with the same content: only last_seen_at moves.
UPDATE releases SET last_seen_at = GREATEST(last_seen_at, %(seen_at)s)
WHERE story_id = ANY(%(story_ids)s);

-- name: upsert_page
-- The page is rewritten only when its HTML changed.
INSERT INTO release_pages AS p (story_id, url, fetched_at, http_status, compression,
                                html_sha256, html_size, html)
VALUES (%(story_id)s, %(url)s, %(fetched_at)s, %(http_status)s, 'zlib',
        %(html_sha256)s, %(html_size)s, %(html)s)
ON CONFLICT (story_id) DO UPDATE SET
    url = excluded.url, fetched_at = excluded.fetched_at, http_status = excluded.http_status,
    compression = excluded.compression, html_sha256 = excluded.html_sha256,
    html_size = excluded.html_size, html = excluded.html
WHERE p.html_sha256 IS DISTINCT FROM excluded.html_sha256;

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
