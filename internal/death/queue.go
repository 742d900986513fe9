package death

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/tabular"
)

// CivilPush is one record civil affairs push through the API.
type CivilPush struct {
	IDNumber  string `json:"id_number"`
	Name      string `json:"name"`
	DeathDate string `json:"death_date"`
	CertNo    string `json:"certificate_no"`
}

// PushCivil takes records from the civil-affairs API client (key kind
// civil): validated like a file, matched the same way; an identical push
// repeated is refused as applied before. Errors: Forbidden, Invalid
// (with the records named), Conflict.
func (s *Service) PushCivil(ctx context.Context, a *access.Actor, recs []CivilPush) (*ImportResult, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	if a.Role != access.RoleAPI || a.ClientKind != "civil" {
		return nil, errs.New(errs.Forbidden, "civil_only", "仅民政部门接口可推送死亡数据")
	}
	if len(recs) == 0 || len(recs) > maxCivilAPIBatch {
		return nil, fieldErr("records", fmt.Sprintf("每次推送 1 至 %d 条记录", maxCivilAPIBatch))
	}
	rows := make([]tabular.Row, len(recs))
	var b strings.Builder
	for i, r := range recs {
		rows[i] = tabular.Row{Row: i + 1, Cells: map[string]string{"id_number": r.IDNumber, "name": r.Name, "death_date": r.DeathDate, "cert_no": r.CertNo}}
		fmt.Fprintf(&b, "%s|%s|%s|%s\n", r.IDNumber, r.Name, r.DeathDate, r.CertNo)
	}
	parsed, probs := s.parseCivil(rows)
	res := &ImportResult{Rows: len(parsed), Problems: probs}
	if len(probs) > 0 {
		var f errs.Fields
		for _, p := range probs {
			f.Add(fmt.Sprintf("records[%d]", p.Row-1), p.Column+"："+p.Message)
		}
		return res, f.Err()
	}
	sum := sha256.Sum256([]byte(b.String()))
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO civil_imports (file_name, file_sha256, rows_total, actor_id, created_at)
			VALUES ($1,$2,$3,$4,$5) RETURNING id`, "民政接口推送", "api:"+hex.EncodeToString(sum[:]), len(parsed), a.UserID, s.now()).Scan(&res.ImportID)
		if db.IsUniqueViolation(err) {
			return errs.New(errs.Conflict, "civil_push_applied", "相同的推送已处理过")
		}
		if err != nil {
			return errs.Wrap(err, "civil push")
		}
		if err := s.match(ctx, tx, a, res.ImportID, parsed); err != nil {
			return err
		}
		return s.finishImport(ctx, tx, a, res)
	})
	return res, err
}

// ReviewQueue lists the civil-affairs records waiting for a clerk.
func (s *Service) ReviewQueue(ctx context.Context, a *access.Actor, limit int) ([]CivilRecord, error) {
	if !a.In(access.Welfare) {
		return nil, errs.New(errs.Forbidden, "welfare_only", "民政死亡数据由保险福利科核对")
	}
	var out []CivilRecord
	err := db.Each(ctx, s.db.Read(), func(row db.Scanner) error {
		var r CivilRecord
		if err := row.Scan(&r.ID, &r.IDNumber, &r.Name, &r.DeathDate, &r.CertNo, &r.PersonID, &r.Status, &r.Reason); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	}, `SELECT id, id_number, name, death_date, cert_no, COALESCE(person_id, 0), status, reason
		FROM civil_records WHERE status = 'review' ORDER BY id LIMIT `+itoa(limit))
	return out, errs.Wrap(err, "review queue")
}

// ResolveRecord settles a record of the review queue: apply records the
// death (a name mismatch the clerk verified), otherwise it is dismissed
// with a note. Errors: Forbidden, NotFound, Conflict (not in review, the
// person unknown or already deceased).
func (s *Service) ResolveRecord(ctx context.Context, a *access.Actor, id int64, apply bool, note string) error {
	if !a.In(access.Welfare) {
		return errs.New(errs.Forbidden, "welfare_only", "民政死亡数据由保险福利科核对")
	}
	note = strings.TrimSpace(note)
	if note == "" {
		return fieldErr("note", "请写明核实情况")
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var r CivilRecord
		err := tx.QueryRowContext(ctx, `SELECT id, death_date, cert_no, COALESCE(person_id, 0), status FROM civil_records WHERE id = $1`, id).
			Scan(&r.ID, &r.DeathDate, &r.CertNo, &r.PersonID, &r.Status)
		if db.IsNoRows(err) {
			return errs.New(errs.NotFound, "record_not_found", "未找到该民政记录")
		}
		if err != nil {
			return errs.Wrap(err, "civil record")
		}
		if r.Status != statusReview {
			return errs.New(errs.Conflict, "record_resolved", "该记录已处理")
		}
		status := statusDismissed
		if apply {
			if r.PersonID == 0 {
				return errs.New(errs.Conflict, "unknown_person", "该身份证号码没有参保人员，只能核实后不予处理")
			}
			date, _ := clock.ParseDate(r.DeathDate)
			if _, err := s.recordTx(ctx, tx, a, r.PersonID, date, true, SourceCivil, r.CertNo); err != nil {
				return err
			}
			status = statusApplied
		}
		if _, err := tx.ExecContext(ctx, `UPDATE civil_records SET status = $2, resolved_by = $3 WHERE id = $1`, id, status, a.UserID); err != nil {
			return errs.Wrap(err, "resolve record")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "death.civil.resolve", Entity: "civil_record", EntityID: fmt.Sprint(id),
			After: map[string]any{"status": status}, Note: note})
	})
}

// Deaths lists recorded deaths for 保险福利科 (newest first).
func (s *Service) Deaths(ctx context.Context, a *access.Actor, recovery string) ([]*Death, error) {
	if !a.In(access.Welfare) {
		return nil, errs.New(errs.Forbidden, "welfare_only", "死亡待遇由保险福利科办理")
	}
	if recovery != "" {
		return deathsWhere(ctx, s.db.Read(), "d.recovery = $1", 200, recovery)
	}
	return deathsWhere(ctx, s.db.Read(), "1 = 1", 200)
}

// Detail is a death with its heirs and claims.
type Detail struct {
	Death   *Death
	Heirs   []Heir
	Claims  []*Claim
	Notices []RecoveryNotice
}

// RecoveryNotice is one step of claiming back an overpayment.
type RecoveryNotice struct {
	Step        int
	Outstanding money.Fen
	SentOn      string
}

// StepName is the step in Chinese.
func (n RecoveryNotice) StepName() string {
	return map[int]string{1: "退回通知", 2: "催告", 3: "最后催告"}[n.Step]
}

// DeathDetail returns one death for 保险福利科. Errors: Forbidden, NotFound.
func (s *Service) DeathDetail(ctx context.Context, a *access.Actor, id int64) (*Detail, error) {
	if !a.In(access.Welfare) {
		return nil, errs.New(errs.Forbidden, "welfare_only", "死亡待遇由保险福利科办理")
	}
	d, err := deathByID(ctx, s.db.Read(), id)
	if err != nil {
		return nil, err
	}
	hs, err := heirsOf(ctx, s.db.Read(), id)
	if err != nil {
		return nil, err
	}
	cs, err := claimsOf(ctx, s.db.Read(), id)
	if err != nil {
		return nil, err
	}
	ns, err := recoveryNotices(ctx, s.db.Read(), id)
	return &Detail{Death: d, Heirs: hs, Claims: cs, Notices: ns}, err
}

// AddHeir lists an heir a clerk verified. Errors: Forbidden, NotFound, Invalid.
func (s *Service) AddHeir(ctx context.Context, a *access.Actor, deathID int64, h Heir) error {
	if !a.In(access.Welfare) {
		return errs.New(errs.Forbidden, "welfare_only", "死亡待遇由保险福利科办理")
	}
	var f errs.Fields
	hs := s.checkHeirs(&f, []Heir{h})
	if len(hs) == 0 && f.Err() == nil {
		f.Add("heir_1", "请填写继承人姓名、公民身份号码和与逝者关系")
	}
	if err := f.Err(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := deathByID(ctx, tx, deathID); err != nil {
			return err
		}
		if err := insertHeirs(ctx, tx, deathID, hs); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "death.heir.add", Entity: "death", EntityID: fmt.Sprint(deathID),
			After: map[string]any{"relationship": hs[0].Relationship}})
	})
}

// Repay records money the account holder paid back on an overpayment;
// settled when nothing remains. Errors: Forbidden, NotFound, Invalid.
func (s *Service) Repay(ctx context.Context, a *access.Actor, deathID int64, amount money.Fen) (*Death, error) {
	if !a.In(access.Welfare) {
		return nil, errs.New(errs.Forbidden, "welfare_only", "多发养老金追回由保险福利科办理")
	}
	var out *Death
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		d, err := deathByID(ctx, tx, deathID)
		if err != nil {
			return err
		}
		if amount <= 0 || amount > d.Outstanding() {
			return fieldErr("amount", fmt.Sprintf("退回金额应大于 0 且不超过尚未追回的 %s 元", d.Outstanding()))
		}
		d.Recovered += amount
		d.Recovery = "open"
		if d.Outstanding() == 0 {
			d.Recovery = "settled"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deaths SET recovered_fen = $2, recovery = $3, version = version + 1 WHERE id = $1`,
			d.ID, d.Recovered, d.Recovery); err != nil {
			return errs.Wrap(err, "repay")
		}
		out = d
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "death.overpayment.repay", Entity: "death", EntityID: fmt.Sprint(d.ID),
			After: map[string]any{"amount_fen": amount, "outstanding_fen": d.Outstanding()}})
	})
	return out, err
}
