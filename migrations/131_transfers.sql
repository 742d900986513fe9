-- Transfers between regions (转移接续) handled by 个人账户科, in
-- (from another region) and out (to another region). Each step has its
-- own deadline (step_due_on, working days from the step's start). One
-- open transfer per person; a transfer's periods are never merged twice.
CREATE TABLE transfers (
    id             @ID@,
    transfer_no    TEXT NOT NULL UNIQUE,
    direction      TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    person_id      BIGINT NOT NULL REFERENCES persons (id),
    case_no        TEXT NOT NULL DEFAULT '',
    channel        TEXT NOT NULL DEFAULT 'email' CHECK (channel IN ('web', 'email', 'counter', 'post')),
    other_agency   TEXT NOT NULL,                  -- the other region's agency
    other_region   TEXT NOT NULL DEFAULT '',       -- its region code (6 digits)
    other_letter   TEXT NOT NULL DEFAULT '',       -- out: the number of the new place's 联系函
    pay_name       TEXT NOT NULL DEFAULT '',       -- out: the new agency's account
    pay_account    TEXT NOT NULL DEFAULT '',
    pay_bank       TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,
    step_started_on TEXT NOT NULL,
    step_due_on    TEXT NOT NULL,
    refusal        TEXT NOT NULL DEFAULT '',
    letter_code    TEXT NOT NULL DEFAULT '',       -- in: verification code of our 联系函
    first_month    TEXT NOT NULL DEFAULT '',
    last_month     TEXT NOT NULL DEFAULT '',
    account_fen    BIGINT NOT NULL DEFAULT 0,
    pooled_fen     BIGINT NOT NULL DEFAULT 0,
    received_fen   BIGINT NOT NULL DEFAULT 0,
    bank_serial    TEXT,                           -- in: the bank statement line of the money received
    temp_account   @BOOL@ NOT NULL DEFAULT FALSE,
    pension_place  TEXT NOT NULL DEFAULT '',
    payout_key     TEXT NOT NULL DEFAULT '',
    created_by     BIGINT NOT NULL DEFAULT 0,
    created_at     @TS@ NOT NULL,
    updated_at     @TS@ NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX transfers_open ON transfers (person_id) WHERE status NOT IN ('merged', 'refused', 'closed');
CREATE UNIQUE INDEX transfers_serial ON transfers (bank_serial) WHERE bank_serial IS NOT NULL;
CREATE INDEX transfers_due ON transfers (status, step_due_on);

-- The years of a transfer's 信息表: in, as the old agency sent them
-- (merged into the person's history, flagged with their origin); out, as
-- computed here.
CREATE TABLE transfer_years (
    transfer_id  BIGINT NOT NULL REFERENCES transfers (id),
    year         INTEGER NOT NULL,
    months       INTEGER NOT NULL CHECK (months BETWEEN 1 AND 12),
    wages_fen    BIGINT NOT NULL CHECK (wages_fen >= 0),
    account_fen  BIGINT NOT NULL CHECK (account_fen >= 0),
    PRIMARY KEY (transfer_id, year)
);

-- Phone consultations (电话咨询): who called, about what, the advice given
-- and the follow-up; shown on the caller's later transfer.
CREATE TABLE consultations (
    id          @ID@,
    person_id   BIGINT REFERENCES persons (id),
    caller_name TEXT NOT NULL,
    phone       TEXT NOT NULL DEFAULT '',
    topic       TEXT NOT NULL,
    advice      TEXT NOT NULL,
    follow_up   TEXT NOT NULL DEFAULT '',
    taken_by    BIGINT NOT NULL DEFAULT 0,
    taken_name  TEXT NOT NULL DEFAULT '',
    created_at  @TS@ NOT NULL
);
CREATE INDEX consultations_person ON consultations (person_id, created_at);
