-- Each answered line of an imported return file: what the bank said of
-- it. A line is answered once (line_id unique): a second answer for it
-- is refused, never applied.
CREATE TABLE payout_return_lines (
    return_id   BIGINT NOT NULL REFERENCES payout_returns (id),
    line_id     BIGINT NOT NULL UNIQUE,
    file_row    BIGINT NOT NULL,
    result      TEXT NOT NULL,               -- paid | failed
    serial      TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX payout_return_lines_return ON payout_return_lines (return_id);
