-- Staff lists read one index range and stop after a page, however many
-- months have been assessed. The bills queue (newest month first, then
-- id) with no filter or a month uses bills_list, with a status (and a
-- month) bills_list_status. The list of deferred and late-accepted bills
-- reads bills_deferred_open (still to pay, oldest month first) or
-- bills_deferred_paid; their predicates are written exactly as the query
-- writes them, so both engines use them.
--
-- A full payment changes status, which these indexes name, so that one
-- update per bill is no longer HOT on PostgreSQL (confirming already was:
-- it sets the indexed payment reference); partial payments, which change
-- only paid_fen, still are. docs/decisions/0019-lists-that-do-not-grow.md
-- gives the measured cost.
CREATE INDEX bills_list ON bills (payer_kind, fee_month DESC, id);
CREATE INDEX bills_list_status ON bills (payer_kind, status, fee_month DESC, id);
CREATE INDEX bills_deferred_open ON bills (fee_month, id)
    WHERE (flags LIKE '%emergency_makeup%' OR flags LIKE '%late_accepted%') AND status <> 'paid' AND status <> 'cancelled';
CREATE INDEX bills_deferred_paid ON bills (fee_month, id)
    WHERE (flags LIKE '%emergency_makeup%' OR flags LIKE '%late_accepted%') AND status = 'paid';
