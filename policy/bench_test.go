package policy

// BenchmarkDecision compares the Snapshot with the same rules written in
// Cedar (cedar-go, testdata/bench.cedar) and in Rego (OPA,
// testdata/bench.rego), over the same generated partnership and the same
// requests. TestBenchImplementationsAgree checks, on a smaller partnership,
// that the three return the very same Decision for every request, and each
// sub-benchmark checks the first requests again at full size before it is
// timed, so that the three do equal work.
//
//	go test -run '^$' -bench BenchmarkDecision -benchtime 2s -timeout 60m ./policy/

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cedar-policy/cedar-go"
	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/accord-project/accord"
)

// benchSize is the size of a generated partnership.
type benchSize struct {
	orgs, agreements, consents, requests int
}

var (
	fullSize  = benchSize{orgs: 200, agreements: 10_000, consents: 1_000_000, requests: 1 << 16}
	smallSize = benchSize{orgs: 40, agreements: 600, consents: 20_000, requests: 6_000}
)

var benchNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// benchWorld is a generated partnership and a mix of requests about it.
type benchWorld struct {
	orgs       []string
	sectors    map[string]accord.Sector
	staff      map[string][]accord.Actor // by organisation
	agreements []*accord.Agreement
	clients    []string
	home       map[string]string // client → holder
	consents   []*accord.Consent // grouped by client, in client order
	bases      []*accord.LegalBasis
	teams      map[string][]string
	requests   []*accord.Request
}

var sectorMix = []struct {
	sector accord.Sector
	share  float64
	roles  []accord.Role // the staff of such an organisation, first ten
}{
	{accord.SectorHealth, 0.25, []accord.Role{accord.RoleClinician, accord.RoleClinician, accord.RoleClinician, accord.RoleClinician, accord.RoleNavigator, accord.RoleNavigator, accord.RoleNavigator, accord.RoleInterpreter, accord.RoleSupervisor, accord.RolePrivacyOfficer}},
	{accord.SectorLegal, 0.20, []accord.Role{accord.RoleLegalAdvocate, accord.RoleLegalAdvocate, accord.RoleLegalAdvocate, accord.RoleLegalAdvocate, accord.RoleLegalAdvocate, accord.RoleNavigator, accord.RoleNavigator, accord.RoleInterpreter, accord.RoleSupervisor, accord.RolePrivacyOfficer}},
	{accord.SectorSocial, 0.20, []accord.Role{accord.RoleSocialWorker, accord.RoleSocialWorker, accord.RoleSocialWorker, accord.RoleSocialWorker, accord.RoleSocialWorker, accord.RoleNavigator, accord.RoleNavigator, accord.RoleInterpreter, accord.RoleSupervisor, accord.RolePrivacyOfficer}},
	{accord.SectorCivilSociety, 0.20, []accord.Role{accord.RoleNavigator, accord.RoleNavigator, accord.RoleNavigator, accord.RoleNavigator, accord.RoleClinician, accord.RoleClinician, accord.RoleLegalAdvocate, accord.RoleInterpreter, accord.RoleSupervisor, accord.RolePartnershipAdmin}},
	{accord.SectorImmigrationAuthority, 0.05, []accord.Role{accord.RoleCaseworker, accord.RoleCaseworker, accord.RoleCaseworker, accord.RoleCaseworker, accord.RoleCaseworker, accord.RoleCaseworker, accord.RoleCaseworker, accord.RoleCaseworker, accord.RoleSupervisor, accord.RolePrivacyOfficer}},
	{accord.SectorLawEnforcement, 0.05, []accord.Role{accord.RoleCaseworker, accord.RoleCaseworker, accord.RoleCaseworker, accord.RoleCaseworker, accord.RoleCaseworker, accord.RoleCaseworker, accord.RoleCaseworker, accord.RoleCaseworker, accord.RoleSupervisor, accord.RolePrivacyOfficer}},
	{accord.SectorOversight, 0.05, []accord.Role{accord.RoleAuditor, accord.RoleAuditor, accord.RoleAuditor, accord.RoleAuditor, accord.RoleAuditor, accord.RoleAuditor, accord.RoleAuditor, accord.RoleAuditor, accord.RolePrivacyOfficer, accord.RolePrivacyOfficer}},
}

// mainRoles are the roles that receive data in an agreement, by sector of the recipient.
var mainRoles = map[accord.Sector][]accord.Role{
	accord.SectorHealth:               {accord.RoleClinician, accord.RoleNavigator},
	accord.SectorLegal:                {accord.RoleLegalAdvocate, accord.RoleNavigator},
	accord.SectorSocial:               {accord.RoleSocialWorker, accord.RoleNavigator},
	accord.SectorCivilSociety:         {accord.RoleNavigator, accord.RoleClinician, accord.RoleLegalAdvocate},
	accord.SectorImmigrationAuthority: {accord.RoleCaseworker},
	accord.SectorLawEnforcement:       {accord.RoleCaseworker},
	accord.SectorOversight:            {accord.RoleAuditor},
}

var (
	agreementPurposes = []accord.Purpose{
		accord.PurposeTreatment, accord.PurposeCoordination, accord.PurposePublicHealth, accord.PurposeResearch,
		accord.PurposePatientRequest, accord.PurposeLegal, accord.PurposeLegalAid, accord.PurposeSocialCare, accord.PurposeOversight,
	}
	shareable = slices.DeleteFunc(slices.Clone(accord.Categories), func(c accord.Category) bool { return c == accord.CatLegalPrivilegedNote })
)

func some[T any](rng *rand.Rand, all []T, lo, hi int) []T {
	n := lo + rng.IntN(hi-lo+1)
	out := slices.Clone(all)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:min(n, len(out))]
}

func one[T any](rng *rand.Rand, all []T) T { return all[rng.IntN(len(all))] }

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// newBenchWorld generates a partnership of the given size, the same for the
// same seed.
func newBenchWorld(size benchSize, seed uint64) *benchWorld {
	rng := rand.New(rand.NewPCG(seed, 1))
	w := &benchWorld{sectors: map[string]accord.Sector{}, staff: map[string][]accord.Actor{}, home: map[string]string{}, teams: map[string][]string{}}

	// Organisations and their staff.
	bySector := map[accord.Sector][]string{}
	for _, m := range sectorMix {
		for range max(1, int(m.share*float64(size.orgs))) {
			id := fmt.Sprintf("org_%03d", len(w.orgs))
			w.orgs = append(w.orgs, id)
			w.sectors[id] = m.sector
			bySector[m.sector] = append(bySector[m.sector], id)
			for i, role := range m.roles {
				w.staff[id] = append(w.staff[id], accord.Actor{
					StaffID: fmt.Sprintf("stf_%s_%d", id[4:], i), OrganizationID: id, Roles: accord.NewRoleSet(role),
				})
			}
		}
	}
	var serving []string // organisations that hold clients
	for _, s := range []accord.Sector{accord.SectorHealth, accord.SectorLegal, accord.SectorSocial, accord.SectorCivilSociety} {
		serving = append(serving, bySector[s]...)
	}
	enforcement := append(slices.Clone(bySector[accord.SectorImmigrationAuthority]), bySector[accord.SectorLawEnforcement]...)

	// Agreements: mostly bilateral between serving organisations, some with
	// enforcement and oversight bodies, some multilateral; one to three
	// versions each, of which only the latest may be active.
	type partner struct {
		org string
		a   *accord.Agreement
	}
	partners := map[string][]partner{}
	for n := 0; len(w.agreements) < size.agreements; n++ {
		var parties []string
		switch x := rng.Float64(); {
		case x < 0.08:
			parties = []string{one(rng, serving), one(rng, enforcement)}
		case x < 0.12:
			parties = []string{one(rng, serving), one(rng, bySector[accord.SectorOversight])}
		case x < 0.25:
			parties = some(rng, serving, 3, 5)
		default:
			parties = some(rng, serving, 2, 2)
		}
		parties = slices.Compact(slices.Sorted(slices.Values(parties)))
		if len(parties) < 2 {
			continue
		}
		var roles []accord.Role
		for _, p := range parties {
			roles = append(roles, mainRoles[w.sectors[p]]...)
		}
		roles = some(rng, slices.Compact(slices.Sorted(slices.Values(roles))), 1, 3)
		base := &accord.Agreement{
			ID: fmt.Sprintf("agr_%05d", n), Title: "data sharing", Parties: parties,
			Purposes: some(rng, agreementPurposes, 1, 3), Categories: some(rng, shareable, 2, 6), Roles: roles,
			RetentionDays: 365,
		}
		if len(parties) > 2 && rng.IntN(10) == 0 {
			base.ProhibitedRecipients = []string{one(rng, parties)}
		}
		versions := min(1+rng.IntN(3), size.agreements-len(w.agreements))
		from := benchNow.Add(-days(100 + rng.IntN(700)))
		for v := 1; v <= versions; v++ {
			a := *base
			a.Version = v
			a.EffectiveFrom = from
			a.EffectiveUntil = from.Add(days(365 * (1 + rng.IntN(3))))
			a.ReviewDate = a.EffectiveUntil.Add(-days(30))
			switch {
			case v < versions:
				a.Status = accord.AgreementSuperseded
				a.Purposes = some(rng, agreementPurposes, 1, 3)
			default:
				a.Status = one(rng, []accord.AgreementStatus{
					accord.AgreementActive, accord.AgreementActive, accord.AgreementActive, accord.AgreementActive, accord.AgreementActive,
					accord.AgreementActive, accord.AgreementActive, accord.AgreementActive, accord.AgreementSuspended, accord.AgreementDraft,
				})
			}
			from = from.Add(days(60 + rng.IntN(200)))
			w.agreements = append(w.agreements, &a)
			if a.Status == accord.AgreementActive && a.InForce(benchNow) {
				for _, x := range parties {
					for _, y := range parties {
						if x != y {
							partners[x] = append(partners[x], partner{y, &a})
						}
					}
				}
			}
		}
	}

	// Clients with two consents each: one naming partners of the client's
	// organisation (so that many requests find agreement and consent), one
	// sector-wide, with a deny, or for sensitive data.
	end := func() *time.Time { return ptr(benchNow.Add(-days(1 + rng.IntN(90)))) }
	var denying []*accord.Consent
	// via records the agreement each provision was written along, so that
	// requests can follow it: "cns_…/i" → partner and agreement.
	via := map[string]partner{}
	for i := 0; len(w.consents) < size.consents; i++ {
		id := fmt.Sprintf("cli_%07d", i)
		holder := one(rng, serving)
		w.clients = append(w.clients, id)
		w.home[id] = holder
		w.teams[id] = []string{one(rng, w.staff[holder]).StaffID, one(rng, w.staff[holder]).StaffID}
		ps := partners[holder]
		// add appends a provision to c, written along p when p.a is set.
		add := func(c *accord.Consent, pv accord.Provision, p partner) {
			if p.a != nil {
				via[fmt.Sprintf("%s/%d", c.ID, len(c.Provisions))] = p
			}
			c.Provisions = append(c.Provisions, pv)
		}
		permitTo := func() (accord.Provision, partner) {
			if len(ps) == 0 {
				return accord.Provision{Type: accord.ProvisionPermit, Organizations: []string{one(rng, w.orgs)},
					Purposes: some(rng, agreementPurposes, 1, 2), Categories: some(rng, shareable, 1, 3)}, partner{}
			}
			p := one(rng, ps)
			return accord.Provision{Type: accord.ProvisionPermit, Organizations: []string{p.org},
				Purposes: some(rng, p.a.Purposes, 1, 2), Categories: some(rng, p.a.Categories, 1, 4)}, p
		}
		first := &accord.Consent{
			ID: fmt.Sprintf("cns_%07d", len(w.consents)), ClientID: id, Status: accord.ConsentActive,
			Start: benchNow.Add(-days(1 + rng.IntN(400))), Method: accord.MethodWritten, Language: "en",
		}
		for range 1 + rng.IntN(3) {
			pv, along := permitTo()
			add(first, pv, along)
		}
		second := &accord.Consent{
			ID: fmt.Sprintf("cns_%07d", len(w.consents)+1), ClientID: id, Status: accord.ConsentActive,
			Start: benchNow.Add(-days(1 + rng.IntN(400))), Method: accord.MethodVerbalInterpreter, Language: "ar",
		}
		switch x := rng.Float64(); {
		case x < 0.45:
			p, along := permitTo()
			p.Sectors, p.Organizations = []accord.Sector{w.sectors[p.Organizations[0]]}, nil
			add(second, p, along)
		case x < 0.70:
			pv, along := permitTo()
			add(second, pv, along)
			if rng.IntN(3) == 0 { // the client's most common ask: never the police or immigration
				add(second, accord.Provision{Type: accord.ProvisionDeny, Sectors: []accord.Sector{accord.SectorImmigrationAuthority, accord.SectorLawEnforcement}}, partner{})
			} else if _, along := permitTo(); along.a == nil || rng.IntN(2) == 0 {
				add(second, accord.Provision{Type: accord.ProvisionDeny, Organizations: []string{along.org}}, along)
			} else {
				add(second, accord.Provision{Type: accord.ProvisionDeny, Categories: some(rng, along.a.Categories, 1, 1), Purposes: some(rng, along.a.Purposes, 0, 1)}, along)
			}
			denying = append(denying, second)
		default:
			p, along := permitTo()
			p.Categories = append(slices.Clip(p.Categories), accord.CatClinicalSummary)
			p.Sensitivity = some(rng, accord.Sensitivities, 1, 2)
			p.End = ptr(benchNow.Add(days(rng.IntN(300) - 30)))
			add(second, p, along)
		}
		for _, c := range []*accord.Consent{first, second} {
			switch rng.IntN(20) {
			case 0:
				c.Status, c.RevokedAt = accord.ConsentRevoked, end()
			case 1:
				c.End = end()
			}
		}
		w.consents = append(w.consents, first, second)
	}

	// Legal bases: court orders (mostly to enforcement bodies), statutory
	// duties, and emergency accesses by clinicians.
	nb := max(30, size.consents/200)
	var orders, duties, glass []*accord.LegalBasis
	for i := range nb {
		b := &accord.LegalBasis{
			ID: fmt.Sprintf("lgb_%06d", i), ClientID: one(rng, w.clients), Reason: "recorded",
			ValidFrom: benchNow.Add(-days(30)), ExpiresAt: benchNow.Add(days(60)),
		}
		if rng.IntN(5) == 0 {
			b.ExpiresAt = benchNow.Add(-days(1))
		}
		switch i % 5 {
		case 0, 1, 2:
			b.Kind, b.Issuer, b.Reference = accord.BasisCourtOrder, "court", "case"
			b.RecipientOrganizationID = one(rng, enforcement)
			if rng.IntN(4) == 0 {
				b.RecipientOrganizationID = one(rng, w.orgs)
			}
			b.Categories = some(rng, []accord.Category{accord.CatImmigrationStatus, accord.CatClinicalSummary, accord.CatLegalMatter, accord.CatContact}, 1, 2)
			orders = append(orders, b)
		case 3:
			b.Kind, b.Reference = accord.BasisStatutoryDuty, "statute"
			b.RecipientOrganizationID = one(rng, bySector[accord.SectorSocial])
			b.Categories = some(rng, []accord.Category{accord.CatSocialNeeds, accord.CatScreening, accord.CatContact}, 1, 2)
			b.Purposes = []accord.Purpose{accord.PurposeSocialCare}
			duties = append(duties, b)
		case 4:
			org := one(rng, bySector[accord.SectorHealth])
			b.Kind = accord.BasisEmergency
			b.RecipientOrganizationID, b.RecipientStaffID = org, w.staff[org][rng.IntN(4)].StaffID // a clinician
			b.Categories = some(rng, []accord.Category{accord.CatClinicalSummary, accord.CatClinicalNote}, 1, 2)
			b.ValidFrom, b.ExpiresAt = benchNow.Add(-time.Hour), benchNow.Add(3*time.Hour)
			if rng.IntN(4) == 0 {
				b.ValidFrom, b.ExpiresAt = benchNow.Add(-days(2)), benchNow.Add(-days(2)+4*time.Hour)
			}
			glass = append(glass, b)
		}
		w.bases = append(w.bases, b)
	}

	// The request mix.
	staffOf := func(org string) accord.Actor { return one(rng, w.staff[org]) }
	// follow returns staff of p's organisation in a role p's agreement
	// covers, and a category and purpose from the provision, mostly.
	follow := func(r *accord.Request, p partner, pv accord.Provision) {
		r.Actor = staffOf(p.org)
		for range 10 {
			if r.Actor.Roles.Any(accord.NewRoleSet(p.a.Roles...)) {
				break
			}
			r.Actor = staffOf(p.org)
		}
		r.Category, r.Purpose = one(rng, p.a.Categories), one(rng, p.a.Purposes)
		if len(pv.Categories) > 0 && rng.IntN(8) != 0 {
			r.Category = one(rng, pv.Categories)
		}
		if len(pv.Purposes) > 0 && rng.IntN(8) != 0 {
			r.Purpose = one(rng, pv.Purposes)
		}
	}
	at := func() time.Time { return benchNow.Add(time.Duration(rng.IntN(3600)) * time.Second) }
	for len(w.requests) < size.requests {
		ci := rng.IntN(len(w.clients))
		client := w.clients[ci]
		r := &accord.Request{ClientID: client, HolderID: w.home[client], Time: at()}
		switch x := rng.Float64(); {
		case x < 0.40: // across, along a consent provision
			c := w.consents[2*ci+rng.IntN(2)] // two consents per client, in client order
			i := rng.IntN(len(c.Provisions))
			p := c.Provisions[i]
			if along, ok := via[fmt.Sprintf("%s/%d", c.ID, i)]; ok {
				follow(r, along, p)
			} else {
				r.Actor = staffOf(one(rng, w.orgs))
				r.Category, r.Purpose = one(rng, shareable), one(rng, agreementPurposes)
			}
			if rng.IntN(10) == 0 {
				r.Sensitivity = accord.NewSensitivitySet(accord.SensHIV)
			}
		case x < 0.55: // across, where a consent denies
			c := one(rng, denying)
			r.ClientID, r.HolderID = c.ClientID, w.home[c.ClientID]
			if along, ok := via[c.ID+"/1"]; ok {
				follow(r, along, c.Provisions[1])
			} else {
				r.Actor = staffOf(one(rng, enforcement))
				r.Category, r.Purpose = one(rng, []accord.Category{accord.CatContact, accord.CatDemographics}), accord.PurposeLegal
			}
		case x < 0.70: // an enforcement body asks
			r.Actor = staffOf(one(rng, enforcement))
			if rng.IntN(3) == 0 {
				b := one(rng, orders)
				r.ClientID, r.HolderID = b.ClientID, w.home[b.ClientID]
				r.Actor = staffOf(b.RecipientOrganizationID)
			}
			r.Category = one(rng, []accord.Category{accord.CatImmigrationStatus, accord.CatClinicalSummary, accord.CatClinicalNote, accord.CatLegalMatter, accord.CatContact, accord.CatDemographics})
			r.Purpose = one(rng, []accord.Purpose{accord.PurposeLegal, accord.PurposeLegal, accord.PurposeCoordination})
		case x < 0.90: // the holder's own staff
			r.Actor = staffOf(r.HolderID)
			if rng.IntN(4) == 0 {
				r.Actor.StaffID = one(rng, w.teams[client])
				r.Actor = *findStaff(w, r.HolderID, r.Actor.StaffID)
			}
			r.Category = one(rng, accord.Categories)
			r.Purpose = one(rng, []accord.Purpose{accord.PurposeTreatment, accord.PurposeCoordination, accord.PurposeLegalAid, accord.PurposeSocialCare, accord.PurposeEmergencyTreatment})
		case x < 0.95: // break-glass
			b := one(rng, glass)
			r.ClientID, r.HolderID = b.ClientID, w.home[b.ClientID]
			r.Actor = *findStaff(w, b.RecipientOrganizationID, b.RecipientStaffID)
			if rng.IntN(4) == 0 {
				r.Actor = staffOf(b.RecipientOrganizationID)
			}
			r.Category, r.Purpose = one(rng, b.Categories), accord.PurposeEmergencyTreatment
		case x < 0.97: // a statutory duty
			b := one(rng, duties)
			r.ClientID, r.HolderID = b.ClientID, w.home[b.ClientID]
			r.Actor = staffOf(b.RecipientOrganizationID)
			r.Category, r.Purpose = one(rng, b.Categories), accord.PurposeSocialCare
		default: // anything
			r.Actor = staffOf(one(rng, w.orgs))
			r.HolderID = one(rng, w.orgs)
			r.Category, r.Purpose = one(rng, accord.Categories), one(rng, accord.Purposes)
		}
		w.requests = append(w.requests, r)
	}
	return w
}

func findStaff(w *benchWorld, org, id string) *accord.Actor {
	for i := range w.staff[org] {
		if w.staff[org][i].StaffID == id {
			return &w.staff[org][i]
		}
	}
	panic("no staff " + id)
}

// load puts the world into a snapshot in one Bulk.
func (w *benchWorld) snapshot(shards int) *Snapshot {
	s := newSnapshot(shards)
	s.Bulk(func(l *Loader) {
		for _, id := range w.orgs {
			l.PutOrganization(id, w.sectors[id])
		}
		for _, a := range w.agreements {
			l.PutAgreement(a)
		}
		for _, c := range w.consents {
			l.PutConsent(c)
		}
		for _, b := range w.bases {
			l.PutLegalBasis(b)
		}
		for id, team := range w.teams {
			l.SetCareTeam(id, team)
		}
	})
	return s
}

// ---- Cedar -------------------------------------------------------------------

// cedarPEP is an enforcement point that asks cedar-go, with the policies of
// testdata/bench.cedar. Entities are built once, at load, as a caching PEP
// would; per request it fetches the client's entities (consents,
// provisions, legal bases) and the agreements between the two
// organisations, and asks one question per candidate (see bench.cedar).
type cedarPEP struct {
	policies *cedar.PolicySet
	sectors  map[string]accord.Sector
	global   cedar.EntityMap              // organisations, staff, agreements
	pairs    map[string][]cedar.EntityUID // agreement versions by org pair, ordered by id, newest version first
	clients  map[string]*cedarClient
}

type cedarClient struct {
	client     cedar.Entity
	bases      []cedar.Entity
	consents   []cedar.Entity
	provisions []cedar.Entity
	refs       []provisionRef // refs[i] names provisions[i]
}

type provisionRef struct {
	consent string
	index   int
}

// Cedar time: Unix seconds, an open end far beyond any real time.
const openEnd = 1 << 50

func cedarTime(t *time.Time, def int64) cedar.Long {
	if t == nil {
		return cedar.Long(def)
	}
	return cedar.Long(t.Unix())
}

func newCedarPEP(w *benchWorld) (*cedarPEP, error) {
	text, err := os.ReadFile("testdata/bench.cedar")
	if err != nil {
		return nil, err
	}
	ps, err := cedar.NewPolicySetFromBytes("bench.cedar", text)
	if err != nil {
		return nil, err
	}
	// Name each policy by its @id, so the PEP can read the reasons.
	named := cedar.NewPolicySet()
	for _, p := range ps.All() {
		named.Add(cedar.PolicyID(p.Annotations()["id"]), p)
	}
	c := &cedarPEP{policies: named, sectors: w.sectors, global: cedar.EntityMap{}, pairs: map[string][]cedar.EntityUID{}, clients: map[string]*cedarClient{}}

	// Equal sets are shared, to keep 3 million entities in memory.
	sets := map[string]cedar.Set{}
	strs := func(xs ...string) cedar.Set {
		k := strings.Join(xs, "\x00")
		if s, ok := sets[k]; ok {
			return s
		}
		vs := make([]cedar.Value, len(xs))
		for i, x := range xs {
			vs[i] = cedar.String(x)
		}
		s := cedar.NewSet(vs...)
		sets[k] = s
		return s
	}
	orgs := func(ids []string) cedar.Set {
		k := "org\x00" + strings.Join(ids, "\x00")
		if s, ok := sets[k]; ok {
			return s
		}
		vs := make([]cedar.Value, len(ids))
		for i, id := range ids {
			vs[i] = cedar.NewEntityUID("Organization", cedar.String(id))
		}
		s := cedar.NewSet(vs...)
		sets[k] = s
		return s
	}
	strsOf := func(xs any) cedar.Set {
		switch xs := xs.(type) {
		case []accord.Purpose:
			return strs(stringsOf(xs)...)
		case []accord.Category:
			return strs(stringsOf(xs)...)
		case []accord.Role:
			return strs(stringsOf(xs)...)
		case []accord.Sector:
			return strs(stringsOf(xs)...)
		case []accord.Sensitivity:
			return strs(stringsOf(xs)...)
		}
		panic("strsOf")
	}

	for _, id := range w.orgs {
		uid := cedar.NewEntityUID("Organization", cedar.String(id))
		c.global[uid] = cedar.Entity{UID: uid, Attributes: cedar.NewRecord(cedar.RecordMap{"sector": cedar.String(w.sectors[id])})}
		for _, s := range w.staff[id] {
			suid := cedar.NewEntityUID("Staff", cedar.String(s.StaffID))
			c.global[suid] = cedar.Entity{UID: suid, Attributes: cedar.NewRecord(cedar.RecordMap{
				"organization": uid, "roles": strsOf(s.Roles.List()),
			})}
		}
	}
	for _, a := range w.agreements {
		uid := cedar.NewEntityUID("Agreement", cedar.String(fmt.Sprintf("%s/%d", a.ID, a.Version)))
		c.global[uid] = cedar.Entity{UID: uid, Attributes: cedar.NewRecord(cedar.RecordMap{
			"status": cedar.String(a.Status), "from": cedar.Long(a.EffectiveFrom.Unix()), "until": cedar.Long(a.EffectiveUntil.Unix()),
			"parties": orgs(a.Parties), "prohibited": orgs(a.ProhibitedRecipients),
			"purposes": strsOf(a.Purposes), "categories": strsOf(a.Categories), "roles": strsOf(a.Roles),
		})}
		for i, x := range a.Parties {
			for _, y := range a.Parties[i+1:] {
				key := orgPairKey(x, y)
				c.pairs[key] = append(c.pairs[key], uid)
			}
		}
	}
	for key, uids := range c.pairs {
		slices.SortFunc(uids, func(a, b cedar.EntityUID) int { return compareAgreementUIDs(string(a.ID), string(b.ID)) })
		c.pairs[key] = slices.Compact(uids)
	}
	client := func(id string) *cedarClient {
		cl := c.clients[id]
		if cl == nil {
			uid := cedar.NewEntityUID("Client", cedar.String(id))
			var team []cedar.Value
			for _, s := range w.teams[id] {
				team = append(team, cedar.NewEntityUID("Staff", cedar.String(s)))
			}
			cl = &cedarClient{client: cedar.Entity{UID: uid, Attributes: cedar.NewRecord(cedar.RecordMap{"care_team": cedar.NewSet(team...)})}}
			c.clients[id] = cl
		}
		return cl
	}
	for _, id := range w.clients {
		client(id)
	}
	for _, k := range w.consents {
		cl := client(k.ClientID)
		uid := cedar.NewEntityUID("Consent", cedar.String(k.ID))
		cl.consents = append(cl.consents, cedar.Entity{UID: uid, Attributes: cedar.NewRecord(cedar.RecordMap{
			"client": cl.client.UID, "status": cedar.String(k.Status), "start": cedar.Long(k.Start.Unix()), "end": cedarTime(k.End, openEnd),
		})})
		for i, p := range k.Provisions {
			puid := cedar.NewEntityUID("Provision", cedar.String(fmt.Sprintf("%s/%d", k.ID, i)))
			cl.provisions = append(cl.provisions, cedar.Entity{UID: puid, Attributes: cedar.NewRecord(cedar.RecordMap{
				"consent": uid, "type": cedar.String(p.Type),
				"organizations": orgs(p.Organizations), "sectors": strsOf(p.Sectors),
				"purposes": strsOf(p.Purposes), "categories": strsOf(p.Categories), "sensitivity": strsOf(p.Sensitivity),
				"start": cedarTime(p.Start, -openEnd), "end": cedarTime(p.End, openEnd),
			})})
			cl.refs = append(cl.refs, provisionRef{k.ID, i})
		}
	}
	for _, b := range w.bases {
		cl := client(b.ClientID)
		uid := cedar.NewEntityUID("LegalBasis", cedar.String(b.ID))
		cl.bases = append(cl.bases, cedar.Entity{UID: uid, Attributes: cedar.NewRecord(cedar.RecordMap{
			"kind": cedar.String(b.Kind), "client": cl.client.UID,
			"recipient":  cedar.NewEntityUID("Organization", cedar.String(b.RecipientOrganizationID)),
			"staff":      cedar.NewEntityUID("Staff", cedar.String(b.RecipientStaffID)),
			"holder":     cedar.String(b.HolderOrganizationID),
			"categories": strsOf(b.Categories), "purposes": strsOf(b.DefaultPurposes()),
			"from": cedar.Long(b.ValidFrom.Unix()), "until": cedar.Long(b.ExpiresAt.Unix()),
		})})
	}
	return c, nil
}

func stringsOf[S ~string](xs []S) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func orgPairKey(a, b string) string {
	if a > b {
		a, b = b, a
	}
	return a + "|" + b
}

// compareAgreementUIDs orders "id/version" by id, then newest version first,
// as the Snapshot does.
func compareAgreementUIDs(a, b string) int {
	ia, va, _ := strings.Cut(a, "/")
	ib, vb, _ := strings.Cut(b, "/")
	if ia != ib {
		return cmpString(ia, ib)
	}
	var x, y int
	fmt.Sscan(va, &x)
	fmt.Sscan(vb, &y)
	return y - x
}

// cedarGetter finds entities for one request: the client's in its bundle,
// the rest in the global map.
type cedarGetter struct {
	pep    *cedarPEP
	client *cedarClient
}

func (g *cedarGetter) Get(uid cedar.EntityUID) (cedar.Entity, bool) {
	if cl := g.client; cl != nil {
		switch uid.Type {
		case "Client":
			if uid == cl.client.UID {
				return cl.client, true
			}
		case "Provision":
			for _, e := range cl.provisions {
				if e.UID == uid {
					return e, true
				}
			}
		case "Consent":
			for _, e := range cl.consents {
				if e.UID == uid {
					return e, true
				}
			}
		case "LegalBasis":
			for _, e := range cl.bases {
				if e.UID == uid {
					return e, true
				}
			}
		}
	}
	e, ok := g.pep.global[uid]
	return e, ok
}

func reasons(diag cedar.Diagnostic) []cedar.PolicyID {
	out := make([]cedar.PolicyID, len(diag.Reasons))
	for i, r := range diag.Reasons {
		out[i] = r.PolicyID
	}
	return out
}

func (c *cedarPEP) decide(r *accord.Request) accord.Decision {
	// Rule 1 is input validation, done before asking.
	sector, known := c.sectors[r.Actor.OrganizationID]
	if !r.Category.Valid() || !r.Purpose.Valid() || r.ClientID == "" || r.Actor.StaffID == "" ||
		!accord.NewSensitivitySet(accord.Sensitivities...).Covers(r.Sensitivity) ||
		!known || r.Actor.Sector != "" && r.Actor.Sector != sector {
		return denied(accord.ReasonDefaultDeny)
	}
	cl := c.clients[r.ClientID]
	clientUID := cedar.NewEntityUID("Client", cedar.String(r.ClientID))
	g := &cedarGetter{pep: c, client: cl}
	principal := cedar.NewEntityUID("Staff", cedar.String(r.Actor.StaffID))
	ctx := cedar.NewRecord(cedar.RecordMap{
		"holder":      cedar.NewEntityUID("Organization", cedar.String(r.HolderID)),
		"holder_id":   cedar.String(r.HolderID),
		"client":      clientUID,
		"category":    cedar.String(r.Category),
		"purpose":     cedar.String(r.Purpose),
		"sensitivity": sensSets[r.Sensitivity],
		"now":         cedar.Long(r.Time.Unix()),
	})
	ask := func(action string, resource cedar.EntityUID) (cedar.Decision, []cedar.PolicyID) {
		d, diag := cedar.Authorize(c.policies, g, cedar.Request{
			Principal: principal, Action: cedar.NewEntityUID("Action", cedar.String(action)), Resource: resource, Context: ctx,
		})
		return d, reasons(diag)
	}
	var bases []cedar.Entity
	if cl != nil {
		bases = cl.bases
	}
	// basis returns the first of the client's legal bases for which Cedar
	// says one of the given policies.
	basis := func(ids ...cedar.PolicyID) (string, cedar.PolicyID, bool) {
		for _, b := range bases {
			if d, why := ask("basis", b.UID); d == cedar.Allow && slices.Contains(ids, why[0]) {
				return string(b.UID.ID), why[0], true
			}
		}
		return "", "", false
	}
	withBasis := func(reason accord.Reason, o accord.Obligations, id string) accord.Decision {
		return with(permitted(reason, o), func(d *accord.Decision) { d.LegalBasisID = id })
	}
	const review, notify = accord.ObligeAudit | accord.ObligeReview, accord.ObligeAudit | accord.ObligeReview | accord.ObligeNotify

	if r.Actor.OrganizationID == r.HolderID {
		d, why := ask("within", clientUID)
		var out accord.Decision
		switch {
		case d == cedar.Allow && why[0] == "same_org_role":
			return permitted(accord.ReasonSameOrgRole, accord.ObligeAudit)
		case d == cedar.Allow:
			return permitted(accord.ReasonSameOrgCareTeam, accord.ObligeAudit)
		case slices.Contains(why, "privileged"):
			out = denied(accord.ReasonPrivileged)
		case slices.Contains(why, "not_on_care_team"):
			out = denied(accord.ReasonNotOnCareTeam)
		default:
			out = denied(accord.ReasonRoleNotPermitted)
		}
		if id, _, ok := basis("break_glass"); ok {
			return withBasis(accord.ReasonBreakGlass, notify, id)
		}
		if r.Purpose == accord.PurposeEmergencyTreatment && r.Actor.Roles.Has(accord.RoleClinician) && r.Category.Clinical() {
			return denied(accord.ReasonBreakGlassRequired)
		}
		return out
	}
	if _, ok := c.sectors[r.HolderID]; !ok {
		return denied(accord.ReasonDefaultDeny)
	}
	_, gate := ask("across", clientUID)
	switch {
	case slices.Contains(gate, "privileged_across"):
		return denied(accord.ReasonPrivileged)
	case slices.Contains(gate, "firewall"):
		if id, _, ok := basis("court_order"); ok {
			return withBasis(accord.ReasonCourtOrder, notify, id)
		}
		return denied(accord.ReasonFirewall)
	}
	if id, why, ok := basis("court_order", "statutory_duty"); ok {
		return withBasis(accord.Reason(why), review, id)
	}
	if slices.Contains(gate, "break_glass_required") {
		if id, _, ok := basis("break_glass"); ok {
			return withBasis(accord.ReasonBreakGlass, notify, id)
		}
		return denied(accord.ReasonBreakGlassRequired)
	}

	var agreement, barred string
	for _, uid := range c.pairs[orgPairKey(r.Actor.OrganizationID, r.HolderID)] {
		d, why := ask("agreement", uid)
		if d == cedar.Allow {
			agreement = string(uid.ID)
			break
		}
		if barred == "" && slices.Contains(why, "prohibited_recipient") {
			barred = string(uid.ID)
		}
	}
	split := func(uid string) (string, int) {
		id, v, _ := strings.Cut(uid, "/")
		var n int
		fmt.Sscan(v, &n)
		return id, n
	}
	if agreement == "" {
		if barred != "" {
			return with(denied(accord.ReasonProhibitedRecipient), func(d *accord.Decision) { d.AgreementID, d.AgreementVersion = split(barred) })
		}
		return denied(accord.ReasonNoAgreement)
	}
	found, short := -1, -1
	if cl != nil {
		for i, p := range cl.provisions {
			d, why := ask("provision", p.UID)
			switch {
			case d == cedar.Deny && len(why) > 0:
				return with(denied(accord.ReasonConsentDenies), func(d *accord.Decision) { d.ConsentID, d.Provision = cl.refs[i].consent, cl.refs[i].index })
			case d == cedar.Allow && why[0] == "consent_permits" && found < 0:
				found = i
			case d == cedar.Allow && why[0] == "sensitivity_not_consented" && short < 0:
				short = i
			}
		}
	}
	switch {
	case found >= 0:
		id, v := split(agreement)
		return consentDecision(id, v, cl.refs[found].consent, cl.refs[found].index)
	case short >= 0:
		return with(denied(accord.ReasonSensitivity), func(d *accord.Decision) { d.ConsentID, d.Provision = cl.refs[short].consent, cl.refs[short].index })
	}
	return denied(accord.ReasonNoConsent)
}

// ---- OPA -----------------------------------------------------------------------

// opaPEP is an enforcement point that asks OPA, with the module of
// testdata/bench.rego prepared once and the partnership in OPA's in-memory
// store as AST values.
type opaPEP struct {
	query rego.PreparedEvalQuery
}

func newOPAPEP(w *benchWorld) (*opaPEP, error) {
	text, err := os.ReadFile("testdata/bench.rego")
	if err != nil {
		return nil, err
	}
	// Equal sets are shared, as for Cedar.
	sets := map[string]*ast.Term{}
	set := func(xs []string) *ast.Term {
		k := strings.Join(xs, "\x00")
		if t, ok := sets[k]; ok {
			return t
		}
		items := make([][2]*ast.Term, len(xs))
		for i, x := range xs {
			items[i] = ast.Item(ast.StringTerm(x), ast.BooleanTerm(true))
		}
		t := ast.ObjectTerm(items...)
		sets[k] = t
		return t
	}
	timeTerm := func(t *time.Time, def int) *ast.Term {
		if t == nil {
			return ast.IntNumberTerm(def)
		}
		return ast.IntNumberTerm(int(t.Unix()))
	}

	orgs := ast.NewObject()
	for _, id := range w.orgs {
		orgs.Insert(ast.StringTerm(id), ast.ObjectTerm(ast.Item(ast.StringTerm("sector"), ast.StringTerm(string(w.sectors[id])))))
	}
	type versioned struct {
		key  string
		term *ast.Term
	}
	pairs := map[string][]versioned{}
	for _, a := range w.agreements {
		t := ast.ObjectTerm(
			ast.Item(ast.StringTerm("id"), ast.StringTerm(a.ID)),
			ast.Item(ast.StringTerm("version"), ast.IntNumberTerm(a.Version)),
			ast.Item(ast.StringTerm("status"), ast.StringTerm(string(a.Status))),
			ast.Item(ast.StringTerm("from"), ast.IntNumberTerm(int(a.EffectiveFrom.Unix()))),
			ast.Item(ast.StringTerm("until"), ast.IntNumberTerm(int(a.EffectiveUntil.Unix()))),
			ast.Item(ast.StringTerm("parties"), set(a.Parties)),
			ast.Item(ast.StringTerm("prohibited"), set(a.ProhibitedRecipients)),
			ast.Item(ast.StringTerm("purposes"), set(stringsOf(a.Purposes))),
			ast.Item(ast.StringTerm("categories"), set(stringsOf(a.Categories))),
			ast.Item(ast.StringTerm("roles"), set(stringsOf(a.Roles))),
		)
		for i, x := range a.Parties {
			for _, y := range a.Parties[i+1:] {
				key := orgPairKey(x, y)
				pairs[key] = append(pairs[key], versioned{fmt.Sprintf("%s/%d", a.ID, a.Version), t})
			}
		}
	}
	pairsObj := ast.NewObject()
	for key, vs := range pairs {
		slices.SortFunc(vs, func(a, b versioned) int { return compareAgreementUIDs(a.key, b.key) })
		terms := make([]*ast.Term, len(vs))
		for i, v := range vs {
			terms[i] = v.term
		}
		pairsObj.Insert(ast.StringTerm(key), ast.ArrayTerm(terms...))
	}
	type clientData struct{ consents, bases []*ast.Term }
	byClient := map[string]*clientData{}
	get := func(id string) *clientData {
		if byClient[id] == nil {
			byClient[id] = &clientData{}
		}
		return byClient[id]
	}
	for _, k := range w.consents {
		provs := make([]*ast.Term, len(k.Provisions))
		for i, p := range k.Provisions {
			provs[i] = ast.ObjectTerm(
				ast.Item(ast.StringTerm("type"), ast.StringTerm(string(p.Type))),
				ast.Item(ast.StringTerm("organizations"), set(p.Organizations)),
				ast.Item(ast.StringTerm("sectors"), set(stringsOf(p.Sectors))),
				ast.Item(ast.StringTerm("purposes"), set(stringsOf(p.Purposes))),
				ast.Item(ast.StringTerm("categories"), set(stringsOf(p.Categories))),
				ast.Item(ast.StringTerm("sensitivity"), set(stringsOf(p.Sensitivity))),
				ast.Item(ast.StringTerm("start"), timeTerm(p.Start, -openEnd)),
				ast.Item(ast.StringTerm("end"), timeTerm(p.End, openEnd)),
			)
		}
		cd := get(k.ClientID)
		cd.consents = append(cd.consents, ast.ObjectTerm(
			ast.Item(ast.StringTerm("id"), ast.StringTerm(k.ID)),
			ast.Item(ast.StringTerm("status"), ast.StringTerm(string(k.Status))),
			ast.Item(ast.StringTerm("start"), ast.IntNumberTerm(int(k.Start.Unix()))),
			ast.Item(ast.StringTerm("end"), timeTerm(k.End, openEnd)),
			ast.Item(ast.StringTerm("provisions"), ast.ArrayTerm(provs...)),
		))
	}
	for _, b := range w.bases {
		cd := get(b.ClientID)
		cd.bases = append(cd.bases, ast.ObjectTerm(
			ast.Item(ast.StringTerm("id"), ast.StringTerm(b.ID)),
			ast.Item(ast.StringTerm("kind"), ast.StringTerm(string(b.Kind))),
			ast.Item(ast.StringTerm("recipient"), ast.StringTerm(b.RecipientOrganizationID)),
			ast.Item(ast.StringTerm("staff"), ast.StringTerm(b.RecipientStaffID)),
			ast.Item(ast.StringTerm("holder"), ast.StringTerm(b.HolderOrganizationID)),
			ast.Item(ast.StringTerm("categories"), set(stringsOf(b.Categories))),
			ast.Item(ast.StringTerm("purposes"), set(stringsOf(b.DefaultPurposes()))),
			ast.Item(ast.StringTerm("from"), ast.IntNumberTerm(int(b.ValidFrom.Unix()))),
			ast.Item(ast.StringTerm("until"), ast.IntNumberTerm(int(b.ExpiresAt.Unix()))),
		))
	}
	clients := ast.NewObject()
	for _, id := range w.clients {
		cd := get(id)
		clients.Insert(ast.StringTerm(id), ast.ObjectTerm(
			ast.Item(ast.StringTerm("consents"), ast.ArrayTerm(cd.consents...)),
			ast.Item(ast.StringTerm("bases"), ast.ArrayTerm(cd.bases...)),
			ast.Item(ast.StringTerm("team"), set(w.teams[id])),
		))
	}
	root := ast.NewObject(ast.Item(ast.StringTerm("accord"), ast.ObjectTerm(
		ast.Item(ast.StringTerm("orgs"), ast.NewTerm(orgs)),
		ast.Item(ast.StringTerm("pairs"), ast.NewTerm(pairsObj)),
		ast.Item(ast.StringTerm("clients"), ast.NewTerm(clients)),
	)))
	q, err := rego.New(
		rego.Query("data.accord.decision"),
		rego.Module("bench.rego", string(text)),
		rego.Store(inmem.NewFromASTObject(root)),
	).PrepareForEval(context.Background())
	if err != nil {
		return nil, err
	}
	return &opaPEP{query: q}, nil
}

func (o *opaPEP) decide(r *accord.Request) accord.Decision {
	roles := ast.NewObject()
	for _, role := range r.Actor.Roles.List() {
		roles.Insert(ast.StringTerm(string(role)), ast.BooleanTerm(true))
	}
	var sens []*ast.Term
	for _, s := range r.Sensitivity.List() {
		sens = append(sens, ast.StringTerm(string(s)))
	}
	if r.Sensitivity&^allSensitivities != 0 {
		sens = append(sens, ast.StringTerm("unknown"))
	}
	input := ast.NewObject(
		ast.Item(ast.StringTerm("staff"), ast.StringTerm(r.Actor.StaffID)),
		ast.Item(ast.StringTerm("org"), ast.StringTerm(r.Actor.OrganizationID)),
		ast.Item(ast.StringTerm("sector"), ast.StringTerm(string(r.Actor.Sector))),
		ast.Item(ast.StringTerm("roles"), ast.NewTerm(roles)),
		ast.Item(ast.StringTerm("client"), ast.StringTerm(r.ClientID)),
		ast.Item(ast.StringTerm("holder"), ast.StringTerm(r.HolderID)),
		ast.Item(ast.StringTerm("category"), ast.StringTerm(string(r.Category))),
		ast.Item(ast.StringTerm("purpose"), ast.StringTerm(string(r.Purpose))),
		ast.Item(ast.StringTerm("sensitivity"), ast.ArrayTerm(sens...)),
		ast.Item(ast.StringTerm("time"), ast.IntNumberTerm(int(r.Time.Unix()))),
	)
	rs, err := o.query.Eval(context.Background(), rego.EvalParsedInput(input))
	if err != nil || len(rs) != 1 {
		panic(fmt.Sprintf("opa: %v (%d results)", err, len(rs)))
	}
	m := rs[0].Expressions[0].Value.(map[string]any)
	num := func(k string) int {
		n, _ := m[k].(json.Number).Int64()
		return int(n)
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	d := accord.Decision{
		Reason: accord.Reason(str("reason")), Obligations: accord.Obligations(num("obligations")),
		AgreementID: str("agreement"), ConsentID: str("consent"), LegalBasisID: str("basis"), Provision: num("provision"),
	}
	if _, ok := m["version"]; ok {
		d.AgreementVersion = num("version")
	}
	if str("effect") == "permit" {
		d.Effect = accord.Permit
	}
	return d
}

// ---- the comparison -----------------------------------------------------------------

// TestBenchImplementationsAgree checks that Accord, Cedar and OPA give the
// same Decision on every request of a small generated partnership, so that
// BenchmarkDecision compares equal work, and that the request mix exercises
// most of the rules.
func TestBenchImplementationsAgree(t *testing.T) {
	w := newBenchWorld(smallSize, 7)
	s := w.snapshot(numShards)
	cp, err := newCedarPEP(w)
	if err != nil {
		t.Fatal(err)
	}
	op, err := newOPAPEP(w)
	if err != nil {
		t.Fatal(err)
	}
	tally := map[accord.Reason]int{}
	for i, r := range w.requests {
		want := s.Decide(r)
		tally[want.Reason]++
		if got := cp.decide(r); !cmp.Equal(want, got) {
			t.Errorf("request %d %+v: Cedar differs from Accord (-accord +cedar):\n%s", i, *r, cmp.Diff(want, got))
		}
		if got := op.decide(r); !cmp.Equal(want, got) {
			t.Errorf("request %d %+v: OPA differs from Accord (-accord +opa):\n%s", i, *r, cmp.Diff(want, got))
		}
		if t.Failed() {
			t.FailNow()
		}
	}
	for _, reason := range []accord.Reason{
		accord.ReasonSameOrgRole, accord.ReasonSameOrgCareTeam, accord.ReasonAgreementConsent, accord.ReasonCourtOrder,
		accord.ReasonStatutoryDuty, accord.ReasonBreakGlass, accord.ReasonFirewall, accord.ReasonRoleNotPermitted,
		accord.ReasonNotOnCareTeam, accord.ReasonPrivileged, accord.ReasonNoAgreement, accord.ReasonNoConsent,
		accord.ReasonConsentDenies, accord.ReasonSensitivity, accord.ReasonBreakGlassRequired, accord.ReasonProhibitedRecipient,
	} {
		if tally[reason] == 0 {
			t.Errorf("no request decided %s", reason)
		}
	}
	t.Logf("reasons over %d requests: %v", len(w.requests), tally)
}

// The full-size world is built once per benchmark binary, and each
// implementation only when its sub-benchmark runs.
var (
	fullOnce     sync.Once
	fullWorld    *benchWorld
	fullAccord   *Snapshot
	fullExpected []accord.Decision
)

func loadFull(b *testing.B) {
	fullOnce.Do(func() {
		start := time.Now()
		fullWorld = newBenchWorld(fullSize, 1)
		b.Logf("generated %d organisations, %d agreement versions, %d consents, %d legal bases, %d requests in %v",
			len(fullWorld.orgs), len(fullWorld.agreements), len(fullWorld.consents), len(fullWorld.bases), len(fullWorld.requests), time.Since(start))
		start = time.Now()
		fullAccord = fullWorld.snapshot(numShards)
		b.Logf("accord: loaded in %v, heap %s", time.Since(start), heap())
		tally := map[accord.Reason]int{}
		for _, r := range fullWorld.requests {
			d := fullAccord.Decide(r)
			fullExpected = append(fullExpected, d)
			tally[d.Reason]++
		}
		keys := make([]string, 0, len(tally))
		for r, n := range tally {
			keys = append(keys, fmt.Sprintf("%s=%d", r, n))
		}
		sort.Strings(keys)
		b.Logf("request mix by reason: %s", strings.Join(keys, " "))
	})
}

func heap() string {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return fmt.Sprintf("%.1f GiB", float64(m.HeapAlloc)/(1<<30))
}

func BenchmarkDecision(b *testing.B) {
	loadFull(b)
	w := fullWorld
	b.Run("accord", func(b *testing.B) {
		benchDecide(b, w, fullAccord.Decide)
	})
	b.Run("cedar", func(b *testing.B) {
		start := time.Now()
		pep, err := newCedarPEP(w)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("cedar: loaded in %v, heap %s", time.Since(start), heap())
		benchDecide(b, w, pep.decide)
	})
	runtime.GC()
	b.Run("opa", func(b *testing.B) {
		start := time.Now()
		pep, err := newOPAPEP(w)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("opa: loaded in %v, heap %s", time.Since(start), heap())
		benchDecide(b, w, pep.decide)
	})
}

// packRequests returns the requests in one array, their ids in one
// buffer, in order: a stream that the timed loop reads sequentially, as a
// server reads the request it has just parsed, so that what is timed is the
// decision rather than cache misses on the benchmark's own requests.
func packRequests(rs []*accord.Request) []accord.Request {
	var buf strings.Builder
	for _, r := range rs {
		buf.WriteString(r.ClientID)
		buf.WriteString(r.Actor.StaffID)
	}
	all, off := buf.String(), 0
	next := func(n int) string { off += n; return all[off-n : off] }
	out := make([]accord.Request, len(rs))
	for i, r := range rs {
		out[i] = *r
		out[i].ClientID = next(len(r.ClientID))
		out[i].Actor.StaffID = next(len(r.Actor.StaffID))
	}
	return out
}

// benchDecide checks decide against Accord on the first requests, times it
// over the request mix, then times single decisions to report the median
// and 99th percentile.
func benchDecide(b *testing.B, w *benchWorld, decide func(*accord.Request) accord.Decision) {
	for i, r := range w.requests[:2000] {
		if got := decide(r); !cmp.Equal(fullExpected[i], got) {
			b.Fatalf("request %d: differs from Accord (-accord +this):\n%s", i, cmp.Diff(fullExpected[i], got))
		}
	}
	reqs := packRequests(w.requests)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		decide(&reqs[i%len(reqs)])
		i++
	}

	// Per-decision latencies, less the cost of reading the clock. At most
	// 50,000 samples or two seconds.
	overhead := make([]time.Duration, 1000)
	for k := range overhead {
		t0 := time.Now()
		overhead[k] = time.Since(t0)
	}
	slices.Sort(overhead)
	clock := overhead[len(overhead)/2]
	samples := make([]time.Duration, 0, 50_000)
	deadline := time.Now().Add(2 * time.Second)
	for k := 0; len(samples) < cap(samples) && (k%1024 != 0 || time.Now().Before(deadline)); k++ {
		// A fresh request, in cache as a handler's would be; what it asks
		// about is not.
		src := &reqs[(i+k*7919)%len(reqs)]
		r := *src
		r.ClientID, r.Actor.StaffID = strings.Clone(src.ClientID), strings.Clone(src.Actor.StaffID)
		t0 := time.Now()
		decide(&r)
		samples = append(samples, time.Since(t0)-clock)
	}
	slices.Sort(samples)
	b.ReportMetric(float64(samples[len(samples)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(samples[len(samples)*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkDecideLocalPolicies measures what local Cedar policies cost:
// with one set, every permit is put to cedar-go. The policy never forbids,
// so the decisions stay those of BenchmarkDecision/accord.
func BenchmarkDecideLocalPolicies(b *testing.B) {
	loadFull(b)
	if err := fullAccord.SetLocalPolicies(`@id("never") forbid (principal, action, resource) when { resource.category == "none" };`); err != nil {
		b.Fatal(err)
	}
	defer fullAccord.SetLocalPolicies("")
	benchDecide(b, fullWorld, fullAccord.Decide)
}

// BenchmarkDecideParallel measures Decide from every core at once, with the
// client index in one shard (one RWMutex, the plain design) and in
// numShards, with and without a writer re-putting consents all the while.
func BenchmarkDecideParallel(b *testing.B) {
	loadFull(b)
	w := fullWorld
	for _, shards := range []int{1, numShards} {
		s := fullAccord
		if shards != numShards {
			s = w.snapshot(shards)
		}
		for _, writer := range []bool{false, true} {
			name := fmt.Sprintf("shards=%d", shards)
			if writer {
				name += "/writer"
			}
			b.Run(name, func(b *testing.B) {
				stop := make(chan struct{})
				var wg sync.WaitGroup
				if writer {
					wg.Go(func() {
						for k := 0; ; k++ {
							select {
							case <-stop:
								return
							default:
							}
							s.PutConsent(w.consents[k%len(w.consents)])
						}
					})
				}
				var next sync.Mutex
				seed := 0
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					next.Lock()
					i := seed * 7919
					seed++
					next.Unlock()
					for pb.Next() {
						s.Decide(w.requests[i%len(w.requests)])
						i++
					}
				})
				close(stop)
				wg.Wait()
			})
		}
	}
}
