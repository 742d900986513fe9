package payment

import (
	"context"
	"strings"

	"shebao/internal/db"
	"shebao/internal/errs"
)

// BySerial returns the payment of a bank statement line by its serial
// number (交易流水号), for a service that matches money it expects (a
// transfer's funds) inside its own transaction. It checks no permission:
// the caller's service does. Errors: NotFound.
func BySerial(ctx context.Context, q db.Querier, serial string) (*Payment, error) {
	list, err := queryPayments(ctx, q, `WHERE p.serial = $1 ORDER BY p.id LIMIT 1`, strings.TrimSpace(serial))
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errs.NotFoundf("没有找到该交易流水号的到账")
	}
	return &list[0], nil
}
