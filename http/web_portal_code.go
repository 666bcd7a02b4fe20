package http

import (
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// The staff side of the portal: giving a client a one-time sign-in code.
// The code is shown once, big and grouped for reading aloud, with a
// hand-out in the client's language to print, and can be sent to the
// e-mail address or phone number recorded for the client.

// portalHandout is the part of the code page meant for the client, in
// their language: its own P, so {{t .P "…"}} inside it speaks to them.
type portalHandout struct {
	P         *i18n.Printer
	Lang, Dir string
	Groups    []string
	SignInURL string
	ExpiresAt time.Time
}

type portalCodeData struct {
	ClientID  string
	Code      string // for the send form
	Groups    []string
	ExpiresAt time.Time
	Handout   *portalHandout
	// Contact details the staff member may see, and whether each channel
	// is set up on this server.
	ContactShared bool
	Withheld      *enforce.Decided
	Email, Phone  string
	EmailReady    bool
	SMSReady      bool
	Channels      []option
}

// portalSignInURL is the portal's sign-in address as the client types it.
func (s *Server) portalSignInURL(r *http.Request) string {
	scheme := "http"
	if s.secure || r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/my/signin"
}

// portalCodeIssue makes a new code for the client (POST from the client's
// profile) and shows it once. A second submission of the same form does
// not make another code (it would silently replace the first).
func (s *Server) portalCodeIssue(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	back := "/clients/" + id
	if token := f.Values.Get("form_token"); token != "" {
		first, result, err := s.db.UseFormToken(r.Context(), token, c.Staff.ID)
		if err != nil {
			return err
		}
		if !first {
			if result == "" {
				result = back
			}
			http.Redirect(w, r, addNotice(result, "already-done"), http.StatusSeeOther)
			return nil
		}
	}
	issued, err := s.svc.IssuePortalCode(r.Context(), c, id, s.purposeFor(r, c))
	if err != nil {
		if token := f.Values.Get("form_token"); token != "" {
			s.db.ReleaseFormToken(r.Context(), token, c.Staff.ID)
		}
		return err
	}
	if token := f.Values.Get("form_token"); token != "" {
		// The code is shown only now; a repeat goes back to the profile.
		s.db.SetFormResult(r.Context(), token, back)
	}
	v := s.newView(r, c, "clients", "Portal sign-in code", nil)
	v.Form = newForm()
	v.Data = s.portalCodeData(r, issued.ClientID, issued.Code, issued)
	return s.render(w, http.StatusOK, "portal_code", v)
}

func (s *Server) portalCodeData(r *http.Request, clientID, code string, issued *enforce.IssuedCode) *portalCodeData {
	sender := s.portalSender()
	d := &portalCodeData{ClientID: clientID, Code: code, Groups: enforce.FormatPortalCode(code), ExpiresAt: issued.ExpiresAt,
		ContactShared: issued.ContactShared, Withheld: issued.ContactWithheld, Email: issued.Email, Phone: issued.Phone,
		EmailReady: enforce.PortalChannelAvailable(sender, enforce.ChannelEmail),
		SMSReady:   enforce.PortalChannelAvailable(sender, enforce.ChannelSMS)}
	tag, err := language.Parse(issued.Language)
	if err != nil {
		tag = language.English
	}
	cp := s.cat.Printer(s.cat.Match(tag.String()))
	d.Handout = &portalHandout{P: cp, Lang: cp.Tag.String(), Dir: i18n.Dir(cp.Tag), Groups: d.Groups, SignInURL: s.portalSignInURL(r), ExpiresAt: issued.ExpiresAt}
	return d
}

// portalCodeSend sends the code just made to the client's e-mail address
// or phone. The code comes back in the form (it is stored only hashed);
// enforce checks it is the client's current one.
func (s *Server) portalCodeSend(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	code := strings.TrimSpace(f.Values.Get("code"))
	channel := f.Values.Get("channel")
	purpose := s.purposeFor(r, c)
	done, err := s.once(w, r, c, f, func() (string, error) {
		if err := s.svc.SendPortalCode(r.Context(), c, id, code, channel, purpose, s.portalSender()); err != nil {
			return "", err
		}
		return "/clients/" + id + "?notice=portal-code-sent", nil
	})
	if done {
		return nil
	}
	switch accord.ErrorCode(err) {
	case accord.EINVALID, accord.EUNAVAILABLE, accord.EDENIED, accord.ECONFLICT:
	default:
		return err
	}
	// Show the code page again with the problem, so the code can still be
	// read out or printed.
	v := s.newView(r, c, "clients", "Portal sign-in code", nil)
	v.Form = f
	f.fail(v.P, err)
	issued := &enforce.IssuedCode{ClientID: id, Code: code, ExpiresAt: time.Time{}}
	if self, serr := s.svc.PortalCodeContact(r.Context(), c, id, code, purpose); serr == nil {
		issued = self
		issued.Code = code
	}
	v.Data = s.portalCodeData(r, id, code, issued)
	return s.render(w, statusOf[accord.ErrorCode(err)], "portal_code", v)
}
