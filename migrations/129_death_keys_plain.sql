-- A death names its person (deaths.person_id) only in the transaction that
-- has just read that person (a removal, a relative's report accepted, a
-- clerk's report, a civil-affairs record matched by ID number), and persons
-- are never deleted; a pension event names its pensioner only in the
-- payroll transaction that has just read and changed that pensioner, and
-- pensioners are never deleted. On PostgreSQL each of these foreign keys
-- checked again, per row, what the writing transaction guarantees, and
-- locked the referenced row (FOR KEY SHARE): for a civil-affairs file of
-- 100,000 deaths, 100,000 checks of persons and 50,000 of pensioners
-- (docs/decisions/0026-civil-matching-speed.md). Tests check that every
-- death has its person and every event its pensioner after a file is
-- applied. SQLite keeps the keys: they cost little there, and its tables
-- cannot drop a constraint without being rebuilt.
-- +postgres
ALTER TABLE deaths DROP CONSTRAINT IF EXISTS deaths_person_id_fkey;
ALTER TABLE pensioner_events DROP CONSTRAINT IF EXISTS pensioner_events_pensioner_id_fkey;
-- +end
