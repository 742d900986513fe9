-- Assessment runs (核定批次): one row per run of a fee month's assessment,
-- started by 统筹科 on the assessment page or by the scheduled job. The
-- page polls done/total while it runs. At most one run of a month is
-- running at a time, across every server: the partial unique index lets
-- exactly one insert win. A run whose server died stops updating
-- heartbeat_at and is closed as interrupted by the next start.
CREATE TABLE assess_runs (
    id           @ID@,
    fee_month    TEXT NOT NULL CHECK (length(fee_month) = 7),
    origin       TEXT NOT NULL CHECK (origin IN ('manual', 'scheduled')),
    status       TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    total        BIGINT NOT NULL DEFAULT 0,
    done         BIGINT NOT NULL DEFAULT 0,
    created      BIGINT NOT NULL DEFAULT 0,
    redone       BIGINT NOT NULL DEFAULT 0,
    lines        BIGINT NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    actor_id     BIGINT NOT NULL DEFAULT 0,
    actor_name   TEXT NOT NULL DEFAULT '',
    server       TEXT NOT NULL DEFAULT '',
    started_at   @TS@ NOT NULL,
    heartbeat_at @TS@ NOT NULL,
    finished_at  @TS@
);
CREATE UNIQUE INDEX assess_runs_running ON assess_runs (fee_month) WHERE status = 'running';
CREATE INDEX assess_runs_month ON assess_runs (fee_month, started_at);
