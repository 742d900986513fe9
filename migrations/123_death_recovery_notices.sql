-- The notices claiming back a pension overpaid after a death: one row per
-- death and step (1 notice, 2 reminder, 3 final reminder), so a step is
-- sent once however often or on however many servers the job runs.
CREATE TABLE death_recovery_notices (
    id           @ID@,
    death_id     BIGINT NOT NULL REFERENCES deaths (id),
    step         INTEGER NOT NULL CHECK (step BETWEEN 1 AND 3),
    outstanding_fen BIGINT NOT NULL,
    sent_on      TEXT NOT NULL CHECK (length(sent_on) = 10),
    created_at   @TS@ NOT NULL,
    UNIQUE (death_id, step)
);
