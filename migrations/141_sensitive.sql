-- Staff posts (职务) and sensitive matters (重大、敏感事项请示报告).

-- staff_posts: who holds a post, written by internal/account. section is
-- the section led for section_head (科室负责人), '' for office_head
-- (办公室主任) and agency_head (中心主任).
CREATE TABLE staff_posts (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    post    TEXT NOT NULL CHECK (post IN ('section_head', 'office_head', 'agency_head')),
    section TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, post, section)
);
CREATE INDEX staff_posts_post ON staff_posts (post, section);

-- A matter flagged major or sensitive, written by internal/sensitive. chain
-- is the configured chain of posts at flagging time ("section_head:2,…":
-- post and working days to acknowledge), level the index of the post it
-- waits for now, due_at that level's acknowledgement deadline.
CREATE TABLE sensitive_matters (
    id           @ID@,
    no           TEXT NOT NULL UNIQUE,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('case', 'complaint', 'event')),
    subject_ref  TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    section      TEXT NOT NULL,
    chain        TEXT NOT NULL,
    level        BIGINT NOT NULL DEFAULT 0,
    status       TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    due_at       @TS@,
    flagged_by   BIGINT NOT NULL,
    flagged_at   @TS@ NOT NULL,
    closed_at    @TS@,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX sensitive_matters_open ON sensitive_matters (status, due_at);

-- One row per level reached: when, its deadline, who acknowledged it with
-- which instruction, or that it was passed up because nobody acknowledged
-- it in time (overdue).
CREATE TABLE sensitive_steps (
    id              @ID@,
    matter_id       BIGINT NOT NULL REFERENCES sensitive_matters (id),
    level           BIGINT NOT NULL,
    post            TEXT NOT NULL,
    reached_at      @TS@ NOT NULL,
    due_at          @TS@ NOT NULL,
    acknowledged_by BIGINT NOT NULL DEFAULT 0,
    acknowledged_at @TS@,
    instruction     TEXT NOT NULL DEFAULT '',
    overdue         @BOOL@ NOT NULL DEFAULT FALSE,
    UNIQUE (matter_id, level)
);
