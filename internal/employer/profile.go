package employer

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
)

// ChangeField is a profile field an employer may ask to change online.
// The USCC, industry and risk class are not among them: those change only
// at the counter with documents.
type ChangeField struct {
	Key   string // column and JSON name
	Label string // Chinese label
}

// ChangeFields lists the changeable fields in form order.
var ChangeFields = []ChangeField{
	{"name", "单位名称"}, {"legal_rep", "法定代表人"}, {"address", "单位地址"},
	{"contact_name", "联系人"}, {"contact_phone", "联系电话"}, {"contact_email", "电子邮箱"},
	{"bank_name", "开户银行"}, {"bank_account", "银行账号"},
}

// ChangeLabel returns the Chinese label of a change field key.
func ChangeLabel(key string) string {
	for _, f := range ChangeFields {
		if f.Key == key {
			return f.Label
		}
	}
	return key
}

// ChangeStatus is the state of a change request.
type ChangeStatus string

// Change request states.
const (
	ChangePending  ChangeStatus = "pending"
	ChangeApproved ChangeStatus = "approved"
	ChangeRejected ChangeStatus = "rejected"
)

// Name returns the Chinese name of the state.
func (s ChangeStatus) Name() string {
	switch s {
	case ChangePending:
		return "待审核"
	case ChangeApproved:
		return "已通过"
	case ChangeRejected:
		return "未通过"
	}
	return string(s)
}

// ChangeRequest is an employer's request to change its profile. Fields
// holds only the fields that change, by key; Before the values they had
// when the request was decided (approved requests).
type ChangeRequest struct {
	ID           int64             `json:"id"`
	EmployerID   int64             `json:"employer_id"`
	EmployerNo   string            `json:"employer_no"`
	EmployerName string            `json:"employer_name"`
	Fields       map[string]string `json:"fields"`
	Before       map[string]string `json:"before,omitempty"`
	Reason       string            `json:"reason"`
	Status       ChangeStatus      `json:"status"`
	RequestedBy  int64             `json:"requested_by,omitempty"`
	RequestedAt  time.Time         `json:"requested_at"`
	ReviewerID   int64             `json:"reviewer_id,omitempty"`
	DecidedAt    *time.Time        `json:"decided_at,omitempty"`
	RejectReason string            `json:"reject_reason,omitempty"`
	Version      int64             `json:"version"`
}

// ChangeItem is one field of a change request, for display.
type ChangeItem struct {
	Key, Label, Value, Before string
}

// Items returns the requested fields in form order with their labels.
func (c ChangeRequest) Items() []ChangeItem {
	var out []ChangeItem
	for _, f := range ChangeFields {
		if v, ok := c.Fields[f.Key]; ok {
			out = append(out, ChangeItem{Key: f.Key, Label: f.Label, Value: v, Before: c.Before[f.Key]})
		}
	}
	return out
}

// Profile returns the employer's record to that employer or to 统筹科.
// Errors: NotFound, Forbidden, Unauthenticated.
func (s *Service) Profile(ctx context.Context, a *access.Actor, employerID int64) (*Employer, error) {
	if err := a.RequireEmployer(employerID); err != nil {
		return nil, err
	}
	return loadEmployer(ctx, s.db.Read(), employerID)
}

// Values returns the employer's changeable fields by key (ChangeFields),
// e.g. to prefill the change form.
func (e *Employer) Values() map[string]string {
	return map[string]string{
		"name": e.Name, "legal_rep": e.LegalRep, "address": e.Address, "contact_name": e.ContactName,
		"contact_phone": e.ContactPhone, "contact_email": e.ContactEmail, "bank_name": e.BankName,
		"bank_account": e.BankAccount,
	}
}

// RequestChange asks 统筹科 to change the employer's profile. changes maps
// field keys (ChangeFields) to new values; fields equal to the current
// value are dropped, and at least one must remain. Errors: Invalid,
// Conflict (a request is already pending), Forbidden, NotFound.
func (s *Service) RequestChange(ctx context.Context, a *access.Actor, employerID int64, changes map[string]string, reason string) (*ChangeRequest, error) {
	if err := a.RequireEmployer(employerID); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var out *ChangeRequest
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		e, err := loadEmployer(ctx, tx, employerID)
		if err != nil {
			return err
		}
		diff, reason, err := checkChanges(e, changes, reason)
		if err != nil {
			return err
		}
		body, _ := json.Marshal(diff)
		cr := &ChangeRequest{EmployerID: e.ID, EmployerNo: e.EmployerNo, EmployerName: e.Name, Fields: diff,
			Reason: reason, Status: ChangePending, RequestedBy: a.UserID, RequestedAt: now, Version: 1}
		err = tx.QueryRowContext(ctx, `INSERT INTO employer_change_requests (employer_id, fields, reason, requested_by, requested_at)
 VALUES ($1, $2, $3, $4, $5) RETURNING id`, e.ID, string(body), reason, a.UserID, now).Scan(&cr.ID)
		if db.IsUniqueViolation(err) {
			return errs.New(errs.Conflict, "change_pending", "已有一项待审核的变更申请，请等待统筹科审核后再提交")
		}
		if err != nil {
			return errs.Wrap(err, "insert change request")
		}
		out = cr
		return s.audit.Record(ctx, tx, a, audit.Entry{
			Action: "employer.change.request", Entity: "employer_change_request", EntityID: fmt.Sprint(cr.ID),
			After: map[string]any{"employer_id": e.ID, "fields": maskValues(diff), "reason": reason},
		})
	})
	return out, err
}

// checkChanges validates the requested values against e and returns the
// fields that differ and the trimmed reason.
func checkChanges(e *Employer, changes map[string]string, reason string) (map[string]string, string, error) {
	var f errs.Fields
	cur := e.Values()
	diff := map[string]string{}
	for _, cf := range ChangeFields {
		v, ok := changes[cf.Key]
		if !ok {
			continue
		}
		if v = normalizeField(cf.Key, v); v != cur[cf.Key] {
			checkField(&f, cf.Key, v)
			diff[cf.Key] = v
		}
	}
	for k := range changes {
		if _, ok := cur[k]; !ok {
			f.Add(k, "该项不能在网上变更，请联系统筹科")
		}
	}
	reason = strings.TrimSpace(reason)
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		f.Add("reason", "请填写变更原因")
	case n > maxReasons:
		f.Add("reason", fmt.Sprintf("变更原因不能超过 %d 个字", maxReasons))
	}
	if len(diff) == 0 && len(f) == 0 {
		f.Add("changes", "没有任何变更：请修改至少一项信息")
	}
	return diff, reason, f.Err()
}

// normalizeField trims a changed value the way Info.normalize does.
func normalizeField(key, v string) string {
	switch key {
	case "contact_phone":
		return normalizePhone(v)
	case "bank_account":
		return squeeze(v)
	}
	return strings.TrimSpace(v)
}

// checkField validates one changeable field.
func checkField(f *errs.Fields, key, v string) {
	switch key {
	case "name":
		text(f, key, "单位名称", v, 2, maxName)
	case "legal_rep":
		text(f, key, "法定代表人", v, 2, maxPerson)
	case "address":
		text(f, key, "单位地址", v, 5, maxAddress)
	case "contact_name":
		text(f, key, "联系人", v, 2, maxPerson)
	case "contact_phone":
		checkPhone(f, key, v)
	case "contact_email":
		checkEmail(f, key, v, false)
	case "bank_name":
		text(f, key, "开户银行", v, 2, maxBank)
	case "bank_account":
		checkAccount(f, key, v)
	}
}

// infoField returns a pointer to the Info field of a change key.
func infoField(in *Info, key string) *string {
	switch key {
	case "name":
		return &in.Name
	case "legal_rep":
		return &in.LegalRep
	case "address":
		return &in.Address
	case "contact_name":
		return &in.ContactName
	case "contact_phone":
		return &in.ContactPhone
	case "contact_email":
		return &in.ContactEmail
	case "bank_name":
		return &in.BankName
	case "bank_account":
		return &in.BankAccount
	}
	panic("employer: unknown change field " + key)
}

// maskValues hides phone numbers and bank accounts for the audit log.
func maskValues(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		switch k {
		case "contact_phone":
			v = ident.MaskPhone(v)
		case "bank_account":
			v = maskAccount(v)
		}
		out[k] = v
	}
	return out
}

// auditEmployer is what the audit log keeps of an employer record.
func auditEmployer(e *Employer) map[string]any {
	return map[string]any{
		"employer_no": e.EmployerNo, "uscc": e.USCC, "name": e.Name, "risk_class": e.RiskClass,
		"contact_phone": ident.MaskPhone(e.ContactPhone), "bank_account": maskAccount(e.BankAccount),
		"status": e.Status, "version": e.Version,
	}
}
