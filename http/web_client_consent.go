package http

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// Consents: the list with what each permits and refuses in words, the
// capture form, the consent with its printable form and signed receipt in
// the client's language, and revocation.

// clientConsentRow is a consent as a person reads it.
type clientConsentRow struct {
	accord.Consent
	State      string // active, pending, expired, revoked
	StateLabel string
	Lines      []clientProvisionLine
	Collector  string // organisation
	Method     string
	Language   string
	Until      time.Time // the end, when there is one
	Revoked    time.Time
}

type clientProvisionLine struct {
	Permit bool
	Text   string
}

// clientConsentState says where a consent is at now.
func clientConsentState(cn *accord.Consent, now time.Time) string {
	switch {
	case cn.Status == accord.ConsentRevoked:
		return "revoked"
	case cn.End != nil && !now.Before(*cn.End):
		return "expired"
	case now.Before(cn.Start):
		return "pending"
	}
	return "active"
}

// clientConsentRowOf describes a consent; you words it for the client
// ("your information").
func (s *Server) clientConsentRowOf(p *i18n.Printer, cn accord.Consent, orgs map[string]string, you bool) clientConsentRow {
	row := clientConsentRow{Consent: cn, State: clientConsentState(&cn, s.now()), Collector: orgs[cn.OrganizationID],
		Method: clientMethodLabel(p, cn.Method), Language: clientLanguageName(p, cn.Language)}
	if cn.End != nil {
		// The last day in force (a consent ending at midnight ends the
		// day before).
		row.Until = cn.End.Add(-time.Second)
	}
	if cn.RevokedAt != nil {
		row.Revoked = *cn.RevokedAt
	}
	if row.State == "pending" {
		row.StateLabel = p.Sprintf("not yet in force")
	} else {
		row.StateLabel = p.Sprintf(string(i18n.Status(row.State)))
	}
	for _, pv := range cn.Provisions {
		row.Lines = append(row.Lines, clientProvisionLine{Permit: pv.Type == accord.ProvisionPermit, Text: clientProvisionText(p, pv, orgs, you)})
	}
	return row
}

// clientProvisionText says in words what one provision allows or refuses.
func clientProvisionText(p *i18n.Printer, pv accord.Provision, orgs map[string]string, you bool) string {
	sep := p.Sprintf(", ")
	var who []string
	for _, o := range pv.Organizations {
		name := orgs[o]
		if name == "" {
			name = o
		}
		who = append(who, name)
	}
	for _, sec := range pv.Sectors {
		who = append(who, p.Sprintf("any organisation in %s", i18n.Sector(sec)))
	}
	var what []string
	for _, c := range pv.Categories {
		what = append(what, p.Sprintf(string(i18n.Category(c))))
	}
	var why []string
	for _, x := range pv.Purposes {
		why = append(why, p.Sprintf(string(i18n.Purpose(x))))
	}
	var text string
	if pv.Type == accord.ProvisionPermit {
		text = p.Sprintf("%[1]s may see %[2]s for %[3]s.", strings.Join(who, sep), strings.Join(what, sep), strings.Join(why, sep))
		if len(pv.Sensitivity) > 0 {
			var labels []string
			for _, x := range pv.Sensitivity {
				labels = append(labels, clientSensitivityLabel(p, x))
			}
			text += " " + p.Sprintf("This includes information about %s.", strings.Join(labels, sep))
		}
	} else {
		whatS, whyS := strings.Join(what, sep), strings.Join(why, sep)
		switch {
		case whatS != "":
		case you:
			whatS = p.Sprintf("any of your information")
		default:
			whatS = p.Sprintf("any of the client's information")
		}
		if whyS == "" {
			whyS = p.Sprintf("any purpose")
		}
		if len(who) == 0 {
			text = p.Sprintf("No organisation may see %[1]s for %[2]s.", whatS, whyS)
		} else {
			text = p.Sprintf("%[1]s may not see %[2]s for %[3]s.", strings.Join(who, sep), whatS, whyS)
		}
	}
	if pv.End != nil {
		text += " " + p.Sprintf("Until %s.", p.Date(*pv.End))
	}
	return text
}

func clientMethodLabel(p *i18n.Printer, m accord.ConsentMethod) string {
	switch m {
	case accord.MethodWritten:
		return p.Sprintf("in writing")
	case accord.MethodVerbal:
		return p.Sprintf("by word of mouth")
	case accord.MethodVerbalInterpreter:
		return p.Sprintf("by word of mouth, through an interpreter")
	case accord.MethodElectronicSignature:
		return p.Sprintf("by electronic signature")
	}
	return string(m)
}

type clientConsentsData struct {
	Client accord.Client
	Rows   []clientConsentRow
	CanAct bool
}

func (s *Server) clientConsentsPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	ctx := r.Context()
	id := r.PathValue("id")
	purpose := s.purposeFor(r, c)
	cv, err := s.svc.ReadClient(ctx, c, id, purpose)
	if err != nil {
		return err
	}
	cs, err := s.svc.ClientConsents(ctx, c, id, purpose)
	if err != nil {
		return err
	}
	orgs, err := s.orgNames(r, c)
	if err != nil {
		return err
	}
	v := s.newView(r, c, "clients", "Consents", nil)
	d := &clientConsentsData{Client: cv.Client, CanAct: enforce.ClientFacing(&c.Staff) || c.Staff.RoleSet().Has(accord.RolePrivacyOfficer)}
	order := map[string]int{"active": 0, "pending": 1, "expired": 2, "revoked": 3}
	for _, cn := range cs {
		d.Rows = append(d.Rows, s.clientConsentRowOf(v.P, cn, orgs, false))
	}
	slices.SortStableFunc(d.Rows, func(a, b clientConsentRow) int {
		if order[a.State] != order[b.State] {
			return order[a.State] - order[b.State]
		}
		return b.CreatedAt.Compare(a.CreatedAt)
	})
	v.Data = d
	return s.render(w, http.StatusOK, "client_consents", v)
}

// Capturing a consent.

type clientConsentNewData struct {
	Client       accord.Client
	Minor        bool
	Orgs         []option
	Sectors      []option
	Categories   []option
	Purposes     []option
	Sensitive    []option
	Methods      []option
	Languages    []option
	Interpreters []option
}

func (s *Server) clientConsentNewView(r *http.Request, c *enforce.Caller, f *form) (*view, *accord.Client, error) {
	ctx := r.Context()
	cv, err := s.svc.ReadClient(ctx, c, r.PathValue("id"), s.purposeFor(r, c))
	if err != nil {
		return nil, nil, err
	}
	orgs, err := s.svc.Organizations(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	v := s.newView(r, c, "clients", "Record a consent", nil)
	p := v.P
	d := &clientConsentNewData{Client: cv.Client, Sensitive: clientSensitivityOptions(p),
		Languages: clientLanguageOptions(p, cv.Client.PreferredLanguage, f.Values.Get("language"))}
	if age, ok := cv.Client.AgeAt(s.now()); ok && age < 18 {
		d.Minor = true
	}
	// The services first; oversight, immigration and police last, so that
	// they are not ticked by mistake.
	rank := func(o accord.Organization) int {
		switch {
		case o.Sector.Enforcement():
			return 2
		case o.Sector == accord.SectorOversight:
			return 1
		}
		return 0
	}
	slices.SortFunc(orgs, func(a, b accord.Organization) int {
		if rank(a) != rank(b) {
			return rank(a) - rank(b)
		}
		return strings.Compare(a.Name, b.Name)
	})
	for _, o := range orgs {
		d.Orgs = append(d.Orgs, option{Value: o.ID, Label: o.Name + " (" + p.Sprintf(string(i18n.Sector(o.Sector))) + ")"})
	}
	for _, sec := range accord.Sectors {
		d.Sectors = append(d.Sectors, option{Value: string(sec), Label: clientCapital(p.Sprintf(string(i18n.Sector(sec))))})
	}
	for _, cat := range accord.Categories {
		if cat != accord.CatLegalPrivilegedNote {
			d.Categories = append(d.Categories, option{Value: string(cat), Label: clientCapital(p.Sprintf(string(i18n.Category(cat))))})
		}
	}
	for _, x := range accord.Purposes {
		if x != accord.PurposeEmergencyTreatment {
			d.Purposes = append(d.Purposes, option{Value: string(x), Label: clientCapital(p.Sprintf(string(i18n.Purpose(x))))})
		}
	}
	for _, m := range accord.ConsentMethods {
		d.Methods = append(d.Methods, option{Value: string(m), Label: clientCapital(clientMethodLabel(p, m))})
	}
	d.Interpreters = []option{{"", p.Sprintf("No interpreter")}}
	if staff, err := s.svc.StaffList(ctx, c, c.Staff.OrganizationID); err == nil {
		for _, st := range staff {
			if st.Active && st.RoleSet().Has(accord.RoleInterpreter) {
				d.Interpreters = append(d.Interpreters, option{Value: st.ID, Label: st.DisplayName})
			}
		}
	}
	v.Data = d
	v.Form = f
	return v, &cv.Client, nil
}

func (s *Server) clientConsentNewPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f := newForm()
	v, cl, err := s.clientConsentNewView(r, c, f)
	if err != nil {
		return err
	}
	lang := cl.PreferredLanguage
	if !slices.Contains(clientLanguages, lang) {
		lang = "other"
		f.Values.Set("other_language", cl.PreferredLanguage)
	}
	f.Values.Set("language", lang)
	f.Values.Set("method", string(accord.MethodWritten))
	f.Values.Set("end", s.now().AddDate(1, 0, 0).Format(time.DateOnly))
	return s.render(w, http.StatusOK, "client_consent_new", v)
}

func (s *Server) clientConsentSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	v, _, err := s.clientConsentNewView(r, c, f)
	if err != nil {
		return err
	}
	cn := s.clientConsentFromForm(v.P, f)
	cn.ClientID = r.PathValue("id")
	if len(f.Errors) > 0 || f.Error != "" {
		clientKeepToken(f)
		return s.render(w, http.StatusUnprocessableEntity, "client_consent_new", v)
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		if err := s.svc.CreateConsent(r.Context(), c, cn, s.purposeFor(r, c)); err != nil {
			return "", err
		}
		return addNotice("/consents/"+cn.ID, "consent-saved"), nil
	})
	if done {
		return nil
	}
	clientKeepToken(f)
	if !f.fail(v.P, err) {
		return err
	}
	for from, to := range map[string]string{"organizations": "p_orgs", "sectors": "p_sectors", "purposes": "p_purposes", "categories": "p_categories",
		"sensitivity": "p_sensitivity", "guardian": "guardian_name", "guardian.name": "guardian_name", "guardian.relationship": "guardian_relationship",
		"type": "", "start": "end"} {
		if msg, ok := f.Errors[from]; ok {
			delete(f.Errors, from)
			if to == "" {
				f.Error = msg
			} else {
				f.Errors[to] = msg
			}
		}
	}
	return s.render(w, clientFormStatus(err), "client_consent_new", v)
}

// clientConsentFromForm reads the capture form: what the client agrees to
// share (a permit provision) and what they refuse (a deny provision), how
// they gave it, and until when.
func (s *Server) clientConsentFromForm(p *i18n.Printer, f *form) *accord.Consent {
	vals := func(k string) []string {
		var out []string
		for _, x := range f.Values[k] {
			if x = strings.TrimSpace(x); x != "" && !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
		return out
	}
	cn := &accord.Consent{Method: accord.ConsentMethod(f.Values.Get("method")), Language: strings.TrimSpace(f.Values.Get("language")),
		InterpreterID: f.Values.Get("interpreter_id")}
	if cn.Language == "other" {
		cn.Language = strings.TrimSpace(f.Values.Get("other_language"))
		if cn.Language == "" {
			f.Errors["other_language"] = p.Sprintf("Type the language's code, such as ku or ti.")
		}
	}
	permit := accord.Provision{Type: accord.ProvisionPermit, Organizations: vals("p_orgs")}
	for _, x := range vals("p_sectors") {
		permit.Sectors = append(permit.Sectors, accord.Sector(x))
	}
	for _, x := range vals("p_categories") {
		permit.Categories = append(permit.Categories, accord.Category(x))
	}
	for _, x := range vals("p_purposes") {
		permit.Purposes = append(permit.Purposes, accord.Purpose(x))
	}
	for _, x := range vals("p_sensitivity") {
		permit.Sensitivity = append(permit.Sensitivity, accord.Sensitivity(x))
	}
	deny := accord.Provision{Type: accord.ProvisionDeny, Organizations: vals("d_orgs")}
	for _, x := range vals("d_sectors") {
		deny.Sectors = append(deny.Sectors, accord.Sector(x))
	}
	for _, x := range vals("d_categories") {
		deny.Categories = append(deny.Categories, accord.Category(x))
	}
	for _, x := range vals("d_purposes") {
		deny.Purposes = append(deny.Purposes, accord.Purpose(x))
	}
	usePermit := len(permit.Organizations)+len(permit.Sectors)+len(permit.Categories)+len(permit.Purposes)+len(permit.Sensitivity) > 0
	useDeny := f.Values.Get("refuse") == "yes"
	if !useDeny && len(deny.Organizations)+len(deny.Sectors)+len(deny.Categories)+len(deny.Purposes) > 0 {
		f.Errors["refuse"] = p.Sprintf("You chose what the client refuses: tick this box to record it, or clear those choices.")
	}
	if usePermit {
		if len(permit.Organizations) == 0 && len(permit.Sectors) == 0 {
			f.Errors["p_orgs"] = p.Sprintf("Choose who may receive the information: an organisation, or every organisation of a kind.")
		}
		if len(permit.Categories) == 0 {
			f.Errors["p_categories"] = p.Sprintf("Choose what information may be shared.")
		}
		if len(permit.Purposes) == 0 {
			f.Errors["p_purposes"] = p.Sprintf("Choose what the information may be used for.")
		}
		cn.Provisions = append(cn.Provisions, permit)
	}
	if useDeny {
		if len(deny.Organizations)+len(deny.Sectors)+len(deny.Categories)+len(deny.Purposes) == 0 {
			f.Errors["d_categories"] = p.Sprintf("Say what the client refuses: to whom, what information, or what for.")
		}
		cn.Provisions = append(cn.Provisions, deny)
	}
	if !usePermit && !useDeny && f.Errors["refuse"] == "" {
		f.Error = p.Sprintf("Record what the client agrees to share, what they refuse, or both.")
	}
	if cn.Method == "" {
		f.Errors["method"] = p.Sprintf("Say how the client gave this consent.")
	}
	if cn.Language == "" && f.Errors["other_language"] == "" {
		f.Errors["language"] = p.Sprintf("Choose the language the client was told about this consent in.")
	}
	cn.Start = s.now().UTC()
	if e := strings.TrimSpace(f.Values.Get("end")); e != "" {
		t, err := time.Parse(time.DateOnly, e)
		switch {
		case err != nil:
			f.Errors["end"] = p.Sprintf("Type the date as year-month-day, such as 2027-03-31.")
		case t.AddDate(0, 0, 1).Before(s.now()):
			f.Errors["end"] = p.Sprintf("The last day cannot be in the past.")
		default:
			// In force to the end of the last day.
			end := t.AddDate(0, 0, 1)
			cn.End = &end
		}
	}
	name, rel := strings.TrimSpace(f.Values.Get("guardian_name")), strings.TrimSpace(f.Values.Get("guardian_relationship"))
	if name != "" || rel != "" {
		cn.Guardian = &accord.Guardian{Name: name, Relationship: rel}
		if name == "" {
			f.Errors["guardian_name"] = p.Sprintf("Type the name of the person who consented for the client.")
		}
		if rel == "" {
			f.Errors["guardian_relationship"] = p.Sprintf("Say how they are related to the client, such as mother or legal guardian.")
		}
	}
	return cn
}

// The consent page: details, the printable form and signed receipt in the
// client's language, and revocation.

type clientConsentData struct {
	Client    accord.Client
	Row       clientConsentRow
	Collector string // staff member, when a colleague
	CanRevoke bool
	Revoke    *form
	// Print is the printable part, in the client's language.
	Print *view
}

type clientConsentPrint struct {
	Client    accord.Client
	BirthDate string
	Row       clientConsentRow
	Receipt   enforce.Receipt
	JWS       string
	Guardian  *accord.Guardian
	Staff     string
	Created   time.Time
}

func (s *Server) clientConsentView(r *http.Request, c *enforce.Caller, revoke *form) (*view, error) {
	ctx := r.Context()
	id := r.PathValue("id")
	purpose := s.purposeFor(r, c)
	jws, rec, err := s.svc.ConsentReceipt(ctx, c, id, purpose)
	if err != nil {
		return nil, err
	}
	clientID := rec.PIIPrincipalID
	cv, err := s.svc.ReadClient(ctx, c, clientID, purpose)
	if err != nil {
		return nil, err
	}
	cs, err := s.svc.ClientConsents(ctx, c, clientID, purpose)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(cs, func(x accord.Consent) bool { return x.ID == id })
	if i < 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "consent not found")
	}
	cn := cs[i]
	orgs, err := s.orgNames(r, c)
	if err != nil {
		return nil, err
	}
	names := s.clientStaffNames(r, c)
	v := s.newView(r, c, "clients", "Consent", nil)
	roles := c.Staff.RoleSet()
	d := &clientConsentData{Client: cv.Client, Row: s.clientConsentRowOf(v.P, cn, orgs, false), Collector: names[cn.CollectedBy],
		CanRevoke: cn.Status == accord.ConsentActive && (enforce.ClientFacing(&c.Staff) || roles.Has(accord.RolePrivacyOfficer)) &&
			(c.Staff.OrganizationID == cn.OrganizationID || c.Staff.OrganizationID == cv.Client.HomeOrganizationID)}
	if revoke == nil {
		revoke = newForm()
	}
	d.Revoke = revoke

	cp := s.clientPrinter(v.P, cv.Client.PreferredLanguage, cn.Language)
	pv := *v
	pv.P, pv.Lang, pv.Dir = cp, cp.Tag.String(), i18n.Dir(cp.Tag)
	pd := &clientConsentPrint{Client: cv.Client, Row: s.clientConsentRowOf(cp, cn, orgs, true), Receipt: rec, JWS: jws, Guardian: cn.Guardian,
		Staff: names[cn.CollectedBy], Created: cn.CreatedAt}
	pd.BirthDate = clientBirthDateText(cp, cv.Client.BirthDate)
	pv.Data = pd
	d.Print = &pv
	v.Data = d
	return v, nil
}

// clientBirthDateText shows a full or partial birth date.
func clientBirthDateText(p *i18n.Printer, bd string) string {
	switch len(bd) {
	case 10:
		if t, err := time.Parse(time.DateOnly, bd); err == nil {
			return p.Date(t)
		}
	case 7:
		if t, err := time.Parse("2006-01", bd); err == nil {
			return p.Sprintf(t.Month().String()) + " " + bd[:4]
		}
	}
	return bd
}

func (s *Server) clientConsentPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, err := s.clientConsentView(r, c, nil)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "client_consent", v)
}

func (s *Server) clientConsentRevoke(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	v, err := s.clientConsentView(r, c, f)
	if err != nil {
		return err
	}
	d := v.Data.(*clientConsentData)
	if d.Row.Status == accord.ConsentActive && !d.CanRevoke {
		return accord.Errorf(accord.EFORBIDDEN, "only the organisation that collected this consent, or the client's home organisation, can revoke it")
	}
	reason := strings.TrimSpace(f.Values.Get("reason"))
	if !d.CanRevoke {
		// Already revoked: a repeated form goes to its first result;
		// another says so.
		reason = "-"
		f.Values.Set("confirm", "yes")
	}
	if reason == "" {
		f.Errors["reason"] = v.P.Sprintf("Write why the consent is revoked, in the client's words if you can.")
	}
	if f.Values.Get("confirm") != "yes" {
		f.Errors["confirm"] = v.P.Sprintf("Confirm that you explained what revoking does and that the client wants it.")
	}
	if len(f.Errors) > 0 {
		clientKeepToken(f)
		return s.render(w, http.StatusUnprocessableEntity, "client_consent", v)
	}
	id := r.PathValue("id")
	done, err := s.once(w, r, c, f, func() (string, error) {
		if _, err := s.svc.RevokeConsent(r.Context(), c, id, reason); err != nil {
			return "", err
		}
		return addNotice("/consents/"+id, "consent-revoked"), nil
	})
	if done {
		return nil
	}
	clientKeepToken(f)
	if !d.CanRevoke || !f.fail(v.P, err) {
		return err
	}
	return s.render(w, clientFormStatus(err), "client_consent", v)
}
