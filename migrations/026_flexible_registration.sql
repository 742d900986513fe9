-- Registrations of flexible workers (灵活就业参保登记): who registered,
-- in which capacity (category: 灵活就业人员 flexible, 个体工商户
-- self_employed, 失业人员 unemployed), with which base and start month.
-- self_registered marks the ones the person made online, listed for
-- 个体参保科 on its flexible workers' page.
CREATE TABLE flexible_registrations (
    id              @ID@,
    person_id       BIGINT NOT NULL REFERENCES persons (id),
    category        TEXT NOT NULL CHECK (category IN ('flexible', 'self_employed', 'unemployed')),
    base_fen        BIGINT NOT NULL CHECK (base_fen > 0),
    since           TEXT NOT NULL CHECK (length(since) = 7),
    self_registered @BOOL@ NOT NULL DEFAULT FALSE,
    registered_by   BIGINT,
    registered_at   @TS@ NOT NULL
);
CREATE INDEX flexible_registrations_person ON flexible_registrations (person_id, registered_at);
CREATE INDEX flexible_registrations_self ON flexible_registrations (self_registered, registered_at);
