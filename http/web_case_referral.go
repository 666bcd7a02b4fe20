package http

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// Referral pages: the lists, sending one (with a preview of the handoff),
// and one referral as each side sees it.

type referralRow struct {
	accord.Referral
	Other, Service, Assigned string
	Clock                    string
	Overdue, Waiting, Done   bool
}

type referralListData struct {
	Incoming, Outgoing []referralRow
	All                bool
	Overdue            int
}

func (s *Server) referralRows(r *http.Request, c *enforce.Caller, v *view, people *casePeople, services map[string]string, dir string, all bool) ([]referralRow, int, error) {
	rs, err := s.svc.Referrals(r.Context(), c, dir, !all)
	if err != nil {
		return nil, 0, err
	}
	p, overdue := v.P, 0
	var out []referralRow
	for _, ref := range rs {
		row := referralRow{Referral: ref, Service: services[ref.ServiceID], Assigned: people.staffName(p, ref.AssignedTo), Waiting: ref.Open(),
			Done: ref.Finished()}
		if dir == "incoming" {
			row.Other = people.orgName(ref.FromOrgID)
		} else {
			row.Other = people.orgName(ref.ToOrgID)
		}
		if ref.Open() {
			row.Clock, row.Overdue = deadlineText(p, "answer", v.Now, ref.RespondBy)
			if row.Overdue {
				overdue++
			}
		}
		out = append(out, row)
	}
	// Open first (unanswered, then being worked on), overdue at the top, then by deadline.
	rank := func(x referralRow) int {
		switch {
		case x.Overdue:
			return 0
		case x.Waiting:
			return 1
		case !x.Finished():
			return 2
		}
		return 3
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := rank(out[i]), rank(out[j]); a != b {
			return a < b
		}
		if out[i].Finished() {
			return out[i].UpdatedAt.After(out[j].UpdatedAt)
		}
		return out[i].RespondBy.Before(out[j].RespondBy)
	})
	return out, overdue, nil
}

func (s *Server) serviceNames(r *http.Request, c *enforce.Caller) (map[string]string, []accord.Service, error) {
	ss, err := s.svc.Services(r.Context(), c, "", "")
	if err != nil {
		return nil, nil, err
	}
	m := make(map[string]string, len(ss))
	for _, sv := range ss {
		m[sv.ID] = sv.Name
	}
	return m, ss, nil
}

func (s *Server) referralListPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	people, err := s.casePeople(r, c)
	if err != nil {
		return err
	}
	services, _, err := s.serviceNames(r, c)
	if err != nil {
		return err
	}
	v := s.newView(r, c, "referrals", "Referrals", nil)
	d := &referralListData{All: r.URL.Query().Get("show") == "all"}
	var n int
	if d.Incoming, n, err = s.referralRows(r, c, v, people, services, "incoming", d.All); err != nil {
		return err
	}
	d.Overdue += n
	if d.Outgoing, n, err = s.referralRows(r, c, v, people, services, "outgoing", d.All); err != nil {
		return err
	}
	d.Overdue += n
	v.Data = d
	return s.render(w, http.StatusOK, "referral_list", v)
}

// Sending a referral.

type referralNewData struct {
	Client     accord.Client
	CaseID     string
	CaseTitle  string
	Orgs       []option
	Services   []option
	Purposes   []option
	Categories []option
	Urgencies  []option
	Preview    *referralPreviewData
}

type referralPreviewData struct {
	P *i18n.Printer
	// Message replaces the preview when it cannot be made yet.
	Message string
	Org     string
	Reader  string
	Purpose accord.Purpose
	Nothing bool
	Rows    []previewRow
}

type previewRow struct {
	Category accord.Category
	Verdict  string
	Class    string // ok, warn, bad
	Reasons  []string
}

func (s *Server) referralNewView(r *http.Request, c *enforce.Caller, f *form) (*view, *referralNewData, error) {
	q := r.URL.Query()
	clientID := q.Get("client")
	if f != nil && f.Values.Get("client") != "" {
		clientID = f.Values.Get("client")
	}
	if clientID == "" {
		return nil, nil, accord.Errorf(accord.EINVALID, "Open the client's page first, then choose to refer them.")
	}
	purpose := s.purposeFor(r, c)
	cv, err := s.svc.ReadClient(r.Context(), c, clientID, purpose)
	if err != nil {
		return nil, nil, err
	}
	people, err := s.casePeople(r, c)
	if err != nil {
		return nil, nil, err
	}
	_, services, err := s.serviceNames(r, c)
	if err != nil {
		return nil, nil, err
	}
	v := s.newView(r, c, "referrals", "Send a referral", nil)
	p := v.P
	d := &referralNewData{Client: cv.Client}
	if f == nil {
		f = newForm()
		f.Values.Set("client", clientID)
		f.Values.Set("case_id", q.Get("case"))
		f.Values.Set("urgency", string(accord.UrgencyRoutine))
		f.Values["categories"] = []string{string(accord.CatDemographics), string(accord.CatContact)}
		if svc := q.Get("service"); svc != "" {
			for _, sv := range services {
				if sv.ID == svc {
					f.Values.Set("service_id", sv.ID)
					f.Values.Set("to_organization_id", sv.OrganizationID)
				}
			}
		}
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
	d.Orgs = []option{{Value: "", Label: p.Sprintf("Choose an organisation")}}
	for _, o := range people.orgs {
		// Not the oversight body, and not an immigration authority or the
		// police (unless the sender is one): a referral is for help.
		if o.ID != c.Staff.OrganizationID && o.Sector != accord.SectorOversight && (!o.Sector.Enforcement() || c.Organization.Sector.Enforcement()) {
			d.Orgs = append(d.Orgs, option{Value: o.ID, Label: p.Sprintf("%[1]s (%[2]s)", o.Name, i18n.Sector(o.Sector))})
		}
	}
	d.Services = []option{{Value: "", Label: p.Sprintf("No particular service")}}
	for _, sv := range services {
		if sv.OrganizationID != c.Staff.OrganizationID {
			d.Services = append(d.Services, option{Value: sv.ID, Label: p.Sprintf("%[1]s: %[2]s", people.orgName(sv.OrganizationID), sv.Name)})
		}
	}
	d.Purposes = purposeChoices(p, p.Sprintf("The receiving organisation's usual purpose"))
	for _, cat := range accord.Categories {
		if cat != accord.CatLegalPrivilegedNote { // never crosses an organisation's boundary
			d.Categories = append(d.Categories, option{Value: string(cat), Label: p.Sprintf(string(i18n.Category(cat)))})
		}
	}
	for _, u := range accord.Urgencies {
		d.Urgencies = append(d.Urgencies, option{Value: string(u), Label: p.Sprintf("%[1]s — answer within %[2]s", i18n.Urgency(u), durationWords(p, u.ResponseTime()))})
	}
	v.Data = d
	return v, d, nil
}

// referralTarget reads the receiving organisation (from the service when
// only a service is chosen) and the purpose (the organisation's usual one
// when none is chosen).
func (s *Server) referralTarget(r *http.Request, c *enforce.Caller, f *form, people *casePeople) (accord.Organization, accord.Purpose, error) {
	orgID, svcID := f.Values.Get("to_organization_id"), f.Values.Get("service_id")
	if svcID != "" {
		_, services, err := s.serviceNames(r, c)
		if err != nil {
			return accord.Organization{}, "", err
		}
		for _, sv := range services {
			if sv.ID == svcID {
				if orgID == "" {
					orgID = sv.OrganizationID
					f.Values.Set("to_organization_id", orgID)
				} else if orgID != sv.OrganizationID {
					return accord.Organization{}, "", accord.FieldErrorf("service_id", "That service belongs to another organisation: choose one of %s's services, or no particular service.", people.orgName(orgID))
				}
			}
		}
	}
	org, ok := people.org[orgID]
	if !ok {
		return accord.Organization{}, "", accord.FieldErrorf("to_organization_id", "Choose the organisation to refer the client to.")
	}
	purpose := accord.Purpose(f.Values.Get("purpose"))
	if purpose == "" {
		purpose = sectorPurpose(org.Sector, s.purposeFor(r, c))
	} else if !purpose.Valid() || purpose == accord.PurposeEmergencyTreatment {
		return accord.Organization{}, "", accord.FieldErrorf("purpose", "Choose a purpose from the list.")
	}
	return org, purpose, nil
}

func formCategories(f *form) []accord.Category {
	var out []accord.Category
	for _, x := range f.Values["categories"] {
		out = append(out, accord.Category(x))
	}
	return out
}

// referralPreviewFor decides what the receiver would see, for the form as
// it stands.
func (s *Server) referralPreviewFor(r *http.Request, c *enforce.Caller, p *i18n.Printer, f *form) (*referralPreviewData, error) {
	out := &referralPreviewData{P: p}
	people, err := s.casePeople(r, c)
	if err != nil {
		return nil, err
	}
	org, purpose, err := s.referralTarget(r, c, f, people)
	if err != nil {
		if accord.ErrorCode(err) == accord.EINTERNAL {
			return nil, err
		}
		out.Message = p.Sprintf("Choose the organisation (or a service) and the kinds of information to see what the receiver will be allowed to see.")
		if accord.AsError(err).Field != "to_organization_id" {
			out.Message = errorText(p, err)
		}
		return out, nil
	}
	pv, err := s.svc.PreviewReferral(r.Context(), c, enforce.ReferralPreviewRequest{ClientID: f.Values.Get("client"), ToOrgID: org.ID, Purpose: purpose,
		Categories: formCategories(f)})
	if err != nil {
		if e := accord.AsError(err); e == nil || e.Code == accord.EINTERNAL {
			return nil, err
		}
		out.Message = errorText(p, err)
		return out, nil
	}
	out.Org, out.Purpose, out.Nothing = org.Name, purpose, pv.Nothing
	out.Reader = p.Sprintf("%[1]s, %[2]s", pv.Reader.DisplayName, i18n.Roles(pv.Reader.Roles))
	for _, it := range pv.Items {
		row := previewRow{Category: it.Category}
		switch {
		case it.Empty && len(it.Shared) > 0:
			row.Verdict, row.Class = p.Sprintf("Nothing of this kind is recorded yet; it would be shared if it were"), "warn"
		case it.Empty:
			row.Verdict, row.Class = p.Sprintf("Nothing of this kind is recorded yet, and it would not be shared"), "bad"
		case len(it.Withheld) == 0:
			row.Verdict, row.Class = p.Sprintf("Will be shared"), "ok"
		case len(it.Shared) == 0:
			row.Verdict, row.Class = p.Sprintf("Will not be shared"), "bad"
		default:
			row.Verdict, row.Class = p.Sprintf("Partly shared: %[1]d of %[2]d groups of records will not be shared", len(it.Withheld), len(it.Withheld)+len(it.Shared)), "warn"
		}
		seen := map[string]bool{}
		for _, dd := range append(append([]enforce.Decided(nil), it.Withheld...), it.Shared...) {
			if txt := p.Render(dd.Explanation); !seen[txt] {
				seen[txt] = true
				row.Reasons = append(row.Reasons, txt)
			}
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

func (s *Server) referralNewPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, d, err := s.referralNewView(r, c, nil)
	if err != nil {
		return err
	}
	if v.Form.Values.Get("to_organization_id") != "" {
		if d.Preview, err = s.referralPreviewFor(r, c, v.P, v.Form); err != nil {
			return err
		}
	}
	return s.render(w, http.StatusOK, "referral_new", v)
}

// referralPreview is the preview alone, for htmx as the form changes.
func (s *Server) referralPreview(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	pv, err := s.referralPreviewFor(r, c, s.pagePrinter(r), f)
	if err != nil {
		return err
	}
	return s.renderFragment(w, "referral_new", "referral-preview", pv)
}

func (s *Server) referralNewSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	v, d, err := s.referralNewView(r, c, f)
	if err != nil {
		return err
	}
	p := v.P
	if f.Values.Get("action") == "preview" {
		f.Token = f.Values.Get("form_token")
		if d.Preview, err = s.referralPreviewFor(r, c, p, f); err != nil {
			return err
		}
		return s.render(w, http.StatusOK, "referral_new", v)
	}
	people, err := s.casePeople(r, c)
	if err != nil {
		return err
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		org, purpose, err := s.referralTarget(r, c, f, people)
		if err != nil {
			return "", err
		}
		if len(f.Values["categories"]) == 0 {
			return "", accord.FieldErrorf("categories", "Tick the kinds of information the receiver needs: only what they need.")
		}
		if strings.TrimSpace(f.Values.Get("reason")) == "" {
			return "", accord.FieldErrorf("reason", "Say why you are referring the client and what you are asking for.")
		}
		ref := &accord.Referral{ClientID: f.Values.Get("client"), CaseID: f.Values.Get("case_id"), ToOrgID: org.ID, ServiceID: f.Values.Get("service_id"),
			Purpose: purpose, Categories: formCategories(f), Reason: strings.TrimSpace(f.Values.Get("reason")), Urgency: accord.Urgency(f.Values.Get("urgency"))}
		if err := s.svc.SendReferral(r.Context(), c, ref); err != nil {
			return "", err
		}
		return "/referrals/" + ref.ID + "?notice=referral-sent", nil
	})
	if done {
		return nil
	}
	if f.Token == "" {
		f.Token = formToken()
	}
	if !failAs(f, p, err, map[string]string{"case_id": "to_organization_id", "client_id": "to_organization_id", "respond_by": "urgency"}) {
		return err
	}
	if d.Preview, err = s.referralPreviewFor(r, c, p, f); err != nil {
		return err
	}
	return s.render(w, formStatus(err), "referral_new", v)
}

// One referral.

type referralPageData struct {
	R                              accord.Referral
	Side                           string
	From, To, FromStaff, Assigned  string
	Service                        string
	Clock                          string
	Overdue                        bool
	Client                         *accord.Client
	Born                           string // the client's birth date, in words
	Language                       string
	Shared                         []sharedRow
	Groups                         []noteGroup
	Withheld                       []withheldRow
	Asked                          []accord.Category
	CanAccept, CanDecline          bool
	CanStart, CanComplete          bool
	CanCancel, CanAssign           bool
	Colleagues                     []option
	Forms                          map[string]*form
	SentAt, UpdatedAt, RespondBy   time.Time
	StatusReason, Reason, CaseLink string
	// TopError is a refusal whose form the page no longer shows.
	TopError string
}

type sharedRow struct {
	Category accord.Category
	Reason   string
}

func (s *Server) referralView(r *http.Request, c *enforce.Caller) (*view, *referralPageData, error) {
	rv, err := s.svc.OpenReferral(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	people, err := s.casePeople(r, c)
	if err != nil {
		return nil, nil, err
	}
	services, _, err := s.serviceNames(r, c)
	if err != nil {
		return nil, nil, err
	}
	v := s.newView(r, c, "referrals", "Referral", nil)
	p := v.P
	ref := rv.Referral
	d := &referralPageData{R: ref, Side: rv.Side, From: people.orgName(ref.FromOrgID), To: people.orgName(ref.ToOrgID),
		FromStaff: people.staffName(p, ref.FromStaffID), Assigned: people.staffName(p, ref.AssignedTo), Service: services[ref.ServiceID],
		Client: rv.Client, Asked: ref.Categories, Forms: map[string]*form{}}
	for _, name := range []string{"status", "decline", "cancel", "assign"} {
		d.Forms[name] = newForm()
	}
	if ref.Open() {
		d.Clock, d.Overdue = deadlineText(p, "answer", v.Now, ref.RespondBy)
	}
	if rv.Client != nil {
		d.Born = clientBirthDateText(p, rv.Client.BirthDate)
	}
	if rv.Client != nil && rv.Client.PreferredLanguage != "" {
		if tag, err := language.Parse(rv.Client.PreferredLanguage); err == nil {
			d.Language = display.Tags(p.Tag).Name(tag)
		}
	}
	if rv.Side == "sender" && ref.CaseID != "" {
		d.CaseLink = "/cases/" + ref.CaseID
	}
	for _, sh := range rv.Shared {
		d.Shared = append(d.Shared, sharedRow{Category: sh.Request.Category, Reason: p.Render(sh.Explanation)})
	}
	for _, wh := range rv.Withheld {
		d.Withheld = append(d.Withheld, withheldRow{Category: wh.Request.Category, Org: people.orgName(wh.Request.HolderID), Reason: p.Render(wh.Explanation)})
	}
	groups := map[accord.Category]*noteGroup{}
	for _, rec := range rv.Records {
		g, ok := groups[rec.Category]
		if !ok {
			g = &noteGroup{Category: rec.Category}
			groups[rec.Category] = g
		}
		g.Notes = append(g.Notes, noteRow{Content: rec.Content, Note: rec.Note, By: people.staffName(p, rec.RecordedBy), Org: people.orgName(rec.OrganizationID), At: rec.RecordedAt})
	}
	for _, cat := range accord.Categories {
		if g, ok := groups[cat]; ok {
			d.Groups = append(d.Groups, *g)
		}
	}
	can := func(to accord.ReferralStatus) bool { return ref.CheckTransition(to, rv.Side, "a reason") == nil }
	d.CanAccept, d.CanDecline = can(accord.ReferralAccepted), can(accord.ReferralDeclined)
	d.CanStart, d.CanComplete, d.CanCancel = can(accord.ReferralInProgress), can(accord.ReferralCompleted), can(accord.ReferralCancelled)
	if rv.Side == "receiver" && (ref.Status == accord.ReferralAccepted || ref.Status == accord.ReferralInProgress) {
		d.CanAssign = true
		d.Colleagues = []option{{Value: "", Label: p.Sprintf("Choose a colleague")}}
		for _, st := range people.staff {
			if st.OrganizationID == c.Staff.OrganizationID && st.Active && st.ID != ref.AssignedTo && isClientFacing(st) {
				d.Colleagues = append(d.Colleagues, option{Value: st.ID, Label: people.staffLabel(p, st)})
			}
		}
	}
	v.Data = d
	return v, d, nil
}

func isClientFacing(st accord.Staff) bool {
	for _, r := range st.Roles {
		switch r {
		case accord.RoleNavigator, accord.RoleClinician, accord.RoleLegalAdvocate, accord.RoleSocialWorker, accord.RoleSupervisor, accord.RoleCaseworker:
			return true
		}
	}
	return false
}

func (s *Server) referralPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, _, err := s.referralView(r, c)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "referral_detail", v)
}

// referralSubmit moves a referral along its loop, or assigns it (do).
func (s *Server) referralSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	p := s.pagePrinter(r)
	to := accord.ReferralStatus(f.Values.Get("status"))
	key, reasonField := "status", ""
	switch {
	case f.Values.Get("do") == "assign":
		key = "assign"
	case to == accord.ReferralDeclined:
		key, reasonField = "decline", "decline_reason"
	case to == accord.ReferralCancelled:
		key, reasonField = "cancel", "cancel_reason"
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		if key == "assign" {
			if f.Values.Get("assign_to") == "" {
				return "", accord.FieldErrorf("assign_to", "Choose the colleague who will work on it.")
			}
			if _, err := s.svc.AssignReferral(r.Context(), c, id, formVersion(f), f.Values.Get("assign_to")); err != nil {
				return "", err
			}
			return "/referrals/" + id + "?notice=referral-assigned", nil
		}
		reason := strings.TrimSpace(f.Values.Get(reasonField))
		if reasonField != "" && reason == "" {
			if key == "decline" {
				return "", accord.FieldErrorf(reasonField, "Say why you are declining, so the sender can find the client help elsewhere.")
			}
			return "", accord.FieldErrorf(reasonField, "Say why you are cancelling the referral.")
		}
		if _, err := s.svc.UpdateReferral(r.Context(), c, id, formVersion(f), to, reason); err != nil {
			return "", err
		}
		return "/referrals/" + id + "?notice=referral-updated", nil
	})
	if done {
		return nil
	}
	v, d, verr := s.referralView(r, c)
	if verr != nil {
		return verr
	}
	if f.Token == "" {
		f.Token = formToken()
	}
	if accord.ErrorCode(err) == accord.EPRECONDITION {
		f.Error = staleText(p, "referral")
	} else {
		names := map[string]string{}
		if reasonField != "" {
			names["reason"] = reasonField
		}
		if !failAs(f, p, err, names) {
			return err
		}
	}
	d.Forms[key] = f
	shown := map[string]bool{"status": d.CanAccept || d.CanStart || d.CanComplete, "assign": d.CanAssign, "decline": d.CanDecline, "cancel": d.CanCancel}
	if !shown[key] {
		d.TopError = errorText(p, err)
		if f.Error != "" {
			d.TopError = f.Error
		}
	}
	return s.render(w, formStatus(err), "referral_detail", v)
}

// The service directory.

type directoryData struct {
	ClientID, CaseID string
	Services         []directoryRow
	Languages        []option
	Searched         bool
}

type directoryRow struct {
	accord.Service
	Org       string
	Languages string
	Refer     string
}

func (s *Server) directoryPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f := newForm()
	if r.Method == http.MethodPost {
		pf, err := parseForm(r)
		if err != nil {
			return err
		}
		f.Values = pf.Values
	}
	q := r.URL.Query()
	clientID, caseID := q.Get("client"), q.Get("case")
	if f.Values.Get("client") != "" {
		clientID, caseID = f.Values.Get("client"), f.Values.Get("case")
	}
	if clientID != "" && !accord.ValidID(accord.PrefixClient, clientID) || caseID != "" && !accord.ValidID(accord.PrefixCase, caseID) {
		return accord.Errorf(accord.ENOTFOUND, "There is no such page.")
	}
	v := s.newView(r, c, "referrals", "Service directory", nil)
	p := v.P
	v.Form = f
	d := &directoryData{ClientID: clientID, CaseID: caseID, Searched: r.Method == http.MethodPost}
	all, err := s.svc.Services(r.Context(), c, "", "")
	if err != nil {
		return err
	}
	lang := f.Values.Get("language")
	if lang != "" {
		if _, err := language.Parse(lang); err != nil {
			lang = ""
		}
	}
	found, err := s.svc.Services(r.Context(), c, f.Values.Get("q"), lang)
	if err != nil {
		if !f.fail(p, err) {
			return err
		}
		found = nil
	}
	orgs, err := s.orgNames(r, c)
	if err != nil {
		return err
	}
	names := display.Tags(p.Tag)
	langName := func(code string) string {
		if tag, err := language.Parse(code); err == nil {
			if n := names.Name(tag); n != "" {
				return n
			}
		}
		return code
	}
	seen := map[string]bool{}
	d.Languages = []option{{Value: "", Label: p.Sprintf("Any language")}}
	for _, sv := range all {
		for _, l := range sv.Languages {
			if !seen[l] {
				seen[l] = true
				d.Languages = append(d.Languages, option{Value: l, Label: langName(l)})
			}
		}
	}
	sort.SliceStable(d.Languages[1:], func(i, j int) bool { return d.Languages[1+i].Label < d.Languages[1+j].Label })
	for _, sv := range found {
		row := directoryRow{Service: sv, Org: orgs[sv.OrganizationID]}
		var ls []string
		for _, l := range sv.Languages {
			ls = append(ls, langName(l))
		}
		row.Languages = strings.Join(ls, p.Sprintf(", "))
		if clientID != "" && sv.OrganizationID != c.Staff.OrganizationID {
			row.Refer = "/referrals/new?client=" + clientID + "&service=" + sv.ID
			if caseID != "" {
				row.Refer += "&case=" + caseID
			}
		}
		d.Services = append(d.Services, row)
	}
	v.Data = d
	return s.render(w, http.StatusOK, "case_directory", v)
}
