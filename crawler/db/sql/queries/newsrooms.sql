-- Following newsrooms (migration 010): which the refresh and the health watch.

-- name: newsroom_releases
-- %(kinds)s, %(ids)s: newsrooms side by side; each with the count of its stored
-- releases (imported ones too), whether the site has shown it (known_newsrooms, 011 and
-- 012: a crawled release, or a crawl or backfill naming it), and
-- whether it is unfollowed (`presseportal unfollow`, or the site answered 404).
SELECT n.kind, n.id,
       (SELECT count(*) FROM releases r WHERE r.newsroom_kind = n.kind AND r.publisher_id = n.id) AS releases,
       EXISTS (SELECT 1 FROM known_newsrooms k WHERE k.kind = n.kind AND k.id = n.id) AS met,
       EXISTS (SELECT 1 FROM unfollowed_newsrooms u WHERE u.kind = n.kind AND u.id = n.id) AS unfollowed
FROM unnest(%(kinds)s::text[], %(ids)s::integer[]) AS n(kind, id);

-- name: unfollow_newsroom
INSERT INTO unfollowed_newsrooms (kind, id, reason) VALUES (%(kind)s, %(id)s, %(reason)s)
ON CONFLICT (kind, id) DO UPDATE SET since = now(), reason = EXCLUDED.reason;

-- name: unfollow_if_empty
-- A newsroom the site does not know (its listing answered 404), unless the store holds
-- releases crawled from it: the site showed it, so it stays watched and the alert says it
-- is gone. Imported releases do not keep it (012: the site may never have known it).
INSERT INTO unfollowed_newsrooms (kind, id, reason)
SELECT %(kind)s, %(id)s, %(reason)s
WHERE NOT EXISTS (SELECT 1 FROM releases WHERE newsroom_kind = %(kind)s AND publisher_id = %(id)s
                                         AND origin = 'page')
ON CONFLICT (kind, id) DO UPDATE SET since = now(), reason = EXCLUDED.reason;

-- name: follow_again
DELETE FROM unfollowed_newsrooms
WHERE (kind, id) IN (SELECT * FROM unnest(%(kinds)s::text[], %(ids)s::integer[]));
