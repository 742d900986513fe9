package main

import (
	"context"
	"flag"
	"io"

	"shebao/internal/app"
)

// TODO(demo helper): generate the demo district.
func runDemo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	return fs.Parse(args)
}

// seedDemoIfEmpty creates the demo district when the database has none and
// prints the demo logins. TODO(demo helper).
func seedDemoIfEmpty(ctx context.Context, a *app.App, out io.Writer) error { return nil }
