-- 010: newsrooms no longer followed. A newsroom is followed once the store has met it
-- (a release, a run naming it); the refresh queues it and the health report and metrics
-- watch it ("no successful run"). A row here stops that, and keeps its releases:
-- `presseportal unfollow`, or a run whose listing answered 404 for a newsroom of which
-- the store holds nothing (the site does not know it). A later successful walk of the
-- newsroom (`presseportal crawl --publisher N`) follows it again.
CREATE TABLE unfollowed_newsrooms (
    kind   text NOT NULL CHECK (kind IN ('publisher', 'office')),
    id     integer NOT NULL,
    since  timestamptz NOT NULL DEFAULT now(),
    reason text NOT NULL DEFAULT '',
    PRIMARY KEY (kind, id)
);
