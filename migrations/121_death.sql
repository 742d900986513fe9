-- Deaths (死亡) and death benefits (死亡待遇), written by internal/death.

-- One death per person: who reported it first, the date (provisional when
-- an employer's removal gave only a month), the pension stopped after it
-- and what was paid after it (the overpayment) with its recovery.
CREATE TABLE deaths (
    id               @ID@,
    person_id        BIGINT NOT NULL UNIQUE REFERENCES persons (id),
    death_date       TEXT NOT NULL CHECK (length(death_date) = 10),
    date_confirmed   @BOOL@ NOT NULL DEFAULT TRUE,
    source           TEXT NOT NULL CHECK (source IN ('employer', 'relative', 'clerk', 'civil')),
    certificate_no   TEXT NOT NULL DEFAULT '',
    kind_at_death    TEXT NOT NULL,
    report_due       TEXT NOT NULL DEFAULT '',
    reported_late    @BOOL@ NOT NULL DEFAULT FALSE,
    overpaid_fen     BIGINT NOT NULL DEFAULT 0 CHECK (overpaid_fen >= 0),
    overpaid_months  BIGINT NOT NULL DEFAULT 0,
    offset_fen       BIGINT NOT NULL DEFAULT 0,
    recovered_fen    BIGINT NOT NULL DEFAULT 0,
    recovery         TEXT NOT NULL DEFAULT 'none' CHECK (recovery IN ('none', 'open', 'settled')),
    notices          BIGINT NOT NULL DEFAULT 0,
    last_notice_at   @TS@,
    reported_by      BIGINT NOT NULL DEFAULT 0,
    reported_at      @TS@ NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX deaths_recovery ON deaths (recovery, reported_at);

-- The heirs the reporter or a clerk listed; a claim must come from one.
CREATE TABLE death_heirs (
    id           @ID@,
    death_id     BIGINT NOT NULL REFERENCES deaths (id),
    name         TEXT NOT NULL,
    id_number    TEXT NOT NULL,
    relationship TEXT NOT NULL,
    UNIQUE (death_id, id_number)
);

-- Civil-affairs register files, each applied once.
CREATE TABLE civil_imports (
    id          @ID@,
    file_name   TEXT NOT NULL DEFAULT '',
    file_sha256 TEXT NOT NULL,
    rows_total  BIGINT NOT NULL DEFAULT 0,
    applied     BIGINT NOT NULL DEFAULT 0,
    review      BIGINT NOT NULL DEFAULT 0,
    duplicates  BIGINT NOT NULL DEFAULT 0,
    actor_id    BIGINT NOT NULL DEFAULT 0,
    created_at  @TS@ NOT NULL
);
CREATE UNIQUE INDEX civil_imports_sha ON civil_imports (file_sha256);

-- Each civil-affairs record (from a file or the API) and what matching
-- made of it: applied, a duplicate of a death already known, or waiting in
-- the review queue (unknown ID, name mismatch, a living record
-- contradicting it, another date) until a clerk applies or dismisses it.
CREATE TABLE civil_records (
    id          @ID@,
    import_id   BIGINT REFERENCES civil_imports (id),
    id_number   TEXT NOT NULL,
    name        TEXT NOT NULL,
    death_date  TEXT NOT NULL,
    cert_no     TEXT NOT NULL DEFAULT '',
    person_id   BIGINT,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'applied', 'duplicate', 'review', 'dismissed')),
    reason      TEXT NOT NULL DEFAULT '',
    resolved_by BIGINT NOT NULL DEFAULT 0,
    created_at  @TS@ NOT NULL
);
CREATE INDEX civil_records_import ON civil_records (import_id, status);
CREATE INDEX civil_records_status ON civil_records (status, created_at);

-- A death-benefit claim of an heir: the amounts by the rule in force on
-- the date of death, the overpayment offset, the claimant's account, and
-- the review and second check. One live claim per death.
CREATE TABLE death_claims (
    id              @ID@,
    no              TEXT NOT NULL UNIQUE,
    death_id        BIGINT NOT NULL REFERENCES deaths (id),
    claimant_name   TEXT NOT NULL,
    claimant_id     TEXT NOT NULL,
    relationship    TEXT NOT NULL,
    account_no      TEXT NOT NULL,
    bank_name       TEXT NOT NULL,
    funeral_fen     BIGINT NOT NULL,
    relief_fen      BIGINT NOT NULL,
    account_fen     BIGINT NOT NULL,
    offset_fen      BIGINT NOT NULL,
    net_fen         BIGINT NOT NULL,
    steps           @JSON@ NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('computed', 'reviewed', 'decided', 'rejected')),
    due_on          TEXT NOT NULL DEFAULT '',
    created_by      BIGINT NOT NULL,
    reviewed_by     BIGINT NOT NULL DEFAULT 0,
    checked_by      BIGINT NOT NULL DEFAULT 0,
    created_at      @TS@ NOT NULL,
    decided_at      @TS@,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX death_claims_live ON death_claims (death_id) WHERE status <> 'rejected';

-- API keys for civil affairs (民政部门) pushing death records.
-- +postgres
ALTER TABLE api_clients DROP CONSTRAINT IF EXISTS api_clients_kind_check;
ALTER TABLE api_clients ADD CONSTRAINT api_clients_kind_check CHECK (kind IN ('hospital', 'bank', 'bureau', 'civil'));
-- +end
-- +sqlite
CREATE TABLE api_clients_new (
    id           INTEGER PRIMARY KEY,
    user_id      BIGINT NOT NULL UNIQUE REFERENCES users (id),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('hospital', 'bank', 'bureau', 'civil')),
    key_prefix   TEXT NOT NULL UNIQUE,
    key_hash     TEXT NOT NULL,
    created_by   BIGINT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    revoked_at   TIMESTAMP,
    last_used_at TIMESTAMP,
    version      BIGINT NOT NULL DEFAULT 1
);
INSERT INTO api_clients_new SELECT id, user_id, name, kind, key_prefix, key_hash, created_by, created_at, revoked_at,
    last_used_at, version FROM api_clients;
DROP TABLE api_clients;
ALTER TABLE api_clients_new RENAME TO api_clients;
-- +end
