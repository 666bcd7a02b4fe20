package http

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"html/template"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/credential"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

var b32 = base32.StdEncoding

// Staff sign-in in the browser: password, then (when the account has it
// on) a code from an authenticator app or a one-time recovery code.
// Between the two steps the browser holds a short-lived "pending"
// credential that authenticates nothing else.

const pendingCookie = "accord_pending"

const pendingTTL = 5 * time.Minute

// safeNext returns a local path to go to after sign-in, or /work.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/work"
	}
	return next
}

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) error {
	if c, err := s.sessionCaller(r); err == nil && c != nil {
		http.Redirect(w, r, "/work", http.StatusSeeOther)
		return nil
	}
	f := newForm()
	f.Values.Set("next", safeNext(r.URL.Query().Get("next")))
	v := s.newView(r, nil, "", "Sign in", nil)
	v.Form = f
	return s.render(w, http.StatusOK, "signin", v)
}

func (s *Server) signInSubmit(w http.ResponseWriter, r *http.Request) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	v := s.newView(r, nil, "", "Sign in", nil)
	v.Form = f
	st, err := s.checkPassword(r, strings.TrimSpace(f.Values.Get("username")), f.Values.Get("password"))
	f.Values.Del("password")
	if err != nil {
		if accord.ErrorCode(err) == accord.EINTERNAL {
			return err
		}
		f.Error = errorText(v.P, err)
		return s.render(w, statusOf[accord.ErrorCode(err)], "signin", v)
	}
	_, on, err := s.db.TOTP(r.Context(), st.ID)
	if err != nil {
		return err
	}
	next := safeNext(f.Values.Get("next"))
	if on {
		secret := credential.NewSecret(credential.SessionPrefix, nil)
		if _, err := s.db.CreateSession(r.Context(), accord.Actor{StaffID: st.ID, OrganizationID: st.OrganizationID}, "pending", st.ID, secret, r.UserAgent(), pendingTTL); err != nil {
			return err
		}
		http.SetCookie(w, &http.Cookie{Name: pendingCookie, Value: secret, Path: "/signin", HttpOnly: true, Secure: s.secure,
			SameSite: http.SameSiteStrictMode, MaxAge: int(pendingTTL.Seconds())})
		http.Redirect(w, r, "/signin/code?next="+url.QueryEscape(next), http.StatusSeeOther)
		return nil
	}
	if err := s.startSession(w, r, st); err != nil {
		return err
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// startSession creates a sign-in session and sets its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, st *accord.Staff) error {
	token := credential.NewSecret(credential.SessionPrefix, nil)
	if _, err := s.db.CreateSession(r.Context(), accord.Actor{StaffID: st.ID, OrganizationID: st.OrganizationID}, "session", st.ID, token, r.UserAgent(), s.maxAge); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(s.maxAge.Seconds())})
	return nil
}

func (s *Server) pendingStaff(r *http.Request) (*accord.Staff, string, error) {
	ck, err := r.Cookie(pendingCookie)
	if err != nil {
		return nil, "", accord.Errorf(accord.EUNAUTHENTICATED, "the sign-in has expired; start again")
	}
	id, err := s.db.Pending(r.Context(), ck.Value)
	if err != nil {
		return nil, "", err
	}
	st, err := s.db.FindStaff(r.Context(), id)
	return st, ck.Value, err
}

func (s *Server) signInCodePage(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := s.pendingStaff(r); err != nil {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return nil
	}
	v := s.newView(r, nil, "", "Sign-in code", nil)
	v.Form = newForm()
	v.Form.Values.Set("next", safeNext(r.URL.Query().Get("next")))
	return s.render(w, http.StatusOK, "signin_code", v)
}

func (s *Server) signInCodeSubmit(w http.ResponseWriter, r *http.Request) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	st, pending, err := s.pendingStaff(r)
	if err != nil {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return nil
	}
	v := s.newView(r, nil, "", "Sign-in code", nil)
	v.Form = f
	code := f.Values.Get("code")
	f.Values.Del("code")
	if err := s.checkSecondFactor(r, st, code); err != nil {
		if accord.ErrorCode(err) == accord.EINTERNAL {
			return err
		}
		f.Errors["code"] = errorText(v.P, err)
		return s.render(w, statusOf[accord.ErrorCode(err)], "signin_code", v)
	}
	if err := s.db.EndPending(r.Context(), pending); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: pendingCookie, Value: "", Path: "/signin", HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	if err := s.startSession(w, r, st); err != nil {
		return err
	}
	http.Redirect(w, r, safeNext(f.Values.Get("next")), http.StatusSeeOther)
	return nil
}

// usedCodes remembers TOTP codes already used, so a code seen over a
// shoulder cannot be replayed within its window.
var usedCodes = struct {
	sync.Mutex
	m map[string]time.Time
}{m: map[string]time.Time{}}

// checkSecondFactor checks a TOTP code or a recovery code when the staff
// member has two-step sign-in on (attempts share the sign-in rate limit).
func (s *Server) checkSecondFactor(r *http.Request, st *accord.Staff, code string) error {
	secret, on, err := s.db.TOTP(r.Context(), st.ID)
	if err != nil || !on {
		return err
	}
	code = strings.Join(strings.Fields(code), "")
	if code == "" {
		return &accord.Error{Code: accord.EUNAUTHENTICATED, Field: "code", Format: "enter the code from your authenticator app, or a recovery code"}
	}
	if ok, wait := s.signIns.allow("code:" + st.ID); !ok {
		return &retryAfter{err: accord.Errorf(accord.ERATELIMITED, "too many sign-in attempts; try again in %d seconds", int(wait.Seconds())+1), after: wait}
	}
	now := s.now()
	if len(code) == 6 {
		ok, _ := totp.ValidateCustom(code, base32NoPad(secret), now, totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		key := st.ID + "/" + code
		usedCodes.Lock()
		defer usedCodes.Unlock()
		for k, t := range usedCodes.m {
			if now.Sub(t) > 2*time.Minute {
				delete(usedCodes.m, k)
			}
		}
		if _, used := usedCodes.m[key]; ok && !used {
			usedCodes.m[key] = now
			return nil
		}
	} else if ok, err := s.db.UseRecoveryCode(r.Context(), st.ID, recoveryHash(code)); err != nil {
		return err
	} else if ok {
		return nil
	}
	s.db.RecordLoginFailure(r.Context(), st.ID)
	return &accord.Error{Code: accord.EUNAUTHENTICATED, Field: "code", Format: "that code is not right; codes change every 30 seconds"}
}

func base32NoPad(b []byte) string {
	return strings.TrimRight(b32.EncodeToString(b), "=")
}

// recoveryHash hashes a recovery code as typed (case and dashes ignored).
func recoveryHash(code string) []byte {
	code = strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(code))
	h := sha256.Sum256([]byte("accord recovery code\x00" + code))
	return h[:]
}

func (s *Server) signOutPage(w http.ResponseWriter, r *http.Request) error {
	if c, err := s.sessionCaller(r); err == nil {
		if err := s.db.RevokeCredential(r.Context(), c.Actor(), c.CredentialID); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.Redirect(w, r, "/signin?notice=signed-out", http.StatusSeeOther)
	return nil
}

// The account page: purpose of use, two-step sign-in, sessions.

type accountData struct {
	TOTP     bool
	Sessions []sessionRow
	Purposes []option
	// Enrolment: the new secret (as text and QR code) and, after it is
	// confirmed, the recovery codes shown once.
	Secret   string
	QR       template.URL // a data: URL of a PNG made here
	Recovery []string
}

type sessionRow struct {
	ID, Kind, Name, UserAgent  string
	Created, LastUsed, Expires time.Time
	Current                    bool
}

func (s *Server) account(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, err := s.accountView(r, c)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "account", v)
}

func (s *Server) accountView(r *http.Request, c *enforce.Caller) (*view, error) {
	_, on, err := s.db.TOTP(r.Context(), c.Staff.ID)
	if err != nil {
		return nil, err
	}
	sessions, err := s.db.Sessions(r.Context(), c.Staff.ID)
	if err != nil {
		return nil, err
	}
	d := &accountData{TOTP: on}
	for _, ss := range sessions {
		d.Sessions = append(d.Sessions, sessionRow{ID: ss.ID, Kind: ss.Kind, Name: ss.Name, UserAgent: ss.UserAgent, Created: ss.CreatedAt,
			LastUsed: ss.LastUsedAt, Expires: ss.ExpiresAt, Current: ss.ID == c.CredentialID})
	}
	v := s.newView(r, c, "account", "My account", d)
	for _, p := range accord.Purposes {
		if p == accord.PurposeEmergencyTreatment {
			continue // only through break-glass
		}
		d.Purposes = append(d.Purposes, option{Value: string(p), Label: v.P.Sprintf(string(i18n.Purpose(p)))})
	}
	v.Form = newForm()
	v.Form.Values.Set("purpose", string(v.Purpose))
	return v, nil
}

func (s *Server) setPurpose(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	p := accord.Purpose(f.Values.Get("purpose"))
	if !p.Valid() || p == accord.PurposeEmergencyTreatment {
		return accord.FieldErrorf("purpose", "choose a purpose from the list")
	}
	http.SetCookie(w, &http.Cookie{Name: purposeCookie, Value: string(p), Path: "/", HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, safeNext(f.Values.Get("next")+"?notice=saved"), http.StatusSeeOther)
	return nil
}

// totpStart shows a new secret and its QR code to scan.
func (s *Server) totpStart(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, err := s.accountView(r, c)
	if err != nil {
		return err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Accord", AccountName: c.Staff.Username, Period: 30, SecretSize: 20, Rand: rand.Reader})
	if err != nil {
		return err
	}
	d := v.Data.(*accountData)
	if err := s.totpData(d, key); err != nil {
		return err
	}
	v.Form.Values.Set("secret", key.Secret())
	return s.render(w, http.StatusOK, "account", v)
}

func (s *Server) totpData(d *accountData, key *otp.Key) error {
	img, err := key.Image(220, 220)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	d.Secret = key.Secret()
	d.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
	return nil
}

// totpConfirm turns two-step sign-in on once a code from the new secret
// checks, and shows the recovery codes once.
func (s *Server) totpConfirm(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	v, err := s.accountView(r, c)
	if err != nil {
		return err
	}
	d := v.Data.(*accountData)
	secretText := strings.ToUpper(strings.TrimSpace(f.Values.Get("secret")))
	secret, err := b32.DecodeString(padBase32(secretText))
	if err != nil || len(secret) < 16 {
		return accord.FieldErrorf("secret", "the setup is out of date; start again")
	}
	code := strings.Join(strings.Fields(f.Values.Get("code")), "")
	if ok, _ := totp.ValidateCustom(code, secretText, s.now(), totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}); !ok {
		key, _ := otp.NewKeyFromURL("otpauth://totp/Accord:" + url.PathEscape(c.Staff.Username) + "?secret=" + secretText + "&issuer=Accord")
		if key != nil {
			s.totpData(d, key)
		}
		v.Form = f
		f.Values.Del("code")
		f.Errors["code"] = v.P.Sprintf("that code is not right; codes change every 30 seconds")
		return s.render(w, http.StatusUnprocessableEntity, "account", v)
	}
	usedCodes.Lock()
	usedCodes.m[c.Staff.ID+"/"+code] = s.now()
	usedCodes.Unlock()
	var hashes [][]byte
	for range 10 {
		var b [6]byte
		rand.Read(b[:])
		c := strings.ToLower(b32.EncodeToString(b[:])[:10])
		c = c[:5] + "-" + c[5:]
		d.Recovery = append(d.Recovery, c)
		hashes = append(hashes, recoveryHash(c))
	}
	if err := s.db.SetTOTP(r.Context(), c.Actor(), c.Staff.ID, secret, hashes); err != nil {
		return err
	}
	d.TOTP = true
	v.Notice = v.P.Sprintf(notices["totp-on"])
	return s.render(w, http.StatusOK, "account", v)
}

func padBase32(s string) string {
	if n := len(s) % 8; n != 0 {
		s += strings.Repeat("=", 8-n)
	}
	return s
}

// totpOff turns two-step sign-in off; it asks for a current code.
func (s *Server) totpOff(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	if err := s.checkSecondFactor(r, &c.Staff, f.Values.Get("off_code")); err != nil {
		if accord.ErrorCode(err) == accord.EINTERNAL {
			return err
		}
		v, verr := s.accountView(r, c)
		if verr != nil {
			return verr
		}
		v.Form = f
		f.Values.Del("off_code")
		f.Errors["off_code"] = errorText(v.P, err)
		return s.render(w, statusOf[accord.ErrorCode(err)], "account", v)
	}
	if err := s.db.DisableTOTP(r.Context(), c.Actor(), c.Staff.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/account?notice=totp-off", http.StatusSeeOther)
	return nil
}

// revokeSession ends one of the caller's own sessions or tokens.
func (s *Server) revokeSession(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	id := r.PathValue("id")
	sessions, err := s.db.Sessions(r.Context(), c.Staff.ID)
	if err != nil {
		return err
	}
	for _, ss := range sessions {
		if ss.ID == id {
			if err := s.db.RevokeCredential(r.Context(), c.Actor(), id); err != nil {
				return err
			}
			if id == c.CredentialID {
				http.Redirect(w, r, "/signin?notice=signed-out", http.StatusSeeOther)
				return nil
			}
			http.Redirect(w, r, "/account?notice=revoked", http.StatusSeeOther)
			return nil
		}
	}
	return accord.Errorf(accord.ENOTFOUND, "no such session")
}
