-- Historical contribution records (历史缴费记录): months paid before
-- Shebao, imported by 统筹科 from the previous system's export, or made by
-- the demo generator. They are kept apart from the assessed bills
-- (bills, bill_lines) and shown with them in one history, flagged as
-- imported; pension work reads months, bases, amounts and the paid flag
-- from both. A month and scheme assessed in Shebao is never imported.
CREATE TABLE record_imports (
    id           @ID@,
    file_name    TEXT NOT NULL DEFAULT '',
    file_sha256  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('applied', 'rejected')),
    rows_total   BIGINT NOT NULL DEFAULT 0,
    persons      BIGINT NOT NULL DEFAULT 0,
    report       TEXT NOT NULL DEFAULT '[]',
    actor_id     BIGINT NOT NULL DEFAULT 0,
    created_at   @TS@ NOT NULL
);
-- The same file is applied at most once.
CREATE UNIQUE INDEX record_imports_applied ON record_imports (file_sha256) WHERE status = 'applied';

CREATE TABLE contribution_records (
    id             @ID@,
    person_id      BIGINT NOT NULL REFERENCES persons (id),
    fee_month      TEXT NOT NULL CHECK (length(fee_month) = 7),
    scheme         TEXT NOT NULL CHECK (scheme IN ('pension', 'unemployment', 'injury')),
    payer_kind     TEXT NOT NULL CHECK (payer_kind IN ('employer', 'flexible')),
    employer_id    BIGINT REFERENCES employers (id),   -- when the employer is registered in Shebao
    payer_name     TEXT NOT NULL DEFAULT '',           -- the employer as the old record names it; '' for flexible
    base_fen       BIGINT NOT NULL CHECK (base_fen > 0),
    employer_fen   BIGINT NOT NULL CHECK (employer_fen >= 0),
    individual_fen BIGINT NOT NULL CHECK (individual_fen >= 0),
    paid           @BOOL@ NOT NULL,                    -- 已到账
    source         TEXT NOT NULL CHECK (source IN ('import', 'demo')),
    import_id      BIGINT REFERENCES record_imports (id),
    created_at     @TS@ NOT NULL
);
CREATE UNIQUE INDEX contribution_records_month ON contribution_records (person_id, fee_month, scheme, payer_name);
