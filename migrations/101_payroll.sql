-- The monthly pension payroll (养老金发放): who is in pay, the amount in
-- force by month (versions), the yearly general adjustments (调待) as
-- dated rules, deductions (overpayment recovery), and the payroll runs.
-- Written only by package payroll; the lines themselves are payout_lines.

CREATE TABLE pensioners (
    id            @ID@,
    person_id     BIGINT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    id_number     TEXT NOT NULL,
    first_month   TEXT NOT NULL,              -- YYYY-MM, first month of pension
    status        TEXT NOT NULL,              -- active | stopped | suspended
    last_month    TEXT NOT NULL DEFAULT '',   -- last month paid when stopped or suspended
    stop_reason   TEXT NOT NULL DEFAULT '',
    stop_kind     TEXT NOT NULL DEFAULT '',   -- death | suspension | other
    recalc_from   TEXT NOT NULL DEFAULT '',   -- earliest month the next payroll must recheck ('' = current only)
    source_kind   TEXT NOT NULL DEFAULT '',
    source_id     TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_at    @TS@ NOT NULL,
    updated_at    @TS@ NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX pensioners_status ON pensioners (status, id);
CREATE INDEX pensioners_name ON pensioners (name);

-- The determined monthly amount from a month on; the latest version whose
-- from_month is not after a month is the amount of that month.
CREATE TABLE pension_amounts (
    id            @ID@,
    pensioner_id  BIGINT NOT NULL REFERENCES pensioners (id),
    version       BIGINT NOT NULL,
    monthly_fen   BIGINT NOT NULL CHECK (monthly_fen > 0),
    from_month    TEXT NOT NULL,
    basis         TEXT NOT NULL,
    source_kind   TEXT NOT NULL DEFAULT '',
    source_id     TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_at    @TS@ NOT NULL,
    UNIQUE (pensioner_id, version)
);
CREATE INDEX pension_amounts_pensioner ON pension_amounts (pensioner_id, from_month);

-- A general adjustment (调待): from effective_month, pensioners whose
-- first month is before retired_before get percent of their amount plus a
-- fixed sum, with back pay for months already paid.
CREATE TABLE pension_adjustments (
    id               @ID@,
    effective_month  TEXT NOT NULL UNIQUE,
    retired_before   TEXT NOT NULL,
    rate_ppm         BIGINT NOT NULL,         -- percent of the amount, in parts per million (2.5% = 25000)
    fixed_fen        BIGINT NOT NULL,
    basis            TEXT NOT NULL,           -- 文号
    created_by       TEXT NOT NULL,
    created_at       @TS@ NOT NULL
);

-- An overpayment recovered in monthly instalments from the pension.
CREATE TABLE pension_deductions (
    id             @ID@,
    pensioner_id   BIGINT NOT NULL REFERENCES pensioners (id),
    reason         TEXT NOT NULL,
    total_fen      BIGINT NOT NULL CHECK (total_fen > 0),
    monthly_fen    BIGINT NOT NULL CHECK (monthly_fen > 0),
    start_month    TEXT NOT NULL,
    recovered_fen  BIGINT NOT NULL DEFAULT 0,
    created_by     TEXT NOT NULL,
    created_at     @TS@ NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX pension_deductions_pensioner ON pension_deductions (pensioner_id);

-- One instalment taken from one month's pension: unique, so a rerun never
-- deducts twice.
CREATE TABLE pension_deduction_entries (
    deduction_id  BIGINT NOT NULL REFERENCES pension_deductions (id),
    month         TEXT NOT NULL,
    amount_fen    BIGINT NOT NULL,
    PRIMARY KEY (deduction_id, month)
);

-- What happened to a pensioner (enrolled, amount changed, stopped,
-- resumed), for the payroll report against last month.
CREATE TABLE pensioner_events (
    id            @ID@,
    pensioner_id  BIGINT NOT NULL REFERENCES pensioners (id),
    kind          TEXT NOT NULL,              -- enrol | change | stop | resume | card
    month         TEXT NOT NULL,              -- the month it takes effect
    note          TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_at    @TS@ NOT NULL
);
CREATE INDEX pensioner_events_month ON pensioner_events (month, kind);

-- One payroll run of a month, with its progress.
CREATE TABLE payroll_runs (
    id           @ID@,
    month        TEXT NOT NULL,
    status       TEXT NOT NULL,               -- running | done | failed
    total        BIGINT NOT NULL DEFAULT 0,
    done         BIGINT NOT NULL DEFAULT 0,
    created      BIGINT NOT NULL DEFAULT 0,
    held         BIGINT NOT NULL DEFAULT 0,
    total_fen    BIGINT NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    started_by   TEXT NOT NULL,
    started_at   @TS@ NOT NULL,
    updated_at   @TS@ NOT NULL,
    finished_at  @TS@
);
CREATE INDEX payroll_runs_month ON payroll_runs (month, id);

-- Social security cards (社保卡): the card whose financial account a
-- pension is paid to; cards not yet active are opened through the agent
-- bank on a card-opening list.
CREATE TABLE ss_cards (
    id            @ID@,
    person_id     BIGINT NOT NULL UNIQUE,
    status        TEXT NOT NULL,              -- listed | issued | active
    bank_code     TEXT NOT NULL,
    bank_name     TEXT NOT NULL DEFAULT '',
    card_no       TEXT NOT NULL DEFAULT '',
    account_no    TEXT NOT NULL DEFAULT '',
    list_id       BIGINT,
    delivery      TEXT NOT NULL DEFAULT '',   -- mail | branch
    tracking_no   TEXT NOT NULL DEFAULT '',
    branch        TEXT NOT NULL DEFAULT '',
    issued_on     TEXT NOT NULL DEFAULT '',
    activated_on  TEXT NOT NULL DEFAULT '',
    updated_by    TEXT NOT NULL,
    updated_at    @TS@ NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX ss_cards_status ON ss_cards (status, bank_code);

-- A card-opening list sent to an agent bank.
CREATE TABLE ss_card_lists (
    id          @ID@,
    bank_code   TEXT NOT NULL,
    persons     BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  @TS@ NOT NULL,
    answered_at @TS@
);
