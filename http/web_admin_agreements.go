package http

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// Agreements between the organisations: every version, its signatories and
// status, what changed from the version before, in words; drafting,
// signing, amending and the status changes, each refused when the page it
// came from is out of date.

// adminAttentionDays is how far ahead an ending or a review is flagged.
const adminAttentionDays = 60

// adminTransitions are the status changes a person may ask for (as
// accord.Agreement.CheckTransition allows; expired and superseded are set
// by Accord itself).
var adminTransitions = map[accord.AgreementStatus][]accord.AgreementStatus{
	accord.AgreementDraft:     {accord.AgreementActive, accord.AgreementTerminated},
	accord.AgreementActive:    {accord.AgreementSuspended, accord.AgreementTerminated},
	accord.AgreementSuspended: {accord.AgreementActive, accord.AgreementTerminated},
}

// adminFlag is something about an agreement that needs attention, in words
// (the class only adds colour).
type adminFlag struct {
	Class, Text string
}

// adminAgreementRow is one agreement in a list: its latest version, the
// version in force (if another), and what needs attention.
type adminAgreementRow struct {
	ID, Title  string
	Latest     accord.Agreement
	InForce    *accord.Agreement // the active version, when it is not the latest
	Status     accord.AgreementStatus
	Parties    []string
	Flags      []adminFlag
	Attention  bool
	Versions   int
	Expiring   bool
	DaysToEnd  int
	governing  *accord.Agreement
	unsignedBy []string
}

// Governing is the version that decides today: the one in force, else the latest.
func (a adminAgreementRow) Governing() accord.Agreement { return *a.governing }

func (s *Server) agreementRows(r *http.Request, c *enforce.Caller, p *i18n.Printer) ([]adminAgreementRow, error) {
	ctx := r.Context()
	latest, err := s.svc.Agreements(ctx, c)
	if err != nil {
		return nil, err
	}
	orgs, err := s.orgNames(r, c)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var rows []adminAgreementRow
	for _, l := range latest {
		vs := []accord.Agreement{l}
		if l.Version > 1 {
			if vs, err = s.svc.Agreement(ctx, c, l.ID); err != nil {
				return nil, err
			}
		}
		rows = append(rows, adminRow(p, vs, orgs, now))
	}
	slices.SortStableFunc(rows, func(a, b adminAgreementRow) int {
		if a.Attention != b.Attention {
			if a.Attention {
				return -1
			}
			return 1
		}
		return cmp.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
	})
	return rows, nil
}

// adminRow summarises an agreement from its versions (oldest first).
func adminRow(p *i18n.Printer, vs []accord.Agreement, orgs map[string]string, now time.Time) adminAgreementRow {
	l := vs[len(vs)-1]
	row := adminAgreementRow{ID: l.ID, Title: l.Title, Latest: l, Status: l.EffectiveStatus(now), Versions: len(vs)}
	row.governing = &vs[len(vs)-1]
	for i := range vs {
		if vs[i].Status == accord.AgreementActive || vs[i].Status == accord.AgreementSuspended {
			row.governing = &vs[i]
			if i != len(vs)-1 {
				row.InForce = &vs[i]
			}
		}
	}
	for _, id := range l.Parties {
		row.Parties = append(row.Parties, adminOrgName(orgs, id))
	}
	g := row.governing
	flag := func(class, text string) {
		row.Flags = append(row.Flags, adminFlag{Class: class, Text: text})
		row.Attention = true
	}
	days := func(t time.Time) int { return int(t.Sub(now).Hours() / 24) }
	switch g.EffectiveStatus(now) {
	case accord.AgreementActive:
		if d := days(g.EffectiveUntil); d <= adminAttentionDays {
			row.Expiring, row.DaysToEnd = true, d
			class := "warn"
			if d <= 14 {
				class = "bad"
			}
			flag(class, p.Sprintf("Expiring: ends in %d days, on %s", d, p.Date(g.EffectiveUntil)))
		}
		if g.ReviewDate.Before(now) {
			flag("bad", p.Sprintf("Review overdue since %s", p.Date(g.ReviewDate)))
		} else if days(g.ReviewDate) <= adminAttentionDays {
			flag("warn", p.Sprintf("Review due by %s", p.Date(g.ReviewDate)))
		}
	case accord.AgreementSuspended:
		flag("bad", p.Sprintf("Suspended: nothing is shared under it until it is reactivated"))
		if d := days(g.EffectiveUntil); d <= adminAttentionDays {
			row.Expiring, row.DaysToEnd = true, d
			flag("warn", p.Sprintf("Expiring: ends in %d days, on %s", d, p.Date(g.EffectiveUntil)))
		}
	case accord.AgreementExpired:
		if days(g.EffectiveUntil) > -90 {
			flag("bad", p.Sprintf("Expired on %s: nothing is shared under it", p.Date(g.EffectiveUntil)))
		}
	}
	if l.Status == accord.AgreementDraft {
		for _, id := range l.Parties {
			if !slices.ContainsFunc(l.Signatories, func(s accord.Signatory) bool { return s.OrganizationID == id }) {
				row.unsignedBy = append(row.unsignedBy, adminOrgName(orgs, id))
			}
		}
		if len(row.unsignedBy) > 0 {
			flag("warn", p.Sprintf("Draft version %d awaits signature by: %s", l.Version, strings.Join(row.unsignedBy, p.Sprintf(", "))))
		} else {

			flag("warn", p.Sprintf("Draft version %d is signed by every party and can be activated", l.Version))
		}
	}
	return row
}

func adminOrgName(orgs map[string]string, id string) string {
	if n, ok := orgs[id]; ok {
		return n
	}
	return id
}

// The list.

type adminAgreementsData struct {
	Nav      []adminLink
	Rows     []adminAgreementRow
	CanDraft bool
}

func (s *Server) requireAgreements(w http.ResponseWriter, r *http.Request, c *enforce.Caller) (bool, error) {
	if err := c.RequireGovernance(adminAgreementRoles...); err != nil {
		p := s.pagePrinter(r)
		return false, s.adminDenied(w, r, c, err,
			p.Sprintf("This page holds the agreements between the organisations: who may share what with whom, for which purposes, and until when."),
			p.Sprintf("Partnership administrators, privacy officers, supervisors and auditors use it; staff of an immigration authority or a law enforcement body never do."))
	}
	return true, nil
}

func (s *Server) adminAgreements(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.requireAgreements(w, r, c); !ok {
		return err
	}
	v := s.newView(r, c, "admin", "Agreements", nil)
	rows, err := s.agreementRows(r, c, v.P)
	if err != nil {
		return err
	}
	v.Data = &adminAgreementsData{Nav: adminNav(v.P, c, "/admin/agreements"), Rows: rows, CanDraft: c.RequireGovernance(adminRoles...) == nil}
	return s.adminRender(w, http.StatusOK, "admin_agreements", v)
}

// One agreement.

type adminAgreementData struct {
	Nav      []adminLink
	Row      adminAgreementRow
	Parties  string          // the parties, in a line
	Next     int             // the number an amendment would have
	Versions []*adminVersion // newest first
	CanAmend bool
	// AmendBlocked says why no new version can be drafted now.
	AmendBlocked string
}

type adminVersion struct {
	accord.Agreement
	Effective accord.AgreementStatus
	Previous  int // the version before, 0 for the first
	// The provisions, in words.
	PartiesText, ProhibitedText, PurposesText, CategoriesText, RolesText, UnsignedText string
	Signed                                                                             []adminSignature
	Unsigned                                                                           []string
	Changes                                                                            []string // from the version before, in words
	Seen                                                                               string   // the version's last change, carried by its forms
	CanSign                                                                            bool
	SignForm                                                                           *form
	Statuses                                                                           []option
	StatusForm                                                                         *form
	Summary                                                                            string
}

type adminSignature struct {
	Org, Name, Title string
	At               time.Time
}

func (s *Server) adminAgreement(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	return s.adminAgreementPage(w, r, c, 0, "", nil, nil)
}

// adminAgreementPage shows an agreement; after a failed sign or status
// form, that form (of version failVersion) is shown with its error.
func (s *Server) adminAgreementPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller, failVersion int, failKind string, f *form, ferr error) error {
	if ok, err := s.requireAgreements(w, r, c); !ok {
		return err
	}
	ctx := r.Context()
	vs, err := s.svc.Agreement(ctx, c, r.PathValue("id"))
	if err != nil {
		return err
	}
	orgs, err := s.orgNames(r, c)
	if err != nil {
		return err
	}
	v := s.newView(r, c, "admin", "Agreement", nil)
	p := v.P
	now := s.now()
	d := &adminAgreementData{Nav: adminNav(p, c, "/admin/agreements"), Row: adminRow(p, vs, orgs, now), Next: vs[len(vs)-1].Version + 1}
	d.Parties = strings.Join(d.Row.Parties, p.Sprintf(", "))
	admin := c.RequireGovernance(adminRoles...) == nil
	canStatus := c.RequireGovernance(adminPolicyEditRoles...) == nil
	canSign := c.RequireGovernance(adminSignRoles...) == nil
	if admin {
		if l := vs[len(vs)-1]; l.Status == accord.AgreementDraft {
			d.AmendBlocked = p.Sprintf("Version %d is still a draft: activate or terminate it before drafting another version.", l.Version)
		} else {
			d.CanAmend = true
		}
	}
	for i := len(vs) - 1; i >= 0; i-- {
		a := vs[i]
		x := &adminVersion{Agreement: a, Effective: a.EffectiveStatus(now), Seen: adminSeen(&a),
			Summary: adminProvisions(p, &a, orgs)}
		var parties, never []string
		for _, id := range a.Parties {
			parties = append(parties, adminOrgName(orgs, id))
			if !slices.ContainsFunc(a.Signatories, func(s accord.Signatory) bool { return s.OrganizationID == id }) {
				x.Unsigned = append(x.Unsigned, adminOrgName(orgs, id))
			}
		}
		for _, id := range a.ProhibitedRecipients {
			never = append(never, adminOrgName(orgs, id))
		}
		comma := p.Sprintf(", ")
		x.PartiesText, x.ProhibitedText, x.UnsignedText = strings.Join(parties, comma), strings.Join(never, comma), strings.Join(x.Unsigned, comma)
		x.PurposesText = adminJoin(p, adminTerms(a.Purposes, i18n.Purpose))
		x.CategoriesText = adminJoin(p, adminTerms(a.Categories, i18n.Category))
		x.RolesText = adminJoin(p, adminTerms(a.Roles, i18n.Role))
		x.Previous = a.Version - 1
		for _, sg := range a.Signatories {
			x.Signed = append(x.Signed, adminSignature{Org: adminOrgName(orgs, sg.OrganizationID), Name: sg.Name, Title: sg.Title, At: sg.SignedAt})
		}
		if i > 0 {
			x.Changes = adminChanges(p, &vs[i-1], &a, orgs)
		}
		party := slices.Contains(a.Parties, c.Staff.OrganizationID)
		signed := slices.ContainsFunc(a.Signatories, func(s accord.Signatory) bool { return s.OrganizationID == c.Staff.OrganizationID })
		if a.Status == accord.AgreementDraft && party && !signed && canSign {
			x.CanSign = true
			x.SignForm = newForm()
			if failKind == "sign" && failVersion == a.Version && f != nil {
				x.SignForm = f
			}
		}
		if canStatus && (party || admin) && x.Effective != accord.AgreementExpired {
			for _, to := range adminTransitions[a.Status] {
				x.Statuses = append(x.Statuses, option{Value: string(to), Label: adminStatusAction(p, to)})
			}
			if len(x.Statuses) > 0 {
				x.StatusForm = newForm()
				if failKind == "status" && failVersion == a.Version && f != nil {
					x.StatusForm = f
				}
			}
		}
		d.Versions = append(d.Versions, x)
	}
	v.Data = d
	status := http.StatusOK
	if ferr != nil {
		status = adminFormStatus(ferr)
		// A stale form: say so at the top too, with the current state below.
		if accord.ErrorCode(ferr) == accord.ECONFLICT {
			v.Form = &form{Error: errorText(p, ferr)}
		}
	}
	return s.adminRender(w, status, "admin_agreement", v)
}

func adminStatusAction(p *i18n.Printer, to accord.AgreementStatus) string {
	switch to {
	case accord.AgreementActive:
		return p.Sprintf("Activate: information may be shared under it from its start date")
	case accord.AgreementSuspended:
		return p.Sprintf("Suspend: stop all sharing under it until it is reactivated")
	case accord.AgreementTerminated:
		return p.Sprintf("Terminate: end it for good")
	}
	return string(to)
}

func adminTerms[T any](xs []T, label func(T) i18n.Term) []i18n.Term {
	out := make([]i18n.Term, len(xs))
	for i, x := range xs {
		out[i] = label(x)
	}
	return out
}

// adminJoin lists terms in the reader's language.
func adminJoin(p *i18n.Printer, ts []i18n.Term) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = p.Sprintf(string(t))
	}
	return strings.Join(out, p.Sprintf(", "))
}

// adminProvisions says in one sentence what a version allows.
func adminProvisions(p *i18n.Printer, a *accord.Agreement, orgs map[string]string) string {
	var parties []string
	for _, id := range a.Parties {
		parties = append(parties, adminOrgName(orgs, id))
	}
	text := p.Sprintf("Between %s, in either direction: %s may be shared for %s, with staff who are %s.",
		strings.Join(parties, p.Sprintf(", ")), adminTerms(a.Categories, i18n.Category), adminTerms(a.Purposes, i18n.Purpose), adminTerms(a.Roles, i18n.Role))
	if len(a.ProhibitedRecipients) > 0 {
		var never []string
		for _, id := range a.ProhibitedRecipients {
			never = append(never, adminOrgName(orgs, id))
		}
		text += " " + p.Sprintf("Never to: %s.", strings.Join(never, p.Sprintf(", ")))
	}
	return text
}

// adminChanges says in words what version b changes from version a.
func adminChanges(p *i18n.Printer, a, b *accord.Agreement, orgs map[string]string) []string {
	var out []string
	if a.Title != b.Title {
		out = append(out, p.Sprintf("New title (was “%s”).", a.Title))
	}
	names := func(ids []string) string {
		var n []string
		for _, id := range ids {
			n = append(n, adminOrgName(orgs, id))
		}
		return strings.Join(n, p.Sprintf(", "))
	}
	if add, del := adminDiff(a.Parties, b.Parties); len(add)+len(del) > 0 {
		if len(add) > 0 {
			out = append(out, p.Sprintf("Adds as a party: %s.", names(add)))
		}
		if len(del) > 0 {
			out = append(out, p.Sprintf("Removes as a party: %s.", names(del)))
		}
	}
	if add, del := adminDiff(a.Categories, b.Categories); len(add)+len(del) > 0 {
		if len(add) > 0 {
			out = append(out, p.Sprintf("Now also shares: %s.", adminTerms(add, i18n.Category)))
		}
		if len(del) > 0 {
			out = append(out, p.Sprintf("No longer shares: %s.", adminTerms(del, i18n.Category)))
		}
	}
	if add, del := adminDiff(a.Purposes, b.Purposes); len(add)+len(del) > 0 {
		if len(add) > 0 {
			out = append(out, p.Sprintf("Adds the purpose: %s.", adminTerms(add, i18n.Purpose)))
		}
		if len(del) > 0 {
			out = append(out, p.Sprintf("Drops the purpose: %s.", adminTerms(del, i18n.Purpose)))
		}
	}
	if add, del := adminDiff(a.Roles, b.Roles); len(add)+len(del) > 0 {
		if len(add) > 0 {
			out = append(out, p.Sprintf("Now also to staff who are: %s.", adminTerms(add, i18n.Role)))
		}
		if len(del) > 0 {
			out = append(out, p.Sprintf("No longer to staff who are: %s.", adminTerms(del, i18n.Role)))
		}
	}
	if add, del := adminDiff(a.ProhibitedRecipients, b.ProhibitedRecipients); len(add)+len(del) > 0 {
		if len(add) > 0 {
			out = append(out, p.Sprintf("Never to: %s (new).", names(add)))
		}
		if len(del) > 0 {
			out = append(out, p.Sprintf("No longer forbids sharing with: %s.", names(del)))
		}
	}
	if a.RetentionDays != b.RetentionDays {
		out = append(out, p.Sprintf("Keeps shared information for %d days (was %d).", b.RetentionDays, a.RetentionDays))
	}
	if !a.EffectiveFrom.Equal(b.EffectiveFrom) || !a.EffectiveUntil.Equal(b.EffectiveUntil) {
		out = append(out, p.Sprintf("In force from %s until %s (was %s until %s).", p.Date(b.EffectiveFrom), p.Date(b.EffectiveUntil),
			p.Date(a.EffectiveFrom), p.Date(a.EffectiveUntil)))
	}
	if !a.ReviewDate.Equal(b.ReviewDate) {
		out = append(out, p.Sprintf("Review date %s (was %s).", p.Date(b.ReviewDate), p.Date(a.ReviewDate)))
	}
	for _, u := range []accord.Urgency{accord.UrgencyUrgent, accord.UrgencyImmediate} {
		if a.EscalationSLA[u] != b.EscalationSLA[u] {
			if b.EscalationSLA[u] == 0 {
				out = append(out, p.Sprintf("No own response time for %s escalations (each organisation's applies).", i18n.Urgency(u)))
			} else {
				out = append(out, p.Sprintf("Response time for %s escalations: %d minutes.", i18n.Urgency(u), b.EscalationSLA[u]))
			}
		}
	}
	if len(out) == 0 {
		out = append(out, p.Sprintf("The provisions are the same as in the version before."))
	}
	return out
}

// adminDiff returns what b adds to a and what it drops.
func adminDiff[T comparable](a, b []T) (add, del []T) {
	for _, x := range b {
		if !slices.Contains(a, x) {
			add = append(add, x)
		}
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			del = append(del, x)
		}
	}
	return add, del
}

// adminVersionNumber reads the {version} of the path.
func adminVersionNumber(r *http.Request) (int, error) {
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || v < 1 || v > 1_000_000 {
		return 0, accord.Errorf(accord.ENOTFOUND, "agreement version not found")
	}
	return v, nil
}

// adminSeen fingerprints what a person changes on a version (its status,
// the reason, the signatures): a form carries it, and a form made before a
// change is refused rather than acted on.
func adminSeen(a *accord.Agreement) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00%d", a.Status, a.StatusReason, len(a.Signatories), a.UpdatedAt.UnixMicro())
	for _, s := range a.Signatories {
		fmt.Fprintf(h, "\x00%s", s.OrganizationID)
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// adminCheckSeen refuses a form made from a version that has changed since.
func (s *Server) adminCheckSeen(r *http.Request, c *enforce.Caller, id string, version int, seen string) error {
	vs, err := s.svc.Agreement(r.Context(), c, id)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(vs, func(a accord.Agreement) bool { return a.Version == version })
	if i < 0 {
		return accord.Errorf(accord.ENOTFOUND, "agreement version not found")
	}
	if seen != adminSeen(&vs[i]) {
		return accord.Errorf(accord.ECONFLICT, "someone else changed this agreement after you opened the page, so nothing was changed. The page now shows the current version; check it and try again.")
	}
	return nil
}

func (s *Server) adminAgreementSign(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	version, err := adminVersionNumber(r)
	if err != nil {
		return err
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		if err := s.adminCheckSeen(r, c, id, version, f.Values.Get("seen")); err != nil {
			return "", err
		}
		if _, err := s.svc.SignAgreement(r.Context(), c, id, version, strings.TrimSpace(f.Values.Get("title"))); err != nil {
			return "", err
		}
		return "/admin/agreements/" + id + "?notice=admin-agreement-signed", nil
	})
	if done {
		return nil
	}
	if adminFailed(s.pagePrinter(r), f, err) {
		if accord.ErrorCode(err) == accord.ECONFLICT {
			f = nil // the current state, with the message at the top
		}
		return s.adminAgreementPage(w, r, c, version, "sign", f, err)
	}
	return err
}

func (s *Server) adminAgreementStatus(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	version, err := adminVersionNumber(r)
	if err != nil {
		return err
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		if err := s.adminCheckSeen(r, c, id, version, f.Values.Get("seen")); err != nil {
			return "", err
		}
		to := accord.AgreementStatus(f.Values.Get("status"))
		switch to {
		case accord.AgreementActive, accord.AgreementSuspended, accord.AgreementTerminated:
		default:
			return "", accord.FieldErrorf("status", "choose what to do with the agreement")
		}
		if _, err := s.svc.SetAgreementStatus(r.Context(), c, id, version, to, strings.TrimSpace(f.Values.Get("reason"))); err != nil {
			return "", err
		}
		return "/admin/agreements/" + id + "?notice=admin-agreement-status", nil
	})
	if done {
		return nil
	}
	if adminFailed(s.pagePrinter(r), f, err) {
		if accord.ErrorCode(err) == accord.ECONFLICT {
			f = nil
		}
		return s.adminAgreementPage(w, r, c, version, "status", f, err)
	}
	return err
}

// Drafting and amending.

type adminAgreementFormData struct {
	Nav        []adminLink
	Amend      bool
	ID         string
	Current    *adminVersion // the version being amended
	Orgs       []option
	Purposes   []option
	Categories []option
	Roles      []option
}

func (s *Server) adminAgreementForm(w http.ResponseWriter, r *http.Request, c *enforce.Caller, amend *accord.Agreement, f *form, ferr error) error {
	ctx := r.Context()
	orgs, err := s.svc.Organizations(ctx, c)
	if err != nil {
		return err
	}
	title := "New agreement"
	if amend != nil {
		title = "Amend an agreement"
	}
	v := s.newView(r, c, "admin", title, nil)
	p := v.P
	d := &adminAgreementFormData{Nav: adminNav(p, c, "/admin/agreements"), Amend: amend != nil}
	names := map[string]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
		d.Orgs = append(d.Orgs, option{Value: o.ID, Label: p.Sprintf("%s (%s)", o.Name, i18n.Sector(o.Sector))})
	}
	for _, x := range accord.Purposes {
		if x != accord.PurposeEmergencyTreatment {
			d.Purposes = append(d.Purposes, option{Value: string(x), Label: p.Sprintf(string(i18n.Purpose(x)))})
		}
	}
	for _, x := range accord.Categories {
		if x != accord.CatLegalPrivilegedNote {
			d.Categories = append(d.Categories, option{Value: string(x), Label: p.Sprintf(string(i18n.Category(x)))})
		}
	}
	d.Roles = s.adminRoleOptions(p)
	if amend != nil {
		d.ID = amend.ID
		d.Current = &adminVersion{Agreement: *amend, Effective: amend.EffectiveStatus(s.now()), Summary: adminProvisions(p, amend, names)}
	}
	if f == nil {
		f = newForm()
		if amend != nil {
			adminFillForm(f, amend)
		} else {
			today := s.now().UTC().Truncate(24 * time.Hour)
			f.Values.Set("effective_from", today.Format(time.DateOnly))
			f.Values.Set("effective_until", today.AddDate(3, 0, 0).Format(time.DateOnly))
			f.Values.Set("review_date", today.AddDate(1, 0, 0).Format(time.DateOnly))
			f.Values.Set("retention_days", "1095")
			for _, o := range orgs {
				if o.Sector.Enforcement() {
					f.Values.Add("prohibited_recipients", o.ID)
				}
			}
		}
	}
	v.Form = f
	v.Data = d
	status := http.StatusOK
	if ferr != nil {
		status = adminFormStatus(ferr)
	}
	return s.adminRender(w, status, "admin_agreement_form", v)
}

func adminFillForm(f *form, a *accord.Agreement) {
	f.Values.Set("title", a.Title)
	for _, x := range a.Parties {
		f.Values.Add("parties", x)
	}
	for _, x := range a.Purposes {
		f.Values.Add("purposes", string(x))
	}
	for _, x := range a.Categories {
		f.Values.Add("categories", string(x))
	}
	for _, x := range a.Roles {
		f.Values.Add("roles", string(x))
	}
	for _, x := range a.ProhibitedRecipients {
		f.Values.Add("prohibited_recipients", x)
	}
	f.Values.Set("retention_days", strconv.Itoa(a.RetentionDays))
	f.Values.Set("effective_from", a.EffectiveFrom.UTC().Format(time.DateOnly))
	f.Values.Set("effective_until", a.EffectiveUntil.UTC().Format(time.DateOnly))
	f.Values.Set("review_date", a.ReviewDate.UTC().Format(time.DateOnly))
	if m := a.EscalationSLA[accord.UrgencyUrgent]; m > 0 {
		f.Values.Set("sla_urgent", strconv.Itoa(m))
	}
	if m := a.EscalationSLA[accord.UrgencyImmediate]; m > 0 {
		f.Values.Set("sla_immediate", strconv.Itoa(m))
	}
	f.Values.Set("based_on", strconv.Itoa(a.Version))
}

// adminReadAgreement reads the agreement form.
func adminReadAgreement(f *form) (*accord.Agreement, error) {
	a := &accord.Agreement{Title: strings.TrimSpace(f.Values.Get("title")), Parties: f.Values["parties"], ProhibitedRecipients: f.Values["prohibited_recipients"]}
	for _, x := range f.Values["purposes"] {
		a.Purposes = append(a.Purposes, accord.Purpose(x))
	}
	for _, x := range f.Values["categories"] {
		a.Categories = append(a.Categories, accord.Category(x))
	}
	for _, x := range f.Values["roles"] {
		a.Roles = append(a.Roles, accord.Role(x))
	}
	if text := strings.TrimSpace(f.Values.Get("retention_days")); text != "" {
		n, ok := adminAtoi(text)
		if !ok {
			return nil, accord.FieldErrorf("retention_days", "retention_days must be between 1 and 36500")
		}
		a.RetentionDays = n
	}
	for _, x := range []struct {
		field string
		to    *time.Time
	}{{"effective_from", &a.EffectiveFrom}, {"effective_until", &a.EffectiveUntil}, {"review_date", &a.ReviewDate}} {
		text := strings.TrimSpace(f.Values.Get(x.field))
		if text == "" {
			continue
		}
		t, ok := adminDate(text)
		if !ok {
			return nil, accord.FieldErrorf(x.field, "enter a date as year-month-day, for example 2027-03-31")
		}
		*x.to = t
	}
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
			return nil, accord.FieldErrorf(x.field, "an escalation time is from 1 minute to 7 days (10080 minutes)")
		}
		if a.EscalationSLA == nil {
			a.EscalationSLA = map[accord.Urgency]int{}
		}
		a.EscalationSLA[x.u] = m
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return a, nil
}

func (s *Server) adminAgreementNew(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.requireAdmin(w, r, c); !ok {
		return err
	}
	return s.adminAgreementForm(w, r, c, nil, nil, nil)
}

func (s *Server) adminAgreementCreate(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.requireAdmin(w, r, c); !ok {
		return err
	}
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		a, err := adminReadAgreement(f)
		if err != nil {
			return "", err
		}
		if err := s.svc.CreateAgreement(r.Context(), c, a); err != nil {
			return "", err
		}
		return "/admin/agreements/" + a.ID + "?notice=admin-agreement-created", nil
	})
	if done {
		return nil
	}
	if adminFailed(s.pagePrinter(r), f, err) {
		adminMoveErr(f, "escalation_sla_minutes", "sla_urgent")
		return s.adminAgreementForm(w, r, c, nil, f, err)
	}
	return err
}

func (s *Server) adminLatest(r *http.Request, c *enforce.Caller) (*accord.Agreement, error) {
	vs, err := s.svc.Agreement(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return &vs[len(vs)-1], nil
}

func (s *Server) adminAgreementAmendForm(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.requireAdmin(w, r, c); !ok {
		return err
	}
	l, err := s.adminLatest(r, c)
	if err != nil {
		return err
	}
	if l.Status == accord.AgreementDraft {
		return accord.Errorf(accord.ECONFLICT, "version %d of this agreement is still a draft: activate or terminate it before drafting another version", l.Version)
	}
	return s.adminAgreementForm(w, r, c, l, nil, nil)
}

func (s *Server) adminAgreementAmend(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.requireAdmin(w, r, c); !ok {
		return err
	}
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	done, err := s.once(w, r, c, f, func() (string, error) {
		l, err := s.adminLatest(r, c)
		if err != nil {
			return "", err
		}
		if f.Values.Get("based_on") != strconv.Itoa(l.Version) {
			return "", accord.Errorf(accord.ECONFLICT, "someone else drafted version %d after you opened this form, so nothing was changed. Open the agreement to see it.", l.Version)
		}
		a, err := adminReadAgreement(f)
		if err != nil {
			return "", err
		}
		a.ID = id
		if err := s.svc.AmendAgreement(r.Context(), c, a); err != nil {
			return "", err
		}
		return "/admin/agreements/" + id + "?notice=admin-agreement-amended", nil
	})
	if done {
		return nil
	}
	if adminFailed(s.pagePrinter(r), f, err) {
		adminMoveErr(f, "escalation_sla_minutes", "sla_urgent")
		l, lerr := s.adminLatest(r, c)
		if lerr != nil {
			return lerr
		}
		return s.adminAgreementForm(w, r, c, l, f, err)
	}
	return err
}

// adminStatusClass colours a status badge (the badge also says the status in words).
func adminStatusClass(st accord.AgreementStatus) string {
	switch st {
	case accord.AgreementActive:
		return "ok"
	case accord.AgreementDraft:
		return "warn"
	case accord.AgreementSuspended, accord.AgreementExpired, accord.AgreementTerminated:
		return "bad"
	}
	return ""
}

// Class is the colour of the row's status badge.
func (a adminAgreementRow) Class() string { return adminStatusClass(a.Status) }

// Class is the colour of the version's status badge.
func (x *adminVersion) Class() string { return adminStatusClass(x.Effective) }
