package payroll

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/payout"
)

// CardList is a card-opening list sent to an agent bank.
type CardList struct {
	ID         int64
	BankCode   string
	BankName   string
	Persons    int64
	CreatedBy  string
	CreatedAt  time.Time
	AnsweredAt *time.Time
	Waiting    int64 // persons of the list the bank has not answered yet
}

// No is the list's number as the bank sees it.
func (l *CardList) No() string {
	return fmt.Sprintf("KK%s-%s-%06d", l.CreatedAt.In(clock.Shanghai).Format("20060102"), l.BankCode, l.ID)
}

// CardRef is a person's reference on a card-opening list (申请编号).
func CardRef(personID int64) string { return fmt.Sprintf("SK%010d", personID) }

func parseCardRef(s string) int64 {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "SK") {
		return 0
	}
	n, err := strconv.ParseInt(s[2:], 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// CardLists lists the card-opening lists, newest first, to staff who may
// view the register.
func (s *Service) CardLists(ctx context.Context, a *access.Actor, limit int) ([]CardList, error) {
	if err := MayView(a); err != nil {
		return nil, err
	}
	return queryCardLists(ctx, s.db.Read(), `ORDER BY l.id DESC LIMIT `+strconv.Itoa(max(1, min(limit, 100))))
}

// CardListByID returns one list (NotFound).
func (s *Service) CardListByID(ctx context.Context, a *access.Actor, id int64) (*CardList, error) {
	if err := MayView(a); err != nil {
		return nil, err
	}
	ls, err := queryCardLists(ctx, s.db.Read(), `WHERE l.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ls) == 0 {
		return nil, errs.NotFoundf("没有找到该开卡名单")
	}
	return &ls[0], nil
}

func queryCardLists(ctx context.Context, q db.Querier, where string, args ...any) ([]CardList, error) {
	var out []CardList
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var l CardList
		var ans sql.NullTime
		if err := r.Scan(&l.ID, &l.BankCode, &l.BankName, &l.Persons, &l.CreatedBy, &l.CreatedAt, &ans, &l.Waiting); err != nil {
			return err
		}
		if ans.Valid {
			t := ans.Time.UTC()
			l.AnsweredAt = &t
		}
		out = append(out, l)
		return nil
	}, `SELECT l.id, l.bank_code, COALESCE(b.name, l.bank_code), l.persons, l.created_by, l.created_at,
		l.answered_at, (SELECT COUNT(*) FROM ss_cards c WHERE c.list_id = l.id AND c.status = 'listed')
		FROM ss_card_lists l LEFT JOIN payout_banks b ON b.code = l.bank_code `+where, args...)
	return out, errs.Wrap(err, "card lists")
}

// Card-opening list file columns and the answer's.
var (
	cardListHeader = []string{"序号", "申请编号", "姓名", "证件号码", "开卡银行"}
	cardAnswerCols = map[string]string{"申请编号": "ref", "姓名": "name", "证件号码": "id_number", "社保卡号": "card_no",
		"金融账号": "account_no", "领取方式": "delivery", "运单号": "tracking_no", "领取网点": "branch", "制卡日期": "issued_on",
		"卡状态": "state"}
	cardAnswerRequired = []string{"申请编号", "证件号码", "金融账号", "领取方式"}
)

// CardListFile writes the card-opening list for its bank, in the format
// and encoding of the bank's profile (the control record 汇总 / list
// number / count first or last, as in its payment files): the persons
// of the list the bank has not answered yet, with their full ID numbers
// (the bank needs them). 基金管理科.
func (s *Service) CardListFile(ctx context.Context, a *access.Actor, id int64) (*payout.File, error) {
	if err := MayRun(a); err != nil {
		return nil, err
	}
	l, err := s.CardListByID(ctx, a, id)
	if err != nil {
		return nil, err
	}
	bank, err := s.payouts.BankByCode(ctx, s.db.Read(), l.BankCode)
	if err != nil {
		return nil, err
	}
	body := [][]string{cardListHeader}
	err = db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var pid int64
		var name, idNo string
		if err := r.Scan(&pid, &name, &idNo); err != nil {
			return err
		}
		body = append(body, []string{strconv.Itoa(len(body)), CardRef(pid), name, idNo, bank.Name})
		return nil
	}, `SELECT c.person_id, p.name, p.id_number FROM ss_cards c
		JOIN pensioners p ON p.person_id = c.person_id WHERE c.list_id = $1 AND c.status = 'listed' ORDER BY c.person_id`, id)
	if err != nil {
		return nil, errs.Wrap(err, "card list file")
	}
	ctl := []string{"汇总", l.No(), strconv.Itoa(len(body) - 1)}
	if bank.Profile.Control == "first" {
		body = append([][]string{ctl}, body...)
	} else {
		body = append(body, ctl)
	}
	f, err := payout.WriteTable(&bank.Profile, l.No(), "开卡名单", body)
	if err != nil {
		return nil, err
	}
	return f, s.audit.Record(ctx, s.db.W, a, audit.Entry{Action: "card.list.file", Entity: "ss_card_list", EntityID: idStr(id),
		After: map[string]any{"persons": len(body) - 2}})
}

// CardAnswer is what an imported answer file did.
type CardAnswer struct {
	ListID     int64 `json:"list_id"`
	Issued     int64 `json:"issued"`
	Activated  int64 `json:"activated"`
	Released   int64 `json:"released"`
	AlreadyRun bool  `json:"already_imported"`
}

// answerLine is one data row of an answer file.
type answerLine struct {
	row      int
	personID int64
	issue    CardIssue
	idNumber string
	active   bool
}

// ImportCardAnswer imports the bank's answer to a card-opening list: per
// person the new card, its financial account and how it reaches the
// person (mailed with a tracking number, or picked up at a branch), and
// whether it is already active. All or nothing: any unknown reference,
// duplicate, other ID number, account failing the check or missing
// delivery detail refuses the whole file, every problem listed by row.
// Cards already active release the person's held pension lines (paid
// with the next batch). The same file twice returns the first result.
// 基金管理科.
func (s *Service) ImportCardAnswer(ctx context.Context, a *access.Actor, listID int64, fileName string, data []byte) (*CardAnswer, error) {
	if err := MayRun(a); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	if prev, err := answerByHash(ctx, s.db.Read(), hash); err != nil || prev != nil {
		return prev, err
	}
	l, err := s.CardListByID(ctx, a, listID)
	if err != nil {
		return nil, err
	}
	rows, err := payout.ReadTable(data)
	if err != nil {
		return nil, err
	}
	lines, probs, err := parseAnswer(rows, l)
	if err != nil {
		return nil, err
	}
	res := &CardAnswer{ListID: listID}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		more, err := checkAnswer(ctx, tx, l, lines)
		if err != nil {
			return err
		}
		if probs = append(probs, more...); len(probs) > 0 {
			sort.SliceStable(probs, func(i, j int) bool { return probs[i].row < probs[j].row })
			msgs := make([]string, len(probs))
			for i, p := range probs {
				msgs[i] = p.text
			}
			return answerErr(msgs)
		}
		return s.applyAnswer(ctx, tx, a, l, fileName, hash, lines, res)
	})
	if db.IsUniqueViolation(err) {
		return answerByHash(ctx, s.db.Read(), hash)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

func answerByHash(ctx context.Context, q db.Querier, hash string) (*CardAnswer, error) {
	r := &CardAnswer{AlreadyRun: true}
	err := q.QueryRowContext(ctx, `SELECT list_id, issued, activated, released FROM ss_card_answers WHERE file_hash = $1`, hash).
		Scan(&r.ListID, &r.Issued, &r.Activated, &r.Released)
	if db.IsNoRows(err) {
		return nil, nil
	}
	return r, errs.Wrap(err, "card answer")
}

// problem is one problem of an answer file, at a row (0: the file).
type problem struct {
	row  int
	text string
}

// parseAnswer reads the header, the data rows and the optional control
// record (its count must match), returning every problem of the rows
// on their own; a file without the required headers is refused at once.
func parseAnswer(rows []payout.TableRow, l *CardList) ([]answerLine, []problem, error) {
	var index map[string]int
	var lines []answerLine
	var probs []problem
	ctlCount := -1
	for _, r := range rows {
		if strings.TrimSpace(strings.Join(r.Cells, "")) == "" {
			continue
		}
		first := strings.TrimSpace(r.Cells[0])
		if first == "汇总" || first == "合计" {
			n, err := strconv.Atoi(cell(r.Cells, 2))
			if err != nil {
				probs = append(probs, problem{r.N, fmt.Sprintf("第%d行（汇总行）：笔数无法识别", r.N)})
			}
			if no := cell(r.Cells, 1); no != "" && no != l.No() {
				probs = append(probs, problem{r.N, fmt.Sprintf("第%d行（汇总行）：名单号%s不是本名单%s", r.N, no, l.No())})
			}
			ctlCount = n
			continue
		}
		if index == nil {
			index = map[string]int{}
			for i, c := range r.Cells {
				if key, ok := cardAnswerCols[strings.TrimSpace(c)]; ok {
					index[key] = i
				}
			}
			for _, c := range cardAnswerRequired {
				if _, ok := index[cardAnswerCols[c]]; !ok {
					return nil, nil, answerErr([]string{"表头缺少必需的列“" + c + "”，请上传银行返回的原始文件"})
				}
			}
			continue
		}
		get := func(k string) string {
			if i, ok := index[k]; ok {
				return cell(r.Cells, i)
			}
			return ""
		}
		ln := answerLine{row: r.N, personID: parseCardRef(get("ref")), active: get("state") == "已激活"}
		ln.issue = CardIssue{PersonID: ln.personID, CardNo: get("card_no"), AccountNo: payout.CleanAccountNo(get("account_no")),
			TrackingNo: get("tracking_no"), Branch: get("branch"), IssuedOn: get("issued_on")}
		switch get("delivery") {
		case "邮寄":
			ln.issue.Delivery = "mail"
		case "网点领取", "网点":
			ln.issue.Delivery = "branch"
		}
		if ln.personID == 0 {
			probs = append(probs, problem{r.N, fmt.Sprintf("第%d行：申请编号“%s”无法识别，未匹配，请与银行核实", r.N, get("ref"))})
			continue
		}
		for _, p := range lineProblems(r.N, &ln, get("id_number"), get("delivery"), get("state")) {
			probs = append(probs, problem{r.N, p})
		}
		lines = append(lines, ln)
	}
	switch {
	case index == nil:
		return nil, nil, answerErr([]string{"回复文件没有表头，请上传银行返回的原始文件"})
	case len(lines) == 0 && len(probs) == 0:
		return nil, nil, answerErr([]string{"回复文件没有明细行"})
	case ctlCount >= 0 && ctlCount != len(lines):
		probs = append(probs, problem{0, fmt.Sprintf("汇总行的%d笔与明细的%d笔不符", ctlCount, len(lines))})
	}
	return lines, probs, nil
}

// lineProblems checks one answer line on its own; idNumber is kept on
// the line for checkAnswer.
func lineProblems(row int, ln *answerLine, idNumber, delivery, state string) []string {
	var out []string
	ln.issue.CardNo = strings.TrimSpace(ln.issue.CardNo)
	if _, err := ident.ParseID(idNumber); err != nil {
		out = append(out, fmt.Sprintf("第%d行：证件号码不正确", row))
	}
	ln.issue.Branch = strings.TrimSpace(ln.issue.Branch)
	ln.idNumber = idNumber
	var f errs.Fields
	payout.CheckAccount(&f, "account_no", payout.AccountCard, ln.issue.AccountNo)
	if len(f) > 0 {
		out = append(out, fmt.Sprintf("第%d行：金融账号%s：%s", row, payout.MaskAccount(ln.issue.AccountNo), f[0].Message))
	}
	switch {
	case ln.issue.Delivery == "":
		out = append(out, fmt.Sprintf("第%d行：领取方式“%s”应为“邮寄”或“网点领取”", row, delivery))
	case ln.issue.Delivery == "mail" && strings.TrimSpace(ln.issue.TrackingNo) == "":
		out = append(out, fmt.Sprintf("第%d行：邮寄的须有运单号", row))
	case ln.issue.Delivery == "branch" && ln.issue.Branch == "":
		out = append(out, fmt.Sprintf("第%d行：网点领取的须有领取网点", row))
	}
	if state != "" && state != "已激活" && state != "待激活" && state != "已制卡" {
		out = append(out, fmt.Sprintf("第%d行：卡状态“%s”应为“已制卡”“待激活”或“已激活”", row, state))
	}
	return out
}

// checkAnswer matches the lines with the list, locked: each must be a
// person of this list the bank has not answered, once, with the same ID
// number.
func checkAnswer(ctx context.Context, tx *sql.Tx, l *CardList, lines []answerLine) ([]problem, error) {
	rows, err := tx.QueryContext(ctx, `SELECT c.person_id, c.status, p.id_number FROM ss_cards c JOIN pensioners p ON p.person_id = c.person_id
		WHERE c.list_id = $1`, l.ID)
	if err != nil {
		return nil, errs.Wrap(err, "card answer")
	}
	type known struct{ status, idNumber string }
	on := map[int64]known{}
	for rows.Next() {
		var id int64
		var k known
		if err := rows.Scan(&id, &k.status, &k.idNumber); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "card answer")
		}
		on[id] = k
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "card answer")
	}
	var probs []problem
	add := func(row int, format string, args ...any) {
		probs = append(probs, problem{row, fmt.Sprintf("第%d行：", row) + fmt.Sprintf(format, args...)})
	}
	seen := map[int64]int{}
	for _, ln := range lines {
		k, ok := on[ln.personID]
		switch {
		case !ok:
			add(ln.row, "申请编号%s不在开卡名单%s中，未匹配，请与银行核实", CardRef(ln.personID), l.No())
		case seen[ln.personID] != 0:
			add(ln.row, "申请编号%s重复（与第%d行相同）", CardRef(ln.personID), seen[ln.personID])
		case k.status != CardListed:
			add(ln.row, "申请编号%s已回复（%s），不能重复处理", CardRef(ln.personID), cardNames[k.status])
		case !strings.EqualFold(k.idNumber, strings.TrimSpace(ln.idNumber)):
			add(ln.row, "证件号码%s与名单中的%s不一致", ident.MaskID(ln.idNumber), ident.MaskID(k.idNumber))
		}
		if seen[ln.personID] == 0 {
			seen[ln.personID] = ln.row
		}
	}
	return probs, nil
}

// applyAnswer records the cards and the answer, activates the cards the
// bank says are active and releases their held lines.
func (s *Service) applyAnswer(ctx context.Context, tx *sql.Tx, a *access.Actor, l *CardList, fileName, hash string,
	lines []answerLine, res *CardAnswer) error {
	now := s.clock.Now()
	for _, ln := range lines {
		status, activated := CardIssued, ""
		if ln.active {
			status, activated = CardActive, now.In(clock.Shanghai).Format("2006-01-02")
		}
		in := ln.issue
		r, err := tx.ExecContext(ctx, `UPDATE ss_cards SET status = $1, card_no = $2, account_no = $3, delivery = $4, tracking_no = $5,
			branch = $6, issued_on = $7, activated_on = $8, updated_by = $9, updated_at = $10, version = version + 1
			WHERE person_id = $11 AND list_id = $12 AND status = 'listed'`, status, in.CardNo, in.AccountNo, in.Delivery,
			strings.TrimSpace(in.TrackingNo), in.Branch, in.IssuedOn, activated, a.Name(), now, in.PersonID, l.ID)
		if err != nil {
			return errs.Wrap(err, "card answer")
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return errs.New(errs.Conflict, "card_changed", "部分人员的开卡状态已变化，请刷新后重新导入")
		}
		res.Issued++
		if !ln.active {
			continue
		}
		res.Activated++
		n, err := s.releaseHeld(ctx, tx, a, in.PersonID, in.AccountNo, l)
		if err != nil {
			return err
		}
		res.Released += int64(n)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO ss_card_answers (list_id, file_name, file_hash, issued, activated, released,
		imported_by, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, l.ID, fileName, hash, res.Issued, res.Activated,
		res.Released, a.Name(), now); err != nil {
		return err // a unique violation: the same file imported meanwhile
	}
	if _, err := tx.ExecContext(ctx, `UPDATE ss_card_lists SET answered_at = $1 WHERE id = $2`, now, l.ID); err != nil {
		return errs.Wrap(err, "card list answered")
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "card.answer.import", Entity: "ss_card_list", EntityID: idStr(l.ID),
		After: map[string]any{"issued": res.Issued, "activated": res.Activated, "released": res.Released}, Note: fileName})
}

// releaseHeld gives a person's held pension lines the card's account.
func (s *Service) releaseHeld(ctx context.Context, tx *sql.Tx, a *access.Actor, personID int64, account string, l *CardList) (int, error) {
	p, err := pensionerByPerson(ctx, tx, personID)
	if err != nil {
		return 0, err
	}
	return s.payouts.Release(ctx, tx, a, personID, "card", payout.Request{AccountKind: payout.AccountCard, AccountName: p.Name,
		AccountNo: account, BankName: l.BankName, BankCode: l.BankCode})
}

// answerErr is an Invalid error listing (the first 50) problems.
func answerErr(ps []string) error {
	e := &errs.Error{Kind: errs.Invalid, Code: "card_answer_refused",
		Message: fmt.Sprintf("开卡回复文件有%d处问题，未做任何处理；请核对后重新导入", len(ps))}
	for i, p := range ps {
		if i == 50 {
			e.Fields = append(e.Fields, errs.FieldError{Field: "file", Message: fmt.Sprintf("……另有%d处问题", len(ps)-50)})
			break
		}
		e.Fields = append(e.Fields, errs.FieldError{Field: "file", Message: p})
	}
	return e
}

func cell(cells []string, i int) string {
	if i < len(cells) {
		return strings.TrimSpace(cells[i])
	}
	return ""
}

// AwaitingCard is a retiree in pay whose card is not active yet.
type AwaitingCard struct {
	PersonID  int64
	Name      string
	IDNumber  string
	First     clock.Month
	Card      *Card // nil: not on a list yet
	Held      int64
	HeldTotal money.Fen
}

// MaskedIDNumber masks the ID number for the list.
func (w *AwaitingCard) MaskedIDNumber() string { return ident.MaskID(w.IDNumber) }

// StatusName is the card step in Chinese.
func (w *AwaitingCard) StatusName() string {
	if w.Card == nil {
		return "未报送开卡"
	}
	return w.Card.StatusName()
}

// AwaitingCards lists a page (50 a page) of the retirees in pay without
// an active card, with their card step and held pension lines, and how
// many there are.
func (s *Service) AwaitingCards(ctx context.Context, a *access.Actor, page int) ([]AwaitingCard, int64, error) {
	if err := MayView(a); err != nil {
		return nil, 0, err
	}
	const per = 50
	page = max(page, 1)
	q := s.db.Read()
	const from = ` FROM pensioners p LEFT JOIN ss_cards c ON c.person_id = p.person_id
		WHERE p.status = 'active' AND (c.status IS NULL OR c.status <> 'active')`
	var total int64
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*)`+from).Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "awaiting cards")
	}
	var out []AwaitingCard
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var w AwaitingCard
		var first string
		var held int64
		c := &Card{}
		if err := r.Scan(&w.PersonID, &w.Name, &w.IDNumber, &first, &c.Status, &c.BankName, &c.AccountNo, &c.Delivery,
			&c.TrackingNo, &c.Branch, &c.Version, &w.Held, &held); err != nil {
			return err
		}
		w.First, _ = clock.ParseMonth(first)
		w.HeldTotal = money.Fen(held)
		if c.Status != "" {
			c.PersonID = w.PersonID
			w.Card = c
		}
		out = append(out, w)
		return nil
	}, `SELECT p.person_id, p.name, p.id_number, p.first_month, COALESCE(c.status, ''),
		COALESCE(c.bank_name, ''), COALESCE(c.account_no, ''), COALESCE(c.delivery, ''), COALESCE(c.tracking_no, ''),
		COALESCE(c.branch, ''), COALESCE(c.version, 0),
		(SELECT COUNT(*) FROM payout_lines l WHERE l.payee_kind = 'person' AND l.payee_id = p.person_id AND l.status = 'held'),
		(SELECT COALESCE(SUM(l.amount_fen), 0) FROM payout_lines l WHERE l.payee_kind = 'person' AND l.payee_id = p.person_id AND l.status = 'held')`+
		from+` ORDER BY p.person_id LIMIT `+strconv.Itoa(per)+` OFFSET `+strconv.Itoa((page-1)*per))
	return out, total, errs.Wrap(err, "awaiting cards")
}
