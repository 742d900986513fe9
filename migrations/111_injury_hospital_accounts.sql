-- injury_hospital_accounts: the receiving bank account of a hospital that
-- settles directly (联网结算), registered by a clerk from the hospital's
-- letter. hospital_id is the hospital's API client user (the payee of its
-- settlement lines). Until it is registered the hospital's payout lines are
-- held; registering releases them to the fund section.
CREATE TABLE injury_hospital_accounts (
    hospital_id    BIGINT PRIMARY KEY REFERENCES users (id),
    account_name   TEXT NOT NULL,
    account_no     TEXT NOT NULL,
    bank_name      TEXT NOT NULL,
    name_confirmed @BOOL@ NOT NULL DEFAULT FALSE,
    registered_by  BIGINT NOT NULL,
    registered_at  @TS@ NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1
);
