package http_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
	"github.com/accord-project/accord/sqlstore"
)

// TestWebClientEdit changes a client's details through the form: it opens
// filled in, a change is saved and shown, a change made from an old copy
// of the form is refused without overwriting the newer one, bad input is
// explained by its field, and staff of another organisation may not change
// a client they can see.
func TestWebClientEdit(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	b := srv.Browser(t)
	b.SignIn(t, "amina.navigator")
	reg := webClientBirth(url.Values{"form_token": {b.Get(t, "/clients/new").FormToken()}, "given_name": {"Zebulon"}, "family_name": {"Quartermaine"},
		"gender": {"man"}, "preferred_language": {"uk"}, "second_language": {"ru"}, "interpreter_needed": {"yes"}, "phone": {"07700 900123"},
		"address": {"12 Canal Row"}, "confirm_new": {"yes"}}, "1990-04-12")
	profile := b.Post(t, "/clients/new", reg)
	id := strings.TrimPrefix(profile.URL.Path, "/clients/")
	if !strings.HasPrefix(id, "cli_") {
		t.Fatalf("registration ended at %s", profile.URL.Path)
	}
	edit := "/clients/" + id + "/edit"
	if !strings.Contains(profile.Body, `href="`+edit+`"`) {
		t.Fatal("the registering organisation's profile has no link to change the details")
	}

	form := b.Get(t, edit)
	if form.Status != http.StatusOK {
		t.Fatalf("status %d: %q", form.Status, form.Text())
	}
	for _, want := range []string{`value="Zebulon"`, `value="Quartermaine"`, `value="12"`, `value="4"`, `value="1990"`, `value="07700 900123"`,
		`<option value="uk" selected>`, `<option value="ru" selected>`, `id="f-interpreter_needed" name="interpreter_needed" value="yes" checked`,
		`value="man" checked`, `name="version" value="1"`} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("the form is not filled in with %s", want)
		}
	}
	values := func(token, version, phone string) url.Values {
		v := webClientBirth(url.Values{"form_token": {token}, "version": {version}, "given_name": {"Zebulon"}, "family_name": {"Quartermaine"},
			"gender": {"man"}, "preferred_language": {"uk"}, "second_language": {"ru"}, "phone": {phone}, "address": {"12 Canal Row"}}, "1990-04-12")
		return v
	}

	t.Run("a change is saved and shown", func(t *testing.T) {
		p := b.Post(t, edit, values(form.FormToken(), "1", "07700 900999"))
		if p.URL.Path != "/clients/"+id || !p.Contains("The client's details are saved.") {
			t.Fatalf("ended at %s: %q", p.URL.Path, p.Text())
		}
		if !p.Contains("07700 900999") || p.Contains("07700 900123") {
			t.Error("the profile does not show the new phone only")
		}
		if p.Contains("needs an interpreter") {
			t.Error("the interpreter need, unticked, is still shown")
		}
	})

	t.Run("a change from an old copy of the form is refused", func(t *testing.T) {
		p := b.Post(t, edit, values(b.Get(t, edit).FormToken(), "1", "07700 900555"))
		if p.Status != http.StatusPreconditionFailed || !p.Contains("changed by someone else") {
			t.Fatalf("status %d: %q", p.Status, p.Text())
		}
		if !strings.Contains(p.Body, `value="07700 900555"`) {
			t.Error("the typed values are not kept")
		}
		if after := b.Get(t, "/clients/"+id); !after.Contains("07700 900999") || after.Contains("07700 900555") {
			t.Error("the refused change overwrote the newer one")
		}
	})

	t.Run("bad input is explained by its field and changes nothing", func(t *testing.T) {
		v := values(b.Get(t, edit).FormToken(), "2", "07700 900777")
		v.Set("birth_year", "19x0")
		v.Set("given_name", "")
		p := b.Post(t, edit, v)
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", p.Status)
		}
		for _, field := range []string{"given_name", "birth_date"} {
			if !strings.Contains(p.Body, `id="f-`+field+`-error"`) {
				t.Errorf("no error beside %s", field)
			}
		}
		if after := b.Get(t, "/clients/"+id); !after.Contains("07700 900999") {
			t.Error("the refused change changed the client")
		}
	})

	t.Run("another organisation may not change the client", func(t *testing.T) {
		cl := webClientScenario(t, srv, "consent-denies-clinical")
		adv := srv.Browser(t)
		adv.SignIn(t, "f.rahimi")
		if p := adv.Get(t, "/clients/"+cl.ID); p.Status != http.StatusOK || strings.Contains(p.Body, "/clients/"+cl.ID+"/edit") {
			t.Errorf("status %d; the profile links to changing the details of another organisation's client", p.Status)
		}
		// The refusals show nothing, so the client's access report must not
		// say that legal aid saw anything more.
		released := func() int { return webReleasedTo(t, srv, cl.ID, "f.rahimi") }
		token := adv.Get(t, "/clients/"+cl.ID).FormToken()
		before := released()
		if p := adv.Get(t, "/clients/"+cl.ID+"/edit"); p.Status != http.StatusForbidden {
			t.Errorf("the form: status %d, want 403", p.Status)
		}
		p := adv.Post(t, "/clients/"+cl.ID+"/edit", values(token, "1", "07700 900000"))
		if p.Status != http.StatusForbidden {
			t.Errorf("the change: status %d, want 403: %q", p.Status, p.Text())
		}
		if after := released(); after != before {
			t.Errorf("the refused form and change recorded %d releases of the client's data to the advocate", after-before)
		}
	})
}

// webReleasedTo counts the audit entries recording that the client's data
// was released to the staff member with the given username.
func webReleasedTo(t *testing.T, srv *testserver.Server, clientID, username string) int {
	t.Helper()
	var id string
	for _, s := range srv.P.Staff {
		if s.Username == username {
			id = s.ID
		}
	}
	entries, err := srv.DB.AuditEntries(context.Background(), sqlstore.AuditFilter{ClientID: clientID, After: -1, Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.ActorID == id && e.Released {
			n++
		}
	}
	return n
}
