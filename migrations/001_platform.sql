-- Platform tables: scheduled job runs (shared by every server process).
CREATE TABLE job_runs (
    name        TEXT NOT NULL,
    slot        TEXT NOT NULL,
    started_at  @TS@ NOT NULL,
    finished_at @TS@,
    server      TEXT NOT NULL,
    result      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (name, slot)
);
