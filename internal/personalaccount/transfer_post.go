package personalaccount

import (
	"context"
	"database/sql"
	"time"

	"shebao/internal/errs"
	"shebao/internal/money"
)

// TransferPosting is a transfer's movement of a person's account: the
// balance received from another region (positive) or paid to it
// (negative), once per transfer and kind.
type TransferPosting struct {
	PersonID int64
	Kind     Kind // KindTransferIn or KindTransferOut
	Amount   money.Fen
	Day      time.Time
	Key      string // the transfer's own key, e.g. "transfer:ZR20240603ABCDEF"
	Reason   string
	ActorID  int64
	Now      time.Time
}

// PostTransfer writes a transfer's movement inside the caller's
// transaction (the transfer service's step). Posting the same key and
// kind twice is a Conflict. Errors: Invalid, Conflict.
func PostTransfer(ctx context.Context, tx *sql.Tx, p TransferPosting) error {
	if (p.Kind != KindTransferIn && p.Kind != KindTransferOut) || p.Key == "" ||
		(p.Kind == KindTransferIn && p.Amount < 0) || (p.Kind == KindTransferOut && p.Amount > 0) {
		return errs.New(errs.Invalid, "bad_transfer_posting", "转移记账的类型或金额不正确")
	}
	e := &Entry{PersonID: p.PersonID, Kind: p.Kind, Year: p.Day.Year(), PostedOn: p.Day.Format(time.DateOnly), Amount: p.Amount, Reason: p.Reason}
	return insertEntry(ctx, tx, e, string(p.Kind)+":"+p.Key, p.ActorID, p.Now)
}
