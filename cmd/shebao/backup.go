package main

import (
	"context"
	"flag"
)

// TODO(ops helper): SQLite online backup.
func runBackup(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	return fs.Parse(args)
}
