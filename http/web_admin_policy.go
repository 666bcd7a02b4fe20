package http

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// Local policies (the partnership's own Cedar restrictions) and the
// register of legal bases (court orders, statutory duties, emergencies).

type adminPoliciesData struct {
	Nav     []adminLink
	Text    string
	Empty   bool
	CanEdit bool
	Example string
}

// adminPolicyExample is a local policy to start from (Cedar is code: not translated).
const adminPolicyExample = `@id("hiv-stays-home")
forbid (principal, action, resource)
when { context.crosses_boundary && resource.sensitivity.contains("HIV") };`

func adminTextHash(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:12])
}

func (s *Server) adminPolicies(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	return s.adminPoliciesPage(w, r, c, nil, nil)
}

func (s *Server) adminPoliciesPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller, f *form, ferr error) error {
	if err := c.RequireGovernance(adminPolicyRoles...); err != nil {
		p := s.pagePrinter(r)
		return s.adminDenied(w, r, c, err,
			p.Sprintf("Local policies are the partnership's own extra restrictions on sharing, written in the Cedar policy language. They can only forbid."),
			p.Sprintf("Partnership administrators and privacy officers edit them; auditors read them."))
	}
	text, err := s.svc.LocalPolicies(r.Context(), c)
	if err != nil {
		return err
	}
	v := s.newView(r, c, "admin", "Local policies", nil)
	d := &adminPoliciesData{Nav: adminNav(v.P, c, "/admin/policies"), Text: text, Empty: strings.TrimSpace(text) == "",
		CanEdit: c.RequireGovernance(adminPolicyEditRoles...) == nil, Example: adminPolicyExample}
	if f == nil {
		f = newForm()
		f.Values.Set("policies", text)
		f.Values.Set("seen", adminTextHash(text))
	}
	v.Form = f
	v.Data = d
	status := http.StatusOK
	if ferr != nil {
		status = adminFormStatus(ferr)
	}
	return s.adminRender(w, status, "admin_policies", v)
}

func (s *Server) adminPoliciesSave(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		current, err := s.svc.LocalPolicies(r.Context(), c)
		if err != nil {
			return "", err
		}
		if f.Values.Get("seen") != adminTextHash(current) {
			return "", accord.Errorf(accord.ECONFLICT, "someone else changed the local policies after you opened this page, so nothing was saved. Their version is shown under “In force now”; copy your changes into it and save again.")
		}
		text := strings.ReplaceAll(f.Values.Get("policies"), "\r\n", "\n")
		if err := s.svc.SetLocalPolicies(r.Context(), c, text); err != nil {
			return "", err
		}
		return "/admin/policies?notice=admin-policies-saved", nil
	})
	if done {
		return nil
	}
	if adminFailed(s.pagePrinter(r), f, err) {
		if accord.ErrorCode(err) == accord.ECONFLICT {
			current, _ := s.svc.LocalPolicies(r.Context(), c)
			f.Values.Set("seen", adminTextHash(current))
		}
		return s.adminPoliciesPage(w, r, c, f, err)
	}
	return err
}

// The register of legal bases.

type adminLegalBasesData struct {
	Nav        []adminLink
	Register   bool   // the caller may read the register
	Refused    string // why not, when not
	Rows       []adminBasisRow
	CanRecord  bool
	Oversight  bool
	Kinds      []option
	Categories []option
	Purposes   []option
	Orgs       []option
	OwnOrg     string
}

type adminBasisRow struct {
	accord.LegalBasis
	Holder, Recipient, Recorder string
	KindText, CategoriesText    string
	State                       string // in force, expired, not yet
	StateClass                  string
	Expiring                    bool
	DaysLeft                    int
}

func (s *Server) adminLegalBases(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	return s.adminLegalBasesPage(w, r, c, nil, nil)
}

func (s *Server) adminLegalBasesPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller, f *form, ferr error) error {
	p := s.pagePrinter(r)
	record := c.RequireGovernance(accord.RolePrivacyOfficer)
	if !c.Oversight() && record != nil {
		return s.adminDenied(w, r, c, record,
			p.Sprintf("The register of legal bases lists the court orders, legal duties and emergency accesses under which information was shared without the client's consent."),
			p.Sprintf("Privacy officers record the orders served on their organisation; the oversight body's auditors and privacy officers read the whole register."))
	}
	ctx := r.Context()
	orgs, err := s.svc.Organizations(ctx, c)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	v := s.newView(r, c, "admin", "Legal bases", nil)
	p = v.P
	d := &adminLegalBasesData{Nav: adminNav(p, c, "/admin/legal-bases"), CanRecord: record == nil, Oversight: c.Oversight(), OwnOrg: names[c.Staff.OrganizationID]}
	bases, err := s.svc.LegalBases(ctx, c, "", "")
	switch code := accord.ErrorCode(err); code {
	case "":
		d.Register = true
	case accord.EFORBIDDEN:
		d.Refused = errorText(p, err)
	default:
		return err
	}
	now := s.now()
	var staffNames map[string]string
	if d.Register {
		if list, err := s.svc.StaffList(ctx, c, ""); err == nil {
			staffNames = map[string]string{}
			for _, st := range list {
				staffNames[st.ID] = st.DisplayName
			}
		}
	}
	for _, b := range bases {
		row := adminBasisRow{LegalBasis: b, Holder: adminOrgName(names, b.HolderOrganizationID), Recipient: adminOrgName(names, b.RecipientOrganizationID),
			CategoriesText: adminJoin(p, adminTerms(b.Categories, i18n.Category)), Recorder: b.RecordedBy}
		switch b.Kind {
		case accord.BasisCourtOrder:
			row.KindText = p.Sprintf("Court order")
		case accord.BasisStatutoryDuty:
			row.KindText = p.Sprintf("Duty in law")
		case accord.BasisEmergency:
			row.KindText = p.Sprintf("Emergency (break-glass)")
		}
		if n, ok := staffNames[b.RecordedBy]; ok {
			row.Recorder = n
		}
		switch {
		case now.Before(b.ValidFrom):
			row.State, row.StateClass = p.Sprintf("Not yet in force"), "warn"
		case b.InForce(now):
			row.State, row.StateClass = p.Sprintf("In force"), "ok"
			row.DaysLeft = int(b.ExpiresAt.Sub(now).Hours() / 24)
			row.Expiring = row.DaysLeft <= 30
		default:
			row.State, row.StateClass = p.Sprintf("Expired"), ""
		}
		d.Rows = append(d.Rows, row)
	}
	// In force first, the soonest to expire first; then the rest, newest first.
	slices.SortStableFunc(d.Rows, func(a, b adminBasisRow) int {
		ai, bi := a.StateClass == "ok", b.StateClass == "ok"
		switch {
		case ai && !bi:
			return -1
		case bi && !ai:
			return 1
		case ai && bi:
			return a.ExpiresAt.Compare(b.ExpiresAt)
		}
		return b.RecordedAt.Compare(a.RecordedAt)
	})
	d.Kinds = []option{{Value: string(accord.BasisCourtOrder), Label: p.Sprintf("A court order")},
		{Value: string(accord.BasisStatutoryDuty), Label: p.Sprintf("A duty in law (a statutory duty, such as a safeguarding report)")}}
	for _, x := range accord.Categories {
		if x != accord.CatLegalPrivilegedNote {
			d.Categories = append(d.Categories, option{Value: string(x), Label: p.Sprintf(string(i18n.Category(x)))})
		}
	}
	for _, x := range accord.Purposes {
		if x != accord.PurposeEmergencyTreatment {
			d.Purposes = append(d.Purposes, option{Value: string(x), Label: p.Sprintf(string(i18n.Purpose(x)))})
		}
	}
	d.Orgs = []option{{Value: "", Label: p.Sprintf("Choose an organisation")}}
	for _, o := range orgs {
		d.Orgs = append(d.Orgs, option{Value: o.ID, Label: o.Name})
	}
	if f == nil {
		f = newForm()
		f.Values.Set("kind", string(accord.BasisCourtOrder))
		f.Values.Set("valid_from", now.UTC().Format(time.DateOnly))
	}
	v.Form = f
	v.Data = d
	status := http.StatusOK
	if ferr != nil {
		status = adminFormStatus(ferr)
	}
	return s.adminRender(w, status, "admin_legal_bases", v)
}

func (s *Server) adminLegalBasisCreate(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		b := &accord.LegalBasis{Kind: accord.LegalBasisKind(f.Values.Get("kind")), ClientID: strings.TrimSpace(f.Values.Get("client_id")),
			RecipientOrganizationID: f.Values.Get("recipient_organization_id"), HolderOrganizationID: f.Values.Get("holder_organization_id"),
			Reference: strings.TrimSpace(f.Values.Get("reference")), Issuer: strings.TrimSpace(f.Values.Get("issuer")),
			Reason: strings.TrimSpace(f.Values.Get("reason"))}
		if b.Kind != accord.BasisCourtOrder && b.Kind != accord.BasisStatutoryDuty {
			return "", accord.FieldErrorf("kind", "choose a court order or a duty in law")
		}
		for _, x := range f.Values["categories"] {
			b.Categories = append(b.Categories, accord.Category(x))
		}
		for _, x := range f.Values["purposes"] {
			b.Purposes = append(b.Purposes, accord.Purpose(x))
		}
		if text := f.Values.Get("valid_from"); strings.TrimSpace(text) != "" {
			t, ok := adminDate(text)
			if !ok {
				return "", accord.FieldErrorf("valid_from", "enter a date as year-month-day, for example 2027-03-31")
			}
			b.ValidFrom = t
		} else {
			b.ValidFrom = s.now().UTC()
		}
		t, ok := adminDate(f.Values.Get("expires_at"))
		if !ok {
			return "", accord.FieldErrorf("expires_at", "enter the last day the order or duty applies, as year-month-day")
		}
		b.ExpiresAt = t.Add(24 * time.Hour) // to the end of that day
		if !c.Oversight() && b.HolderOrganizationID == "" {
			b.HolderOrganizationID = c.Staff.OrganizationID
		}
		if err := b.Validate(); err != nil {
			return "", err
		}
		if err := s.svc.RecordLegalBasis(r.Context(), c, b); err != nil {
			return "", err
		}
		return "/admin/legal-bases?notice=admin-basis-recorded", nil
	})
	if done {
		return nil
	}
	if adminFailed(s.pagePrinter(r), f, err) {
		return s.adminLegalBasesPage(w, r, c, f, err)
	}
	return err
}
