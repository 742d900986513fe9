-- The rows of a civil-affairs file (or push) on their way in: written in
-- bulk at the start of the import's transaction, read once by the one
-- statement that writes each civil record already matched to its person
-- and classified, and deleted before the transaction commits (rows never
-- outlive it). Written by internal/death. On PostgreSQL the table is not
-- logged: nothing in it survives a transaction, so nothing needs to
-- survive a crash.
-- Civil records are no longer updated when they are matched, so new pages
-- are filled again (fillfactor back to the default).
-- +sqlite
CREATE TABLE civil_stage (
    import_id  BIGINT NOT NULL,
    ord        INTEGER NOT NULL,
    id_number  TEXT NOT NULL,
    name       TEXT NOT NULL,
    death_date TEXT NOT NULL,
    cert_no    TEXT NOT NULL
);
-- +end
-- +postgres
CREATE UNLOGGED TABLE civil_stage (
    import_id  BIGINT NOT NULL,
    ord        INTEGER NOT NULL,
    id_number  TEXT NOT NULL,
    name       TEXT NOT NULL,
    death_date TEXT NOT NULL,
    cert_no    TEXT NOT NULL
);
ALTER TABLE civil_records RESET (fillfactor);
-- +end
