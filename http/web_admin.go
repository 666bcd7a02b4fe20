package http

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/credential"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// Partnership administration (/admin/...): organisations, staff,
// agreements with their versions and signatures, local policies and the
// register of legal bases. Every read and change goes through the
// enforcement point, which decides who may; a page the caller may not use
// says why, in words, instead of showing half of itself.

func init() {
	registerNotices(map[string]string{
		"admin-org-created":       "The organisation is added to the partnership.",
		"admin-staff-created":     "The staff account is created. Give the person their username and password in person or by phone, never together by e-mail.",
		"admin-chain-saved":       "The escalation contacts are saved.",
		"admin-webhook-saved":     "The webhook is saved. Its secret is not shown again.",
		"admin-agreement-created": "The agreement is drafted. Each party now signs it; then it can be activated.",
		"admin-agreement-signed":  "Signed for your organisation.",
		"admin-agreement-amended": "A new version is drafted. The version in force stays in force until the new one is signed and activated.",
		"admin-agreement-status":  "The agreement's status is changed. It takes effect at once.",
		"admin-policies-saved":    "The local policies are saved. They apply to the next decision.",
		"admin-basis-recorded":    "The legal basis is recorded and queued for oversight review.",
		"admin-area-created":      "The area is added. Intake forms offer it from now on.",
	})
}

// adminPages are the pages of this group.
func (s *Server) adminPages() []route {
	return []route{
		{"GET", "/admin", s.page(s.adminHome)},
		{"GET", "/admin/organizations", s.page(s.adminOrgs)},
		{"POST", "/admin/organizations", s.page(s.adminOrgCreate)},
		{"GET", "/admin/organizations/{id}", s.page(s.adminOrg)},
		{"POST", "/admin/organizations/{id}/escalation", s.page(s.adminOrgChain)},
		{"POST", "/admin/organizations/{id}/webhook", s.page(s.adminOrgWebhook)},
		{"GET", "/admin/staff", s.page(s.adminStaff)},
		{"POST", "/admin/staff", s.page(s.adminStaffCreate)},
		{"GET", "/admin/agreements", s.page(s.adminAgreements)},
		{"GET", "/admin/agreements/new", s.page(s.adminAgreementNew)},
		{"POST", "/admin/agreements/new", s.page(s.adminAgreementCreate)},
		{"GET", "/admin/agreements/{id}", s.page(s.adminAgreement)},
		{"GET", "/admin/agreements/{id}/amend", s.page(s.adminAgreementAmendForm)},
		{"POST", "/admin/agreements/{id}/amend", s.page(s.adminAgreementAmend)},
		{"POST", "/admin/agreements/{id}/versions/{version}/sign", s.page(s.adminAgreementSign)},
		{"POST", "/admin/agreements/{id}/versions/{version}/status", s.page(s.adminAgreementStatus)},
		{"GET", "/admin/policies", s.page(s.adminPolicies)},
		{"POST", "/admin/policies", s.page(s.adminPoliciesSave)},
		{"GET", "/admin/legal-bases", s.page(s.adminLegalBases)},
		{"POST", "/admin/legal-bases", s.page(s.adminLegalBasisCreate)},
		{"GET", "/admin/areas", s.page(s.adminAreas)},
		{"POST", "/admin/areas", s.page(s.adminAreaCreate)},

		{"GET", "/audit", s.page(s.auditHome)},
		{"GET", "/audit/entries/{index}", s.page(s.auditEntry)},
		{"GET", "/audit/checkpoints", s.page(s.auditCheckpointsPage)},
		{"GET", "/audit/verify", s.page(s.auditVerify)},
		{"POST", "/audit/verify", s.page(s.auditVerifyStart)},
		{"GET", "/audit/verify/status", s.page(s.auditVerifyStatus)},

		{"GET", "/clients/{id}/access-report", s.page(s.auditReportPage)},
		{"GET", "/clients/{id}/access-report.json", s.page(s.auditReportJSON)},
	}
}

// Who may use which part of the administration pages: the roles of the
// enforcement point's use cases behind them.
var (
	adminRoles           = []accord.Role{accord.RolePartnershipAdmin}
	adminAgreementRoles  = []accord.Role{accord.RolePartnershipAdmin, accord.RolePrivacyOfficer, accord.RoleSupervisor, accord.RoleAuditor}
	adminPolicyRoles     = []accord.Role{accord.RolePartnershipAdmin, accord.RolePrivacyOfficer, accord.RoleAuditor}
	adminPolicyEditRoles = []accord.Role{accord.RolePartnershipAdmin, accord.RolePrivacyOfficer}
	adminSignRoles       = []accord.Role{accord.RolePartnershipAdmin, accord.RolePrivacyOfficer, accord.RoleSupervisor}
)

// adminLink is one entry of the administration section's own navigation.
type adminLink struct {
	Href, Label string
	Current     bool
}

// adminNav lists the administration pages the caller may open.
func adminNav(p *i18n.Printer, c *enforce.Caller, current string) []adminLink {
	var out []adminLink
	add := func(href, label string, ok bool) {
		if ok {
			out = append(out, adminLink{Href: href, Label: label, Current: href == current})
		}
	}
	admin := c.RequireGovernance(adminRoles...) == nil
	add("/admin", p.Sprintf("Overview"), admin)
	add("/admin/organizations", p.Sprintf("Organisations"), admin)
	add("/admin/staff", p.Sprintf("Staff"), admin)
	add("/admin/areas", p.Sprintf("Areas"), admin)
	add("/admin/agreements", p.Sprintf("Agreements"), c.RequireGovernance(adminAgreementRoles...) == nil)
	add("/admin/policies", p.Sprintf("Local policies"), c.RequireGovernance(adminPolicyRoles...) == nil)
	add("/admin/legal-bases", p.Sprintf("Legal bases"), c.Oversight() || c.RequireGovernance(accord.RolePrivacyOfficer) == nil)
	add("/oversight/reviews", p.Sprintf("Review queue"), c.Oversight())
	add("/oversight/anomalies", p.Sprintf("Anomaly alerts"), c.Oversight())
	add("/oversight/disclosures", p.Sprintf("Disclosures to enforcement bodies"), c.Oversight() || c.RequireGovernance(accord.RolePrivacyOfficer) == nil)
	add("/oversight/compliance", p.Sprintf("Consent-compliance audit"), c.Oversight())
	return out
}

// auditNav lists the audit pages (and, for the oversight body, the
// register of legal bases it reviews).
func auditNav(p *i18n.Printer, c *enforce.Caller, current string) []adminLink {
	var out []adminLink
	for _, l := range []struct{ href, label string }{
		{"/audit", p.Sprintf("Entries")},
		{"/audit/checkpoints", p.Sprintf("Signed checkpoints")},
		{"/audit/verify", p.Sprintf("Verify the log")},
	} {
		out = append(out, adminLink{Href: l.href, Label: l.label, Current: l.href == current})
	}
	if c.Oversight() {
		out = append(out, adminLink{Href: "/admin/legal-bases", Label: p.Sprintf("Legal bases")},
			adminLink{Href: "/oversight/reviews", Label: p.Sprintf("Review queue")})
	}
	if c.HandlesBreaches() {
		out = append(out, adminLink{Href: "/breaches", Label: p.Sprintf("Breach incidents"), Current: current == "/breaches"})
	}
	if c.ReadsRetention() {
		out = append(out, adminLink{Href: "/retention", Label: p.Sprintf("Retention"), Current: current == "/retention"})
	}
	return out
}

// adminDeniedData is the page shown when the caller may not use a page.
type adminDeniedData struct {
	Reason  string // the enforcement point's explanation
	What    string // what the page is for
	Who     string // who may use it
	Roles   []i18n.Term
	Instead []adminLink
}

// denied shows, with status 403, why the caller may not use a page: the
// enforcement point's reason, what the page is for and who may use it.
func (s *Server) adminDenied(w http.ResponseWriter, r *http.Request, c *enforce.Caller, err error, what, who string) error {
	if code := accord.ErrorCode(err); code != accord.EFORBIDDEN && code != accord.EDENIED {
		return err
	}
	v := s.newView(r, c, "", "You cannot open this page", nil)
	p := v.P
	d := &adminDeniedData{Reason: errorText(p, err), What: what, Who: who, Roles: i18n.Roles(c.Staff.Roles)}
	// The administration and audit pages the caller may open.
	for _, l := range adminNav(p, c, "") {
		if l.Href != r.URL.Path {
			d.Instead = append(d.Instead, l)
		}
	}
	if c.RequireAuditView() == nil && !strings.HasPrefix(r.URL.Path, "/audit") {
		d.Instead = append(d.Instead, adminLink{Href: "/audit", Label: p.Sprintf("Audit log")})
	}
	d.Instead = append(d.Instead, adminLink{Href: "/work", Label: p.Sprintf("My work")})
	v.Data = d
	return s.adminRender(w, http.StatusForbidden, "admin_denied", v)
}

// adminRender renders a page of this group. A second submission of a form
// goes back to the first one's result with ?notice=already-done added to
// the notice the result had; the last notice is the one to show.
func (s *Server) adminRender(w http.ResponseWriter, status int, name string, v *view) error {
	if ns := v.req.URL.Query()["notice"]; len(ns) > 1 {
		if msg, ok := notices[ns[len(ns)-1]]; ok {
			v.Notice = v.P.Sprintf(msg)
		}
	}
	return s.render(w, status, name, v)
}

// requireAdmin is the gate of the partnership administrator's pages.
func (s *Server) requireAdmin(w http.ResponseWriter, r *http.Request, c *enforce.Caller) (bool, error) {
	if err := c.RequireGovernance(adminRoles...); err != nil {
		p := s.pagePrinter(r)
		return false, s.adminDenied(w, r, c, err,
			p.Sprintf("These pages run the partnership: its organisations, their staff accounts and the agreements that let information pass between them."),
			p.Sprintf("Partnership administrators use them. Staff of an immigration authority or a law enforcement body never do, whatever their role. If you need a staff account changed, ask your supervisor or a partnership administrator."))
	}
	return true, nil
}

// adminFormStatus is the status of a form page shown again after a failed
// submission: input errors beside their fields (422), denials (403), stale
// versions (409).
func adminFormStatus(err error) int {
	switch accord.ErrorCode(err) {
	case accord.EINVALID:
		return http.StatusUnprocessableEntity
	case accord.EFORBIDDEN, accord.EDENIED:
		return http.StatusForbidden
	case accord.ECONFLICT:
		return http.StatusConflict
	case accord.ENOTFOUND:
		return http.StatusUnprocessableEntity
	}
	return statusOf[accord.ErrorCode(err)]
}

// failed puts err on f and reports whether the form should be shown again
// (false for errors that are not about the input: those become the error
// page). A form shown again keeps its token, or gets a fresh one.
func adminFailed(p *i18n.Printer, f *form, err error) bool {
	if !f.fail(p, err) {
		return false
	}
	if f.Token == "" {
		f.Token = formToken()
	}
	return true
}

// moveErr moves an error from the field the domain names to the input
// that carries it on the page.
func adminMoveErr(f *form, from, to string) {
	if msg, ok := f.Errors[from]; ok {
		delete(f.Errors, from)
		f.Errors[to] = msg
	}
}

// Overview.

type adminHomeData struct {
	Nav                                []adminLink
	Orgs, Staff, Active, Drafts, Other int
	Suspended, Attention               int
	Rows                               []adminAgreementRow
	Policies                           bool
}

func (s *Server) adminHome(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.requireAdmin(w, r, c); !ok {
		return err
	}
	ctx := r.Context()
	orgs, err := s.svc.Organizations(ctx, c)
	if err != nil {
		return err
	}
	staff, err := s.svc.StaffList(ctx, c, "")
	if err != nil {
		return err
	}
	v := s.newView(r, c, "admin", "Partnership administration", nil)
	rows, err := s.agreementRows(r, c, v.P)
	if err != nil {
		return err
	}
	text, err := s.svc.LocalPolicies(ctx, c)
	if err != nil {
		return err
	}
	d := &adminHomeData{Nav: adminNav(v.P, c, "/admin"), Orgs: len(orgs), Policies: strings.TrimSpace(text) != ""}
	for _, st := range staff {
		if st.Active {
			d.Staff++
		}
	}
	for _, a := range rows {
		switch a.Status {
		case accord.AgreementActive:
			d.Active++
		case accord.AgreementDraft:
			d.Drafts++
		case accord.AgreementSuspended:
			d.Suspended++
		default:
			d.Other++
		}
		if a.Attention {
			d.Rows = append(d.Rows, a)
		}
	}
	d.Attention = len(d.Rows)
	v.Data = d
	return s.adminRender(w, http.StatusOK, "admin_home", v)
}

// Organisations.

type adminOrgsData struct {
	Nav     []adminLink
	Orgs    []adminOrgRow
	Sectors []option
}

type adminOrgRow struct {
	accord.Organization
	Staff, Agreements int
}

func (s *Server) adminSectorOptions(p *i18n.Printer) []option {
	out := []option{{Value: "", Label: p.Sprintf("Choose a sector")}}
	for _, x := range accord.Sectors {
		out = append(out, option{Value: string(x), Label: p.Sprintf(string(i18n.Sector(x)))})
	}
	return out
}

func (s *Server) adminOrgs(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	return s.adminOrgsForm(w, r, c, nil, nil)
}

func (s *Server) adminOrgsForm(w http.ResponseWriter, r *http.Request, c *enforce.Caller, f *form, ferr error) error {
	if ok, err := s.requireAdmin(w, r, c); !ok {
		return err
	}
	ctx := r.Context()
	orgs, err := s.svc.Organizations(ctx, c)
	if err != nil {
		return err
	}
	staff, err := s.svc.StaffList(ctx, c, "")
	if err != nil {
		return err
	}
	as, err := s.svc.Agreements(ctx, c)
	if err != nil {
		return err
	}
	v := s.newView(r, c, "admin", "Organisations", nil)
	d := &adminOrgsData{Nav: adminNav(v.P, c, "/admin/organizations"), Sectors: s.adminSectorOptions(v.P)}
	for _, o := range orgs {
		row := adminOrgRow{Organization: o}
		for _, st := range staff {
			if st.OrganizationID == o.ID && st.Active {
				row.Staff++
			}
		}
		for _, a := range as {
			if slices.Contains(a.Parties, o.ID) {
				row.Agreements++
			}
		}
		d.Orgs = append(d.Orgs, row)
	}
	v.Data = d
	if f == nil {
		f = newForm()
	}
	v.Form = f
	status := http.StatusOK
	if ferr != nil {
		status = adminFormStatus(ferr)
	}
	return s.adminRender(w, status, "admin_orgs", v)
}

func (s *Server) adminOrgCreate(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		o := &accord.Organization{Name: strings.TrimSpace(f.Values.Get("name")), Sector: accord.Sector(f.Values.Get("sector")),
			Country: strings.ToUpper(strings.TrimSpace(f.Values.Get("country")))}
		if err := s.svc.CreateOrganization(r.Context(), c, o); err != nil {
			return "", err
		}
		return "/admin/organizations/" + o.ID + "?notice=admin-org-created", nil
	})
	if done {
		return nil
	}
	if adminFailed(s.pagePrinter(r), f, err) {
		return s.adminOrgsForm(w, r, c, f, err)
	}
	return err
}

// One organisation: its staff, escalation contacts and webhook.

type adminOrgData struct {
	Nav   []adminLink
	Org   *accord.Organization
	Staff []accord.Staff
	Chain []adminChainLevel
	// The organisation's own escalation times (0: the default applies) and the defaults.
	Urgent, Immediate               int
	UrgentDefault, ImmediateDefault int
	Candidates                      []option
	Levels                          []int
	Own                             bool // the caller's own organisation (webhook)
	WebhookURL                      string
	HasWebhook                      bool
	Agreements                      []adminAgreementRow
	ChainForm                       *form
	HookForm                        *form
}

type adminChainLevel struct {
	Level int
	Staff accord.Staff
	Known bool
}

const adminMaxChain = 10

func (s *Server) adminOrg(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	return s.adminOrgPage(w, r, c, nil, nil, nil)
}

func (s *Server) adminOrgPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller, chainForm, hookForm *form, ferr error) error {
	if ok, err := s.requireAdmin(w, r, c); !ok {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("id")
	o, err := s.svc.Organization(ctx, c, id)
	if err != nil {
		return err
	}
	staff, err := s.svc.StaffList(ctx, c, o.ID)
	if err != nil {
		return err
	}
	ids, sla, err := s.svc.EscalationChain(ctx, c, o.ID)
	if err != nil {
		return err
	}
	v := s.newView(r, c, "admin", "Organisation", nil)
	p := v.P
	d := &adminOrgData{Nav: adminNav(p, c, "/admin/organizations"), Org: o, Staff: staff, Own: o.ID == c.Staff.OrganizationID,
		Urgent: sla[accord.UrgencyUrgent], Immediate: sla[accord.UrgencyImmediate],
		UrgentDefault: int(accord.UrgencyUrgent.ResponseTime().Minutes()), ImmediateDefault: int(accord.UrgencyImmediate.ResponseTime().Minutes())}
	byID := map[string]accord.Staff{}
	d.Candidates = []option{{Value: "", Label: p.Sprintf("No one at this level")}}
	for _, st := range staff {
		byID[st.ID] = st
		if st.Active {
			d.Candidates = append(d.Candidates, option{Value: st.ID, Label: st.DisplayName + " (" + st.Username + ")"})
		}
	}
	for i, sid := range ids {
		st, known := byID[sid]
		if !known {
			st = accord.Staff{ID: sid, DisplayName: sid}
		}
		d.Chain = append(d.Chain, adminChainLevel{Level: i + 1, Staff: st, Known: known})
	}
	// Room for two more contacts than the chain has (at least three levels).
	for i := 1; i <= min(adminMaxChain, max(3, len(ids)+2)); i++ {
		d.Levels = append(d.Levels, i)
	}
	if chainForm == nil {
		chainForm = newForm()
		for i, sid := range ids {
			chainForm.Values.Set(adminLevelField(i+1), sid)
		}
		if m := sla[accord.UrgencyUrgent]; m > 0 {
			chainForm.Values.Set("sla_urgent", strconv.Itoa(m))
		}
		if m := sla[accord.UrgencyImmediate]; m > 0 {
			chainForm.Values.Set("sla_immediate", strconv.Itoa(m))
		}
	}
	if hookForm == nil {
		hookForm = newForm()
	}
	if d.Own {
		if u, _, err := s.db.Webhook(ctx, o.ID); err == nil {
			d.WebhookURL, d.HasWebhook = u, true
			if hookForm.Values.Get("url") == "" {
				hookForm.Values.Set("url", u)
			}
		}
	}
	rows, err := s.agreementRows(r, c, p)
	if err != nil {
		return err
	}
	for _, a := range rows {
		if slices.Contains(a.Latest.Parties, o.ID) {
			d.Agreements = append(d.Agreements, a)
		}
	}
	d.ChainForm, d.HookForm = chainForm, hookForm
	v.Data = d
	status := http.StatusOK
	if ferr != nil {
		status = adminFormStatus(ferr)
	}
	return s.adminRender(w, status, "admin_org", v)
}

func adminLevelField(i int) string { return "level_" + strconv.Itoa(i) }

func (s *Server) adminOrgChain(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	done, err := s.once(w, r, c, f, func() (string, error) {
		var ids []string
		for i := 1; i <= adminMaxChain; i++ {
			if v := strings.TrimSpace(f.Values.Get(adminLevelField(i))); v != "" {
				ids = append(ids, v)
			}
		}
		sla := map[accord.Urgency]int{}
		for _, x := range []struct {
			field string
			u     accord.Urgency
		}{{"sla_urgent", accord.UrgencyUrgent}, {"sla_immediate", accord.UrgencyImmediate}} {
			text := strings.TrimSpace(f.Values.Get(x.field))
			if text == "" {
				continue
			}
			m, ok := adminAtoi(text)
			if !ok || m < 1 || m > 7*24*60 {
				return "", accord.FieldErrorf(x.field, "an escalation time is from 1 minute to 7 days (10080 minutes)")
			}
			sla[x.u] = m
		}
		if err := s.svc.SetEscalationChain(r.Context(), c, id, ids, sla); err != nil {
			return "", err
		}
		return "/admin/organizations/" + id + "?notice=admin-chain-saved#escalation", nil
	})
	if done {
		return nil
	}
	if adminFailed(s.pagePrinter(r), f, err) {
		adminMoveErr(f, "contacts", adminLevelField(1))
		adminMoveErr(f, "sla_minutes", "sla_urgent")
		return s.adminOrgPage(w, r, c, f, nil, err)
	}
	return err
}

func (s *Server) adminOrgWebhook(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	secret := f.Values.Get("secret")
	f.Values.Del("secret") // never shown back
	done, err := s.once(w, r, c, f, func() (string, error) {
		if err := s.svc.SetWebhook(r.Context(), c, id, strings.TrimSpace(f.Values.Get("url")), secret); err != nil {
			return "", err
		}
		return "/admin/organizations/" + id + "?notice=admin-webhook-saved#webhook", nil
	})
	if done {
		return nil
	}
	if adminFailed(s.pagePrinter(r), f, err) {
		return s.adminOrgPage(w, r, c, nil, f, err)
	}
	return err
}

// Staff.

type adminStaffData struct {
	Nav       []adminLink
	Staff     []adminStaffRow
	OrgFilter string
	Orgs      []option // for the filter
	OrgChoice []option // for the new account
	Roles     []option
	MinPass   int
}

type adminStaffRow struct {
	accord.Staff
	OrgName string
}

func (s *Server) adminStaff(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	return s.adminStaffPage(w, r, c, nil, nil)
}

func (s *Server) adminRoleOptions(p *i18n.Printer) []option {
	var out []option
	for _, x := range accord.Roles {
		out = append(out, option{Value: string(x), Label: p.Sprintf(string(i18n.Role(x)))})
	}
	return out
}

func (s *Server) adminStaffPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller, f *form, ferr error) error {
	if ok, err := s.requireAdmin(w, r, c); !ok {
		return err
	}
	ctx := r.Context()
	orgs, err := s.svc.Organizations(ctx, c)
	if err != nil {
		return err
	}
	filter := r.URL.Query().Get("org")
	if filter != "" && !slices.ContainsFunc(orgs, func(o accord.Organization) bool { return o.ID == filter }) {
		filter = ""
	}
	list, err := s.svc.StaffList(ctx, c, filter)
	if err != nil {
		return err
	}
	v := s.newView(r, c, "admin", "Staff", nil)
	p := v.P
	names := map[string]string{}
	d := &adminStaffData{Nav: adminNav(p, c, "/admin/staff"), OrgFilter: filter, Roles: s.adminRoleOptions(p), MinPass: credential.MinPasswordLength,
		Orgs: []option{{Value: "", Label: p.Sprintf("Every organisation")}}}
	for _, o := range orgs {
		names[o.ID] = o.Name
		d.Orgs = append(d.Orgs, option{Value: o.ID, Label: o.Name})
		d.OrgChoice = append(d.OrgChoice, option{Value: o.ID, Label: o.Name})
	}
	slices.SortStableFunc(list, func(a, b accord.Staff) int {
		if x := strings.Compare(names[a.OrganizationID], names[b.OrganizationID]); x != 0 {
			return x
		}
		return strings.Compare(strings.ToLower(a.DisplayName), strings.ToLower(b.DisplayName))
	})
	for _, st := range list {
		d.Staff = append(d.Staff, adminStaffRow{Staff: st, OrgName: names[st.OrganizationID]})
	}
	if f == nil {
		f = newForm()
		org := filter
		if org == "" {
			org = c.Staff.OrganizationID
		}
		f.Values.Set("organization_id", org)
	}
	v.Form = f
	v.Data = d
	status := http.StatusOK
	if ferr != nil {
		status = adminFormStatus(ferr)
	}
	return s.adminRender(w, status, "admin_staff", v)
}

func (s *Server) adminStaffCreate(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	password := f.Values.Get("password")
	f.Values.Del("password") // never shown back
	done, err := s.once(w, r, c, f, func() (string, error) {
		if password == "" {
			return "", accord.FieldErrorf("password", "choose a first password of at least %d characters", credential.MinPasswordLength)
		}
		var roles []accord.Role
		for _, x := range f.Values["roles"] {
			roles = append(roles, accord.Role(x))
		}
		st := &accord.Staff{OrganizationID: f.Values.Get("organization_id"), Username: strings.ToLower(strings.TrimSpace(f.Values.Get("username"))),
			DisplayName: strings.TrimSpace(f.Values.Get("display_name")), Roles: roles, Languages: adminSplitList(f.Values.Get("languages")),
			Email: strings.TrimSpace(f.Values.Get("email"))}
		if err := st.Validate(); err != nil {
			return "", err
		}
		if err := s.svc.CreateStaff(r.Context(), c, st, password); err != nil {
			return "", err
		}
		return "/admin/staff?org=" + st.OrganizationID + "&notice=admin-staff-created", nil
	})
	if done {
		return nil
	}
	if adminFailed(s.pagePrinter(r), f, err) {
		return s.adminStaffPage(w, r, c, f, err)
	}
	return err
}

// adminSplitList splits "en, ar fr" into its items.
func adminSplitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
}

// adminAtoi parses a small non-negative decimal number.
func adminAtoi(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0 && len(s) <= 9
}

// adminDate reads a date input (YYYY-MM-DD) as midnight UTC.
func adminDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	return t, err == nil
}
