package ledger

import (
	"testing"

	"shebao/internal/money"
)

func TestPostingCheck(t *testing.T) {
	p := Posting{PaymentID: 1, Step: 1}
	p.Move(Bank, Receivable, "pension", 7, 100)
	p.Move(Bank, Suspense, "", 0, 50)
	if err := p.Check(); err != nil {
		t.Fatalf("balanced posting refused: %v", err)
	}
	p.Entries = append(p.Entries, Entry{Account: Bank, Scheme: "pension", Debit: 1}, Entry{Account: Receivable, Scheme: "injury", Credit: 1})
	if p.Check() == nil {
		t.Fatal("a posting balanced overall but not per scheme passed")
	}
	q := Posting{Entries: []Entry{{Account: Bank, Debit: -5}, {Account: Suspense, Credit: -5}}}
	if q.Check() == nil {
		t.Fatal("negative amounts passed")
	}
}

func TestAllocateSpillsOverCaps(t *testing.T) {
	got := Allocate(money.Fen(5), []money.Fen{3, 1, 1}, []money.Fen{3, 1, 1})
	if got[0] != 3 || got[1] != 1 || got[2] != 1 {
		t.Fatalf("got %v", got)
	}
}
