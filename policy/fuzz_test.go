package policy

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
)

// FuzzDecide builds a partnership from the fuzzer's bytes, one change at a
// time, and checks every decision against a reference implementation that
// applies the rules naively to the domain types, and against the invariants
// that must hold whatever the data:
//
//   - Decide never panics and always obliges an audit;
//   - nothing firewalled crosses to an enforcement-sector organisation
//     without a matching court order in force;
//   - legal_privileged_note never crosses;
//   - local forbid policies never turn a deny into a permit.
//
// Run it with: go test -run '^$' -fuzz FuzzDecide -fuzztime 60s ./policy/
func FuzzDecide(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"))
	f.Add([]byte("accord: agreements and consents, firewall and break-glass"))
	for seed := range 8 {
		b := make([]byte, 512)
		for i := range b {
			b[i] = byte(i*seed*131 + seed*7 + i>>3)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &fuzzInput{data: data}
		s, sl, ref := NewSnapshot(), NewSnapshot(), newRefWorld()
		local := in.localPolicies()
		if err := sl.SetLocalPolicies(local); err != nil {
			t.Fatalf("SetLocalPolicies(%q): %v", local, err)
		}
		// Every organisation exists (most of the time), so that most
		// requests get past rule 1.
		for _, id := range fuzzOrgs[:5] {
			sector := in.sector()
			s.PutOrganization(id, sector)
			sl.PutOrganization(id, sector)
			ref.orgs[id] = sector
		}
		for step := 0; in.more() && step < 200; step++ {
			switch in.intn(10) {
			case 0:
				id, sector := in.org(), in.sector()
				s.PutOrganization(id, sector)
				sl.PutOrganization(id, sector)
				ref.orgs[id] = sector
			case 1, 2:
				a := in.agreement()
				s.PutAgreement(a)
				sl.PutAgreement(a)
				ref.putAgreement(a)
			case 3:
				id := fmt.Sprint("agr_", in.intn(3))
				s.RemoveAgreement(id)
				sl.RemoveAgreement(id)
				ref.removeAgreement(id)
			case 4:
				c := in.consent()
				s.PutConsent(c)
				sl.PutConsent(c)
				ref.putConsent(c)
			case 5:
				b := in.basis()
				s.PutLegalBasis(b)
				sl.PutLegalBasis(b)
				ref.putBasis(b)
			case 6:
				client, team := in.client(), in.team()
				s.SetCareTeam(client, team)
				sl.SetCareTeam(client, team)
				ref.teams[client] = team
			case 7:
				if in.intn(4) == 0 {
					client := in.client()
					s.RemoveClient(client)
					sl.RemoveClient(client)
					ref.removeClient(client)
				}
			default:
				r := in.request()
				checkDecision(t, r, s.Decide(r), ref)
				checkLocal(t, r, s.Decide(r), sl.Decide(r))
			}
		}
	})
}

func checkDecision(t *testing.T, r *accord.Request, d accord.Decision, ref *refWorld) {
	t.Helper()
	if want := ref.decide(r); !cmp.Equal(want, d) {
		t.Fatalf("Decide(%+v) differs from the reference (-want +got):\n%s", *r, cmp.Diff(want, d))
	}
	if !d.Obligations.Has(accord.ObligeAudit) {
		t.Fatalf("Decide(%+v) = %+v: no audit obligation", *r, d)
	}
	if d.Provision != -1 && d.ConsentID == "" {
		t.Fatalf("Decide(%+v) = %+v: a provision without a consent", *r, d)
	}
	if !d.Permitted() || !r.CrossesBoundary() {
		return
	}
	if r.Category == accord.CatLegalPrivilegedNote {
		t.Fatalf("Decide(%+v) = %+v: a privileged note crossed", *r, d)
	}
	if ref.orgs[r.Actor.OrganizationID].Enforcement() && r.Category.Firewalled() {
		ok := slices.ContainsFunc(ref.bases[r.ClientID], func(b *accord.LegalBasis) bool {
			return b.Kind == accord.BasisCourtOrder && b.ID == d.LegalBasisID && b.ClientID == r.ClientID &&
				slices.Contains(b.Categories, r.Category) && b.RecipientOrganizationID == r.Actor.OrganizationID &&
				slices.Contains(b.DefaultPurposes(), r.Purpose) && b.InForce(r.Time)
		})
		if !ok {
			t.Fatalf("Decide(%+v) = %+v: the firewall opened without a court order", *r, d)
		}
	}
}

// checkLocal checks a decision with local policies (dl) against the same
// decision without (d).
func checkLocal(t *testing.T, r *accord.Request, d, dl accord.Decision) {
	t.Helper()
	switch {
	case !d.Permitted() && !cmp.Equal(d, dl):
		t.Fatalf("Decide(%+v): local policies changed a deny (-without +with):\n%s", *r, cmp.Diff(d, dl))
	case dl.Permitted() && !cmp.Equal(d, dl):
		t.Fatalf("Decide(%+v): local policies changed a permit (-without +with):\n%s", *r, cmp.Diff(d, dl))
	case d.Permitted() && !dl.Permitted() && (dl.Reason != accord.ReasonLocalPolicy || dl.PolicyID == ""):
		t.Fatalf("Decide(%+v): local policies denied without naming a policy: %+v", *r, dl)
	}
}

// fuzzInput draws choices from the fuzzer's bytes, and zeros once they run out.
type fuzzInput struct {
	data []byte
}

func (in *fuzzInput) more() bool { return len(in.data) > 0 }

func (in *fuzzInput) byte() byte {
	if len(in.data) == 0 {
		return 0
	}
	b := in.data[0]
	in.data = in.data[1:]
	return b
}

func (in *fuzzInput) intn(n int) int { return int(in.byte()) % n }

// subset returns the elements of all picked by one byte's bits (at most 8).
func subset[T any](in *fuzzInput, all []T) []T {
	bits := in.byte()
	var out []T
	for i, x := range all {
		if i < 8 && bits&(1<<i) != 0 {
			out = append(out, x)
		}
	}
	return out
}

func pick[T any](in *fuzzInput, all []T) T { return all[in.intn(len(all))] }

var fuzzOrgs = []string{"org_0", "org_1", "org_2", "org_3", "org_4", "org_5"}

func (in *fuzzInput) org() string { return pick(in, fuzzOrgs) }

// sector is biased towards the enforcement sectors, where the firewall is.
func (in *fuzzInput) sector() accord.Sector {
	return pick(in, append(slices.Clip(accord.Sectors), accord.SectorImmigrationAuthority, accord.SectorLawEnforcement))
}

func (in *fuzzInput) client() string { return fmt.Sprint("cli_", in.intn(3)) }

func (in *fuzzInput) staffID() string { return fmt.Sprint("stf_", in.intn(4)) }

func (in *fuzzInput) team() []string {
	return subset(in, []string{"stf_0", "stf_1", "stf_2", "stf_3"})
}

// time returns one of a few instants, six hours apart, so that boundaries
// are hit exactly.
func (in *fuzzInput) time() time.Time {
	return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(in.intn(12)) * 6 * time.Hour)
}

// optTime returns nil (an open end) three times in four.
func (in *fuzzInput) optTime() *time.Time {
	if in.intn(4) != 0 {
		return nil
	}
	return ptr(in.time())
}

func (in *fuzzInput) categories() []accord.Category {
	// Nine categories, one byte: the last is added by a second choice.
	cs := subset(in, accord.Categories)
	if in.intn(4) == 0 {
		cs = append(cs, accord.Categories[8])
	}
	return cs
}

func (in *fuzzInput) purposes() []accord.Purpose { return subset(in, accord.Purposes[:8]) }

func (in *fuzzInput) roles() []accord.Role { return subset(in, accord.Roles[:8]) }

func (in *fuzzInput) agreement() *accord.Agreement {
	a := &accord.Agreement{
		ID:                   fmt.Sprint("agr_", in.intn(3)),
		Version:              1 + in.intn(3),
		Status:               pick(in, []accord.AgreementStatus{accord.AgreementActive, accord.AgreementActive, accord.AgreementActive, accord.AgreementDraft, accord.AgreementSuspended, accord.AgreementExpired}),
		Parties:              append(subset(in, fuzzOrgs), in.org(), in.org()),
		Purposes:             append(in.purposes(), accord.PurposeCoordination),
		Categories:           append(in.categories(), pick(in, accord.Categories)),
		Roles:                append(in.roles(), pick(in, []accord.Role{accord.RoleCaseworker, accord.RoleClinician, accord.RoleAuditor})),
		EffectiveFrom:        in.time(),
		ProhibitedRecipients: subset(in, fuzzOrgs[:4]),
	}
	// Mostly a period that has a length; now and then an empty or inverted one.
	a.EffectiveUntil = a.EffectiveFrom.Add(time.Duration(in.intn(16)-2) * 6 * time.Hour)
	if in.intn(2) == 0 {
		a.EffectiveFrom = time.Time{}
	}
	if in.intn(2) == 0 {
		a.EffectiveUntil = a.EffectiveUntil.Add(100 * 6 * time.Hour)
	}
	if in.intn(4) == 0 {
		a.ProhibitedRecipients = nil
	}
	return a
}

func (in *fuzzInput) consent() *accord.Consent {
	c := &accord.Consent{
		ID:       fmt.Sprint("cns_", in.intn(4)),
		ClientID: in.client(),
		Status:   pick(in, []accord.ConsentStatus{accord.ConsentActive, accord.ConsentActive, accord.ConsentActive, accord.ConsentRevoked}),
		Start:    in.time(),
		End:      in.optTime(),
	}
	if in.intn(2) == 0 {
		c.Start = time.Time{}
	}
	for range 1 + in.intn(3) {
		c.Provisions = append(c.Provisions, accord.Provision{
			Type:          pick(in, []accord.ProvisionType{accord.ProvisionPermit, accord.ProvisionPermit, accord.ProvisionDeny, "maybe"}),
			Organizations: subset(in, fuzzOrgs),
			Sectors:       subset(in, accord.Sectors),
			Purposes:      in.purposes(),
			Categories:    in.categories(),
			Sensitivity:   subset(in, accord.Sensitivities),
			Start:         in.optTime(),
			End:           in.optTime(),
		})
	}
	return c
}

func (in *fuzzInput) basis() *accord.LegalBasis {
	b := &accord.LegalBasis{
		ID:                      fmt.Sprint("lgb_", in.intn(4)),
		Kind:                    pick(in, accord.LegalBasisKinds),
		ClientID:                in.client(),
		Categories:              in.categories(),
		RecipientOrganizationID: in.org(),
		RecipientStaffID:        in.staffID(),
		Purposes:                subset(in, []accord.Purpose{accord.PurposeLegal, accord.PurposeEmergencyTreatment, accord.PurposeCoordination, accord.PurposeTreatment}),
		ValidFrom:               in.time(),
	}
	b.ExpiresAt = b.ValidFrom.Add(time.Duration(in.intn(16)-2) * 6 * time.Hour)
	return b
}

// request returns a request, now and then one that is malformed or names
// an organisation the snapshot does not know.
func (in *fuzzInput) request() *accord.Request {
	r := &accord.Request{
		Actor: accord.Actor{
			StaffID:        in.staffID(),
			OrganizationID: pick(in, fuzzOrgs[:5]),
			Roles:          accord.RoleSet(in.byte()) | accord.RoleSet(in.intn(4))<<8,
		},
		ClientID:    in.client(),
		HolderID:    pick(in, fuzzOrgs[:5]),
		Category:    pick(in, append(slices.Clip(accord.Categories), accord.CatLegalPrivilegedNote, accord.CatImmigrationStatus)),
		Purpose:     pick(in, append(slices.Clip(accord.Purposes), accord.PurposeEmergencyTreatment, accord.PurposeCoordination)),
		Sensitivity: pick(in, []accord.SensitivitySet{0, 0, 0, 1, 2, accord.SensitivitySet(in.byte()) & allSensitivities}),
		Time:        in.time(),
	}
	if in.intn(4) == 0 {
		r.HolderID = r.Actor.OrganizationID
	}
	if in.intn(8) == 0 {
		r.Actor.Sector = in.sector()
	}
	if in.intn(4) == 0 {
		switch in.intn(8) {
		case 0:
			r.Actor.OrganizationID = pick(in, []string{fuzzOrgs[5], "org_x"})
		case 1:
			r.HolderID = pick(in, []string{fuzzOrgs[5], "org_x"})
		case 2:
			r.ClientID = ""
		case 3:
			r.Category = "bogus"
		case 4:
			r.Purpose = "bogus"
		case 5:
			r.Sensitivity = 1 << (6 + in.intn(10))
		case 6:
			r.Actor.Roles |= accord.RoleSet(1) << (10 + in.intn(22))
		case 7:
			r.Actor.StaffID = ""
		}
	}
	return r
}

// localPolicies returns some forbid policies, one of which always fails to
// evaluate when chosen.
func (in *fuzzInput) localPolicies() string {
	return strings.Join(subset(in, []string{
		`forbid (principal, action, resource) when { resource.category == "contact" };`,
		`forbid (principal, action, resource) when { context.crosses_boundary && context.purpose == "COC" };`,
		`forbid (principal, action, resource) when { resource.sensitivity.contains("HIV") };`,
		`forbid (principal, action, resource) when { principal.roles.contains("clinician") && context.reason == "break_glass" };`,
		`forbid (principal, action, resource) when { principal.sector == "law_enforcement" };`,
		`forbid (principal, action, resource) when { false };`,
		`forbid (principal, action, resource) when { principal.missing == "attribute" };`,
	}), "\n")
}

// refWorld is the reference implementation: the rules applied the obvious
// way to the domain types, with their own InForce methods and no indexes.
// Consents and legal bases are kept per client in the order they were first
// put, which is the order Decide searches them in.
type refWorld struct {
	orgs       map[string]accord.Sector
	agreements map[[2]any]*accord.Agreement
	consents   map[string][]*accord.Consent
	bases      map[string][]*accord.LegalBasis
	teams      map[string][]string
}

func newRefWorld() *refWorld {
	return &refWorld{
		orgs:       map[string]accord.Sector{},
		agreements: map[[2]any]*accord.Agreement{},
		consents:   map[string][]*accord.Consent{},
		bases:      map[string][]*accord.LegalBasis{},
		teams:      map[string][]string{},
	}
}

func (w *refWorld) putAgreement(a *accord.Agreement) { w.agreements[[2]any{a.ID, a.Version}] = a }

func (w *refWorld) removeAgreement(id string) {
	for k := range w.agreements {
		if k[0] == id {
			delete(w.agreements, k)
		}
	}
}

func (w *refWorld) putConsent(c *accord.Consent) {
	cs := w.consents[c.ClientID]
	i := slices.IndexFunc(cs, func(x *accord.Consent) bool { return x.ID == c.ID })
	switch {
	case c.Status != accord.ConsentActive && i >= 0:
		cs = slices.Delete(cs, i, i+1)
	case c.Status != accord.ConsentActive:
	case i >= 0:
		cs[i] = c
	default:
		cs = append(cs, c)
	}
	w.consents[c.ClientID] = cs
}

func (w *refWorld) putBasis(b *accord.LegalBasis) {
	bs := w.bases[b.ClientID]
	if i := slices.IndexFunc(bs, func(x *accord.LegalBasis) bool { return x.ID == b.ID }); i >= 0 {
		bs[i] = b
	} else {
		bs = append(bs, b)
	}
	w.bases[b.ClientID] = bs
}

func (w *refWorld) removeClient(id string) {
	delete(w.consents, id)
	delete(w.bases, id)
	delete(w.teams, id)
}

func (w *refWorld) decide(r *accord.Request) accord.Decision {
	org, cat, purpose := r.Actor.OrganizationID, r.Category, r.Purpose
	if !cat.Valid() || !purpose.Valid() || r.ClientID == "" || r.Actor.StaffID == "" ||
		!accord.NewSensitivitySet(accord.Sensitivities...).Covers(r.Sensitivity) {
		return denied(accord.ReasonDefaultDeny)
	}
	sector, ok := w.orgs[org]
	if !ok || r.Actor.Sector != "" && r.Actor.Sector != sector {
		return denied(accord.ReasonDefaultDeny)
	}
	if org == r.HolderID {
		return w.decideWithin(r)
	}
	if _, ok := w.orgs[r.HolderID]; !ok {
		return denied(accord.ReasonDefaultDeny)
	}
	if cat == accord.CatLegalPrivilegedNote {
		return denied(accord.ReasonPrivileged)
	}
	names := func(b *accord.LegalBasis) bool {
		return slices.Contains(b.Categories, cat) && b.RecipientOrganizationID == org &&
			slices.Contains(b.DefaultPurposes(), purpose) && b.InForce(r.Time)
	}
	if sector.Enforcement() && cat.Firewalled() {
		for _, b := range w.bases[r.ClientID] {
			if b.Kind == accord.BasisCourtOrder && names(b) {
				return with(permitted(accord.ReasonCourtOrder, accord.ObligeAudit|accord.ObligeReview|accord.ObligeNotify),
					func(d *accord.Decision) { d.LegalBasisID = b.ID })
			}
		}
		return denied(accord.ReasonFirewall)
	}
	for _, b := range w.bases[r.ClientID] {
		reason := map[accord.LegalBasisKind]accord.Reason{accord.BasisCourtOrder: accord.ReasonCourtOrder, accord.BasisStatutoryDuty: accord.ReasonStatutoryDuty}[b.Kind]
		if reason != "" && names(b) {
			return with(permitted(reason, accord.ObligeAudit|accord.ObligeReview), func(d *accord.Decision) { d.LegalBasisID = b.ID })
		}
	}
	if purpose == accord.PurposeEmergencyTreatment {
		if d, ok := w.breakGlass(r); ok {
			return d
		}
		return denied(accord.ReasonBreakGlassRequired)
	}

	var covering []*accord.Agreement
	for _, a := range w.agreements {
		if a.InForce(r.Time) && slices.Contains(a.Parties, org) && slices.Contains(a.Parties, r.HolderID) &&
			slices.Contains(a.Purposes, purpose) && slices.Contains(a.Categories, cat) &&
			accord.NewRoleSet(a.Roles...).Any(r.Actor.Roles) {
			covering = append(covering, a)
		}
	}
	slices.SortFunc(covering, func(a, b *accord.Agreement) int {
		if a.ID != b.ID {
			return cmpString(a.ID, b.ID)
		}
		return b.Version - a.Version
	})
	i := slices.IndexFunc(covering, func(a *accord.Agreement) bool { return !slices.Contains(a.ProhibitedRecipients, org) })
	if i < 0 {
		if len(covering) > 0 {
			return with(denied(accord.ReasonProhibitedRecipient), func(d *accord.Decision) {
				d.AgreementID, d.AgreementVersion = covering[0].ID, covering[0].Version
			})
		}
		return denied(accord.ReasonNoAgreement)
	}
	agreement := covering[i]

	type hit struct {
		consent   string
		provision int
	}
	var permits, shortfalls []hit
	for _, c := range w.consents[r.ClientID] {
		if !c.InForce(r.Time) {
			continue
		}
		for j, p := range c.Provisions {
			if p.Start != nil && r.Time.Before(*p.Start) || p.End != nil && !r.Time.Before(*p.End) {
				continue
			}
			switch p.Type {
			case accord.ProvisionDeny:
				if (len(p.Organizations) == 0 && len(p.Sectors) == 0 || slices.Contains(p.Organizations, org) || slices.Contains(p.Sectors, sector)) &&
					(len(p.Purposes) == 0 || slices.Contains(p.Purposes, purpose)) &&
					(len(p.Categories) == 0 || slices.Contains(p.Categories, cat)) {
					return with(denied(accord.ReasonConsentDenies), func(d *accord.Decision) { d.ConsentID, d.Provision = c.ID, j })
				}
			case accord.ProvisionPermit:
				if (slices.Contains(p.Organizations, org) || slices.Contains(p.Sectors, sector)) &&
					slices.Contains(p.Purposes, purpose) && slices.Contains(p.Categories, cat) {
					if accord.NewSensitivitySet(p.Sensitivity...).Covers(r.Sensitivity) {
						permits = append(permits, hit{c.ID, j})
					} else {
						shortfalls = append(shortfalls, hit{c.ID, j})
					}
				}
			}
		}
	}
	switch {
	case len(permits) > 0:
		return consentDecision(agreement.ID, agreement.Version, permits[0].consent, permits[0].provision)
	case len(shortfalls) > 0:
		return with(denied(accord.ReasonSensitivity), func(d *accord.Decision) {
			d.ConsentID, d.Provision = shortfalls[0].consent, shortfalls[0].provision
		})
	}
	return denied(accord.ReasonNoConsent)
}

func (w *refWorld) decideWithin(r *accord.Request) accord.Decision {
	cat := r.Category
	granted := slices.ContainsFunc(r.Actor.Roles.List(), func(role accord.Role) bool {
		return slices.Contains(RoleCategories[role], cat)
	})
	var reason accord.Reason
	switch {
	case cat == accord.CatLegalPrivilegedNote && !r.Actor.Roles.Has(accord.RoleLegalAdvocate):
		reason = accord.ReasonPrivileged
	case !granted:
		reason = accord.ReasonRoleNotPermitted
	case !slices.Contains(CareTeamCategories, cat):
		return permitted(accord.ReasonSameOrgRole, accord.ObligeAudit)
	case slices.Contains(w.teams[r.ClientID], r.Actor.StaffID):
		return permitted(accord.ReasonSameOrgCareTeam, accord.ObligeAudit)
	default:
		reason = accord.ReasonNotOnCareTeam
	}
	if r.Purpose == accord.PurposeEmergencyTreatment {
		if d, ok := w.breakGlass(r); ok {
			return d
		}
	}
	return denied(reason)
}

func (w *refWorld) breakGlass(r *accord.Request) (accord.Decision, bool) {
	if !r.Actor.Roles.Has(accord.RoleClinician) || !r.Category.Clinical() {
		return accord.Decision{}, false
	}
	for _, b := range w.bases[r.ClientID] {
		if b.Kind == accord.BasisEmergency && b.RecipientStaffID == r.Actor.StaffID &&
			b.RecipientOrganizationID == r.Actor.OrganizationID && slices.Contains(b.Categories, r.Category) &&
			slices.Contains(b.DefaultPurposes(), accord.PurposeEmergencyTreatment) && b.InForce(r.Time) {
			return with(permitted(accord.ReasonBreakGlass, accord.ObligeAudit|accord.ObligeReview|accord.ObligeNotify),
				func(d *accord.Decision) { d.LegalBasisID = b.ID }), true
		}
	}
	return accord.Decision{}, false
}
