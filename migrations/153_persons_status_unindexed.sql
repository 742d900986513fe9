-- A person's status (active, suspended, deceased, transferred) is no longer
-- in an index: persons are listed by kind, name, ID number or birth date,
-- and no list picks persons out by status through an index (the status
-- filters the few rows those indexes give). A status change then writes
-- no index on PostgreSQL: it is a heap-only update where the page has
-- room, and new pages keep a tenth free for such updates. Marking the
-- 100,000 persons of a civil-affairs death file deceased wrote five index
-- entries a person (docs/decisions/0026-civil-matching-speed.md).
DROP INDEX persons_kind;
CREATE INDEX persons_kind ON persons (kind);
-- +postgres
ALTER TABLE persons SET (fillfactor = 90);
-- +end
