-- Statistics for bill_states right after it was filled (migration 166), so
-- the staff queue of bills is planned from the start by its index: without
-- them, until autovacuum's first analyze, /staff/bills?status=paid took
-- 142 ms at 1.2 M bills against 8 ms after (BenchmarkListPages).
-- +postgres
ANALYZE bill_states;
-- +end
