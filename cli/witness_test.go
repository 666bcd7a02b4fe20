package cli_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
	"github.com/accord-project/accord/cli"
	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
)

// runEnv runs the accord command in-process with an environment and clock.
func runEnv(t *testing.T, env map[string]string, now func() time.Time, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := cli.Run(context.Background(), cli.Env{Args: args, Getenv: func(k string) string { return env[k] }, Stdout: &out, Stderr: &errb, Now: now})
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

// witnessSetup is a log key, a witness of the log made with accord witness
// init, and the files a server operator would hold.
type witnessSetup struct {
	logKey  string // the log's private key, for the test servers
	keysDir string // holds log.pub, as a server's keys directory does
	state   string // the witness's state directory
	pub     string // the witness's verifier key
}

func newWitnessSetup(t *testing.T) *witnessSetup {
	t.Helper()
	skey, vkey, err := auditlog.GenerateKey("accord.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	w := &witnessSetup{logKey: skey, keysDir: t.TempDir(), state: filepath.Join(t.TempDir(), "witness")}
	if err := os.WriteFile(filepath.Join(w.keysDir, "log.pub"), []byte(vkey+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, "witness", "init", "--state", w.state, "--name", "ombudsperson.test/witness", "--log-key", filepath.Join(w.keysDir, "log.pub"))
	if code != 0 {
		t.Fatalf("accord witness init: exit %d\n%s%s", code, out, errOut)
	}
	pub, err := os.ReadFile(filepath.Join(w.state, "witness.pub"))
	if err != nil {
		t.Fatal(err)
	}
	w.pub = strings.TrimSpace(string(pub))
	if !strings.Contains(out, w.pub) {
		t.Errorf("init does not print the witness's key:\n%s", out)
	}
	if info, err := os.Stat(filepath.Join(w.state, "witness.key")); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("witness.key: %v, %v; want mode 0600", info, err)
	}
	if _, _, code := run(t, "witness", "init", "--state", w.state, "--name", "ombudsperson.test/witness", "--log-key", filepath.Join(w.keysDir, "log.pub")); code == 0 {
		t.Errorf("init replaced an existing witness key")
	}
	return w
}

// start starts a test server on dsn that signs with the setup's log key
// and trusts its witness.
func (w *witnessSetup) start(t *testing.T, dsn string) *testserver.Server {
	t.Helper()
	return testserver.Start(t, dsn, testserver.WithLogKey(w.logKey), testserver.WithWitnesses(w.pub))
}

// witness runs accord witness --once against srv.
func (w *witnessSetup) witness(t *testing.T, srv *testserver.Server) (stdout string, code int) {
	t.Helper()
	out, errOut, code := runEnv(t, map[string]string{"ACCORD_TOKEN": srv.Token("c.achebe")}, srv.Clock.Now,
		"witness", "--server", srv.URL, "--state", w.state, "--once")
	return out + errOut, code
}

// grow appends n entries to srv's log, marked with tag, and signs a
// checkpoint, returning its size.
func grow(t *testing.T, srv *testserver.Server, tag string, n int) uint64 {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		e := accord.AuditEntry{Kind: accord.AuditChange, ActorID: "system", Action: fmt.Sprintf("%s.%d", tag, i)}
		if err := srv.DB.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := srv.DB.SignCheckpoint(ctx, srv.Signer.Name(), srv.Signer); err != nil {
		t.Fatal(err)
	}
	size, err := srv.DB.AuditSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return size
}

// TestWitnessFollowsServer runs the witness against a real server twice,
// with appends in between, then checks the cosignatures with accord audit
// verify --require-witness.
func TestWitnessFollowsServer(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWitnessSetup(t)
			srv := w.start(t, e.DSN(t))
			verify := func() (string, int) {
				out, errOut, code := run(t, "audit", "verify", "--db", srv.DSN, "--keys", w.keysDir, "--require-witness", filepath.Join(w.state, "witness.pub"))
				return out + errOut, code
			}

			first := grow(t, srv, "first", 3)
			out, code := w.witness(t, srv)
			if code != 0 || !strings.Contains(out, fmt.Sprintf("at %d entries", first)) || !strings.Contains(out, "the first checkpoint") {
				t.Fatalf("first run: exit %d\n%s", code, out)
			}
			if out, code := verify(); code != 0 || !strings.Contains(out, "the latest cosigned by witness ombudsperson.test/witness") {
				t.Errorf("verify --require-witness after the first run: exit %d\n%s", code, out)
			}

			second := grow(t, srv, "second", 300)
			out, code = w.witness(t, srv)
			if code != 0 || !strings.Contains(out, fmt.Sprintf("at %d entries", second)) || !strings.Contains(out, fmt.Sprintf("consistent with the %d entries", first)) {
				t.Fatalf("second run: exit %d\n%s", code, out)
			}
			r := srv.Do(t, testserver.Request{User: "j.okafor", Method: "GET", Path: "/api/v1/audit/checkpoint"})
			if !bytes.Contains(r.Body, []byte("\n— ombudsperson.test/witness ")) || !bytes.Contains(r.Body, []byte(fmt.Sprintf("\n%d\n", second))) {
				t.Errorf("the server's latest checkpoint lacks the cosignature:\n%s", r.Body)
			}
			// Nothing new: the witness cosigns the same checkpoint again.
			if out, code := w.witness(t, srv); code != 0 || !strings.Contains(out, "again") {
				t.Errorf("third run, no new entries: exit %d\n%s", code, out)
			}
			if out, code := verify(); code != 0 {
				t.Errorf("verify --require-witness: exit %d\n%s", code, out)
			}

			// The log grows past the witness: the latest checkpoint is
			// not cosigned, and verify says which one was.
			grow(t, srv, "third", 2)
			out, code = verify()
			if code != 1 || !strings.Contains(out, fmt.Sprintf("the latest it cosigned is of %d entries", second)) {
				t.Errorf("verify --require-witness, latest not cosigned: exit %d\n%s", code, out)
			}
		})
	}
}

// TestWitnessRefusesRewrittenLog shows the witness, after it cosigned a
// server's log, another log under the same key (the log rewritten): it
// refuses it whether it is shorter (a rollback), as long (a fork) or
// longer (its consistency proof fails), and says why.
func TestWitnessRefusesRewrittenLog(t *testing.T) {
	w := newWitnessSetup(t)
	honest := w.start(t, testdb.SQLite(t))
	cosigned := grow(t, honest, "honest", 20)
	if out, code := w.witness(t, honest); code != 0 {
		t.Fatalf("witnessing the honest log: exit %d\n%s", code, out)
	}
	state, err := os.ReadFile(filepath.Join(w.state, "checkpoint"))
	if err != nil {
		t.Fatal(err)
	}

	// The same partnership, the same log key, a different history.
	forked := w.start(t, testdb.SQLite(t))
	tests := []struct {
		name   string
		grow   func() uint64
		reason string
	}{
		{"rollback", func() uint64 { return grow(t, forked, "forked", 0) }, "rollback: the log now claims"},
		{"fork at the same size", func() uint64 {
			size, _ := forked.DB.AuditSize(context.Background())
			return grow(t, forked, "forked", int(cosigned-size))
		}, "fork: the log of " + fmt.Sprint(cosigned) + " entries now has root"},
		{"longer", func() uint64 { return grow(t, forked, "more", 50) }, "inconsistent: the consistency proof does not verify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.grow()
			out, code := w.witness(t, forked)
			if code != 3 || !strings.Contains(out, "REFUSED: witness refuses the checkpoint: "+tt.reason) {
				t.Errorf("exit %d, want 3 saying %q:\n%s", code, tt.reason, out)
			}
			if now, _ := os.ReadFile(filepath.Join(w.state, "checkpoint")); !bytes.Equal(now, state) {
				t.Errorf("the refused checkpoint replaced the witness's own")
			}
			r := forked.Do(t, testserver.Request{User: "j.okafor", Method: "GET", Path: "/api/v1/audit/checkpoint"})
			if bytes.Contains(r.Body, []byte("— ombudsperson.test/witness ")) {
				t.Errorf("the forked log got a cosignature:\n%s", r.Body)
			}
		})
	}

	// The honest log goes on, and the witness with it.
	grow(t, honest, "honest-more", 5)
	if out, code := w.witness(t, honest); code != 0 || !regexp.MustCompile(`consistent with the \d+ entries`).MatchString(out) {
		t.Errorf("back on the honest log: exit %d\n%s", code, out)
	}
}
