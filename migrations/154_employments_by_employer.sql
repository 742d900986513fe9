-- The monthly assessment reads, batch by batch, the employments of a range
-- of employers covering the month. Employments are stored in the order
-- people were registered, so the rows of one employer are scattered over
-- the table, and reading them through employments_employer fetched one
-- table page per row: at 1,000,000 persons a batch of 1,000 employers read
-- 35,000 pages for 21,000 rows, the largest part of the assessment
-- (docs/decisions/0037-assessment-lines-in-go.md). This index holds every
-- column the assessment reads, so the batch is one range of the index
-- (250 pages) and no table page. It replaces employments_employer, whose
-- columns it begins with, so every query by employer keeps its index.
DROP INDEX IF EXISTS employments_employer;
CREATE INDEX employments_employer_month ON employments (employer_id, start_month, end_month, person_id, declared_fen, base_fen);
