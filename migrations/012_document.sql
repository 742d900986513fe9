-- Stored documents (scans, photos, mail attachments). The content lives in
-- a content-addressed blob store keyed by sha256; several rows may share
-- one blob (same content uploaded twice, under different names or users).
CREATE TABLE documents (
    id           @ID@,
    sha256       TEXT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    uploaded_by  BIGINT NOT NULL DEFAULT 0,
    created_at   @TS@ NOT NULL
);
CREATE INDEX documents_sha256 ON documents (sha256);
