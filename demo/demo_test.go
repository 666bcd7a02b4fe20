package demo

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
)

var update = flag.Bool("update", false, "rewrite testdata/summary.golden")

// testNow is a fixed "today" so that the golden file is stable.
var testNow = time.Date(2026, time.March, 14, 11, 30, 0, 0, time.UTC)

func generate(t testing.TB, opts Options) *Partnership {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = testNow
	}
	p, err := Generate(opts)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", opts, err)
	}
	return p
}

func TestGenerateIsDeterministic(t *testing.T) {
	a := generate(t, Options{Seed: 7})
	b := generate(t, Options{Seed: 7})
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("same options, different partnerships (-first +second):\n%s", diff)
	}
	// A time with a zone and a monotonic reading is the same instant.
	c := generate(t, Options{Seed: 7, Now: testNow.In(time.FixedZone("X", 3600))})
	if diff := cmp.Diff(a, c); diff != "" {
		t.Fatalf("same instant in another zone gave different data (-utc +zoned):\n%s", diff)
	}
	d := generate(t, Options{Seed: 8})
	if d.Clients[0].ID == a.Clients[0].ID || d.Staff[0].Token == a.Staff[0].Token {
		t.Errorf("seeds 7 and 8 gave the same ids or tokens")
	}
}

func TestOptions(t *testing.T) {
	for _, tt := range []struct {
		name    string
		opts    Options
		clients int // 0: want an error
	}{
		{"default", Options{Now: testNow}, DefaultClients},
		{"minimum", Options{Now: testNow, Clients: MinClients}, MinClients},
		{"larger", Options{Now: testNow, Clients: 1200}, 1200},
		{"too few", Options{Now: testNow, Clients: 100}, 0},
		{"negative", Options{Now: testNow, Clients: -1}, 0},
		{"no now", Options{Clients: 600}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Generate(tt.opts)
			if tt.clients == 0 {
				if accord.ErrorCode(err) != accord.EINVALID {
					t.Fatalf("err = %v, want code %s", err, accord.EINVALID)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Clients) != tt.clients {
				t.Errorf("%d clients, want %d", len(p.Clients), tt.clients)
			}
		})
	}
}

func TestEverythingValidates(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		checkValid(t, generate(t, Options{Seed: seed}), testNow)
	}
}

// checkValid runs every object through its Validate method and checks the
// references between them.
func checkValid(t *testing.T, p *Partnership, now time.Time) {
	t.Helper()
	w := newWorld(p, now)
	ids := map[string]bool{}
	unique := func(id string) {
		t.Helper()
		if ids[id] {
			t.Errorf("id %s used twice", id)
		}
		ids[id] = true
	}

	for _, o := range p.Organizations {
		unique(o.ID)
		if err := o.Validate(); err != nil {
			t.Errorf("organization %s: %v", o.Name, err)
		}
	}
	users := map[string]bool{}
	for _, s := range p.Staff {
		unique(s.ID)
		if err := s.Validate(); err != nil {
			t.Errorf("staff %s: %v", s.Username, err)
		}
		if users[s.Username] {
			t.Errorf("username %s twice", s.Username)
		}
		users[s.Username] = true
		if !regexp.MustCompile(`^acc_[a-z2-7]{32}$`).MatchString(s.Token) {
			t.Errorf("staff %s: token %q", s.Username, s.Token)
		}
		if !regexp.MustCompile(`^demo-[a-z]+-[a-z]+-[0-9]{2}$`).MatchString(s.Password) {
			t.Errorf("staff %s: password %q", s.Username, s.Password)
		}
		if s.Note == "" {
			t.Errorf("staff %s has no note", s.Username)
		}
		if !s.CreatedAt.Before(now) {
			t.Errorf("staff %s created in the future", s.Username)
		}
	}
	for _, c := range p.Clients {
		unique(c.ID)
		if err := c.Validate(now); err != nil {
			t.Errorf("client %s: %v", c.ID, err)
		}
		if !c.CreatedAt.Before(now) || c.UpdatedAt.Before(c.CreatedAt) || !c.UpdatedAt.Before(now) {
			t.Errorf("client %s: created %v updated %v", c.ID, c.CreatedAt, c.UpdatedAt)
		}
		if w.org[c.HomeOrganizationID].Sector.Enforcement() || w.org[c.HomeOrganizationID].Sector == accord.SectorOversight {
			t.Errorf("client %s is homed at %s", c.ID, w.org[c.HomeOrganizationID].Name)
		}
	}
	for i := range p.Records {
		r := &p.Records[i]
		unique(r.ID)
		if err := r.Validate(); err != nil {
			t.Errorf("record %s: %v", r.ID, err)
		}
		c, ok := w.client[r.ClientID]
		if !ok {
			t.Errorf("record %s: unknown client", r.ID)
			continue
		}
		by, ok := w.staffByID[r.RecordedBy]
		if !ok || by.OrganizationID != r.OrganizationID {
			t.Errorf("record %s: recorded by %s, not staff of the holder", r.ID, r.RecordedBy)
		}
		if r.RecordedAt.Before(c.CreatedAt) || !r.RecordedAt.Before(now) {
			t.Errorf("record %s: recorded at %v, client created %v", r.ID, r.RecordedAt, c.CreatedAt)
		}
		if w.org[r.OrganizationID].Sector.Enforcement() {
			t.Errorf("record %s held by %s", r.ID, w.org[r.OrganizationID].Name)
		}
		if r.Category == accord.CatLegalPrivilegedNote && r.OrganizationID != w.orgOf(legalAid) {
			t.Errorf("privileged note %s outside legal aid", r.ID)
		}
		if r.Category.Clinical() && r.OrganizationID != w.orgOf(clinic) {
			t.Errorf("clinical record %s outside the clinic", r.ID)
		}
	}
	for clientID, team := range p.CareTeams {
		if _, ok := w.client[clientID]; !ok {
			t.Errorf("care team for unknown client %s", clientID)
		}
		if len(team) == 0 {
			t.Errorf("client %s has an empty care team", clientID)
		}
		holders := map[string]bool{w.client[clientID].HomeOrganizationID: true}
		for _, r := range w.records[clientID] {
			holders[r.OrganizationID] = true
		}
		for _, id := range team {
			s, ok := w.staffByID[id]
			if !ok || !holders[s.OrganizationID] {
				t.Errorf("client %s: care team member %s is not staff of a holding organisation", clientID, id)
			}
		}
	}
	if len(p.CareTeams) != len(p.Clients) {
		t.Errorf("%d care teams for %d clients", len(p.CareTeams), len(p.Clients))
	}
	for _, c := range p.Consents {
		unique(c.ID)
		cl := w.client[c.ClientID]
		age, known := cl.AgeAt(c.Start)
		if err := c.Validate(age, known); err != nil {
			t.Errorf("consent %s: %v", c.ID, err)
		}
		col, ok := w.staffByID[c.CollectedBy]
		if !ok || col.OrganizationID != c.OrganizationID || col.OrganizationID != cl.HomeOrganizationID {
			t.Errorf("consent %s: collected by %s, not staff of the client's home organisation", c.ID, c.CollectedBy)
		}
		if c.InterpreterID != "" {
			in, ok := w.staffByID[c.InterpreterID]
			if !ok || !slices.Contains(in.Roles, accord.RoleInterpreter) || !slices.Contains(in.Languages, c.Language) {
				t.Errorf("consent %s: interpreter %s does not interpret %s", c.ID, c.InterpreterID, c.Language)
			}
		}
		if c.Language != cl.PreferredLanguage {
			t.Errorf("consent %s in %s, client prefers %s", c.ID, c.Language, cl.PreferredLanguage)
		}
		if c.Start.Before(cl.CreatedAt) || !c.Start.Before(now) {
			t.Errorf("consent %s starts %v, client created %v", c.ID, c.Start, cl.CreatedAt)
		}
		if c.Status == accord.ConsentRevoked {
			if c.RevokedAt == nil || c.RevokedBy == "" || c.RevocationReason == "" || c.RevokedAt.Before(c.Start) || !c.RevokedAt.Before(now) {
				t.Errorf("consent %s: revoked without when, who and why", c.ID)
			}
		} else if c.RevokedAt != nil {
			t.Errorf("consent %s: active but has a revocation time", c.ID)
		}
	}
	seenAgreement := map[string]bool{}
	for _, a := range p.Agreements {
		if err := a.Validate(); err != nil {
			t.Errorf("agreement %s v%d: %v", a.Title, a.Version, err)
		}
		if !seenAgreement[a.ID] {
			unique(a.ID)
		}
		seenAgreement[a.ID] = true
		for _, party := range a.Parties {
			if w.org[party].Sector.Enforcement() {
				t.Errorf("agreement %s includes %s", a.Title, w.org[party].Name)
			}
		}
		if a.Status == accord.AgreementActive {
			draft := a
			draft.Status = accord.AgreementDraft
			if err := draft.CheckTransition(accord.AgreementActive, now); err != nil {
				t.Errorf("active agreement %s could not have been activated: %v", a.Title, err)
			}
			if !a.InForce(now) {
				t.Errorf("active agreement %s is not in force", a.Title)
			}
		}
	}
	for _, b := range p.LegalBases {
		unique(b.ID)
		if err := b.Validate(); err != nil {
			t.Errorf("legal basis %s: %v", b.Kind, err)
		}
		if _, ok := w.client[b.ClientID]; !ok {
			t.Errorf("legal basis %s: unknown client", b.ID)
		}
		if _, ok := w.staffByID[b.RecordedBy]; !ok {
			t.Errorf("legal basis %s: recorded by unknown staff", b.ID)
		}
		if b.RecordedAt.After(now) {
			t.Errorf("legal basis %s recorded in the future", b.ID)
		}
	}
}

// TestContent checks that the data has the spread a demo needs.
func TestContent(t *testing.T) {
	p := generate(t, Options{Seed: 1})
	w := newWorld(p, testNow)

	perOrg := map[string]int{}
	roles := map[accord.Role]bool{}
	for _, s := range p.Staff {
		perOrg[s.OrganizationID]++
		for _, r := range s.Roles {
			roles[r] = true
		}
	}
	for _, o := range p.Organizations {
		if n := perOrg[o.ID]; n < 3 || n > 7 {
			t.Errorf("%s has %d staff", o.Name, n)
		}
	}
	for _, r := range accord.Roles {
		if !roles[r] {
			t.Errorf("no staff member has role %s", r)
		}
	}
	for _, s := range p.Staff {
		if slices.Contains(s.Roles, accord.RoleCaseworker) && !w.org[s.OrganizationID].Sector.Enforcement() {
			t.Errorf("%s: the caseworker role is for enforcement officers only", s.Username)
		}
	}

	genders, langs, homes := map[accord.Gender]int{}, map[string]int{}, map[string]int{}
	interpreter, disability, minors, older, partial := 0, 0, 0, 0, 0
	for _, c := range p.Clients {
		genders[c.Gender]++
		langs[c.PreferredLanguage]++
		homes[c.HomeOrganizationID]++
		if c.InterpreterNeeded {
			interpreter++
		}
		if len(c.Disabilities) > 0 {
			disability++
		}
		if len(c.BirthDate) < 10 {
			partial++
		}
		age, _ := c.AgeAt(testNow)
		if age < 18 {
			minors++
		}
		if age >= 65 {
			older++
		}
	}
	n := float64(len(p.Clients))
	share := func(name string, got int, lo, hi float64) {
		if f := float64(got) / n; f < lo || f > hi {
			t.Errorf("%s: %.0f%% of clients, want %.0f%%-%.0f%%", name, 100*f, 100*lo, 100*hi)
		}
	}
	share("interpreter needed", interpreter, 0.30, 0.40)
	share("disabilities", disability, 0.10, 0.20)
	share("minors", minors, 0.06, 0.20)
	share("65 and over", older, 0.05, 0.20)
	share("partial birth dates", partial, 0.05, 0.30)
	for _, g := range accord.Genders {
		if genders[g] == 0 {
			t.Errorf("no client of gender %s", g)
		}
	}
	for _, l := range []string{"en", "ar", "es", "fr", "uk", "fa-AF", "ps", "so", "ti"} {
		if langs[l] == 0 {
			t.Errorf("no client prefers %s", l)
		}
	}
	for _, k := range []orgKey{clinic, legalAid, ngo, social} {
		if homes[w.orgOf(k)] < 30 {
			t.Errorf("only %d clients homed at %s", homes[w.orgOf(k)], orgTable[k].name)
		}
	}

	cats := map[accord.Category]int{}
	sens := map[accord.Sensitivity]int{}
	for _, r := range p.Records {
		cats[r.Category]++
		for _, s := range r.Sensitivity {
			sens[s]++
		}
	}
	for _, c := range accord.Categories {
		if cats[c] == 0 {
			t.Errorf("no record of category %s", c)
		}
	}
	for _, s := range []accord.Sensitivity{accord.SensPSY, accord.SensHIV, accord.SensSDV} {
		if sens[s] == 0 {
			t.Errorf("no record labelled %s", s)
		}
	}

	var inForce, expired, revoked, guardian, sensPermit, denyProv int
	consented := map[string]bool{}
	for _, c := range p.Consents {
		consented[c.ClientID] = true
		switch {
		case c.Status == accord.ConsentRevoked:
			revoked++
		case c.InForce(testNow):
			inForce++
		default:
			expired++
		}
		if c.Guardian != nil {
			guardian++
		}
		for _, pr := range c.Provisions {
			if len(pr.Sensitivity) > 0 {
				sensPermit++
			}
			if pr.Type == accord.ProvisionDeny {
				denyProv++
			}
		}
	}
	if inForce < len(p.Clients)*6/10 || expired == 0 || revoked == 0 || guardian == 0 || sensPermit == 0 || denyProv == 0 {
		t.Errorf("consents: in force %d, expired %d, revoked %d, with guardian %d, naming sensitivity %d, deny provisions %d",
			inForce, expired, revoked, guardian, sensPermit, denyProv)
	}
	if none := len(p.Clients) - len(consented); none == 0 {
		t.Errorf("every client has a consent; some should have none")
	}

	// Agreements: the MLP (two versions, review soon), an active DSA, one
	// expired, one suspended with a reason, one unsigned draft.
	status := map[accord.AgreementStatus]int{}
	for _, a := range p.Agreements {
		status[a.Status]++
		switch a.Status {
		case accord.AgreementSuspended:
			if a.StatusReason == "" {
				t.Errorf("suspended agreement %s gives no reason", a.Title)
			}
		case accord.AgreementDraft:
			if len(a.Signatories) >= len(a.Parties) {
				t.Errorf("draft %s is signed by every party", a.Title)
			}
		case accord.AgreementExpired:
			if a.EffectiveUntil.After(testNow) {
				t.Errorf("expired agreement %s has not reached its sunset", a.Title)
			}
		}
	}
	want := map[accord.AgreementStatus]int{accord.AgreementActive: 2, accord.AgreementSuperseded: 1,
		accord.AgreementExpired: 1, accord.AgreementSuspended: 1, accord.AgreementDraft: 1}
	if diff := cmp.Diff(want, status); diff != "" {
		t.Errorf("agreement statuses (-want +got):\n%s", diff)
	}
	mlp := w.agreement(w.orgOf(clinic), w.orgOf(legalAid))
	if mlp == nil || mlp.Version != 2 || mlp.ReviewDate.Sub(testNow) > 60*24*time.Hour || mlp.ReviewDate.Before(testNow) || mlp.RetentionDays != 2555 {
		t.Errorf("the MLP should be version 2, due for review within 60 days: %+v", mlp)
	}

	kinds := map[string]int{}
	for _, b := range p.LegalBases {
		k := string(b.Kind)
		if b.InForce(testNow) {
			k += " in force"
		}
		kinds[k]++
		if b.Kind == accord.BasisEmergency {
			if b.ExpiresAt.Sub(b.ValidFrom) > accord.BreakGlassMaxDuration || b.InForce(testNow) || b.ReviewStatus != accord.ReviewPending {
				t.Errorf("break-glass basis: %v to %v, review %s", b.ValidFrom, b.ExpiresAt, b.ReviewStatus)
			}
			if s := w.staffByID[b.RecipientStaffID]; !slices.Contains(s.Roles, accord.RoleClinician) || s.OrganizationID != w.orgOf(clinic) {
				t.Errorf("break-glass by %s, not a clinic clinician", s.Username)
			}
		}
		if b.Kind == accord.BasisCourtOrder && b.InForce(testNow) {
			if d := b.ExpiresAt.Sub(testNow); d < 80*24*time.Hour || d > 100*24*time.Hour {
				t.Errorf("court order expires in %v, want about 90 days", d)
			}
		}
	}
	wantKinds := map[string]int{"court_order in force": 1, "court_order": 1, "statutory_duty in force": 1, "emergency": 1}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Errorf("legal bases (-want +got):\n%s", diff)
	}
}

// TestScenarioFacts checks in plain terms that the data sets the named
// scenarios up.
func TestScenarioFacts(t *testing.T) {
	for _, seed := range []int64{1, 42, -5} {
		p := generate(t, Options{Seed: seed})
		w := newWorld(p, testNow)
		sc := map[string]Scenario{}
		for _, s := range p.Scenarios {
			sc[s.ID] = s
		}
		clinicID, legalID := w.orgOf(clinic), w.orgOf(legalAid)

		x := sc["advocate-reads-clinical-summary"].ClientID
		if !slices.ContainsFunc(w.records[x], func(r *accord.Record) bool {
			return r.OrganizationID == clinicID && r.Category == accord.CatClinicalSummary && len(r.Sensitivity) == 0
		}) {
			t.Errorf("seed %d: scenario-b client has no unlabelled clinical summary at the clinic", seed)
		}
		if !slices.ContainsFunc(p.Consents, func(c accord.Consent) bool {
			return c.ClientID == x && c.InForce(testNow) && slices.ContainsFunc(c.Provisions, func(pr accord.Provision) bool {
				return pr.Type == accord.ProvisionPermit && slices.Contains(pr.Organizations, legalID) &&
					slices.Contains(pr.Purposes, accord.PurposeLegalAid) && slices.Contains(pr.Categories, accord.CatClinicalSummary)
			})
		}) {
			t.Errorf("seed %d: scenario-b client has no in-force consent to legal aid for LEGALAID covering clinical_summary", seed)
		}
		if mlp := w.agreement(clinicID, legalID); mlp == nil || !mlp.InForce(testNow) {
			t.Errorf("seed %d: no MLP in force", seed)
		}
		if team := p.CareTeams[x]; !slices.Contains(team, w.staff["j.okafor"].ID) {
			t.Errorf("seed %d: j.okafor is not on the scenario-a client's care team", seed)
		}

		co := sc["court-order-permits"].ClientID
		if !slices.ContainsFunc(p.LegalBases, func(b accord.LegalBasis) bool {
			return b.Kind == accord.BasisCourtOrder && b.ClientID == co && b.InForce(testNow) &&
				b.RecipientOrganizationID == w.orgOf(immigration) && slices.Contains(b.Categories, accord.CatImmigrationStatus)
		}) {
			t.Errorf("seed %d: the court-order client has no court order in force", seed)
		}
		no := sc["no-court-order-refused"].ClientID
		if slices.ContainsFunc(p.LegalBases, func(b accord.LegalBasis) bool { return b.ClientID == no }) {
			t.Errorf("seed %d: the refused client has a legal basis", seed)
		}
		for _, a := range p.Agreements {
			for _, party := range a.Parties {
				if party == w.orgOf(police) || party == w.orgOf(immigration) {
					t.Errorf("seed %d: agreement %s includes an enforcement body", seed, a.Title)
				}
			}
		}
		rv := sc["consent-revoked"]
		if n := slices.IndexFunc(p.Consents, func(c accord.Consent) bool { return c.ClientID == rv.ClientID }); n < 0 ||
			!strings.Contains(rv.Steps[1], p.Consents[n].ID) || !p.Consents[n].InForce(testNow) {
			t.Errorf("seed %d: the revocation scenario does not revoke the client's in-force consent", seed)
		}
	}
}

// TestScenarioDecisions replays every scenario call through a small model
// of the decision rules in ARCHITECTURE.md and checks that the data yields
// the decision the scenario promises.
func TestScenarioDecisions(t *testing.T) {
	for _, seed := range []int64{1, 42, -5, 1 << 40} {
		checkDecisions(t, generate(t, Options{Seed: seed}), testNow)
	}
}

func checkDecisions(t *testing.T, p *Partnership, now time.Time) {
	t.Helper()
	w := newWorld(p, now)
	want := []string{
		"clinician-reads-clinical-summary", "advocate-reads-clinical-summary", "police-firewalled",
		"court-order-permits", "no-court-order-refused", "consent-revoked", "consent-denies-clinical", "access-report",
	}
	for _, id := range want {
		if !slices.ContainsFunc(p.Scenarios, func(s Scenario) bool { return s.ID == id }) {
			t.Errorf("no scenario %s", id)
		}
	}
	for _, s := range p.Scenarios {
		t.Run(s.ID, func(t *testing.T) {
			if s.Name == "" || s.Description == "" || len(s.Steps) != len(s.Calls) || len(s.Calls) == 0 {
				t.Fatalf("incomplete scenario: %+v", s)
			}
			if _, ok := w.client[s.ClientID]; !ok {
				t.Fatalf("unknown client %s", s.ClientID)
			}
			for i, c := range s.Calls {
				l, ok := w.staff[c.Username]
				if !ok || !l.Active {
					t.Fatalf("step %d: %s is not an active login", i, c.Username)
				}
				step := s.Steps[i]
				for _, part := range []string{"$" + TokenVar(c.Username), "Accord-Purpose: " + string(c.Purpose), "$ACCORD_URL" + c.Path} {
					if !strings.Contains(step, part) {
						t.Errorf("step %d %q lacks %q", i, step, part)
					}
				}
				if !c.Purpose.Valid() || !strings.HasPrefix(c.Path, "/api/v1/") {
					t.Errorf("step %d: purpose %q path %q", i, c.Purpose, c.Path)
				}
				if strings.HasSuffix(c.Path, "/revoke") {
					id := strings.TrimSuffix(strings.TrimPrefix(c.Path, "/api/v1/consents/"), "/revoke")
					cn, ok := w.consent[id]
					if !ok || cn.ClientID != s.ClientID || cn.OrganizationID != l.OrganizationID {
						t.Fatalf("step %d revokes consent %s, not one of the client's collected at %s", i, id, c.Username)
					}
					w.revoked[id] = true
					continue
				}
				if c.Want.Effect == "" {
					continue
				}
				if !strings.Contains(c.Path, s.ClientID) && !strings.Contains(c.Body, s.ClientID) {
					t.Errorf("step %d is not about the scenario's client", i)
				}
				got, err := w.decide(l, s.ClientID, c.HolderID, c.Category, c.Purpose)
				if err != nil {
					t.Errorf("step %d (%s): %v", i, step, err)
					continue
				}
				if got != c.Want {
					t.Errorf("step %d (%s %s %s for %s): got %+v, want %+v", i, c.Username, c.Category, w.org[c.HolderID].Name, c.Purpose, got, c.Want)
				}
			}
		})
	}
}

// TestManySeeds runs the checks over many seeds and awkward days: New
// Year just after midnight, a leap day just before midnight, early morning.
func TestManySeeds(t *testing.T) {
	nows := []time.Time{
		time.Date(2027, time.January, 1, 0, 5, 0, 0, time.UTC),
		time.Date(2028, time.February, 29, 23, 59, 59, 999, time.UTC),
		time.Date(2030, time.December, 31, 8, 59, 0, 0, time.UTC),
		time.Date(2026, time.April, 1, 0, 0, 0, 0, time.UTC),
	}
	for seed := int64(100); seed < 140; seed++ {
		now := nows[seed%int64(len(nows))]
		p := generate(t, Options{Seed: seed, Now: now, Clients: MinClients})
		checkValid(t, p, now)
		checkDecisions(t, p, now)
		if t.Failed() {
			t.Fatalf("seed %d, now %v", seed, now)
		}
	}
}

func TestSummaryGolden(t *testing.T) {
	p := generate(t, Options{Seed: 1})
	got := p.Summary(testNow)
	path := filepath.Join("testdata", "summary.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("summary differs from %s (-want +got); run go test ./demo -update if the change is meant:\n%s", path, diff)
	}
}

func TestTokenVar(t *testing.T) {
	for in, want := range map[string]string{"j.okafor": "TOKEN_j_okafor", "amina.navigator": "TOKEN_amina_navigator", "a-b_c": "TOKEN_a_b_c"} {
		if got := TokenVar(in); got != want {
			t.Errorf("TokenVar(%q) = %q, want %q", in, got, want)
		}
	}
	p := generate(t, Options{Seed: 1})
	if got := strings.Count(p.TokenExports(), "export TOKEN_"); got != len(p.Staff)-1 {
		t.Errorf("TokenExports has %d lines, want one per active login (%d)", got, len(p.Staff)-1)
	}
}

// BenchmarkGenerate measures Generate (there is no timing test: these
// machines are shared and noisy).
func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		generate(b, Options{Seed: 1})
	}
}

// world indexes a partnership for the tests.
type world struct {
	p         *Partnership
	now       time.Time
	org       map[string]accord.Organization
	staff     map[string]Login // by username
	staffByID map[string]Login
	client    map[string]accord.Client
	records   map[string][]*accord.Record // by client
	consent   map[string]accord.Consent
	revoked   map[string]bool // consents revoked during a scenario
}

func newWorld(p *Partnership, now time.Time) *world {
	w := &world{p: p, now: now, org: map[string]accord.Organization{}, staff: map[string]Login{}, staffByID: map[string]Login{},
		client: map[string]accord.Client{}, records: map[string][]*accord.Record{}, consent: map[string]accord.Consent{}, revoked: map[string]bool{}}
	for _, o := range p.Organizations {
		w.org[o.ID] = o
	}
	for _, s := range p.Staff {
		w.staff[s.Username], w.staffByID[s.ID] = s, s
	}
	for _, c := range p.Clients {
		w.client[c.ID] = c
	}
	for i := range p.Records {
		w.records[p.Records[i].ClientID] = append(w.records[p.Records[i].ClientID], &p.Records[i])
	}
	for _, c := range p.Consents {
		w.consent[c.ID] = c
	}
	return w
}

func (w *world) orgOf(k orgKey) string {
	for _, o := range w.p.Organizations {
		if o.Name == orgTable[k].name {
			return o.ID
		}
	}
	return ""
}

// agreement returns the agreement version in force between the two
// organisations, or nil.
func (w *world) agreement(a, b string) *accord.Agreement {
	for i := range w.p.Agreements {
		ag := &w.p.Agreements[i]
		if ag.InForce(w.now) && slices.Contains(ag.Parties, a) && slices.Contains(ag.Parties, b) {
			return ag
		}
	}
	return nil
}

// decide is a test model of the decision rules for the data the scenario
// names: every record of the category held by holder (for demographics,
// the client itself at its home organisation) must get the same answer.
func (w *world) decide(actor Login, clientID, holder string, cat accord.Category, purpose accord.Purpose) (Want, error) {
	var labels []accord.SensitivitySet
	if cat == accord.CatDemographics {
		if w.client[clientID].HomeOrganizationID != holder {
			return Want{}, fmt.Errorf("demographics are held by the home organisation, not %s", w.org[holder].Name)
		}
		labels = append(labels, 0)
	}
	for _, r := range w.records[clientID] {
		if r.OrganizationID == holder && r.Category == cat {
			labels = append(labels, accord.NewSensitivitySet(r.Sensitivity...))
		}
	}
	if len(labels) == 0 {
		return Want{}, fmt.Errorf("%s holds no %s for the client", w.org[holder].Name, cat)
	}
	var first Want
	for i, s := range labels {
		d := w.rule(actor, clientID, holder, cat, s, purpose)
		if i == 0 {
			first = d
		} else if d != first {
			return Want{}, fmt.Errorf("records of one category get different decisions: %+v and %+v", first, d)
		}
	}
	return first, nil
}

func (w *world) rule(actor Login, clientID, holder string, cat accord.Category, sens accord.SensitivitySet, purpose accord.Purpose) Want {
	sector := w.org[actor.OrganizationID].Sector
	roles := actor.RoleSet()
	// Rule 2: the firewall.
	if sector.Enforcement() && cat.Firewalled() {
		if w.basis(accord.BasisCourtOrder, clientID, cat, actor, purpose) {
			return permit(accord.ReasonCourtOrder)
		}
		return deny(accord.ReasonFirewall)
	}
	// Rule 3 (and 5): within the holder.
	if actor.OrganizationID == holder {
		if cat == accord.CatLegalPrivilegedNote && !roles.Has(accord.RoleLegalAdvocate) {
			return deny(accord.ReasonPrivileged)
		}
		if purpose == accord.PurposeEmergencyTreatment {
			if w.basis(accord.BasisEmergency, clientID, cat, actor, purpose) {
				return permit(accord.ReasonBreakGlass)
			}
			return deny(accord.ReasonBreakGlassRequired)
		}
		if !roleSees(roles, cat) {
			return deny(accord.ReasonRoleNotPermitted)
		}
		switch cat {
		case accord.CatClinicalSummary, accord.CatClinicalNote, accord.CatLegalMatter, accord.CatLegalPrivilegedNote, accord.CatImmigrationStatus:
		default:
			return permit(accord.ReasonSameOrgRole)
		}
		if slices.Contains(w.p.CareTeams[clientID], actor.ID) {
			return permit(accord.ReasonSameOrgCareTeam)
		}
		return deny(accord.ReasonNotOnCareTeam)
	}
	if cat == accord.CatLegalPrivilegedNote {
		return deny(accord.ReasonPrivileged)
	}
	if w.basis(accord.BasisStatutoryDuty, clientID, cat, actor, purpose) {
		return permit(accord.ReasonStatutoryDuty)
	}
	// Rule 4: agreement and consent.
	ag := w.agreement(holder, actor.OrganizationID)
	if ag == nil || !slices.Contains(ag.Purposes, purpose) || !slices.Contains(ag.Categories, cat) ||
		!roles.Any(accord.NewRoleSet(ag.Roles...)) {
		return deny(accord.ReasonNoAgreement)
	}
	if slices.Contains(ag.ProhibitedRecipients, actor.OrganizationID) {
		return deny(accord.ReasonProhibitedRecipient)
	}
	permitted, labelMissing := false, false
	for _, c := range w.p.Consents {
		if c.ClientID != clientID || !c.InForce(w.now) || w.revoked[c.ID] {
			continue
		}
		for _, pr := range c.Provisions {
			if !w.matches(pr, actor, sector, cat, purpose) {
				continue
			}
			if pr.Type == accord.ProvisionDeny {
				return deny(accord.ReasonConsentDenies)
			}
			if accord.NewSensitivitySet(pr.Sensitivity...).Covers(sens) {
				permitted = true
			} else {
				labelMissing = true
			}
		}
	}
	switch {
	case permitted:
		return permit(accord.ReasonAgreementConsent)
	case labelMissing:
		return deny(accord.ReasonSensitivity)
	}
	return deny(accord.ReasonNoConsent)
}

func (w *world) matches(pr accord.Provision, actor Login, sector accord.Sector, cat accord.Category, purpose accord.Purpose) bool {
	if len(pr.Organizations)+len(pr.Sectors) > 0 && !slices.Contains(pr.Organizations, actor.OrganizationID) && !slices.Contains(pr.Sectors, sector) {
		return false
	}
	if len(pr.Purposes) > 0 && !slices.Contains(pr.Purposes, purpose) {
		return false
	}
	if len(pr.Categories) > 0 && !slices.Contains(pr.Categories, cat) {
		return false
	}
	return (pr.Start == nil || !w.now.Before(*pr.Start)) && (pr.End == nil || w.now.Before(*pr.End))
}

func (w *world) basis(kind accord.LegalBasisKind, clientID string, cat accord.Category, actor Login, purpose accord.Purpose) bool {
	return slices.ContainsFunc(w.p.LegalBases, func(b accord.LegalBasis) bool {
		return b.Kind == kind && b.ClientID == clientID && b.InForce(w.now) &&
			b.RecipientOrganizationID == actor.OrganizationID && slices.Contains(b.Categories, cat) &&
			slices.Contains(b.DefaultPurposes(), purpose) &&
			(b.RecipientStaffID == "" || b.RecipientStaffID == actor.ID)
	})
}

// roleSees is what each role sees within its own organisation (rule 3).
func roleSees(roles accord.RoleSet, cat accord.Category) bool {
	basic := cat == accord.CatDemographics || cat == accord.CatContact
	switch {
	case roles.Has(accord.RoleClinician) && (basic || cat.Clinical() || cat == accord.CatScreening || cat == accord.CatSocialNeeds):
		return true
	case roles.Has(accord.RoleLegalAdvocate) && (basic || cat.Legal() || cat == accord.CatImmigrationStatus || cat == accord.CatSocialNeeds || cat == accord.CatScreening):
		return true
	case (roles.Has(accord.RoleNavigator) || roles.Has(accord.RoleSocialWorker)) && (basic || cat == accord.CatScreening || cat == accord.CatSocialNeeds):
		return true
	}
	return false
}
