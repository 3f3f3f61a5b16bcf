-- German search as users type it (presseportal search):
-- * a word inside a compound: "Marketing" finds "Stadtmarketing" (pg_trgm: the folded
--   text holds the word; ranked by trigram word similarity);
-- * umlauts and sharp s typed as two letters: "Fachkraefte" finds "Fachkräfte",
--   "Strasse" finds "Straße" (german_fold below, both sides folded alike).
-- Full-text matches (the 'german' search column, with stemming) still rank first.
-- Both extensions are "trusted" (PostgreSQL 13+): a database owner may create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- ä/ö/ü/ß (either case) as ae/oe/ue/ss, every other accent dropped (unaccent's own rules),
-- then lower case: the umlauts go first because unaccent alone would make ä an a.
-- A SQL-standard body binds unaccent and its dictionary now, whatever the search_path.
CREATE FUNCTION german_fold(input text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN lower(unaccent('unaccent'::regdictionary,
    replace(replace(replace(replace(replace(replace(replace(input,
        'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'Ä', 'Ae'), 'Ö', 'Oe'), 'Ü', 'Ue'), 'ß', 'ss')));
