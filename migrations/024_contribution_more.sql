-- Assessment details kept on each employer bill (核定): the rules cited by
-- "how it was computed" (JSON: limits, pension, unemployment, injury), and
-- the employer's work-injury risk class and float at assessment.
ALTER TABLE bills ADD COLUMN basis TEXT NOT NULL DEFAULT '';
ALTER TABLE bills ADD COLUMN risk_class INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bills ADD COLUMN injury_float_ppm BIGINT NOT NULL DEFAULT 0;
-- The staff queues (统筹科: correction requests) and the assessment's
-- batches (the drafts of a month for a range of employers).
CREATE INDEX bills_month_status ON bills (fee_month, status, payer_kind, employer_id);
