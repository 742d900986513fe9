-- Employer registration (企业参保登记): applications, employers, profile
-- change requests and the counters that number them.

-- Registered employers (参保单位). employer_no is the 单位社保编号 and the
-- employer's login; uscc is the national key.
CREATE TABLE employers (
    id               @ID@,
    employer_no      TEXT NOT NULL UNIQUE,
    uscc             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    legal_rep        TEXT NOT NULL,
    address          TEXT NOT NULL,
    contact_name     TEXT NOT NULL DEFAULT '',
    contact_phone    TEXT NOT NULL DEFAULT '',
    contact_email    TEXT NOT NULL DEFAULT '',
    industry         TEXT NOT NULL,
    risk_class       INTEGER NOT NULL CHECK (risk_class BETWEEN 1 AND 8),
    injury_float_ppm BIGINT NOT NULL DEFAULT 1000000,
    bank_name        TEXT NOT NULL DEFAULT '',
    bank_account     TEXT NOT NULL DEFAULT '',
    established_on   TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
    registered_on    TEXT NOT NULL,
    created_at       @TS@ NOT NULL,
    updated_at       @TS@ NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX employers_name ON employers (name);
CREATE INDEX employers_status ON employers (status, employer_no);

-- Registration applications. A returned application is final; the applicant
-- submits a new one (previous_id links it to the returned one).
CREATE TABLE employer_applications (
    id             @ID@,
    app_no         TEXT NOT NULL UNIQUE,
    uscc           TEXT NOT NULL,
    name           TEXT NOT NULL,
    legal_rep      TEXT NOT NULL,
    address        TEXT NOT NULL,
    contact_name   TEXT NOT NULL DEFAULT '',
    contact_phone  TEXT NOT NULL DEFAULT '',
    contact_email  TEXT NOT NULL DEFAULT '',
    industry       TEXT NOT NULL,
    risk_class     INTEGER NOT NULL CHECK (risk_class BETWEEN 1 AND 8),
    bank_name      TEXT NOT NULL DEFAULT '',
    bank_account   TEXT NOT NULL DEFAULT '',
    established_on TEXT NOT NULL,
    channel        TEXT NOT NULL CHECK (channel IN ('web', 'phone', 'email', 'counter', 'post', 'wechat')),
    recorded_by    BIGINT,
    status         TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'returned', 'withdrawn')),
    return_reasons TEXT NOT NULL DEFAULT '',
    late_flag      @BOOL@ NOT NULL DEFAULT FALSE,
    late_basis     TEXT NOT NULL DEFAULT '',
    reviewer_id    BIGINT,
    decided_at     @TS@,
    employer_id    BIGINT REFERENCES employers (id),
    previous_id    BIGINT REFERENCES employer_applications (id),
    submitted_at   @TS@ NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX employer_applications_queue ON employer_applications (status, submitted_at);
CREATE INDEX employer_applications_uscc ON employer_applications (uscc);
CREATE INDEX employer_applications_name ON employer_applications (name);
-- At most one application per USCC waits for review at a time.
CREATE UNIQUE INDEX employer_applications_one_pending ON employer_applications (uscc) WHERE status = 'submitted';

-- Profile change requests (单位信息变更). fields holds the proposed values
-- as a JSON object; before_values the employer's values when decided.
CREATE TABLE employer_change_requests (
    id            @ID@,
    employer_id   BIGINT NOT NULL REFERENCES employers (id),
    fields        @JSON@ NOT NULL,
    before_values @JSON@ NOT NULL DEFAULT '{}',
    reason        TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    requested_by  BIGINT,
    requested_at  @TS@ NOT NULL,
    reviewer_id   BIGINT,
    decided_at    @TS@,
    reject_reason TEXT NOT NULL DEFAULT '',
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX employer_change_requests_queue ON employer_change_requests (status, requested_at);
CREATE INDEX employer_change_requests_employer ON employer_change_requests (employer_id, status);
-- At most one change request per employer waits for review at a time.
CREATE UNIQUE INDEX employer_change_requests_one_pending ON employer_change_requests (employer_id) WHERE status = 'pending';

-- Counters for employer numbers ('employer_no') and daily application
-- numbers ('app:YYYYMMDD'); incremented inside the transaction that uses
-- the number, so two servers never hand out the same one.
CREATE TABLE employer_counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
