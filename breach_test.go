package accord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
)

func TestBreachValidate(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	staff := accord.NewID(accord.PrefixStaff, nil)
	valid := func() accord.Breach {
		return accord.Breach{Description: "A laptop with a signed-in session was stolen from a car.", Subject: accord.BreachStaff, StaffID: staff,
			DiscoveredAt: now.Add(-2 * time.Hour), WindowStart: now.Add(-26 * time.Hour), WindowEnd: now.Add(-time.Hour)}
	}
	for _, tc := range []struct {
		name   string
		change func(b *accord.Breach)
		field  string // "" when valid
	}{
		{"valid", func(*accord.Breach) {}, ""},
		{"a window of one instant", func(b *accord.Breach) { b.WindowEnd = b.WindowStart }, ""},
		{"a window ending after discovery, before now", func(b *accord.Breach) { b.WindowEnd = now.Add(-time.Minute) }, ""},
		{"clock skew of a minute is forgiven", func(b *accord.Breach) { b.WindowEnd, b.DiscoveredAt = now.Add(time.Minute), now.Add(time.Minute) }, ""},
		{"a credential", func(b *accord.Breach) {
			b.Subject, b.StaffID, b.CredentialID = accord.BreachCredential, "", accord.NewID(accord.PrefixToken, nil)
		}, ""},
		{"a data key", func(b *accord.Breach) {
			b.Subject, b.StaffID, b.OrganizationID, b.KeyVersion = accord.BreachKey, "", accord.NewID(accord.PrefixOrganization, nil), 1
		}, ""},
		{"empty description", func(b *accord.Breach) { b.Description = "  \n " }, "description"},
		{"description too long", func(b *accord.Breach) { b.Description = strings.Repeat("a", accord.BreachTextMax+1) }, "description"},
		{"no subject", func(b *accord.Breach) { b.Subject = "" }, "subject"},
		{"unknown subject", func(b *accord.Breach) { b.Subject = "laptop" }, "subject"},
		{"staff id malformed", func(b *accord.Breach) { b.StaffID = "j.okafor" }, "staff_id"},
		{"credential without its id", func(b *accord.Breach) { b.Subject = accord.BreachCredential }, "credential_id"},
		{"key without an organisation", func(b *accord.Breach) { b.Subject, b.KeyVersion = accord.BreachKey, 1 }, "organization_id"},
		{"key without a version", func(b *accord.Breach) {
			b.Subject, b.OrganizationID = accord.BreachKey, accord.NewID(accord.PrefixOrganization, nil)
		}, "key_version"},
		{"no discovery time", func(b *accord.Breach) { b.DiscoveredAt = time.Time{} }, "discovered_at"},
		{"discovered in the future", func(b *accord.Breach) { b.DiscoveredAt = now.Add(time.Hour) }, "discovered_at"},
		{"no window start", func(b *accord.Breach) { b.WindowStart = time.Time{} }, "window_start"},
		{"no window end", func(b *accord.Breach) { b.WindowEnd = time.Time{} }, "window_end"},
		{"window ends before it starts", func(b *accord.Breach) { b.WindowEnd = b.WindowStart.Add(-time.Second) }, "window_end"},
		{"window in the future", func(b *accord.Breach) {
			b.WindowStart, b.WindowEnd, b.DiscoveredAt = now.Add(time.Hour), now.Add(2*time.Hour), now
		}, "window_start"},
		{"window ends in the future", func(b *accord.Breach) { b.WindowEnd = now.Add(time.Hour) }, "window_end"},
		{"window starts after discovery", func(b *accord.Breach) { b.WindowStart = b.DiscoveredAt.Add(time.Minute) }, "window_start"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := valid()
			tc.change(&b)
			err := b.Validate(now)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			e := accord.AsError(err)
			if e == nil || e.Code != accord.EINVALID || e.Field != tc.field {
				t.Fatalf("Validate = %v, want invalid with field %s", err, tc.field)
			}
		})
	}
	t.Run("an unknown subject lists the accepted ones", func(t *testing.T) {
		b := valid()
		b.Subject = "laptop"
		if diff := cmp.Diff([]string{"staff", "credential", "org_key"}, accord.AsError(b.Validate(now)).Accepted); diff != "" {
			t.Errorf("accepted (-want +got):\n%s", diff)
		}
	})
}

func TestBreachDisclosure(t *testing.T) {
	base := accord.AuditEntry{Kind: accord.AuditDecision, ActorID: "stf_a", ClientID: "cli_a", Category: accord.CatClinicalSummary, Effect: "permit", Released: true}
	for _, tc := range []struct {
		name   string
		change func(e *accord.AuditEntry)
		want   bool
	}{
		{"a permitted read", func(*accord.AuditEntry) {}, true},
		{"a permit that returned nothing (a check before records)", func(e *accord.AuditEntry) { e.Released = false }, true},
		{"a refusal", func(e *accord.AuditEntry) { e.Effect, e.Released = "deny", false }, false},
		{"an explanation", func(e *accord.AuditEntry) { e.Action = "explain" }, false},
		{"a question about another staff member", func(e *accord.AuditEntry) { e.ObjectID = "stf_b"; e.Action = "case.join" }, false},
		{"a change", func(e *accord.AuditEntry) { e.Kind, e.Effect = accord.AuditChange, "" }, false},
		{"an export", func(e *accord.AuditEntry) { e.Kind, e.Effect = accord.AuditExport, "" }, false},
		{"no client", func(e *accord.AuditEntry) { e.ClientID = "" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := base
			tc.change(&e)
			if got := accord.BreachDisclosure(&e); got != tc.want {
				t.Errorf("BreachDisclosure = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestImpactBuilder(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	entry := func(client, holder string, cat accord.Category, effect string, min int) accord.AuditEntry {
		return accord.AuditEntry{Time: t0.Add(time.Duration(min) * time.Minute), Kind: accord.AuditDecision, ClientID: client, HolderID: holder, Category: cat, Effect: effect}
	}
	var b accord.ImpactBuilder
	for _, e := range []accord.AuditEntry{
		entry("cli_b", "org_clinic", accord.CatClinicalNote, "permit", 30),
		entry("cli_a", "org_legal", accord.CatLegalMatter, "permit", 10),
		entry("cli_a", "org_clinic", accord.CatDemographics, "permit", 5),
		entry("cli_a", "org_clinic", accord.CatDemographics, "permit", 20),
		entry("cli_c", "org_clinic", accord.CatDemographics, "deny", 25),
		entry("cli_b", "org_clinic", accord.CatClinicalNote, "deny", 40),
	} {
		b.Add(&e)
	}
	got := b.Impact(t0.Add(time.Hour), t0, t0.Add(time.Hour))
	want := accord.BreachImpact{ComputedAt: t0.Add(time.Hour), From: t0, To: t0.Add(time.Hour), Disclosures: 4, Clients: []accord.AffectedClient{
		{ClientID: "cli_a", Categories: []accord.CategoryCount{{Category: accord.CatDemographics, Count: 2}, {Category: accord.CatLegalMatter, Count: 1}}, Holders: []string{"org_clinic", "org_legal"},
			Disclosures: 3, First: t0.Add(5 * time.Minute), Last: t0.Add(20 * time.Minute)},
		{ClientID: "cli_b", Categories: []accord.CategoryCount{{Category: accord.CatClinicalNote, Count: 1}}, Holders: []string{"org_clinic"},
			Disclosures: 1, First: t0.Add(30 * time.Minute), Last: t0.Add(30 * time.Minute)},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("impact (-want +got):\n%s", diff)
	}
	t.Run("nothing added", func(t *testing.T) {
		var empty accord.ImpactBuilder
		if got := empty.Impact(t0, t0, t0); got.Clients == nil || len(got.Clients) != 0 || got.Disclosures != 0 {
			t.Errorf("empty impact = %+v, want no clients (an empty list, not nil)", got)
		}
	})
}
