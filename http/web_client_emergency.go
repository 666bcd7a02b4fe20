package http

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// Emergency (break-glass) access: a clinician who is not on a client's
// care team, or works at another organisation, opens the client's
// clinical information to treat them in an emergency. It needs a reason,
// lasts at most four hours, is recorded, and is reviewed by oversight.

// clientBreakGlassMinReason is the shortest reason accepted: enough to say
// what the emergency is.
const clientBreakGlassMinReason = 20

var clientBreakGlassMinutes = []int{30, 60, 120, 240}

type clientBreakGlassData struct {
	ID         string
	Client     *accord.Client // nil when the caller may not see who it is
	Categories []option
	Durations  []option
}

// clientEmergencyContext marks the request's audit entries with the
// emergency treatment purpose.
func clientEmergencyContext(r *http.Request) *http.Request {
	info := accord.RequestFrom(r.Context())
	info.Purpose = accord.PurposeEmergencyTreatment
	return r.WithContext(accord.WithRequest(r.Context(), info))
}

func (s *Server) clientBreakGlassView(r *http.Request, c *enforce.Caller, f *form) (*view, error) {
	if !c.Staff.RoleSet().Has(accord.RoleClinician) {
		return nil, accord.Errorf(accord.EFORBIDDEN, "only clinicians can open emergency access to a client's clinical information")
	}
	id := r.PathValue("id")
	d := &clientBreakGlassData{ID: id}
	cv, err := s.svc.ReadClient(r.Context(), c, id, s.purposeFor(r, c))
	switch {
	case err == nil:
		d.Client = &cv.Client
	case enforce.AsDenied(err) == nil:
		return nil, err
	}
	v := s.newView(r, c, "clients", "Emergency access", d)
	for _, cat := range []accord.Category{accord.CatClinicalSummary, accord.CatClinicalNote} {
		d.Categories = append(d.Categories, option{Value: string(cat), Label: clientCapital(v.P.Sprintf(string(i18n.Category(cat))))})
	}
	for _, m := range clientBreakGlassMinutes {
		label := v.P.Sprintf("%d minutes", m)
		if m >= 60 {
			label = v.P.Sprintf("%d hours", m/60)
			if m == 60 {
				label = v.P.Sprintf("1 hour")
			}
		}
		d.Durations = append(d.Durations, option{Value: strconv.Itoa(m), Label: label})
	}
	v.Form = f
	return v, nil
}

func (s *Server) clientBreakGlassPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f := newForm()
	f.Values["categories"] = []string{string(accord.CatClinicalSummary), string(accord.CatClinicalNote)}
	f.Values.Set("minutes", "60")
	v, err := s.clientBreakGlassView(r, c, f)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "client_break_glass", v)
}

func (s *Server) clientBreakGlassSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	r = clientEmergencyContext(r)
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	v, err := s.clientBreakGlassView(r, c, f)
	if err != nil {
		return err
	}
	p := v.P
	reason := strings.TrimSpace(f.Values.Get("reason"))
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		f.Errors["reason"] = p.Sprintf("Say what the emergency is and why you need this information now.")
	case n < clientBreakGlassMinReason:
		f.Errors["reason"] = p.Sprintf("Write at least %d characters: what the emergency is and why you need this information now.", clientBreakGlassMinReason)
	case n > 2000:
		f.Errors["reason"] = p.Sprintf("Write at most %d characters.", 2000)
	}
	var cats []accord.Category
	for _, x := range f.Values["categories"] {
		cat := accord.Category(x)
		if !cat.Clinical() {
			f.Errors["categories"] = p.Sprintf("Emergency access opens clinical information only.")
			break
		}
		if !slices.Contains(cats, cat) {
			cats = append(cats, cat)
		}
	}
	if len(cats) == 0 && f.Errors["categories"] == "" {
		f.Errors["categories"] = p.Sprintf("Choose the information you need.")
	}
	minutes, err := strconv.Atoi(f.Values.Get("minutes"))
	if err != nil || !slices.Contains(clientBreakGlassMinutes, minutes) {
		f.Errors["minutes"] = p.Sprintf("Choose how long you need access for.")
	}
	if f.Values.Get("confirm") != "yes" {
		f.Errors["confirm"] = p.Sprintf("Confirm that this is an emergency and that you understand the access is recorded and reviewed.")
	}
	if len(f.Errors) > 0 {
		clientKeepToken(f)
		return s.render(w, http.StatusUnprocessableEntity, "client_break_glass", v)
	}
	id := r.PathValue("id")
	done, err := s.once(w, r, c, f, func() (string, error) {
		if _, err := s.svc.BreakGlass(r.Context(), c, enforce.BreakGlassRequest{ClientID: id, Categories: cats, Reason: reason,
			Duration: time.Duration(minutes) * time.Minute}); err != nil {
			return "", err
		}
		return addNotice("/clients/"+id+"/emergency", "break-glass"), nil
	})
	if done {
		return nil
	}
	clientKeepToken(f)
	if !f.fail(p, err) {
		return err
	}
	return s.render(w, clientFormStatus(err), "client_break_glass", v)
}

type clientEmergencyData struct {
	ID       string
	Client   *accord.Client
	Records  []clientRecord
	Shared   []i18n.Msg
	Withheld []clientWithheld
	// Refused explains why nothing is open, when nothing is.
	Refused *i18n.Msg
}

// clientEmergencyPage shows what emergency access has opened: the clinical
// records, read for emergency treatment.
func (s *Server) clientEmergencyPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	r = clientEmergencyContext(r)
	if !c.Staff.RoleSet().Has(accord.RoleClinician) {
		return accord.Errorf(accord.EFORBIDDEN, "only clinicians can open emergency access to a client's clinical information")
	}
	ctx := r.Context()
	id := r.PathValue("id")
	d := &clientEmergencyData{ID: id}
	cv, err := s.svc.ReadClient(ctx, c, id, s.purposeFor(r, c))
	switch {
	case err == nil:
		d.Client = &cv.Client
	case enforce.AsDenied(err) == nil:
		return err
	}
	orgs, err := s.orgNames(r, c)
	if err != nil {
		return err
	}
	v := s.newView(r, c, "clients", "Emergency access", d)
	recs, err := s.svc.ClientRecords(ctx, c, id, []accord.Category{accord.CatClinicalSummary, accord.CatClinicalNote}, accord.PurposeEmergencyTreatment)
	if den := enforce.AsDenied(err); den != nil {
		d.Refused = &den.Explanation
		return s.render(w, http.StatusOK, "client_emergency", v)
	}
	if err != nil {
		return err
	}
	names := s.clientStaffNames(r, c)
	for _, rec := range recs.Records {
		d.Records = append(d.Records, clientRecordOf(v.P, rec, orgs, names))
	}
	slices.SortStableFunc(d.Records, func(a, b clientRecord) int { return b.RecordedAt.Compare(a.RecordedAt) })
	for _, sh := range recs.Shared {
		if !slices.ContainsFunc(d.Shared, func(m i18n.Msg) bool { return v.P.Render(m) == v.P.Render(sh.Explanation) }) {
			d.Shared = append(d.Shared, sh.Explanation)
		}
	}
	d.Withheld = s.clientWithheldOf(v.P, recs.Withheld, orgs, true)
	return s.render(w, http.StatusOK, "client_emergency", v)
}
