-- The list of deferred and late-accepted bills became the emergency
-- recovery register, which harvests flagged bills by fee month with the
-- predicate below (no status condition); the two partial indexes of
-- that list (one per status condition) were read by no query any more
-- and cost an entry on every settled bill. One partial index with the
-- harvest's predicate, word for word so that both planners use it,
-- replaces them; it names no status, so settling a bill does not touch
-- it (docs/decisions/0034-history-at-district-scale.md).
DROP INDEX IF EXISTS bills_deferred_open;
DROP INDEX IF EXISTS bills_deferred_paid;
CREATE INDEX bills_flagged ON bills (fee_month)
    WHERE (flags LIKE '%emergency_makeup%' OR flags LIKE '%late_accepted%');
