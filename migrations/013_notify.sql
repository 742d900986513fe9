-- Notifications: the outbox of messages to send by email, SMS and WeChat
-- (drained by every server; rows are claimed so each is sent once), and
-- the portal inbox of each user.
CREATE TABLE outbox (
    id              @ID@,
    channel         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    user_id         BIGINT NOT NULL DEFAULT 0,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    kind            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at @TS@ NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    claimed_by      TEXT NOT NULL DEFAULT '',
    claimed_until   @TS@,
    created_at      @TS@ NOT NULL,
    sent_at         @TS@
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_created ON outbox (created_at);
CREATE TABLE user_messages (
    id         @ID@,
    user_id    BIGINT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    kind       TEXT NOT NULL DEFAULT '',
    created_at @TS@ NOT NULL,
    read_at    @TS@
);
CREATE INDEX user_messages_user ON user_messages (user_id, id);
