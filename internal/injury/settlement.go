package injury

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/idempotency"
	"shebao/internal/ident"
	"shebao/internal/money"
)

// SettlementItem is one line of a hospital's inpatient settlement.
type SettlementItem struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Quantity    string `json:"quantity"`
	AmountFen   int64  `json:"amount_fen"`
	ServiceDate string `json:"service_date,omitempty"`
}

// SettlementInput is the hospital's direct settlement request.
type SettlementInput struct {
	IdempotencyKey  string           `json:"-"`
	PatientIDNumber string           `json:"patient_id_number"`
	AdmittedOn      string           `json:"admitted_on"`
	DischargedOn    string           `json:"discharged_on"`
	InvoiceNo       string           `json:"invoice_no"`
	TotalFen        int64            `json:"total_fen"`
	Items           []SettlementItem `json:"items"`
}

// SettlementLine is the answer for one line.
type SettlementLine struct {
	Line        int    `json:"line"`
	Code        string `json:"code"`
	Covered     bool   `json:"covered"`
	AcceptedFen int64  `json:"accepted_fen"`
	Note        string `json:"note,omitempty"`
}

// SettlementAnswer is what the hospital gets at once, and again for the
// same idempotency key.
type SettlementAnswer struct {
	SettlementNo string           `json:"settlement_no"`
	Status       string           `json:"status"` // accepted
	Patient      string           `json:"patient_id_masked"`
	InvoiceNo    string           `json:"invoice_no"`
	TotalFen     int64            `json:"total_fen"`
	AcceptedFen  int64            `json:"accepted_fen"`
	Lines        []SettlementLine `json:"lines"`
	Message      string           `json:"message"`
}

// MaxSettlementItems is the most lines one settlement takes.
const MaxSettlementItems = 1000

// Settle takes a hospital's direct inpatient settlement (联网结算) for a
// worker recognised in the COVID category: every line on the covered list
// is paid in full; other lines are left to an ordinary claim. The accepted
// amount becomes a payout line to the hospital in the same transaction.
// The same idempotency key returns the first answer; the same invoice
// number twice is refused. Errors: Unauthenticated, Forbidden (not a
// hospital), Invalid (fields), Conflict (invoice settled; key reused for
// another request). The rule: docs/rules.md "Work-injury benefit line".
func (s *Service) Settle(ctx context.Context, a *access.Actor, in SettlementInput) (*SettlementAnswer, bool, error) {
	if a == nil {
		return nil, false, errs.New(errs.Unauthenticated, "login_required", "请使用医院接口密钥")
	}
	if a.Role != access.RoleAPI || a.ClientKind != "hospital" {
		return nil, false, errs.New(errs.Forbidden, "hospital_only", "联网结算仅限医院接口调用")
	}
	key, err := idempotency.Key(in.IdempotencyKey, 1)
	if err != nil {
		return nil, false, err
	}
	in.IdempotencyKey = ""
	hash := idempotency.Hash(in)
	if ans, err := s.replay(ctx, s.db.Read(), a.UserID, key, hash); ans != nil || err != nil {
		return ans, true, err
	}
	rec, err := s.validSettlement(ctx, &in)
	if err != nil {
		return nil, false, err
	}
	codes := make([]string, len(in.Items))
	for i, it := range in.Items {
		codes[i] = it.Code
	}
	covered, err := s.covered.covered(ctx, s.db.Read(), s.clock, codes, in.DischargedOn)
	if err != nil {
		return nil, false, err
	}
	ans := settlementAnswer(in, covered, rec)
	var replayed *SettlementAnswer
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		replayed, err = s.storeSettlement(ctx, tx, a, in, rec, ans, key, hash)
		return err
	})
	if replayed != nil {
		return replayed, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	return ans, false, nil
}

// replay returns the stored answer of an earlier request with the key.
func (s *Service) replay(ctx context.Context, q db.Querier, hospital int64, key, hash string) (*SettlementAnswer, error) {
	var answer, stored string
	err := q.QueryRowContext(ctx, `SELECT answer, request_hash FROM injury_settlements WHERE hospital_id = $1
		AND idempotency_key = $2`, hospital, key).Scan(&answer, &stored)
	if db.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, errs.Wrap(err, "settlement replay")
	}
	if err := idempotency.Check(stored, hash, "结算"); err != nil {
		return nil, err
	}
	var ans SettlementAnswer
	return &ans, errs.Wrap(json.Unmarshal([]byte(answer), &ans), "settlement answer")
}

// validSettlement checks the request and finds the worker's COVID
// category recognition.
func (s *Service) validSettlement(ctx context.Context, in *SettlementInput) (*RecognitionRecord, error) {
	var f errs.Fields
	today := clock.Today(s.clock).Format("2006-01-02")
	in.InvoiceNo = strings.TrimSpace(in.InvoiceNo)
	if in.InvoiceNo == "" || utf8.RuneCountInString(in.InvoiceNo) > 40 {
		f.Add("invoice_no", "请填写住院发票号码（40 个字符以内）")
	}
	checkDay(&f, "admitted_on", "入院日期", in.AdmittedOn, today, true)
	checkDay(&f, "discharged_on", "出院日期", in.DischargedOn, today, true)
	if in.AdmittedOn != "" && in.DischargedOn != "" && in.DischargedOn < in.AdmittedOn {
		f.Add("discharged_on", "出院日期不能早于入院日期")
	}
	checkSettlementItems(&f, in)
	rec := s.covidRecognition(ctx, &f, in.PatientIDNumber)
	if rec != nil && in.AdmittedOn != "" && in.AdmittedOn < rec.AccidentOn {
		f.Add("admitted_on", "入院日期早于认定的感染（事故）日期 "+rec.AccidentOn)
	}
	return rec, f.Err()
}

func checkSettlementItems(f *errs.Fields, in *SettlementInput) {
	if len(in.Items) == 0 || len(in.Items) > MaxSettlementItems {
		f.Add("items", fmt.Sprintf("费用明细应为 1 至 %d 项", MaxSettlementItems))
		return
	}
	var sum int64
	for i := range in.Items {
		it := &in.Items[i]
		field := fmt.Sprintf("items[%d]", i)
		it.Code, it.Name = strings.TrimSpace(it.Code), strings.TrimSpace(it.Name)
		if it.Code == "" || len(it.Code) > 40 || it.Name == "" || utf8.RuneCountInString(it.Name) > 100 {
			f.Add(field, fmt.Sprintf("第 %d 项：请填写项目编码（40 个字符以内）和名称（100 字以内）", i+1))
		}
		if q, err := money.ParseYuan(it.Quantity); err != nil || q <= 0 {
			f.Add(field+".quantity", fmt.Sprintf("第 %d 项：数量应为正数", i+1))
		}
		if it.AmountFen < 0 || it.AmountFen > 10_000_000_000 {
			f.Add(field+".amount_fen", fmt.Sprintf("第 %d 项：金额不能为负数，且不超过 1 亿元", i+1))
		}
		if d := it.ServiceDate; d != "" && (d < in.AdmittedOn || d > in.DischargedOn) {
			f.Add(field+".service_date", fmt.Sprintf("第 %d 项：费用发生日期不在住院期间（%s 至 %s）", i+1, in.AdmittedOn, in.DischargedOn))
		}
		sum += it.AmountFen
	}
	if sum != in.TotalFen {
		f.Add("total_fen", fmt.Sprintf("费用合计 %s 元与各项明细之和 %s 元不符", money.Fen(in.TotalFen), money.Fen(sum)))
	}
}

// covidRecognition finds the patient's recognition in the COVID category.
func (s *Service) covidRecognition(ctx context.Context, f *errs.Fields, idNumber string) *RecognitionRecord {
	id, err := ident.ParseIDOn(strings.TrimSpace(idNumber), s.clock.Now())
	if err != nil {
		f.Add("patient_id_number", "患者身份证号码有误，请核对")
		return nil
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+recognitionCols+recognitionFrom+` WHERE p.id_number = $1
		AND r.result = 'recognised' ORDER BY r.decided_on DESC, r.id DESC`, id.Number)
	if err != nil {
		f.Add("patient_id_number", "查询工伤认定结论失败，请稍后重试")
		return nil
	}
	defer rows.Close()
	var other bool
	for rows.Next() {
		r, err := scanRecognition(rows)
		if err != nil {
			break
		}
		if r.Category == CategoryCOVID {
			if !r.Insured {
				f.Add("patient_id_number", "该患者的用人单位未参加工伤保险，请由用人单位与医院结算")
				return nil
			}
			return r
		}
		other = true
	}
	if other {
		f.Add("patient_id_number", "该患者的工伤认定类别不是医护及相关工作人员感染新冠肺炎，不适用联网结算快捷通道")
	} else {
		f.Add("patient_id_number", "该患者未被认定为工伤，不能联网结算")
	}
	return nil
}

func settlementAnswer(in SettlementInput, covered map[string]bool, rec *RecognitionRecord) *SettlementAnswer {
	ans := &SettlementAnswer{SettlementNo: newSettlementNo(), Status: "accepted", Patient: rec.PersonIDMask,
		InvoiceNo: in.InvoiceNo, TotalFen: in.TotalFen}
	uncovered := 0
	for i, it := range in.Items {
		l := SettlementLine{Line: i + 1, Code: it.Code, Covered: covered[it.Code]}
		if l.Covered {
			l.AcceptedFen = it.AmountFen
		} else {
			uncovered++
			l.Note = "不在新冠肺炎诊疗方案覆盖项目内，请按工伤医疗费用另行申报审核"
		}
		ans.AcceptedFen += l.AcceptedFen
		ans.Lines = append(ans.Lines, l)
	}
	ans.Message = fmt.Sprintf("结算成功：核准 %s 元", money.Fen(ans.AcceptedFen))
	if uncovered > 0 {
		ans.Message += fmt.Sprintf("；%d 项不在覆盖项目内，未予结算", uncovered)
	}
	return ans
}

func newSettlementNo() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "JS" + strings.ToUpper(hex.EncodeToString(b[:]))
}

// storeSettlement writes the settlement, its payout line and the audit
// entry; a concurrent request with the same key returns its answer. It
// holds the hospital shared, so a registration of its account waits (or
// is waited for) and the line's account is read after it.
func (s *Service) storeSettlement(ctx context.Context, tx *sql.Tx, a *access.Actor, in SettlementInput, rec *RecognitionRecord,
	ans *SettlementAnswer, key, hash string) (*SettlementAnswer, error) {
	name, err := lockHospital(ctx, tx, s.db.Dialect.ForShare(), a.UserID)
	if err != nil {
		return nil, err
	}
	items, _ := json.Marshal(in.Items)
	answer, _ := json.Marshal(ans)
	res, err := tx.ExecContext(ctx, `INSERT INTO injury_settlements (settlement_no, hospital_id, hospital_name, idempotency_key,
		invoice_no, request_hash, recognition_id, person_id, admitted_on, discharged_on, total_fen, accepted_fen, items, answer,
		created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) ON CONFLICT DO NOTHING`, ans.SettlementNo,
		a.UserID, name, key, in.InvoiceNo, hash, rec.ID, rec.PersonID, in.AdmittedOn, in.DischargedOn, in.TotalFen, ans.AcceptedFen,
		string(items), string(answer), s.clock.Now().UTC())
	if err != nil {
		return nil, errs.Wrap(err, "insert settlement")
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		// The key was used meanwhile (its answer is replayed) or the
		// invoice was settled already.
		if prev, err := s.replay(ctx, tx, a.UserID, key, hash); prev != nil || err != nil {
			return prev, err
		}
		return nil, duplicateInvoice()
	}
	line := PayLine{Key: "injury:settlement:" + ans.SettlementNo, Benefit: "settlement", Source: ans.SettlementNo,
		PersonID: rec.PersonID, PayeeKind: PayeeHospital, PayeeRef: a.UserID, PayeeName: name, Amount: money.Fen(ans.AcceptedFen)}
	if err := s.payouts.Ready(ctx, tx, a, []PayLine{line}); err != nil {
		return nil, err
	}
	return nil, s.audit.Record(ctx, tx, a, audit.Entry{Action: "injury.settlement.accept", Entity: "injury_settlement",
		EntityID: ans.SettlementNo, After: map[string]any{"patient": rec.PersonIDMask, "invoice_no": in.InvoiceNo,
			"items": len(in.Items), "total_fen": in.TotalFen, "accepted_fen": ans.AcceptedFen}})
}

func duplicateInvoice() error {
	var f errs.Fields
	f.Add("invoice_no", "该发票号码已结算，不能重复结算")
	e := errs.As(f.Err())
	e.Kind, e.Code = errs.Conflict, "duplicate_invoice"
	return e
}

// Settlement is a stored settlement as its hospital or the section sees it.
type Settlement struct {
	No          string            `json:"settlement_no"`
	Hospital    string            `json:"hospital"`
	Patient     string            `json:"patient_id_masked"`
	PatientName string            `json:"patient_name_masked"`
	InvoiceNo   string            `json:"invoice_no"`
	AdmittedOn  string            `json:"admitted_on"`
	Discharged  string            `json:"discharged_on"`
	TotalFen    money.Fen         `json:"total_fen"`
	AcceptedFen money.Fen         `json:"accepted_fen"`
	CreatedAt   time.Time         `json:"created_at"`
	Answer      *SettlementAnswer `json:"answer,omitempty"`
}

// Settlements lists settlements, newest first: a hospital its own, the
// section all. Errors: Forbidden.
func (s *Service) Settlements(ctx context.Context, a *access.Actor, page int) ([]Settlement, error) {
	where, args := "", []any{}
	switch {
	case a.Hospital() != 0:
		where, args = " WHERE x.hospital_id = $1", []any{a.Hospital()}
	case a.In(access.Injury):
	default:
		return nil, errs.Forbid()
	}
	page = max(page, 1)
	args = append(args, PageSize, (page-1)*PageSize)
	var out []Settlement
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var x Settlement
		var idNo, name string
		if err := r.Scan(&x.No, &x.Hospital, &idNo, &name, &x.InvoiceNo, &x.AdmittedOn, &x.Discharged, &x.TotalFen,
			&x.AcceptedFen, &x.CreatedAt); err != nil {
			return err
		}
		x.Patient, x.PatientName = ident.MaskID(idNo), ident.MaskName(name)
		out = append(out, x)
		return nil
	}, `SELECT x.settlement_no, x.hospital_name, p.id_number, p.name, x.invoice_no,
		x.admitted_on, x.discharged_on, x.total_fen, x.accepted_fen, x.created_at FROM injury_settlements x
		JOIN persons p ON p.id = x.person_id`+where+` ORDER BY x.id DESC LIMIT `+placeholder(len(args)-1)+
		` OFFSET `+placeholder(len(args)), args...)
	return out, errs.Wrap(err, "settlements")
}

// SettlementByNo returns one settlement with its answer: its hospital or
// the section; others get NotFound.
func (s *Service) SettlementByNo(ctx context.Context, a *access.Actor, no string) (*Settlement, error) {
	isHospital := a.Hospital() != 0
	if !isHospital && !a.In(access.Injury) {
		return nil, errs.Forbid()
	}
	var x Settlement
	var idNo, name, answer string
	var hospital int64
	err := s.db.Read().QueryRowContext(ctx, `SELECT x.settlement_no, x.hospital_id, x.hospital_name, p.id_number, p.name,
		x.invoice_no, x.admitted_on, x.discharged_on, x.total_fen, x.accepted_fen, x.created_at, x.answer
		FROM injury_settlements x JOIN persons p ON p.id = x.person_id WHERE x.settlement_no = $1`, no).
		Scan(&x.No, &hospital, &x.Hospital, &idNo, &name, &x.InvoiceNo, &x.AdmittedOn, &x.Discharged, &x.TotalFen,
			&x.AcceptedFen, &x.CreatedAt, &answer)
	own := isHospital && a.Hospital() == hospital
	if db.IsNoRows(err) || (err == nil && !own && !a.In(access.Injury)) {
		return nil, errs.NotFoundf("没有该结算单")
	}
	if err != nil {
		return nil, errs.Wrap(err, "settlement")
	}
	x.Patient, x.PatientName = ident.MaskID(idNo), ident.MaskName(name)
	x.Answer = &SettlementAnswer{}
	return &x, errs.Wrap(json.Unmarshal([]byte(answer), x.Answer), "settlement answer")
}
