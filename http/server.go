// Package http serves Accord's JSON API (and the pages built on it) over
// net/http. Every route is in one table (routes.go); handlers return an
// error and one function (error.go) turns errors into responses.
package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/credential"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/sqlstore"
)

// Config configures a Server.
type Config struct {
	Service   *enforce.Service
	DB        *sqlstore.DB
	Catalogue *i18n.Catalogue
	Logger    *slog.Logger
	Now       func() time.Time
	// Version is printed by /healthz and the landing page.
	Version string
	// SessionIdle ends a sign-in session after this long without use.
	SessionIdle time.Duration
	// SessionMax bounds a session's life.
	SessionMax time.Duration
	// SecureCookies marks cookies Secure (set when served over TLS or
	// behind a TLS-terminating proxy).
	SecureCookies bool
	// AuditVerifier is the audit log's public key (log.pub), with which the
	// audit pages check signed checkpoints; without it they say so.
	AuditVerifier note.Verifier
	// Witnesses are the cosignature verifiers of the witnesses whose
	// cosignatures of the audit log's checkpoints the server takes
	// (auditlog.ParseWitnessVerifiers).
	Witnesses []note.Verifier
}

// Server is Accord's HTTP front.
type Server struct {
	svc     *enforce.Service
	db      *sqlstore.DB
	cat     *i18n.Catalogue
	logger  *slog.Logger
	now     func() time.Time
	version string
	idle    time.Duration
	maxAge  time.Duration
	secure  bool
	// auditKey checks the audit log's signed checkpoints (nil: not known).
	auditKey note.Verifier
	// witnesses check cosignatures of checkpoints (none: none are taken).
	witnesses []note.Verifier

	signIns *limiter // per username and per client address
	unauth  *limiter // failed bearer authentications per client address

	ready func(context.Context) error
}

// New returns a Server.
func New(cfg Config) *Server {
	s := &Server{
		svc: cfg.Service, db: cfg.DB, cat: cfg.Catalogue, logger: cfg.Logger, now: cfg.Now,
		version: cfg.Version, idle: cfg.SessionIdle, maxAge: cfg.SessionMax, secure: cfg.SecureCookies, auditKey: cfg.AuditVerifier,
		witnesses: cfg.Witnesses,
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	credential.PrepareDummy() // once a process, before the first sign-in
	if s.now == nil {
		s.now = time.Now
	}
	if s.idle == 0 {
		s.idle = 30 * time.Minute
	}
	if s.maxAge == 0 {
		s.maxAge = 12 * time.Hour
	}
	// Ten sign-in attempts, then one a minute; the same for bad tokens per address.
	s.signIns = newLimiter(10, time.Minute, s.now)
	s.unauth = newLimiter(30, 2*time.Second, s.now)
	s.ready = s.db.Ping
	return s
}

// Handler returns the server's handler with its middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.anyError(w, r, accord.Errorf(accord.EFORBIDDEN, "cross-origin requests that change data are refused"))
	}))
	var h http.Handler = s.unmatched(mux)
	h = cop.Handler(h)
	h = s.secureHeaders(h)
	h = s.recoverPanics(h)
	h = s.requestLog(h)
	return h
}

// unmatched answers requests no route matches with a JSON 404, or a 405
// with an Allow header when the path exists for other methods.
func (s *Server) unmatched(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		var allow []string
		for _, m := range []string{"GET", "POST", "PUT", "DELETE"} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, p := mux.Handler(probe); p != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			s.anyError(w, r, accord.Errorf(accord.EMETHOD, "this endpoint does not take %s; it takes %s", r.Method, strings.Join(allow, ", ")))
			return
		}
		if isPage(r) {
			s.pageError(w, r, nil, accord.Errorf(accord.ENOTFOUND, "There is no such page."))
			return
		}
		s.writeError(w, r, accord.Errorf(accord.ENOTFOUND, "no such endpoint; see /api/v1/openapi.json"))
	})
}

// isPage reports whether a request is for the web interface (not the
// JSON API or the health checks).
func isPage(r *http.Request) bool {
	p := r.URL.Path
	return !strings.HasPrefix(p, "/api/") && p != "/healthz" && p != "/readyz"
}

// anyError answers with an error page for the web interface and JSON for
// the API.
func (s *Server) anyError(w http.ResponseWriter, r *http.Request, err error) {
	if isPage(r) {
		s.pageError(w, r, nil, err)
		return
	}
	s.writeError(w, r, err)
}

type ctxKey int

const requestIDKey ctxKey = iota

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// requestLog gives each request an id (echoed in Accord-Request-Id and
// recorded on its audit entries) and logs method, route pattern, status and
// duration — never the path, which could hold an id, nor any body.
func (s *Server) requestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [8]byte
		rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		w.Header().Set("Accord-Request-Id", id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(sw, r)
		s.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", id), slog.String("method", r.Method), slog.String("route", r.Pattern),
			slog.Int("status", sw.status), slog.Duration("duration", time.Since(start)))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.logger.Error("panic", "request_id", requestID(r.Context()), "panic", v, "stack", string(debug.Stack()))
				s.anyError(w, r, errInternal)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// secureHeaders sets headers every response carries: a strict
// Content-Security-Policy (no inline script), no sniffing, no framing, no
// referrer, and no caching of anything that may hold personal data.
func (s *Server) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}
