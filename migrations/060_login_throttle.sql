-- Login throttling without races and without revealing who exists.
--
-- Every login attempt is counted (reserved) by one conditional upsert per
-- counter before its password is hashed, so parallel attempts can never
-- check more passwords than a limit allows, on either engine and across
-- servers sharing one PostgreSQL. Times in these two tables are Unix
-- milliseconds, so the growing delay is plain integer arithmetic on both
-- engines.

-- login_sources: attempts from one client address (source) in a fixed
-- window; a successful login gives its attempt back, so only failures and
-- attempts still being checked use up the limit.
CREATE TABLE login_sources (
    source       TEXT PRIMARY KEY,
    attempts     INTEGER NOT NULL,
    window_start BIGINT NOT NULL
);
CREATE INDEX login_sources_window ON login_sources (window_start);

-- login_delays: attempts at one username from one source since its last
-- success. After the free attempts each further one must wait a growing
-- delay (next_at). key is a keyed hash of the normalised username and the
-- source, so neither usernames (ID numbers) nor their existence are stored;
-- unknown usernames are throttled exactly like known ones.
CREATE TABLE login_delays (
    key      TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL,
    next_at  BIGINT NOT NULL,
    last_at  BIGINT NOT NULL
);
CREATE INDEX login_delays_last ON login_delays (last_at);

-- login_secret: the one random key of those hashes, made by the first
-- server that needs it and shared by all.
CREATE TABLE login_secret (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    secret TEXT NOT NULL
);

-- Staff and administrator accounts count failures across all sources in
-- users.failed_count / last_failed_at; at the configured number they need
-- an administrator's unlock (unlock_required_at). Other accounts are never
-- locked: the temporary lock anyone could set on anyone is gone, and so are
-- its column and the per-failure rows of the old per-IP throttle.
ALTER TABLE users ADD COLUMN unlock_required_at @TS@;
ALTER TABLE users DROP COLUMN locked_until;
DROP TABLE login_failures;
