-- Dashboards (办公室、科室负责人): the figures are computed by the job
-- dashboard.refresh (and on demand) and kept as one JSON document per
-- scope, so a dashboard view reads one row whatever the size of the
-- district; taken_at is shown as the figures' freshness.
CREATE TABLE dashboard_snapshots (
    scope    TEXT PRIMARY KEY,
    data     TEXT NOT NULL,
    taken_at @TS@ NOT NULL,
    took_ms  BIGINT NOT NULL DEFAULT 0
);
