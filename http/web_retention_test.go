package http_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
)

func TestWebRetention(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	t.Run("who sees the page", func(t *testing.T) {
		for _, tc := range []struct {
			user   string
			status int
			want   []string
			purge  bool
		}{
			{"p.nowak", http.StatusOK, []string{"Retention", "Nothing is past its retention period.", "No purge has run yet."}, true},
			{"r.mensah", http.StatusOK, []string{"across the partnership"}, false},
			{"c.achebe", http.StatusOK, []string{"across the partnership"}, false},
			{"i.larsen", http.StatusOK, []string{"across the partnership"}, true},
			{"j.okafor", http.StatusForbidden, []string{"You cannot open this page", "Privacy officers see their own organisation's part"}, false},
			{"n.price", http.StatusForbidden, []string{"You cannot open this page"}, false},
		} {
			t.Run(tc.user, func(t *testing.T) {
				b := srv.Browser(t)
				b.SignIn(t, tc.user)
				p := b.Get(t, "/retention")
				if p.Status != tc.status {
					t.Fatalf("status %d, want %d: %s", p.Status, tc.status, p.Text())
				}
				for _, w := range tc.want {
					if !p.Contains(w) {
						t.Errorf("the page does not say %q: %s", w, p.Text())
					}
				}
				if got := p.Contains("Start a purge now"); got != tc.purge {
					t.Errorf("offered to start a purge: %v, want %v", got, tc.purge)
				}
				if tc.status == http.StatusOK && strings.Count(p.Body, "<h1") != 1 {
					t.Error("not one h1")
				}
			})
		}
	})

	// Eight years on, the demo's clients are past the agreements' periods
	// but for what holds them.
	srv.Clock.Set(testserver.Now.AddDate(8, 0, 0))
	b := srv.Browser(t)
	b.SignIn(t, "i.larsen")
	p := b.Get(t, "/retention")
	for _, w := range []string{"What would be purged", "Erase the client", "Past retention but held back", "awaiting review", "Clients to erase"} {
		if !p.Contains(w) {
			t.Errorf("eight years on, the plan does not say %q: %s", w, p.Text())
		}
	}
	for _, c := range srv.P.Clients[:20] {
		if strings.Contains(p.Body, c.GivenName+" "+c.FamilyName) {
			t.Fatalf("the plan shows a client's name")
		}
	}
	token := p.FormToken()
	started := b.Post(t, "/retention", url.Values{"form_token": {token}})
	if started.Status != http.StatusOK || !started.Contains("The purge has started") {
		t.Fatalf("starting the purge: %d %s", started.Status, started.Text())
	}
	again := b.Post(t, "/retention", url.Values{"form_token": {token}})
	if !again.Contains("already") {
		t.Errorf("the same form sent twice: %s", again.Text())
	}
	run, err := enforce.NewRetentionWorker(srv.DB).Work(context.Background())
	if err != nil || run == nil || run.Done == 0 {
		t.Fatalf("working the run = %+v, %v", run, err)
	}
	p = b.Get(t, "/retention")
	if !p.Contains("Finished") || !p.Contains("Ingrid Larsen") {
		t.Errorf("the finished run is not listed with who started it: %s", p.Text())
	}
	if p.Contains("Erase the client") {
		t.Errorf("after the purge, clients are still due: %s", p.Text())
	}
}
