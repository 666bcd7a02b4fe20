package cli_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/cli"
	"github.com/accord-project/accord/demo"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/indicator"
	"github.com/accord-project/accord/internal/demodb"
	"github.com/accord-project/accord/sqlstore"
)

// reportNow is the demo's today in these tests: 2026-Q3 is its last full
// quarter.
var reportNow = demodb.Now

// runAt runs the accord command in-process with the clock at now.
func runAt(t *testing.T, now time.Time, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := cli.Run(context.Background(), cli.Env{Args: args, Getenv: func(string) string { return "" }, Stdout: &out, Stderr: &errb,
		Now: func() time.Time { return now }})
	if err != nil {
		code = 1
		var ee *cli.ExitError
		if errors.As(err, &ee) {
			code = ee.Code
		}
		fmt.Fprintln(&errb, err)
	}
	return out.String(), errb.String(), code
}

// demoDB loads the demo partnership into a fresh SQLite file and returns
// its path, the open database and the use cases on it.
func demoDB(t *testing.T) (string, *sqlstore.DB, *enforce.Service) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.db")
	clock := func() time.Time { return reportNow }
	_, keyring := demodb.SQLite(t, path)
	db, err := sqlstore.Open(ctx, path, sqlstore.Options{Keyring: keyring, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	_, key, _ := ed25519.GenerateKey(nil)
	svc, err := enforce.New(ctx, enforce.Config{DB: db, Now: clock, Receipts: enforce.NewReceiptSigner(key, "", "")})
	if err != nil {
		t.Fatal(err)
	}
	return path, db, svc
}

// TestReportBuild builds the demo's report for 2026-Q3 as a preview, then
// again once it is published: the JSON is the release, the CSV its
// figures, one standalone page per language, and a progress bar on stderr.
func TestReportBuild(t *testing.T) {
	path, db, svc := demoDB(t)
	out := filepath.Join(t.TempDir(), "report")
	stdout, stderr, code := runAt(t, reportNow, "report", "build", "--db", path, "--period", "2026-Q3", "--out", out, "--lang", "en,ar")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "reading facts [") || !strings.Contains(stderr, "100%") {
		t.Errorf("no progress bar on stderr: %q", stderr)
	}
	if !strings.Contains(stdout, "report for 2026-Q3") || !strings.Contains(stdout, "preview, not published") {
		t.Errorf("stdout: %s", stdout)
	}
	var rel indicator.Release
	b, err := os.ReadFile(filepath.Join(out, "release.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rel); err != nil {
		t.Fatal(err)
	}
	if rel.Period != "2026-Q3" || rel.Profile.Name != "standard" || len(rel.Indicators) != len(indicator.Default()) {
		t.Errorf("release.json: period %s, profile %s, %d indicators", rel.Period, rel.Profile.Name, len(rel.Indicators))
	}
	f, err := os.Open(filepath.Join(out, "release.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) < 2 || strings.Join(rows[0], ",") != strings.Join(indicator.CSVHeader, ",") {
		t.Fatalf("release.csv: %d rows, %v", len(rows), err)
	}
	for _, row := range rows[1:] {
		if strings.HasPrefix(row[4], "org_") {
			t.Errorf("the CSV names an organisation by its id: %v", row)
			break
		}
	}
	for _, tc := range []struct{ lang, dir, preview string }{
		{"en", "ltr", "Preview: this report is not published."},
		{"ar", "rtl", ""},
	} {
		page, err := os.ReadFile(filepath.Join(out, "report-"+tc.lang+".html"))
		if err != nil {
			t.Fatal(err)
		}
		html := string(page)
		if !strings.Contains(html, `<html lang="`+tc.lang+`" dir="`+tc.dir+`">`) || !strings.Contains(html, "<style>") || strings.Contains(html, `<link rel="stylesheet"`) {
			t.Errorf("report-%s.html is not a standalone %s page: %.300s", tc.lang, tc.dir, html)
		}
		if tc.preview != "" && !strings.Contains(html, tc.preview) {
			t.Errorf("report-%s.html does not say it is a preview", tc.lang)
		}
		if !strings.Contains(html, "✱") {
			t.Errorf("report-%s.html shows no suppressed figure", tc.lang)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "report-fr.html")); err == nil {
		t.Error("a French page was written though not asked for")
	}

	t.Run("bad input", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"--period", "2026-Q4"}, "--period: 2026-Q4 has not ended yet"},
			{[]string{"--period", "2026-Q5"}, "not a quarter"},
			{[]string{"--period", "2026-Q3", "--lang", "de"}, `"de" is not one of`},
			{[]string{"--period", "2026-Q3", "--profile", "round7"}, "--profile"},
			{[]string{"--period", "2026-Q3", "--profile", "dp"}, "--epsilon: epsilon must be a number from 0.1 to 20"},
			{[]string{"--period", "2026-Q3", "--profile", "dp", "--epsilon", "99"}, "--epsilon"},
			{[]string{"--period", "2026-Q3", "--epsilon", "1"}, "--epsilon: epsilon is for the differential privacy profile"},
		} {
			args := append([]string{"report", "build", "--db", path, "--out", t.TempDir()}, tc.args...)
			_, stderr, code := runAt(t, reportNow, args...)
			if code == 0 || !strings.Contains(stderr, tc.want) {
				t.Errorf("%v: exit %d, stderr %q; want it to say %q", tc.args, code, stderr, tc.want)
			}
		}
		if _, _, code := runAt(t, reportNow, "report", "build", "--db", path); code != 2 {
			t.Errorf("without --out: exit %d, want 2", code)
		}
	})

	t.Run("differential privacy", func(t *testing.T) {
		out := t.TempDir()
		stdout, stderr, code := runAt(t, reportNow, "report", "build", "--db", path, "--period", "2026-Q3", "--out", out, "--lang", "en", "--profile", "dp", "--epsilon", "2")
		if code != 0 || !strings.Contains(stdout, "(dp profile, epsilon 2 over 33 noisy tables; preview, not published)") {
			t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
		}
		var rel indicator.Release
		b, _ := os.ReadFile(filepath.Join(out, "release.json"))
		if err := json.Unmarshal(b, &rel); err != nil || rel.Profile.Epsilon != 2 || rel.Indicators[1].Overall.NumCI == nil {
			t.Errorf("release.json: %v, profile %+v", err, rel.Profile)
		}
		page, _ := os.ReadFile(filepath.Join(out, "report-en.html"))
		if !strings.Contains(string(page), "This report also uses differential privacy.") || !strings.Contains(string(page), `<span class="ci">(`) {
			t.Error("the page does not explain differential privacy or show intervals")
		}
	})

	t.Run("published", func(t *testing.T) {
		ctx := context.Background()
		over := caller(t, db, "c.achebe")
		admin := caller(t, db, "r.mensah")
		prev, err := svc.PreviewRelease(ctx, admin, accord.Period{Year: 2026, Quarter: 3}, enforce.ReleaseOptions{Profile: "standard"})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range prev.Missing {
			if err := svc.SaveActionPlan(ctx, admin, &accord.ActionPlan{IndicatorID: m.ID, Period: "2026-Q3", Owner: "Coordination group",
				Actions: "Review monthly.", Deadline: reportNow.AddDate(0, 3, 0)}); err != nil {
				t.Fatal(err)
			}
		}
		pub, err := svc.PublishRelease(ctx, over, accord.Period{Year: 2026, Quarter: 3}, enforce.ReleaseOptions{Profile: "standard"})
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "published")
		stdout, stderr, code := runAt(t, reportNow, "report", "build", "--db", path, "--period", "2026-Q3", "--out", out, "--lang", "en")
		if code != 0 || !strings.Contains(stdout, "published 2026-11-22") {
			t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
		}
		b, _ := os.ReadFile(filepath.Join(out, "release.json"))
		if string(bytes.TrimSpace(b)) != string(pub.Published.Content) {
			t.Error("release.json is not the release as published")
		}
		page, _ := os.ReadFile(filepath.Join(out, "report-en.html"))
		if strings.Contains(string(page), "Preview") || !strings.Contains(string(page), "Published on 22 November 2026") {
			t.Error("the page of a published report does not say when it was published")
		}
	})
}

func caller(t *testing.T, db *sqlstore.DB, username string) *enforce.Caller {
	t.Helper()
	p, err := demo.Generate(demo.Options{Seed: 1, Now: reportNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range p.Staff {
		if l.Username == username {
			org, err := db.FindOrganization(context.Background(), l.OrganizationID)
			if err != nil {
				t.Fatal(err)
			}
			return &enforce.Caller{Principal: &sqlstore.Principal{Staff: l.Staff, Organization: *org}}
		}
	}
	t.Fatalf("no demo user %s", username)
	return nil
}

// TestDemoPublishesReport: accord demo publishes the public report of the
// last full quarter, with an action plan for each indicator it shows below
// target, and prints its address.
func TestDemoPublishesReport(t *testing.T) {
	s := startDemo(t, filepath.Join(t.TempDir(), "demo.db"))
	path := "/report/" + accord.PeriodOf(time.Now()).Prev().String()
	if !strings.Contains(s.out.String(), s.url+path) {
		t.Fatalf("the demo banner does not print the public report's address %s:\n%s", path, s.out.String())
	}
	resp, err := http.Get(s.url + path)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Public report") {
		t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	// Every indicator shown below target has its plan in the report.
	below := strings.Count(string(body), `<span class="badge bad">Below target</span>`)
	plans := strings.Count(string(body), `<article class="plan"`)
	if below == 0 {
		t.Error("the demo's report shows no indicator below target; the demo history makes one miss (interpreter provided)")
	}
	if plans < below/2 { // each is badged in the summary and in its section
		t.Errorf("%d indicators below target, %d action plans", below/2, plans)
	}
	t.Logf("%d indicators shown below target, %d action plans", below/2, plans)
}
