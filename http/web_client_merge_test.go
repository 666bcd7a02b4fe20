package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
)

// TestWebClientMerge joins a second registration of a person into the
// first through the web: the page suggests the duplicate, refuses to go on
// without a choice and a confirmation or with an unknown Accord number,
// and merges; the duplicate's page is gone. Another organisation's staff
// may not merge the client.
func TestWebClientMerge(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	b := srv.Browser(t)
	b.SignIn(t, "amina.navigator")
	register := func(given, family, birth, phone string) string {
		t.Helper()
		p := b.Post(t, "/clients/new", webClientBirth(url.Values{"form_token": {b.Get(t, "/clients/new").FormToken()}, "given_name": {given},
			"family_name": {family}, "gender": {"man"}, "preferred_language": {"fa-AF"}, "phone": {phone}, "confirm_new": {"yes"}}, birth))
		id := strings.TrimPrefix(p.URL.Path, "/clients/")
		if !strings.HasPrefix(id, "cli_") {
			t.Fatalf("registering %s ended at %s: %q", given, p.URL.Path, p.Text())
		}
		return id
	}
	yusuf := register("Yusuf", "Haidari", "1979-11-02", "07700 900777")
	yousef := register("Yousef", "Heidari", "1979-02-11", "07700 900777")
	// The same man registered at the migrant support NGO: not the clinic's
	// to merge (nor, without his consent, to see), so not suggested.
	ngo := srv.Browser(t)
	ngo.SignIn(t, "omar.navigator")
	elsewhere := ngo.Post(t, "/clients/new", webClientBirth(url.Values{"form_token": {ngo.Get(t, "/clients/new").FormToken()}, "given_name": {"Yusef"},
		"family_name": {"Haydari"}, "gender": {"man"}, "preferred_language": {"fa-AF"}, "phone": {"07700 900777"}, "confirm_new": {"yes"}}, "1979-11-02"))
	ngoID := strings.TrimPrefix(elsewhere.URL.Path, "/clients/")
	if !strings.HasPrefix(ngoID, "cli_") {
		t.Fatalf("registering at the NGO ended at %s", elsewhere.URL.Path)
	}
	merge := "/clients/" + yusuf + "/merge"
	if p := b.Get(t, "/clients/"+yusuf); !strings.Contains(p.Body, `href="`+merge+`"`) {
		t.Fatal("the profile has no link to merge a duplicate")
	}
	page := b.Get(t, merge)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `value="`+yousef+`"`) || !page.Contains("likely the same person") {
		t.Fatalf("status %d; the page does not suggest the second registration %s: %q", page.Status, yousef, page.Text())
	}
	if strings.Contains(page.Body, `name="duplicate" value="`+yusuf+`"`) {
		t.Error("the page suggests merging the client into itself")
	}
	if strings.Contains(page.Body, ngoID) {
		t.Error("the page suggests another organisation's record")
	}

	refused := []struct {
		name   string
		form   url.Values
		status int
		fields []string
	}{
		{"nothing chosen, not confirmed", url.Values{}, http.StatusUnprocessableEntity, []string{"duplicate", "confirm"}},
		{"no Accord number typed", url.Values{"duplicate": {"other"}, "confirm": {"yes"}}, http.StatusUnprocessableEntity, []string{"duplicate_other"}},
		{"an unknown Accord number", url.Values{"duplicate": {"other"}, "duplicate_other": {"cli_nosuchclient"}, "confirm": {"yes"}},
			http.StatusNotFound, []string{"duplicate_other"}},
		{"into itself", url.Values{"duplicate": {"other"}, "duplicate_other": {yusuf}, "confirm": {"yes"}}, http.StatusUnprocessableEntity,
			[]string{"duplicate_other"}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("form_token", b.Get(t, merge).FormToken())
			p := b.Post(t, merge, tc.form)
			if p.Status != tc.status {
				t.Fatalf("status %d, want %d: %q", p.Status, tc.status, p.Text())
			}
			for _, f := range tc.fields {
				if !strings.Contains(p.Body, `id="f-`+f+`-error"`) {
					t.Errorf("no error beside %s", f)
				}
			}
			if p := b.Get(t, "/clients/"+yousef); p.Status != http.StatusOK {
				t.Errorf("after a refused merge the second registration's page answers %d", p.Status)
			}
		})
	}

	t.Run("another organisation may not merge", func(t *testing.T) {
		adv := srv.Browser(t)
		adv.SignIn(t, "h.morgan")
		cl := webClientScenario(t, srv, "consent-denies-clinical")
		if p := adv.Get(t, "/clients/"+cl.ID); p.Status != http.StatusOK || strings.Contains(p.Body, "/clients/"+cl.ID+"/merge") {
			t.Fatalf("set-up: the supervisor at legal aid should see the clinic's client, without a merge link: status %d", p.Status)
		}
		before := webReleasedTo(t, srv, cl.ID, "h.morgan")
		if p := adv.Get(t, "/clients/"+cl.ID+"/merge"); p.Status != http.StatusForbidden || !p.Contains("only the organisation that registered both records can merge them") {
			t.Errorf("status %d, want 403 for another organisation's client: %q", p.Status, p.Text())
		}
		if after := webReleasedTo(t, srv, cl.ID, "h.morgan"); after != before {
			t.Errorf("the refused page recorded %d releases of the client's data", after-before)
		}
	})

	p := b.Post(t, merge, url.Values{"form_token": {b.Get(t, merge).FormToken()}, "duplicate": {yousef}, "confirm": {"yes"}})
	if p.URL.Path != "/clients/"+yusuf || !p.Contains("The two records are one now.") {
		t.Fatalf("the merge ended at %s: %q", p.URL.Path, p.Text())
	}
	if p := b.Get(t, "/clients/"+yousef); p.Status != http.StatusNotFound {
		t.Errorf("the merged registration's page answers %d, want 404", p.Status)
	}
}
