package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// API client kinds.
const (
	KindHospital = "hospital" // 医院（工伤联网结算）
	KindBank     = "bank"     // 银行（代发、对账）
	KindBureau   = "bureau"   // 区人社局（推送工伤认定结论）
	KindCivil    = "civil"    // 民政部门（推送死亡数据）
)

// KindName returns the Chinese name of an API client kind.
func KindName(kind string) string {
	switch kind {
	case KindHospital:
		return "医院"
	case KindBank:
		return "银行"
	case KindBureau:
		return "区人社局"
	case KindCivil:
		return "民政部门"
	}
	return kind
}

// APIClient is a hospital or bank calling /api/v1 with a key.
type APIClient struct {
	ID         int64
	UserID     int64 // the client's own account (role api), named in audit entries
	Name       string
	Kind       string
	KeyPrefix  string // shown to identify the key; the key itself is never stored
	CreatedBy  int64
	CreatedAt  time.Time
	RevokedAt  time.Time // zero while active
	LastUsedAt time.Time // zero if never used
	Version    int64
}

// Revoked reports whether the key was revoked.
func (c *APIClient) Revoked() bool { return !c.RevokedAt.IsZero() }

// KindName is the Chinese name of the client's kind.
func (c *APIClient) KindName() string { return KindName(c.Kind) }

func errBadKey() error {
	return errs.New(errs.Unauthenticated, "bad_api_key", "接口密钥无效或已吊销")
}

// CreateAPIClient registers a hospital or bank and returns its key
// "sbk_<prefix>_<secret>", shown once: only its SHA-256 is stored.
// Administrators only. Errors: Forbidden, Invalid (fields name, kind), Internal.
func (s *Service) CreateAPIClient(ctx context.Context, a *access.Actor, name, kind string) (key string, err error) {
	if err := a.RequireAdmin(); err != nil {
		return "", err
	}
	name = strings.TrimSpace(name)
	var f errs.Fields
	if name == "" {
		f.Add("name", "请填写接口客户端名称（如医院或银行全称）")
	} else if utf8.RuneCountInString(name) > 60 {
		f.Add("name", "名称不能超过 60 个字")
	}
	if kind != KindHospital && kind != KindBank && kind != KindBureau && kind != KindCivil {
		f.Add("kind", "请选择类型：医院、银行、区人社局或民政部门")
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	pb := make([]byte, 4)
	if _, err := rand.Read(pb); err != nil {
		return "", errs.Wrap(err, "key prefix")
	}
	prefix := hex.EncodeToString(pb)
	key = "sbk_" + prefix + "_" + randomToken(32)
	now := s.clock.Now()
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		uid, err := s.insertUser(ctx, tx, NewAccount{Role: access.RoleAPI, Username: "api-" + prefix, DisplayName: name, PasswordHash: "!"})
		if err != nil {
			return err
		}
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO api_clients (user_id, name, kind, key_prefix, key_hash, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, uid, name, kind, prefix, hashToken(key), a.UserID, now).Scan(&id)
		if err != nil {
			return errs.Wrap(err, "insert api client")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "api_client.create", Entity: "api_client", EntityID: strconv.FormatInt(id, 10),
			After: map[string]any{"name": name, "kind": kind, "key_prefix": prefix}})
	})
	if err != nil {
		return "", err
	}
	return key, nil
}

// RevokeAPIClient ends a client's key for good. Administrators only.
// Errors: Forbidden, NotFound, Conflict (already revoked), Internal.
func (s *Service) RevokeAPIClient(ctx context.Context, a *access.Actor, id int64) error {
	if err := a.RequireAdmin(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, err := getAPIClient(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.Revoked() {
			return errs.New(errs.Conflict, "already_revoked", "该接口密钥已吊销")
		}
		now := s.clock.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE api_clients SET revoked_at = $2, version = version + 1 WHERE id = $1`, id, now); err != nil {
			return errs.Wrap(err, "revoke api client")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = TRUE, version = version + 1 WHERE id = $1`, c.UserID); err != nil {
			return errs.Wrap(err, "disable api user")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "api_client.revoke", Entity: "api_client", EntityID: strconv.FormatInt(id, 10),
			Before: map[string]any{"name": c.Name, "key_prefix": c.KeyPrefix}, After: map[string]any{"revoked_at": now}})
	})
}

// GetAPIClient returns one client. Administrators only.
// Errors: Forbidden, NotFound, Internal.
func (s *Service) GetAPIClient(ctx context.Context, a *access.Actor, id int64) (*APIClient, error) {
	if err := a.RequireAdmin(); err != nil {
		return nil, err
	}
	return getAPIClient(ctx, s.db.Read(), id)
}

// ListAPIClients returns every client, newest first. Administrators only.
// Errors: Forbidden, Internal.
func (s *Service) ListAPIClients(ctx context.Context, a *access.Actor) ([]*APIClient, error) {
	if err := a.RequireAdmin(); err != nil {
		return nil, err
	}
	var out []*APIClient
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		c, err := scanClient(r)
		if err != nil {
			return errs.Wrap(err, "scan api client")
		}
		out = append(out, c)
		return nil
	}, `SELECT `+clientColumns+` FROM api_clients ORDER BY id DESC`)
	return out, errs.Wrap(err, "list api clients")
}

// AuthenticateAPIKey returns the actor (role api, ClientKind set) of a key.
// Errors: Unauthenticated for a malformed, unknown or revoked key; Internal.
func (s *Service) AuthenticateAPIKey(ctx context.Context, key string) (*access.Actor, error) {
	parts := strings.SplitN(key, "_", 3)
	if len(parts) != 3 || parts[0] != "sbk" || len(parts[1]) != 8 || len(key) > 100 {
		return nil, errBadKey()
	}
	var (
		id, uid        int64
		username, kind string
		keyHash        string
		revoked, used  sql.NullTime
		disabled       bool
	)
	err := s.db.Read().QueryRowContext(ctx, `SELECT c.id, c.user_id, u.username, c.kind, c.key_hash, c.revoked_at, c.last_used_at, u.disabled
		FROM api_clients c JOIN users u ON u.id = c.user_id WHERE c.key_prefix = $1`, parts[1]).
		Scan(&id, &uid, &username, &kind, &keyHash, &revoked, &used, &disabled)
	if db.IsNoRows(err) {
		return nil, errBadKey()
	}
	if err != nil {
		return nil, errs.Wrap(err, "load api client")
	}
	if subtle.ConstantTimeCompare([]byte(hashToken(key)), []byte(keyHash)) != 1 || revoked.Valid || disabled {
		return nil, errBadKey()
	}
	now := s.clock.Now()
	if !used.Valid || now.Sub(used.Time) >= TouchEvery {
		if _, err := s.db.W.ExecContext(ctx, `UPDATE api_clients SET last_used_at = $2 WHERE id = $1`, id, now); err != nil {
			return nil, errs.Wrap(err, "touch api client")
		}
	}
	return &access.Actor{UserID: uid, Username: username, Role: access.RoleAPI, ClientKind: kind}, nil
}

const clientColumns = `id, user_id, name, kind, key_prefix, created_by, created_at, revoked_at, last_used_at, version`

func scanClient(sc interface{ Scan(...any) error }) (*APIClient, error) {
	var c APIClient
	var revoked, used sql.NullTime
	if err := sc.Scan(&c.ID, &c.UserID, &c.Name, &c.Kind, &c.KeyPrefix, &c.CreatedBy, &c.CreatedAt, &revoked, &used, &c.Version); err != nil {
		return nil, err
	}
	c.RevokedAt, c.LastUsedAt = revoked.Time, used.Time
	return &c, nil
}

func getAPIClient(ctx context.Context, q db.Querier, id int64) (*APIClient, error) {
	c, err := scanClient(q.QueryRowContext(ctx, `SELECT `+clientColumns+` FROM api_clients WHERE id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("没有编号为 %d 的接口客户端", id)
	}
	if err != nil {
		return nil, errs.Wrap(err, "load api client")
	}
	return c, nil
}
