-- Payment certificates (参保缴费证明). The content is a snapshot of what
-- the certificate states (JSON text), so the PDF and the printable HTML
-- show the same certificate whenever they are downloaded. code is the
-- unguessable verification code (20 base32 characters, 100 bits).
CREATE TABLE certificates (
    id             @ID@,
    code           TEXT NOT NULL UNIQUE,
    subject_kind   TEXT NOT NULL CHECK (subject_kind IN ('person', 'employer')),
    person_id      BIGINT REFERENCES persons (id),
    employer_id    BIGINT REFERENCES employers (id),
    subject_name   TEXT NOT NULL,
    subject_number TEXT NOT NULL,               -- ID number or USCC (shown masked on the check page)
    period_from    TEXT NOT NULL,               -- YYYY-MM
    period_to      TEXT NOT NULL,               -- YYYY-MM
    issuer         TEXT NOT NULL,
    content        TEXT NOT NULL,
    sealed         @BOOL@ NOT NULL DEFAULT FALSE,
    issued_at      @TS@ NOT NULL,
    issued_by      BIGINT,
    status         TEXT NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'revoked')),
    revoked_at     @TS@,
    revoked_by     BIGINT,
    revoke_reason  TEXT NOT NULL DEFAULT '',
    version        BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX certificates_person ON certificates (person_id, issued_at);
CREATE INDEX certificates_employer ON certificates (employer_id, issued_at);

-- Rate limit of the public check page: checks per client (hashed address)
-- and 10-minute window, shared by every server.
CREATE TABLE certificate_checks (
    client       TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits         BIGINT NOT NULL,
    PRIMARY KEY (client, window_start)
);
