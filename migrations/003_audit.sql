-- Audit log: append-only and hash-chained (docs/decisions/0004-audit-hash-chain.md).
-- audit_head is the one-row head of the chain. Record locks it with
-- UPDATE … RETURNING inside the caller's transaction, so concurrent writers
-- append one after the other and the chain never forks.
CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    seq       BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- hash = SHA-256 over every other column (see audit/chain.go); prev_hash is
-- the hash of row seq-1 (64 zeros for the first row). before_json and
-- after_json hold canonical JSON (sorted keys), "null" when absent.
CREATE TABLE audit_log (
    seq            BIGINT PRIMARY KEY,
    at             @TS@ NOT NULL,
    actor_id       BIGINT NOT NULL,
    actor_username TEXT NOT NULL,
    actor_role     TEXT NOT NULL,
    action         TEXT NOT NULL,
    entity         TEXT NOT NULL,
    entity_id      TEXT NOT NULL,
    before_json    @JSON@ NOT NULL,
    after_json     @JSON@ NOT NULL,
    note           TEXT NOT NULL,
    request_id     TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_actor ON audit_log (actor_username);
CREATE INDEX audit_log_at ON audit_log (at);

-- Append-only in the database too: changing or deleting a row is an error.
-- +sqlite
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
-- +end
-- +postgres
CREATE FUNCTION audit_forbid() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_forbid();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_forbid();
-- +end
