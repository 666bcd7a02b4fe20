package cli_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildAccord builds the accord binary once per test run.
var buildAccord = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "accord-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "accord")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/accord").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// startProcess runs `accord demo` as a separate process and returns its
// URL once it listens.
func startProcess(t *testing.T, bin, db, creds string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, "demo", "--addr", "127.0.0.1:0", "--db", db, "--credentials", creds)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	cmd.Stderr = logs
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	urlRE := regexp.MustCompile(`running at (http://\S+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := urlRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case url := <-found:
		return cmd, url
	case <-time.After(90 * time.Second):
		t.Fatal("accord demo did not start")
	}
	return nil, ""
}

// TestSIGKILLLosesNothingAcknowledged kills the server with SIGKILL while
// clients are being created and read, restarts it, and checks that every
// write it acknowledged is there, that every acknowledged read has its
// audit entry, and that the audit log verifies.
func TestSIGKILLLosesNothingAcknowledged(t *testing.T) {
	bin, err := buildAccord()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db, creds := filepath.Join(dir, "crash.db"), filepath.Join(dir, "creds.json")
	cmd, url := startProcess(t, bin, db, creds)
	var c credentials
	b, _ := os.ReadFile(creds)
	json.Unmarshal(b, &c)
	token := func(user string) string {
		for _, l := range c.Logins {
			if l.Username == user {
				return l.Token
			}
		}
		t.Fatalf("no user %s", user)
		return ""
	}
	nav := token("amina.navigator")

	var mu sync.Mutex
	var created []string
	reads := 0
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				body := fmt.Sprintf(`{"given_name":"Crash%d","family_name":"Test%d","preferred_language":"ar","gender":"not_stated"}`, w, i)
				req, _ := http.NewRequestWithContext(ctx, "POST", url+"/api/v1/clients", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+nav)
				req.Header.Set("Accord-Purpose", "COC")
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return // the server died
				}
				var cl struct {
					ID string `json:"id"`
				}
				json.NewDecoder(resp.Body).Decode(&cl)
				resp.Body.Close()
				if resp.StatusCode != 201 {
					continue
				}
				mu.Lock()
				created = append(created, cl.ID)
				mu.Unlock()
				req, _ = http.NewRequestWithContext(ctx, "GET", url+"/api/v1/clients/"+cl.ID, nil)
				req.Header.Set("Authorization", "Bearer "+nav)
				req.Header.Set("Accord-Purpose", "COC")
				if resp, err = http.DefaultClient.Do(req); err != nil {
					return
				}
				resp.Body.Close()
				if resp.StatusCode == 200 {
					mu.Lock()
					reads++
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	cancel()
	wg.Wait()
	if len(created) == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}
	t.Logf("%d clients created and %d reads acknowledged before SIGKILL", len(created), reads)

	// Restart on the same database: everything acknowledged is there.
	_, url = startProcess(t, bin, db, creds)
	for _, id := range created {
		req, _ := http.NewRequest("GET", url+"/api/v1/clients/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+nav)
		req.Header.Set("Accord-Purpose", "COC")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("acknowledged client %s: %d after restart", id, resp.StatusCode)
		}
	}
	out, err := exec.Command(bin, "audit", "verify", "--db", db).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "audit log OK") {
		t.Fatalf("verify after SIGKILL: %v\n%s", err, out)
	}
	// Each acknowledged create and read has its audit entries.
	var n int
	withRaw(t, db, func(raw *sql.DB) {
		raw.QueryRow(`SELECT count(*) FROM audit_entries WHERE CAST(leaf AS TEXT) LIKE '%"action":"client.create"%'`).Scan(&n)
	})
	if n < len(created) {
		t.Errorf("%d client.create audit entries for %d acknowledged creates", n, len(created))
	}
}

// TestEscalationsFireOnceAcrossKills: escalations fall due while the
// server is down and it is killed again while firing them; after each
// restart every one has climbed exactly one level and its next contact was
// told exactly once.
func TestEscalationsFireOnceAcrossKills(t *testing.T) {
	bin, err := buildAccord()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db, creds := filepath.Join(dir, "esc.db"), filepath.Join(dir, "creds.json")
	cmd, url := startProcess(t, bin, db, creds)
	var c credentials
	b, _ := os.ReadFile(creds)
	json.Unmarshal(b, &c)
	token := func(user string) string {
		for _, l := range c.Logins {
			if l.Username == user {
				return l.Token
			}
		}
		return ""
	}
	client := c.Scenarios[0].ClientID
	// The demo's own escalations (its history) are weeks old: count only
	// the test's.
	since := time.Now().Add(-time.Minute).UnixMicro()
	const n = 300
	for range n {
		req, _ := http.NewRequest("POST", url+"/api/v1/escalations", strings.NewReader(`{"client_id":"`+client+`","kind":"flagged","urgency":"urgent","summary":"test"}`))
		req.Header.Set("Authorization", "Bearer "+token("j.okafor"))
		req.Header.Set("Accord-Purpose", "TREAT")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 201 {
			t.Fatalf("raise: %d", resp.StatusCode)
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	// Time passes while the server is down: every clock runs out.
	withRaw(t, db, func(raw *sql.DB) {
		past := time.Now().Add(-time.Minute).UnixMicro()
		for _, q := range []string{
			`UPDATE timers SET due_at = $1 WHERE kind = 'escalation.ack' AND fired_at IS NULL`,
			`UPDATE escalations SET due_at = $1`,
		} {
			if _, err := raw.Exec(q, past); err != nil {
				t.Fatal(err)
			}
		}
	})
	// Restart, and kill it again while it fires them.
	cmd, _ = startProcess(t, bin, db, creds)
	time.Sleep(150 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	// And once more, to finish. Timers the killed process had claimed are
	// claimed again when its 30-second lease runs out: wait well beyond
	// that (the loop ends as soon as none is left).
	cmd, _ = startProcess(t, bin, db, creds)
	deadline := time.Now().Add(90 * time.Second)
	for {
		var left int
		withRaw(t, db, func(raw *sql.DB) {
			raw.QueryRow(`SELECT count(*) FROM timers WHERE kind = 'escalation.ack' AND fired_at IS NULL AND due_at < $1`, time.Now().UnixMicro()).Scan(&left)
		})
		if left == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	var notLevel1, notices, contacts int
	withRaw(t, db, func(raw *sql.DB) {
		raw.QueryRow(`SELECT count(*) FROM escalations WHERE level <> 1 AND raised_at >= $1`, since).Scan(&notLevel1)
		raw.QueryRow(`SELECT count(*) FROM notifications WHERE kind = 'escalation.escalated' AND staff_id = (SELECT staff_id FROM escalation_contacts WHERE level = 1 AND organization_id = (SELECT organization_id FROM escalations WHERE raised_at >= $1 LIMIT 1))`, since).Scan(&notices)
		raw.QueryRow(`SELECT count(*) FROM escalations WHERE raised_at >= $1`, since).Scan(&contacts)
	})
	if contacts != n || notLevel1 != 0 || notices != n {
		t.Errorf("%d escalations: %d not at level 1, %d notices to the level-1 contact; want each to climb once and tell once", contacts, notLevel1, notices)
	}
	out, err := exec.Command(bin, "audit", "verify", "--db", db).CombinedOutput()
	if err != nil {
		t.Fatalf("verify: %v\n%s", err, out)
	}
}
