-- The late fee of a payment split into days charged and days waived
-- (docs/rules.md, "Late fee and its waiver"): late_fee_days stays the
-- number of days late, late_fee_days_waived is the part an emergency
-- waived. Payments posted before this split with days late and no fee
-- had every day waived.
ALTER TABLE payments ADD COLUMN late_fee_days_waived BIGINT NOT NULL DEFAULT 0;
UPDATE payments SET late_fee_days_waived = late_fee_days WHERE late_fee_fen = 0 AND late_fee_days > 0 AND applied_fen > 0;
