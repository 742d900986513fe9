package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shebao/internal/contribution"
	"shebao/internal/errs"
)

// billLines is the page of a bill's lines the detail page shows: found by
// name or masked ID number, one scheme or all, LinesPerPage at a time.
type billLines struct {
	Lines    []contribution.Line
	Q        string
	Scheme   contribution.Scheme
	Schemes  []contribution.Scheme
	Found    int // lines matching the search
	All      int // lines on the bill
	Page     int
	Pages    int
	Pager    pager
	Download string // the Excel download of every line
}

// pageBillLines picks the lines of bill b that the query of r asks for.
func pageBillLines(r *http.Request, b *contribution.Bill, staff bool) (*billLines, error) {
	q := r.URL.Query()
	scheme, ok := contribution.ParseScheme(q.Get("scheme"))
	if !ok {
		return nil, errs.New(errs.Invalid, "bad_scheme", "险种选择有误，请从列表中选择")
	}
	f := contribution.LineFilter{Q: strings.TrimSpace(q.Get("q")), Scheme: scheme}
	found := b.FilterLines(f)
	base := billBase(staff) + strconv.FormatInt(b.ID, 10)
	v := &billLines{Q: f.Q, Scheme: scheme, Schemes: contribution.Schemes, Found: len(found), All: len(b.Lines),
		Pages: max(1, (len(found)+contribution.LinesPerPage-1)/contribution.LinesPerPage), Download: base + "/lines.xlsx"}
	v.Page = min(pageParam(q), v.Pages)
	from := (v.Page - 1) * contribution.LinesPerPage
	v.Lines = found[from:min(from+contribution.LinesPerPage, len(found))]
	v.Pager = newPager(base, url.Values{"q": {f.Q}, "scheme": {string(scheme)}}, v.Page, contribution.LinesPerPage, len(found))
	if v.Pager.HasPrev {
		v.Pager.PrevURL += "#lines"
	}
	if v.Pager.HasNext {
		v.Pager.NextURL += "#lines"
	}
	return v, nil
}

// billBase is the path of the bill pages of the employer or of the staff.
func billBase(staff bool) string {
	if staff {
		return "/staff/bills/"
	}
	return "/employer/bills/"
}

// billLinesXLSX sends every line of bill {id} as an Excel file, to the
// employer whose bill it is or to 统筹科 / 基金管理科.
func (s *Server) billLinesXLSX(w http.ResponseWriter, r *http.Request) {
	staff := strings.HasPrefix(r.URL.Path, "/staff/")
	p, err := s.billPage(r, staff)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b := p.Data.(billView).Bill
	var buf bytes.Buffer
	if err := contribution.WriteLinesXLSX(&buf, b); err != nil {
		s.fail(w, r, errs.Wrap(err, "bill lines xlsx"))
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"bill.xlsx\"; filename*=UTF-8''"+
		url.PathEscape("核定明细-"+b.BillNo+".xlsx"))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
