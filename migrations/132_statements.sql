-- Personal rights statements (个人权益记录单): a batch for all retirees,
-- the employees of one employer or every insured person is generated in
-- the background. Its members are frozen when the batch is made (ordered
-- by employer, then person); each statement is written with its PDF in
-- the transaction that also queues its e-mail, so a batch resumed after a
-- crash skips the statements already written and mails nobody twice.
CREATE TABLE statement_batches (
    id           @ID@,
    scope        TEXT NOT NULL CHECK (scope IN ('retirees', 'employer', 'all')),
    employer_id  BIGINT REFERENCES employers (id),
    year         INTEGER NOT NULL,                 -- the statement covers up to the end of this year
    mail         @BOOL@ NOT NULL DEFAULT FALSE,     -- e-mail the persons with an e-mail address
    print        @BOOL@ NOT NULL DEFAULT FALSE,     -- add a print edition ordered by employer
    status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    total        BIGINT NOT NULL DEFAULT 0,
    done         BIGINT NOT NULL DEFAULT 0,
    mailed       BIGINT NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    actor_id     BIGINT NOT NULL DEFAULT 0,
    actor_name   TEXT NOT NULL DEFAULT '',
    server       TEXT NOT NULL DEFAULT '',
    created_at   @TS@ NOT NULL,
    heartbeat_at @TS@ NOT NULL,
    finished_at  @TS@
);
CREATE INDEX statement_batches_status ON statement_batches (status, heartbeat_at);

CREATE TABLE statement_members (
    batch_id      BIGINT NOT NULL REFERENCES statement_batches (id),
    seq           BIGINT NOT NULL,
    person_id     BIGINT NOT NULL,
    employer_name TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (batch_id, seq)
);

CREATE TABLE statements (
    id           @ID@,
    batch_id     BIGINT REFERENCES statement_batches (id),
    seq          BIGINT NOT NULL DEFAULT 0,
    person_id    BIGINT NOT NULL REFERENCES persons (id),
    year         INTEGER NOT NULL,
    code         TEXT NOT NULL UNIQUE,            -- verification code (20 base32 characters)
    name         TEXT NOT NULL,
    id_number    TEXT NOT NULL,
    months       BIGINT NOT NULL DEFAULT 0,       -- contribution months up to the year
    balance_fen  BIGINT NOT NULL DEFAULT 0,       -- account balance at the end of the year
    employer_name TEXT NOT NULL DEFAULT '',
    mailed       @BOOL@ NOT NULL DEFAULT FALSE,
    pdf          @BLOB@ NOT NULL,
    created_at   @TS@ NOT NULL
);
CREATE UNIQUE INDEX statements_batch ON statements (batch_id, seq);
CREATE INDEX statements_person ON statements (person_id, created_at);

-- The print edition of a batch, in parts of at most a few hundred
-- statements each, ordered like the members.
CREATE TABLE statement_prints (
    batch_id  BIGINT NOT NULL REFERENCES statement_batches (id),
    part      INTEGER NOT NULL,
    first_seq BIGINT NOT NULL,
    last_seq  BIGINT NOT NULL,
    pdf       @BLOB@ NOT NULL,
    PRIMARY KEY (batch_id, part)
);
