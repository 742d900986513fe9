-- A refund reverses the account credits of one bill: find them by bill.
CREATE INDEX account_entries_bill ON account_entries (bill_id) WHERE bill_id IS NOT NULL;
