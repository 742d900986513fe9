-- Payouts (拨付): every line of money leaving the fund, its two-person
-- approval, the agent banks with their file profiles, the batches sent to
-- them and the return files they answer with. Written only by package
-- payout; the ledger side is in ledger_entries (payout_posting_id).

-- An agent bank (代发银行) and its file profile: the columns, file format
-- and encoding of the payment file it accepts and the return file it sends.
CREATE TABLE payout_banks (
    id          @ID@,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    profile     TEXT NOT NULL,              -- JSON: format, encoding, columns, control record
    active      @BOOL@ NOT NULL DEFAULT TRUE,
    updated_by  TEXT NOT NULL DEFAULT '',
    updated_at  @TS@ NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);

-- A batch: the approved lines of one agent bank put into one file.
CREATE TABLE payout_batches (
    id           @ID@,
    batch_no     TEXT NOT NULL UNIQUE,
    bank_code    TEXT NOT NULL,
    status       TEXT NOT NULL,            -- sent | returned
    lines        BIGINT NOT NULL,
    total_fen    BIGINT NOT NULL,
    file_hash    TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL,
    created_at   @TS@ NOT NULL,
    returned_at  @TS@,
    version      BIGINT NOT NULL DEFAULT 1
);

-- One payout line. business_key is unique among live lines (every status
-- but cancelled and rejected): preparing the same line twice finds the
-- first. A reissue is a new line whose key is the failed line's key with
-- a suffix, pointing to it by reissue_of.
CREATE TABLE payout_lines (
    id              @ID@,
    business_key    TEXT NOT NULL,
    payee_kind      TEXT NOT NULL,          -- person | employer | hospital | agency
    payee_id        BIGINT NOT NULL DEFAULT 0,
    payee_name      TEXT NOT NULL,
    payee_id_number TEXT NOT NULL DEFAULT '',
    account_kind    TEXT NOT NULL DEFAULT '', -- card | account ('' while held without an account)
    account_name    TEXT NOT NULL DEFAULT '',
    account_no      TEXT NOT NULL DEFAULT '',
    bank_name       TEXT NOT NULL DEFAULT '',
    bank_code       TEXT NOT NULL DEFAULT '', -- the agent bank that pays it
    name_confirmed  @BOOL@ NOT NULL DEFAULT FALSE,
    amount_fen      BIGINT NOT NULL CHECK (amount_fen > 0),
    scheme          TEXT NOT NULL,
    benefit         TEXT NOT NULL,
    source_kind     TEXT NOT NULL,
    source_id       TEXT NOT NULL,
    period          TEXT NOT NULL DEFAULT '', -- YYYY-MM or ''
    memo            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,          -- held | prepared | approved | rejected | in_file | paid | failed | reissued | cancelled
    hold_reason     TEXT NOT NULL DEFAULT '',
    reject_reason   TEXT NOT NULL DEFAULT '',
    fail_reason     TEXT NOT NULL DEFAULT '',
    batch_id        BIGINT,
    bank_serial     TEXT NOT NULL DEFAULT '',
    reissue_of      BIGINT,
    prepared_by     TEXT NOT NULL,
    prepared_by_id  BIGINT NOT NULL DEFAULT 0,
    prepared_at     @TS@ NOT NULL,
    approved_by     TEXT NOT NULL DEFAULT '',
    approved_by_id  BIGINT NOT NULL DEFAULT 0,
    approved_at     @TS@,
    paid_on         TEXT NOT NULL DEFAULT '',
    updated_at      @TS@ NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX payout_lines_key ON payout_lines (business_key) WHERE status NOT IN ('cancelled', 'rejected');
CREATE INDEX payout_lines_status ON payout_lines (status, bank_code, id);
CREATE INDEX payout_lines_payee ON payout_lines (payee_kind, payee_id, period);
CREATE INDEX payout_lines_batch ON payout_lines (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX payout_lines_source ON payout_lines (source_kind, source_id);

-- One ledger posting of payouts (approval, rejection, file, return, …):
-- its entries in ledger_entries carry payout_posting_id.
CREATE TABLE payout_postings (
    id          @ID@,
    kind        TEXT NOT NULL,              -- approve | cancel | file | paid | failed
    batch_id    BIGINT,
    lines       BIGINT NOT NULL,
    total_fen   BIGINT NOT NULL,
    posted_on   TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  @TS@ NOT NULL
);

ALTER TABLE ledger_entries ADD COLUMN payout_posting_id BIGINT;
CREATE INDEX ledger_entries_payout ON ledger_entries (payout_posting_id) WHERE payout_posting_id IS NOT NULL;

-- A return file imported: its hash makes a second import of the same
-- file add nothing; a batch is answered once (line by line).
CREATE TABLE payout_returns (
    id           @ID@,
    batch_id     BIGINT NOT NULL REFERENCES payout_batches (id),
    file_name    TEXT NOT NULL,
    file_hash    TEXT NOT NULL UNIQUE,
    paid_lines   BIGINT NOT NULL,
    failed_lines BIGINT NOT NULL,
    unmatched    TEXT NOT NULL DEFAULT '[]', -- JSON list of return lines matched to nothing
    imported_by  TEXT NOT NULL,
    imported_at  @TS@ NOT NULL
);
