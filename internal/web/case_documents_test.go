package web_test

import (
	"bytes"
	"net/http"
	"regexp"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/casework"
	"shebao/internal/db"
)

// TestCaseDocumentsNamedNotNumbered: a case page lists its documents by
// kind, file name and upload time, never by the document's number.
func TestCaseDocumentsNamedNotNumbered(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	ctx := t.Context()
	clerk := env.Actor(t, apptest.Staff(access.Account))
	doc, err := env.App.Documents.PutTyped(ctx, clerk, "转入申请表.pdf", "application/pdf", bytes.NewReader([]byte("%PDF-1.4 test")))
	if err != nil {
		t.Fatal(err)
	}
	c, err := env.App.Cases.Open(ctx, clerk, casework.OpenInput{Type: "account_statement", Channel: "email", Title: "账户清单",
		Applicant: casework.Applicant{Kind: casework.ApplicantAnonymous, Name: "来件人"},
		Documents: []casework.DocumentLink{{DocumentID: doc.ID, Item: ""}}})
	if err != nil {
		t.Fatal(err)
	}
	body := env.LoginAs(t, apptest.Staff(access.Account)).Get(t, "/staff/cases/"+c.No).WantStatus(t, http.StatusOK).
		WantBody(t, "其他材料：转入申请表.pdf", "上传）").Body
	if m := regexp.MustCompile(`#[0-9]+`).FindString(body); m != "" {
		t.Errorf("the case page shows the document number %s", m)
	}
}
