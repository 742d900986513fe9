package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"shebao/internal/db"
)

// errUsePgDump is returned by `shebao backup` on PostgreSQL.
var errUsePgDump = errors.New("PostgreSQL 数据库请用 pg_dump 备份，例如 pg_dump --format=custom --file=shebao.dump \"$SHEBAO_DB\"；" +
	"恢复用 pg_restore / for PostgreSQL use pg_dump (restore with pg_restore); shebao backup only copies SQLite")

func runBackup(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	out := fs.String("out", "", "备份文件路径（不得已存在） / backup file to write (must not exist)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `用法 / usage: shebao backup --out FILE [--data DIR]

在线备份 SQLite 数据库（VACUUM INTO）：服务运行中也可执行，得到一致的副本；
恢复时停止服务，把备份文件复制为数据目录下的 shebao.db。
PostgreSQL 请用 pg_dump / pg_restore。

Online backup of the SQLite database (VACUUM INTO): consistent while the
server runs. To restore, stop the server and copy the file to DATA/shebao.db.
For PostgreSQL use pg_dump / pg_restore.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("请用 --out 指定备份文件 / --out FILE is required")
	}
	cfg, err := cf.config()
	if err != nil {
		return err
	}
	dsn := cfg.DSN()
	if db.IsPostgresURL(dsn) {
		return errUsePgDump
	}
	start := time.Now()
	size, err := backupSQLite(ctx, dsn, *out)
	if err != nil {
		return err
	}
	fmt.Printf("已备份 / backed up %s -> %s (%d bytes, %.1fs)\n", dsn, *out, size, time.Since(start).Seconds())
	return nil
}

// backupSQLite copies the SQLite database at path to out with VACUUM INTO,
// which reads one consistent snapshot while other processes keep writing.
// It writes to a temporary file beside out and renames it, so out never
// holds a partial copy, and refuses to overwrite an existing out.
func backupSQLite(ctx context.Context, path, out string) (int64, error) {
	path = strings.TrimPrefix(path, "sqlite:")
	if _, err := os.Stat(path); err != nil {
		return 0, fmt.Errorf("没有找到数据库 / no database at %s: %w", path, err)
	}
	if _, err := os.Stat(out); err == nil {
		return 0, fmt.Errorf("备份文件已存在，不会覆盖 / %s exists, not overwriting", out)
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return 0, err
	}
	d, err := db.Open(ctx, path)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	tmp := abs + ".partial"
	os.Remove(tmp)
	// The writer connection: the read pool is query_only, which SQLite
	// extends to VACUUM INTO. This is the backup process's own connection,
	// so a running server's writes are not held up.
	if _, err := d.W.ExecContext(ctx, `VACUUM INTO $1`, tmp); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("备份失败 / backup failed: %w", err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		os.Remove(tmp)
		return 0, err
	}
	if err := os.Rename(tmp, abs); err != nil {
		os.Remove(tmp)
		return 0, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}
