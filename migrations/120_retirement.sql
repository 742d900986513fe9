-- Retirement (退休): who is about to retire, the qualification
-- confirmation (退休资格确认) of employees and of the self-employed (个体退休
-- 申报), and the pension determination (待遇核定) with its versions. All
-- written by internal/retirement.

-- A person's retirement plan: the category (women: cadre 55 or worker 50;
-- without a row a woman counts as a worker), and a flexible retirement
-- month chosen earlier or agreed later than the statutory month.
CREATE TABLE retirement_plans (
    person_id    BIGINT PRIMARY KEY REFERENCES persons (id),
    category     TEXT NOT NULL CHECK (category IN ('male', 'female_cadre', 'female_worker')),
    chosen_month TEXT CHECK (chosen_month IS NULL OR length(chosen_month) = 7),
    updated_by   BIGINT NOT NULL DEFAULT 0,
    updated_at   @TS@ NOT NULL
);
CREATE INDEX retirement_plans_chosen ON retirement_plans (chosen_month);

-- The about-to-retire list reads persons by birth date.
CREATE INDEX persons_birth_gender ON persons (birth_date, gender);

-- Reminders sent before the retirement month (3 and 1 months), once each.
CREATE TABLE retirement_reminders (
    person_id    BIGINT NOT NULL REFERENCES persons (id),
    retire_month TEXT NOT NULL,
    lead_months  BIGINT NOT NULL,
    sent_at      @TS@ NOT NULL,
    PRIMARY KEY (person_id, retire_month, lead_months)
);

-- Staff the administrator made qualification approvers (退休审批).
CREATE TABLE retirement_approvers (
    user_id    BIGINT PRIMARY KEY,
    granted_by BIGINT NOT NULL,
    granted_at @TS@ NOT NULL
);

-- Personal-account balances imported from the former system until the
-- personal accounts are kept here.
CREATE TABLE retirement_account_balances (
    person_id   BIGINT PRIMARY KEY REFERENCES persons (id),
    balance_fen BIGINT NOT NULL CHECK (balance_fen >= 0),
    as_of_month TEXT NOT NULL,
    imported_at @TS@ NOT NULL
);

-- A qualification confirmation: an employer's form (kind employee) or a
-- self-employed application (kind selfemployed).
CREATE TABLE retirement_qualifications (
    id            @ID@,
    no            TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL CHECK (kind IN ('employee', 'selfemployed')),
    person_id     BIGINT NOT NULL REFERENCES persons (id),
    employer_id   BIGINT REFERENCES employers (id),
    channel       TEXT NOT NULL,
    category      TEXT NOT NULL,
    retire_month  TEXT NOT NULL,
    deemed_months BIGINT NOT NULL DEFAULT 0 CHECK (deemed_months >= 0),
    months        BIGINT NOT NULL DEFAULT 0,
    gaps          TEXT NOT NULL DEFAULT '[]',
    phone1        TEXT NOT NULL DEFAULT '',
    phone2        TEXT NOT NULL DEFAULT '',
    contact       TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected')),
    reason        TEXT NOT NULL DEFAULT '',
    scan_doc_id   BIGINT,
    received_at   @TS@ NOT NULL,
    submitted_by  BIGINT NOT NULL DEFAULT 0,
    decided_by    BIGINT NOT NULL DEFAULT 0,
    decided_at    @TS@,
    pushed        @BOOL@ NOT NULL DEFAULT FALSE,
    pooled_from   TEXT,
    case_no       TEXT NOT NULL DEFAULT '',
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    @TS@ NOT NULL
);
-- One open or approved confirmation per person.
CREATE UNIQUE INDEX retirement_qualifications_person ON retirement_qualifications (person_id)
    WHERE status IN ('submitted', 'approved');
CREATE INDEX retirement_qualifications_employer ON retirement_qualifications (employer_id, created_at);
CREATE INDEX retirement_qualifications_status ON retirement_qualifications (status, kind, created_at);

-- A pension determination (待遇核定), one row per version: a correction
-- adds a version with the difference against the one before.
CREATE TABLE pension_determinations (
    id                  @ID@,
    case_no             TEXT NOT NULL,
    person_id           BIGINT NOT NULL REFERENCES persons (id),
    qualification_id    BIGINT NOT NULL REFERENCES retirement_qualifications (id),
    version             BIGINT NOT NULL,
    retire_month        TEXT NOT NULL,
    first_month         TEXT NOT NULL,
    months              BIGINT NOT NULL,
    deemed_months       BIGINT NOT NULL,
    transitional_months BIGINT NOT NULL,
    avg_index_ppm       BIGINT NOT NULL,
    calc_base_fen       BIGINT NOT NULL,
    balance_fen         BIGINT NOT NULL,
    basic_fen           BIGINT NOT NULL,
    account_fen         BIGINT NOT NULL,
    transitional_fen    BIGINT NOT NULL,
    total_fen           BIGINT NOT NULL,
    arrears_months      BIGINT NOT NULL DEFAULT 0,
    arrears_fen         BIGINT NOT NULL DEFAULT 0,
    difference_fen      BIGINT NOT NULL DEFAULT 0,
    steps               @JSON@ NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('computed', 'reviewed', 'decided', 'superseded')),
    reason              TEXT NOT NULL DEFAULT '',
    computed_by         BIGINT NOT NULL,
    reviewed_by         BIGINT NOT NULL DEFAULT 0,
    checked_by          BIGINT NOT NULL DEFAULT 0,
    verify_code         TEXT UNIQUE,
    enrolled            @BOOL@ NOT NULL DEFAULT FALSE,
    decided_at          @TS@,
    created_at          @TS@ NOT NULL,
    UNIQUE (person_id, version)
);
CREATE INDEX pension_determinations_case ON pension_determinations (case_no, version);
