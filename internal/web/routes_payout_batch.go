package web

import (
	"net/http"
	"net/url"
	"strconv"

	"shebao/internal/payout"
)

// batchListView is the data of the batch list.
type batchListView struct {
	Batches []payout.Batch
	Banks   []payout.Bank
	Count   int64
	Page    int
	Pages   int
}

func (s *Server) batchList(r *http.Request) (*batchListView, error) {
	a := actorFrom(r.Context())
	page := pageParam(r.URL.Query())
	bs, n, err := s.Payouts.Batches(r.Context(), a, page, 30)
	if err != nil {
		return nil, err
	}
	banks, err := s.Payouts.Banks(r.Context())
	if err != nil {
		return nil, err
	}
	return &batchListView{Batches: bs, Banks: banks, Count: n, Page: page, Pages: int((n + 29) / 30)}, nil
}

func (s *Server) staffBatches(w http.ResponseWriter, r *http.Request) {
	v, err := s.batchList(r)
	s.renderOrFail(w, r, "payout_batches", &Page{Title: "代发批次", Data: v}, err)
}

func (s *Server) staffBatchCreate(w http.ResponseWriter, r *http.Request) {
	if err := payout.Can(actorFrom(r.Context()), payout.ApproveLines, nil); err != nil {
		s.fail(w, r, err)
		return
	}
	b, skipped, err := s.Payouts.CreateBatch(r.Context(), actorFrom(r.Context()), r.PostFormValue("bank_code"))
	if err != nil {
		v, lerr := s.batchList(r)
		if lerr != nil {
			s.fail(w, r, err)
			return
		}
		s.renderForm(w, r, "payout_batches", &Page{Title: "代发批次", Data: v}, err)
		return
	}
	msg := "已生成批次 " + b.No + "：" + strconv.FormatInt(b.Lines, 10) + " 笔，合计 " + b.Total.String() + " 元"
	if skipped > 0 {
		msg += "；另有 " + strconv.Itoa(skipped) + " 笔户名含银行文件无法表示的文字，暂未送银行"
	}
	redirect(w, r, "/staff/payout-batches/"+strconv.FormatInt(b.ID, 10), msg)
}

// batchView is the data of one batch's page.
type batchView struct {
	Batch  *payout.Batch
	Totals []payout.SchemeTotal
	Lines  *payout.Page
	Result *payout.ReturnResult
	Query  string
}

func (s *Server) batchData(r *http.Request) (*batchView, error) {
	a := actorFrom(r.Context())
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	b, err := s.Payouts.GetBatch(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	v := &batchView{Batch: b}
	if v.Totals, err = s.Payouts.BatchTotals(r.Context(), a, id); err != nil {
		return nil, err
	}
	f := payoutFilter(r.URL.Query())
	f.BatchID = id
	if v.Lines, err = s.Payouts.List(r.Context(), a, f); err != nil {
		return nil, err
	}
	v.Query = url.Values{"status": {f.Status}, "q": {f.Query}}.Encode()
	return v, nil
}

func (s *Server) staffBatch(w http.ResponseWriter, r *http.Request) {
	v, err := s.batchData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "payout_batch", &Page{Title: "代发批次 " + v.Batch.No, Data: v})
}

func (s *Server) staffBatchFile(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	f, err := s.Payouts.BatchFile(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendAttachment(w, f.ContentType, f.Name, f.Data)
}

func (s *Server) staffBatchPDF(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	data, err := s.Payouts.BatchPDF(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(data)
}

func (s *Server) staffBatchReturn(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	if _, err := s.Payouts.GetBatch(r.Context(), a, id); err != nil {
		s.fail(w, r, err)
		return
	}
	var res *payout.ReturnResult
	name, data, err := uploadedFile(r, payout.MaxReturnBytes, "请选择银行回盘文件（逗号分隔文本 .csv 或 Excel 表格 .xlsx）")
	if err == nil {
		res, err = s.Payouts.ImportReturn(r.Context(), a, id, name, data)
	}
	if err != nil {
		v, verr := s.batchData(r)
		if verr != nil {
			s.fail(w, r, err)
			return
		}
		s.renderForm(w, r, "payout_batch", &Page{Title: "代发批次 " + v.Batch.No, Data: v}, err)
		return
	}
	msg := "回盘已导入：成功 " + strconv.FormatInt(res.Paid, 10) + " 笔（" + res.PaidFen.String() + " 元），失败 " +
		strconv.FormatInt(res.Failed, 10) + " 笔（" + res.FailedFen.String() + " 元）"
	if res.AlreadyRun {
		msg = "该回盘文件已导入过，未重复处理。" + msg
	}
	redirect(w, r, "/staff/payout-batches/"+strconv.FormatInt(id, 10), msg)
}
