-- Notices (公告) published by 办公室 on the public site and the portals.
-- body is plain text (paragraphs separated by blank lines), escaped on
-- display. seed_key names notices the system seeded, so seeding runs once.
CREATE TABLE notices (
    id           @ID@,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    category     TEXT NOT NULL CHECK (category IN ('emergency', 'guide', 'contact', 'other')),
    pinned       @BOOL@ NOT NULL DEFAULT FALSE,
    status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'withdrawn')),
    published_at @TS@,
    expires_at   @TS@,
    author_id    BIGINT NOT NULL DEFAULT 0,
    author_name  TEXT NOT NULL DEFAULT '',
    seed_key     TEXT UNIQUE,
    created_at   @TS@ NOT NULL,
    updated_at   @TS@ NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX notices_public ON notices (status, pinned, published_at);
CREATE INDEX notices_category ON notices (category, status);
