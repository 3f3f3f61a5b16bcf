-- 007: releases imported from dumps and API answers (`presseportal import`) beside the
-- crawled ones. See crawler/items.py FIELDS and upsert_releases in queries/store.sql.

ALTER TABLE releases
    -- how much of published_at is known: a page shows the minute; an import may know only
    -- the day or the month (published_at is then the period's first instant, Berlin);
    -- '' without a date
    ADD COLUMN published_precision text NOT NULL DEFAULT 'minute'
        CONSTRAINT releases_published_precision_check
        CHECK (published_precision IN ('minute', 'day', 'month', '')),
    -- where the release was read: a story page, or an import; a page wins over an import
    ADD COLUMN origin text NOT NULL DEFAULT 'page'
        CONSTRAINT releases_origin_check CHECK (origin IN ('page', 'import')),
    -- an import without the site's story id: stored under a negative id derived from its
    -- text, until a crawl of the same release (publisher, title, day) gives it the real one
    ADD COLUMN story_id_derived boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT releases_story_id_derived_check CHECK (story_id_derived = (story_id < 0));

-- When an import adopts its real story id, its revisions follow (ON UPDATE CASCADE).
ALTER TABLE release_revisions
    DROP CONSTRAINT release_revisions_story_id_fkey,
    ADD CONSTRAINT release_revisions_story_id_fkey FOREIGN KEY (story_id)
        REFERENCES releases (story_id) ON DELETE CASCADE ON UPDATE CASCADE;

-- A crawled page looks for the import of itself stored under a derived id: same
-- publisher and title (then the day). Only derived ids are indexed: few rows.
CREATE INDEX releases_derived_idx ON releases (publisher_id, title) WHERE story_id_derived;
