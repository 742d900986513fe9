-- Work-injury benefits (工伤保险待遇): what follows the accident report.
--
-- injury_recognitions: the district HR bureau's recognition decision
-- (工伤认定决定书) as the agency records it, entered by a clerk from the
-- letter (scan in documents) or pushed by the bureau through the API. The
-- own wage (本人工资) is kept with it once worked out.
CREATE TABLE injury_recognitions (
    id              @ID@,
    decision_no     TEXT NOT NULL UNIQUE,
    decided_on      TEXT NOT NULL,
    person_id       BIGINT NOT NULL REFERENCES persons (id),
    employer_id     BIGINT NOT NULL REFERENCES employers (id),
    report_case_id  BIGINT REFERENCES cases (id),
    accident_on     TEXT NOT NULL,
    applied_on      TEXT NOT NULL,
    applicant       TEXT NOT NULL CHECK (applicant IN ('employer', 'worker')),
    result          TEXT NOT NULL CHECK (result IN ('recognised', 'not_recognised')),
    category        TEXT NOT NULL CHECK (category IN ('ordinary', 'covid_medical')),
    insured         @BOOL@ NOT NULL,
    late            @BOOL@ NOT NULL DEFAULT FALSE,
    late_note       TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL CHECK (source IN ('clerk', 'bureau')),
    document_id     BIGINT,
    own_wage_fen    BIGINT NOT NULL DEFAULT 0,
    own_wage_source TEXT NOT NULL DEFAULT '' CHECK (own_wage_source IN ('', 'records', 'entered')),
    own_wage_steps  TEXT NOT NULL DEFAULT '',
    own_wage_doc_id BIGINT,
    recorded_by     BIGINT NOT NULL DEFAULT 0,
    created_at      @TS@ NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX injury_recognitions_person ON injury_recognitions (person_id, decided_on);
CREATE INDEX injury_recognitions_list ON injury_recognitions (created_at, id);

-- injury_appraisals: labour capacity appraisal conclusions (劳动能力鉴定);
-- a re-appraisal requested within 15 days supersedes the first.
CREATE TABLE injury_appraisals (
    id                @ID@,
    recognition_id    BIGINT NOT NULL REFERENCES injury_recognitions (id),
    conclusion_no     TEXT NOT NULL UNIQUE,
    appraised_on      TEXT NOT NULL,
    grade             BIGINT NOT NULL CHECK (grade BETWEEN 0 AND 10),
    nursing           TEXT NOT NULL,
    reappraisal_due   TEXT NOT NULL,
    reappraisal_asked TEXT NOT NULL DEFAULT '',
    superseded        @BOOL@ NOT NULL DEFAULT FALSE,
    recorded_by       BIGINT NOT NULL DEFAULT 0,
    created_at        @TS@ NOT NULL
);
CREATE INDEX injury_appraisals_recognition ON injury_appraisals (recognition_id, id);

-- injury_claims: a benefit claim (待遇申报), one per case, and its items.
CREATE TABLE injury_claims (
    id              @ID@,
    case_id         BIGINT NOT NULL UNIQUE REFERENCES cases (id),
    recognition_id  BIGINT NOT NULL REFERENCES injury_recognitions (id),
    person_id       BIGINT NOT NULL REFERENCES persons (id),
    employer_id     BIGINT NOT NULL REFERENCES employers (id),
    benefit         TEXT NOT NULL,
    fast_track      @BOOL@ NOT NULL DEFAULT FALSE,
    payee           TEXT NOT NULL CHECK (payee IN ('employer', 'worker')),
    bank_name       TEXT NOT NULL DEFAULT '',
    bank_account    TEXT NOT NULL DEFAULT '',
    non_designated  @BOOL@ NOT NULL DEFAULT FALSE,
    continued_id    BIGINT,
    status          TEXT NOT NULL CHECK (status IN ('review', 'check', 'approved', 'refused', 'stopped')),
    refusal         TEXT NOT NULL DEFAULT '',
    uninsured       @BOOL@ NOT NULL DEFAULT FALSE,
    claimed_fen     BIGINT NOT NULL DEFAULT 0,
    approved_fen    BIGINT NOT NULL DEFAULT 0,
    reviewed_by     BIGINT NOT NULL DEFAULT 0,
    reviewed_name   TEXT NOT NULL DEFAULT '',
    checked_by      BIGINT NOT NULL DEFAULT 0,
    checked_name    TEXT NOT NULL DEFAULT '',
    letter_code     TEXT NOT NULL DEFAULT '',
    decided_at      @TS@,
    created_at      @TS@ NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX injury_claims_recognition ON injury_claims (recognition_id);
CREATE INDEX injury_claims_uninsured ON injury_claims (uninsured, id);
CREATE UNIQUE INDEX injury_claims_letter ON injury_claims (letter_code) WHERE letter_code <> '';

CREATE TABLE injury_claim_items (
    id           @ID@,
    claim_id     BIGINT NOT NULL REFERENCES injury_claims (id),
    line         BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    code         TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL,
    quantity     TEXT NOT NULL DEFAULT '1',
    claimed_fen  BIGINT NOT NULL CHECK (claimed_fen >= 0),
    in_catalogue @BOOL@ NOT NULL DEFAULT TRUE,
    covid        @BOOL@ NOT NULL DEFAULT FALSE,
    monthly      @BOOL@ NOT NULL DEFAULT FALSE,
    first_month  TEXT NOT NULL DEFAULT '',
    steps        TEXT NOT NULL DEFAULT '',
    decision     TEXT NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'approved', 'reduced', 'refused')),
    approved_fen BIGINT NOT NULL DEFAULT 0,
    reason       TEXT NOT NULL DEFAULT '',
    UNIQUE (claim_id, line)
);

-- injury_covid_items: drugs and services of the national COVID-19 diagnosis
-- and treatment plan, payable in full; a dated list the section edits.
CREATE TABLE injury_covid_items (
    id         @ID@,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to   TEXT NOT NULL DEFAULT '',
    basis      TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL DEFAULT 0,
    created_at @TS@ NOT NULL
);
CREATE INDEX injury_covid_items_code ON injury_covid_items (code, valid_from);

-- injury_settlements: a hospital's direct inpatient settlement (联网结算).
-- The answer is kept to replay it for the same idempotency key; the items
-- are kept as the hospital sent them, with what was accepted.
CREATE TABLE injury_settlements (
    id              @ID@,
    settlement_no   TEXT NOT NULL UNIQUE,
    hospital_id     BIGINT NOT NULL,
    hospital_name   TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    invoice_no      TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    recognition_id  BIGINT NOT NULL REFERENCES injury_recognitions (id),
    person_id       BIGINT NOT NULL REFERENCES persons (id),
    admitted_on     TEXT NOT NULL,
    discharged_on   TEXT NOT NULL,
    total_fen       BIGINT NOT NULL,
    accepted_fen    BIGINT NOT NULL,
    items           @JSON@ NOT NULL,
    answer          @JSON@ NOT NULL,
    created_at      @TS@ NOT NULL,
    UNIQUE (hospital_id, idempotency_key),
    UNIQUE (hospital_id, invoice_no)
);
CREATE INDEX injury_settlements_hospital ON injury_settlements (hospital_id, id);
CREATE INDEX injury_settlements_person ON injury_settlements (person_id);

-- injury_continued: 《工伤职工继续治疗申请表》 filed by a designated
-- hospital; the worker is admitted at once and approval is deferred
-- (暂不审批) until the stay's benefits are claimed.
CREATE TABLE injury_continued (
    id             @ID@,
    form_no        TEXT NOT NULL UNIQUE,
    hospital_id    BIGINT NOT NULL,
    hospital_name  TEXT NOT NULL,
    recognition_id BIGINT NOT NULL REFERENCES injury_recognitions (id),
    person_id      BIGINT NOT NULL REFERENCES persons (id),
    admitted_on    TEXT NOT NULL,
    diagnosis      TEXT NOT NULL,
    reason         TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('deferred', 'approved', 'refused')),
    claim_id       BIGINT,
    decision_note  TEXT NOT NULL DEFAULT '',
    created_at     @TS@ NOT NULL,
    decided_at     @TS@
);
CREATE INDEX injury_continued_status ON injury_continued (status, id);
CREATE INDEX injury_continued_hospital ON injury_continued (hospital_id, id);

-- injury_payables: approved amounts ready to pay, one per business key
-- (claim item, settlement, or a month of a monthly allowance), handed to
-- the payouts module; status stopped when a false commitment stops payment.
CREATE TABLE injury_payables (
    id            @ID@,
    business_key  TEXT NOT NULL UNIQUE,
    benefit       TEXT NOT NULL,
    source        TEXT NOT NULL,
    person_id     BIGINT NOT NULL REFERENCES persons (id),
    payee_kind    TEXT NOT NULL CHECK (payee_kind IN ('employer', 'worker', 'hospital')),
    payee_ref     BIGINT NOT NULL,
    payee_name    TEXT NOT NULL,
    bank_account  TEXT NOT NULL DEFAULT '',
    period        TEXT NOT NULL DEFAULT '',
    amount_fen    BIGINT NOT NULL CHECK (amount_fen > 0),
    status        TEXT NOT NULL CHECK (status IN ('ready', 'stopped')),
    created_at    @TS@ NOT NULL
);
CREATE INDEX injury_payables_payee ON injury_payables (payee_kind, payee_ref, id);
CREATE INDEX injury_payables_source ON injury_payables (source);

-- API keys for the district HR bureau (区人社局) pushing recognitions.
-- +postgres
ALTER TABLE api_clients DROP CONSTRAINT IF EXISTS api_clients_kind_check;
ALTER TABLE api_clients ADD CONSTRAINT api_clients_kind_check CHECK (kind IN ('hospital', 'bank', 'bureau'));
-- +end
-- +sqlite
CREATE TABLE api_clients_new (
    id           INTEGER PRIMARY KEY,
    user_id      BIGINT NOT NULL UNIQUE REFERENCES users (id),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('hospital', 'bank', 'bureau')),
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
