-- Retiree record upkeep (退休人员缴费记录维护): corrections of a retiree's
-- historical pension contribution records, raised by 保险福利科 from a
-- retirement case or by 个人账户科 itself, each with its evidence scans,
-- and applied centrally by 个人账户科 in batches checked by a second
-- clerk. Written by internal/upkeep; the records themselves are changed
-- through internal/contribution.
CREATE TABLE record_correction_batches (
    id          @ID@,
    no          TEXT NOT NULL UNIQUE,
    status      TEXT NOT NULL CHECK (status IN ('prepared', 'checked', 'applied')),
    note        TEXT NOT NULL DEFAULT '',
    prepared_by BIGINT NOT NULL,
    checked_by  BIGINT NOT NULL DEFAULT 0,
    checked_at  @TS@,
    applied_by  BIGINT NOT NULL DEFAULT 0,
    applied_at  @TS@,
    created_at  @TS@ NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX record_correction_batches_status ON record_correction_batches (status, id);

CREATE TABLE record_corrections (
    id              @ID@,
    no              TEXT NOT NULL UNIQUE,
    person_id       BIGINT NOT NULL REFERENCES persons (id),
    case_no         TEXT NOT NULL DEFAULT '',          -- the retirement case it was raised from ('' = raised by 个人账户科)
    channel         TEXT NOT NULL CHECK (channel IN ('retirement', 'account')),
    from_month      TEXT NOT NULL CHECK (length(from_month) = 7),
    to_month        TEXT NOT NULL CHECK (length(to_month) = 7),
    base_fen        BIGINT NOT NULL DEFAULT 0 CHECK (base_fen >= 0), -- corrected base; 0 = unchanged
    paid            TEXT NOT NULL DEFAULT '' CHECK (paid IN ('', 'paid', 'unpaid')), -- '' = unchanged
    reason          TEXT NOT NULL,
    evidence        TEXT NOT NULL DEFAULT '[]',        -- document ids of the scans
    status          TEXT NOT NULL CHECK (status IN ('pending', 'batched', 'applied')),
    batch_id        BIGINT REFERENCES record_correction_batches (id),
    raised_by       BIGINT NOT NULL,
    recompute       TEXT NOT NULL DEFAULT '' CHECK (recompute IN ('', 'changed', 'unchanged', 'none')),
    det_case_no     TEXT NOT NULL DEFAULT '',
    det_version     BIGINT NOT NULL DEFAULT 0,
    before_fen      BIGINT NOT NULL DEFAULT 0,
    after_fen       BIGINT NOT NULL DEFAULT 0,
    applied_at      @TS@,
    created_at      @TS@ NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX record_corrections_status ON record_corrections (status, id);
CREATE INDEX record_corrections_person ON record_corrections (person_id, id);
CREATE INDEX record_corrections_batch ON record_corrections (batch_id);

-- Each month a correction changed, as it was and as it became.
CREATE TABLE record_correction_months (
    correction_id BIGINT NOT NULL REFERENCES record_corrections (id),
    fee_month     TEXT NOT NULL,
    old_base_fen  BIGINT NOT NULL,
    old_paid      @BOOL@ NOT NULL,
    new_base_fen  BIGINT NOT NULL,
    new_paid      @BOOL@ NOT NULL
);
CREATE INDEX record_correction_months_correction ON record_correction_months (correction_id, fee_month);
