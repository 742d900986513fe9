-- Insured persons (参保人) and their employments (参保经历).
--
-- A person is one record across employers, found by the resident ID number.
-- kind says how the person is insured now: through an employer (employee),
-- on their own (flexible, with the base they chose in flex_base_fen), as a
-- pensioner (retiree) or as a survivor receiving benefits (survivor).
CREATE TABLE persons (
    id            @ID@,
    id_number     TEXT NOT NULL UNIQUE CHECK (length(id_number) = 18),
    name          TEXT NOT NULL,
    gender        TEXT NOT NULL CHECK (gender IN ('M', 'F')),
    birth_date    TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    kind          TEXT NOT NULL DEFAULT 'employee' CHECK (kind IN ('employee', 'flexible', 'retiree', 'survivor')),
    hukou_area    TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'deceased', 'transferred')),
    flex_base_fen BIGINT CHECK (flex_base_fen IS NULL OR flex_base_fen > 0),
    flex_since    TEXT,
    created_at    @TS@ NOT NULL,
    updated_at    @TS@ NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX persons_name ON persons (name);
CREATE INDEX persons_kind ON persons (kind, status);

-- An employment is one period a person is insured through an employer,
-- from start_month to end_month inclusive ('YYYY-MM'; end_month NULL while
-- it lasts). base_fen is the declared monthly contribution base.
CREATE TABLE employments (
    id          @ID@,
    person_id   BIGINT NOT NULL REFERENCES persons (id),
    employer_id BIGINT NOT NULL REFERENCES employers (id),
    start_month TEXT NOT NULL CHECK (length(start_month) = 7),
    end_month   TEXT CHECK (end_month IS NULL OR (length(end_month) = 7 AND end_month >= start_month)),
    base_fen    BIGINT NOT NULL CHECK (base_fen > 0),
    end_reason  TEXT NOT NULL DEFAULT '',
    created_at  @TS@ NOT NULL,
    updated_at  @TS@ NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX employments_employer ON employments (employer_id, start_month);
CREATE INDEX employments_person ON employments (person_id, start_month);
-- A person is insured by at most one employer at a time: one open period.
CREATE UNIQUE INDEX employments_one_open ON employments (person_id) WHERE end_month IS NULL;
