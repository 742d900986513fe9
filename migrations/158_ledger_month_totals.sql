-- The running totals of the fund ledger are kept per month of posting as
-- well as per account and scheme, so the monthly fund report (income and
-- expense per scheme of the last twelve months) reads a few hundred rows
-- of totals instead of summing every entry of the year (a full scan of
-- ledger_entries, whose posted_on has no index). The trial balance adds
-- the months up. The existing totals are rebuilt from the entries, month
-- by month (docs/decisions/0038-statement-import-and-ledger-at-scale.md).
ALTER TABLE ledger_totals ADD COLUMN month TEXT NOT NULL DEFAULT '';
DELETE FROM ledger_totals;
INSERT INTO ledger_totals (month, account, scheme, debit_fen, credit_fen, entries)
    SELECT substr(posted_on, 1, 7), account, scheme, SUM(debit_fen), SUM(credit_fen), COUNT(*)
    FROM ledger_entries GROUP BY substr(posted_on, 1, 7), account, scheme;
CREATE INDEX ledger_totals_month ON ledger_totals (month);
