-- The answered lines of a return file without the foreign key to
-- payout_returns: a return of 300,000 lines checked that key once per
-- row. The return row is inserted in the same transaction just before its
-- lines, by the payout package alone (docs/decisions/0022).
CREATE TABLE payout_return_lines_new (
    return_id   BIGINT NOT NULL,
    line_id     BIGINT NOT NULL UNIQUE,
    file_row    BIGINT NOT NULL,
    result      TEXT NOT NULL,               -- paid | failed
    serial      TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT ''
);
INSERT INTO payout_return_lines_new (return_id, line_id, file_row, result, serial, reason)
    SELECT return_id, line_id, file_row, result, serial, reason FROM payout_return_lines;
DROP TABLE payout_return_lines;
ALTER TABLE payout_return_lines_new RENAME TO payout_return_lines;
CREATE INDEX payout_return_lines_return ON payout_return_lines (return_id);
