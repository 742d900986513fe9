-- Answers to common questions (常见问题), kept by 办公室 and the sections.
-- answer may be empty while the question is a draft; publishing needs one.
-- Dates (valid_from, valid_until, checked_on) are 'YYYY-MM-DD' text, so
-- both engines compare them the same way.
CREATE TABLE faqs (
    id          @ID@,
    question    TEXT NOT NULL,
    answer      TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL,
    section     TEXT NOT NULL,
    keywords    TEXT NOT NULL DEFAULT '',
    valid_from  TEXT NOT NULL DEFAULT '',
    valid_until TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'retired')),
    checked_on  TEXT NOT NULL,
    seed_key    TEXT UNIQUE,
    created_at  @TS@ NOT NULL,
    updated_at  @TS@ NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX faqs_status ON faqs (status, category);

-- Notices an answer refers to.
CREATE TABLE faq_notices (
    faq_id    BIGINT NOT NULL REFERENCES faqs (id) ON DELETE CASCADE,
    notice_id BIGINT NOT NULL REFERENCES notices (id),
    PRIMARY KEY (faq_id, notice_id)
);

-- The search index: each single Han character and each pair of adjacent
-- Han characters (and each Latin word or number) of the question, answer
-- and keywords, with the weight of the best field it occurs in (question 3,
-- keywords 2, answer 1). Plain rows and a B-tree index behave the same on
-- both engines, so a search ranks the same everywhere.
CREATE TABLE faq_grams (
    gram   TEXT NOT NULL,
    faq_id BIGINT NOT NULL REFERENCES faqs (id) ON DELETE CASCADE,
    weight INTEGER NOT NULL,
    PRIMARY KEY (faq_id, gram)
);
-- Covering: a search reads only this index.
CREATE INDEX faq_grams_gram ON faq_grams (gram, faq_id, weight);

-- Public searches that found nothing, counted, for 办公室 to answer.
CREATE TABLE faq_misses (
    term       TEXT PRIMARY KEY,
    hits       BIGINT NOT NULL DEFAULT 0,
    first_at   @TS@ NOT NULL,
    last_at    @TS@ NOT NULL
);
CREATE INDEX faq_misses_hits ON faq_misses (hits, last_at);
