-- A civil-affairs file is matched with one update of each record (its
-- person, outcome and reason). The status is no longer in an index, so on
-- PostgreSQL that update is a heap-only one (free room left in each page)
-- and touches no index; the review queue reads a partial index.
-- On PostgreSQL the reference from a record to its import is dropped: the
-- records are written by the same statement sequence that writes their
-- import row (ImportCivil, PushCivil), and PostgreSQL checked it again on
-- every update of a record inserted in the same transaction (3.2 s of a
-- 100,000-record file).
DROP INDEX civil_records_status;
DROP INDEX civil_records_import;
CREATE INDEX civil_records_import ON civil_records (import_id);
CREATE INDEX civil_records_review ON civil_records (id) WHERE status = 'review';
-- +postgres
ALTER TABLE civil_records SET (fillfactor = 60);
ALTER TABLE civil_records DROP CONSTRAINT civil_records_import_id_fkey;
-- +end
