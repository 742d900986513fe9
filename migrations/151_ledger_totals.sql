-- The trial balance of the fund ledger is read from running totals, not by
-- summing every entry ever posted (3.2 s at 2.2 million entries). Each
-- write of postings inserts, in the same transaction, one row per account
-- and scheme it moved (a delta): inserts only, so concurrent payments never
-- wait on one another's totals. A job folds the deltas into one row per
-- account and scheme (deleting exactly the rows it sums), so the table
-- stays a few dozen rows whatever the history
-- (docs/decisions/0034-history-at-district-scale.md).
CREATE TABLE ledger_totals (
    id          @ID@,
    account     TEXT NOT NULL,
    scheme      TEXT NOT NULL DEFAULT '',
    debit_fen   BIGINT NOT NULL DEFAULT 0,
    credit_fen  BIGINT NOT NULL DEFAULT 0,
    entries     BIGINT NOT NULL DEFAULT 0
);
INSERT INTO ledger_totals (account, scheme, debit_fen, credit_fen, entries)
    SELECT account, scheme, SUM(debit_fen), SUM(credit_fen), COUNT(*) FROM ledger_entries GROUP BY account, scheme;
