package account_test

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/migrations"
)

// TestEveryRoleStored: users.role accepts every role of access.Roles and
// the schema is sound, on a fresh database of each engine and on an SQLite
// database upgraded across the migration that widened the role check in
// the stored table definition (with users, sections and sessions written
// before it, which must survive).
func TestEveryRoleStored(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		acceptsEveryRole(t, d)
		integrityOK(t, d)
	})
	t.Run("sqlite upgraded", func(t *testing.T) {
		ctx := context.Background()
		d, err := db.Open(ctx, filepath.Join(t.TempDir(), "old.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		later := migrationsFrom(t, "112")
		if _, err := d.W.Exec(`CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at TIMESTAMP NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		for _, name := range later { // a database from before them: pretend they ran, migrate the rest
			if _, err := d.W.Exec(`INSERT INTO schema_migrations VALUES ($1, CURRENT_TIMESTAMP)`, name); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`INSERT INTO users (id, username, password_hash, role, created_at) VALUES (900, 'old-staff', 'x', 'staff', CURRENT_TIMESTAMP)`,
			`INSERT INTO user_sections (user_id, section) VALUES (900, 'injury')`,
			`INSERT INTO sessions (id, user_id, csrf_secret, created_at, last_seen_at, expires_at) VALUES ('s1', 900, 'c', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
		} {
			if _, err := d.W.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if _, err := d.W.Exec(`INSERT INTO users (username, password_hash, role, created_at) VALUES ('h', 'x', 'hospital', CURRENT_TIMESTAMP)`); err == nil {
			t.Fatal("the old schema accepted a hospital role: the upgrade is not tested")
		}
		for _, name := range later {
			if _, err := d.W.Exec(`DELETE FROM schema_migrations WHERE version = $1`, name); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		acceptsEveryRole(t, d)
		integrityOK(t, d)
		var n int
		if err := d.W.QueryRow(`SELECT (SELECT COUNT(*) FROM user_sections WHERE user_id = 900) +
			(SELECT COUNT(*) FROM sessions WHERE user_id = 900)`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("sections and sessions after the upgrade: %d %v", n, err)
		}
	})
}

// migrationsFrom lists the migration files from the one numbered first on.
func migrationsFrom(t *testing.T, first string) []string {
	t.Helper()
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range names {
		if n >= first {
			out = append(out, n)
		}
	}
	return out
}

func acceptsEveryRole(t *testing.T, d *db.DB) {
	t.Helper()
	err := d.WithTx(context.Background(), func(tx *sql.Tx) error {
		for _, r := range access.Roles {
			if _, err := tx.Exec(`INSERT INTO users (username, password_hash, role, created_at) VALUES ($1, 'x', $2, CURRENT_TIMESTAMP)`,
				"role-"+string(r), string(r)); err != nil {
				t.Errorf("role %s refused: %v", r, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.W.Exec(`INSERT INTO users (username, password_hash, role, created_at) VALUES ('role-x', 'x', 'nobody', CURRENT_TIMESTAMP)`); err == nil {
		t.Error("an unknown role was stored")
	}
}

func integrityOK(t *testing.T, d *db.DB) {
	t.Helper()
	if d.Dialect != db.SQLite {
		return
	}
	for _, check := range []string{"PRAGMA integrity_check", "PRAGMA foreign_key_check"} {
		rows, err := d.W.Query(check)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var cols []any
			cs, _ := rows.Columns()
			vals := make([]sql.NullString, len(cs))
			for i := range vals {
				cols = append(cols, &vals[i])
			}
			if err := rows.Scan(cols...); err != nil {
				t.Fatal(err)
			}
			got = append(got, vals[0].String)
		}
		rows.Close()
		if check == "PRAGMA integrity_check" && (len(got) != 1 || got[0] != "ok") || check != "PRAGMA integrity_check" && len(got) != 0 {
			t.Errorf("%s: %q", check, got)
		}
	}
}
