package injury

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/payout"
)

// Hospital is a hospital that settles directly, with its receiving account
// (when registered) and its lines still held for want of one.
type Hospital struct {
	ID            int64 // the hospital's API client user (payee of its lines)
	Name          string
	AccountName   string
	AccountNo     string
	BankName      string
	NameConfirmed bool
	RegisteredAt  *time.Time
	Version       int64
	Held          int
	HeldAmount    money.Fen
}

// Registered reports whether the receiving account is registered.
func (h *Hospital) Registered() bool { return h.RegisteredAt != nil }

// AccountMasked is the account number with all but the last four digits hidden.
func (h *Hospital) AccountMasked() string { return payout.MaskAccount(h.AccountNo) }

// HospitalAccountInput registers (or changes) a hospital's receiving account.
type HospitalAccountInput struct {
	HospitalID    int64
	Version       int64 // 0 for the first registration
	AccountName   string
	AccountNo     string
	BankName      string
	NameConfirmed bool // the clerk confirmed an account name other than the hospital's
}

// CanManageHospitalAccounts: 工伤保险待遇科 and 基金管理科 register the
// hospitals' receiving accounts.
func CanManageHospitalAccounts(a *access.Actor) error {
	if a == nil {
		return errs.LoginRequired()
	}
	if !a.In(access.Injury) && !a.In(access.Fund) {
		return errs.Forbid()
	}
	return nil
}

// Hospitals lists the hospitals that may settle directly (API clients of
// the hospital kind) with their accounts and held lines.
func (s *Service) Hospitals(ctx context.Context, a *access.Actor) ([]Hospital, error) {
	if err := CanManageHospitalAccounts(a); err != nil {
		return nil, err
	}
	var out []Hospital
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var h Hospital
		var at sql.NullTime
		if err := r.Scan(&h.ID, &h.Name, &h.AccountName, &h.AccountNo, &h.BankName, &h.NameConfirmed, &at, &h.Version); err != nil {
			return err
		}
		if at.Valid {
			h.RegisteredAt = &at.Time
		}
		out = append(out, h)
		return nil
	}, `SELECT c.user_id, c.name, COALESCE(h.account_name, ''),
		COALESCE(h.account_no, ''), COALESCE(h.bank_name, ''), COALESCE(h.name_confirmed, FALSE), h.registered_at,
		COALESCE(h.version, 0) FROM api_clients c LEFT JOIN injury_hospital_accounts h ON h.hospital_id = c.user_id
		WHERE c.kind = 'hospital' ORDER BY c.name, c.user_id`)
	if err != nil {
		return nil, errs.Wrap(err, "hospitals")
	}
	if hp, ok := s.payouts.(heldCounter); ok {
		for i := range out {
			out[i].Held, out[i].HeldAmount = hp.Held(ctx, out[i].ID)
		}
	}
	return out, nil
}

// heldCounter counts a hospital's lines held for its account.
type heldCounter interface {
	Held(ctx context.Context, hospitalID int64) (int, money.Fen)
}

// RegisterHospitalAccount records a hospital's receiving account (checked
// like every payout account: a corporate account of 8 to 32 digits, the
// account name the hospital's unless confirmed) and, in the same
// transaction, releases its held lines to the fund section. It returns
// how many lines were released and their total. Errors: Forbidden,
// NotFound (no such hospital), Invalid (fields), Conflict (changed since read).
func (s *Service) RegisterHospitalAccount(ctx context.Context, a *access.Actor, in HospitalAccountInput) (int, money.Fen, error) {
	if err := CanManageHospitalAccounts(a); err != nil {
		return 0, 0, err
	}
	name, err := s.hospitalName(ctx, in.HospitalID)
	if err != nil {
		return 0, 0, err
	}
	in.AccountName, in.BankName = strings.TrimSpace(in.AccountName), strings.TrimSpace(in.BankName)
	in.AccountNo = payout.CleanAccountNo(in.AccountNo)
	if err := checkHospitalAccount(name, in); err != nil {
		return 0, 0, err
	}
	var n int
	var sum money.Fen
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := lockHospital(ctx, tx, s.db.Dialect.ForUpdate(), in.HospitalID); err != nil {
			return err
		}
		before, err := s.saveHospitalAccount(ctx, tx, a, in)
		if err != nil {
			return err
		}
		pause("hospital_account.saved")
		if n, sum, err = s.payouts.Release(ctx, tx, a, in.HospitalID, in); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "injury.hospital_account.register", Entity: "hospital",
			EntityID: name, Before: before, After: map[string]any{"account": payout.MaskAccount(in.AccountNo),
				"bank_name": in.BankName, "released_lines": n, "released_fen": sum}})
	})
	return n, sum, err
}

func checkHospitalAccount(hospital string, in HospitalAccountInput) error {
	var f errs.Fields
	payout.CheckAccount(&f, "account_no", payout.AccountCorporate, in.AccountNo)
	switch {
	case in.AccountName == "" || utf8.RuneCountInString(in.AccountName) > 100:
		f.Add("account_name", "请填写账户名称（100 字以内）")
	case !payout.SameName(in.AccountName, hospital) && !in.NameConfirmed:
		f.Add("account_name", "账户名称与医院名称不一致，请核对；确属一致请勾选“已核实账户名称”")
	}
	if in.BankName == "" || utf8.RuneCountInString(in.BankName) > 60 {
		f.Add("bank_name", "请填写开户银行（60 字以内）")
	}
	return f.Err()
}

func (s *Service) hospitalName(ctx context.Context, id int64) (string, error) {
	var name string
	err := s.db.Read().QueryRowContext(ctx, `SELECT name FROM api_clients WHERE user_id = $1 AND kind = 'hospital'`, id).Scan(&name)
	if err == sql.ErrNoRows || id == 0 {
		return "", errs.NotFoundf("没有该医院")
	}
	return name, errs.Wrap(err, "hospital")
}

// lockHospital locks the hospital (its API client row, which exists before
// any account does) for the rest of tx and returns its name: a settlement
// takes it shared (lock = ForShare), a registration exclusive (ForUpdate),
// so a settlement either sees the registered account or its held line is
// seen and released by the registration — never neither. SQLite's write
// transactions are serial already.
func lockHospital(ctx context.Context, tx *sql.Tx, lock string, id int64) (string, error) {
	var name string
	err := tx.QueryRowContext(ctx, `SELECT name FROM api_clients WHERE user_id = $1 AND kind = 'hospital'`+lock, id).Scan(&name)
	if db.IsNoRows(err) {
		return "", errs.NotFoundf("没有该医院")
	}
	return name, errs.Wrap(err, "lock hospital")
}

// pause is a test hook between two steps of a transaction (nil outside tests).
var pause = func(step string) {}

// saveHospitalAccount inserts or updates the account (optimistic version)
// and returns the masked account before, for the audit entry.
func (s *Service) saveHospitalAccount(ctx context.Context, tx *sql.Tx, a *access.Actor, in HospitalAccountInput) (map[string]any, error) {
	now := s.clock.Now().UTC()
	var old string
	var version int64
	err := tx.QueryRowContext(ctx, `SELECT account_no, version FROM injury_hospital_accounts WHERE hospital_id = $1`,
		in.HospitalID).Scan(&old, &version)
	switch {
	case err == sql.ErrNoRows:
		if in.Version != 0 {
			return nil, errs.StaleVersion()
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO injury_hospital_accounts (hospital_id, account_name, account_no, bank_name,
			name_confirmed, registered_by, registered_at) VALUES ($1,$2,$3,$4,$5,$6,$7)`, in.HospitalID, in.AccountName,
			in.AccountNo, in.BankName, in.NameConfirmed, a.UserID, now)
		return nil, errs.Wrap(err, "hospital account")
	case err != nil:
		return nil, errs.Wrap(err, "hospital account")
	case version != in.Version:
		return nil, errs.StaleVersion()
	}
	_, err = tx.ExecContext(ctx, `UPDATE injury_hospital_accounts SET account_name = $2, account_no = $3, bank_name = $4,
		name_confirmed = $5, registered_by = $6, registered_at = $7, version = version + 1 WHERE hospital_id = $1`,
		in.HospitalID, in.AccountName, in.AccountNo, in.BankName, in.NameConfirmed, a.UserID, now)
	return map[string]any{"account": payout.MaskAccount(old)}, errs.Wrap(err, "hospital account")
}

// hospitalAccount is a hospital's registered account in tx (nil when none).
func hospitalAccount(ctx context.Context, tx *sql.Tx, hospitalID int64) (*HospitalAccountInput, error) {
	in := HospitalAccountInput{HospitalID: hospitalID}
	err := tx.QueryRowContext(ctx, `SELECT account_name, account_no, bank_name, name_confirmed FROM injury_hospital_accounts
		WHERE hospital_id = $1`, hospitalID).Scan(&in.AccountName, &in.AccountNo, &in.BankName, &in.NameConfirmed)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, errs.Wrap(err, "hospital account")
	}
	return &in, nil
}

// HospitalName is the name of the actor's hospital ("" for others).
func (s *Service) HospitalName(ctx context.Context, a *access.Actor) string {
	if a.Hospital() == 0 {
		return ""
	}
	return s.clientName(ctx, a)
}
