-- Complaints and reports (举报投诉), written by internal/complaint.

-- One complaint or report. The reporter (reporter_*) is visible only to
-- 审计科; an anonymous reporter follows it with a tracking code of which
-- only the SHA-256 is kept (tracking_hash). The reported employer or person
-- (target_*) and the deadlines (acknowledge_due, answer_due, computed with
-- the working-day calendar from dated rules) are on the row, the history
-- in complaint_events.
CREATE TABLE complaints (
    id                @ID@,
    no                TEXT NOT NULL UNIQUE,
    category          TEXT NOT NULL CHECK (category IN ('arrears', 'unregistered', 'fraud', 'service', 'labour', 'other')),
    channel           TEXT NOT NULL CHECK (channel IN ('web', 'anonymous', 'phone', 'email', 'wechat', 'visit', 'referral')),
    status            TEXT NOT NULL CHECK (status IN ('received', 'accepted', 'answered', 'objected', 'closed', 'rejected', 'transferred')),
    subject           TEXT NOT NULL,
    body              TEXT NOT NULL,
    reporter_kind     TEXT NOT NULL CHECK (reporter_kind IN ('anonymous', 'person', 'employer', 'named', 'agency')),
    reporter_user_id  BIGINT NOT NULL DEFAULT 0,
    reporter_name     TEXT NOT NULL DEFAULT '',
    reporter_contact  TEXT NOT NULL DEFAULT '',
    tracking_hash     TEXT UNIQUE,
    target_name       TEXT NOT NULL DEFAULT '',
    target_employer_id BIGINT,
    target_person_id  BIGINT,
    source_ref        TEXT NOT NULL DEFAULT '',
    section           TEXT NOT NULL DEFAULT 'audit',
    acknowledge_due   TEXT NOT NULL,
    answer_due        TEXT NOT NULL,
    due_basis         TEXT NOT NULL DEFAULT '',
    acknowledged_at   @TS@,
    decision_reason   TEXT NOT NULL DEFAULT '',
    transfer_to       TEXT NOT NULL DEFAULT '',
    answer            TEXT NOT NULL DEFAULT '',
    answered_at       @TS@,
    feedback          TEXT NOT NULL DEFAULT '' CHECK (feedback IN ('', 'satisfied', 'objection')),
    feedback_text     TEXT NOT NULL DEFAULT '',
    escalations       BIGINT NOT NULL DEFAULT 0,
    outcome           TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'confirmed', 'unfounded', 'mediated')),
    recovery_fen      BIGINT NOT NULL DEFAULT 0 CHECK (recovery_fen >= 0),
    filed_by          BIGINT NOT NULL DEFAULT 0,
    filed_at          @TS@ NOT NULL,
    closed_at         @TS@,
    version           BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX complaints_status ON complaints (status, filed_at);
CREATE INDEX complaints_filed ON complaints (filed_at);
CREATE INDEX complaints_reporter ON complaints (reporter_user_id, filed_at);
CREATE INDEX complaints_employer ON complaints (target_employer_id);

-- The timeline: every step, note and document. public marks what the
-- reporter reads (acceptance, the answer …); notes of the investigation
-- are internal.
CREATE TABLE complaint_events (
    id           @ID@,
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    at           @TS@ NOT NULL,
    actor_id     BIGINT NOT NULL DEFAULT 0,
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL DEFAULT '',
    document_id  BIGINT,
    public       @BOOL@ NOT NULL DEFAULT FALSE
);
CREATE INDEX complaint_events_complaint ON complaint_events (complaint_id, id);

-- What a report concerns and what a confirmed one started: cases, the
-- employer's open bills (enforcement of arrears and late fees) and
-- recovery items of overpaid benefits, each with its amount.
CREATE TABLE complaint_links (
    id           @ID@,
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    kind         TEXT NOT NULL CHECK (kind IN ('case', 'bill', 'recovery')),
    ref          TEXT NOT NULL,
    amount_fen   BIGINT NOT NULL DEFAULT 0,
    note         TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    created_at   @TS@ NOT NULL,
    UNIQUE (complaint_id, kind, ref)
);
CREATE INDEX complaint_links_kind ON complaint_links (kind, status);

-- A dispute about rights settled by mediation: who took part and what was agreed.
CREATE TABLE complaint_mediations (
    id           @ID@,
    complaint_id BIGINT NOT NULL UNIQUE REFERENCES complaints (id),
    held_on      TEXT NOT NULL,
    parties      TEXT NOT NULL,
    agreement    TEXT NOT NULL,
    recorded_by  BIGINT NOT NULL,
    recorded_at  @TS@ NOT NULL
);
