-- The emergency recovery register (延期业务登记): one row per piece of
-- business deferred because of an emergency, harvested from the tables of
-- the owning packages (read only) by internal/recovery. deadline_on is the
-- make-up deadline ('' while the emergency has not ended), recomputed when
-- the emergency's end is set or changed. status: open (to be made up),
-- made_up (the owning record shows it done), handed_over (still open after
-- the deadline, handed to the section), resolved (the section recorded what
-- it did).
CREATE TABLE recovery_items (
    id            @ID@,
    emergency_id  BIGINT NOT NULL REFERENCES emergencies (id),
    kind          TEXT NOT NULL,
    source_ref    TEXT NOT NULL,
    section       TEXT NOT NULL,
    party_kind    TEXT NOT NULL DEFAULT '' CHECK (party_kind IN ('', 'employer', 'person', 'contact')),
    party_id      BIGINT NOT NULL DEFAULT 0,
    party_email   TEXT NOT NULL DEFAULT '',
    party_phone   TEXT NOT NULL DEFAULT '',
    subject       TEXT NOT NULL DEFAULT '',
    subject_is_person @BOOL@ NOT NULL DEFAULT FALSE,
    ref           TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT '',
    opened_on     TEXT NOT NULL,
    deadline_on   TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'made_up', 'handed_over', 'resolved')),
    made_up_on    TEXT NOT NULL DEFAULT '',
    handed_on     TEXT NOT NULL DEFAULT '',
    resolved_by   TEXT NOT NULL DEFAULT '',
    resolved_note TEXT NOT NULL DEFAULT '',
    created_at    @TS@ NOT NULL,
    updated_at    @TS@ NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1,
    UNIQUE (kind, source_ref)
);
-- Pages read one index range: every item by deadline, by status, by
-- section, by kind; search by number or by the start of the name.
CREATE INDEX recovery_items_list ON recovery_items (deadline_on, id);
CREATE INDEX recovery_items_status ON recovery_items (status, deadline_on, id);
CREATE INDEX recovery_items_section ON recovery_items (section, status, deadline_on, id);
CREATE INDEX recovery_items_kind ON recovery_items (kind, status, deadline_on, id);
CREATE INDEX recovery_items_emergency ON recovery_items (emergency_id, status, deadline_on);
CREATE INDEX recovery_items_ref ON recovery_items (ref);
CREATE INDEX recovery_items_subject ON recovery_items (subject, id);

-- Reminders sent to the employer or person before the deadline, once per
-- item and step (30, 7 and 1 days before).
CREATE TABLE recovery_reminders (
    item_id  BIGINT NOT NULL REFERENCES recovery_items (id),
    step     BIGINT NOT NULL,
    sent_at  @TS@ NOT NULL,
    PRIMARY KEY (item_id, step)
);

-- The daily progress of an ended emergency's register.
CREATE TABLE recovery_progress (
    emergency_id BIGINT NOT NULL REFERENCES emergencies (id),
    day          TEXT NOT NULL,
    open_count   BIGINT NOT NULL,
    made_up      BIGINT NOT NULL,
    overdue      BIGINT NOT NULL,
    handed_over  BIGINT NOT NULL,
    resolved     BIGINT NOT NULL,
    taken_at     @TS@ NOT NULL,
    PRIMARY KEY (emergency_id, day)
);

-- Counts of the register by emergency, section, kind and status, kept by
-- every write of internal/recovery, so a page's totals read a few rows
-- instead of counting 100,000 items.
CREATE TABLE recovery_counts (
    emergency_id BIGINT NOT NULL,
    section      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (emergency_id, section, kind, status)
);
