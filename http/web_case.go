package http

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/policy"
)

// The casework pages: joint cases (opening one, and its workspace),
// referrals, escalations and the service directory. Everything goes through
// enforce.Service: the workspace is one decision about the client plus one
// per group of notes; a referral's handoff is decided when the receiver
// opens it, and previewed for the sender before it is sent.

// casePages are the routes of the casework pages.
func (s *Server) casePages() []route {
	return []route{
		{"GET", "/clients/{id}/cases/new", s.page(s.caseNewPage)},
		{"POST", "/clients/{id}/cases/new", s.page(s.caseNewSubmit)},
		{"GET", "/cases/{id}", s.page(s.caseWorkspacePage)},
		{"POST", "/cases/{id}", s.page(s.caseWorkspaceSubmit)},
		{"GET", "/cases/{id}/timeline", s.page(s.caseTimelineMore)},

		{"GET", "/referrals", s.page(s.referralListPage)},
		{"GET", "/referrals/new", s.page(s.referralNewPage)},
		{"POST", "/referrals/new", s.page(s.referralNewSubmit)},
		{"POST", "/referrals/preview", s.page(s.referralPreview)},
		{"GET", "/referrals/{id}", s.page(s.referralPage)},
		{"POST", "/referrals/{id}", s.page(s.referralSubmit)},

		{"GET", "/escalations", s.page(s.escalationListPage)},
		{"GET", "/escalations/new", s.page(s.escalationNewPage)},
		{"POST", "/escalations/new", s.page(s.escalationNewSubmit)},
		{"GET", "/escalations/{id}", s.page(s.escalationPage)},
		{"POST", "/escalations/{id}", s.page(s.escalationSubmit)},

		{"GET", "/directory", s.page(s.directoryPage)},
		{"POST", "/directory", s.page(s.directoryPage)},
	}
}

func init() {
	// i18n.M marks each text for the catalogue.
	registerNotices(map[string]string{
		"task-added":              i18n.M("The task is added.").Format,
		"task-updated":            i18n.M("The task is updated.").Format,
		"note-added":              i18n.M("The note is added.").Format,
		"conference-recorded":     i18n.M("The meeting is recorded.").Format,
		"goal-added":              i18n.M("The goal is added.").Format,
		"goal-updated":            i18n.M("The goal is updated.").Format,
		"outcome-recorded":        i18n.M("The outcome is recorded.").Format,
		"participant-added":       i18n.M("The organisation has joined the case.").Format,
		"case-closed":             i18n.M("The case is closed.").Format,
		"referral-updated":        i18n.M("The referral is updated.").Format,
		"referral-assigned":       i18n.M("The referral is assigned.").Format,
		"escalation-acknowledged": i18n.M("You acknowledged the escalation: it is yours now.").Format,
		"escalation-resolved":     i18n.M("The escalation is closed.").Format,
	})
}

// Shared helpers of the casework pages.

// casePeople names the organisations and staff the casework pages show.
type casePeople struct {
	orgs  []accord.Organization
	org   map[string]accord.Organization
	staff []accord.Staff
	by    map[string]accord.Staff
}

func (s *Server) casePeople(r *http.Request, c *enforce.Caller) (*casePeople, error) {
	orgs, err := s.svc.Organizations(r.Context(), c)
	if err != nil {
		return nil, err
	}
	staff, err := s.svc.CaseStaffDirectory(r.Context(), c)
	if err != nil {
		return nil, err
	}
	n := &casePeople{orgs: orgs, org: map[string]accord.Organization{}, staff: staff, by: map[string]accord.Staff{}}
	for _, o := range orgs {
		n.org[o.ID] = o
	}
	for _, st := range staff {
		n.by[st.ID] = st
	}
	return n, nil
}

func (n *casePeople) orgName(id string) string { return n.org[id].Name }

// staffName is a staff member's name, or a description when the caller
// may not know it.
func (n *casePeople) staffName(p *i18n.Printer, id string) string {
	switch {
	case id == "":
		return ""
	case id == "system":
		return p.Sprintf("Accord (automatic)")
	}
	if st, ok := n.by[id]; ok {
		return st.DisplayName
	}
	return p.Sprintf("a staff member (%s)", shortID(id))
}

// staffLabel is "Name, role" for a choice.
func (n *casePeople) staffLabel(p *i18n.Printer, st accord.Staff) string {
	return p.Sprintf("%[1]s, %[2]s", st.DisplayName, i18n.Roles(st.Roles))
}

// partnerOptions are the staff of other organisations a case or escalation
// can name, as "Organisation: Name, role".
func (n *casePeople) partnerOptions(p *i18n.Printer, c *enforce.Caller, skip func(orgID string) bool) []option {
	out := []option{{Value: "", Label: p.Sprintf("Choose a person")}}
	for _, st := range n.staff {
		if st.OrganizationID == c.Staff.OrganizationID || !st.Active || skip != nil && skip(st.OrganizationID) {
			continue
		}
		out = append(out, option{Value: st.ID, Label: p.Sprintf("%[1]s: %[2]s", n.orgName(st.OrganizationID), n.staffLabel(p, st))})
	}
	sort.SliceStable(out[1:], func(i, j int) bool { return out[1+i].Label < out[1+j].Label })
	return out
}

// formStatus is the status of a page showing a form that was refused.
func formStatus(err error) int {
	switch accord.ErrorCode(err) {
	case accord.EINVALID:
		return http.StatusUnprocessableEntity
	case accord.EDENIED, accord.EFORBIDDEN:
		return http.StatusForbidden
	case accord.EPRECONDITION, accord.ECONFLICT:
		return http.StatusConflict
	}
	if st, ok := statusOf[accord.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusUnprocessableEntity
}

// failAs puts err on f, renaming the field enforce names to the form's
// own (pages with several forms need distinct field names). It returns
// false for errors that are not about the input.
func failAs(f *form, p *i18n.Printer, err error, names map[string]string) bool {
	if !f.fail(p, err) {
		return false
	}
	for from, to := range names {
		if msg, ok := f.Errors[from]; ok && from != to {
			delete(f.Errors, from)
			f.Errors[to] = msg
		}
	}
	return true
}

// joinRefusal words a partner's refusal to join a case as "X cannot join
// this case", followed by the decision's explanation, beside field.
func joinRefusal(f *form, p *i18n.Printer, err error, field string) {
	if enforce.AsDenied(err) == nil {
		return
	}
	if e := accord.AsError(err); e != nil && e.Field == "participants" {
		f.Errors[field] = p.Sprintf(e.Format, e.Args...)
	}
}

// formVersion reads the version a form carries.
func formVersion(f *form) int {
	v, _ := strconv.Atoi(f.Values.Get("version"))
	return v
}

// durationWords says how long d is, roughly: "12 minutes", "3 hours", "2 days".
func durationWords(p *i18n.Printer, d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch m := int(d.Round(time.Minute).Minutes()); {
	case m < 1:
		return p.Sprintf("less than a minute")
	case m == 1:
		return p.Sprintf("1 minute")
	case m < 60:
		return p.Sprintf("%d minutes", m)
	case m < 90:
		return p.Sprintf("1 hour")
	case m < 48*60:
		return p.Sprintf("%d hours", (m+30)/60)
	default:
		return p.Sprintf("%d days", (m+12*60)/(24*60))
	}
}

// clockTime is a deadline as a reader needs it: the time alone today,
// else the date and time (UTC, as every time in Accord).
func clockTime(p *i18n.Printer, now, t time.Time) string {
	t, now = t.UTC(), now.UTC()
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04") + " UTC"
	}
	return p.Date(t) + " " + t.Format("15:04") + " UTC"
}

// deadlineText says a deadline in words: "acknowledge by 14:05 UTC (in 12
// minutes)", or "overdue by 3 hours" once it has passed.
func deadlineText(p *i18n.Printer, verb string, now, due time.Time) (string, bool) {
	if due.IsZero() {
		return "", false
	}
	if verb == "task" {
		// Tasks are due on a day.
		if now.After(due) {
			return p.Sprintf("overdue by %[1]s (was due %[2]s)", durationWords(p, now.Sub(due)), p.Date(due)), true
		}
		return p.Sprintf("due %[1]s (in %[2]s)", p.Date(due), durationWords(p, due.Sub(now))), false
	}
	if now.After(due) {
		return p.Sprintf("overdue by %[1]s (was due %[2]s)", durationWords(p, now.Sub(due)), clockTime(p, now, due)), true
	}
	switch verb {
	case "acknowledge":
		return p.Sprintf("acknowledge by %[1]s (in %[2]s)", clockTime(p, now, due), durationWords(p, due.Sub(now))), false
	case "answer":
		return p.Sprintf("answer by %[1]s (in %[2]s)", clockTime(p, now, due), durationWords(p, due.Sub(now))), false
	case "act":
		return p.Sprintf("act by %[1]s (in %[2]s)", clockTime(p, now, due), durationWords(p, due.Sub(now))), false
	}
	return p.Sprintf("due %[1]s (in %[2]s)", clockTime(p, now, due), durationWords(p, due.Sub(now))), false
}

// staleText is what a refused stale form says, by the kind of object.
func staleText(p *i18n.Printer, what string) string {
	switch what {
	case "task":
		return p.Sprintf("Someone else changed this task after you opened the page. Its current state is shown; choose again if your change is still needed.")
	case "referral":
		return p.Sprintf("Someone else changed this referral after you opened the page. Its current state is shown; check it and send your change again if it is still needed.")
	case "escalation":
		return p.Sprintf("Someone else changed this escalation after you opened the page. Its current state is shown; check it before you act.")
	}
	return p.Sprintf("Someone else changed this case after you opened the page. The page now shows the current version; check it and send your change again.")
}

// sectorPurpose is the usual purpose of use for a disclosure to an
// organisation of a sector.
func sectorPurpose(sec accord.Sector, fallback accord.Purpose) accord.Purpose {
	switch sec {
	case accord.SectorHealth:
		return accord.PurposeTreatment
	case accord.SectorLegal:
		return accord.PurposeLegalAid
	case accord.SectorSocial:
		return accord.PurposeSocialCare
	case accord.SectorCivilSociety:
		return accord.PurposeCoordination
	}
	return fallback
}

// purposeChoices are the purposes a casework form offers, after "the
// receiving organisation's usual purpose" (the empty value).
func purposeChoices(p *i18n.Printer, auto string) []option {
	out := []option{{Value: "", Label: auto}}
	for _, x := range accord.Purposes {
		if x != accord.PurposeEmergencyTreatment {
			out = append(out, option{Value: string(x), Label: p.Sprintf(string(i18n.Purpose(x)))})
		}
	}
	return out
}

// escalationKind is the label of an escalation kind.
func escalationKind(p *i18n.Printer, k accord.EscalationKind) string {
	switch k {
	case accord.EscalationEviction:
		return p.Sprintf("imminent eviction")
	case accord.EscalationMedication:
		return p.Sprintf("medication running out")
	case accord.EscalationDetention:
		return p.Sprintf("risk of detention")
	case accord.EscalationSafety:
		return p.Sprintf("risk to safety")
	case accord.EscalationFlagged:
		return p.Sprintf("other urgent need")
	}
	return string(k)
}

// sensitivityLabel is the label of a sensitivity label (HL7 codes).
func sensitivityLabel(p *i18n.Printer, sens accord.Sensitivity) string {
	switch sens {
	case accord.SensHIV:
		return p.Sprintf("HIV")
	case accord.SensPSY:
		return p.Sprintf("mental health")
	case accord.SensETH:
		return p.Sprintf("substance use")
	case accord.SensSDV:
		return p.Sprintf("sexual or domestic violence")
	case accord.SensSEX:
		return p.Sprintf("sexuality or reproductive health")
	case accord.SensSTD:
		return p.Sprintf("sexually transmitted infection")
	}
	return string(sens)
}

// outcomeLabel is the label of an outcome code.
func outcomeLabel(p *i18n.Printer, code string) string {
	switch code {
	case "care_accessed":
		return p.Sprintf("care accessed")
	case "treatment_started":
		return p.Sprintf("treatment started")
	case "medication_secured":
		return p.Sprintf("medication secured")
	case "condition_stabilised":
		return p.Sprintf("condition stabilised")
	case "registered_with_gp":
		return p.Sprintf("registered with a GP")
	case "referred_specialist":
		return p.Sprintf("referred to a specialist")
	case "no_change":
		return p.Sprintf("no change")
	case "declined_care":
		return p.Sprintf("the client declined care")
	case "eviction_prevented":
		return p.Sprintf("eviction prevented")
	case "eviction_delayed":
		return p.Sprintf("eviction delayed")
	case "benefits_secured":
		return p.Sprintf("benefits secured")
	case "status_regularised":
		return p.Sprintf("immigration status regularised")
	case "application_submitted":
		return p.Sprintf("application submitted")
	case "detention_avoided":
		return p.Sprintf("detention avoided")
	case "protection_order":
		return p.Sprintf("protection order granted")
	case "case_lost":
		return p.Sprintf("case lost")
	case "advice_only":
		return p.Sprintf("advice only")
	}
	return code
}

func outcomeKindLabel(p *i18n.Printer, kind, code string) string {
	if kind == "health" {
		return p.Sprintf("Health: %s", outcomeLabel(p, code))
	}
	return p.Sprintf("Legal: %s", outcomeLabel(p, code))
}

// renderFragment writes one named template of a page, without the layout
// (the part of a page an htmx request replaces).
func (s *Server) renderFragment(w http.ResponseWriter, page, name string, data any) error {
	t, ok := pages[page]
	if !ok {
		return fmt.Errorf("no page template %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Vary", "Cookie, HX-Request")
	_, err := buf.WriteTo(w)
	return err
}

// Opening a case.

type caseNewData struct {
	Client   accord.Client
	Partners []option
	Purposes []option
	Rows     []int
}

const caseParticipantRows = 3

func (s *Server) caseNewView(r *http.Request, c *enforce.Caller, f *form) (*view, error) {
	purpose := s.purposeFor(r, c)
	cv, err := s.svc.ReadClient(r.Context(), c, r.PathValue("id"), purpose)
	if err != nil {
		return nil, err
	}
	people, err := s.casePeople(r, c)
	if err != nil {
		return nil, err
	}
	v := s.newView(r, c, "clients", "Open a joint case", nil)
	p := v.P
	d := &caseNewData{Client: cv.Client, Partners: people.partnerOptions(p, c, nil),
		Purposes: purposeChoices(p, p.Sprintf("The usual purpose of the first organisation you add"))}
	for i := 1; i <= caseParticipantRows; i++ {
		d.Rows = append(d.Rows, i)
	}
	v.Data = d
	if f == nil {
		f = newForm()
	}
	v.Form = f
	return v, nil
}

func (s *Server) caseNewPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, err := s.caseNewView(r, c, nil)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "case_new", v)
}

func (s *Server) caseNewSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	v, err := s.caseNewView(r, c, f)
	if err != nil {
		return err
	}
	p := v.P
	clientID := r.PathValue("id")
	people, err := s.casePeople(r, c)
	if err != nil {
		return err
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		title := strings.TrimSpace(f.Values.Get("title"))
		if title == "" {
			return "", accord.FieldErrorf("title", "Give the case a short title, for example “Eviction defence”.")
		}
		var parts []enforce.ParticipantRequest
		for i := 1; i <= caseParticipantRows; i++ {
			n := strconv.Itoa(i)
			staffID, resp := f.Values.Get("p"+n+"_staff"), strings.TrimSpace(f.Values.Get("p"+n+"_resp"))
			if staffID == "" && resp == "" {
				continue
			}
			st, ok := people.by[staffID]
			if !ok {
				return "", accord.FieldErrorf("p"+n+"_staff", "Choose who will lead for that organisation.")
			}
			if resp == "" {
				return "", accord.FieldErrorf("p"+n+"_resp", "Say what this organisation takes on.")
			}
			parts = append(parts, enforce.ParticipantRequest{OrganizationID: st.OrganizationID, StaffID: st.ID, Responsibility: resp})
		}
		purpose := accord.Purpose(f.Values.Get("purpose"))
		if purpose == "" {
			purpose = s.purposeFor(r, c)
			if len(parts) > 0 {
				purpose = sectorPurpose(people.org[parts[0].OrganizationID].Sector, purpose)
			}
		} else if !purpose.Valid() || purpose == accord.PurposeEmergencyTreatment {
			return "", accord.FieldErrorf("purpose", "Choose a purpose from the list.")
		}
		cs, err := s.svc.OpenCase(r.Context(), c, clientID, title, parts, purpose)
		if err != nil {
			return "", err
		}
		return "/cases/" + cs.ID + "?notice=case-opened", nil
	})
	if done {
		return nil
	}
	if f.Token == "" {
		f.Token = formToken()
	}
	if !failAs(f, p, err, map[string]string{"responsibility": "participants", "staff_id": "participants", "organization_id": "participants"}) {
		return err
	}
	joinRefusal(f, p, err, "participants")
	return s.render(w, formStatus(err), "case_new", v)
}

// The case workspace.

type caseWorkspace struct {
	Case         *accord.Case
	Client       accord.Client
	Open         bool
	ClosedAt     time.Time
	LeadOrg      string
	OpenedBy     string
	Participants []participantRow
	Goals        []goalRow
	Outcomes     []outcomeRow
	Tasks        []taskRow
	TasksClosed  []taskRow
	Overdue      int
	NoteGroups   []noteGroup
	Withheld     []withheldRow
	Conferences  []conferenceRow
	Timeline     *timelinePage
	Forms        map[string]*form
	// Choices for the forms.
	TaskOwners, Attendees, NoteCategories, Sensitivities, OutcomeChoices, Joiners, ConfKinds []option
	// StatusError is a refused task or goal change, shown at the top of its section.
	StatusError string
}

type participantRow struct {
	Org, Staff, Responsibility string
	Added                      time.Time
}

type goalRow struct {
	accord.Goal
	Next  []option
	Error string
}

type outcomeRow struct {
	Label, By string
	At        time.Time
}

type taskRow struct {
	accord.Task
	Owner, OwnerOrg string
	Overdue         bool
	Due             string
	Next            []option
	Error           string
}

type noteGroup struct {
	Category accord.Category
	Notes    []noteRow
}

type noteRow struct {
	Content, Note, By, Org string
	At                     time.Time
}

type withheldRow struct {
	Category accord.Category
	Org      string
	Reason   string
}

type conferenceRow struct {
	accord.Conference
	Attendees, By string
}

// timelinePage is one page of a case's timeline, newest first.
type timelinePage struct {
	P      *i18n.Printer
	CaseID string
	Items  []eventRow
	// Older is the seq to continue from ("?after=" shows the events that
	// come after it in this newest-first list, that is, older ones); 0 when
	// there are no more.
	Older int64
	// Paged reports that the page does not start at the newest event.
	Paged   bool
	lastSeq int64
}

type eventRow struct {
	At        time.Time
	What, Who string
	Link      string
}

const timelinePageSize = 20

func (s *Server) timelinePage(p *i18n.Printer, caseID string, events []accord.CaseEvent, after int64, people *casePeople) *timelinePage {
	tp := &timelinePage{P: p, CaseID: caseID, Paged: after > 0}
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		if after > 0 && e.Seq >= after {
			continue
		}
		if len(tp.Items) == timelinePageSize {
			tp.Older = tp.lastSeq
			break
		}
		what, link := eventText(p, e, people)
		who := ""
		if e.ActorID != "" {
			who = people.staffName(p, e.ActorID)
		}
		tp.Items = append(tp.Items, eventRow{At: e.At, What: what, Who: who, Link: link})
		tp.lastSeq = e.Seq
	}
	return tp
}

// eventText says what a timeline event was, and where to read more.
func eventText(p *i18n.Printer, e accord.CaseEvent, people *casePeople) (string, string) {
	switch e.Kind {
	case "case.opened":
		return p.Sprintf("Case opened"), ""
	case "case.closed":
		return p.Sprintf("Case closed"), ""
	case "task.created":
		return p.Sprintf("Task added"), "#task-" + e.ObjectID
	case "task.open":
		return p.Sprintf("Task reopened"), "#task-" + e.ObjectID
	case "task.in_progress":
		return p.Sprintf("Task started"), "#task-" + e.ObjectID
	case "task.done":
		return p.Sprintf("Task done"), "#task-" + e.ObjectID
	case "task.cancelled":
		return p.Sprintf("Task cancelled"), "#task-" + e.ObjectID
	case "note.added":
		return p.Sprintf("Note added: %s", i18n.Category(e.Category)), "#notes"
	case "conference.recorded":
		return p.Sprintf("Case conference recorded"), "#meetings"
	case "debrief.recorded":
		return p.Sprintf("Debrief recorded"), "#meetings"
	case "participant.added":
		return p.Sprintf("%s joined the case", people.orgName(e.ObjectID)), "#summary"
	case "goal.added":
		return p.Sprintf("Goal added"), "#goals"
	case "goal.open":
		return p.Sprintf("Goal reopened"), "#goals"
	case "goal.achieved":
		return p.Sprintf("Goal achieved"), "#goals"
	case "goal.dropped":
		return p.Sprintf("Goal dropped"), "#goals"
	case "outcome.health":
		return p.Sprintf("Outcome recorded: %s", outcomeKindLabel(p, "health", e.ObjectID)), "#outcomes"
	case "outcome.legal":
		return p.Sprintf("Outcome recorded: %s", outcomeKindLabel(p, "legal", e.ObjectID)), "#outcomes"
	case "referral.sent":
		return p.Sprintf("Referral sent"), "/referrals/" + e.ObjectID
	case "referral.received":
		return p.Sprintf("Referral opened by the receiving organisation"), "/referrals/" + e.ObjectID
	case "referral.accepted":
		return p.Sprintf("Referral accepted"), "/referrals/" + e.ObjectID
	case "referral.declined":
		return p.Sprintf("Referral declined"), "/referrals/" + e.ObjectID
	case "referral.in_progress":
		return p.Sprintf("Referral being worked on"), "/referrals/" + e.ObjectID
	case "referral.completed":
		return p.Sprintf("Referral completed"), "/referrals/" + e.ObjectID
	case "referral.cancelled":
		return p.Sprintf("Referral cancelled"), "/referrals/" + e.ObjectID
	case "referral.overdue":
		return p.Sprintf("Referral not answered in time"), "/referrals/" + e.ObjectID
	case "referral.assigned":
		return p.Sprintf("Referral assigned"), "/referrals/" + e.ObjectID
	case "escalation.raised":
		return p.Sprintf("Escalation raised: %s", escalationKind(p, accord.EscalationKind(e.Detail))), "/escalations/" + e.ObjectID
	case "escalation.acknowledge":
		return p.Sprintf("Escalation acknowledged"), "/escalations/" + e.ObjectID
	case "escalation.resolve":
		return p.Sprintf("Escalation resolved"), "/escalations/" + e.ObjectID
	case "escalation.cancel":
		return p.Sprintf("Escalation cancelled"), "/escalations/" + e.ObjectID
	case "escalation.escalate":
		return p.Sprintf("Escalation not acknowledged in time: passed to the next contact"), "/escalations/" + e.ObjectID
	case "escalation.unanswered":
		return p.Sprintf("Escalation still not acknowledged: the whole chain was told"), "/escalations/" + e.ObjectID
	case "escalation.action_overdue":
		return p.Sprintf("Escalation past its action deadline"), "/escalations/" + e.ObjectID
	}
	return p.Sprintf("Other change (%s)", e.Kind), ""
}

// caseForms are the workspace's forms, each with a fresh token.
var caseFormNames = []string{"task", "note", "conference", "goal", "outcome", "participant", "close", "status"}

func (s *Server) caseWorkspaceView(r *http.Request, c *enforce.Caller, after int64) (*view, *caseWorkspace, error) {
	purpose := s.purposeFor(r, c)
	ws, err := s.svc.CaseWorkspace(r.Context(), c, r.PathValue("id"), purpose)
	if err != nil {
		return nil, nil, err
	}
	people, err := s.casePeople(r, c)
	if err != nil {
		return nil, nil, err
	}
	v := s.newView(r, c, "clients", "Joint case", nil)
	p, now := v.P, v.Now
	cs := ws.Case
	d := &caseWorkspace{Case: cs, Client: ws.Client, Open: cs.Status == accord.CaseOpen, LeadOrg: people.orgName(cs.LeadOrganizationID),
		OpenedBy: people.staffName(p, cs.OpenedBy), Forms: map[string]*form{}}
	if cs.ClosedAt != nil {
		d.ClosedAt = *cs.ClosedAt
	}
	for _, name := range caseFormNames {
		d.Forms[name] = newForm()
	}
	for _, pt := range cs.Participants {
		d.Participants = append(d.Participants, participantRow{Org: people.orgName(pt.OrganizationID), Staff: people.staffName(p, pt.StaffID),
			Responsibility: pt.Responsibility, Added: pt.AddedAt})
	}
	for _, g := range cs.Goals {
		row := goalRow{Goal: g}
		for _, st := range []accord.GoalStatus{accord.GoalOpen, accord.GoalAchieved, accord.GoalDropped} {
			if st != g.Status {
				row.Next = append(row.Next, option{Value: string(st), Label: p.Sprintf(string(i18n.Status(string(st))))})
			}
		}
		d.Goals = append(d.Goals, row)
	}
	for _, o := range cs.Outcomes {
		d.Outcomes = append(d.Outcomes, outcomeRow{Label: outcomeKindLabel(p, o.Kind, o.Code), By: people.staffName(p, o.RecordedBy), At: o.RecordedAt})
	}
	// Tasks: open ones first, overdue at the top, then by due date.
	for _, t := range ws.Tasks {
		row := taskRow{Task: t, Owner: people.staffName(p, t.OwnerID), OwnerOrg: people.orgName(t.OwnerOrgID)}
		live := t.Status == accord.TaskOpen || t.Status == accord.TaskInProgress
		if live {
			row.Due, row.Overdue = deadlineText(p, "task", now, t.DueAt)
			for _, st := range []accord.TaskStatus{accord.TaskOpen, accord.TaskInProgress, accord.TaskDone, accord.TaskCancelled} {
				if st != t.Status && t.CheckTransition(st) == nil {
					row.Next = append(row.Next, option{Value: string(st), Label: taskStatusAction(p, st)})
				}
			}
			if row.Overdue {
				d.Overdue++
			}
			d.Tasks = append(d.Tasks, row)
		} else {
			d.TasksClosed = append(d.TasksClosed, row)
		}
	}
	sort.SliceStable(d.Tasks, func(i, j int) bool {
		if d.Tasks[i].Overdue != d.Tasks[j].Overdue {
			return d.Tasks[i].Overdue
		}
		return d.Tasks[i].DueAt.Before(d.Tasks[j].DueAt)
	})
	// Notes by category, newest first within each.
	groups := map[accord.Category]*noteGroup{}
	for _, rec := range ws.Notes.Records {
		g, ok := groups[rec.Category]
		if !ok {
			g = &noteGroup{Category: rec.Category}
			groups[rec.Category] = g
		}
		g.Notes = append(g.Notes, noteRow{Content: rec.Content, Note: rec.Note, By: people.staffName(p, rec.RecordedBy),
			Org: people.orgName(rec.OrganizationID), At: rec.RecordedAt})
	}
	for _, cat := range accord.Categories {
		if g, ok := groups[cat]; ok {
			sort.SliceStable(g.Notes, func(i, j int) bool { return g.Notes[i].At.After(g.Notes[j].At) })
			d.NoteGroups = append(d.NoteGroups, *g)
		}
	}
	for _, w := range ws.Notes.Withheld {
		d.Withheld = append(d.Withheld, withheldRow{Category: w.Request.Category, Org: people.orgName(w.Request.HolderID), Reason: p.Render(w.Explanation)})
	}
	for i := len(ws.Conferences) - 1; i >= 0; i-- {
		cf := ws.Conferences[i]
		var names []string
		for _, a := range cf.Attendees {
			names = append(names, people.staffName(p, a))
		}
		d.Conferences = append(d.Conferences, conferenceRow{Conference: cf, Attendees: strings.Join(names, p.Sprintf(", ")), By: people.staffName(p, cf.RecordedBy)})
	}
	d.Timeline = s.timelinePage(p, cs.ID, ws.Events, after, people)

	// Choices.
	// People who work with clients (and interpreters), the caller's own
	// organisation first.
	for _, own := range []bool{true, false} {
		for _, st := range people.staff {
			if !st.Active || !cs.Participates(st.OrganizationID) || (st.OrganizationID == c.Staff.OrganizationID) != own ||
				!isClientFacing(st) && !slices.Contains(st.Roles, accord.RoleInterpreter) {
				continue
			}
			label := p.Sprintf("%[1]s (%[2]s)", st.DisplayName, people.orgName(st.OrganizationID))
			d.TaskOwners = append(d.TaskOwners, option{Value: st.ID, Label: label})
			d.Attendees = append(d.Attendees, option{Value: st.ID, Label: label})
		}
	}
	d.Forms["task"].Values.Set("task_owner", c.Staff.ID)
	d.Forms["conference"].Values.Set("conf_attendees", c.Staff.ID)
	d.Forms["conference"].Values.Set("conf_kind", "conference")
	d.Forms["conference"].Values.Set("conf_date", now.UTC().Format(time.DateOnly))
	for _, cat := range noteCategories(c) {
		d.NoteCategories = append(d.NoteCategories, option{Value: string(cat), Label: p.Sprintf(string(i18n.Category(cat)))})
	}
	for _, sens := range accord.Sensitivities {
		d.Sensitivities = append(d.Sensitivities, option{Value: string(sens), Label: sensitivityLabel(p, sens)})
	}
	d.OutcomeChoices = []option{{Value: "", Label: p.Sprintf("Choose an outcome")}}
	for _, code := range accord.HealthOutcomes {
		d.OutcomeChoices = append(d.OutcomeChoices, option{Value: "health:" + code, Label: outcomeKindLabel(p, "health", code)})
	}
	for _, code := range accord.LegalOutcomes {
		d.OutcomeChoices = append(d.OutcomeChoices, option{Value: "legal:" + code, Label: outcomeKindLabel(p, "legal", code)})
	}
	d.Joiners = people.partnerOptions(p, c, cs.Participates)
	d.ConfKinds = []option{{Value: "conference", Label: p.Sprintf("Case conference")}, {Value: "debrief", Label: p.Sprintf("Debrief after the case")}}
	v.Data = d
	return v, d, nil
}

// taskStatusAction labels a task status as a change to make.
func taskStatusAction(p *i18n.Printer, st accord.TaskStatus) string {
	switch st {
	case accord.TaskOpen:
		return p.Sprintf("Not started")
	case accord.TaskInProgress:
		return p.Sprintf("Started")
	case accord.TaskDone:
		return p.Sprintf("Done")
	}
	return p.Sprintf("Cancelled (not needed)")
}

// noteCategories are the categories a caller can file a case note in: what
// their roles may read at their own organisation, less the client's
// details (which belong on the profile).
func noteCategories(c *enforce.Caller) []accord.Category {
	var out []accord.Category
	for _, cat := range accord.Categories {
		if cat == accord.CatDemographics || cat == accord.CatContact {
			continue
		}
		for _, r := range c.Staff.Roles {
			if slices.Contains(policy.RoleCategories[r], cat) {
				out = append(out, cat)
				break
			}
		}
	}
	return out
}

func (s *Server) caseWorkspacePage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	after, err := queryInt(r, "after", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	v, _, err := s.caseWorkspaceView(r, c, after)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "case_workspace", v)
}

// caseTimelineMore answers "show older events": the next items for htmx,
// else the workspace at that point of the timeline.
func (s *Server) caseTimelineMore(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	after, err := queryInt(r, "after", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if r.Header.Get("HX-Request") != "true" {
		http.Redirect(w, r, "/cases/"+id+"?after="+strconv.FormatInt(after, 10)+"#timeline", http.StatusSeeOther)
		return nil
	}
	events, err := s.svc.Timeline(r.Context(), c, id, 0, 5000, s.purposeFor(r, c))
	if err != nil {
		return err
	}
	people, err := s.casePeople(r, c)
	if err != nil {
		return err
	}
	return s.renderFragment(w, "case_workspace", "case-timeline-items", s.timelinePage(s.pagePrinter(r), id, events, after, people))
}

// caseWorkspaceSubmit applies one of the workspace's forms (do names it).
func (s *Server) caseWorkspaceSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	purpose := s.purposeFor(r, c)
	p := s.pagePrinter(r)
	do := f.Values.Get("do")
	key, names := do, map[string]string{}
	var act func() (string, error)
	caseUpdate := func(u enforce.CaseUpdate, notice, anchor string) func() (string, error) {
		return func() (string, error) {
			u.Version = formVersion(f)
			if _, err := s.svc.UpdateCase(r.Context(), c, id, u, purpose); err != nil {
				return "", err
			}
			return "/cases/" + id + "?notice=" + notice + anchor, nil
		}
	}
	switch do {
	case "task":
		names = map[string]string{"title": "task_title", "owner_id": "task_owner", "due_at": "task_due"}
		act = func() (string, error) {
			due, err := time.Parse(time.DateOnly, f.Values.Get("task_due"))
			if err != nil {
				return "", accord.FieldErrorf("task_due", "Give the date the task is due.")
			}
			t := &accord.Task{CaseID: id, Title: strings.TrimSpace(f.Values.Get("task_title")), OwnerID: f.Values.Get("task_owner"),
				DueAt: due.Add(24*time.Hour - time.Minute)}
			if t.Title == "" {
				return "", accord.FieldErrorf("task_title", "Say what needs doing.")
			}
			if err := s.svc.CreateTask(r.Context(), c, t, purpose); err != nil {
				return "", err
			}
			return "/cases/" + id + "?notice=task-added#tasks", nil
		}
	case "task-status":
		key = "status"
		act = func() (string, error) {
			v, _ := strconv.Atoi(f.Values.Get("version"))
			if _, err := s.svc.SetTaskStatus(r.Context(), c, f.Values.Get("task"), v, accord.TaskStatus(f.Values.Get("status")), purpose); err != nil {
				return "", err
			}
			return "/cases/" + id + "?notice=task-updated#tasks", nil
		}
	case "note":
		names = map[string]string{"category": "note_category", "content": "note_content", "sensitivity": "note_sensitivity", "confidentiality": "note_category"}
		act = func() (string, error) {
			rec := &accord.Record{Category: accord.Category(f.Values.Get("note_category")), Content: strings.TrimSpace(f.Values.Get("note_content"))}
			for _, sens := range f.Values["note_sensitivity"] {
				rec.Sensitivity = append(rec.Sensitivity, accord.Sensitivity(sens))
			}
			if rec.Content == "" {
				return "", accord.FieldErrorf("note_content", "Write the note.")
			}
			if err := s.svc.AddCaseNote(r.Context(), c, id, rec, purpose); err != nil {
				return "", err
			}
			return "/cases/" + id + "?notice=note-added#notes", nil
		}
	case "conference":
		names = map[string]string{"kind": "conf_kind", "held_at": "conf_date", "attendees": "conf_attendees", "decisions": "conf_decisions",
			"actions": "conf_actions", "lessons": "conf_lessons"}
		act = func() (string, error) {
			held, err := time.Parse(time.DateOnly, f.Values.Get("conf_date"))
			if err != nil {
				return "", accord.FieldErrorf("conf_date", "Give the date of the meeting.")
			}
			if tm := f.Values.Get("conf_time"); tm != "" {
				hm, err := time.Parse("15:04", tm)
				if err != nil {
					return "", accord.FieldErrorf("conf_time", "Give the time as hours and minutes, for example 14:30.")
				}
				held = held.Add(time.Duration(hm.Hour())*time.Hour + time.Duration(hm.Minute())*time.Minute)
			} else if now := s.now().UTC(); held.Format(time.DateOnly) == now.Format(time.DateOnly) {
				held = now
			} else {
				held = held.Add(12 * time.Hour)
			}
			cf := &accord.Conference{CaseID: id, Kind: f.Values.Get("conf_kind"), HeldAt: held, Attendees: f.Values["conf_attendees"],
				Decisions: strings.TrimSpace(f.Values.Get("conf_decisions")), Actions: strings.TrimSpace(f.Values.Get("conf_actions")),
				Lessons: strings.TrimSpace(f.Values.Get("conf_lessons"))}
			if len(cf.Attendees) == 0 {
				return "", accord.FieldErrorf("conf_attendees", "Tick who attended.")
			}
			if cf.Decisions == "" {
				return "", accord.FieldErrorf("conf_decisions", "Write what was decided.")
			}
			if err := s.svc.RecordConference(r.Context(), c, cf, purpose); err != nil {
				return "", err
			}
			return "/cases/" + id + "?notice=conference-recorded#meetings", nil
		}
	case "goal":
		names = map[string]string{"text": "goal_text"}
		text := strings.TrimSpace(f.Values.Get("goal_text"))
		act = func() (string, error) {
			if text == "" {
				return "", accord.FieldErrorf("goal_text", "Write the goal, in the client's words if you can.")
			}
			return caseUpdate(enforce.CaseUpdate{AddGoal: text}, "goal-added", "#goals")()
		}
	case "goal-status":
		key = "status"
		act = caseUpdate(enforce.CaseUpdate{SetGoal: &accord.Goal{ID: f.Values.Get("goal"), Status: accord.GoalStatus(f.Values.Get("status"))}}, "goal-updated", "#goals")
	case "outcome":
		names = map[string]string{"kind": "outcome", "code": "outcome"}
		kind, code, _ := strings.Cut(f.Values.Get("outcome"), ":")
		act = func() (string, error) {
			if code == "" {
				return "", accord.FieldErrorf("outcome", "Choose an outcome from the list.")
			}
			return caseUpdate(enforce.CaseUpdate{AddOutcome: &accord.Outcome{Kind: kind, Code: code}}, "outcome-recorded", "#outcomes")()
		}
	case "participant":
		names = map[string]string{"participants": "join_staff", "organization_id": "join_staff", "staff_id": "join_staff", "responsibility": "join_resp"}
		act = func() (string, error) {
			staffID, resp := f.Values.Get("join_staff"), strings.TrimSpace(f.Values.Get("join_resp"))
			people, err := s.casePeople(r, c)
			if err != nil {
				return "", err
			}
			st, ok := people.by[staffID]
			if !ok {
				return "", accord.FieldErrorf("join_staff", "Choose who will lead for that organisation.")
			}
			if resp == "" {
				return "", accord.FieldErrorf("join_resp", "Say what this organisation takes on.")
			}
			return caseUpdate(enforce.CaseUpdate{AddParticipant: &enforce.ParticipantRequest{OrganizationID: st.OrganizationID, StaffID: st.ID,
				Responsibility: resp}}, "participant-added", "#summary")()
		}
	case "close":
		names = map[string]string{"reason": "close_reason", "close_despite_escalations": "close_despite"}
		act = func() (string, error) {
			reason := strings.TrimSpace(f.Values.Get("close_reason"))
			if reason == "" {
				return "", accord.FieldErrorf("close_reason", "Say why the case is closing.")
			}
			if f.Values.Get("close_confirm") != "yes" {
				return "", accord.FieldErrorf("close_confirm", "Tick the box to confirm that the case should close.")
			}
			return caseUpdate(enforce.CaseUpdate{Close: true, CloseReason: reason, CloseDespiteEscalations: strings.TrimSpace(f.Values.Get("close_despite"))},
				"case-closed", "")()
		}
	default:
		return accord.Errorf(accord.EINVALID, "the form could not be read")
	}
	done, err := s.once(w, r, c, f, act)
	if done {
		return nil
	}
	// Show the workspace again, as it is now, with the refused form.
	v, d, verr := s.caseWorkspaceView(r, c, 0)
	if verr != nil {
		return verr
	}
	if f.Token == "" {
		f.Token = formToken()
	}
	stale := accord.ErrorCode(err) == accord.EPRECONDITION
	switch do {
	case "task-status":
		msg := errorText(p, err)
		if stale {
			msg = staleText(p, "task")
		} else if e := accord.AsError(err); e == nil || e.Code == accord.EINTERNAL {
			return err
		}
		d.StatusError = msg
		for i := range d.Tasks {
			if d.Tasks[i].ID == f.Values.Get("task") {
				d.Tasks[i].Error = msg
			}
		}
		d.Forms["status"].Token = f.Token
	case "goal-status":
		msg := errorText(p, err)
		if stale {
			msg = staleText(p, "case")
		} else if e := accord.AsError(err); e == nil || e.Code == accord.EINTERNAL {
			return err
		}
		for i := range d.Goals {
			if d.Goals[i].ID == f.Values.Get("goal") {
				d.Goals[i].Error = msg
			}
		}
		d.Forms["status"].Token = f.Token
	default:
		if stale {
			f.Error = staleText(p, "case")
		} else if !failAs(f, p, err, names) {
			return err
		}
		if do == "participant" {
			joinRefusal(f, p, err, "join_staff")
		}
		d.Forms[key] = f
	}
	return s.render(w, formStatus(err), "case_workspace", v)
}
