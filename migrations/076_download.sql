-- Downloads (常用下载) kept by 办公室: the manuals and any file the office
-- publishes (PDF, Excel workbook, image). Each download has versions; the
-- newest by issued_on (then id) is current, older ones stay reachable by
-- their link and say they were superseded. audiences is a comma list of
-- employer, person, partner. notice_id makes the download an attachment
-- of that notice. seed_key names downloads Shebao publishes itself (manuals).
CREATE TABLE downloads (
    id          @ID@,
    title       TEXT NOT NULL UNIQUE,
    note        TEXT NOT NULL DEFAULT '',
    audiences   TEXT NOT NULL,
    notice_id   BIGINT REFERENCES notices (id),
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    seed_key    TEXT UNIQUE,
    created_at  @TS@ NOT NULL,
    updated_at  @TS@ NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX downloads_status ON downloads (status);
CREATE INDEX downloads_notice ON downloads (notice_id);

-- The files of a download. label is the version as people name it
-- ('2024版', 'V1.2'); a download never has the same label twice.
-- web_document_id is an optional web version (the manuals' HTML page).
CREATE TABLE download_versions (
    id              @ID@,
    download_id     BIGINT NOT NULL REFERENCES downloads (id),
    label           TEXT NOT NULL,
    issued_on       TEXT NOT NULL,
    document_id     BIGINT NOT NULL REFERENCES documents (id),
    web_document_id BIGINT REFERENCES documents (id),
    source_hash     TEXT NOT NULL DEFAULT '',
    created_by      BIGINT NOT NULL DEFAULT 0,
    created_at      @TS@ NOT NULL,
    UNIQUE (download_id, label)
);
CREATE INDEX download_versions_current ON download_versions (download_id, issued_on, id);
