// Package testserver starts a real Accord server for tests: the demo
// partnership loaded into a fresh database (SQLite, or PostgreSQL when
// configured), the enforcement point, and the HTTP API on a loopback port.
package testserver

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
	"github.com/accord-project/accord/demo"
	"github.com/accord-project/accord/enforce"
	accordhttp "github.com/accord-project/accord/http"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/internal/demodb"
	"github.com/accord-project/accord/sealing"
	"github.com/accord-project/accord/sqlstore"
)

// Now is the demo's "today" in tests.
var Now = demodb.Now

// Server is a running test server.
type Server struct {
	URL     string
	DSN     string
	DB      *sqlstore.DB
	Service *enforce.Service
	P       *demo.Partnership
	// Clock is the server's time; tests may move it.
	Clock *Clock
	// Signer signs the audit log's checkpoints; Verifier checks them.
	// LogKey is the signer's private key, to start a server that signs
	// another log under the same key (a fork, see WithLogKey).
	Signer   note.Signer
	Verifier note.Verifier
	LogKey   string
	LogPub   string // the verifier key, as log.pub holds it
	// Witness is a witness key the server trusts ("witness.test/oversight").
	Witness *auditlog.WitnessKey
	tokens  map[string]string
}

// Option configures a test server.
type Option func(*options)

type options struct {
	logKey    string
	witnesses []string
}

// WithLogKey has the server sign its audit log's checkpoints with skey (a
// note signer key, as Server.LogKey) instead of a key of its own.
func WithLogKey(skey string) Option { return func(o *options) { o.logKey = skey } }

// WithWitnesses has the server trust the witnesses of the cosignature
// verifier keys vkeys, besides Server.Witness.
func WithWitnesses(vkeys ...string) Option {
	return func(o *options) { o.witnesses = append(o.witnesses, vkeys...) }
}

// Clock is a settable clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set moves the clock.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// Start starts a server on a fresh database named by dsn, holding the demo
// partnership (on SQLite a copy of one loaded once, see demodb).
func Start(t testing.TB, dsn string, opts ...Option) *Server {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	ctx := context.Background()
	clock := &Clock{t: Now}
	var p *demo.Partnership
	var keyring *sealing.Keyring
	if sqlstore.IsPostgresDSN(dsn) {
		keyring = sealing.GenerateKeyring() // loaded below
	} else {
		p, keyring = demodb.SQLite(t, dsn)
	}
	db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Keyring: keyring, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if p == nil {
		if p, err = demodb.Load(ctx, db); err != nil {
			t.Fatal(err)
		}
	}
	_, key, _ := ed25519.GenerateKey(nil)
	svc, err := enforce.New(ctx, enforce.Config{DB: db, Now: clock.Now, Receipts: enforce.NewReceiptSigner(key, "GB", "")})
	if err != nil {
		t.Fatal(err)
	}
	// The audit log's signing key, as accord serve has (tests sign
	// checkpoints with Signer when they need one).
	skey := o.logKey
	if skey == "" {
		if skey, _, err = auditlog.GenerateKey("accord.test/audit"); err != nil {
			t.Fatal(err)
		}
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	// The verifier key of a signer key: the same fields, the public key.
	vkey := verifierKey(t, skey)
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	wkey, wvkey, err := auditlog.GenerateWitnessKey("witness.test/oversight")
	if err != nil {
		t.Fatal(err)
	}
	witness, err := auditlog.ParseWitnessKey(wkey)
	if err != nil {
		t.Fatal(err)
	}
	witnesses, err := auditlog.ParseWitnessVerifiers([]byte(strings.Join(append([]string{wvkey}, o.witnesses...), "\n")))
	if err != nil {
		t.Fatal(err)
	}
	srv := accordhttp.New(accordhttp.Config{Service: svc, DB: db, Catalogue: i18n.MustLoad(), Now: clock.Now, Version: "test",
		AuditVerifier: verifier, Witnesses: witnesses})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	s := &Server{URL: hs.URL, DSN: dsn, DB: db, Service: svc, P: p, Clock: clock, tokens: map[string]string{},
		Signer: signer, Verifier: verifier, LogKey: skey, LogPub: vkey, Witness: witness}
	for _, l := range p.Staff {
		s.tokens[l.Username] = l.Token
	}
	return s
}

// verifierKey returns the verifier key of the Ed25519 signed-note signer
// key skey.
func verifierKey(t testing.TB, skey string) string {
	t.Helper()
	f := strings.SplitN(strings.TrimSpace(skey), "+", 5)
	if len(f) != 5 {
		t.Fatalf("not a signer key: %q", skey)
	}
	seed, err := base64.StdEncoding.DecodeString(f[4])
	if err != nil || len(seed) != 1+ed25519.SeedSize {
		t.Fatalf("not a signer key: %q", skey)
	}
	vkey, err := note.NewEd25519VerifierKey(f[2], ed25519.NewKeyFromSeed(seed[1:]).Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return vkey
}

// Token returns a demo user's API token.
func (s *Server) Token(username string) string { return s.tokens[username] }

// Login returns a demo user's login.
func (s *Server) Login(username string) demo.Login {
	for _, l := range s.P.Staff {
		if l.Username == username {
			return l
		}
	}
	panic("no demo user " + username)
}

// Response is an API response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test if it cannot.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
}

// ErrorCode returns the error code of an error response, or "".
func (r *Response) ErrorCode() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

// Request is an API call.
type Request struct {
	User    string // demo username whose token to send; "" for none
	Method  string
	Path    string
	Purpose accord.Purpose
	Body    string
	Header  map[string]string
}

// Do performs a request.
func (s *Server) Do(t testing.TB, r Request) *Response {
	t.Helper()
	var body io.Reader
	if r.Body != "" {
		body = strings.NewReader(r.Body)
	}
	req, err := http.NewRequest(r.Method, s.URL+r.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	if r.User != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token(r.User))
	}
	if r.Purpose != "" {
		req.Header.Set("Accord-Purpose", string(r.Purpose))
	}
	if r.Body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: bytes.TrimSpace(b)}
}
