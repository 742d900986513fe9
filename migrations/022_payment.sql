-- Payments (缴费): imported bank statements, transfers and card payments,
-- the fund ledger (double entry per scheme) and paper invoice requests.

-- One imported statement file. file_hash makes a second import of the
-- same file add nothing.
CREATE TABLE bank_statements (
    id           @ID@,
    account_no   TEXT NOT NULL,              -- the agency's receiving account
    file_name    TEXT NOT NULL,
    file_hash    TEXT NOT NULL UNIQUE,       -- sha256 hex of the file
    format       TEXT NOT NULL,              -- csv-utf8 | csv-gbk | xlsx
    lines        BIGINT NOT NULL,
    summary      TEXT NOT NULL DEFAULT '{}', -- JSON counts by outcome
    imported_by  TEXT NOT NULL,
    imported_at  @TS@ NOT NULL
);

-- One credit received: a bank transfer line or a card payment at the
-- counter. (channel, account_no, serial) is unique: re-imports and
-- retried card posts add nothing. Only bill_id is a foreign key: the
-- statement, employer and person columns are copied from rows the import
-- has just read (PostgreSQL checks each foreign key per row, which
-- dominated a 100,000-line import).
CREATE TABLE payments (
    id             @ID@,
    channel        TEXT NOT NULL,            -- transfer | card
    statement_id   BIGINT,
    account_no     TEXT NOT NULL DEFAULT '', -- receiving account (transfer) or '' (card)
    serial         TEXT NOT NULL,            -- bank serial number or terminal reference
    paid_on        TEXT NOT NULL,            -- YYYY-MM-DD
    payer_name     TEXT NOT NULL DEFAULT '',
    payer_account  TEXT NOT NULL DEFAULT '',
    card_last4     TEXT NOT NULL DEFAULT '',
    amount_fen     BIGINT NOT NULL,
    remark         TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,            -- matched | unmatched | partial | over | medical | settled | refund
    reason         TEXT NOT NULL DEFAULT '',
    bill_id        BIGINT REFERENCES bills(id),
    employer_id    BIGINT,
    person_id      BIGINT,
    applied_fen    BIGINT NOT NULL DEFAULT 0, -- contributions posted to bills
    late_fee_fen   BIGINT NOT NULL DEFAULT 0, -- late fees posted
    late_fee_days  BIGINT NOT NULL DEFAULT 0,
    late_fee_note  TEXT NOT NULL DEFAULT '',  -- how the fee was computed, or the waiver and its basis
    open_fen       BIGINT NOT NULL DEFAULT 0, -- held in suspense for the fund section
    note           TEXT NOT NULL DEFAULT '',
    receipt_code   TEXT UNIQUE,
    settled_by     TEXT NOT NULL DEFAULT '',
    settled_at     @TS@,
    created_by     TEXT NOT NULL,
    created_at     @TS@ NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX payments_serial ON payments (channel, account_no, serial);
CREATE INDEX payments_queue ON payments (id) WHERE status IN ('unmatched', 'partial', 'over', 'medical');
CREATE INDEX payments_employer ON payments (employer_id, id);

-- The fund ledger: each posting (payment_id, step) is balanced, per scheme.
-- Append-only and written only by package ledger; payment_id and bill_id
-- carry no REFERENCES so a 100,000-line statement posts in seconds (the
-- invariant tests check them against payments and bills).
CREATE TABLE ledger_entries (
    id          @ID@,
    payment_id  BIGINT NOT NULL,
    step        INTEGER NOT NULL,            -- 1 on receipt, then one per hand settlement
    posted_on   TEXT NOT NULL,               -- YYYY-MM-DD
    account     TEXT NOT NULL,               -- bank | receivable | late_fee_receivable | late_fee_income | suspense | refund_payable
    scheme      TEXT NOT NULL DEFAULT '',    -- pension | unemployment | injury | '' (not yet allocated)
    bill_id     BIGINT,
    debit_fen   BIGINT NOT NULL DEFAULT 0,
    credit_fen  BIGINT NOT NULL DEFAULT 0,
    created_at  @TS@ NOT NULL
);
CREATE INDEX ledger_entries_payment ON ledger_entries (payment_id, step);
CREATE INDEX ledger_entries_bill ON ledger_entries (bill_id) WHERE account = 'receivable';

-- Paper invoices: mailed on request, otherwise waiting for pickup after
-- the emergency.
CREATE TABLE invoice_requests (
    id            @ID@,
    payment_id    BIGINT NOT NULL UNIQUE REFERENCES payments(id),
    employer_id   BIGINT REFERENCES employers(id),
    recipient     TEXT NOT NULL,
    phone         TEXT NOT NULL,
    address       TEXT NOT NULL,
    status        TEXT NOT NULL,             -- requested | mailed
    courier       TEXT NOT NULL DEFAULT '',
    tracking_no   TEXT NOT NULL DEFAULT '',
    requested_at  @TS@ NOT NULL,
    mailed_at     @TS@,
    mailed_by     TEXT NOT NULL DEFAULT '',
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX invoice_requests_status ON invoice_requests (status, id);
