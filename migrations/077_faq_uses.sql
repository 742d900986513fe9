-- Answers to common questions given by a clerk on a phone (or other)
-- consultation recorded as a case: which answer, on which case.
CREATE TABLE faq_uses (
    id       @ID@,
    faq_id   BIGINT NOT NULL REFERENCES faqs (id),
    case_no  TEXT NOT NULL,
    channel  TEXT NOT NULL,
    used_by  BIGINT NOT NULL,
    used_at  @TS@ NOT NULL
);
CREATE INDEX faq_uses_faq ON faq_uses (faq_id, used_at);
