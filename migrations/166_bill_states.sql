-- The staff queue of bills by status reads bill_states (bill, payer kind,
-- status, fee month) in its order (payer kind, status, fee month newest
-- first, bill). On PostgreSQL bill_states is a narrow table kept by
-- statement triggers on bills, and no index of bills names status any
-- more: paying a bill (paid_fen, status, version) is a heap-only update
-- of bills (fillfactor 50, migration 025) and one narrow row here, where
-- it wrote an entry into every index of bills. The triggers run once per
-- statement with the statement's rows (a 100,000-bill import updates
-- bill_states in one statement) and plan that statement afresh each time,
-- for the number of rows it has. On SQLite an update writes only the
-- indexes whose columns changed, so bills keeps bills_list_status and
-- bill_states is a view of bills: the queue's query is the same text on
-- both engines (docs/decisions/0040-statement-import-heap-only.md).
-- +sqlite
CREATE VIEW bill_states AS SELECT id AS bill_id, payer_kind, status, fee_month FROM bills;
-- +end
-- +postgres
CREATE TABLE bill_states (
    bill_id    BIGINT PRIMARY KEY,
    payer_kind TEXT NOT NULL,
    status     TEXT NOT NULL,
    fee_month  TEXT NOT NULL
);
INSERT INTO bill_states (bill_id, payer_kind, status, fee_month) SELECT id, payer_kind, status, fee_month FROM bills;
CREATE INDEX bill_states_list ON bill_states (payer_kind, status, fee_month DESC, bill_id);
DROP INDEX bills_list_status;
CREATE FUNCTION bill_states_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'INSERT INTO bill_states (bill_id, payer_kind, status, fee_month) SELECT id, payer_kind, status, fee_month FROM added_bills'; RETURN NULL; END $$;
CREATE FUNCTION bill_states_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'UPDATE bill_states s SET payer_kind = n.payer_kind, status = n.status, fee_month = n.fee_month FROM changed_bills n WHERE s.bill_id = n.id AND (s.status <> n.status OR s.payer_kind <> n.payer_kind OR s.fee_month <> n.fee_month)'; RETURN NULL; END $$;
CREATE FUNCTION bill_states_removed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'DELETE FROM bill_states s USING removed_bills o WHERE s.bill_id = o.id'; RETURN NULL; END $$;
CREATE TRIGGER bills_states_added AFTER INSERT ON bills REFERENCING NEW TABLE AS added_bills FOR EACH STATEMENT EXECUTE FUNCTION bill_states_added();
CREATE TRIGGER bills_states_changed AFTER UPDATE ON bills REFERENCING NEW TABLE AS changed_bills FOR EACH STATEMENT EXECUTE FUNCTION bill_states_changed();
CREATE TRIGGER bills_states_removed AFTER DELETE ON bills REFERENCING OLD TABLE AS removed_bills FOR EACH STATEMENT EXECUTE FUNCTION bill_states_removed();
-- +end
