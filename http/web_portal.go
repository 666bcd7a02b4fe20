package http

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/credential"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// The client portal (/my/...): clients have no staff account; they sign in
// with a one-time code a staff member gives them (read aloud, printed, or
// sent by e-mail or text message), and see who saw their information, their
// consents and referrals, in plain words and in their own language. Every
// portal page acts for the client of the session only; the client id never
// comes from a form or a URL.

const (
	portalCookie = "accord_portal"
	// portalSecretPrefix marks portal session secrets.
	portalSecretPrefix = "acp_"
	// portalIdle ends a portal session left unused; portalMax ends it in
	// any case. Short: clients often use shared or borrowed phones.
	portalIdle = 15 * time.Minute
	portalMax  = 2 * time.Hour
)

func init() {
	registerNotices(map[string]string{
		"portal-signed-out":      "You have signed out. On a shared phone, close the browser too.",
		"portal-consent-given":   "Your consent is saved. It works from now on.",
		"portal-consent-stopped": "Your consent is stopped. It works from now on.",
		"portal-code-sent":       "The sign-in code was sent to the client.",
	})
}

// portalState is what the portal keeps per server without a field in
// Server: the sign-in limiter and the code sender.
type portalState struct {
	signIns *limiter
	mu      sync.Mutex
	sender  enforce.PortalSender
}

var portalStates sync.Map // *Server → *portalState

func (s *Server) portal() *portalState {
	if st, ok := portalStates.Load(s); ok {
		return st.(*portalState)
	}
	// Five tries per address, then one a minute.
	st, _ := portalStates.LoadOrStore(s, &portalState{signIns: newLimiter(5, time.Minute, s.now)})
	return st.(*portalState)
}

// SetPortalSender sets how portal sign-in codes are sent to clients (by
// e-mail or text message); without one, staff read or print the code.
func (s *Server) SetPortalSender(ps enforce.PortalSender) {
	st := s.portal()
	st.mu.Lock()
	st.sender = ps
	st.mu.Unlock()
}

func (s *Server) portalSender() enforce.PortalSender {
	st := s.portal()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.sender == nil {
		return testPortalSender
	}
	return st.sender
}

// testPortalSender is the sender of servers that have none; only tests set
// it (web_portal_export_test.go), as the test server does not expose its
// Server.
var testPortalSender enforce.PortalSender

// portalPage wraps a portal page: it signs the client in from the portal
// session cookie (redirecting to /my/signin when there is none or it
// ended), stamps the request with the purpose "patient (client)
// requested", and renders errors as pages in the portal.
func (s *Server) portalPage(h func(w http.ResponseWriter, r *http.Request, clientID string) error) http.Handler {
	return s.portalPageWithin(maxBody, h)
}

// portalPageWithin is portalPage with a body of at most limit bytes.
func (s *Server) portalPageWithin(limit int64, h func(w http.ResponseWriter, r *http.Request, clientID string) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit+1)
		clientID, err := s.portalClient(r)
		if err != nil {
			to := "/my/signin"
			if ck, had := r.Cookie(portalCookie); had == nil && ck.Value != "" {
				to += "?notice=session-ended"
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
		ctx := accord.WithRequest(r.Context(), accord.RequestInfo{ID: requestID(r.Context()), Purpose: accord.PurposePatientRequest})
		r = r.WithContext(ctx)
		if err := h(w, r, clientID); err != nil {
			s.portalError(w, r, clientID, err)
		}
	})
}

// portalClient authenticates a portal session from its cookie.
func (s *Server) portalClient(r *http.Request) (string, error) {
	ck, err := r.Cookie(portalCookie)
	if err != nil || ck.Value == "" {
		return "", accord.Errorf(accord.EUNAUTHENTICATED, "your session has ended; sign in again")
	}
	return s.db.AuthenticatePortal(r.Context(), ck.Value, portalIdle)
}

// portalError shows an error on a portal page: pageError with the portal's
// navigation and language.
func (s *Server) portalError(w http.ResponseWriter, r *http.Request, clientID string, err error) {
	code := accord.ErrorCode(err)
	e := accord.AsError(err)
	if code == accord.EUNAUTHENTICATED {
		http.Redirect(w, r, "/my/signin", http.StatusSeeOther)
		return
	}
	if code == accord.EINTERNAL || e == nil {
		s.logger.Error("internal error", "request_id", requestID(r.Context()), "route", r.Pattern, "err", err)
		e, code = errInternal, accord.EINTERNAL
	}
	v := s.portalView(r, clientID, "", "Something needs your attention", nil)
	v.Data = map[string]any{"Message": v.P.Sprintf(e.Format, e.Args...), "Code": code, "Request": requestID(r.Context()),
		"Decision": enforce.AsDenied(err)}
	if rerr := s.render(w, statusOf[code], "error", v); rerr != nil {
		s.logger.Error("rendering error page", "request_id", requestID(r.Context()), "err", rerr)
		http.Error(w, v.P.Sprintf("Something went wrong on our side. Please try again."), http.StatusInternalServerError)
	}
}

// portalView returns the view of a portal page: the portal's navigation,
// in the language the person chose (the accord_lang cookie, or ?lang=),
// else the client's preferred language, else the browser's.
func (s *Server) portalView(r *http.Request, clientID, nav, title string, data any) *view {
	v := s.newView(r, nil, nav, title, data)
	v.Portal, v.Client = true, clientID
	if clientID == "" {
		return v
	}
	v.IdleSeconds = int(portalIdle.Seconds())
	if _, err := r.Cookie(langCookie); err == nil || r.URL.Query().Get("lang") != "" {
		return v
	}
	pref, err := s.svc.PortalLanguage(r.Context(), clientID)
	if err != nil || pref == "" {
		return v
	}
	p := s.cat.Printer(s.cat.Match(pref, r.Header.Get("Accept-Language")))
	v.P, v.Lang, v.Dir, v.Title = p, p.Tag.String(), i18n.Dir(p.Tag), p.Sprintf(title)
	for i := range v.Langs {
		v.Langs[i].Current = language.Make(v.Langs[i].Tag) == p.Tag
	}
	if n := r.URL.Query().Get("notice"); n != "" {
		if msg, ok := notices[n]; ok {
			v.Notice = p.Sprintf(msg)
		}
	}
	return v
}

// portalOnce is once for a portal form: a double submission goes to where
// the first went.
func (s *Server) portalOnce(w http.ResponseWriter, r *http.Request, clientID string, f *form, do func() (string, error)) (bool, error) {
	token := f.Values.Get("form_token")
	owner := enforce.PortalActorID(clientID)
	first, result, err := s.db.UseFormToken(r.Context(), token, owner)
	if err != nil {
		return false, err
	}
	if !first {
		if result == "" {
			result = r.URL.Path
		}
		// The first result's own notice gives way to "already sent".
		if i := strings.Index(result, "?notice="); i >= 0 {
			result = result[:i]
		}
		http.Redirect(w, r, addNotice(result, "already-done"), http.StatusSeeOther)
		return true, nil
	}
	to, err := do()
	if err != nil {
		s.db.ReleaseFormToken(r.Context(), token, owner)
		f.Token = token
		return false, err
	}
	s.db.SetFormResult(r.Context(), token, to)
	http.Redirect(w, r, to, http.StatusSeeOther)
	return true, nil
}

// portalPages are the client portal's pages, and the staff side of
// portal codes.
func (s *Server) portalPages() []route {
	return []route{
		{"GET", "/my/signin", s.publicPage(s.portalSignInPage)},
		{"POST", "/my/signin", s.publicPage(s.portalSignInSubmit)},
		{"POST", "/my/signout", s.publicPage(s.portalSignOut)},
		{"GET", "/my", s.portalPage(s.portalHome)},
		{"GET", "/my/consents", s.portalPage(s.portalConsents)},
		{"GET", "/my/consents/new", s.portalPage(s.portalConsentNew)},
		{"POST", "/my/consents/new", s.portalPage(s.portalConsentGive)},
		{"GET", "/my/consents/{id}/stop", s.portalPage(s.portalStopPage)},
		{"POST", "/my/consents/stop", s.portalPage(s.portalStopSubmit)},
		{"GET", "/my/access", s.portalPage(s.portalAccess)},
		{"GET", "/my/referrals", s.portalPage(s.portalReferrals)},
		{"POST", "/clients/{id}/portal-code", s.page(s.portalCodeIssue)},
		{"POST", "/clients/{id}/portal-code/send", s.page(s.portalCodeSend)},
	}
}

// portalSignInPage asks for the code.
func (s *Server) portalSignInPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.portalClient(r); err == nil {
		http.Redirect(w, r, "/my", http.StatusSeeOther)
		return nil
	}
	v := s.portalView(r, "", "", "Sign in to your page", nil)
	v.Portal = false // no navigation before signing in
	v.Form = newForm()
	return s.render(w, http.StatusOK, "portal_signin", v)
}

// portalSignInSubmit signs a client in with a one-time code. Whatever is
// wrong with a code (mistyped, used, too old, replaced), the answer is
// the same.
func (s *Server) portalSignInSubmit(w http.ResponseWriter, r *http.Request) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	v := s.portalView(r, "", "", "Sign in to your page", nil)
	v.Portal = false
	v.Form = f
	p := v.P
	typed := f.Values.Get("code")
	f.Values.Del("code")
	if ok, wait := s.portal().signIns.allow(clientAddr(r)); !ok {
		mins := int(wait/time.Minute) + 1
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		f.Errors["code"] = p.Sprintf("Too many tries. Wait %d minutes, then try again.", mins)
		return s.render(w, http.StatusTooManyRequests, "portal_signin", v)
	}
	code := enforce.NormalizePortalCode(typed)
	clientID := ""
	if len(code) >= 8 && len(code) <= 20 {
		clientID, err = s.db.RedeemPortalCode(r.Context(), enforce.PortalCodeHash(code))
		if err != nil && accord.ErrorCode(err) != accord.EUNAUTHENTICATED {
			return err
		}
	}
	if clientID == "" {
		f.Errors["code"] = p.Sprintf("This code does not work. Check it and try again, or ask your worker for a new code.")
		return s.render(w, http.StatusUnauthorized, "portal_signin", v)
	}
	secret := credential.NewSecret(portalSecretPrefix, nil)
	if err := s.db.CreatePortalSession(r.Context(), clientID, secret, portalMax); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: portalCookie, Value: secret, Path: "/my", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(portalMax.Seconds())})
	http.Redirect(w, r, "/my", http.StatusSeeOther)
	return nil
}

// portalSignOut ends the portal session.
func (s *Server) portalSignOut(w http.ResponseWriter, r *http.Request) error {
	if ck, err := r.Cookie(portalCookie); err == nil && ck.Value != "" {
		if err := s.db.EndPortalSession(r.Context(), ck.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: portalCookie, Value: "", Path: "/my", HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.Redirect(w, r, "/my/signin?notice=portal-signed-out", http.StatusSeeOther)
	return nil
}

// portalHome is the portal's start page.
func (s *Server) portalHome(w http.ResponseWriter, r *http.Request, clientID string) error {
	me, err := s.svc.PortalSelf(r.Context(), clientID)
	if err != nil {
		return err
	}
	v := s.portalView(r, clientID, "my", "Your page", me)
	return s.render(w, http.StatusOK, "portal_home", v)
}
