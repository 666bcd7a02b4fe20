package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/accord-project/accord/auditlog"
	"github.com/accord-project/accord/cli"
)

// run runs the accord command in-process and returns its output and exit code.
func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := cli.Run(context.Background(), cli.Env{Args: args, Getenv: func(string) string { return "" }, Stdout: &out, Stderr: &errb})
	code = 0
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

// demoServer runs `accord demo` in-process until the test ends.
type demoServer struct {
	url   string
	db    string
	creds credentials
	stop  func()
	out   *syncBuffer
}

type credentials struct {
	Logins []struct {
		Username string `json:"username"`
		Token    string `json:"token"`
		Password string `json:"password"`
	} `json:"logins"`
	Scenarios []struct {
		ID       string `json:"id"`
		ClientID string `json:"client_id"`
		Calls    []struct {
			Username string `json:"username"`
			Method   string `json:"method"`
			Path     string `json:"path"`
			Purpose  string `json:"purpose"`
			Body     string `json:"body"`
		} `json:"calls"`
	} `json:"scenarios"`
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func startDemo(t *testing.T, db string) *demoServer {
	t.Helper()
	credFile := filepath.Join(t.TempDir(), "creds.json")
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	out, errb := &syncBuffer{}, &syncBuffer{}
	go func() {
		done <- cli.Run(ctx, cli.Env{Args: []string{"demo", "--addr", "127.0.0.1:0", "--db", db, "--credentials", credFile},
			Getenv: func(string) string { return "" }, Stdout: out, Stderr: errb, Ready: func(url string) { ready <- url }})
	}()
	s := &demoServer{db: db, out: out}
	select {
	case s.url = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("accord demo exited: %v\n%s", err, errb.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("accord demo did not start within 60 s")
	}
	stopped := false
	s.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("accord demo: %v", err)
		}
	}
	t.Cleanup(s.stop)
	b, err := os.ReadFile(credFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &s.creds); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *demoServer) token(user string) string {
	for _, l := range s.creds.Logins {
		if l.Username == user {
			return l.Token
		}
	}
	panic("no user " + user)
}

func (s *demoServer) call(t *testing.T, user, method, path, purpose, body string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+s.token(user))
	if purpose != "" {
		req.Header.Set("Accord-Purpose", purpose)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestNewcomerWalkthrough is the "done means", end to end through
// the accord command: run the demo, read a client as the clinic, be
// refused the same read as the police with a reason, revoke a consent and
// see the next cross-organisation read refused, download the access
// report, verify the audit log green, then edit one audit row by hand and
// see verify fail naming that entry.
func TestNewcomerWalkthrough(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	s := startDemo(t, db)
	if !strings.Contains(s.out.String(), s.url) || !strings.Contains(s.out.String(), "j.okafor") {
		t.Errorf("the demo banner does not print the URL and logins:\n%s", s.out.String())
	}
	// The ombudsperson's witness cosigned the latest checkpoint at start,
	// and cosigns again from the command line, as the banner says.
	if !strings.Contains(s.out.String(), "The ombudsperson's witness (ombudsperson.example.org/witness) has cosigned the latest checkpoint") {
		t.Errorf("the demo banner does not say the witness cosigned:\n%s", s.out.String())
	}
	if out, errOut, code := runEnv(t, map[string]string{"ACCORD_TOKEN": s.token("c.achebe")}, nil,
		"witness", "--server", s.url, "--state", db+".witness", "--once"); code != 0 || !strings.Contains(out, "cosigned accord.local/demo-audit") {
		t.Errorf("accord witness against the demo: exit %d\n%s%s", code, out, errOut)
	}
	var x, revoked string
	for _, sc := range s.creds.Scenarios {
		switch sc.ID {
		case "advocate-reads-clinical-summary":
			x = sc.ClientID
		case "consent-revoked":
			revoked = sc.ClientID
		}
	}
	if code, _ := s.call(t, "j.okafor", "GET", "/api/v1/clients/"+x, "TREAT", ""); code != 200 {
		t.Fatalf("clinic read: %d", code)
	}
	code, body := s.call(t, "t.reid", "GET", "/api/v1/clients/"+x+"/records?category=clinical_summary", "HLEGAL", "")
	if code != 403 || !strings.Contains(fmt.Sprint(body), "reason:firewall") {
		t.Errorf("police read of the clinical summary: %d %v; want it refused by the firewall", code, body)
	}
	code, body = s.call(t, "t.reid", "GET", "/api/v1/clients/"+x, "HLEGAL", "")
	if code != 403 || !strings.Contains(fmt.Sprint(body), "Not shared") {
		t.Errorf("police read of the client: %d %v; want 403 with a reason", code, body)
	}

	// Revocation: the advocate's read works, the consent is revoked, the next read is refused.
	path := "/api/v1/clients/" + revoked + "/records?category=clinical_summary"
	if _, body := s.call(t, "d.osei", "GET", path, "LEGALAID", ""); len(body["shared"].([]any)) == 0 {
		t.Fatalf("before revocation the advocate sees nothing: %v", body)
	}
	_, consents := s.call(t, "amina.navigator", "GET", "/api/v1/clients/"+revoked+"/consents", "PATRQT", "")
	for _, c := range consents["consents"].([]any) {
		c := c.(map[string]any)
		if c["status"] == "active" {
			if code, b := s.call(t, "amina.navigator", "POST", "/api/v1/consents/"+c["id"].(string)+"/revoke", "PATRQT", `{"reason":"client's request"}`); code != 200 {
				t.Fatalf("revoke: %d %v", code, b)
			}
		}
	}
	// Without the consent the advocate may not see the client at all: the
	// read is refused, for no consent, naming no organisation.
	if code, body := s.call(t, "d.osei", "GET", path, "LEGALAID", ""); code != 403 || !strings.Contains(fmt.Sprint(body), "reason:no_consent") {
		t.Errorf("after revocation: %d %v; want 403 for no consent", code, body)
	}
	code, report := s.call(t, "p.nowak", "GET", "/api/v1/clients/"+x+"/access-report", "PATRQT", "")
	entries, _ := report["entries"].([]any)
	if code != 200 || !strings.Contains(fmt.Sprint(entries), "t.reid") && !strings.Contains(fmt.Sprint(entries), "firewall") {
		t.Errorf("access report: %d, %d entries; want the police refusal in it", code, len(entries))
	}
	s.stop()

	out, errOut, code := run(t, "audit", "verify", "--db", db)
	if code != 0 || !strings.Contains(out, "audit log OK") {
		t.Fatalf("verify on an untouched log: exit %d\n%s%s", code, out, errOut)
	}
	// The key given on the command line, as a file or as the key itself;
	// another log's key is refused.
	pub := db + ".keys/log.pub"
	key, err := os.ReadFile(pub)
	if err != nil {
		t.Fatal(err)
	}
	_, otherKey, err := auditlog.GenerateKey("other.example/audit")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, key string
		ok        bool
	}{{"key file", pub, true}, {"key", strings.TrimSpace(string(key)), true}, {"another log's key", otherKey, false}} {
		out, errOut, code := run(t, "audit", "verify", "--db", db, "--key", tc.key)
		if ok := code == 0 && strings.Contains(out, "audit log OK"); ok != tc.ok {
			t.Errorf("verify --key (%s): exit %d\n%s%s", tc.name, code, out, errOut)
		}
	}

	// Each way of tampering, on its own copy of the database: verify must
	// fail and name the first entry that no longer matches.
	var size int64
	withRaw(t, db, func(raw *sql.DB) { raw.QueryRow(`SELECT size FROM audit_head`).Scan(&size) })
	var firstDeny int64
	withRaw(t, db, func(raw *sql.DB) {
		raw.QueryRow(`SELECT min(idx) FROM audit_entries WHERE CAST(leaf AS TEXT) LIKE '%"effect":"deny"%'`).Scan(&firstDeny)
	})
	// Two neighbouring entries that differ (identical ones swap unnoticed).
	swap := size / 3
	withRaw(t, db, func(raw *sql.DB) {
		raw.QueryRow(`SELECT min(a.idx) FROM audit_entries a JOIN audit_entries b ON b.idx = a.idx + 1 WHERE a.idx >= $1 AND a.leaf <> b.leaf`, size/3).Scan(&swap)
	})
	tests := []struct {
		name   string
		tamper string
		args   []any
		want   int64
	}{
		{"deny edited into permit", `UPDATE audit_entries SET leaf = CAST(replace(CAST(leaf AS TEXT), '"effect":"deny"', '"effect":"permit"') AS BLOB) WHERE idx = $1`, []any{firstDeny}, firstDeny},
		{"entry removed", `DELETE FROM audit_entries WHERE idx = $1`, []any{size / 2}, size / 2},
		{"entries reordered", `UPDATE audit_entries SET leaf = CASE idx WHEN $1 THEN (SELECT leaf FROM audit_entries WHERE idx = $2) ELSE (SELECT leaf FROM audit_entries WHERE idx = $1) END WHERE idx IN ($1, $2)`, []any{swap, swap + 1}, swap},
		{"entry inserted at the end", `INSERT INTO audit_entries (idx, time, kind, actor_id, client_id, leaf) SELECT $1, time, kind, actor_id, client_id, leaf FROM audit_entries WHERE idx = 0`, []any{size}, size},
		{"entry hidden from a client's access report", `UPDATE audit_entries SET client_id = '' WHERE idx = $1`, []any{firstDeny}, firstDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cp := filepath.Join(t.TempDir(), "copy.db")
			data, err := os.ReadFile(db)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(cp, data, 0o600); err != nil {
				t.Fatal(err)
			}
			copyDir(t, db+".keys", cp+".keys")
			withRaw(t, cp, func(raw *sql.DB) {
				if _, err := raw.Exec(tt.tamper, tt.args...); err != nil {
					t.Fatal(err)
				}
			})
			out, _, code := run(t, "audit", "verify", "--db", cp)
			if code != 1 || !regexp.MustCompile(fmt.Sprintf(`entry %d\b`, tt.want)).MatchString(out) {
				t.Errorf("verify: exit %d, want 1 naming entry %d:\n%s", code, tt.want, out)
			}
		})
	}
}

func withRaw(t *testing.T, db string, f func(*sql.DB)) {
	t.Helper()
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	f(raw)
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o700); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
