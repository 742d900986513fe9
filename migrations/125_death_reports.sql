-- A relative's online death report (死亡申报), waiting for 保险福利科's
-- review with the death-certificate scan: accepted, it records the death
-- (deaths row, pension stopped); rejected, the reason is sent to the
-- relative. Written by internal/death.
CREATE TABLE death_reports (
    id               @ID@,
    no               TEXT NOT NULL UNIQUE,
    reporter_user_id BIGINT NOT NULL,
    reporter_name    TEXT NOT NULL,
    reporter_id_no   TEXT NOT NULL,
    relationship     TEXT NOT NULL,
    phone            TEXT NOT NULL,
    person_id        BIGINT NOT NULL REFERENCES persons (id),
    death_date       TEXT NOT NULL CHECK (length(death_date) = 10),
    certificate_no   TEXT NOT NULL,
    scan_doc_id      BIGINT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'rejected')),
    reason           TEXT NOT NULL DEFAULT '',
    death_id         BIGINT REFERENCES deaths (id),
    decided_by       BIGINT NOT NULL DEFAULT 0,
    decided_at       @TS@,
    created_at       @TS@ NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
);
-- One report under review per deceased person.
CREATE UNIQUE INDEX death_reports_open ON death_reports (person_id) WHERE status = 'submitted';
CREATE INDEX death_reports_status ON death_reports (status, created_at);
CREATE INDEX death_reports_reporter ON death_reports (reporter_user_id, created_at);
