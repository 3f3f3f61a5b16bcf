-- 006: police and fire offices beside publishers (issue 13). A newsroom is (kind, id):
-- a company's ("publisher", /nr/{id}) or an office's ("office", /blaulicht/nr/{id}); the
-- site may give both kinds the same id number, so the publishers table (every newsroom)
-- and the releases that point into it key by both. Story ids share one sequence across
-- both kinds: releases.story_id stays the key of a release.

ALTER TABLE publishers
    ADD COLUMN kind text NOT NULL DEFAULT 'publisher' CHECK (kind IN ('publisher', 'office'));

ALTER TABLE releases
    ADD COLUMN newsroom_kind text NOT NULL DEFAULT 'publisher' CHECK (newsroom_kind IN ('publisher', 'office')),
    -- an office's code as its title opens with it ("POL-XY"); '' for a company's release
    ADD COLUMN office_code text NOT NULL DEFAULT '';

ALTER TABLE releases DROP CONSTRAINT releases_publisher_id_fkey;
ALTER TABLE publishers DROP CONSTRAINT publishers_pkey;
ALTER TABLE publishers ADD PRIMARY KEY (kind, id);
ALTER TABLE releases ADD CONSTRAINT releases_newsroom_fkey
    FOREIGN KEY (newsroom_kind, publisher_id) REFERENCES publishers (kind, id);

DROP INDEX releases_publisher_published_idx;
CREATE INDEX releases_newsroom_published_idx ON releases (newsroom_kind, publisher_id, published_at DESC);

-- the offices of a run, beside its publishers (both empty: all newsrooms)
ALTER TABLE crawl_runs ADD COLUMN offices integer[] NOT NULL DEFAULT '{}';

-- resume points and validators are kept per newsroom: "newsroom:73811" and
-- "backfill:73811:..." become "newsroom:publisher:73811" and "backfill:publisher:73811:..."
UPDATE crawl_cursors
SET key = regexp_replace(key, '^(newsroom|backfill):([0-9]+)', '\1:publisher:\2')
WHERE key ~ '^(newsroom|backfill):[0-9]+(:|$)';
