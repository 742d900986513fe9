package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/db"
	"shebao/internal/person"
	"shebao/internal/transfer"
)

// A step the service refuses (here: merging a transfer whose 联系函 is not
// even issued) sends the browser back to the transfer's page (303, so a
// reload does not post again) with the reason shown there once; input to
// correct (a refusal without reasons) is answered on the form as typed.
func TestRefusedTransferStepRedirects(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	ctx := t.Context()
	p, err := person.Load(ctx, env.App.DB.Read(), env.User(t, apptest.PersonA).PersonID)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := env.App.Transfers.OpenIn(ctx, env.Actor(t, apptest.Staff(access.Account)), transfer.InInput{IDNumber: p.IDNumber,
		Channel: "email", OtherAgency: "河北省石家庄市社会保险事业管理局", OtherRegion: "130100"})
	if err != nil {
		t.Fatal(err)
	}
	c := env.LoginAs(t, apptest.Staff(access.Account))
	path := "/staff/transfers/" + strconv.FormatInt(tr.ID, 10)
	v := strconv.FormatInt(tr.Version, 10)
	c.PostForm(t, path+"/step", url.Values{"action": {"merge"}, "version": {v}}).WantRedirect(t, path)
	c.Get(t, path).WantStatus(t, http.StatusOK).WantBody(t, `class="error" role="alert">该转移当前状态为“已受理，待审核”，不能办理此环节`)
	if again := c.Get(t, path).WantStatus(t, http.StatusOK); strings.Contains(again.Body, "不能办理此环节") {
		t.Fatal("the refusal is shown again on the next visit")
	}
	c.PostForm(t, path+"/step", url.Values{"action": {"refuse"}, "version": {v}, "reasons": {"无"}}).
		WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "请填写不予受理的理由", ">无</textarea>")
	if got, _ := env.App.Transfers.Get(ctx, env.Actor(t, apptest.Staff(access.Account)), tr.ID); got.Status != transfer.Applied {
		t.Fatalf("status %s after two refused steps", got.Status)
	}
}
