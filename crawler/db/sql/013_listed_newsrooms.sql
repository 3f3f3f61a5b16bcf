-- 013: the newsrooms the store lists, defined once (`status`'s releases per newsroom, the
-- health's newsrooms: crawler/db/sql/queries/reads.sql and health.sql): every newsroom it
-- knows (known_newsrooms, 011 and 012: the site showed it; `known` true) and every one
-- only imported records name (a publishers row the site never showed: `known` false,
-- never followed, listed so that its releases are not hidden).
-- MATERIALIZED: known_newsrooms is read twice, and computed once.
CREATE VIEW listed_newsrooms (kind, id, known) AS
    WITH known AS MATERIALIZED (
        SELECT kind, id FROM known_newsrooms
    )
    SELECT kind, id, true FROM known
    UNION ALL
    SELECT p.kind, p.id, false FROM publishers p
    WHERE NOT EXISTS (SELECT 1 FROM known k WHERE k.kind = p.kind AND k.id = p.id);
