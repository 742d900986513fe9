package web

import (
	"net/http"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/errs"
	"shebao/internal/person"
)

// personRoutes: the person portal (个人首页), its JSON twin, and the staff
// look-up of a person by ID number.
func (s *Server) personRoutes() []route {
	return []route{
		{"GET /person", s.personHome},
		{"GET /api/v1/person", s.apiPersonProfile},
		{"GET /staff/persons", s.staffPersonLookup},
		{"GET /staff/persons/{id}", s.staffPerson},
		{"GET /api/v1/persons/{id}", s.apiStaffPerson},
	}
}

// personView is the data of the person pages. FullID says whether the
// viewer may see the whole ID and phone numbers (only the person).
type personView struct {
	*person.Profile
	FullID bool
}

// IDShown is the ID number as this viewer may see it.
func (v personView) IDShown() string {
	if v.FullID {
		return v.Person.IDNumber
	}
	return v.Person.Masked().IDNumber
}

// PhoneShown is the phone number as this viewer may see it.
func (v personView) PhoneShown() string {
	if v.FullID {
		return v.Person.Phone
	}
	return v.Person.Masked().Phone
}

// ownPersonID returns the person id of a logged-in insured person.
func ownPersonID(a *access.Actor) (int64, error) {
	if a == nil {
		return 0, errs.LoginRequired()
	}
	if a.Role != access.RolePerson || a.PersonID == 0 {
		return 0, errs.New(errs.Forbidden, "person_only", "个人首页仅供参保人本人使用，请用公民身份号码登录")
	}
	return a.PersonID, nil
}

func (s *Server) personHome(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, err := ownPersonID(a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pr, err := s.Persons.Profile(r.Context(), a, id)
	s.renderOrFail(w, r, "person_home", &Page{Title: "个人首页", Data: personView{Profile: pr, FullID: true}}, err)
}

func (s *Server) apiPersonProfile(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, err := ownPersonID(a)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	pr, err := s.Persons.Profile(r.Context(), a, id)
	s.apiReply(w, r, http.StatusOK, pr, err)
}

// staffPersonLookup finds a person by ID number (?id_number=) and shows the
// record; without a number it shows the search form.
func (s *Server) staffPersonLookup(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if !a.IsStaff() {
		s.fail(w, r, staffOnly(a))
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("id_number"))
	p := &Page{Title: "参保人员查询", Form: r.URL.Query()}
	if q == "" {
		s.render(w, r, "person_lookup", p)
		return
	}
	found, err := s.Persons.ByIDNumber(r.Context(), a, q)
	if err != nil {
		s.renderForm(w, r, "person_lookup", p, err)
		return
	}
	http.Redirect(w, r, "/staff/persons/"+strconv.FormatInt(found.ID, 10), http.StatusSeeOther)
}

func (s *Server) staffPerson(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	pr, err := s.staffProfile(r, a)
	s.renderOrFail(w, r, "person_home", &Page{Title: "参保人员信息", Data: personView{Profile: pr}}, err)
}

func (s *Server) apiStaffPerson(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	pr, err := s.staffProfile(r, a)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	masked := pr.Person.Masked()
	pr.Person = &masked
	s.writeJSON(w, http.StatusOK, pr)
}

// staffProfile loads the profile of the person in the URL for a staff actor.
func (s *Server) staffProfile(r *http.Request, a *access.Actor) (*person.Profile, error) {
	if !a.IsStaff() {
		return nil, staffOnly(a)
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, errs.NotFoundf("未找到该参保人员")
	}
	return s.Persons.Profile(r.Context(), a, id)
}

func staffOnly(a *access.Actor) error {
	if a == nil {
		return errs.LoginRequired()
	}
	return errs.Forbid()
}
