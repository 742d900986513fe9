package web

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"shebao/internal/errs"
)

func TestInputReportsEveryBadField(t *testing.T) {
	in := &input{values: url.Values{"version": {"3x"}, "slot_id": {"12"}, "minutes": {""}, "capacity": {"五"}}}
	if v := in.Version(); v != 0 {
		t.Errorf("version %d", v)
	}
	if n := in.Int64("slot_id", "预约时段"); n != 12 {
		t.Errorf("slot %d", n)
	}
	if n := in.OptionalInt("minutes", "分钟数"); n != 0 {
		t.Errorf("minutes %d", n)
	}
	in.OptionalInt("capacity", "可预约人数")
	e := errs.As(in.Err())
	if e == nil || e.Kind != errs.Invalid {
		t.Fatalf("err %v", in.Err())
	}
	if len(e.Fields) != 2 || e.Fields[0].Field != "version" || e.Fields[1].Field != "capacity" {
		t.Fatalf("fields %+v", e.Fields)
	}
	if !strings.Contains(e.Message, "版本号") || !strings.Contains(e.Message, "可预约人数应为整数") {
		t.Errorf("message %q", e.Message)
	}
	if err := (&input{values: url.Values{"n": {" 7 "}}}).Err(); err != nil {
		t.Errorf("no field read, got %v", err)
	}
}

// A mistyped version is refused as invalid input naming the field, before
// any service sees it (it used to become 0 and answer "not found" or a
// conflict).
func TestBadVersionIsInvalidInput(t *testing.T) {
	ts := newEmployerTestServer(t)
	for _, v := range []string{"abc", "", "1.5"} {
		w := ts.do(coordStaff, "POST", "/staff/registrations/999/approve", url.Values{"version": {v}})
		if w.Code != 422 || !strings.Contains(w.Body.String(), "版本号缺失或不是整数") {
			t.Errorf("version %q: %d %s", v, w.Code, w.Body.String())
		}
	}
	r := httptest.NewRequest("POST", "/x", strings.NewReader("version=4"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if v, err := formVersion(r); v != 4 || err != nil {
		t.Errorf("formVersion: %d %v", v, err)
	}
}
