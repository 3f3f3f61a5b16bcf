-- Named queries for the per-site request budget (crawler/db/budget.py, table site_budgets).

-- name: reserve_slot
-- One atomic statement: the slot is greatest(now, next_at); next_at moves one interval
-- past it. Returns the seconds to wait until the slot, on the database's clock (so the
-- machines' clocks do not matter). clock_timestamp(): the real now, not the
-- transaction's start.
INSERT INTO site_budgets AS b (host, next_at)
VALUES (%(host)s, clock_timestamp() + make_interval(secs => %(interval)s))
ON CONFLICT (host) DO UPDATE
    SET next_at = greatest(clock_timestamp(), b.next_at) + make_interval(secs => %(interval)s)
RETURNING greatest(0, extract(epoch FROM b.next_at - clock_timestamp()) - %(interval)s)::float8 AS wait,
          clock_timestamp() AS reserved_at;

-- name: pushed_since
-- Did the site say "slow down" after this slot was reserved? Then the slot is void.
SELECT coalesce(pushed_at > %(reserved_at)s, false) FROM site_budgets WHERE host = %(host)s;

-- name: push_back
-- The site said "slow down" (429, Retry-After): nobody sends before now + seconds.
INSERT INTO site_budgets AS b (host, next_at, pushed_at, pushes)
VALUES (%(host)s, clock_timestamp() + make_interval(secs => %(seconds)s), clock_timestamp(), 1)
ON CONFLICT (host) DO UPDATE
    SET next_at = greatest(b.next_at, clock_timestamp() + make_interval(secs => %(seconds)s)),
        pushed_at = clock_timestamp(), pushes = b.pushes + 1;
