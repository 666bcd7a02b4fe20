package http

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// Breach incidents in the oversight workspace (/breaches): the list, the
// form to record one, one incident with its 72-hour clock, the clients it
// affected and their notices, what is being done and its closing; and the
// notices as a page to print. The JSON API's routes are in this group too.

func init() {
	registerNotices(map[string]string{
		"breach-recorded":   "The incident is recorded. The 72 hours to tell the supervisory authority run from its discovery.",
		"breach-recomputed": "The affected clients were worked out again from the audit log.",
		"breach-notified":   "Recorded: the supervisory authority was told. The clock has stopped.",
		"breach-remedy":     "The remedy is recorded.",
		"breach-closed":     "The incident is closed. It can no longer be changed.",
	})
}

// breachRoutes are the JSON API and the pages of breach incidents.
func (s *Server) breachRoutes() []route {
	return []route{
		{"POST", "/api/v1/breaches", s.authed(s.recordBreach)},
		{"GET", "/api/v1/breaches", s.authed(s.listBreaches)},
		{"GET", "/api/v1/breaches/{id}", s.authed(s.getBreach)},
		{"POST", "/api/v1/breaches/{id}/impact", s.authed(s.recomputeBreach)},
		{"POST", "/api/v1/breaches/{id}/authority-notification", s.authed(s.notifyAuthority)},
		{"POST", "/api/v1/breaches/{id}/remedies", s.authed(s.addBreachRemedy)},
		{"POST", "/api/v1/breaches/{id}/close", s.authed(s.closeBreach)},
		{"GET", "/api/v1/breaches/{id}/notices", s.authed(s.breachNotices)},

		{"GET", "/breaches", s.page(s.breachList)},
		{"GET", "/breaches/new", s.page(s.breachNew)},
		{"POST", "/breaches/new", s.page(s.breachCreate)},
		{"GET", "/breaches/{id}", s.page(s.breachPage)},
		{"POST", "/breaches/{id}", s.page(s.breachStep)},
		{"GET", "/breaches/{id}/notices", s.page(s.breachNoticesPage)},
	}
}

// breachGate shows why a caller who does not handle incidents may not use
// these pages.
func (s *Server) breachGate(w http.ResponseWriter, r *http.Request, c *enforce.Caller) (bool, error) {
	if c.HandlesBreaches() {
		return true, nil
	}
	p := s.pagePrinter(r)
	return false, s.adminDenied(w, r, c, accord.Errorf(accord.EFORBIDDEN, "only privacy officers (of the organisation concerned) and the oversight body's auditors and privacy officers handle breach incidents"),
		p.Sprintf("These pages record breach incidents — a staff account, API token, session or data key in the wrong hands — work out from the audit log whose information was exposed, keep the 72 hours to tell the supervisory authority, and write the notices to the people affected."),
		p.Sprintf("An organisation's privacy officers use them for their own organisation, and the oversight body's auditors and privacy officers for every organisation. Staff of an immigration authority or a law enforcement body never do."))
}

func breachSubjectLabel(p *i18n.Printer, s accord.BreachSubject) string {
	switch s {
	case accord.BreachStaff:
		return p.Sprintf("A staff member's account")
	case accord.BreachCredential:
		return p.Sprintf("One API token or sign-in session")
	case accord.BreachKey:
		return p.Sprintf("An organisation's data key")
	}
	return string(s)
}

// breachClock says where the 72 hours stand, and whether they have run out.
func breachClock(p *i18n.Printer, now time.Time, b *accord.Breach) (string, bool) {
	switch {
	case b.AuthorityNotifiedAt != nil:
		return p.Sprintf("told on %s", clockTime(p, now, *b.AuthorityNotifiedAt)), false
	case b.Status == accord.BreachClosed:
		return p.Sprintf("closed without telling the authority"), false
	}
	return deadlineText(p, "", now, b.NotifyBy)
}

type breachRow struct {
	accord.Breach
	Short, OrgName, SubjectLabel, Clock string
	Late                                bool
}

func (s *Server) breachRow(p *i18n.Printer, b accord.Breach, orgs map[string]string) breachRow {
	clock, late := breachClock(p, s.now(), &b)
	return breachRow{Breach: b, Short: shortID(b.ID), OrgName: orgs[b.OrganizationID], SubjectLabel: breachSubjectLabel(p, b.Subject), Clock: clock, Late: late}
}

type breachListData struct {
	Oversight bool
	All       bool
	Rows      []breachRow
	Nav       []adminLink
}

func (s *Server) breachList(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.breachGate(w, r, c); !ok {
		return err
	}
	v := s.newView(r, c, "audit", "Breach incidents", nil)
	d := &breachListData{Oversight: c.Oversight(), All: r.URL.Query().Get("show") == "all", Nav: auditNav(v.P, c, "/breaches")}
	bs, err := s.svc.Breaches(r.Context(), c, d.All)
	if err != nil {
		return err
	}
	orgs, err := s.orgNames(r, c)
	if err != nil {
		return err
	}
	for _, b := range bs {
		d.Rows = append(d.Rows, s.breachRow(v.P, b, orgs))
	}
	// Overdue first, then open ones by the soonest deadline, then closed.
	rank := func(r breachRow) int {
		switch {
		case r.Late:
			return 0
		case r.Status == accord.BreachOpen:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(d.Rows, func(a, b breachRow) int {
		if x := rank(a) - rank(b); x != 0 {
			return x
		}
		if rank(a) < 2 {
			return a.NotifyBy.Compare(b.NotifyBy)
		}
		return 0
	})
	v.Data = d
	return s.render(w, http.StatusOK, "breach_list", v)
}

// Recording an incident.

type breachNewData struct {
	Nav         []adminLink
	Subjects    []option
	Staff       []option
	Credentials []option
	Orgs        []option
}

const breachTimeLayout = "2006-01-02T15:04"

func breachFormTime(t time.Time) string { return t.UTC().Format(breachTimeLayout) }

// breachTime reads a datetime-local input, in UTC.
func breachTime(f *form, name string) (time.Time, error) {
	text := strings.TrimSpace(f.Values.Get(name))
	if text == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{breachTimeLayout, "2006-01-02T15:04:05", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, text, time.UTC); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, accord.FieldErrorf(name, "give a date and time, like 2026-11-22T09:30 (UTC)")
}

func (s *Server) breachNewView(r *http.Request, c *enforce.Caller, f *form) (*view, error) {
	v := s.newView(r, c, "audit", "Record a breach incident", nil)
	p := v.P
	ch, err := s.svc.BreachFormChoices(r.Context(), c)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	d := &breachNewData{Nav: auditNav(p, c, "/breaches"),
		Staff:       []option{{Value: "", Label: p.Sprintf("Choose a staff member")}},
		Credentials: []option{{Value: "", Label: p.Sprintf("Choose an API token or session")}},
		Orgs:        []option{{Value: "", Label: p.Sprintf("Choose an organisation")}}}
	for _, x := range accord.BreachSubjects {
		d.Subjects = append(d.Subjects, option{Value: string(x), Label: breachSubjectLabel(p, x)})
	}
	for _, o := range ch.Organizations {
		names[o.ID] = o.Name
		d.Orgs = append(d.Orgs, option{Value: o.ID, Label: o.Name})
	}
	for _, st := range ch.Staff {
		names[st.ID] = st.DisplayName
		label := st.DisplayName + " (" + st.Username + ") — " + names[st.OrganizationID]
		if !st.Active {
			label += " — " + p.Sprintf("deactivated")
		}
		d.Staff = append(d.Staff, option{Value: st.ID, Label: label})
	}
	for _, cr := range ch.Credentials {
		kind := p.Sprintf("sign-in session")
		if cr.Kind == "token" {
			kind = p.Sprintf("API token")
			if cr.Name != "" {
				kind += " “" + cr.Name + "”"
			}
		}
		label := p.Sprintf("%[1]s: %[2]s from %[3]s until %[4]s", names[cr.StaffID], kind, clockTime(p, v.Now, cr.CreatedAt), clockTime(p, v.Now, cr.Until()))
		d.Credentials = append(d.Credentials, option{Value: cr.ID, Label: label})
	}
	if f == nil {
		f = newForm()
		now := s.now()
		f.Values.Set("subject", string(accord.BreachStaff))
		f.Values.Set("discovered_at", breachFormTime(now))
		f.Values.Set("window_end", breachFormTime(now))
		f.Values.Set("key_version", "1")
	}
	v.Form, v.Data = f, d
	return v, nil
}

func (s *Server) breachNew(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.breachGate(w, r, c); !ok {
		return err
	}
	v, err := s.breachNewView(r, c, nil)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "breach_new", v)
}

func (s *Server) breachCreate(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.breachGate(w, r, c); !ok {
		return err
	}
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		b := &accord.Breach{Description: strings.ReplaceAll(f.Values.Get("description"), "\r\n", "\n"), Subject: accord.BreachSubject(f.Values.Get("subject"))}
		var err error
		for _, x := range []struct {
			name string
			t    *time.Time
		}{{"discovered_at", &b.DiscoveredAt}, {"window_start", &b.WindowStart}, {"window_end", &b.WindowEnd}} {
			if *x.t, err = breachTime(f, x.name); err != nil {
				return "", err
			}
		}
		switch b.Subject {
		case accord.BreachStaff:
			b.StaffID = f.Values.Get("staff_id")
		case accord.BreachCredential:
			b.CredentialID = f.Values.Get("credential_id")
		case accord.BreachKey:
			b.OrganizationID = f.Values.Get("organization_id")
			if b.KeyVersion, err = strconv.Atoi(strings.TrimSpace(f.Values.Get("key_version"))); err != nil {
				return "", accord.FieldErrorf("key_version", "name the version of the data key that was compromised (1 or more)")
			}
		}
		if err := s.svc.RecordBreach(r.Context(), c, b); err != nil {
			return "", err
		}
		return "/breaches/" + b.ID + "?notice=breach-recorded", nil
	})
	if done {
		return nil
	}
	p := s.pagePrinter(r)
	if f.Token == "" {
		f.Token = formToken()
	}
	if !f.fail(p, err) {
		return err
	}
	v, verr := s.breachNewView(r, c, f)
	if verr != nil {
		return verr
	}
	return s.render(w, formStatus(err), "breach_new", v)
}

// One incident.

type breachClientRow struct {
	accord.AffectedClient
	Short, Language, Categories, Holders string
	Erased                               bool
}

type breachEventRow struct {
	accord.BreachEvent
	Line string
}

type breachNoticeRow struct {
	enforce.BreachNotice
	Short, LanguageName, WrittenIn string
}

type breachPageData struct {
	*enforce.BreachDetail
	Nav                                     []adminLink
	Short, OrgName, SubjectLabel, StaffName string
	RecordedByName, StatusLabel             string
	Clock                                   string
	Late                                    bool
	Clients                                 []breachClientRow
	Notices                                 []breachNoticeRow
	Steps                                   []breachEventRow
	TopError                                string
	Forms                                   map[string]*form
}

func (s *Server) breachData(r *http.Request, p *i18n.Printer, c *enforce.Caller, det *enforce.BreachDetail, notices []enforce.BreachNotice) *breachPageData {
	now := s.now()
	d := &breachPageData{BreachDetail: det, Nav: auditNav(p, c, "/breaches"), Short: shortID(det.ID), OrgName: det.Names[det.OrganizationID],
		SubjectLabel: breachSubjectLabel(p, det.Subject), StaffName: det.Names[det.StaffID], RecordedByName: det.Names[det.RecordedBy],
		StatusLabel: p.Sprintf(string(i18n.Status(string(det.Status)))), Forms: map[string]*form{}}
	d.Clock, d.Late = breachClock(p, now, &det.Breach)
	for _, a := range det.Impact.Clients {
		row := breachClientRow{AffectedClient: a, Short: shortID(a.ClientID)}
		if cl, ok := det.Clients[a.ClientID]; ok {
			row.Language, row.Erased = clientLanguageName(p, cl.PreferredLanguage), cl.Erased
		}
		var cats []string
		for _, cc := range a.Categories {
			cats = append(cats, p.Sprintf("%[1]s (%[2]d)", p.Sprintf(string(i18n.Category(cc.Category))), cc.Count))
		}
		row.Categories = strings.Join(cats, p.Sprintf(", "))
		var hs []string
		for _, h := range a.Holders {
			hs = append(hs, det.Names[h])
		}
		row.Holders = strings.Join(hs, p.Sprintf(", "))
		d.Clients = append(d.Clients, row)
	}
	for _, n := range notices {
		d.Notices = append(d.Notices, breachNoticeRow{BreachNotice: n, Short: shortID(n.ClientID), LanguageName: clientLanguageName(p, n.Language),
			WrittenIn: clientLanguageName(p, n.Lang)})
	}
	for _, e := range det.Events {
		who := det.Names[e.ActorID]
		if who == "" {
			who = p.Sprintf("Accord")
		}
		var line string
		switch e.Kind {
		case accord.BreachEventRecorded:
			line = p.Sprintf("%[1]s recorded the incident: %[2]d clients affected.", who, e.Count)
		case accord.BreachEventImpact:
			line = p.Sprintf("%[1]s worked out the affected clients again: %[2]d clients.", who, e.Count)
		case accord.BreachEventNotified:
			line = p.Sprintf("%s recorded that the supervisory authority was told.", who)
		case accord.BreachEventRemedy:
			line = p.Sprintf("%s recorded a remedy.", who)
		case accord.BreachEventOverdue:
			line = p.Sprintf("The 72 hours passed with the supervisory authority not told; more people were told (step %d).", e.Count)
		case accord.BreachEventClosed:
			line = p.Sprintf("%s closed the incident.", who)
		default:
			line = e.Kind
		}
		d.Steps = append(d.Steps, breachEventRow{BreachEvent: e, Line: line})
	}
	version := strconv.Itoa(det.Version)
	for _, k := range []string{"impact", "notify", "remedy", "close"} {
		f := newForm()
		f.Values.Set("version", version)
		d.Forms[k] = f
	}
	d.Forms["notify"].Values.Set("notified_at", breachFormTime(now))
	return d
}

func (s *Server) breachPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.breachGate(w, r, c); !ok {
		return err
	}
	v, _, err := s.breachView(r, c, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "breach_detail", v)
}

func (s *Server) breachView(r *http.Request, c *enforce.Caller, id string) (*view, *breachPageData, error) {
	det, err := s.svc.Breach(r.Context(), c, id)
	if err != nil {
		return nil, nil, err
	}
	v := s.newView(r, c, "audit", "Breach incident", nil)
	d := s.breachData(r, v.P, c, det, enforce.NoticesFor(c, det, s.cat, s.siteURL(r)))
	v.Data = d
	return v, d, nil
}

// breachStep takes one step on an incident from its page: do is impact,
// notify, remedy or close. Bad input or a stale version shows the page
// again, current, with the error by the form that was sent.
func (s *Server) breachStep(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.breachGate(w, r, c); !ok {
		return err
	}
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	id, do := r.PathValue("id"), f.Values.Get("do")
	if !slices.Contains([]string{"impact", "notify", "remedy", "close"}, do) {
		return accord.Errorf(accord.EINVALID, "the form could not be read")
	}
	text := func(name string) string {
		return strings.TrimSpace(strings.ReplaceAll(f.Values.Get(name), "\r\n", "\n"))
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		ctx, version := r.Context(), formVersion(f)
		var err error
		notice := ""
		switch do {
		case "impact":
			_, err = s.svc.RecomputeBreach(ctx, c, id, version)
			notice = "breach-recomputed"
		case "notify":
			at, terr := breachTime(f, "notified_at")
			if terr != nil {
				return "", terr
			}
			_, err = s.svc.NotifyAuthority(ctx, c, id, version, at, text("reference"))
			notice = "breach-notified"
		case "remedy":
			_, err = s.svc.AddBreachRemedy(ctx, c, id, version, text("remedy"))
			notice = "breach-remedy"
		case "close":
			_, err = s.svc.CloseBreach(ctx, c, id, version, text("summary"))
			notice = "breach-closed"
		}
		if err != nil {
			return "", err
		}
		return "/breaches/" + id + "?notice=" + notice, nil
	})
	if done {
		return nil
	}
	v, d, verr := s.breachView(r, c, id)
	if verr != nil {
		return verr
	}
	p := v.P
	if f.Token == "" {
		f.Token = formToken()
	}
	if accord.ErrorCode(err) == accord.EPRECONDITION {
		f.Error = p.Sprintf("Someone else changed this incident after you opened the page. Its current state is shown; check it and send your change again if it is still needed.")
		f.Values.Set("version", strconv.Itoa(d.Version))
	} else if !f.fail(p, err) {
		return err
	}
	if !d.CanAct {
		d.TopError = errorText(p, err)
	}
	d.Forms[do] = f
	return s.render(w, formStatus(err), "breach_detail", v)
}

// The notices, to print.

type breachNoticesData struct {
	Short   string
	ID      string
	Notices []breachNoticeRow
	Printed time.Time
}

func (s *Server) breachNoticesPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.breachGate(w, r, c); !ok {
		return err
	}
	ns, det, err := s.svc.BreachNotices(r.Context(), c, r.PathValue("id"), s.cat, s.siteURL(r))
	if err != nil {
		return err
	}
	v := s.newView(r, c, "audit", "Notices to the people affected", nil)
	d := &breachNoticesData{Short: shortID(det.ID), ID: det.ID, Printed: s.now()}
	for _, n := range ns {
		if n.Erased {
			continue
		}
		d.Notices = append(d.Notices, breachNoticeRow{BreachNotice: n, Short: shortID(n.ClientID), LanguageName: clientLanguageName(v.P, n.Language),
			WrittenIn: clientLanguageName(v.P, n.Lang)})
	}
	v.Data = d
	return s.render(w, http.StatusOK, "breach_notices", v)
}
