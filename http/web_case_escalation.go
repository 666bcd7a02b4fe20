package http

import (
	"net/http"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// Escalation pages: the lists (waiting for me, mine, my organisation's,
// raised by my organisation), raising one, and one escalation with its
// clock and chain.

type escalationRow struct {
	accord.Escalation
	Kind, Org, Contact, Owner string
	Clock                     string
	Overdue                   bool
	Level                     string
}

type escalationListData struct {
	Waiting, Owned, Others, Raised []escalationRow
	Overdue                        int
}

func (s *Server) escalationRow(p *i18n.Printer, now time.Time, e accord.Escalation, people *casePeople, chainLen int) escalationRow {
	row := escalationRow{Escalation: e, Kind: escalationKind(p, e.Kind), Org: people.orgName(e.OrganizationID), Contact: people.staffName(p, e.ContactID),
		Owner: people.staffName(p, e.OwnerID)}
	switch e.Status {
	case accord.EscalationOpen:
		row.Clock, row.Overdue = deadlineText(p, "acknowledge", now, e.DueAt)
	case accord.EscalationAcknowledged:
		row.Clock, row.Overdue = deadlineText(p, "act", now, e.DueAt)
	}
	if chainLen > 0 {
		row.Level = p.Sprintf("level %[1]d of %[2]d", e.Level+1, chainLen)
	}
	return row
}

func (s *Server) escalationListPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	mine, err := s.svc.Escalations(r.Context(), c)
	if err != nil {
		return err
	}
	raised, err := s.svc.EscalationsRaisedByOrg(r.Context(), c)
	if err != nil {
		return err
	}
	people, err := s.casePeople(r, c)
	if err != nil {
		return err
	}
	v := s.newView(r, c, "escalations", "Escalations", nil)
	p, now := v.P, v.Now
	chains := map[string]int{}
	chainLen := func(orgID string) int {
		if n, ok := chains[orgID]; ok {
			return n
		}
		ids, _, err := s.svc.EscalationChain(r.Context(), c, orgID)
		if err != nil {
			return 0
		}
		chains[orgID] = len(ids)
		return len(ids)
	}
	d := &escalationListData{}
	for _, e := range mine {
		row := s.escalationRow(p, now, e, people, chainLen(e.OrganizationID))
		if row.Overdue {
			d.Overdue++
		}
		switch {
		case e.Status == accord.EscalationOpen && e.ContactID == c.Staff.ID:
			d.Waiting = append(d.Waiting, row)
		case e.OwnerID == c.Staff.ID:
			d.Owned = append(d.Owned, row)
		default:
			d.Others = append(d.Others, row)
		}
	}
	for _, e := range raised {
		if e.OrganizationID != c.Staff.OrganizationID {
			d.Raised = append(d.Raised, s.escalationRow(p, now, e, people, chainLen(e.OrganizationID)))
		}
	}
	v.Data = d
	return s.render(w, http.StatusOK, "escalation_list", v)
}

// Raising an escalation.

type escalationNewData struct {
	Client    accord.Client
	CaseID    string
	CaseTitle string
	Kinds     []option
	Urgencies []option
	Orgs      []option
	Purposes  []option
}

func (s *Server) escalationNewView(r *http.Request, c *enforce.Caller, f *form) (*view, error) {
	q := r.URL.Query()
	clientID := q.Get("client")
	if f != nil && f.Values.Get("client") != "" {
		clientID = f.Values.Get("client")
	}
	if clientID == "" {
		return nil, accord.Errorf(accord.EINVALID, "Open the client's page first, then choose to raise an escalation.")
	}
	purpose := s.purposeFor(r, c)
	cv, err := s.svc.ReadClient(r.Context(), c, clientID, purpose)
	if err != nil {
		return nil, err
	}
	people, err := s.casePeople(r, c)
	if err != nil {
		return nil, err
	}
	v := s.newView(r, c, "escalations", "Raise an escalation", nil)
	p := v.P
	d := &escalationNewData{Client: cv.Client}
	if f == nil {
		f = newForm()
		f.Values.Set("client", clientID)
		f.Values.Set("case_id", q.Get("case"))
		f.Values.Set("urgency", string(accord.UrgencyUrgent))
		f.Values.Set("organization_id", c.Staff.OrganizationID)
	}
	v.Form = f
	if d.CaseID = f.Values.Get("case_id"); d.CaseID != "" {
		if cs, err := s.svc.Case(r.Context(), c, d.CaseID, purpose); err == nil && cs.ClientID == clientID {
			d.CaseTitle = cs.Title
		} else {
			d.CaseID = ""
			f.Values.Del("case_id")
		}
	}
	for _, k := range accord.EscalationKinds {
		d.Kinds = append(d.Kinds, option{Value: string(k), Label: escalationKind(p, k)})
	}
	for _, u := range []accord.Urgency{accord.UrgencyUrgent, accord.UrgencyImmediate} {
		d.Urgencies = append(d.Urgencies, option{Value: string(u), Label: p.Sprintf("%[1]s — first contact has %[2]s to acknowledge, unless an agreement says otherwise",
			i18n.Urgency(u), durationWords(p, u.ResponseTime()))})
	}
	for _, o := range people.orgs {
		ids, _, err := s.svc.EscalationChain(r.Context(), c, o.ID)
		if err != nil || len(ids) == 0 {
			continue
		}
		label := p.Sprintf("%[1]s (first contact: %[2]s)", o.Name, people.staffName(p, ids[0]))
		if o.ID == c.Staff.OrganizationID {
			label = p.Sprintf("%[1]s — your organisation (first contact: %[2]s)", o.Name, people.staffName(p, ids[0]))
		}
		d.Orgs = append(d.Orgs, option{Value: o.ID, Label: label})
	}
	d.Purposes = purposeChoices(p, p.Sprintf("The responsible organisation's usual purpose"))
	v.Data = d
	return v, nil
}

func (s *Server) escalationNewPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, err := s.escalationNewView(r, c, nil)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "escalation_new", v)
}

func (s *Server) escalationNewSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	v, err := s.escalationNewView(r, c, f)
	if err != nil {
		return err
	}
	p := v.P
	people, err := s.casePeople(r, c)
	if err != nil {
		return err
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		org, ok := people.org[f.Values.Get("organization_id")]
		if !ok {
			return "", accord.FieldErrorf("organization_id", "Choose the organisation that must act.")
		}
		if f.Values.Get("kind") == "" {
			return "", accord.FieldErrorf("kind", "Choose what the urgent need is.")
		}
		if strings.TrimSpace(f.Values.Get("summary")) == "" {
			return "", accord.FieldErrorf("summary", "Say what is happening and what is needed, in a few lines.")
		}
		purpose := accord.Purpose(f.Values.Get("purpose"))
		if purpose == "" {
			purpose = s.purposeFor(r, c)
			if org.ID != c.Staff.OrganizationID {
				purpose = sectorPurpose(org.Sector, purpose)
			}
		} else if !purpose.Valid() || purpose == accord.PurposeEmergencyTreatment {
			return "", accord.FieldErrorf("purpose", "Choose a purpose from the list.")
		}
		e := &accord.Escalation{ClientID: f.Values.Get("client"), CaseID: f.Values.Get("case_id"), Kind: accord.EscalationKind(f.Values.Get("kind")),
			Urgency: accord.Urgency(f.Values.Get("urgency")), Summary: strings.TrimSpace(f.Values.Get("summary")), OrganizationID: org.ID}
		if err := s.svc.RaiseEscalation(r.Context(), c, e, purpose); err != nil {
			return "", err
		}
		return "/escalations/" + e.ID + "?notice=escalation-sent", nil
	})
	if done {
		return nil
	}
	if f.Token == "" {
		f.Token = formToken()
	}
	if !failAs(f, p, err, map[string]string{"participants": "organization_id", "responsibility": "organization_id", "case_id": "organization_id",
		"client_id": "organization_id"}) {
		return err
	}
	joinRefusal(f, p, err, "organization_id")
	return s.render(w, formStatus(err), "escalation_new", v)
}

// One escalation.

type escalationPageData struct {
	*enforce.EscalationView
	E         *accord.Escalation
	Row       escalationRow
	RaisedBy  string
	Client    *accord.Client
	ClientWhy string
	Chain     []chainRow
	YouNow    bool
	Forms     map[string]*form
	// TopError is a refusal whose form the page no longer shows (someone
	// else acknowledged the escalation meanwhile, say).
	TopError string
}

type chainRow struct {
	Name          string
	Level         int
	Current, Past bool
}

func (s *Server) escalationView(r *http.Request, c *enforce.Caller) (*view, *escalationPageData, error) {
	purpose := s.purposeFor(r, c)
	ev, err := s.svc.OpenEscalation(r.Context(), c, r.PathValue("id"), purpose)
	if err != nil {
		return nil, nil, err
	}
	people, err := s.casePeople(r, c)
	if err != nil {
		return nil, nil, err
	}
	v := s.newView(r, c, "escalations", "Escalation", nil)
	p := v.P
	e := ev.Escalation
	d := &escalationPageData{EscalationView: ev, E: e, Row: s.escalationRow(p, v.Now, *e, people, len(ev.Chain)), RaisedBy: people.staffName(p, e.RaisedBy),
		YouNow: e.Status == accord.EscalationOpen && e.ContactID == c.Staff.ID, Forms: map[string]*form{}}
	for _, name := range []string{"acknowledge", "resolve", "cancel"} {
		d.Forms[name] = newForm()
	}
	for i, id := range ev.Chain {
		d.Chain = append(d.Chain, chainRow{Name: people.staffName(p, id), Level: i + 1, Current: e.Status == accord.EscalationOpen && i == e.Level,
			Past: i < e.Level})
	}
	if cv, err := s.svc.ReadClient(r.Context(), c, e.ClientID, purpose); err == nil {
		d.Client = &cv.Client
	} else if accord.ErrorCode(err) == accord.EDENIED {
		d.ClientWhy = errorText(p, err)
	} else {
		return nil, nil, err
	}
	v.Data = d
	return v, d, nil
}

func (s *Server) escalationPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, _, err := s.escalationView(r, c)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "escalation_detail", v)
}

// escalationSubmit acknowledges, resolves or cancels an escalation (do).
func (s *Server) escalationSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	p := s.pagePrinter(r)
	do := f.Values.Get("do")
	field := ""
	switch do {
	case "acknowledge":
	case "resolve":
		field = "resolution"
	case "cancel":
		field = "cancel_reason"
	default:
		return accord.Errorf(accord.EINVALID, "the form could not be read")
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		if do == "acknowledge" {
			if _, err := s.svc.AcknowledgeEscalation(r.Context(), c, id, formVersion(f)); err != nil {
				return "", err
			}
			return "/escalations/" + id + "?notice=escalation-acknowledged", nil
		}
		text := strings.TrimSpace(f.Values.Get(field))
		if text == "" {
			if do == "cancel" {
				return "", accord.FieldErrorf(field, "Say why the escalation is cancelled.")
			}
			return "", accord.FieldErrorf(field, "Say what was done, so whoever raised it knows.")
		}
		if _, err := s.svc.ResolveEscalation(r.Context(), c, id, formVersion(f), text, do == "cancel"); err != nil {
			return "", err
		}
		return "/escalations/" + id + "?notice=escalation-resolved", nil
	})
	if done {
		return nil
	}
	v, d, verr := s.escalationView(r, c)
	if verr != nil {
		return verr
	}
	if f.Token == "" {
		f.Token = formToken()
	}
	if accord.ErrorCode(err) == accord.EPRECONDITION {
		f.Error = staleText(p, "escalation")
	} else {
		names := map[string]string{}
		if field != "" {
			names["resolution"] = field
		}
		if !failAs(f, p, err, names) {
			return err
		}
	}
	d.Forms[do] = f
	if shown := map[string]bool{"acknowledge": d.CanAcknowledge, "resolve": d.CanResolve, "cancel": d.CanCancel}; !shown[do] {
		d.TopError = errorText(p, err)
		if f.Error != "" {
			d.TopError = f.Error
		}
	}
	return s.render(w, formStatus(err), "escalation_detail", v)
}
