package db

import (
	"reflect"
	"testing"
)

func TestOnlyForKeepsEachEnginesBlocks(t *testing.T) {
	body := "A;\n-- +sqlite\nS;\n-- +end\n-- +postgres\nP;\n-- +end\nB;\n"
	if got := splitStatements(onlyFor(SQLite, body)); !reflect.DeepEqual(got, []string{"A", "S", "B"}) {
		t.Fatalf("sqlite: %q", got)
	}
	if got := splitStatements(onlyFor(Postgres, body)); !reflect.DeepEqual(got, []string{"A", "P", "B"}) {
		t.Fatalf("postgres: %q", got)
	}
}

func TestSplitStatementsKeepsTriggerBodyWhole(t *testing.T) {
	body := "-- comment\nCREATE TABLE t (a INT);\nCREATE TRIGGER x BEFORE DELETE ON t\nBEGIN SELECT RAISE(ABORT, 'no'); END;\n"
	got := splitStatements(body)
	if len(got) != 2 || got[1] != "CREATE TRIGGER x BEFORE DELETE ON t\nBEGIN SELECT RAISE(ABORT, 'no'); END" {
		t.Fatalf("%q", got)
	}
}
