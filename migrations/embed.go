// Package migrations embeds the numbered SQL migrations. Each file is one
// SQL text for both engines; the markers @ID@, @TS@, @BLOB@, @BOOL@ and
// @JSON@ are replaced by internal/db with each engine's type names.
package migrations

import "embed"

// FS holds the *.sql files.
//
//go:embed *.sql
var FS embed.FS
