package download

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
)

// The SQL of the downloads and download_versions tables.

const itemCols = `id, title, note, audiences, COALESCE(notice_id, 0), status, COALESCE(seed_key, ''), updated_at, version`

func scanItem(row interface{ Scan(...any) error }) (*Item, error) {
	var it Item
	var aud string
	if err := row.Scan(&it.ID, &it.Title, &it.Note, &aud, &it.NoticeID, &it.Status, &it.Key, &it.UpdatedAt, &it.Version); err != nil {
		return nil, err
	}
	for _, a := range strings.Split(aud, ",") {
		if a != "" {
			it.Audiences = append(it.Audiences, Audience(a))
		}
	}
	return &it, nil
}

func itemByID(ctx context.Context, q db.Querier, id int64) (*Item, error) {
	it, err := scanItem(q.QueryRowContext(ctx, `SELECT `+itemCols+` FROM downloads WHERE id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("没有这个下载")
	}
	if err != nil {
		return nil, errs.Wrap(err, "get download")
	}
	return it, nil
}

func itemIDByTitle(ctx context.Context, q db.Querier, title string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM downloads WHERE title = $1`, title).Scan(&id)
	if db.IsNoRows(err) {
		return 0, nil
	}
	return id, errs.Wrap(err, "download by title")
}

func itemIDByKey(ctx context.Context, q db.Querier, key string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM downloads WHERE seed_key = $1`, key).Scan(&id)
	if db.IsNoRows(err) {
		return 0, nil
	}
	return id, errs.Wrap(err, "download by key")
}

func joinAudiences(as []Audience) string {
	var s []string
	for _, a := range as {
		s = append(s, string(a))
	}
	return strings.Join(s, ",")
}

func insertItem(ctx context.Context, tx *sql.Tx, in *Input, key string, now time.Time) (int64, error) {
	var id int64
	var notice, seed any
	if in.noticeID > 0 {
		notice = in.noticeID
	}
	if key != "" {
		seed = key
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO downloads (title, note, audiences, notice_id, seed_key, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
		in.Title, in.Note, joinAudiences(in.Audiences), notice, seed, now).Scan(&id)
	return id, errs.Wrap(err, "insert download")
}

func insertVersion(ctx context.Context, tx *sql.Tx, itemID int64, v *Version) (int64, error) {
	var id int64
	var web any
	if v.WebDocumentID > 0 {
		web = v.WebDocumentID
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO download_versions (download_id, label, issued_on, document_id,
		web_document_id, source_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		itemID, v.Label, v.IssuedOn, v.DocumentID, web, v.SourceHash, v.CreatedBy, v.CreatedAt).Scan(&id)
	return id, errs.Wrap(err, "insert download version")
}

func labelTaken(ctx context.Context, q db.Querier, itemID int64, label string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM download_versions WHERE download_id = $1 AND label = $2`,
		itemID, label).Scan(&n)
	return n > 0, errs.Wrap(err, "download label")
}

// touch bumps the item's version (optimistic lock) and updated_at.
func touch(ctx context.Context, tx *sql.Tx, id, version int64, now time.Time, status Status) error {
	r, err := tx.ExecContext(ctx, `UPDATE downloads SET status = $1, updated_at = $2, version = version + 1
		WHERE id = $3 AND version = $4`, string(status), now, id, version)
	if err != nil {
		return errs.Wrap(err, "update download")
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return errs.StaleVersion()
	}
	return nil
}

const versionCols = `v.id, v.download_id, v.label, v.issued_on, v.document_id, COALESCE(v.web_document_id, 0),
	v.source_hash, v.created_at, d.content_type`

func scanVersion(row interface{ Scan(...any) error }) (*Version, error) {
	var v Version
	var ct string
	err := row.Scan(&v.ID, &v.DownloadID, &v.Label, &v.IssuedOn, &v.DocumentID, &v.WebDocumentID, &v.SourceHash, &v.CreatedAt, &ct)
	v.Kind = Kind(ct)
	return &v, err
}

// versionsOf lists the versions of the items, newest first.
func versionsOf(ctx context.Context, q db.Querier, where string, args ...any) ([]Version, error) {
	var out []Version
	err := db.Each(ctx, q, func(r db.Scanner) error {
		v, err := scanVersion(r)
		if err != nil {
			return errs.Wrap(err, "scan download version")
		}
		out = append(out, *v)
		return nil
	}, `SELECT `+versionCols+` FROM download_versions v JOIN documents d ON d.id = v.document_id WHERE `+where+`
		ORDER BY v.download_id, v.issued_on DESC, v.id DESC`, args...)
	return out, errs.Wrap(err, "download versions")
}

func versionByID(ctx context.Context, q db.Querier, id int64) (*Version, error) {
	v, err := scanVersion(q.QueryRowContext(ctx, `SELECT `+versionCols+` FROM download_versions v JOIN documents d ON d.id = v.document_id WHERE v.id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("没有这个文件版本")
	}
	return v, errs.Wrap(err, "get download version")
}

// listItems returns the items matching where, ordered by title.
func listItems(ctx context.Context, q db.Querier, where string, args ...any) ([]Item, error) {
	var out []Item
	err := db.Each(ctx, q, func(r db.Scanner) error {
		it, err := scanItem(r)
		if err != nil {
			return errs.Wrap(err, "scan download")
		}
		out = append(out, *it)
		return nil
	}, `SELECT `+itemCols+` FROM downloads WHERE `+where+` ORDER BY id`, args...)
	return out, errs.Wrap(err, "list downloads")
}

func noticeExists(ctx context.Context, q db.Querier, id int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM notices WHERE id = $1`, id).Scan(&n)
	return n > 0, errs.Wrap(err, "notice exists")
}
