-- 012: what an import brings stays apart from what the site showed us.
--
-- The newsrooms the store knows (known_newsrooms, 011) are those the site has shown:
-- one it holds a crawled release of (origin 'page': crawled, re-extracted, or an import
-- a crawl upgraded), or one a run that visits listings named (crawl, backfill, full).
-- A newsroom that only imported records name is not known: the workers' refresh and
-- `enqueue crawl --all-known` crawled it, and a publisher id the site does not know
-- (seen: 12345, from a dump) failed with a 404 on every sweep, with a "no successful
-- run" alert for ever. Its releases stay (status, search, export; the report by id).
-- EXISTS along releases_newsroom_published_idx: a crawled newsroom's newest row is a page.
CREATE OR REPLACE VIEW known_newsrooms (kind, id) AS
    SELECT p.kind, p.id FROM publishers p
    WHERE EXISTS (SELECT 1 FROM releases r
                  WHERE r.newsroom_kind = p.kind AND r.publisher_id = p.id AND r.origin = 'page')
    UNION
    SELECT DISTINCT 'publisher', unnest(publishers) FROM crawl_runs WHERE mode IN ('incremental', 'backfill', 'full')
    UNION
    SELECT DISTINCT 'office', unnest(offices) FROM crawl_runs WHERE mode IN ('incremental', 'backfill', 'full');

-- Where an import read each release: "FILE:LINE" as the import named it (its bad records
-- are named so too), '' for a crawled page. A flattened dump's line has no URL and no
-- title: search and status show "(no URL: imported from FILE:LINE)" for it, so the
-- record can be found again. Not content (no revision for it); a page that upgrades the
-- import clears it.
ALTER TABLE releases ADD COLUMN imported_from text NOT NULL DEFAULT '';
