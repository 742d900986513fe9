package demo

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/injury"
	"shebao/internal/money"
)

// injuryBenefits gives 工伤保险待遇科 a realistic benefit line: the COVID
// covered list, a nurse of 单位1 recognised in the COVID category whose
// hospital settled directly, an ordinary grade 5 injury with its claim in
// review, a late application with an itemised medical claim, and a
// continued-treatment form waiting for approval. Skipped without the
// injury service or when a recognition exists already.
func (g *generator) injuryBenefits(ctx context.Context) error {
	if g.Injury == nil {
		return nil
	}
	var n int
	if err := g.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM injury_recognitions`).Scan(&n); err != nil || n > 0 {
		return errs.Wrap(err, "demo: injury")
	}
	workers, employerNo, err := g.injuryWorkers(ctx)
	if err != nil || len(workers) < 3 {
		return err
	}
	clerk := access.System
	for _, it := range [][2]string{{"XG001", "抗病毒药物（洛匹那韦/利托那韦片）"}, {"XG002", "α-干扰素雾化吸入"},
		{"XG003", "无创呼吸机辅助通气"}, {"XG004", "新型冠状病毒核酸检测"}, {"XG005", "胸部 CT 平扫"},
		{"XG006", "鼻导管吸氧"}, {"XG007", "连续性血液净化治疗"}, {"XG008", "中药饮片（诊疗方案推荐方剂）"}} {
		if _, err := g.Injury.AddCovidItem(ctx, clerk, injury.CovidItemInput{Code: it[0], Name: it[1], ValidFrom: "2020-01-20",
			Basis: "新型冠状病毒肺炎诊疗方案（国家卫生健康委）"}); err != nil {
			return err
		}
	}
	bureau := &access.Actor{Username: "system", Role: access.RoleAPI, ClientKind: "bureau"}
	decisions := []injury.RecognitionRecordInput{
		{DecisionNo: "京朝人社工伤认字〔2024〕001号", DecidedOn: "2024-02-05", WorkerIDNumber: workers[0], EmployerNo: employerNo,
			AccidentOn: "2024-01-25", AppliedOn: "2024-01-28", Applicant: injury.ApplicantEmployer, Result: injury.ResultRecognised,
			Category: injury.CategoryCOVID},
		{DecisionNo: "京朝人社工伤认字〔2023〕187号", DecidedOn: "2023-11-02", WorkerIDNumber: workers[1], EmployerNo: employerNo,
			AccidentOn: "2023-09-14", AppliedOn: "2023-09-20", Applicant: injury.ApplicantEmployer, Result: injury.ResultRecognised,
			Category: injury.CategoryOrdinary},
		{DecisionNo: "京朝人社工伤认字〔2024〕006号", DecidedOn: "2024-02-06", WorkerIDNumber: workers[2], EmployerNo: employerNo,
			AccidentOn: "2023-11-20", AppliedOn: "2024-01-10", Applicant: injury.ApplicantEmployer, Result: injury.ResultRecognised,
			Category: injury.CategoryOrdinary},
	}
	var recs []*injury.RecognitionRecord
	for _, d := range decisions {
		r, err := g.Injury.RecordDecision(ctx, bureau, d)
		if err != nil {
			return err
		}
		recs = append(recs, r)
	}
	if err := g.injurySettlement(ctx, workers[0]); err != nil {
		return err
	}
	return g.injuryClaims(ctx, recs, employerNo)
}

// injuryWorkers returns three employees of the first demo employer (the
// demo person first) and the employer's number.
func (g *generator) injuryWorkers(ctx context.Context) ([]string, string, error) {
	var empID int64
	var empNo string
	if err := g.DB.Read().QueryRowContext(ctx, `SELECT id, employer_no FROM employers ORDER BY id LIMIT 1`).Scan(&empID, &empNo); err != nil {
		return nil, "", errs.Wrap(err, "demo: injury employer")
	}
	var out []string
	err := db.Each(ctx, g.DB.Read(), func(r db.Scanner) error {
		var id string
		if err := r.Scan(&id); err != nil {
			return err
		}
		out = append(out, id)
		return nil
	}, `SELECT p.id_number FROM employments m JOIN persons p ON p.id = m.person_id
		WHERE m.employer_id = $1 AND m.start_month <= '2023-09' AND m.end_month IS NULL ORDER BY p.id LIMIT 3`, empID)
	return out, empNo, errs.Wrap(err, "demo: injury workers")
}

// injurySettlement: the demo hospital settles the nurse's stay directly
// and files a continued-treatment form for her.
func (g *generator) injurySettlement(ctx context.Context, nurse string) error {
	var uid int64
	if err := g.DB.Read().QueryRowContext(ctx, `SELECT user_id FROM api_clients WHERE kind = 'hospital' ORDER BY id LIMIT 1`).
		Scan(&uid); err != nil {
		return nil // no demo hospital
	}
	// The generator acts as the hospital's client (named the system in the audit).
	hosp := &access.Actor{UserID: uid, Username: "system", Role: access.RoleAPI, ClientKind: "hospital"}
	items := []injury.SettlementItem{{Code: "XG001", Name: "抗病毒药物（洛匹那韦/利托那韦片）", Quantity: "28", AmountFen: 168000},
		{Code: "XG003", Name: "无创呼吸机辅助通气", Quantity: "72", AmountFen: 432000},
		{Code: "XG004", Name: "新型冠状病毒核酸检测", Quantity: "4", AmountFen: 48000},
		{Code: "XG005", Name: "胸部 CT 平扫", Quantity: "2", AmountFen: 56000},
		{Code: "CW001", Name: "单人病房床位费（超标准部分）", Quantity: "10", AmountFen: 30000}}
	in := injury.SettlementInput{IdempotencyKey: "DEMO-HIS-20240206-0001", PatientIDNumber: nurse, AdmittedOn: "2024-01-26",
		DischargedOn: "2024-02-06", InvoiceNo: "11010024000012345", Items: items}
	for _, it := range items {
		in.TotalFen += it.AmountFen
	}
	if _, _, err := g.Injury.Settle(ctx, hosp, in); err != nil {
		return err
	}
	_, err := g.Injury.FileContinued(ctx, hosp, injury.ContinuedInput{PatientIDNumber: nurse, AdmittedOn: "2024-02-09",
		Diagnosis: "新冠肺炎恢复期肺纤维化", Reason: "出院后复查肺功能明显下降，需再次住院治疗"})
	return err
}

// injuryClaims: the grade 5 injury with own wage and a disability claim in
// review; the late application with an itemised medical claim.
func (g *generator) injuryClaims(ctx context.Context, recs []*injury.RecognitionRecord, employerNo string) error {
	clerk := access.System
	// The employer files the claims on the web, as it would.
	boss := &access.Actor{Username: employerNo, Role: access.RoleEmployer, EmployerID: recs[1].EmployerID}
	if _, err := g.Injury.RecordAppraisal(ctx, clerk, recs[1].ID, injury.AppraisalInput{ConclusionNo: "京劳鉴〔2024〕0031号",
		AppraisedOn: "2024-01-18", Grade: "5", Nursing: string(injury.NursingNone)}); err != nil {
		return err
	}
	if _, err := g.Injury.SetOwnWage(ctx, clerk, recs[1].ID, injury.OwnWageInput{}); err != nil {
		scan, serr := g.Injury.StoreScan(ctx, clerk, "evidence", injury.Photo{Name: "工资发放记录.png", R: bytes.NewReader(demoPNG())})
		if serr != nil {
			return serr
		}
		wages := make([]money.Fen, 12)
		for i := range wages {
			wages[i] = money.Yuan(7800)
		}
		if _, err := g.Injury.SetOwnWage(ctx, clerk, recs[1].ID, injury.OwnWageInput{Wages: wages, EvidenceID: scan}); err != nil {
			return err
		}
	}
	if _, err := g.Injury.FileClaim(ctx, boss, injury.ClaimInput{DecisionNo: recs[1].DecisionNo, Benefit: injury.BenefitDisability,
		Payee: injury.PayeeWorker, BankName: "中国建设银行北京朝阳支行", BankAccount: "6222020200112233446"}); err != nil {
		return err
	}
	items := []injury.ItemInput{
		{Code: "ZL0101", Name: "清创缝合术", Quantity: "1", AmountFen: 86000, InCatalogue: true},
		{Code: "ZL0302", Name: "左胫骨骨折切开复位内固定术", Quantity: "1", AmountFen: 680000, InCatalogue: true},
		{Code: "CL0410", Name: "钛合金接骨板（进口）", Quantity: "1", AmountFen: 1260000, InCatalogue: false},
		{Code: "YP1022", Name: "头孢呋辛钠注射液", Quantity: "12", AmountFen: 43200, InCatalogue: true},
		{Code: "JC0201", Name: "下肢 X 线摄影", Quantity: "3", AmountFen: 27000, InCatalogue: true},
		{Code: "CW0002", Name: "普通病房床位费", Quantity: "14", AmountFen: 42000, InCatalogue: true},
		{Kind: "food", Code: "HS01", Name: "住院伙食补助费", Quantity: "14", AmountFen: 42000, InCatalogue: true},
	}
	_, err := g.Injury.FileClaim(ctx, boss, injury.ClaimInput{DecisionNo: recs[2].DecisionNo, Benefit: injury.BenefitMedical,
		Payee: injury.PayeeEmployer, BankName: "中国工商银行北京朝阳支行", BankAccount: "0200001234567890123",
		Items: items})
	return err
}

// demoPNG is a small picture standing for a scanned document.
func demoPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(2, 2, color.RGBA{R: 180, A: 255})
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
