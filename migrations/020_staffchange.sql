-- Staff changes (人员增减): employers add and remove their insured staff,
-- one at a time or by Excel import; conflicts between two employers for
-- the same person go to 统筹科.

-- The wage the employer declared for an employment, before clamping to
-- the base limits (employments.base_fen is the clamped base); 0 = unknown.
ALTER TABLE employments ADD COLUMN declared_fen BIGINT NOT NULL DEFAULT 0;

-- An import of a staff Excel file. status applied: every row was written
-- in one transaction; rejected: nothing was written and report lists the
-- problems (JSON array of {row, column, message}).
CREATE TABLE staff_imports (
    id           @ID@,
    employer_id  BIGINT NOT NULL REFERENCES employers (id),
    file_name    TEXT NOT NULL DEFAULT '',
    file_sha256  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('applied', 'rejected')),
    rows_total   BIGINT NOT NULL DEFAULT 0,
    rows_added   BIGINT NOT NULL DEFAULT 0,
    rows_removed BIGINT NOT NULL DEFAULT 0,
    report       TEXT NOT NULL DEFAULT '[]',
    actor_id     BIGINT NOT NULL DEFAULT 0,
    created_at   @TS@ NOT NULL
);
CREATE INDEX staff_imports_employer ON staff_imports (employer_id, created_at);
-- The same file is applied at most once per employer.
CREATE UNIQUE INDEX staff_imports_applied ON staff_imports (employer_id, file_sha256) WHERE status = 'applied';

-- One row per change an employer made: add (增员), remove (减员) or base
-- (基数更正). month is the start, end or first corrected month.
CREATE TABLE staff_changes (
    id            @ID@,
    employer_id   BIGINT NOT NULL REFERENCES employers (id),
    person_id     BIGINT NOT NULL REFERENCES persons (id),
    employment_id BIGINT NOT NULL REFERENCES employments (id),
    kind          TEXT NOT NULL CHECK (kind IN ('add', 'remove', 'base')),
    month         TEXT NOT NULL CHECK (length(month) = 7),
    declared_fen  BIGINT NOT NULL DEFAULT 0,
    base_fen      BIGINT NOT NULL DEFAULT 0,
    old_base_fen  BIGINT NOT NULL DEFAULT 0,
    reason        TEXT NOT NULL DEFAULT '',
    flags         TEXT NOT NULL DEFAULT '',
    import_id     BIGINT REFERENCES staff_imports (id),
    actor_id      BIGINT NOT NULL DEFAULT 0,
    created_at    @TS@ NOT NULL
);
CREATE INDEX staff_changes_employer ON staff_changes (employer_id, created_at);
CREATE INDEX staff_changes_employment ON staff_changes (employment_id);

-- A request to 统筹科 when the person an employer adds is still insured by
-- another employer. The requested employment (start month, declared wage,
-- name, phone) is kept so that resolving it ends the old employment and
-- adds the new one in one transaction.
CREATE TABLE staff_conflicts (
    id                   @ID@,
    person_id            BIGINT NOT NULL REFERENCES persons (id),
    employer_id          BIGINT NOT NULL REFERENCES employers (id),
    holder_employer_id   BIGINT NOT NULL REFERENCES employers (id),
    holder_employment_id BIGINT NOT NULL REFERENCES employments (id),
    start_month          TEXT NOT NULL CHECK (length(start_month) = 7),
    declared_fen         BIGINT NOT NULL CHECK (declared_fen > 0),
    phone                TEXT NOT NULL DEFAULT '',
    note                 TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'rejected')),
    end_month            TEXT,
    resolution_note      TEXT NOT NULL DEFAULT '',
    resolved_by          BIGINT,
    resolved_at          @TS@,
    created_at           @TS@ NOT NULL,
    version              BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX staff_conflicts_status ON staff_conflicts (status, created_at);
-- One open request per person and requesting employer.
CREATE UNIQUE INDEX staff_conflicts_open ON staff_conflicts (person_id, employer_id) WHERE status = 'open';
