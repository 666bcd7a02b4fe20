package http

import (
	"net/http"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// The client's consents in the portal: see them in plain words, give a
// new one (a guided form: who, then what and why), stop one (after being
// told what stops at once and what was already shared).

// portalConsentRow is one consent as the page shows it.
type portalConsentRow struct {
	ID        string
	Sentences []string
	State     string
	Badge     string
	Given     string
	Active    bool // in force or starting later: can be stopped
}

type portalConsentsData struct {
	Active, Ended []portalConsentRow
	Home          string
}

func portalConsentRowOf(p *i18n.Printer, pc *enforce.PortalConsent) portalConsentRow {
	state, badge := consentState(p, pc)
	return portalConsentRow{ID: pc.ID, Sentences: consentSentences(p, pc), State: state, Badge: badge, Given: consentGiven(p, pc),
		Active: pc.Status == accord.ConsentActive && !pc.Expired}
}

func (s *Server) portalConsents(w http.ResponseWriter, r *http.Request, clientID string) error {
	cs, err := s.svc.PortalConsents(r.Context(), clientID)
	if err != nil {
		return err
	}
	me, err := s.svc.PortalSelf(r.Context(), clientID)
	if err != nil {
		return err
	}
	v := s.portalView(r, clientID, "consents", "My consents", nil)
	d := &portalConsentsData{Home: me.HomeName}
	for i := range cs {
		row := portalConsentRowOf(v.P, &cs[i])
		if row.Active {
			d.Active = append(d.Active, row)
		} else {
			d.Ended = append(d.Ended, row)
		}
	}
	v.Data = d
	return s.render(w, http.StatusOK, "portal_consents", v)
}

// portalNewData is the guided consent form.
type portalNewData struct {
	// Step 1: who.
	Orgs []option
	// Step 2: what, why, how long, for the chosen organisation.
	Chosen     *enforce.ConsentChoice
	Categories []option
	Purposes   []option
	Months     []option
	Confirm    string
	Minor      bool
	Home       string
}

// portalConsentNew shows the guided form: first who (a GET form, so it
// works without script), then what and why for that organisation.
func (s *Server) portalConsentNew(w http.ResponseWriter, r *http.Request, clientID string) error {
	v := s.portalView(r, clientID, "consents", "Give a new consent", nil)
	f := newForm()
	if to := r.URL.Query().Get("to"); to != "" {
		f.Values.Set("organization", to)
		f.Values.Set("months", "12")
	}
	v.Form = f
	d, err := s.portalNewData(r, clientID, v.P, f)
	if err != nil {
		return err
	}
	v.Data = d
	return s.render(w, http.StatusOK, "portal_consent_new", v)
}

func (s *Server) portalNewData(r *http.Request, clientID string, p *i18n.Printer, f *form) (*portalNewData, error) {
	me, err := s.svc.PortalSelf(r.Context(), clientID)
	if err != nil {
		return nil, err
	}
	d := &portalNewData{Minor: me.Minor, Home: me.HomeName}
	if me.Minor {
		return d, nil
	}
	choices, err := s.svc.PortalConsentChoices(r.Context(), clientID)
	if err != nil {
		return nil, err
	}
	to := f.Values.Get("organization")
	for i, ch := range choices {
		label := ch.Organization.Name
		if w, ok := portalSectorWords[ch.Organization.Sector]; ok {
			label = p.Sprintf("%[1]s (%[2]s)", ch.Organization.Name, w)
		}
		d.Orgs = append(d.Orgs, option{Value: ch.Organization.ID, Label: label})
		if ch.Organization.ID == to {
			d.Chosen = &choices[i]
		}
	}
	if d.Chosen == nil {
		// Back to the first step, with the problem beside its question.
		delete(f.Errors, "organization")
		if to != "" {
			f.Errors["to"] = p.Sprintf("Choose who can see your information.")
		}
		return d, nil
	}
	for _, c := range d.Chosen.Categories {
		d.Categories = append(d.Categories, option{Value: string(c), Label: upperFirst(wordOr(p, portalCategoryWords, c, string(c)))})
	}
	for _, x := range d.Chosen.Purposes {
		d.Purposes = append(d.Purposes, option{Value: string(x), Label: p.Sprintf("To %s", wordOr(p, portalPurposeWords, x, string(x)))})
	}
	d.Months = []option{
		{Value: "6", Label: p.Sprintf("6 months")},
		{Value: "12", Label: p.Sprintf("1 year")},
		{Value: "24", Label: p.Sprintf("2 years")},
		{Value: "0", Label: p.Sprintf("Until I stop it")},
	}
	d.Confirm = p.Sprintf("I understand that %s can see this from now on, and that I can stop it at any time on this page.", d.Chosen.Organization.Name)
	return d, nil
}

// portalConsentGive records the consent the client gives.
func (s *Server) portalConsentGive(w http.ResponseWriter, r *http.Request, clientID string) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	v := s.portalView(r, clientID, "consents", "Give a new consent", nil)
	v.Form = f
	p := v.P
	in := enforce.PortalConsentInput{OrganizationID: f.Values.Get("organization"), Language: v.Lang}
	for _, c := range f.Values["categories"] {
		in.Categories = append(in.Categories, accord.Category(c))
	}
	for _, x := range f.Values["purposes"] {
		in.Purposes = append(in.Purposes, accord.Purpose(x))
	}
	months, err := strconv.Atoi(f.Values.Get("months"))
	if err != nil || !slices.Contains([]int{0, 6, 12, 24}, months) {
		f.Errors["months"] = p.Sprintf("Choose how long it lasts.")
	}
	in.Months = months
	if f.Values.Get("confirm") != "yes" {
		f.Errors["confirm"] = p.Sprintf("Tick the box to show you understand.")
	}
	if len(f.Errors) == 0 {
		done, err := s.portalOnce(w, r, clientID, f, func() (string, error) {
			if _, err := s.svc.PortalGiveConsent(r.Context(), clientID, in); err != nil {
				return "", err
			}
			return "/my/consents?notice=portal-consent-given", nil
		})
		if done {
			return nil
		}
		if !f.fail(p, err) {
			return err
		}
	}
	if f.Token == "" {
		f.Token = formToken()
	}
	d, derr := s.portalNewData(r, clientID, p, f)
	if derr != nil {
		return derr
	}
	v.Data = d
	return s.render(w, http.StatusUnprocessableEntity, "portal_consent_new", v)
}

// upperFirst capitalises a phrase used as a label (a no-op in scripts
// without case, like Arabic).
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// portalStopData is the page that explains stopping a consent.
type portalStopData struct {
	Consent portalConsentRow
	// Stops are the sentences of what stops at once.
	Stops []string
	// Already are the sentences of what was already shared.
	Already []string
	Home    string
}

// portalStopPage explains what stopping a consent does, and asks.
func (s *Server) portalStopPage(w http.ResponseWriter, r *http.Request, clientID string) error {
	eff, err := s.svc.PortalRevokeEffect(r.Context(), clientID, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := s.portalView(r, clientID, "consents", "Stop a consent", nil)
	v.Form = newForm()
	v.Data, err = s.portalStopData(r, clientID, v.P, eff)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "portal_consent_stop", v)
}

func (s *Server) portalStopData(r *http.Request, clientID string, p *i18n.Printer, eff *enforce.RevokeEffect) (*portalStopData, error) {
	me, err := s.svc.PortalSelf(r.Context(), clientID)
	if err != nil {
		return nil, err
	}
	d := &portalStopData{Consent: portalConsentRowOf(p, &eff.Consent), Home: me.HomeName}
	for i, pr := range eff.Consent.Provisions {
		if pr.Type != accord.ProvisionPermit {
			// Stopping the consent also ends the limits it set.
			d.Stops = append(d.Stops, p.Sprintf("This rule will no longer protect you: %s", provisionSentence(p, &eff.Consent, &eff.Consent.Provisions[i])))
			continue
		}
		var who []string
		for _, o := range pr.Organizations {
			who = append(who, eff.Consent.Names[o])
		}
		for _, sc := range pr.Sectors {
			who = append(who, wordOr(p, portalSectorWords, sc, string(sc)))
		}
		d.Stops = append(d.Stops, p.Sprintf("%[1]s can no longer see %[2]s because of this consent.", join(p, who), categoryWords(p, pr.Categories)))
	}
	for _, sh := range eff.Already {
		what := wordOr(p, portalCategoryWords, sh.Category, string(sh.Category))
		d.Already = append(d.Already, p.Sprintf("%[1]s saw %[2]s (last time on %[3]s).", sh.OrganizationName, what, sh.Last))
	}
	return d, nil
}

// portalStopSubmit stops a consent. The consent is named in the form; one
// that is not the signed-in client's is "not found".
func (s *Server) portalStopSubmit(w http.ResponseWriter, r *http.Request, clientID string) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	id := f.Values.Get("consent")
	eff, err := s.svc.PortalRevokeEffect(r.Context(), clientID, id)
	if err != nil {
		return err
	}
	done, err := s.portalOnce(w, r, clientID, f, func() (string, error) {
		if _, err := s.svc.PortalRevokeConsent(r.Context(), clientID, id); err != nil {
			return "", err
		}
		return "/my/consents?notice=portal-consent-stopped", nil
	})
	if done {
		return nil
	}
	v := s.portalView(r, clientID, "consents", "Stop a consent", nil)
	v.Form = f
	if !f.fail(v.P, err) {
		return err
	}
	d, derr := s.portalStopData(r, clientID, v.P, eff)
	if derr != nil {
		return derr
	}
	v.Data = d
	return s.render(w, statusOf[accord.ErrorCode(err)], "portal_consent_stop", v)
}
