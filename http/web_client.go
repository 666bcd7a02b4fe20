package http

import (
	"errors"
	"net/http"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/match"
)

// The client pages: finding a client, intake with duplicate suggestions,
// the profile (exactly what the viewer may see, and why the rest is
// withheld), records, consents with their printable form and receipt,
// screening, and emergency (break-glass) access. Every read goes through
// enforce with the purpose of use the staff member works under.

// clientPages are the pages of this group.
func (s *Server) clientPages() []route {
	return []route{
		{"GET", "/clients", s.page(s.clientSearchPage)},
		{"POST", "/clients", s.page(s.clientSearchSubmit)},
		{"GET", "/clients/new", s.page(s.clientNewPage)},
		{"POST", "/clients/new", s.page(s.clientNewSubmit)},
		{"POST", "/clients/new/matches", s.page(s.clientMatches)},
		{"GET", "/clients/{id}", s.page(s.clientProfilePage)},
		{"GET", "/clients/{id}/edit", s.page(s.clientEditPage)},
		{"POST", "/clients/{id}/edit", s.page(s.clientEditSubmit)},
		{"GET", "/clients/{id}/merge", s.page(s.clientMergePage)},
		{"POST", "/clients/{id}/merge", s.page(s.clientMergeSubmit)},
		{"GET", "/clients/{id}/records/new", s.page(s.clientRecordPage)},
		{"POST", "/clients/{id}/records", s.page(s.clientRecordSubmit)},
		{"POST", "/clients/{id}/care-team", s.page(s.clientCareTeamSubmit)},
		{"GET", "/clients/{id}/consents", s.page(s.clientConsentsPage)},
		{"GET", "/clients/{id}/consents/new", s.page(s.clientConsentNewPage)},
		{"POST", "/clients/{id}/consents", s.page(s.clientConsentSubmit)},
		{"GET", "/consents/{id}", s.page(s.clientConsentPage)},
		{"POST", "/consents/{id}/revoke", s.page(s.clientConsentRevoke)},
		{"GET", "/clients/{id}/screenings", s.page(s.clientScreeningsPage)},
		{"GET", "/clients/{id}/screenings/new", s.page(s.clientScreeningChoose)},
		{"GET", "/clients/{id}/screenings/new/{questionnaire}", s.page(s.clientScreeningForm)},
		{"POST", "/clients/{id}/screenings/new/{questionnaire}", s.page(s.clientScreeningSubmit)},
		{"GET", "/clients/{id}/screenings/{screening}", s.page(s.clientScreeningPage)},
		{"GET", "/clients/{id}/break-glass", s.page(s.clientBreakGlassPage)},
		{"POST", "/clients/{id}/break-glass", s.page(s.clientBreakGlassSubmit)},
		{"GET", "/clients/{id}/emergency", s.page(s.clientEmergencyPage)},
	}
}

func init() {
	registerNotices(map[string]string{
		"client-record-added":    "The record is saved.",
		"client-care-team-added": "Your colleague is now on the client's care team.",
	})
}

// Finding a client. The search is a POST form: names never travel in a URL.

type clientSearchData struct {
	Searched bool
	Results  []clientRow
	Hidden   int
}

// clientRow is a client as a list shows them.
type clientRow struct {
	accord.Client
	Home     string // the organisation that registered them
	Born     string // the birth date as known (perhaps only the year)
	Age      int
	AgeKnown bool
	Language string
}

func (s *Server) clientSearchPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v := s.newView(r, c, "clients", "Find a client", &clientSearchData{})
	v.Form = newForm()
	return s.render(w, http.StatusOK, "client_search", v)
}

func (s *Server) clientSearchSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	d := &clientSearchData{}
	v := s.newView(r, c, "clients", "Find a client", d)
	v.Form = f
	q := strings.TrimSpace(f.Values.Get("q"))
	if utf8.RuneCountInString(q) > 200 {
		f.Errors["q"] = v.P.Sprintf("Type at most %d characters.", 200)
		return s.render(w, http.StatusUnprocessableEntity, "client_search", v)
	}
	res, err := s.svc.SearchClients(r.Context(), c, q, s.purposeFor(r, c), 50)
	if err != nil {
		if accord.ErrorCode(err) == accord.EINVALID && f.fail(v.P, err) {
			if e := accord.AsError(err); e != nil && e.Field == "q" {
				f.Errors["q"] = v.P.Sprintf("Type at least one letter of the client's name.")
			}
			return s.render(w, http.StatusUnprocessableEntity, "client_search", v)
		}
		return err
	}
	orgs, err := s.orgNames(r, c)
	if err != nil {
		return err
	}
	d.Searched, d.Hidden = true, res.Hidden
	for _, cl := range res.Clients {
		d.Results = append(d.Results, s.clientRowOf(v.P, cl, orgs))
	}
	return s.render(w, http.StatusOK, "client_search", v)
}

func (s *Server) clientRowOf(p *i18n.Printer, cl accord.Client, orgs map[string]string) clientRow {
	row := clientRow{Client: cl, Home: orgs[cl.HomeOrganizationID], Language: clientLanguageName(p, cl.PreferredLanguage),
		Born: clientBirthDateText(p, cl.BirthDate)}
	row.Age, row.AgeKnown = cl.AgeAt(s.now())
	return row
}

// Intake.

type clientNewData struct {
	Genders      []option
	Languages    []option
	Second       []option // a second language, or none
	Disabilities []option
	Areas        []option // the partnership's areas; none: intake does not ask
	// Matches are the likely and possible duplicates shown before a new
	// client is registered (nil until the details were checked).
	Matches *clientMatchData
}

type clientMatchData struct {
	Likely []clientLikely
	// Possible are the possible duplicates, shown under the likely ones.
	Possible []clientLikely
	// Hidden counts the likely and possible duplicates the caller may not
	// see.
	Hidden int
	// Asked is set when the form must be confirmed before it registers.
	Asked bool
}

type clientLikely struct {
	clientRow
	Percent int
	Why     []string
}

func (s *Server) clientNewData(r *http.Request, c *enforce.Caller, p *i18n.Printer, current ...string) (*clientNewData, error) {
	areas, err := s.svc.Areas(r.Context(), c)
	if err != nil {
		return nil, err
	}
	d := &clientNewData{
		Genders:   clientGenderOptions(p),
		Languages: clientLanguageOptions(p, current...),
	}
	d.Second = []option{{"", p.Sprintf("None")}}
	for _, o := range d.Languages {
		if o.Value != "other" && o.Value != "" {
			d.Second = append(d.Second, o)
		}
	}
	for _, x := range accord.Disabilities {
		d.Disabilities = append(d.Disabilities, option{Value: string(x), Label: clientDisabilityLabel(p, x)})
	}
	if len(areas) > 0 {
		d.Areas = []option{{"", p.Sprintf("Not recorded")}}
		for _, a := range areas {
			d.Areas = append(d.Areas, option{Value: a.Code, Label: a.Name})
		}
	}
	return d, nil
}

func (s *Server) clientNewPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v := s.newView(r, c, "clients", "Register a new client", nil)
	d, err := s.clientNewData(r, c, v.P)
	if err != nil {
		return err
	}
	v.Data = d
	v.Form = newForm()
	v.Form.Values.Set("gender", string(accord.GenderNotStated))
	return s.render(w, http.StatusOK, "client_new", v)
}

// errClientConfirm stops intake to show the likely and possible
// duplicates first.
var errClientConfirm = errors.New("duplicates to confirm")

func (s *Server) clientNewSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	v := s.newView(r, c, "clients", "Register a new client", nil)
	v.Form = f
	d, err := s.clientNewData(r, c, v.P, f.Values.Get("preferred_language"), f.Values.Get("second_language"))
	if err != nil {
		return err
	}
	v.Data = d
	cl := clientFromForm(v.P, f)
	if len(f.Errors) == 0 {
		if err := cl.Validate(s.now()); err != nil {
			if !f.fail(v.P, err) {
				return err
			}
			clientFixIntakeFields(f)
		}
	}
	if len(f.Errors) > 0 || f.Error != "" {
		clientKeepToken(f)
		return s.render(w, http.StatusUnprocessableEntity, "client_new", v)
	}
	purpose := s.purposeFor(r, c)
	done, err := s.once(w, r, c, f, func() (string, error) {
		if f.Values.Get("confirm_new") != "yes" {
			m, err := s.clientFindMatches(r, c, v.P, &cl, purpose)
			if err != nil {
				return "", err
			}
			if len(m.Likely) > 0 || len(m.Possible) > 0 || m.Hidden > 0 {
				m.Asked = true
				d.Matches = m
				return "", errClientConfirm
			}
		}
		if err := s.svc.CreateClient(r.Context(), c, &cl); err != nil {
			return "", err
		}
		return addNotice("/clients/"+cl.ID, "client-created"), nil
	})
	if done {
		return nil
	}
	clientKeepToken(f)
	if errors.Is(err, errClientConfirm) {
		return s.render(w, http.StatusOK, "client_new", v)
	}
	if !f.fail(v.P, err) {
		return err
	}
	clientFixIntakeFields(f)
	return s.render(w, clientFormStatus(err), "client_new", v)
}

// clientFormStatus is the status of a form shown again with err: 422 for
// invalid input, else the error's own status (403 for a denial).
func clientFormStatus(err error) int {
	code := accord.ErrorCode(err)
	if code == accord.EINVALID {
		return http.StatusUnprocessableEntity
	}
	if st, ok := statusOf[code]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// clientKeepToken keeps the submitted form token on a form shown again
// (a fresh one when it had none), so the corrected form can be sent.
func clientKeepToken(f *form) {
	if f.Token == "" {
		f.Token = f.Values.Get("form_token")
	}
	if len(f.Token) < 16 || len(f.Token) > 64 {
		f.Token = formToken()
	}
}

// clientFixIntakeFields moves errors on fields the form shows under
// another name.
func clientFixIntakeFields(f *form) {
	for from, to := range map[string]string{"identifiers.system": "id_system", "identifiers.value": "id_value", "languages": "second_language"} {
		if msg, ok := f.Errors[from]; ok {
			delete(f.Errors, from)
			f.Errors[to] = msg
		}
	}
}

// clientMatches answers the form's live duplicate check (htmx): a fragment
// listing likely and possible duplicates, or nothing.
func (s *Server) clientMatches(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	v := s.newView(r, c, "clients", "Register a new client", nil)
	v.Form = f
	cl := clientFromForm(v.P, f)
	var m *clientMatchData
	if f.Errors["birth_date"] == "" && cl.GivenName != "" {
		m, err = s.clientFindMatches(r, c, v.P, &cl, s.purposeFor(r, c))
		if err != nil && accord.ErrorCode(err) != accord.EINVALID {
			return err
		}
	}
	d, err := s.clientNewData(r, c, v.P)
	if err != nil {
		return err
	}
	d.Matches = m
	v.Data = d
	t := pages["client_new"]
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return t.ExecuteTemplate(w, "client_matches", v)
}

func (s *Server) clientFindMatches(r *http.Request, c *enforce.Caller, p *i18n.Printer, cl *accord.Client, purpose accord.Purpose) (*clientMatchData, error) {
	dups, err := s.svc.FindDuplicates(r.Context(), c, match.Person{GivenName: cl.GivenName, FamilyName: cl.FamilyName, BirthDate: cl.BirthDate,
		Phone: cl.Phone, Identifiers: cl.Identifiers}, purpose)
	if err != nil {
		return nil, err
	}
	orgs, err := s.orgNames(r, c)
	if err != nil {
		return nil, err
	}
	m := &clientMatchData{Hidden: dups.Hidden + dups.HiddenPossible}
	row := func(l enforce.Likely) clientLikely {
		lk := clientLikely{clientRow: s.clientRowOf(p, l.Client, orgs), Percent: min(99, int(l.Result.Probability*100+0.5))}
		for _, fm := range l.Result.Fields {
			if w := clientMatchWhy(p, fm); w != "" {
				lk.Why = append(lk.Why, w)
			}
		}
		return lk
	}
	for _, l := range dups.Likely {
		m.Likely = append(m.Likely, row(l))
	}
	for _, l := range dups.Possible {
		m.Possible = append(m.Possible, row(l))
	}
	return m, nil
}

// clientFromForm reads the intake form into a client, putting on f the
// errors that only the form can have (a partial date, an e-mail address).
func clientFromForm(p *i18n.Printer, f *form) accord.Client {
	get := func(k string) string { return strings.TrimSpace(f.Values.Get(k)) }
	cl := accord.Client{
		GivenName:         get("given_name"),
		FamilyName:        get("family_name"),
		Gender:            accord.Gender(get("gender")),
		GenderText:        get("gender_text"),
		PreferredLanguage: get("preferred_language"),
		InterpreterNeeded: get("interpreter_needed") == "yes",
		InterpreterUsed:   get("interpreter_used") == "yes",
		Phone:             get("phone"),
		Email:             get("email"),
		Address:           get("address"),
		Area:              get("area"),
	}
	if cl.GivenName == "" {
		f.Errors["given_name"] = p.Sprintf("Type the client's given name (or their only name).")
	}
	if cl.Gender == "" {
		cl.Gender = accord.GenderNotStated
	}
	if cl.Gender == accord.GenderSelfDescribed && cl.GenderText == "" {
		f.Errors["gender_text"] = p.Sprintf("Type how the client describes their gender, or choose another answer.")
	}
	if cl.Gender != accord.GenderSelfDescribed {
		cl.GenderText = ""
	}
	if cl.PreferredLanguage == "other" {
		cl.PreferredLanguage = get("other_language")
		if cl.PreferredLanguage == "" {
			f.Errors["other_language"] = p.Sprintf("Type the language's code, such as ku or ti.")
		} else if _, err := language.Parse(cl.PreferredLanguage); err != nil || len(cl.PreferredLanguage) > 35 {
			f.Errors["other_language"] = p.Sprintf("This is not a language code we know. Use a code such as ku or ti.")
		}
	}
	if cl.PreferredLanguage == "" {
		f.Errors["preferred_language"] = p.Sprintf("Choose the language the client prefers.")
	}
	if l := get("second_language"); l != "" && l != cl.PreferredLanguage {
		cl.Languages = []string{l}
	}
	for _, x := range f.Values["disabilities"] {
		cl.Disabilities = append(cl.Disabilities, accord.Disability(x))
	}
	if sys, val := get("id_system"), get("id_value"); sys != "" || val != "" {
		cl.Identifiers = []accord.Identifier{{System: sys, Value: val}}
		if sys == "" {
			f.Errors["id_system"] = p.Sprintf("Say who issued the number (for example: hospital number, passport).")
		}
		if val == "" {
			f.Errors["id_value"] = p.Sprintf("Type the number, or clear the issuer.")
		}
	}
	if cl.Email != "" {
		if a, err := mail.ParseAddress(cl.Email); err != nil || a.Address != cl.Email {
			f.Errors["email"] = p.Sprintf("Type an e-mail address like name@example.org, or leave it empty.")
		}
	}
	if cl.Phone != "" && strings.IndexFunc(cl.Phone, func(r rune) bool {
		return !unicode.IsDigit(r) && !strings.ContainsRune(" +-().", r)
	}) >= 0 {
		f.Errors["phone"] = p.Sprintf("A phone number has digits, spaces and + - ( ) only.")
	}
	bd, err := clientBirthDate(p, get("birth_year"), get("birth_month"), get("birth_day"))
	if err != "" {
		f.Errors["birth_date"] = err
	}
	cl.BirthDate = bd
	return cl
}

// clientBirthDate joins the three birth date fields into YYYY, YYYY-MM or
// YYYY-MM-DD: a client may know only the year.
func clientBirthDate(p *i18n.Printer, year, month, day string) (string, string) {
	if year == "" && month == "" && day == "" {
		return "", ""
	}
	y, err := strconv.Atoi(year)
	if err != nil || len(year) != 4 {
		return "", p.Sprintf("Type the year of birth with four digits, such as 1984.")
	}
	out := strconv.Itoa(y)
	if month == "" {
		if day != "" {
			return "", p.Sprintf("Give the month too, or leave the day empty.")
		}
		return out, ""
	}
	m, err := strconv.Atoi(month)
	if err != nil || m < 1 || m > 12 {
		return "", p.Sprintf("The month is a number from 1 to 12.")
	}
	out += "-" + clientTwoDigits(m)
	if day == "" {
		return out, ""
	}
	dd, err := strconv.Atoi(day)
	if err != nil || dd < 1 || dd > 31 {
		return "", p.Sprintf("The day is a number from 1 to 31.")
	}
	return out + "-" + clientTwoDigits(dd), ""
}

func clientTwoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// Labels of the vocabulary this group shows, each a catalogue key.

func clientGenderOptions(p *i18n.Printer) []option {
	return []option{
		{string(accord.GenderWoman), p.Sprintf("Woman")},
		{string(accord.GenderMan), p.Sprintf("Man")},
		{string(accord.GenderNonBinary), p.Sprintf("Non-binary")},
		{string(accord.GenderSelfDescribed), p.Sprintf("In another way (the client's own words)")},
		{string(accord.GenderNotStated), p.Sprintf("Not stated")},
	}
}

func clientGenderLabel(p *i18n.Printer, g accord.Gender, text string) string {
	if g == accord.GenderSelfDescribed && text != "" {
		return text
	}
	for _, o := range clientGenderOptions(p) {
		if o.Value == string(g) {
			return o.Label
		}
	}
	return string(g)
}

func clientDisabilityLabel(p *i18n.Printer, d accord.Disability) string {
	switch d {
	case accord.DisabilitySeeing:
		return p.Sprintf("Seeing")
	case accord.DisabilityHearing:
		return p.Sprintf("Hearing")
	case accord.DisabilityMobility:
		return p.Sprintf("Walking or climbing steps")
	case accord.DisabilityCognition:
		return p.Sprintf("Remembering or concentrating")
	case accord.DisabilitySelfCare:
		return p.Sprintf("Self-care, such as washing or dressing")
	case accord.DisabilityCommunication:
		return p.Sprintf("Communicating, being understood")
	case accord.DisabilityPsychosocial:
		return p.Sprintf("Mental health (psychosocial)")
	}
	return string(d)
}

func clientMatchWhy(p *i18n.Printer, fm match.FieldMatch) string {
	var field string
	switch fm.Field {
	case match.FieldGivenName:
		field = p.Sprintf("given name")
	case match.FieldFamilyName:
		field = p.Sprintf("family name")
	case match.FieldBirthDate:
		field = p.Sprintf("date of birth")
	case match.FieldPhone:
		field = p.Sprintf("phone")
	case match.FieldIdentifier:
		field = p.Sprintf("identifier")
	case match.FieldNamesSwapped:
		return p.Sprintf("given and family names swapped")
	default:
		return ""
	}
	switch fm.Kind {
	case match.KindExact:
		return p.Sprintf("same %s", field)
	case match.KindTransliteration:
		return p.Sprintf("same %s, spelt another way", field)
	case match.KindSimilar:
		return p.Sprintf("similar %s", field)
	case match.KindPartial:
		return p.Sprintf("%s partly the same", field)
	}
	return ""
}

// clientLanguages are the languages offered in lists: the partnership's
// four and the languages its clients most often speak. Others are typed as
// a code.
var clientLanguages = []string{"en", "ar", "es", "fr", "fa-AF", "fa", "ps", "ur", "ku", "ckb", "so", "ti", "am", "om", "sw", "ln",
	"uk", "ru", "ro", "pl", "sq", "tr", "pt", "bn", "pa", "hi", "ta", "zh", "vi", "ha", "ig", "yo", "ne", "my"}

// clientLanguageName names a language in the reader's language, with its
// own name when that differs ("Arabic (العربية)").
func clientLanguageName(p *i18n.Printer, tag string) string {
	t, err := language.Parse(tag)
	if err != nil || tag == "" {
		return tag
	}
	name := display.Tags(p.Tag).Name(t)
	self := display.Self.Name(t)
	switch {
	case name == "" && self == "":
		return tag
	case name == "":
		return self
	case self == "" || self == name:
		return name
	}
	return name + " (" + self + ")"
}

// clientLanguageOptions lists the offered languages by name in the
// reader's language, with any current values not in the list, then
// "another language".
func clientLanguageOptions(p *i18n.Printer, current ...string) []option {
	out := []option{{"", p.Sprintf("Choose a language")}}
	seen := map[string]bool{}
	for _, l := range append(slices.Clone(clientLanguages), current...) {
		if l == "" || l == "other" || seen[l] {
			continue
		}
		if _, err := language.Parse(l); err != nil {
			continue
		}
		seen[l] = true
		out = append(out, option{Value: l, Label: clientLanguageName(p, l)})
	}
	slices.SortStableFunc(out[1:], func(a, b option) int { return strings.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)) })
	return append(out, option{Value: "other", Label: p.Sprintf("Another language (type its code)")})
}

// clientPrinter returns the printer for what is printed for a client: in
// their preferred language when the partnership's catalogues have it, else
// in the page's language.
func (s *Server) clientPrinter(page *i18n.Printer, prefs ...string) *i18n.Printer {
	for _, pref := range prefs {
		t, err := language.Parse(pref)
		if err != nil {
			continue
		}
		base, _ := t.Base()
		for _, sup := range i18n.Supported {
			if b, _ := sup.Base(); b == base {
				return s.cat.Printer(sup)
			}
		}
	}
	return page
}

// clientCapital returns s with its first letter in upper case (for labels
// of the vocabulary that start a heading); scripts without case are
// unchanged.
func clientCapital(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
