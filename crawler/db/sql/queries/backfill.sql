-- Named queries of crash-safe backfills (crawler.extensions.BackfillCursor).

-- name: stored_since
-- Which of these stories the store has written (new, changed or seen unchanged) since a time.
SELECT story_id FROM releases
WHERE story_id = ANY(%(story_ids)s) AND last_seen_at >= %(since)s;
