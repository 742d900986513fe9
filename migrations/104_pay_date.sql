-- The pay date of a payout line (发放日): for the monthly pension the day
-- of the dated rule pension_pay_day in force for the run's month; '' for
-- lines paid when their batch is sent.
ALTER TABLE payout_lines ADD COLUMN pay_date TEXT NOT NULL DEFAULT '';
ALTER TABLE payroll_runs ADD COLUMN pay_date TEXT NOT NULL DEFAULT '';
