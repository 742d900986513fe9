-- Accounts: every actor's login, staff sections, sessions, login throttling
-- and API clients. Everything a login needs lives here, not in process
-- memory, so several servers can share one PostgreSQL.

-- users: one row per login. username is the employer number (employer),
-- the 18-character ID number (person), a chosen name (staff, admin) or
-- "api-<key prefix>" (API client, which cannot log in with a password).
-- employer_id and person_id point into tables of later migrations, so they
-- carry no foreign key.
CREATE TABLE users (
    id                   @ID@,
    username             TEXT NOT NULL UNIQUE,
    password_hash        TEXT NOT NULL,
    role                 TEXT NOT NULL CHECK (role IN ('employer', 'person', 'staff', 'admin', 'api')),
    employer_id          BIGINT,
    person_id            BIGINT,
    display_name         TEXT NOT NULL DEFAULT '',
    must_change_password @BOOL@ NOT NULL DEFAULT FALSE,
    failed_count         INTEGER NOT NULL DEFAULT 0,
    last_failed_at       @TS@,
    locked_until         @TS@,
    disabled             @BOOL@ NOT NULL DEFAULT FALSE,
    created_at           @TS@ NOT NULL,
    password_changed_at  @TS@,
    version              BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX users_employer ON users (employer_id);
CREATE INDEX users_person ON users (person_id);
CREATE INDEX users_role ON users (role, username);

-- user_sections: the sections (科室) a staff member works in.
CREATE TABLE user_sections (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    section TEXT NOT NULL CHECK (section IN ('coordination', 'injury', 'welfare', 'fund', 'audit', 'selfemployed', 'account', 'office')),
    PRIMARY KEY (user_id, section)
);

-- sessions: id is the hex SHA-256 of the cookie token; the token itself is
-- never stored. csrf_secret is the token forms carry.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_secret  TEXT NOT NULL,
    created_at   @TS@ NOT NULL,
    last_seen_at @TS@ NOT NULL,
    expires_at   @TS@ NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- login_failures: one row per failed login, for per-IP throttling over a
-- sliding window. The username is deliberately not kept (it may be an ID number).
CREATE TABLE login_failures (
    id @ID@,
    ip TEXT NOT NULL,
    at @TS@ NOT NULL
);
CREATE INDEX login_failures_ip ON login_failures (ip, at);
CREATE INDEX login_failures_at ON login_failures (at);

-- api_clients: hospitals and banks calling /api/v1 with a key. Only the
-- SHA-256 of the key is stored; key_prefix finds the row. Each client acts
-- as its own users row (role 'api') so audit entries name it.
CREATE TABLE api_clients (
    id           @ID@,
    user_id      BIGINT NOT NULL UNIQUE REFERENCES users (id),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('hospital', 'bank')),
    key_prefix   TEXT NOT NULL UNIQUE,
    key_hash     TEXT NOT NULL,
    created_by   BIGINT NOT NULL,
    created_at   @TS@ NOT NULL,
    revoked_at   @TS@,
    last_used_at @TS@,
    version      BIGINT NOT NULL DEFAULT 1
);
