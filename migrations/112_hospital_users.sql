-- Hospital web users (医院经办人员): a hospital's staff log in on the web to
-- file continued-treatment forms and to see the hospital's own
-- settlements and payments. users.role gains 'hospital'; hospital_id is
-- the hospital's API client user (the identity its settlements, forms and
-- payout lines carry).
ALTER TABLE users ADD COLUMN hospital_id BIGINT;
CREATE INDEX users_hospital ON users (hospital_id);
-- +postgres
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('employer', 'person', 'staff', 'admin', 'api', 'hospital'));
-- +end
-- SQLite cannot alter a CHECK constraint, and rebuilding users would
-- cascade-delete its sessions and sections. Widening the constraint (no
-- existing row can violate it) is the schema edit SQLite documents for
-- changing CHECK constraints: rewrite the table's stored SQL, then RESET
-- makes this connection re-read the schema; the index created above bumped
-- the schema version, so every other connection re-reads it too.
-- +sqlite
PRAGMA writable_schema = ON;
UPDATE sqlite_master SET sql = replace(sql, '''staff'', ''admin'', ''api'')', '''staff'', ''admin'', ''api'', ''hospital'')')
    WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = RESET;
-- +end
