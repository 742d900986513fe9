-- Contribution bills (核定): one bill per employer and fee month, or per
-- flexible worker and fee month; one line per person and scheme.
CREATE TABLE bills (
    id               @ID@,
    bill_no          TEXT NOT NULL UNIQUE,
    payer_kind       TEXT NOT NULL,              -- employer | flexible
    employer_id      BIGINT REFERENCES employers(id),
    person_id        BIGINT REFERENCES persons(id),
    fee_month        TEXT NOT NULL,              -- YYYY-MM
    status           TEXT NOT NULL,              -- draft | correction_requested | confirmed | partially_paid | paid | cancelled
    employer_fen     BIGINT NOT NULL DEFAULT 0,  -- sum of the employer shares of the lines
    individual_fen   BIGINT NOT NULL DEFAULT 0,  -- sum of the individual shares of the lines
    total_fen        BIGINT NOT NULL DEFAULT 0,  -- employer_fen + individual_fen
    paid_fen         BIGINT NOT NULL DEFAULT 0,  -- equals what the ledger posted to this bill
    payment_ref      TEXT UNIQUE,                -- set on confirmation, quoted on the bank transfer
    due_on           TEXT,                       -- YYYY-MM-DD, from policy.CollectionDue (emergency extensions)
    due_basis        TEXT NOT NULL DEFAULT '',
    late_fee_waived  @BOOL@ NOT NULL DEFAULT FALSE,
    waiver_basis     TEXT NOT NULL DEFAULT '',
    flags            TEXT NOT NULL DEFAULT '',   -- comma list, e.g. emergency_makeup, late_accepted
    correction_note  TEXT NOT NULL DEFAULT '',
    assessed_at      @TS@ NOT NULL,
    confirmed_at     @TS@,
    confirmed_by     BIGINT,
    version          BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX bills_employer_month ON bills (employer_id, fee_month) WHERE employer_id IS NOT NULL;
CREATE UNIQUE INDEX bills_person_month ON bills (person_id, fee_month) WHERE payer_kind = 'flexible';
CREATE INDEX bills_status_due ON bills (status, due_on);

CREATE TABLE bill_lines (
    id                  @ID@,
    bill_id             BIGINT NOT NULL REFERENCES bills(id),
    person_id           BIGINT NOT NULL REFERENCES persons(id),
    fee_month           TEXT NOT NULL,
    scheme              TEXT NOT NULL,          -- pension | unemployment | injury
    base_fen            BIGINT NOT NULL,        -- after clamping (and rounding to yuan where the rules say)
    declared_base_fen   BIGINT NOT NULL,        -- before clamping
    employer_rate_ppm   BIGINT NOT NULL,
    individual_rate_ppm BIGINT NOT NULL,
    employer_fen        BIGINT NOT NULL,        -- half-up per line
    individual_fen      BIGINT NOT NULL,
    explain             TEXT NOT NULL DEFAULT '', -- how it was computed: rule, basis, clamp
    flags               TEXT NOT NULL DEFAULT ''
);
CREATE INDEX bill_lines_bill ON bill_lines (bill_id);
CREATE INDEX bill_lines_person_month ON bill_lines (person_id, fee_month);
