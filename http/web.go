package http

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// The web interface: server-rendered pages (html/template), one stylesheet
// and one small script, embedded. Every page works without JavaScript;
// the script only hides questions that do not apply and confirms
// destructive actions. No page carries personal data in its URL or title.

//go:embed static
var staticFS embed.FS

const (
	langCookie    = "accord_lang"
	purposeCookie = "accord_purpose"
)

// pages holds every page template, each joined with the layout.
var pages = parsePages()

func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"t": func(p *i18n.Printer, format string, args ...any) string { return p.Sprintf(format, args...) },
		"date": func(p *i18n.Printer, t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return p.Date(t)
		},
		"datetime": func(p *i18n.Printer, t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return p.Date(t) + " " + t.UTC().Format("15:04") + " UTC"
		},
		"isodate":  func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
		"category": func(p *i18n.Printer, c accord.Category) string { return p.Sprintf(string(i18n.Category(c))) },
		"purpose":  func(p *i18n.Printer, x accord.Purpose) string { return p.Sprintf(string(i18n.Purpose(x))) },
		"purposeOptions": func(p *i18n.Printer) []option {
			var out []option
			for _, x := range accord.Purposes {
				if x != accord.PurposeEmergencyTreatment {
					out = append(out, option{Value: string(x), Label: p.Sprintf(string(i18n.Purpose(x)))})
				}
			}
			return out
		},
		"role":   func(p *i18n.Printer, r accord.Role) string { return p.Sprintf(string(i18n.Role(r))) },
		"sector": func(p *i18n.Printer, s accord.Sector) string { return p.Sprintf(string(i18n.Sector(s))) },
		"msg":    func(p *i18n.Printer, m i18n.Msg) string { return p.Render(m) },
		"fieldErr": func(f *form, name string) string {
			if f == nil {
				return ""
			}
			return f.Errors[name]
		},
		"val": func(f *form, name string) string {
			if f == nil {
				return ""
			}
			return f.Values.Get(name)
		},
		"checked": func(f *form, name, value string) bool {
			if f == nil {
				return false
			}
			for _, v := range f.Values[name] {
				if v == value {
					return true
				}
			}
			return false
		},
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"past":    func(t time.Time) bool { return !t.IsZero() && t.Before(time.Now()) },
		"overdue": overdue,
		"short":   func(id string) string { return shortID(id) },
		"urgency": func(p *i18n.Printer, u accord.Urgency) string { return p.Sprintf(string(i18n.Urgency(u))) },
		"status":  func(p *i18n.Printer, st string) string { return p.Sprintf(string(i18n.Status(st))) },
	}
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html"))
	out := map[string]*template.Template{}
	files, _ := fs.Glob(templateFS, "templates/pages/*.html")
	for _, f := range files {
		t := template.Must(template.Must(base.Clone()).ParseFS(templateFS, f))
		out[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return out
}

// form is a submitted form: its values (kept when it is shown again) and
// the error beside each field.
type form struct {
	Values url.Values
	Errors map[string]string
	// Token makes a second submission of the same form do nothing.
	Token string
	// Error is a message about the form as a whole.
	Error string
}

// view is what every page template receives.
type view struct {
	P       *i18n.Printer
	Lang    string
	Dir     string
	Title   string // never personal data
	Nav     string // the active section
	Path    string // the page's path, for the language switch
	Caller  *enforce.Caller
	Purpose accord.Purpose // the purpose of use staff pages work under
	Portal  bool           // a client portal page
	Client  string         // the signed-in portal client's id, on portal pages
	Form    *form
	Notice  string
	Data    any
	Langs   []langLink
	Version string
	Now     time.Time
	// What the navigation offers the caller.
	Casework, Admin, Agreements, Auditor, Complaints bool
	req                                              *http.Request
	// IdleSeconds reloads an unattended page after the session's idle
	// limit, so personal data does not stay on screen.
	IdleSeconds int
}

// option is one choice of a select, radio or checkbox group.
type option struct{ Value, Label string }

type langLink struct {
	Tag, Name string
	Current   bool
}

var langNames = []struct{ tag, name string }{{"en", "English"}, {"es", "Español"}, {"fr", "Français"}, {"ar", "العربية"}}

// pagePrinter returns the printer for a page: the language cookie, else
// ?lang=, else Accept-Language.
func (s *Server) pagePrinter(r *http.Request) *i18n.Printer {
	pref := r.URL.Query().Get("lang")
	if ck, err := r.Cookie(langCookie); err == nil && pref == "" {
		pref = ck.Value
	}
	return s.cat.Printer(s.cat.Match(pref, r.Header.Get("Accept-Language")))
}

// purposeFor is the purpose of use staff pages work under: the one chosen
// on the account page, else the usual one for the caller's roles.
func (s *Server) purposeFor(r *http.Request, c *enforce.Caller) accord.Purpose {
	if ck, err := r.Cookie(purposeCookie); err == nil {
		if p := accord.Purpose(ck.Value); p.Valid() && p != accord.PurposeEmergencyTreatment {
			return p
		}
	}
	roles := c.Staff.RoleSet()
	switch {
	case roles.Has(accord.RoleClinician):
		return accord.PurposeTreatment
	case roles.Has(accord.RoleLegalAdvocate):
		return accord.PurposeLegalAid
	case roles.Any(accord.NewRoleSet(accord.RoleSocialWorker, accord.RoleCaseworker)):
		return accord.PurposeSocialCare
	case roles.Any(accord.NewRoleSet(accord.RolePrivacyOfficer, accord.RoleAuditor)), c.Organization.Sector == accord.SectorOversight:
		return accord.PurposeOversight
	}
	return accord.PurposeCoordination
}

// newView returns the view for a page; title is a catalogue key.
func (s *Server) newView(r *http.Request, c *enforce.Caller, nav, title string, data any) *view {
	p := s.pagePrinter(r)
	v := &view{P: p, Lang: p.Tag.String(), Dir: i18n.Dir(p.Tag), Title: p.Sprintf(title), Nav: nav, Path: r.URL.Path, Caller: c,
		Data: data, Version: s.version, Now: s.now(), req: r}
	if c != nil {
		roles := c.Staff.RoleSet()
		v.Purpose = s.purposeFor(r, c)
		v.Casework = roles.Any(accord.NewRoleSet(accord.RoleNavigator, accord.RoleClinician, accord.RoleLegalAdvocate, accord.RoleSocialWorker,
			accord.RoleCaseworker, accord.RoleInterpreter, accord.RoleSupervisor))
		v.Admin = roles.Has(accord.RolePartnershipAdmin)
		v.Agreements = roles.Any(accord.NewRoleSet(accord.RolePrivacyOfficer, accord.RoleSupervisor, accord.RoleAuditor))
		v.Auditor = c.CanReadAuditLeaves() || roles.Any(accord.NewRoleSet(accord.RolePrivacyOfficer, accord.RoleAuditor, accord.RolePartnershipAdmin))
		v.Complaints = v.Auditor || roles.Any(accord.NewRoleSet(accord.RoleSupervisor, accord.RolePrivacyOfficer, accord.RolePartnershipAdmin))
		v.IdleSeconds = int(s.idle.Seconds())
	}
	for _, l := range langNames {
		v.Langs = append(v.Langs, langLink{Tag: l.tag, Name: l.name, Current: language.Make(l.tag) == p.Tag})
	}
	if n := r.URL.Query().Get("notice"); n != "" {
		if msg, ok := notices[n]; ok {
			v.Notice = p.Sprintf(msg)
		}
	}
	return v
}

// registerNotices adds a page group's notices (from an init function).
func registerNotices(m map[string]string) {
	for k, v := range m {
		if _, dup := notices[k]; dup {
			panic("http: notice " + k + " registered twice")
		}
		notices[k] = v
	}
}

// notices are the one-line confirmations a redirect can ask a page to show
// (?notice=…), so no text travels in the URL. Page groups add theirs with
// registerNotices.
var notices = map[string]string{
	"signed-out":       "You have signed out.",
	"session-ended":    "Your session ended after a period of inactivity. Please sign in again.",
	"totp-on":          "Two-step sign-in is on.",
	"totp-off":         "Two-step sign-in is off.",
	"revoked":          "The session was ended.",
	"saved":            "Saved.",
	"consent-saved":    "The consent is recorded.",
	"consent-revoked":  "The consent is revoked. It takes effect at once.",
	"client-created":   "The client is registered.",
	"already-done":     "This form was already sent; here is the result.",
	"referral-sent":    "The referral is sent.",
	"escalation-sent":  "The escalation is raised; its clock has started.",
	"screening-saved":  "The screening is saved.",
	"case-opened":      "The case is open.",
	"break-glass":      "Emergency access is open. It is recorded and will be reviewed.",
	"code-made":        "A sign-in code for the client portal is ready.",
	"grievance-raised": "Your complaint is received.",
}

// render writes a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, v *view) error {
	t, ok := pages[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Vary", "Accept-Encoding, Cookie")
	if buf.Len() > 1400 && acceptsGzip(v.req) {
		h.Set("Content-Encoding", "gzip")
		w.WriteHeader(status)
		zw := gzip.NewWriter(w)
		buf.WriteTo(zw)
		return zw.Close()
	}
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

func acceptsGzip(r *http.Request) bool {
	return r != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip")
}

// pageHandler is a page for a signed-in staff member.
type pageHandler func(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error

// page wraps a staff page: it signs the caller in from the session cookie
// (redirecting to the sign-in page when there is none or it ended) and
// renders errors as pages.
func (s *Server) page(h pageHandler) http.Handler { return s.pageWithin(maxBody, h) }

// pageWithin is page with a body of at most limit bytes (forms that carry
// files have more than maxBody).
func (s *Server) pageWithin(limit int64, h pageHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit+1)
		c, err := s.sessionCaller(r)
		if err != nil {
			next := "/signin?next=" + url.QueryEscape(r.URL.Path)
			if strings.Contains(accord.AsError(err).Message(), "inactivity") {
				next += "&notice=session-ended"
			}
			if r.Header.Get("HX-Request") == "true" {
				// An htmx fragment request: send the whole page to sign-in
				// rather than swap the sign-in page into a fragment.
				w.Header().Set("HX-Redirect", next)
				w.WriteHeader(http.StatusNoContent)
				return
			}
			http.Redirect(w, r, next, http.StatusSeeOther)
			return
		}
		ctx := accord.WithRequest(r.Context(), accord.RequestInfo{ID: requestID(r.Context()), Purpose: s.purposeFor(r, c)})
		r = r.WithContext(ctx)
		if err := h(w, r, c); err != nil {
			s.pageError(w, r, c, err)
		}
	})
}

// publicPage wraps a page that needs no sign-in.
func (s *Server) publicPage(h handler) http.Handler { return s.publicPageWithin(maxBody, h) }

// publicPageWithin is publicPage with a body of at most limit bytes.
func (s *Server) publicPageWithin(limit int64, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit+1)
		r = r.WithContext(accord.WithRequest(r.Context(), accord.RequestInfo{ID: requestID(r.Context())}))
		if err := h(w, r); err != nil {
			s.pageError(w, r, nil, err)
		}
	})
}

// sessionCaller authenticates a browser session from its cookie only.
func (s *Server) sessionCaller(r *http.Request) (*enforce.Caller, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, accord.Errorf(accord.EUNAUTHENTICATED, "sign in, or send an API token in an Authorization: Bearer header")
	}
	p, err := s.db.Authenticate(r.Context(), ck.Value, s.idle)
	if err != nil {
		return nil, err
	}
	if !p.Session {
		return nil, accord.Errorf(accord.EUNAUTHENTICATED, "the credentials are not valid")
	}
	return &enforce.Caller{Principal: p, RequestID: requestID(r.Context())}, nil
}

// pageError shows an error as a page in the reader's language.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, c *enforce.Caller, err error) {
	code := accord.ErrorCode(err)
	e := accord.AsError(err)
	if code == accord.EINTERNAL || e == nil {
		s.logger.Error("internal error", "request_id", requestID(r.Context()), "route", r.Pattern, "err", err)
		e, code = errInternal, accord.EINTERNAL
	}
	if code == accord.EUNAUTHENTICATED {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	if c == nil {
		c, _ = s.sessionCaller(r) // the navigation, when signed in
	}
	v := s.newView(r, c, "", "Something needs your attention", nil)
	v.Data = map[string]any{"Message": v.P.Sprintf(e.Format, e.Args...), "Code": code, "Request": requestID(r.Context()),
		"Decision": enforce.AsDenied(err)}
	if rerr := s.render(w, statusOf[code], "error", v); rerr != nil {
		s.logger.Error("rendering error page", "request_id", requestID(r.Context()), "err", rerr)
		http.Error(w, v.P.Sprintf("Something went wrong on our side. Please try again."), http.StatusInternalServerError)
	}
}

// parseForm reads a posted form (urlencoded, at most maxBody) into a form
// with a fresh token for the next submission.
func parseForm(r *http.Request) (*form, error) {
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, accord.Errorf(accord.ETOOLARGE, "the request body is larger than %d bytes", maxBody)
		}
		return nil, accord.Errorf(accord.EINVALID, "the form could not be read")
	}
	f := &form{Values: r.PostForm, Errors: map[string]string{}}
	if f.Values == nil {
		f.Values = url.Values{}
	}
	// Browsers send a textarea's line breaks as CR LF; Accord keeps text
	// with LF only (a CR is a control character to the validators).
	for _, vs := range f.Values {
		for i, v := range vs {
			if strings.Contains(v, "\r") {
				vs[i] = strings.ReplaceAll(strings.ReplaceAll(v, "\r\n", "\n"), "\r", "\n")
			}
		}
	}
	return f, nil
}

// newForm returns an empty form with a fresh token.
func newForm() *form {
	return &form{Values: url.Values{}, Errors: map[string]string{}, Token: formToken()}
}

func formToken() string {
	var b [20]byte
	rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// errorText renders an error's message in the reader's language (a
// denial's plain-language explanation for denials).
func errorText(p *i18n.Printer, err error) string {
	if d := enforce.AsDenied(err); d != nil {
		return p.Render(d.Explanation)
	}
	if e := accord.AsError(err); e != nil && e.Code != accord.EINTERNAL {
		return p.Sprintf(e.Format, e.Args...)
	}
	return p.Sprintf("Something went wrong on our side. Please try again.")
}

// fail puts err on the form: beside its field when it names one, else on
// the form. It returns false for errors that are not about the input.
func (f *form) fail(p *i18n.Printer, err error) bool {
	e := accord.AsError(err)
	if e == nil || e.Code == accord.EINTERNAL || e.Code == accord.EUNAUTHENTICATED {
		return false
	}
	msg := p.Sprintf(e.Format, e.Args...)
	if d := enforce.AsDenied(err); d != nil {
		msg = p.Render(d.Explanation)
	}
	field := strings.TrimPrefix(e.Field, "provisions.")
	if field != "" {
		f.Errors[field] = msg
	} else {
		f.Error = msg
	}
	return true
}

// once runs a form submission at most once per form token: a double
// click or a reload goes to where the first submission went.
func (s *Server) once(w http.ResponseWriter, r *http.Request, c *enforce.Caller, f *form, do func() (string, error)) (bool, error) {
	token := f.Values.Get("form_token")
	first, result, err := s.db.UseFormToken(r.Context(), token, c.Staff.ID)
	if err != nil {
		return false, err
	}
	if !first {
		if result == "" {
			result = r.URL.Path
		}
		http.Redirect(w, r, addNotice(result, "already-done"), http.StatusSeeOther)
		return true, nil
	}
	to, err := do()
	if err != nil {
		// Let the corrected form be sent again.
		s.db.ReleaseFormToken(r.Context(), token, c.Staff.ID)
		f.Token = token
		return false, err
	}
	s.db.SetFormResult(r.Context(), token, to)
	http.Redirect(w, r, to, http.StatusSeeOther)
	return true, nil
}

// addNotice sets the notice a page shows after a redirect, replacing any
// notice already in the address and keeping its #fragment last.
func addNotice(to, notice string) string {
	frag := ""
	if i := strings.IndexByte(to, '#'); i >= 0 {
		to, frag = to[:i], to[i:]
	}
	u, err := url.Parse(to)
	if err != nil {
		return to + frag
	}
	q := u.Query()
	q.Set("notice", notice)
	u.RawQuery = q.Encode()
	return u.String() + frag
}

// staticFile is an embedded asset, with its gzip form when that is
// smaller.
type staticFile struct {
	body, gz    []byte
	contentType string
	etag        string
}

// assets are the embedded files under static/, and accord.css: every
// static/css/*.css joined in name order (one request, one cache entry;
// each page group keeps its own rules in its own file).
var assets = loadAssets()

func loadAssets() map[string]*staticFile {
	out := map[string]*staticFile{}
	add := func(name string, b []byte) {
		f := &staticFile{body: b, contentType: mime.TypeByExtension(path.Ext(name))}
		if strings.HasSuffix(name, ".txt") {
			f.contentType = "text/plain; charset=utf-8"
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		if buf.Len() < len(b) {
			f.gz = buf.Bytes()
		}
		sum := sha256.Sum256(b)
		f.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
		out[name] = f
	}
	files, _ := fs.ReadDir(staticFS, "static")
	for _, e := range files {
		if !e.IsDir() {
			b, _ := staticFS.ReadFile("static/" + e.Name())
			add(e.Name(), b)
		}
	}
	css, _ := fs.Glob(staticFS, "static/css/*.css")
	var all []byte
	for _, name := range css { // fs.Glob returns names sorted
		b, _ := staticFS.ReadFile(name)
		all = append(append(all, b...), '\n')
	}
	add("accord.css", all)
	return out
}

// static serves the embedded stylesheet and scripts, compressed and
// cacheable (the ETag changes with the content).
func (s *Server) static(w http.ResponseWriter, r *http.Request) error {
	f, ok := assets[r.PathValue("file")]
	if !ok {
		return accord.Errorf(accord.ENOTFOUND, "There is no such page.")
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("ETag", f.etag)
	h.Set("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	body := f.body
	if f.gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
	return nil
}

// setLanguage remembers the chosen language in a cookie and goes back.
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) error {
	tag := s.cat.Match(r.PathValue("tag"))
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: tag.String(), Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode})
	next := r.URL.Query().Get("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}
