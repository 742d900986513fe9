-- Idempotency keys of complaint filings through the JSON API, written by
-- internal/complaint. A retried filing with the same key gets the first
-- answer back and files nothing. Only a hash of the key (scoped to the
-- signed-in user, or to anonymous filings) and of the request are kept;
-- the answer, which carries an anonymous reporter's tracking code, is
-- sealed with a key derived from the idempotency key, so the table alone
-- reveals no tracking code. The row is written in the filing's own
-- transaction, before the complaint: a concurrent retry waits for it.
CREATE TABLE complaint_requests (
    key_hash     TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    complaint_id BIGINT NOT NULL DEFAULT 0,
    answer       TEXT NOT NULL DEFAULT '',
    created_at   @TS@ NOT NULL
);
