package web

import (
	"net/http"
	"strconv"

	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/payout"
	"shebao/internal/payroll"
)

// cardsView is the data of the social security card page.
type cardsView struct {
	Awaiting []payroll.AwaitingCard
	Count    int64
	Page     int
	Pages    int
	Lists    []payroll.CardList
	Banks    []payout.Bank
	Issued   int // how many on the page the bank has issued (tickable for activation)
}

func (s *Server) cardsData(r *http.Request) (*cardsView, error) {
	a := actorFrom(r.Context())
	page := pageParam(r.URL.Query())
	w, n, err := s.Payroll.AwaitingCards(r.Context(), a, page)
	if err != nil {
		return nil, err
	}
	v := &cardsView{Awaiting: w, Count: n, Page: page, Pages: int((n + 49) / 50)}
	for i := range w {
		if w[i].Card != nil && w[i].Card.Status == payroll.CardIssued {
			v.Issued++
		}
	}
	if v.Lists, err = s.Payroll.CardLists(r.Context(), a, 20); err != nil {
		return nil, err
	}
	if v.Banks, err = s.Payouts.Banks(r.Context()); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Server) renderCards(w http.ResponseWriter, r *http.Request, err error) {
	v, verr := s.cardsData(r)
	if verr != nil {
		s.fail(w, r, verr)
		return
	}
	s.renderOrForm(w, r, "payroll_cards", &Page{Title: "社保卡开卡", Data: v}, err)
}

func (s *Server) staffCards(w http.ResponseWriter, r *http.Request) {
	if err := payroll.MayRun(actorFrom(r.Context())); err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderCards(w, r, nil)
}

func (s *Server) staffCardListCreate(w http.ResponseWriter, r *http.Request) {
	id, n, err := s.Payroll.ListForCards(r.Context(), actorFrom(r.Context()), r.PostFormValue("bank_code"))
	if err != nil {
		if errs.KindOf(err) == errs.Invalid {
			s.renderCards(w, r, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/staff/cards#list-"+strconv.FormatInt(id, 10), "已生成开卡名单："+strconv.FormatInt(n, 10)+" 人，请下载名单文件报送银行")
}

func (s *Server) staffCardListFile(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	f, err := s.Payroll.CardListFile(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendAttachment(w, f.ContentType, f.Name, f.Data)
}

func (s *Server) staffCardAnswer(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	if err := payroll.MayRun(a); err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.Payroll.CardListByID(r.Context(), a, id); err != nil {
		s.fail(w, r, err)
		return
	}
	var res *payroll.CardAnswer
	name, data, err := uploadedFile(r, payout.MaxReturnBytes, "请选择银行的开卡回复文件（逗号分隔文本 .csv 或 Excel 表格 .xlsx）")
	if err == nil {
		res, err = s.Payroll.ImportCardAnswer(r.Context(), a, id, name, data)
	}
	if err != nil {
		if errs.KindOf(err) == errs.Invalid {
			s.renderCards(w, r, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	msg := "开卡回复已导入：制卡 " + strconv.FormatInt(res.Issued, 10) + " 人，其中已激活 " + strconv.FormatInt(res.Activated, 10) +
		" 人，解除暂停发放 " + strconv.FormatInt(res.Released, 10) + " 笔（随下一批次发放）"
	if res.AlreadyRun {
		msg = "该回复文件已导入过，未重复处理。" + msg
	}
	redirect(w, r, "/staff/cards", msg)
}

func (s *Server) staffCardActivate(w http.ResponseWriter, r *http.Request) {
	if err := payroll.MayRun(actorFrom(r.Context())); err != nil {
		s.fail(w, r, err)
		return
	}
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	n, err := s.Payroll.Activate(r.Context(), actorFrom(r.Context()), id)
	if s.formFailed(w, r, err, func(err error) { s.renderCards(w, r, err) }) {
		return
	}
	redirect(w, r, "/staff/cards", "社保卡已激活，解除暂停发放 "+strconv.Itoa(n)+" 笔（随下一批次发放）")
}

// cardsActivateView is the confirmation step of a bulk activation.
type cardsActivateView struct {
	Cards     []payroll.AwaitingCard // the first 200 shown
	Count     int
	More      int
	All       bool
	IDs       []int64
	Held      int64
	HeldTotal money.Fen
}

func cardChoice(r *http.Request) (payroll.CardChoice, error) {
	in := formInput(r)
	ch := payroll.CardChoice{All: r.PostFormValue("all") == "1"}
	ch.PersonIDs = in.Int64s("person", "所选人员")
	ch.Count = in.OptionalInt("count", "确认的人数")
	if ch.All {
		ch.PersonIDs = nil
	}
	return ch, in.Err()
}

// staffCardsActivate: ticked cards (or all issued ones) are shown for
// confirmation; confirmed, they are activated in one go.
func (s *Server) staffCardsActivate(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := payroll.MayRun(a); err != nil {
		s.fail(w, r, err)
		return
	}
	ch, err := cardChoice(r)
	if err == nil && r.PostFormValue("confirm") == "1" {
		var cards, released int
		if cards, released, err = s.Payroll.ActivateMany(r.Context(), a, ch); err == nil {
			redirect(w, r, "/staff/cards", "已登记激活社保卡 "+strconv.Itoa(cards)+" 张，解除暂停发放 "+strconv.Itoa(released)+" 笔（随下一批次发放）")
			return
		}
	}
	var list []payroll.AwaitingCard
	if err == nil {
		list, err = s.Payroll.IssuedCards(r.Context(), a, ch)
	}
	if s.formFailed(w, r, err, func(err error) { s.renderCards(w, r, err) }) {
		return
	}
	v := &cardsActivateView{Count: len(list), All: ch.All}
	for i := range list {
		v.Held += list[i].Held
		v.HeldTotal += list[i].HeldTotal
		if !ch.All {
			v.IDs = append(v.IDs, list[i].PersonID)
		}
	}
	v.Cards = list[:min(len(list), 200)]
	v.More = len(list) - len(v.Cards)
	s.render(w, r, "payroll_cards_activate", &Page{Title: "确认登记社保卡激活", Data: v})
}
