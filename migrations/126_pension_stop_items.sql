-- The pensions a batch stop (a civil-affairs death file) stops, each with
-- its last month paid: written in bulk at the start of the batch's
-- transaction, joined to pensioners and payout lines, and deleted before
-- it commits (rows never outlive their transaction). Written by
-- internal/payroll.
CREATE TABLE pension_stop_items (
    batch      TEXT NOT NULL,
    person_id  BIGINT NOT NULL,
    last_month TEXT NOT NULL,
    PRIMARY KEY (batch, person_id)
);
