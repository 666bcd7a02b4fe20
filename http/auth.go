package http

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/credential"
	"github.com/accord-project/accord/enforce"
)

const sessionCookie = "accord_session"

// handler is an HTTP handler that returns an error.
type handler func(w http.ResponseWriter, r *http.Request) error

// authed is a handler for an authenticated staff member.
type authed func(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error

func (s *Server) public(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody+1)
		r = r.WithContext(accord.WithRequest(r.Context(), accord.RequestInfo{ID: requestID(r.Context())}))
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

func (s *Server) authed(h authed) http.Handler {
	return s.public(func(w http.ResponseWriter, r *http.Request) error {
		c, err := s.authenticate(r)
		if err != nil {
			return err
		}
		// Every audit entry of this request carries its id and stated purpose.
		info := accord.RequestInfo{ID: requestID(r.Context())}
		if p := accord.Purpose(strings.TrimSpace(r.Header.Get("Accord-Purpose"))); p.Valid() {
			info.Purpose = p
		}
		r = r.WithContext(accord.WithRequest(r.Context(), info))
		return h(w, r, c)
	})
}

// authenticate finds the caller from a bearer token (API token or session)
// in the Authorization header, or a session cookie.
func (s *Server) authenticate(r *http.Request) (*enforce.Caller, error) {
	secret := ""
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, value, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return nil, accord.Errorf(accord.EUNAUTHENTICATED, "use an Authorization: Bearer header with an API token or session token")
		}
		secret = strings.TrimSpace(value)
	} else if ck, err := r.Cookie(sessionCookie); err == nil {
		secret = ck.Value
	}
	if secret == "" {
		return nil, accord.Errorf(accord.EUNAUTHENTICATED, "sign in, or send an API token in an Authorization: Bearer header")
	}
	if !credential.WellFormed(credential.TokenPrefix, secret) && !credential.WellFormed(credential.SessionPrefix, secret) {
		return nil, s.failedAuth(r)
	}
	p, err := s.db.Authenticate(r.Context(), secret, s.idle)
	if accord.ErrorCode(err) == accord.EUNAUTHENTICATED {
		if lim := s.failedAuth(r); accord.ErrorCode(lim) == accord.ERATELIMITED {
			return nil, lim
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	return &enforce.Caller{Principal: p, RequestID: requestID(r.Context())}, nil
}

// failedAuth counts a failed authentication against the client address.
func (s *Server) failedAuth(r *http.Request) error {
	if ok, wait := s.unauth.allow("addr:" + clientAddr(r)); !ok {
		return &retryAfter{err: accord.Errorf(accord.ERATELIMITED, "too many failed attempts; try again in %d seconds", int(wait.Seconds())+1), after: wait}
	}
	return accord.Errorf(accord.EUNAUTHENTICATED, "the credentials are not valid")
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type signInRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	TOTP     string `json:"totp_code"`
}

type sessionJSON struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	IdleAfter string    `json:"idle_timeout"`
	Staff     any       `json:"staff"`
}

// signIn exchanges a username and password for a session token (also set
// as an HttpOnly, SameSite=Strict cookie). Attempts are rate limited per
// username and per address; an unknown username costs the same time as a
// wrong password.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	var req signInRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	st, err := s.checkPassword(r, req.Username, req.Password)
	if err != nil {
		return err
	}
	if err := s.checkSecondFactor(r, st, req.TOTP); err != nil {
		return err
	}
	token := credential.NewSecret(credential.SessionPrefix, nil)
	actor := accord.Actor{StaffID: st.ID, OrganizationID: st.OrganizationID}
	if _, err := s.db.CreateCredential(r.Context(), actor, "session", st.ID, token, "sign-in", s.maxAge); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(s.maxAge.Seconds())})
	writeJSON(w, http.StatusCreated, sessionJSON{Token: token, ExpiresAt: s.now().Add(s.maxAge).UTC(), IdleAfter: s.idle.String(), Staff: st})
	return nil
}

// checkPassword checks a username and password, rate limited per username
// and per address; an unknown username costs the same time as a wrong
// password, and both give the same error.
func (s *Server) checkPassword(r *http.Request, username, password string) (*accord.Staff, error) {
	if username == "" || password == "" || len(password) > 1024 || len(username) > 64 {
		return nil, accord.Errorf(accord.EINVALID, "give a username and a password")
	}
	for _, key := range []string{"user:" + strings.ToLower(username), "addr:" + clientAddr(r)} {
		if ok, wait := s.signIns.allow(key); !ok {
			return nil, &retryAfter{err: accord.Errorf(accord.ERATELIMITED, "too many sign-in attempts; try again in %d seconds", int(wait.Seconds())+1), after: wait}
		}
	}
	staffID, hash, err := s.db.PasswordHash(r.Context(), strings.ToLower(username))
	if accord.ErrorCode(err) == accord.ENOTFOUND {
		credential.DummyCheck(password)
		if err := s.db.RecordLoginFailure(r.Context(), ""); err != nil {
			return nil, err
		}
		return nil, accord.Errorf(accord.EUNAUTHENTICATED, "the username or password is not right")
	}
	if err != nil {
		return nil, err
	}
	if !credential.CheckPassword(hash, password) {
		if err := s.db.RecordLoginFailure(r.Context(), staffID); err != nil {
			return nil, err
		}
		return nil, accord.Errorf(accord.EUNAUTHENTICATED, "the username or password is not right")
	}
	return s.db.FindStaff(r.Context(), staffID)
}

// signOut ends the caller's session.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if !c.Session {
		return accord.Errorf(accord.ECONFLICT, "this request uses an API token, not a sign-in session; there is no session to end")
	}
	if err := s.db.RevokeCredential(r.Context(), c.Actor(), c.CredentialID); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// purposeOf returns the request's stated purpose of use, or an EINVALID
// error naming the header and listing the accepted codes.
func purposeOf(r *http.Request) (accord.Purpose, error) {
	p := accord.Purpose(strings.TrimSpace(r.Header.Get("Accord-Purpose")))
	if !p.Valid() {
		return "", accord.PurposeError("Accord-Purpose", p)
	}
	return p, nil
}
