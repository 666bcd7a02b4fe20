package http

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// Grievances in the web interface: anyone complains from a public page
// (no account), a signed-in client from the portal, staff on a person's
// behalf; the person follows it with a tracking code that is shown once and
// only ever travels in a POST body; the responsible officers and the
// oversight body answer from a queue.

func init() {
	registerNotices(map[string]string{
		"grievance-acknowledged": "The person is told their complaint is being looked at.",
		"grievance-message-sent": "Your message is sent. The person reads it when they follow their complaint.",
		"grievance-outcome":      "The outcome is recorded. The person can read it now.",
		"grievance-info-added":   "Thank you. Your information is added to your complaint.",
		"grievance-appealed":     "Your appeal is sent to the independent oversight body.",
		"grievance-sent-twice":   "This was already sent. The tracking code was shown once, after the first time.",
		"grievance-track-again":  "This was already sent. Enter your code again to see your complaint.",
	})
}

// grievancePages are the pages of this group.
func (s *Server) grievancePages() []route {
	return []route{
		{"GET", "/grievances/new", s.publicPage(s.grievanceNewPage)},
		{"POST", "/grievances/new", s.publicUploadPage(s.grievanceNewSubmit)},
		{"GET", "/grievances/track", s.publicPage(s.grievanceTrackPage)},
		{"POST", "/grievances/track", s.publicPage(s.grievanceTrackSubmit)},
		{"POST", "/grievances/track/info", s.publicUploadPage(s.grievanceTrackInfo)},
		{"POST", "/grievances/track/appeal", s.publicPage(s.grievanceTrackAppeal)},

		{"GET", "/grievances", s.page(s.grievanceQueue)},
		{"GET", "/grievances/raise", s.page(s.grievanceRaisePage)},
		{"POST", "/grievances/raise", s.uploadPage(s.grievanceRaiseSubmit)},
		{"GET", "/grievances/{id}", s.page(s.grievanceDetail)},
		{"GET", "/grievances/{id}/attachments/{aid}", s.page(s.grievanceAttachment)},
		{"POST", "/grievances/{id}/acknowledge", s.page(s.grievanceAcknowledge)},
		{"POST", "/grievances/{id}/message", s.page(s.grievanceMessage)},
		{"POST", "/grievances/{id}/outcome", s.page(s.grievanceOutcome)},

		{"GET", "/my/grievances", s.portalPage(s.portalGrievances)},
		{"GET", "/my/grievances/new", s.portalPage(s.portalGrievanceNew)},
		{"POST", "/my/grievances/new", s.portalUploadPage(s.portalGrievanceSubmit)},
		{"GET", "/my/grievances/{id}", s.portalPage(s.portalGrievance)},
		{"POST", "/my/grievances/{id}/info", s.portalUploadPage(s.portalGrievanceInfo)},
		{"POST", "/my/grievances/{id}/appeal", s.portalPage(s.portalGrievanceAppeal)},
	}
}

// ---- Rate limiting the public pages without keeping addresses ----

// grievanceGuard limits public submissions and code look-ups per client
// address. The limiter's keys are HMACs of the address under a random key
// held in memory only and replaced every day (with fresh limiters), so
// nothing links a bucket to an address once the day is over, and no
// address is ever written anywhere.
type grievanceGuard struct {
	mu            sync.Mutex
	day           string
	key           []byte
	submit, track *limiter
}

var grievanceGuards sync.Map // *Server → *grievanceGuard

func (s *Server) grievanceGuard() *grievanceGuard {
	if g, ok := grievanceGuards.Load(s); ok {
		return g.(*grievanceGuard)
	}
	g, _ := grievanceGuards.LoadOrStore(s, &grievanceGuard{})
	return g.(*grievanceGuard)
}

// Ten complaints from one address, then one every five minutes (a
// shelter's shared connection must not lock people out for long); thirty
// code look-ups, then one every ten seconds.
const (
	grievanceSubmitBurst = 10
	grievanceSubmitEvery = 5 * time.Minute
	grievanceTrackBurst  = 30
	grievanceTrackEvery  = 10 * time.Second
)

// allow takes a token for the request's address from the submission or
// look-up limiter.
func (s *Server) allowGrievance(r *http.Request, submit bool) error {
	g := s.grievanceGuard()
	now := s.now().UTC()
	g.mu.Lock()
	if day := now.Format(time.DateOnly); day != g.day || g.key == nil {
		g.day, g.key = day, make([]byte, 32)
		rand.Read(g.key)
		g.submit = newLimiter(grievanceSubmitBurst, grievanceSubmitEvery, s.now)
		g.track = newLimiter(grievanceTrackBurst, grievanceTrackEvery, s.now)
	}
	m := hmac.New(sha256.New, g.key)
	m.Write([]byte(clientAddr(r)))
	key := hex.EncodeToString(m.Sum(nil)[:16])
	l := g.track
	if submit {
		l = g.submit
	}
	g.mu.Unlock()
	if ok, wait := l.allow(key); !ok {
		return &retryAfter{err: accord.Errorf(accord.ERATELIMITED, "Too many tries from this connection. Please wait %d minutes and try again. What you wrote is still here.",
			int(wait.Minutes())+1), after: wait}
	}
	return nil
}

// ---- Labels ----

func grievanceCategoryLabel(p *i18n.Printer, c accord.GrievanceCategory) string {
	switch c {
	case accord.GrievanceDiscrimination:
		return p.Sprintf("Discrimination")
	case accord.GrievanceStatusDenial:
		return p.Sprintf("Help refused or delayed because of papers")
	case accord.GrievancePrivacy:
		return p.Sprintf("Privacy broken")
	case accord.GrievanceCoercion:
		return p.Sprintf("Consent not respected, or pressure")
	case accord.GrievanceLanguage:
		return p.Sprintf("Language help missing")
	case accord.GrievanceRetaliation:
		return p.Sprintf("Punished for complaining")
	}
	return p.Sprintf("Something else")
}

// grievanceCategoryChoice is the longer, plain-language choice on a form.
func grievanceCategoryChoice(p *i18n.Printer, c accord.GrievanceCategory) string {
	switch c {
	case accord.GrievanceDiscrimination:
		return p.Sprintf("I was treated unfairly because of who I am (for example my race, religion, sex, disability or age)")
	case accord.GrievanceStatusDenial:
		return p.Sprintf("I was refused help, or made to wait, because of my papers or immigration status")
	case accord.GrievancePrivacy:
		return p.Sprintf("My private information was shared or seen when it should not have been")
	case accord.GrievanceCoercion:
		return p.Sprintf("I was pushed into something, or my choice (my consent) was not respected")
	case accord.GrievanceLanguage:
		return p.Sprintf("I could not get an interpreter, or information in my language")
	case accord.GrievanceRetaliation:
		return p.Sprintf("I was treated worse because I complained or stood up for my rights")
	}
	return p.Sprintf("Something else went wrong")
}

func grievanceStatusLabel(p *i18n.Printer, st accord.GrievanceStatus) string {
	switch st {
	case accord.GrievanceReceived:
		return p.Sprintf("Received, waiting to be looked at")
	case accord.GrievanceAcknowledged:
		return p.Sprintf("Being looked at")
	case accord.GrievanceResolved:
		return p.Sprintf("Answered")
	case accord.GrievanceAppealed:
		return p.Sprintf("Appealed, with the oversight body")
	}
	return p.Sprintf("Closed: final decision")
}

func grievanceOutcomeLabel(p *i18n.Printer, o accord.GrievanceOutcome) string {
	switch o {
	case accord.OutcomeUpheld:
		return p.Sprintf("Upheld: the complaint is right")
	case accord.OutcomePartlyUpheld:
		return p.Sprintf("Partly upheld: the complaint is partly right")
	case accord.OutcomeNotUpheld:
		return p.Sprintf("Not upheld: no fault was found")
	}
	return ""
}

// grievanceRow is one line of a list of grievances.
type grievanceRow struct {
	accord.Grievance
	Short, CategoryLabel, StatusLabel, OrgName, HandlerName string
	Late                                                    bool // a deadline was missed, or the current one has passed
}

func (s *Server) grievanceRow(p *i18n.Printer, g accord.Grievance, orgs map[string]string) grievanceRow {
	row := grievanceRow{Grievance: g, Short: shortID(g.ID), CategoryLabel: grievanceCategoryLabel(p, g.Category), StatusLabel: grievanceStatusLabel(p, g.Status),
		OrgName: orgs[g.OrganizationID], HandlerName: orgs[g.HandlerOrgID]}
	row.Late = g.Status.Open() && (g.Overdue || s.now().After(g.DueAt))
	return row
}

// grievanceEventRow is one step of a grievance, in words.
type grievanceEventRow struct {
	accord.GrievanceEvent
	Line, By     string
	OutcomeLabel string
	Own          bool // the person's own words
}

func grievanceEvents(p *i18n.Printer, evs []accord.GrievanceEvent, names map[string]string, staff bool) []grievanceEventRow {
	out := make([]grievanceEventRow, 0, len(evs))
	for _, e := range evs {
		row := grievanceEventRow{GrievanceEvent: e, OutcomeLabel: grievanceOutcomeLabel(p, e.Outcome), Own: e.ActorID == "reporter"}
		by := names[e.OrganizationID]
		if staff && names[e.ActorID] != "" {
			by = p.Sprintf("%[1]s, %[2]s", names[e.ActorID], by)
		}
		row.By = by
		switch e.Kind {
		case accord.GrievanceEventReceived:
			row.Line = p.Sprintf("The complaint was received.")
		case accord.GrievanceEventAcknowledged:
			row.Line = p.Sprintf("%s is looking into it.", by)
		case accord.GrievanceEventMessage:
			row.Line = p.Sprintf("Message from %s:", by)
		case accord.GrievanceEventInfo:
			if staff {
				row.Line = p.Sprintf("The person who complained added information:")
			} else {
				row.Line = p.Sprintf("You added information:")
			}
		case accord.GrievanceEventOverdue:
			row.Line = p.Sprintf("The deadline was missed. The complaint was passed to more senior staff and to the independent oversight body.")
		case accord.GrievanceEventOutcome:
			row.Line = p.Sprintf("Outcome from %s:", by)
		case accord.GrievanceEventAppeal:
			if staff {
				row.Line = p.Sprintf("The person appealed to the oversight body:")
			} else {
				row.Line = p.Sprintf("You appealed to the oversight body:")
			}
		case accord.GrievanceEventAppealOutcome:
			row.Line = p.Sprintf("Final decision of the oversight body (%s):", by)
		}
		out = append(out, row)
	}
	return out
}

// ---- The complaint form (public, portal, staff) ----

// grievanceFormData is what the complaint form needs.
type grievanceFormData struct {
	Action     string
	Channel    string // accord.ChannelPublic, ChannelPortal or ChannelStaff
	Categories []option
	Orgs       []option
	Agreements []option
	Identity   []option
	Oversight  string // the oversight body's name
	OnlyOver   []option
}

func (s *Server) grievanceForm(r *http.Request, p *i18n.Printer, channel string, c *enforce.Caller) (*grievanceFormData, error) {
	named, over, err := s.svc.GrievanceOrganizations(r.Context())
	if err != nil {
		return nil, err
	}
	d := &grievanceFormData{Channel: channel, Oversight: over.Name}
	switch channel {
	case accord.ChannelPortal:
		d.Action = "/my/grievances/new"
	case accord.ChannelStaff:
		d.Action = "/grievances/raise"
	default:
		d.Action = "/grievances/new"
	}
	for _, cat := range accord.GrievanceCategories {
		d.Categories = append(d.Categories, option{Value: string(cat), Label: grievanceCategoryChoice(p, cat)})
	}
	d.Orgs = append(d.Orgs, option{Value: "", Label: p.Sprintf("I do not know, or I do not want to say")})
	for _, o := range named {
		d.Orgs = append(d.Orgs, option{Value: o.ID, Label: o.Name})
	}
	d.Identity = []option{
		{Value: "named", Label: p.Sprintf("Yes, I will give my name or a way to reach me")},
		{Value: "anonymous", Label: p.Sprintf("No, I want to stay anonymous")},
	}
	if channel == accord.ChannelStaff {
		d.Identity = []option{
			{Value: "named", Label: p.Sprintf("The person gives their name or a way to reach them")},
			{Value: "anonymous", Label: p.Sprintf("The person wants to stay anonymous")},
		}
	}
	d.OnlyOver = []option{{Value: "yes", Label: p.Sprintf("Send it only to %s. The organisation will not be told.", over.Name)}}
	if channel == accord.ChannelStaff && c != nil {
		as, err := s.svc.Agreements(r.Context(), c)
		if err != nil {
			return nil, err
		}
		d.Agreements = append(d.Agreements, option{Value: "", Label: p.Sprintf("No agreement")})
		for _, a := range as {
			d.Agreements = append(d.Agreements, option{Value: a.ID, Label: a.Title})
		}
	}
	return d, nil
}

// grievanceFromForm reads a complaint from a form. Name and contact are
// dropped when the person chose to stay anonymous (they may have typed
// them before choosing).
func grievanceFromForm(f *form, channel string) *accord.Grievance {
	v := f.Values
	g := &accord.Grievance{
		Category:        accord.GrievanceCategory(v.Get("category")),
		Description:     strings.TrimSpace(v.Get("description")),
		OrganizationID:  v.Get("organization_id"),
		OversightOnly:   v.Get("oversight_only") == "yes",
		Anonymous:       v.Get("identity") == "anonymous",
		ReporterName:    v.Get("name"),
		ReporterContact: v.Get("contact"),
	}
	if channel == accord.ChannelStaff {
		g.CaseID, g.AgreementID = strings.TrimSpace(v.Get("case_id")), v.Get("agreement_id")
	}
	if channel == accord.ChannelPortal {
		g.Anonymous, g.ReporterName = false, ""
	}
	if g.Anonymous {
		g.ReporterName, g.ReporterContact = "", ""
		f.Values.Del("name")
		f.Values.Del("contact")
	}
	return g
}

// checkGrievanceForm checks what the form itself must say before the
// complaint is validated.
func checkGrievanceForm(f *form, channel string) error {
	if channel != accord.ChannelPortal {
		if id := f.Values.Get("identity"); id != "named" && id != "anonymous" {
			return accord.FieldErrorf("identity", "Choose whether you give your name or stay anonymous.")
		}
	}
	return nil
}

// grievanceCodeData is the page that shows a new tracking code, once.
type grievanceCodeData struct {
	Code      string
	Channel   string
	ID        string
	Handler   string
	Oversight string // the oversight body's name when it is involved
	DueAt     time.Time
}

func (s *Server) grievanceCodePage(r *http.Request, g *accord.Grievance, code string) (*grievanceCodeData, error) {
	named, over, err := s.svc.GrievanceOrganizations(r.Context())
	if err != nil {
		return nil, err
	}
	d := &grievanceCodeData{Code: code, Channel: g.Channel, ID: g.ID, DueAt: g.DueAt}
	for _, o := range append(named, *over) {
		if o.ID == g.HandlerOrgID {
			d.Handler = o.Name
		}
	}
	if g.Oversight && g.HandlerOrgID != over.ID {
		d.Oversight = over.Name
	}
	return d, nil
}

// firstSubmission uses a form's token for owner: false when the form was
// sent before. Public and portal forms render their result directly (a
// tracking code must not travel in a redirect), so they use this instead
// of once.
func (s *Server) firstSubmission(r *http.Request, f *form, owner string) (bool, error) {
	first, _, err := s.db.UseFormToken(r.Context(), f.Values.Get("form_token"), owner)
	return first, err
}

func (s *Server) releaseSubmission(r *http.Request, f *form, owner string) {
	token := f.Values.Get("form_token")
	s.db.ReleaseFormToken(r.Context(), token, owner)
	f.Token = token
}

func (s *Server) grievanceNewPage(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, nil, "", "Make a complaint", nil)
	d, err := s.grievanceForm(r, v.P, accord.ChannelPublic, nil)
	if err != nil {
		return err
	}
	v.Data, v.Form = d, newForm()
	return s.render(w, http.StatusOK, "grievance_new", v)
}

// grievanceSubmit handles a complaint form from any channel: it checks,
// limits, stores, and shows the code. raise stores it; owner owns the form
// token; again is where a second submission of the same form goes.
func (s *Server) grievanceSubmit(w http.ResponseWriter, r *http.Request, v *view, channel, owner, again string,
	raise func(g *accord.Grievance) (string, error)) error {
	f, files, fileErr, err := parseUploadForm(r)
	if err != nil {
		return err
	}
	d, err := s.grievanceForm(r, v.P, channel, v.Caller)
	if err != nil {
		return err
	}
	v.Data, v.Form = d, f
	g := grievanceFromForm(f, channel)
	g.Attachments = files
	if fileErr != nil {
		// Shown with any other problem of the form; nothing is stored.
		f.fail(v.P, fileErr)
	}
	invalid := func(err error) error {
		if !f.fail(v.P, err) {
			return err
		}
		if f.Token = f.Values.Get("form_token"); len(f.Token) < 16 || len(f.Token) > 64 {
			f.Token = formToken() // a form without a usable token gets one
		}
		status := http.StatusUnprocessableEntity
		if code := accord.ErrorCode(err); code != accord.EINVALID {
			status = statusOf[code]
		}
		return s.render(w, status, "grievance_new", v)
	}
	if err := checkGrievanceForm(f, channel); err != nil {
		return invalid(err)
	}
	pre := *g
	if channel == accord.ChannelPortal {
		pre.ClientID = "linked" // the portal client is linked: no name needed
	}
	if err := pre.Validate(); err != nil {
		return invalid(err)
	}
	if fileErr != nil {
		return invalid(fileErr)
	}
	if channel != accord.ChannelStaff {
		if err := s.allowGrievance(r, true); err != nil {
			return invalid(err)
		}
	}
	first, err := s.firstSubmission(r, f, owner)
	if err != nil {
		return invalid(err)
	}
	if !first {
		http.Redirect(w, r, addNotice(again, "grievance-sent-twice"), http.StatusSeeOther)
		return nil
	}
	code, err := raise(g)
	if err != nil {
		s.releaseSubmission(r, f, owner)
		return invalid(err)
	}
	cd, err := s.grievanceCodePage(r, g, code)
	if err != nil {
		return err
	}
	v.Data, v.Form = cd, nil
	v.Title = v.P.Sprintf("Your complaint is sent")
	return s.render(w, http.StatusCreated, "grievance_code", v)
}

func (s *Server) grievanceNewSubmit(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, nil, "", "Make a complaint", nil)
	return s.grievanceSubmit(w, r, v, accord.ChannelPublic, "public", "/grievances/track", func(g *accord.Grievance) (string, error) {
		return s.svc.RaisePublicGrievance(r.Context(), g)
	})
}

// ---- Following a complaint with its code ----

// grievanceReportData is the person's view of their complaint.
type grievanceReportData struct {
	*enforce.GrievanceReport
	Portal                              bool
	Code                                string // public: carried in the forms' bodies, never in a URL
	CategoryLabel, StatusLabel          string
	OrgName, HandlerName, OversightName string
	Late                                bool
	Steps                               []grievanceEventRow
	InfoForm, AppealForm                *form
	InfoAction, AppealAction            string
	Files                               []attachmentRow // what the person attached: names and sizes
	// Problem is an error about the complaint as a whole (a second
	// appeal, say), shown at the top.
	Problem string
}

func (s *Server) grievanceReport(r *http.Request, p *i18n.Printer, rep *enforce.GrievanceReport, portal bool, code string) (*grievanceReportData, error) {
	named, over, err := s.svc.GrievanceOrganizations(r.Context())
	if err != nil {
		return nil, err
	}
	names := map[string]string{over.ID: over.Name}
	for _, o := range named {
		names[o.ID] = o.Name
	}
	d := &grievanceReportData{GrievanceReport: rep, Portal: portal, Code: code, CategoryLabel: grievanceCategoryLabel(p, rep.Category),
		StatusLabel: grievanceStatusLabel(p, rep.Status), OrgName: names[rep.OrganizationID], HandlerName: names[rep.HandlerOrgID], OversightName: over.Name,
		Late:         rep.Status.Open() && (rep.Overdue || s.now().After(rep.DueAt)),
		Steps:        grievanceEvents(p, rep.Events, names, false),
		Files:        attachmentRows(p, rep.Attachments),
		InfoForm:     newForm(),
		AppealForm:   newForm(),
		InfoAction:   "/grievances/track/info",
		AppealAction: "/grievances/track/appeal"}
	if portal {
		d.InfoAction, d.AppealAction = "/my/grievances/"+rep.ID+"/info", "/my/grievances/"+rep.ID+"/appeal"
	}
	return d, nil
}

func (s *Server) grievanceTrackPage(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, nil, "", "Follow your complaint", nil)
	v.Form = newForm()
	return s.render(w, http.StatusOK, "grievance_track", v)
}

// trackCode reads the code from a posted form, counting the look-up
// against the address. On a bad code it renders the look-up form with the
// one error every bad code gets.
func (s *Server) trackCode(w http.ResponseWriter, r *http.Request, v *view, f *form) (string, bool, error) {
	code := f.Values.Get("code")
	f.Values.Del("code") // never shown back: the same page for every bad code
	fail := func(err error) (string, bool, error) {
		if !f.fail(v.P, err) {
			return "", false, err
		}
		f.Token = formToken()
		v.Form, v.Title = f, v.P.Sprintf("Follow your complaint")
		status := http.StatusUnprocessableEntity
		if c := accord.ErrorCode(err); c != accord.EINVALID {
			status = statusOf[c]
		}
		return "", false, s.render(w, status, "grievance_track", v)
	}
	if err := s.allowGrievance(r, false); err != nil {
		return fail(err)
	}
	return code, true, nil
}

func (s *Server) grievanceTrackSubmit(w http.ResponseWriter, r *http.Request) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	v := s.newView(r, nil, "", "Your complaint", nil)
	code, ok, err := s.trackCode(w, r, v, f)
	if !ok {
		return err
	}
	rep, err := s.svc.FollowGrievance(r.Context(), enforce.GrievanceReporter{Code: code})
	if err != nil {
		f.Values.Del("code")
		if f.fail(v.P, err) {
			f.Token = formToken()
			v.Form, v.Title = f, v.P.Sprintf("Follow your complaint")
			return s.render(w, http.StatusUnprocessableEntity, "grievance_track", v)
		}
		return err
	}
	d, err := s.grievanceReport(r, v.P, rep, false, code)
	if err != nil {
		return err
	}
	v.Data = d
	return s.render(w, http.StatusOK, "grievance_view", v)
}

// grievanceTrackStep adds information or appeals, from the public page.
func (s *Server) grievanceTrackStep(w http.ResponseWriter, r *http.Request, appeal bool) error {
	f, files, fileErr, err := parseUploadForm(r)
	if err != nil {
		return err
	}
	v := s.newView(r, nil, "", "Your complaint", nil)
	code := f.Values.Get("code")
	if _, ok, err := s.trackCode(w, r, v, f); !ok {
		return err
	}
	rep, err := s.svc.FollowGrievance(r.Context(), enforce.GrievanceReporter{Code: code})
	if err != nil {
		if f.fail(v.P, err) {
			f.Token = formToken()
			v.Form, v.Title = f, v.P.Sprintf("Follow your complaint")
			return s.render(w, http.StatusUnprocessableEntity, "grievance_track", v)
		}
		return err
	}
	first, err := s.firstSubmission(r, f, "public")
	if err != nil {
		return err
	}
	if !first {
		http.Redirect(w, r, addNotice("/grievances/track", "grievance-track-again"), http.StatusSeeOther)
		return nil
	}
	notice := "grievance-info-added"
	var next *enforce.GrievanceReport
	if appeal {
		next, err = s.svc.AppealGrievance(r.Context(), enforce.GrievanceReporter{Code: code}, strings.TrimSpace(f.Values.Get("reason")))
		notice = "grievance-appealed"
	} else if err = fileErr; err == nil {
		next, err = s.svc.AddGrievanceInfo(r.Context(), enforce.GrievanceReporter{Code: code}, strings.TrimSpace(f.Values.Get("text")), files)
	}
	d, derr := s.grievanceReport(r, v.P, rep, false, code)
	if derr != nil {
		return derr
	}
	v.Data = d
	if err != nil {
		s.releaseSubmission(r, f, "public")
		target := d.InfoForm
		if appeal {
			target = d.AppealForm
		}
		if !target.fail(v.P, err) {
			return err
		}
		if accord.AsError(err).Field == "" {
			d.Problem, target.Error = target.Error, ""
		}
		f.Values.Del("code")
		target.Values, target.Token = f.Values, f.Values.Get("form_token")
		status := http.StatusUnprocessableEntity
		if c := accord.ErrorCode(err); c != accord.EINVALID {
			status = statusOf[c]
		}
		return s.render(w, status, "grievance_view", v)
	}
	if d, err = s.grievanceReport(r, v.P, next, false, code); err != nil {
		return err
	}
	v.Data, v.Notice = d, v.P.Sprintf(notices[notice])
	return s.render(w, http.StatusOK, "grievance_view", v)
}

func (s *Server) grievanceTrackInfo(w http.ResponseWriter, r *http.Request) error {
	return s.grievanceTrackStep(w, r, false)
}

func (s *Server) grievanceTrackAppeal(w http.ResponseWriter, r *http.Request) error {
	return s.grievanceTrackStep(w, r, true)
}

// ---- Staff: the queue, raising for someone, answering ----

type grievanceQueueData struct {
	Handles   bool
	Oversight bool
	All       bool
	Rows      []grievanceRow
}

func (s *Server) grievanceQueue(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v := s.newView(r, c, "grievances", "Complaints", nil)
	d := &grievanceQueueData{All: r.URL.Query().Get("show") == "all"}
	var err error
	if d.Handles, d.Oversight, err = s.svc.HandlesGrievances(r.Context(), c); err != nil {
		return err
	}
	if d.Handles {
		gs, err := s.svc.GrievanceQueue(r.Context(), c, d.All)
		if err != nil {
			return err
		}
		orgs, err := s.orgNames(r, c)
		if err != nil {
			return err
		}
		for _, g := range gs {
			d.Rows = append(d.Rows, s.grievanceRow(v.P, g, orgs))
		}
	}
	v.Data = d
	return s.render(w, http.StatusOK, "grievance_queue", v)
}

func (s *Server) grievanceRaisePage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v := s.newView(r, c, "grievances", "Raise a complaint for someone", nil)
	d, err := s.grievanceForm(r, v.P, accord.ChannelStaff, c)
	if err != nil {
		return err
	}
	v.Data, v.Form = d, newForm()
	return s.render(w, http.StatusOK, "grievance_new", v)
}

func (s *Server) grievanceRaiseSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v := s.newView(r, c, "grievances", "Raise a complaint for someone", nil)
	return s.grievanceSubmit(w, r, v, accord.ChannelStaff, c.Staff.ID, "/grievances", func(g *accord.Grievance) (string, error) {
		return s.svc.RaiseGrievanceFor(r.Context(), c, g)
	})
}

type grievanceDetailData struct {
	*enforce.GrievanceDetail
	Short, CategoryLabel, StatusLabel, OutcomeLabel, AppealOutcomeLabel string
	OrgName, HandlerName, OversightName, RaisedByName                   string
	Late                                                                bool
	Steps                                                               []grievanceEventRow
	Outcomes                                                            []option
	CanAcknowledge, CanMessage, CanOutcome                              bool
	Appeal                                                              bool // the outcome form decides an appeal
	AckForm, MessageForm, OutcomeForm                                   *form
	Files                                                               []attachmentRow
}

func (s *Server) grievanceDetailData(r *http.Request, p *i18n.Printer, c *enforce.Caller, id string) (*grievanceDetailData, error) {
	g, err := s.svc.Grievance(r.Context(), c, id)
	if err != nil {
		return nil, err
	}
	d := &grievanceDetailData{GrievanceDetail: g, Short: shortID(g.ID), CategoryLabel: grievanceCategoryLabel(p, g.Category),
		StatusLabel: grievanceStatusLabel(p, g.Status), OutcomeLabel: grievanceOutcomeLabel(p, g.Outcome), AppealOutcomeLabel: grievanceOutcomeLabel(p, g.AppealOutcome),
		OrgName: g.Names[g.OrganizationID], HandlerName: g.Names[g.HandlerOrgID], OversightName: g.Names[g.OversightOrgID], RaisedByName: g.Names[g.RaisedBy],
		Late:  g.Status.Open() && (g.Overdue || s.now().After(g.DueAt)),
		Steps: grievanceEvents(p, g.Events, g.Names, true), Files: attachmentRows(p, g.Attachments)}
	for _, o := range accord.GrievanceOutcomes {
		d.Outcomes = append(d.Outcomes, option{Value: string(o), Label: grievanceOutcomeLabel(p, o)})
	}
	ans := g.Access.Answer
	d.CanAcknowledge = ans && g.Status == accord.GrievanceReceived
	d.CanMessage = ans && g.Status != accord.GrievanceClosed
	d.Appeal = g.Status == accord.GrievanceAppealed
	d.CanOutcome = ans && (g.Status == accord.GrievanceReceived || g.Status == accord.GrievanceAcknowledged || d.Appeal && g.Access.Oversight)
	version := strconv.Itoa(g.Version)
	d.AckForm, d.MessageForm, d.OutcomeForm = newForm(), newForm(), newForm()
	d.AckForm.Values.Set("version", version)
	d.OutcomeForm.Values.Set("version", version)
	return d, nil
}

func (s *Server) grievanceDetail(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v := s.newView(r, c, "grievances", "Complaint", nil)
	d, err := s.grievanceDetailData(r, v.P, c, r.PathValue("id"))
	if err != nil {
		return err
	}
	v.Data = d
	return s.render(w, http.StatusOK, "grievance_detail", v)
}

// grievanceStep answers a grievance from its page: do runs the step; on
// bad input or a stale version the page is shown again, current, with the
// error beside the form that was sent and what was typed kept.
func (s *Server) grievanceStep(w http.ResponseWriter, r *http.Request, c *enforce.Caller, which, notice string,
	do func(f *form, version int) error) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	version, _ := strconv.Atoi(f.Values.Get("version"))
	done, err := s.once(w, r, c, f, func() (string, error) {
		if err := do(f, version); err != nil {
			return "", err
		}
		return addNotice("/grievances/"+id, notice), nil
	})
	if done || err == nil {
		return err
	}
	v := s.newView(r, c, "grievances", "Complaint", nil)
	d, derr := s.grievanceDetailData(r, v.P, c, id)
	if derr != nil {
		return derr
	}
	target := map[string]*form{"ack": d.AckForm, "message": d.MessageForm, "outcome": d.OutcomeForm}[which]
	if !target.fail(v.P, err) {
		return err
	}
	if accord.ErrorCode(err) != accord.ECONFLICT {
		// Keep what was typed; a stale form is shown at the current version.
		target.Values = f.Values
	} else {
		for _, k := range []string{"text", "findings", "remedy", "outcome"} {
			target.Values.Set(k, f.Values.Get(k))
		}
	}
	target.Token = f.Token
	v.Data = d
	status := http.StatusUnprocessableEntity
	if code := accord.ErrorCode(err); code != accord.EINVALID {
		status = statusOf[code]
	}
	return s.render(w, status, "grievance_detail", v)
}

func (s *Server) grievanceAcknowledge(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	return s.grievanceStep(w, r, c, "ack", "grievance-acknowledged", func(f *form, version int) error {
		_, err := s.svc.AcknowledgeGrievance(r.Context(), c, r.PathValue("id"), version)
		return err
	})
}

func (s *Server) grievanceMessage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	return s.grievanceStep(w, r, c, "message", "grievance-message-sent", func(f *form, version int) error {
		_, err := s.svc.MessageGrievance(r.Context(), c, r.PathValue("id"), strings.TrimSpace(f.Values.Get("text")))
		return err
	})
}

func (s *Server) grievanceOutcome(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	return s.grievanceStep(w, r, c, "outcome", "grievance-outcome", func(f *form, version int) error {
		_, err := s.svc.RecordGrievanceOutcome(r.Context(), c, r.PathValue("id"), version, accord.GrievanceOutcome(f.Values.Get("outcome")),
			strings.TrimSpace(f.Values.Get("findings")), strings.TrimSpace(f.Values.Get("remedy")))
		return err
	})
}

// ---- The client portal ----

type portalGrievancesData struct {
	Rows []grievanceRow
}

func (s *Server) portalGrievances(w http.ResponseWriter, r *http.Request, clientID string) error {
	v := s.portalView(r, clientID, "grievances", "My complaints", nil)
	gs, err := s.svc.ClientGrievances(r.Context(), clientID)
	if err != nil {
		return err
	}
	named, over, err := s.svc.GrievanceOrganizations(r.Context())
	if err != nil {
		return err
	}
	orgs := map[string]string{over.ID: over.Name}
	for _, o := range named {
		orgs[o.ID] = o.Name
	}
	d := &portalGrievancesData{}
	for _, g := range gs {
		d.Rows = append(d.Rows, s.grievanceRow(v.P, g, orgs))
	}
	v.Data = d
	return s.render(w, http.StatusOK, "grievance_mine", v)
}

func (s *Server) portalGrievanceNew(w http.ResponseWriter, r *http.Request, clientID string) error {
	v := s.portalView(r, clientID, "grievances", "Make a complaint", nil)
	d, err := s.grievanceForm(r, v.P, accord.ChannelPortal, nil)
	if err != nil {
		return err
	}
	v.Data, v.Form = d, newForm()
	return s.render(w, http.StatusOK, "grievance_new", v)
}

func (s *Server) portalGrievanceSubmit(w http.ResponseWriter, r *http.Request, clientID string) error {
	v := s.portalView(r, clientID, "grievances", "Make a complaint", nil)
	return s.grievanceSubmit(w, r, v, accord.ChannelPortal, enforce.PortalActorID(clientID), "/my/grievances", func(g *accord.Grievance) (string, error) {
		return s.svc.RaisePortalGrievance(r.Context(), clientID, g)
	})
}

func (s *Server) portalGrievance(w http.ResponseWriter, r *http.Request, clientID string) error {
	v := s.portalView(r, clientID, "grievances", "Your complaint", nil)
	rep, err := s.svc.FollowGrievance(r.Context(), enforce.GrievanceReporter{ClientID: clientID, GrievanceID: r.PathValue("id")})
	if err != nil {
		return err
	}
	d, err := s.grievanceReport(r, v.P, rep, true, "")
	if err != nil {
		return err
	}
	v.Data = d
	return s.render(w, http.StatusOK, "grievance_view", v)
}

func (s *Server) portalGrievanceStep(w http.ResponseWriter, r *http.Request, clientID string, appeal bool) error {
	f, files, fileErr, err := parseUploadForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	who := enforce.GrievanceReporter{ClientID: clientID, GrievanceID: id}
	done, err := s.portalOnce(w, r, clientID, f, func() (string, error) {
		if appeal {
			_, err := s.svc.AppealGrievance(r.Context(), who, strings.TrimSpace(f.Values.Get("reason")))
			return addNotice("/my/grievances/"+id, "grievance-appealed"), err
		}
		if fileErr != nil {
			return "", fileErr
		}
		_, err := s.svc.AddGrievanceInfo(r.Context(), who, strings.TrimSpace(f.Values.Get("text")), files)
		return addNotice("/my/grievances/"+id, "grievance-info-added"), err
	})
	if done || err == nil {
		return err
	}
	v := s.portalView(r, clientID, "grievances", "Your complaint", nil)
	rep, rerr := s.svc.FollowGrievance(r.Context(), who)
	if rerr != nil {
		return rerr
	}
	d, derr := s.grievanceReport(r, v.P, rep, true, "")
	if derr != nil {
		return derr
	}
	target := d.InfoForm
	if appeal {
		target = d.AppealForm
	}
	if !target.fail(v.P, err) {
		return err
	}
	if accord.AsError(err).Field == "" {
		d.Problem, target.Error = target.Error, ""
	}
	target.Values, target.Token = f.Values, f.Token
	v.Data = d
	status := http.StatusUnprocessableEntity
	if code := accord.ErrorCode(err); code != accord.EINVALID {
		status = statusOf[code]
	}
	return s.render(w, status, "grievance_view", v)
}

func (s *Server) portalGrievanceInfo(w http.ResponseWriter, r *http.Request, clientID string) error {
	return s.portalGrievanceStep(w, r, clientID, false)
}

func (s *Server) portalGrievanceAppeal(w http.ResponseWriter, r *http.Request, clientID string) error {
	return s.portalGrievanceStep(w, r, clientID, true)
}
