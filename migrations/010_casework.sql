-- Cases (件): every application someone sends and a section handles, with
-- its history, documents, owed originals (容缺) and commitments (告知承诺).
--
-- is_open is FALSE once a case is closed or withdrawn; queues read open
-- cases through the (section, is_open, …) indexes sorted by sort_at, which
-- is the deadline or a far-future instant when the case has none, so both
-- engines sort the same way. overdue_at is sort_at while the agency must
-- act (submitted, resubmitted, accepted, in review) and far future
-- otherwise, so "overdue" is one index range. owing counts originals
-- still outstanding. A deadline counted from an emergency's end names the
-- emergency (deadline_emergency_id, deadline_days); deadline_at is NULL
-- while it is open and is recomputed when its end is set or changed.
CREATE TABLE case_counters (
    prefix TEXT NOT NULL,
    day    TEXT NOT NULL,
    last   BIGINT NOT NULL,
    PRIMARY KEY (prefix, day)
);

CREATE TABLE cases (
    id              @ID@,
    case_no         TEXT NOT NULL UNIQUE,
    type            TEXT NOT NULL,
    section         TEXT NOT NULL,
    state           TEXT NOT NULL,
    is_open         @BOOL@ NOT NULL DEFAULT TRUE,
    applicant_kind  TEXT NOT NULL CHECK (applicant_kind IN ('employer', 'person', 'hospital', 'anonymous')),
    employer_id     BIGINT REFERENCES employers (id),
    person_id       BIGINT REFERENCES persons (id),
    applicant_name  TEXT NOT NULL DEFAULT '',
    applicant_email TEXT NOT NULL DEFAULT '',
    applicant_phone TEXT NOT NULL DEFAULT '',
    subject_id_hash TEXT NOT NULL DEFAULT '',
    channel         TEXT NOT NULL CHECK (channel IN ('web', 'email', 'phone', 'post', 'counter', 'wechat')),
    recorded_by     BIGINT NOT NULL DEFAULT 0,
    recorded_name   TEXT NOT NULL DEFAULT '',
    assignee_id     BIGINT NOT NULL DEFAULT 0,
    assignee_name   TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL DEFAULT '',
    data            @JSON@ NOT NULL,
    deadline_at     @TS@,
    deadline_rule   TEXT NOT NULL DEFAULT '',
    deadline_emergency_id BIGINT,
    deadline_days   BIGINT NOT NULL DEFAULT 0,
    sort_at         @TS@ NOT NULL,
    overdue_at      @TS@ NOT NULL,
    late            @BOOL@ NOT NULL DEFAULT FALSE,
    late_by         TEXT NOT NULL DEFAULT '',
    deferred        @BOOL@ NOT NULL DEFAULT FALSE,
    owing           BIGINT NOT NULL DEFAULT 0,
    submitted_at    @TS@ NOT NULL,
    decided_at      @TS@,
    closed_at       @TS@,
    created_at      @TS@ NOT NULL,
    updated_at      @TS@ NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
-- The trailing state and type columns let filtered counts read the index only.
CREATE INDEX cases_queue ON cases (section, is_open, sort_at, id, state, type);
CREATE INDEX cases_queue_assignee ON cases (section, is_open, assignee_id, sort_at, id, state, type);
CREATE INDEX cases_queue_state ON cases (section, state, sort_at, id);
CREATE INDEX cases_queue_overdue ON cases (section, overdue_at, id);
CREATE INDEX cases_queue_type ON cases (section, type, state, sort_at, id);
CREATE INDEX cases_queue_owing ON cases (section, sort_at, id) WHERE owing > 0;
CREATE INDEX cases_queue_owing_type ON cases (section, type, state, sort_at, id) WHERE owing > 0;
CREATE INDEX cases_deadline_emergency ON cases (deadline_emergency_id) WHERE deadline_emergency_id IS NOT NULL;
CREATE INDEX cases_employer ON cases (employer_id, created_at);
CREATE INDEX cases_person ON cases (person_id, created_at);
CREATE INDEX cases_subject ON cases (subject_id_hash);
CREATE INDEX cases_applicant_name ON cases (applicant_name);

CREATE TABLE case_events (
    id          @ID@,
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    at          @TS@ NOT NULL,
    actor_id    BIGINT NOT NULL DEFAULT 0,
    actor_name  TEXT NOT NULL DEFAULT '',
    actor_role  TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    from_state  TEXT NOT NULL DEFAULT '',
    to_state    TEXT NOT NULL DEFAULT '',
    public      @BOOL@ NOT NULL DEFAULT FALSE,
    body        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events (case_id, id);

CREATE TABLE case_documents (
    id          @ID@,
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    document_id BIGINT NOT NULL,
    item        TEXT NOT NULL DEFAULT '',
    added_by    BIGINT NOT NULL DEFAULT 0,
    added_at    @TS@ NOT NULL,
    UNIQUE (case_id, document_id)
);

-- Originals owed after a 容缺 acceptance. due_on is NULL while it depends
-- on an emergency that has not ended (due_rule then reads 疫情结束后N日内);
-- the emergency end listener fills it in.
CREATE TABLE case_owed_originals (
    id           @ID@,
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    item         TEXT NOT NULL,
    due_on       TEXT,
    emergency_id BIGINT,
    due_days     BIGINT NOT NULL DEFAULT 0,
    due_rule     TEXT NOT NULL DEFAULT '',
    received_at  @TS@,
    received_by  TEXT NOT NULL DEFAULT '',
    via          TEXT NOT NULL DEFAULT '' CHECK (via IN ('', 'post', 'counter')),
    created_at   @TS@ NOT NULL
);
CREATE INDEX case_owed_case ON case_owed_originals (case_id);
CREATE INDEX case_owed_open ON case_owed_originals (due_on, case_id) WHERE received_at IS NULL;
CREATE INDEX case_owed_emergency ON case_owed_originals (emergency_id) WHERE received_at IS NULL;

CREATE TABLE case_commitments (
    id           @ID@,
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    item         TEXT NOT NULL,
    text_shown   TEXT NOT NULL,
    accepted_by  BIGINT NOT NULL,
    accepted_name TEXT NOT NULL DEFAULT '',
    accepted_at  @TS@ NOT NULL,
    found_false  @BOOL@ NOT NULL DEFAULT FALSE,
    follow_up    TEXT NOT NULL DEFAULT '',
    flagged_by   TEXT NOT NULL DEFAULT '',
    flagged_at   @TS@
);
CREATE INDEX case_commitments_case ON case_commitments (case_id);

-- One row per reminder sent, so the reminder job sends each once.
CREATE TABLE case_reminders (
    case_id   BIGINT NOT NULL REFERENCES cases (id),
    threshold TEXT NOT NULL,
    sent_at   @TS@ NOT NULL,
    PRIMARY KEY (case_id, threshold)
);
