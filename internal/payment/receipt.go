package payment

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/ledger"
	"shebao/internal/money"
)

// Mine lists the payments of the logged-in employer or person, newest first.
func (s *Service) Mine(ctx context.Context, a *access.Actor) ([]Payment, error) {
	switch {
	case a == nil:
		return nil, errs.LoginRequired()
	case a.Role == access.RoleEmployer && a.EmployerID != 0:
		return queryPayments(ctx, s.db.Read(), `WHERE p.employer_id = $1 ORDER BY p.id DESC LIMIT 500`, a.EmployerID)
	case a.Role == access.RolePerson && a.PersonID != 0:
		return queryPayments(ctx, s.db.Read(), `WHERE p.person_id = $1 ORDER BY p.id DESC LIMIT 500`, a.PersonID)
	}
	return nil, errs.Forbid()
}

// ReceiptLine is one scheme on a receipt.
type ReceiptLine struct {
	Scheme  string    `json:"scheme"`
	Name    string    `json:"name"`
	Amount  money.Fen `json:"amount_fen"`
	LateFee money.Fen `json:"late_fee_fen"`
}

// Receipt is what the receipt shows.
type Receipt struct {
	Payment  *Payment      `json:"payment"`
	Payer    string        `json:"payer"`
	Lines    []ReceiptLine `json:"lines"`
	Total    money.Fen     `json:"total_fen"`
	Invoice  *Invoice      `json:"invoice,omitempty"`
	Issuer   string        `json:"issuer"`
	IssuedAt time.Time     `json:"issued_at"`
	CheckURL string        `json:"check_url"` // public check page of the code
	// CanRequestInvoice: the reader may ask for the paper invoice now
	// (MayRequestInvoice, and none requested yet); pages show the form on it.
	CanRequestInvoice bool `json:"can_request_invoice"`
}

// Receipt returns the receipt of a payment posted to a bill. Errors:
// NotFound (no such payment, someone else's, or nothing posted yet).
func (s *Service) Receipt(ctx context.Context, a *access.Actor, id int64) (*Receipt, error) {
	p, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !p.HasReceipt() {
		return nil, errs.NotFoundf("该笔款项尚未入账，暂无票据")
	}
	r := &Receipt{Payment: p, Issuer: "社会保险经办机构基金管理科", IssuedAt: s.clock.Now(),
		CheckURL: strings.TrimRight(s.PublicURL, "/") + "/receipts/check?code=" + p.ReceiptCode}
	q := s.db.Read()
	if p.EmployerID != 0 {
		_ = q.QueryRowContext(ctx, `SELECT name FROM employers WHERE id = $1`, p.EmployerID).Scan(&r.Payer)
	} else if p.PersonID != 0 {
		var name string
		_ = q.QueryRowContext(ctx, `SELECT name FROM persons WHERE id = $1`, p.PersonID).Scan(&name)
		r.Payer = ident.MaskName(name)
	}
	by := map[string]*ReceiptLine{}
	err = db.Each(ctx, q, func(row db.Scanner) error {
		var acct, scheme string
		var v int64
		if err := row.Scan(&acct, &scheme, &v); err != nil {
			return err
		}
		l := by[scheme]
		if l == nil {
			l = &ReceiptLine{Scheme: scheme, Name: ledger.SchemeName(scheme)}
			by[scheme] = l
		}
		if acct == string(ledger.Receivable) {
			l.Amount += money.Fen(v)
		} else {
			l.LateFee += money.Fen(v)
		}
		r.Total += money.Fen(v)
		return nil
	}, `SELECT account, scheme, SUM(credit_fen) FROM ledger_entries
		WHERE payment_id = $1 AND account IN ('receivable', 'late_fee_income') GROUP BY account, scheme`, id)
	if err != nil {
		return nil, errs.Wrap(err, "receipt lines")
	}
	for _, sc := range ledger.Schemes {
		if l := by[sc]; l != nil {
			r.Lines = append(r.Lines, *l)
		}
	}
	r.Invoice, err = s.invoiceOf(ctx, id)
	r.CanRequestInvoice = r.Invoice == nil && MayRequestInvoice(a, p) == nil
	return r, err
}

// MayRequestInvoice reports whether a, who may see payment p, may ask for
// its paper invoice: the payer may, once the payment has a receipt; the
// fund section (which sees every payment) mails invoices and asks for none.
// Errors: NotFound.
func MayRequestInvoice(a *access.Actor, p *Payment) error {
	if a.In(access.Fund) || !p.HasReceipt() {
		return errs.NotFoundf("该笔缴费不能申请邮寄发票")
	}
	return nil
}

// Invoice is a paper invoice request.
type Invoice struct {
	ID          int64      `json:"id"`
	PaymentID   int64      `json:"payment_id"`
	Recipient   string     `json:"recipient"`
	Phone       string     `json:"-"`
	PhoneMasked string     `json:"phone"`
	Address     string     `json:"address"`
	Status      string     `json:"status"` // requested | mailed
	Courier     string     `json:"courier,omitempty"`
	TrackingNo  string     `json:"tracking_no,omitempty"`
	RequestedAt time.Time  `json:"requested_at"`
	MailedAt    *time.Time `json:"mailed_at,omitempty"`
	Version     int64      `json:"version"`
}

// StatusName is the invoice status in Chinese.
func (i *Invoice) StatusName() string {
	if i.Status == "mailed" {
		return "已寄出"
	}
	return "已申请邮寄，待寄出"
}

// PickupNote is shown for a payment with no mailing request.
const PickupNote = "待疫情结束后领取"

const invoiceCols = `id, payment_id, recipient, phone, address, status, courier, tracking_no, requested_at, mailed_at, version`

func scanInvoice(sc interface{ Scan(...any) error }) (*Invoice, error) {
	i := &Invoice{}
	var mailed sql.NullTime
	if err := sc.Scan(&i.ID, &i.PaymentID, &i.Recipient, &i.Phone, &i.Address, &i.Status, &i.Courier, &i.TrackingNo,
		&i.RequestedAt, &mailed, &i.Version); err != nil {
		return nil, err
	}
	i.PhoneMasked = ident.MaskPhone(i.Phone)
	if mailed.Valid {
		t := mailed.Time.UTC()
		i.MailedAt = &t
	}
	return i, nil
}

func (s *Service) invoiceOf(ctx context.Context, paymentID int64) (*Invoice, error) {
	i, err := scanInvoice(s.db.Read().QueryRowContext(ctx, `SELECT `+invoiceCols+` FROM invoice_requests WHERE payment_id = $1`, paymentID))
	if err == sql.ErrNoRows {
		return nil, nil
	}
	return i, errs.Wrap(err, "invoice")
}

// InvoiceInput asks for the paper invoice to be mailed.
type InvoiceInput struct {
	Recipient string `json:"recipient"`
	Phone     string `json:"phone"`
	Address   string `json:"address"`
}

// RequestInvoice asks for a payment's paper invoice by post. Only the
// payer may ask, once. Errors: Invalid, NotFound, Conflict.
func (s *Service) RequestInvoice(ctx context.Context, a *access.Actor, paymentID int64, in InvoiceInput) (*Invoice, error) {
	p, err := s.Get(ctx, a, paymentID)
	if err != nil {
		return nil, err
	}
	if err := MayRequestInvoice(a, p); err != nil {
		return nil, err
	}
	var f errs.Fields
	in.Recipient, in.Address = strings.TrimSpace(in.Recipient), strings.TrimSpace(in.Address)
	if n := len([]rune(in.Recipient)); n < 2 || n > 30 {
		f.Add("recipient", "请填写收件人姓名（2–30 字）")
	}
	phone, perr := ident.ParsePhone(in.Phone)
	if perr != nil {
		f.Add("phone", "请填写正确的手机号或座机号")
	}
	if n := len([]rune(in.Address)); n < 8 || n > 200 {
		f.Add("address", "请填写详细邮寄地址（8–200 字，含省市区、街道门牌）")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO invoice_requests (payment_id, employer_id, recipient, phone, address, status, requested_at)
			VALUES ($1, $2, $3, $4, $5, 'requested', $6) RETURNING id`, paymentID, nullID(p.EmployerID), in.Recipient, phone, in.Address,
			s.clock.Now()).Scan(&id)
		if err != nil {
			if isUnique(err) {
				return errs.New(errs.Conflict, "invoice_requested", "该笔缴费已申请过邮寄发票")
			}
			return errs.Wrap(err, "invoice request")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "payment.invoice.request", Entity: "invoice_request", EntityID: fmt.Sprint(id),
			After: map[string]any{"payment_id": paymentID, "recipient": ident.MaskName(in.Recipient), "phone": ident.MaskPhone(phone)}})
	})
	if err != nil {
		return nil, err
	}
	return s.invoiceOf(ctx, paymentID)
}

// InvoiceQueue lists mailing requests (status "requested" or "mailed").
func (s *Service) InvoiceQueue(ctx context.Context, a *access.Actor, status string) ([]Invoice, error) {
	if err := requireFund(a); err != nil {
		return nil, err
	}
	if status != "mailed" {
		status = "requested"
	}
	var out []Invoice
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		i, err := scanInvoice(r)
		if err != nil {
			return err
		}
		out = append(out, *i)
		return nil
	}, `SELECT `+invoiceCols+` FROM invoice_requests WHERE status = $1 ORDER BY id LIMIT 500`, status)
	return out, errs.Wrap(err, "invoice queue")
}

// MailInput records the courier of a mailed invoice.
type MailInput struct {
	Courier    string `json:"courier"`
	TrackingNo string `json:"tracking_no"`
	Version    int64  `json:"version"`
}

// MarkMailed records courier and tracking number. Errors: Invalid,
// NotFound, Conflict (stale version).
func (s *Service) MarkMailed(ctx context.Context, a *access.Actor, id int64, in MailInput) error {
	if err := requireFund(a); err != nil {
		return err
	}
	var f errs.Fields
	in.Courier, in.TrackingNo = strings.TrimSpace(in.Courier), strings.TrimSpace(in.TrackingNo)
	if n := len([]rune(in.Courier)); n < 2 || n > 20 {
		f.Add("courier", "请填写快递公司（如 EMS、顺丰）")
	}
	if !terminalRef.MatchString(in.TrackingNo) {
		f.Add("tracking_no", "请填写快递单号（字母或数字）")
	}
	if err := f.Err(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE invoice_requests SET status = 'mailed', courier = $1, tracking_no = $2, mailed_at = $3,
			mailed_by = $4, version = version + 1 WHERE id = $5 AND version = $6`, in.Courier, in.TrackingNo, s.clock.Now(), a.Name(), id, in.Version)
		if err != nil {
			return errs.Wrap(err, "mark mailed")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			var x int
			if tx.QueryRowContext(ctx, `SELECT 1 FROM invoice_requests WHERE id = $1`, id).Scan(&x) != nil {
				return errs.NotFoundf("没有找到该邮寄申请")
			}
			return errs.StaleVersion()
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "payment.invoice.mailed", Entity: "invoice_request", EntityID: fmt.Sprint(id),
			After: map[string]any{"courier": in.Courier, "tracking_no": in.TrackingNo}})
	})
}

// Ledger is the ledger page: trial balance and the check that it balances.
type Ledger struct {
	Balances   []ledger.Balance
	Debit      money.Fen
	Credit     money.Fen
	Unbalanced int // schemes whose debits and credits differ
}

// LedgerSummary returns the trial balance (fund section), read from the
// ledger's running totals, so the page costs the same whatever the history.
func (s *Service) LedgerSummary(ctx context.Context, a *access.Actor) (*Ledger, error) {
	if err := requireFund(a); err != nil {
		return nil, err
	}
	l := &Ledger{}
	var err error
	if l.Balances, err = ledger.TrialBalance(ctx, s.db.Read()); err != nil {
		return nil, err
	}
	for _, b := range l.Balances {
		l.Debit += b.Debit
		l.Credit += b.Credit
	}
	l.Unbalanced = ledger.UnbalancedSchemes(l.Balances)
	return l, nil
}

// ChannelName is the payment channel in Chinese.
func (p *Payment) ChannelName() string {
	return map[string]string{Transfer: "银行电汇", Card: "刷卡", Cash: "现金"}[p.Channel]
}
