-- Bill lines are written only by the assessment's INSERT … SELECT, which
-- joins the bills it has just written or locked and the employments (whose
-- person_id is itself a foreign key to persons), and by the flexible
-- worker's bill, written in the transaction that reads the person and
-- inserts the bill; bills and persons are never deleted. So the two
-- foreign keys of bill_lines check what the writing join already
-- guarantees, and on PostgreSQL their per-row checks were most of the
-- assessment's cost beyond a bulk load (docs/decisions/0017-assessment-speed.md).
-- SQLite keeps them: they cost little there, and its tables cannot drop a
-- constraint without being rebuilt.
-- +postgres
ALTER TABLE bill_lines DROP CONSTRAINT IF EXISTS bill_lines_bill_id_fkey;
ALTER TABLE bill_lines DROP CONSTRAINT IF EXISTS bill_lines_person_id_fkey;
-- +end
