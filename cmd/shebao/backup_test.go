package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"shebao/internal/db"
)

// TestBackupRestores backs up a live SQLite database while another
// connection keeps writing, then opens the copy as a database and counts.
func TestBackupRestores(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "shebao.db")
	d, err := db.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	insert := func(i int) error {
		_, err := d.W.ExecContext(ctx, `INSERT INTO job_runs (name, slot, started_at, server) VALUES ('backup.test', $1, $2, 'x')`,
			fmt.Sprintf("slot-%05d", i), time.Now().UTC())
		return err
	}
	for i := 0; i < 500; i++ {
		if err := insert(i); err != nil {
			t.Fatal(err)
		}
	}
	// Keep writing while the backup runs.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 500; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := insert(i); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	out := filepath.Join(dir, "backups", "copy.db")
	size, err := backupSQLite(ctx, src, out)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if size == 0 {
		t.Fatal("empty backup")
	}
	if st, _ := os.Stat(out); st.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", st.Mode().Perm())
	}
	if _, err := os.Stat(out + ".partial"); !os.IsNotExist(err) {
		t.Errorf("temporary file left behind: %v", err)
	}

	restored, err := db.Open(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	var n, migrations int
	if err := restored.R.QueryRow(`SELECT COUNT(*) FROM job_runs WHERE name = 'backup.test'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	restored.R.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&migrations)
	var srcMigrations int
	d.R.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&srcMigrations)
	if n < 500 || migrations != srcMigrations {
		t.Fatalf("restored copy has %d job rows and %d migrations; want >= 500 and %d", n, migrations, srcMigrations)
	}
	var check string
	restored.R.QueryRow(`PRAGMA integrity_check`).Scan(&check)
	if check != "ok" {
		t.Fatalf("integrity_check: %s", check)
	}
	// The copy is a usable database: the migrator finds nothing to do.
	if applied, err := restored.Migrate(ctx); err != nil || len(applied) != 0 {
		t.Fatalf("migrate restored copy: %v %v", applied, err)
	}

	if _, err := backupSQLite(ctx, src, out); err == nil {
		t.Fatal("overwrote an existing backup")
	}
	if _, err := backupSQLite(ctx, filepath.Join(dir, "missing.db"), filepath.Join(dir, "x.db")); err == nil {
		t.Fatal("backed up a missing database")
	}
}

func TestBackupRefusesPostgres(t *testing.T) {
	err := runBackup(context.Background(), []string{"--db", "postgres://u:p@127.0.0.1:1/x", "--out", filepath.Join(t.TempDir(), "b")})
	if !errors.Is(err, errUsePgDump) {
		t.Fatalf("want the pg_dump message, got %v", err)
	}
	if err := runBackup(context.Background(), []string{"--data", t.TempDir()}); err == nil {
		t.Fatal("backup without --out succeeded")
	}
}
