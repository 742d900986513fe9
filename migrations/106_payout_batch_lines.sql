-- Batch membership in a narrow table (docs/decisions/0022): making a
-- batch inserts one (line, batch) row per line instead of rewriting the
-- wide payout line and its index entries. A line's stored status stays
-- "approved" while it is in a file; the status shown is derived (approved
-- with a batch row is in_file) until the bank's return writes paid or
-- failed. line_id is the key: a line is in at most one batch, ever.
CREATE TABLE payout_batch_lines (
    line_id   BIGINT PRIMARY KEY,
    batch_id  BIGINT NOT NULL
);
CREATE INDEX payout_batch_lines_batch ON payout_batch_lines (batch_id, line_id);

INSERT INTO payout_batch_lines (line_id, batch_id)
    SELECT id, batch_id FROM payout_lines WHERE batch_id IS NOT NULL;
UPDATE payout_lines SET status = 'approved' WHERE status = 'in_file';

DROP INDEX payout_lines_batch;
ALTER TABLE payout_lines DROP COLUMN batch_id;
