-- Policy: effective-dated rules with their legal basis, emergency periods
-- and their measures, the working-day calendar, and one state row whose
-- revision every policy change bumps (servers validate their caches with it).

-- One row. revision: bumped in the same transaction as every change to the
-- tables below; file_version: the newest rules file imported.
CREATE TABLE policy_state (
    id           INTEGER NOT NULL PRIMARY KEY,
    revision     BIGINT NOT NULL,
    file_version BIGINT NOT NULL
);
INSERT INTO policy_state (id, revision, file_version) VALUES (1, 0, 0);

-- A rule value in force from effective_from to effective_to (both
-- inclusive, 'YYYY-MM-DD'; effective_to NULL = until replaced). The service
-- refuses overlapping periods of the same key and scope.
CREATE TABLE rule_values (
    id             @ID@,
    key            TEXT NOT NULL,
    scope          TEXT NOT NULL DEFAULT '',
    effective_from TEXT NOT NULL,
    effective_to   TEXT,
    value          TEXT NOT NULL,
    unit           TEXT NOT NULL,
    legal_basis    TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     @TS@ NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1,
    UNIQUE (key, scope, effective_from)
);

-- A declared emergency period (应急期). end_day NULL = still open.
-- makeup_until and originals_due are derived from end_day and stored so
-- that lists and other servers need not recompute them.
CREATE TABLE emergencies (
    id            @ID@,
    title         TEXT NOT NULL,
    start_day     TEXT NOT NULL,
    end_day       TEXT,
    scope         TEXT NOT NULL,
    legal_basis   TEXT NOT NULL,
    makeup_until  TEXT,
    originals_due TEXT,
    created_by    TEXT NOT NULL,
    created_at    @TS@ NOT NULL,
    updated_at    @TS@ NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);

-- The measures (措施) of an emergency, with their parameters as JSON
-- (e.g. {"fee_months":["2024-01","2024-02"],"due":"2024-03-31"}).
CREATE TABLE emergency_measures (
    emergency_id BIGINT NOT NULL REFERENCES emergencies (id),
    measure      TEXT NOT NULL,
    params       @JSON@ NOT NULL,
    PRIMARY KEY (emergency_id, measure)
);

-- Exceptions to the Monday–Friday week: public holidays and make-up
-- workdays (调休).
CREATE TABLE calendar_days (
    day         TEXT NOT NULL PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name        TEXT NOT NULL,
    legal_basis TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  @TS@ NOT NULL
);
