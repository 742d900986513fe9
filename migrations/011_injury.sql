-- Work accident reports (工伤事故报告, seed 二.1): one row per case of type
-- injury_report, for statistics by employer and worker. The form fields
-- and the recognition application live in the case's data.
CREATE TABLE injury_reports (
    case_id     BIGINT PRIMARY KEY REFERENCES cases (id),
    employer_id BIGINT NOT NULL REFERENCES employers (id),
    person_id   BIGINT NOT NULL REFERENCES persons (id),
    accident_at @TS@ NOT NULL,
    reported_at @TS@ NOT NULL,
    late        @BOOL@ NOT NULL DEFAULT FALSE
);
CREATE INDEX injury_reports_employer ON injury_reports (employer_id, accident_at);
CREATE INDEX injury_reports_person ON injury_reports (person_id, accident_at);
