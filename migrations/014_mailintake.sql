-- Mail intake: messages to the section mailboxes that were not turned into
-- draft cases (spam, oversized, malformed, unknown recipient), kept for a
-- clerk to release or delete. The raw message is a content-addressed blob
-- in <data>/mail-quarantine (raw_sha256; empty when it was not kept, e.g.
-- oversized mail refused during DATA).
CREATE TABLE mail_quarantine (
    id            @ID@,
    received_at   @TS@ NOT NULL,
    mail_from     TEXT NOT NULL,
    rcpt_to       TEXT NOT NULL,
    subject       TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL,
    score         INTEGER NOT NULL DEFAULT 0,
    raw_sha256    TEXT NOT NULL DEFAULT '',
    raw_size      BIGINT NOT NULL DEFAULT 0,
    remote_addr   TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'held',
    case_no       TEXT NOT NULL DEFAULT '',
    decided_by    BIGINT NOT NULL DEFAULT 0,
    decided_at    @TS@
);
CREATE INDEX mail_quarantine_status ON mail_quarantine (status, id);
-- Messages already turned into cases, by Message-ID and sender, so a
-- sending server that retries (after a timeout) does not open a second case.
CREATE TABLE mail_received (
    message_id  TEXT NOT NULL,
    from_email  TEXT NOT NULL,
    case_no     TEXT NOT NULL,
    received_at @TS@ NOT NULL,
    PRIMARY KEY (message_id, from_email)
);
