-- Benefit-eligibility certification (待遇资格认证) of pensioners, written by
-- internal/retirement: one row per certification (by civil-affairs data
-- matching or by the pensioner on the portal), and one reminder per
-- pensioner and missed due date.
CREATE TABLE pension_certifications (
    id            @ID@,
    person_id     BIGINT NOT NULL REFERENCES persons (id),
    certified_on  TEXT NOT NULL CHECK (length(certified_on) = 10),
    method        TEXT NOT NULL CHECK (method IN ('civil', 'self')),
    created_at    @TS@ NOT NULL,
    UNIQUE (person_id, certified_on, method)
);
CREATE TABLE certification_reminders (
    id            @ID@,
    person_id     BIGINT NOT NULL REFERENCES persons (id),
    due_on        TEXT NOT NULL,
    sent_at       @TS@ NOT NULL,
    UNIQUE (person_id, due_on)
);
