-- The agent bank's answer to a card-opening list (社保卡开卡回复): the file
-- imported, once (its hash is unique: the same file again adds nothing),
-- and what it did. Written only by package payroll.
CREATE TABLE ss_card_answers (
    id           @ID@,
    list_id      BIGINT NOT NULL REFERENCES ss_card_lists (id),
    file_name    TEXT NOT NULL,
    file_hash    TEXT NOT NULL UNIQUE,
    issued       BIGINT NOT NULL,             -- cards made (mailed or at the branch)
    activated    BIGINT NOT NULL,             -- of which already active
    released     BIGINT NOT NULL,             -- held pension lines released
    imported_by  TEXT NOT NULL,
    imported_at  @TS@ NOT NULL
);
CREATE INDEX ss_card_answers_list ON ss_card_answers (list_id);
