-- 002: release_pages.html is zlib-compressed by the store already; EXTERNAL storage
-- keeps it out of line without PostgreSQL trying (and failing) to compress it again.
ALTER TABLE release_pages ALTER COLUMN html SET STORAGE EXTERNAL;
