-- Audit sampling (稽核): each month 审计科 draws closed cases per section at
-- a rate (ppm) from a recorded seed, so the draw can be repeated and
-- checked; each drawn case is checked against the checklist, its findings
-- and the required rectification followed until done.
CREATE TABLE audit_samples (
    id          @ID@,
    month       TEXT NOT NULL CHECK (length(month) = 7),
    section     TEXT NOT NULL,
    rate_ppm    BIGINT NOT NULL,
    seed        BIGINT NOT NULL,
    population  BIGINT NOT NULL,
    drawn_by    TEXT NOT NULL,
    drawn_at    @TS@ NOT NULL,
    UNIQUE (month, section)
);
CREATE TABLE audit_sample_items (
    id               @ID@,
    sample_id        BIGINT NOT NULL REFERENCES audit_samples (id),
    case_id          BIGINT NOT NULL REFERENCES cases (id),
    case_no          TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'passed', 'finding', 'rectified')),
    checklist        TEXT NOT NULL DEFAULT '',
    finding          TEXT NOT NULL DEFAULT '',
    rectification    TEXT NOT NULL DEFAULT '',
    false_commitment @BOOL@ NOT NULL DEFAULT FALSE,
    checked_by       TEXT NOT NULL DEFAULT '',
    checked_at       @TS@,
    rectified_note   TEXT NOT NULL DEFAULT '',
    rectified_at     @TS@,
    version          BIGINT NOT NULL DEFAULT 1,
    UNIQUE (sample_id, case_id)
);
CREATE INDEX audit_sample_items_status ON audit_sample_items (status, id);
