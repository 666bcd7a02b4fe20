package http

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/policy"
)

// The client profile: exactly what the viewer may see, and for each part
// withheld, the decision's plain-language reason.

// clientRecordCategories are the categories a profile shows as records, in
// the order it shows them (demographics and contact are the client's own
// fields).
var clientRecordCategories = []accord.Category{
	accord.CatClinicalSummary, accord.CatClinicalNote, accord.CatLegalMatter, accord.CatLegalPrivilegedNote,
	accord.CatImmigrationStatus, accord.CatSocialNeeds, accord.CatScreening,
}

type clientProfileData struct {
	clientRow
	Gender     string
	Languages  []string
	Disability []string
	Area       string // the area's name, "" when not recorded
	// Contact is whether contact details were shared; ContactWithheld
	// says why not.
	Contact         bool
	ContactWithheld []clientWithheld
	Sections        []clientSection
	Cases           []clientCaseLink
	ConsentsInForce int
	ConsentsOther   int
	CanAct          bool // the caller works with clients (consent, screening, records)
	CanReport       bool // the caller may produce the client's access report
	CanEdit         bool // the caller may change the client's details
	CanMerge        bool // the caller may merge a duplicate record into this one
	Clinician       bool
	Writable        []accord.Category
	Colleagues      []option
	CareForm        *form
	PurposeForm     *form
	ActionForm      *form // the token for the portal-code form
}

type clientSection struct {
	Category accord.Category
	Title    string
	Records  []clientRecord
	Withheld []clientWithheld
	CanAdd   bool
}

type clientRecord struct {
	accord.Record
	Holder, Author string
	Labels         []string
	Conf           string
}

// clientWithheld is a part of a client's data the viewer may not see, and
// why.
type clientWithheld struct {
	Category    accord.Category
	Title       string // the category, as a heading
	Holder      string
	Reason      accord.Reason
	Explanation i18n.Msg
	// BreakGlass: a clinician could open it in an emergency.
	BreakGlass bool
	// Consent: the client's consent decides it; a new consent could change it.
	Consent bool
}

type clientCaseLink struct {
	ID, Title string
	Status    accord.CaseStatus
	Opened    time.Time
}

func (s *Server) clientWithheldOf(p *i18n.Printer, ds []enforce.Decided, orgs map[string]string, clinician bool) []clientWithheld {
	var out []clientWithheld
	for _, d := range ds {
		w := clientWithheld{Category: d.Request.Category, Title: clientCapital(p.Sprintf(string(i18n.Category(d.Request.Category)))),
			Holder: orgs[d.Request.HolderID], Reason: d.Decision.Reason, Explanation: d.Explanation}
		switch d.Decision.Reason {
		case accord.ReasonNotOnCareTeam, accord.ReasonBreakGlassRequired:
			w.BreakGlass = clinician && d.Request.Category.Clinical()
		case accord.ReasonNoConsent, accord.ReasonConsentDenies, accord.ReasonSensitivity:
			w.Consent = true
		}
		out = append(out, w)
	}
	return out
}

func (s *Server) clientProfilePage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, err := s.clientProfileView(r, c, nil)
	if err != nil {
		return s.clientFailed(w, r, c, err)
	}
	return s.render(w, http.StatusOK, "client_profile", v)
}

type clientDeniedData struct {
	ID          string
	Explanation i18n.Msg
	Clinician   bool
}

// clientFailed answers a client page that failed with err: a denial of
// the client is explained (clientDeniedPage), anything else is returned.
func (s *Server) clientFailed(w http.ResponseWriter, r *http.Request, c *enforce.Caller, err error) error {
	if d := enforce.AsDenied(err); d != nil {
		return s.clientDeniedPage(w, r, c, d)
	}
	return err
}

// clientDeniedPage explains why the caller may not see a client at all,
// and offers a clinician emergency access.
func (s *Server) clientDeniedPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller, d *enforce.Denied) error {
	v := s.newView(r, c, "clients", "Client", nil)
	v.Data = &clientDeniedData{ID: r.PathValue("id"), Explanation: d.Explanation, Clinician: c.Staff.RoleSet().Has(accord.RoleClinician)}
	return s.render(w, http.StatusForbidden, "client_denied", v)
}

// clientProfileView builds the profile; care is the care-team form when it
// is shown again with an error.
func (s *Server) clientProfileView(r *http.Request, c *enforce.Caller, care *form) (*view, error) {
	ctx := r.Context()
	id := r.PathValue("id")
	purpose := s.purposeFor(r, c)
	cv, err := s.svc.ReadClient(ctx, c, id, purpose)
	if err != nil {
		return nil, err
	}
	recs, err := s.svc.ClientRecords(ctx, c, id, nil, purpose)
	if err != nil {
		return nil, err
	}
	orgs, err := s.orgNames(r, c)
	if err != nil {
		return nil, err
	}
	v := s.newView(r, c, "clients", "Client", nil)
	p := v.P
	roles := c.Staff.RoleSet()
	d := &clientProfileData{clientRow: s.clientRowOf(p, cv.Client, orgs), Gender: clientGenderLabel(p, cv.Client.Gender, cv.Client.GenderText),
		CanAct: enforce.ClientFacing(&c.Staff), Clinician: roles.Has(accord.RoleClinician), CanReport: c.CanProduceAccessReport(cv.Client.HomeOrganizationID)}
	for _, l := range cv.Client.Languages {
		if l != cv.Client.PreferredLanguage {
			d.Languages = append(d.Languages, clientLanguageName(p, l))
		}
	}
	for _, x := range cv.Client.Disabilities {
		d.Disability = append(d.Disability, clientDisabilityLabel(p, x))
	}
	if cv.Client.Area != "" {
		areas, err := s.svc.Areas(r.Context(), c)
		if err != nil {
			return nil, err
		}
		d.Area = cv.Client.Area
		for _, a := range areas {
			if a.Code == cv.Client.Area {
				d.Area = a.Name
			}
		}
	}
	for _, sh := range cv.Shared {
		if sh.Request.Category == accord.CatContact {
			d.Contact = true
		}
	}
	d.ContactWithheld = s.clientWithheldOf(p, cv.Withheld, orgs, d.Clinician)
	d.CanEdit = c.MayEditClient(&cv.Client) && len(cv.Withheld) == 0 // and sees the contact details, as the change needs
	d.CanMerge = c.MayMergeInto(&cv.Client)

	names := s.clientStaffNames(r, c)
	writable := clientWritable(roles)
	d.Writable = writable
	withheld := s.clientWithheldOf(p, recs.Withheld, orgs, d.Clinician)
	for _, cat := range clientRecordCategories {
		sec := clientSection{Category: cat, Title: clientCapital(p.Sprintf(string(i18n.Category(cat)))), CanAdd: d.CanAct && slices.Contains(writable, cat)}
		for _, rec := range recs.Records {
			if rec.Category == cat {
				sec.Records = append(sec.Records, clientRecordOf(p, rec, orgs, names))
			}
		}
		slices.SortStableFunc(sec.Records, func(a, b clientRecord) int { return b.RecordedAt.Compare(a.RecordedAt) })
		for _, wh := range withheld {
			if wh.Category == cat {
				sec.Withheld = append(sec.Withheld, wh)
			}
		}
		if len(sec.Records) > 0 || len(sec.Withheld) > 0 || sec.CanAdd {
			d.Sections = append(d.Sections, sec)
		}
	}
	if d.CanAct {
		ids, err := s.svc.ClientCases(ctx, c, id, purpose)
		if err != nil {
			return nil, err
		}
		for i, cid := range ids {
			link := clientCaseLink{ID: cid}
			if i < 20 {
				if cs, err := s.svc.Case(ctx, c, cid, purpose); err == nil {
					link.Title, link.Status, link.Opened = cs.Title, cs.Status, cs.OpenedAt
				}
			}
			d.Cases = append(d.Cases, link)
		}
		if cs, err := s.svc.ClientConsents(ctx, c, id, purpose); err == nil {
			for i := range cs {
				if cs[i].InForce(s.now()) {
					d.ConsentsInForce++
				} else {
					d.ConsentsOther++
				}
			}
		}
		if staff, err := s.svc.StaffList(ctx, c, c.Staff.OrganizationID); err == nil {
			d.Colleagues = []option{{"", p.Sprintf("Choose a colleague")}}
			for _, st := range staff {
				if st.Active && st.ID != c.Staff.ID && enforce.ClientFacing(&st) {
					d.Colleagues = append(d.Colleagues, option{Value: st.ID, Label: st.DisplayName})
				}
			}
		}
	}
	if care == nil {
		care = newForm()
	}
	d.CareForm = care
	d.PurposeForm = newForm()
	d.PurposeForm.Values.Set("purpose", string(purpose))
	d.ActionForm = newForm()
	v.Data = d
	return v, nil
}

// clientWritable returns the record categories the caller's roles may
// write (the decision point still decides each record).
func clientWritable(roles accord.RoleSet) []accord.Category {
	var out []accord.Category
	for _, role := range roles.List() {
		for _, cat := range policy.RoleCategories[role] {
			if slices.Contains(clientRecordCategories, cat) && !slices.Contains(out, cat) {
				out = append(out, cat)
			}
		}
	}
	slices.SortFunc(out, func(a, b accord.Category) int {
		return slices.Index(clientRecordCategories, a) - slices.Index(clientRecordCategories, b)
	})
	return out
}

// clientStaffNames maps the caller's colleagues' ids to their names (other
// organisations' staff are named by their organisation).
func (s *Server) clientStaffNames(r *http.Request, c *enforce.Caller) map[string]string {
	out := map[string]string{}
	if staff, err := s.svc.StaffList(r.Context(), c, c.Staff.OrganizationID); err == nil {
		for _, st := range staff {
			out[st.ID] = st.DisplayName
		}
	}
	return out
}

func clientRecordOf(p *i18n.Printer, rec accord.Record, orgs, names map[string]string) clientRecord {
	out := clientRecord{Record: rec, Holder: orgs[rec.OrganizationID], Author: names[rec.RecordedBy], Conf: clientConfLabel(p, rec.Confidentiality)}
	if out.Author == "" {
		out.Author = p.Sprintf("a member of staff at %s", out.Holder)
	}
	for _, sens := range rec.Sensitivity {
		out.Labels = append(out.Labels, clientSensitivityLabel(p, sens))
	}
	return out
}

func clientConfLabel(p *i18n.Printer, c accord.Confidentiality) string {
	switch c {
	case accord.ConfRestricted:
		return p.Sprintf("restricted")
	case accord.ConfVeryRestricted:
		return p.Sprintf("very restricted")
	}
	return ""
}

func clientSensitivityLabel(p *i18n.Printer, s accord.Sensitivity) string {
	switch s {
	case accord.SensHIV:
		return p.Sprintf("HIV")
	case accord.SensPSY:
		return p.Sprintf("mental health")
	case accord.SensETH:
		return p.Sprintf("substance use")
	case accord.SensSDV:
		return p.Sprintf("sexual or domestic violence")
	case accord.SensSEX:
		return p.Sprintf("sexual and reproductive health")
	case accord.SensSTD:
		return p.Sprintf("sexually transmitted infection")
	}
	return string(s)
}

func clientSensitivityOptions(p *i18n.Printer) []option {
	var out []option
	for _, x := range accord.Sensitivities {
		out = append(out, option{Value: string(x), Label: clientCapital(clientSensitivityLabel(p, x))})
	}
	return out
}

// Adding a record.

type clientRecordData struct {
	Client     accord.Client
	Categories []option
	Conf       []option
	Sensitive  []option
}

func (s *Server) clientRecordView(r *http.Request, c *enforce.Caller, f *form) (*view, error) {
	cv, err := s.svc.ReadClient(r.Context(), c, r.PathValue("id"), s.purposeFor(r, c))
	if err != nil {
		return nil, err
	}
	roles := c.Staff.RoleSet()
	writable := clientWritable(roles)
	if !enforce.ClientFacing(&c.Staff) || len(writable) == 0 {
		return nil, accord.Errorf(accord.EFORBIDDEN, "your role does not allow adding records")
	}
	v := s.newView(r, c, "clients", "Add a record", nil)
	p := v.P
	d := &clientRecordData{Client: cv.Client, Sensitive: clientSensitivityOptions(p),
		Conf: []option{{"N", p.Sprintf("Normal")}, {"R", p.Sprintf("Restricted")}, {"V", p.Sprintf("Very restricted")}}}
	for _, cat := range writable {
		d.Categories = append(d.Categories, option{Value: string(cat), Label: clientCapital(p.Sprintf(string(i18n.Category(cat))))})
	}
	v.Data = d
	v.Form = f
	return v, nil
}

func (s *Server) clientRecordPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f := newForm()
	f.Values.Set("category", r.URL.Query().Get("category"))
	f.Values.Set("confidentiality", "N")
	v, err := s.clientRecordView(r, c, f)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "client_record_new", v)
}

func (s *Server) clientRecordSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	v, err := s.clientRecordView(r, c, f)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	cat := accord.Category(f.Values.Get("category"))
	rec := &accord.Record{ClientID: id, Category: cat, Confidentiality: accord.Confidentiality(f.Values.Get("confidentiality")),
		Content: strings.TrimSpace(f.Values.Get("content")), Note: strings.TrimSpace(f.Values.Get("note"))}
	for _, x := range f.Values["sensitivity"] {
		rec.Sensitivity = append(rec.Sensitivity, accord.Sensitivity(x))
	}
	if !slices.Contains(clientWritable(c.Staff.RoleSet()), cat) {
		f.Errors["category"] = v.P.Sprintf("Choose what kind of record this is.")
	}
	if rec.Content == "" {
		f.Errors["content"] = v.P.Sprintf("Write the record.")
	}
	if len(f.Errors) > 0 {
		clientKeepToken(f)
		return s.render(w, http.StatusUnprocessableEntity, "client_record_new", v)
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		if err := s.svc.CreateRecord(r.Context(), c, rec, s.purposeFor(r, c)); err != nil {
			return "", err
		}
		return "/clients/" + id + "?notice=client-record-added#cat-" + string(cat), nil
	})
	if done {
		return nil
	}
	clientKeepToken(f)
	if !f.fail(v.P, err) {
		return err
	}
	return s.render(w, clientFormStatus(err), "client_record_new", v)
}

// clientCareTeamSubmit puts a colleague on the client's care team.
func (s *Server) clientCareTeamSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	staff := f.Values.Get("staff_id")
	var ferr error
	if staff == "" {
		ferr = accord.FieldErrorf("staff_id", "Choose a colleague.")
	} else {
		var done bool
		done, ferr = s.once(w, r, c, f, func() (string, error) {
			if err := s.svc.AddToCareTeam(r.Context(), c, id, staff, s.purposeFor(r, c)); err != nil {
				return "", err
			}
			return "/clients/" + id + "?notice=client-care-team-added", nil
		})
		if done {
			return nil
		}
	}
	v, err := s.clientProfileView(r, c, f)
	if err != nil {
		return err
	}
	clientKeepToken(f)
	if !f.fail(v.P, ferr) {
		return ferr
	}
	return s.render(w, clientFormStatus(ferr), "client_profile", v)
}
