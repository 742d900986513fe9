-- Personal pension accounts (个人账户): one ledger of signed entries per
-- insured person. The balance at a date is the sum of the entries dated
-- on or before it; a year's view groups them by account year. Every entry
-- has a unique source key, so posting the same thing twice (a bill paid,
-- a year's interest, an imported opening balance) adds nothing.
CREATE TABLE account_entries (
    id          @ID@,
    person_id   BIGINT NOT NULL REFERENCES persons (id),
    kind        TEXT NOT NULL CHECK (kind IN ('opening', 'credit', 'reversal', 'correction', 'interest', 'transfer_in', 'transfer_out')),
    year        INTEGER NOT NULL,                  -- the account year the entry counts in
    posted_on   TEXT NOT NULL CHECK (length(posted_on) = 10), -- value date YYYY-MM-DD
    fee_month   TEXT NOT NULL DEFAULT '',          -- credits and reversals: the month paid for
    amount_fen  BIGINT NOT NULL,
    bill_id     BIGINT,                            -- credits and reversals: the paid bill
    source_key  TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    actor_id    BIGINT NOT NULL DEFAULT 0,
    created_at  @TS@ NOT NULL
);
CREATE UNIQUE INDEX account_entries_key ON account_entries (source_key);
CREATE INDEX account_entries_person ON account_entries (person_id, year);

-- Opening-balance imports: the file, its fingerprint and the row report.
CREATE TABLE account_imports (
    id           @ID@,
    file_name    TEXT NOT NULL DEFAULT '',
    file_sha256  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('applied', 'rejected')),
    rows_total   BIGINT NOT NULL DEFAULT 0,
    total_fen    BIGINT NOT NULL DEFAULT 0,
    report       TEXT NOT NULL DEFAULT '[]',
    actor_id     BIGINT NOT NULL DEFAULT 0,
    created_at   @TS@ NOT NULL
);
CREATE UNIQUE INDEX account_imports_applied ON account_imports (file_sha256) WHERE status = 'applied';

-- Year-end interest runs (记账): at most one running run of a year across
-- every server; a run whose server died stops its heartbeat and is closed
-- by the next start. The entries' unique keys make a rerun add nothing.
CREATE TABLE account_interest_runs (
    id           @ID@,
    year         INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    rate_ppm     BIGINT NOT NULL DEFAULT 0,
    rate_basis   TEXT NOT NULL DEFAULT '',
    total        BIGINT NOT NULL DEFAULT 0,
    done         BIGINT NOT NULL DEFAULT 0,
    credited     BIGINT NOT NULL DEFAULT 0,
    interest_fen BIGINT NOT NULL DEFAULT 0,
    skipped      BIGINT NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    actor_id     BIGINT NOT NULL DEFAULT 0,
    actor_name   TEXT NOT NULL DEFAULT '',
    server       TEXT NOT NULL DEFAULT '',
    started_at   @TS@ NOT NULL,
    heartbeat_at @TS@ NOT NULL,
    finished_at  @TS@
);
CREATE UNIQUE INDEX account_interest_runs_running ON account_interest_runs (year) WHERE status = 'running';
CREATE INDEX account_interest_runs_year ON account_interest_runs (year, started_at);
