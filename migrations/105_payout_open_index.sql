-- Payout lines are looked up by status only while they are open (held,
-- waiting for approval, approved and waiting for a batch, or failed and
-- waiting to be reissued): the lists of those and the batch of a bank.
-- The index of every status is replaced by one of the open lines, so a
-- line going into a bank file or answered by the bank no longer writes an
-- entry into it (the lines sent and paid are found through their batch).
DROP INDEX payout_lines_status;
CREATE INDEX payout_lines_open ON payout_lines (bank_code, status, id) WHERE status IN ('held', 'prepared', 'approved', 'failed');
