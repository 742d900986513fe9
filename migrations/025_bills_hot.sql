-- Paying a bill changes only paid_fen, status and version. No index names
-- those columns, and on PostgreSQL bill pages keep room for a new version
-- of each row, so the updates are HOT: they write no index entries. One
-- import updates every open bill of a page in one transaction (the old
-- versions cannot be pruned before commit), hence fillfactor 50: at 80
-- only about a quarter of the updates stayed HOT. The assessment and
-- staff queues filter by fee month, payer kind and employer
-- (bills_month_kind) and test status on the rows; the staff queue by
-- status alone, and the import's read of the open bills, scan the table.
DROP INDEX bills_status_due;
DROP INDEX bills_month_status;
CREATE INDEX bills_month_kind ON bills (fee_month, payer_kind, employer_id);
-- +postgres
ALTER TABLE bills SET (fillfactor = 50);
-- +end
