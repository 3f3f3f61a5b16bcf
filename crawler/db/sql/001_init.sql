-- 001: the whole store. Applied once by crawler.db.migrate inside a transaction and
-- recorded in schema_migrations; never edit an applied file, add 002_*.sql instead.

CREATE TABLE publishers (
    id            integer PRIMARY KEY,            -- /pm/{publisher_id}/...
    name          text NOT NULL DEFAULT '',
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE releases (
    story_id            integer PRIMARY KEY,      -- /pm/.../{story_id}
    publisher_id        integer NOT NULL REFERENCES publishers (id),
    url                 text NOT NULL,
    title               text NOT NULL DEFAULT '',
    published_at        timestamptz,
    published_raw       text NOT NULL DEFAULT '',
    published_ambiguous boolean NOT NULL DEFAULT false,
    dateline            text NOT NULL DEFAULT '',
    teaser              text NOT NULL DEFAULT '',
    body                text NOT NULL DEFAULT '',
    about               text NOT NULL DEFAULT '',
    contact             text NOT NULL DEFAULT '',
    originator          text NOT NULL DEFAULT '',
    keywords            text[] NOT NULL DEFAULT '{}',
    places              text[] NOT NULL DEFAULT '{}',
    images              jsonb NOT NULL DEFAULT '[]',   -- [{"url", "caption"}]
    links               jsonb NOT NULL DEFAULT '[]',   -- [{"url", "text"}]
    language            text NOT NULL DEFAULT 'de',
    -- sha256 (hex) of the normalised content fields: see pipelines.store.content_hash
    content_hash        text NOT NULL,
    first_seen_at       timestamptz NOT NULL DEFAULT now(),
    last_seen_at        timestamptz NOT NULL DEFAULT now(),
    changed_at          timestamptz NOT NULL DEFAULT now(),  -- last time content_hash changed
    fetched_at          timestamptz,
    -- German full text, weighted: title A, teaser B, body C
    search              tsvector GENERATED ALWAYS AS (
                            setweight(to_tsvector('german'::regconfig, title), 'A')
                            || setweight(to_tsvector('german'::regconfig, teaser), 'B')
                            || setweight(to_tsvector('german'::regconfig, body), 'C')
                        ) STORED
);
CREATE INDEX releases_search_idx ON releases USING gin (search);
CREATE INDEX releases_publisher_published_idx ON releases (publisher_id, published_at DESC);
CREATE INDEX releases_published_idx ON releases (published_at DESC);

-- The previous content of a release, one row each time its content hash changed.
CREATE TABLE release_revisions (
    id           bigserial PRIMARY KEY,
    story_id     integer NOT NULL REFERENCES releases (story_id) ON DELETE CASCADE,
    content_hash text NOT NULL,          -- hash of the content kept here (the old one)
    content      jsonb NOT NULL,         -- the old releases row (without the search column)
    valid_from   timestamptz NOT NULL,   -- the old changed_at
    replaced_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX release_revisions_story_idx ON release_revisions (story_id, replaced_at);

-- The raw page of each story as last fetched (rewritten only when the HTML changes),
-- so an improved extractor can re-derive every release without crawling again.
CREATE TABLE release_pages (
    story_id     integer PRIMARY KEY REFERENCES releases (story_id) ON DELETE CASCADE,
    url          text NOT NULL,
    fetched_at   timestamptz,
    http_status  smallint NOT NULL DEFAULT 200,
    compression  text NOT NULL DEFAULT 'zlib',  -- html = zlib.compress(utf8 text)
    html_sha256  text NOT NULL,                 -- of the uncompressed UTF-8 text
    html_size    integer NOT NULL,              -- uncompressed bytes
    html         bytea NOT NULL
);

CREATE TABLE crawl_runs (
    id           bigserial PRIMARY KEY,
    mode         text NOT NULL,                 -- crawl | backfill | scrapy | ...
    publishers   integer[] NOT NULL DEFAULT '{}',  -- empty: all
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    status       text NOT NULL DEFAULT 'running',
    pages        integer NOT NULL DEFAULT 0,
    new          integer NOT NULL DEFAULT 0,
    changed      integer NOT NULL DEFAULT 0,
    unchanged    integer NOT NULL DEFAULT 0,
    errors       integer NOT NULL DEFAULT 0,
    coverage     jsonb NOT NULL DEFAULT '{}',   -- {field: ratio of items with it filled}
    pid          integer,                       -- OS pid of the crawling process
    host         text,
    backend_pid  integer                        -- pg_backend_pid() of the session holding the lock
);
CREATE INDEX crawl_runs_started_idx ON crawl_runs (started_at DESC);

CREATE TABLE crawl_errors (
    id       bigserial PRIMARY KEY,
    run_id   bigint REFERENCES crawl_runs (id) ON DELETE CASCADE,
    url      text NOT NULL DEFAULT '',
    stage    text NOT NULL,                     -- fetch | extract | normalize | validate | store
    reason   text NOT NULL,
    snippet  text NOT NULL DEFAULT '',
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX crawl_errors_run_idx ON crawl_errors (run_id);

-- Crash-safe progress of long jobs (backfill): one JSON state per key, written in the
-- same transaction as the work it describes.
CREATE TABLE crawl_cursors (
    key        text PRIMARY KEY,
    state      jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
