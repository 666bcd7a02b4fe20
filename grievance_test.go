package accord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/accord-project/accord"
)

func TestAddWorkingDays(t *testing.T) {
	// 2026-11-22 is a Sunday.
	sun := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	fri := time.Date(2026, 11, 27, 15, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		{"sunday plus 5 is friday", sun, 5, time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)},
		{"sunday plus 2 is tuesday", sun, 2, time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)},
		{"friday plus 1 is monday", fri, 1, time.Date(2026, 11, 30, 15, 30, 0, 0, time.UTC)},
		{"friday plus 10 skips two weekends", fri, 10, time.Date(2026, 12, 11, 15, 30, 0, 0, time.UTC)},
		{"zero days is now", fri, 0, fri},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := accord.AddWorkingDays(tc.from, tc.n); !got.Equal(tc.want) {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tc.from.Format(time.RFC1123), tc.n, got.Format(time.RFC1123), tc.want.Format(time.RFC1123))
			}
		})
	}
}

func TestGrievanceDeadlinesAndOversightByCategory(t *testing.T) {
	for _, tc := range []struct {
		c         accord.GrievanceCategory
		days      int
		oversight bool
	}{
		{accord.GrievanceDiscrimination, 5, true},
		{accord.GrievanceStatusDenial, 5, true},
		{accord.GrievancePrivacy, 5, false},
		{accord.GrievanceCoercion, 2, true},
		{accord.GrievanceLanguage, 10, false},
		{accord.GrievanceRetaliation, 2, true},
		{accord.GrievanceOther, 10, false},
	} {
		if got := tc.c.ResponseDays(); got != tc.days {
			t.Errorf("%s: %d working days, want %d", tc.c, got, tc.days)
		}
		if got := tc.c.NeedsOversight(); got != tc.oversight {
			t.Errorf("%s: NeedsOversight = %v, want %v", tc.c, got, tc.oversight)
		}
	}
	if len(accord.GrievanceCategories) != 7 {
		t.Errorf("%d categories, want 7", len(accord.GrievanceCategories))
	}
}

func TestGrievanceRoute(t *testing.T) {
	const clinic, over = "org_clinic", "org_over"
	for _, tc := range []struct {
		name          string
		g             accord.Grievance
		hasOfficers   bool
		handler       string
		withOversight bool
	}{
		{"discrimination at the clinic: clinic and oversight", accord.Grievance{Category: accord.GrievanceDiscrimination, OrganizationID: clinic}, true, clinic, true},
		{"status denial: clinic and oversight", accord.Grievance{Category: accord.GrievanceStatusDenial, OrganizationID: clinic}, true, clinic, true},
		{"coercion: clinic and oversight", accord.Grievance{Category: accord.GrievanceCoercion, OrganizationID: clinic}, true, clinic, true},
		{"retaliation: clinic and oversight", accord.Grievance{Category: accord.GrievanceRetaliation, OrganizationID: clinic}, true, clinic, true},
		{"language access: the clinic alone", accord.Grievance{Category: accord.GrievanceLanguage, OrganizationID: clinic}, true, clinic, false},
		{"privacy: the clinic alone", accord.Grievance{Category: accord.GrievancePrivacy, OrganizationID: clinic}, true, clinic, false},
		{"no organisation named: oversight", accord.Grievance{Category: accord.GrievanceOther}, true, over, true},
		{"oversight only: oversight", accord.Grievance{Category: accord.GrievanceLanguage, OrganizationID: clinic, OversightOnly: true}, true, over, true},
		{"no one at the organisation to answer: oversight", accord.Grievance{Category: accord.GrievanceLanguage, OrganizationID: clinic}, false, over, true},
		{"the oversight body named: oversight", accord.Grievance{Category: accord.GrievanceOther, OrganizationID: over}, true, over, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := tc.g
			g.Route(over, tc.hasOfficers)
			if g.HandlerOrgID != tc.handler || g.Oversight != tc.withOversight || g.OversightOrgID != over {
				t.Errorf("handler %s oversight %v, want %s %v", g.HandlerOrgID, g.Oversight, tc.handler, tc.withOversight)
			}
		})
	}
}

func TestGrievanceTiers(t *testing.T) {
	st := func(id string, active bool, roles ...accord.Role) accord.Staff {
		return accord.Staff{ID: id, Active: active, Roles: roles}
	}
	clinic := []accord.Staff{
		st("nurse", true, accord.RoleClinician),
		st("lead", true, accord.RoleClinician, accord.RoleSupervisor),
		st("po", true, accord.RolePrivacyOfficer),
		st("old-po", false, accord.RolePrivacyOfficer),
		st("admin", true, accord.RolePartnershipAdmin),
	}
	got := accord.GrievanceTiers(accord.SectorHealth, clinic)
	want := [][]string{{"po"}, {"lead"}, {"admin"}}
	if !equalTiers(got, want) {
		t.Errorf("clinic tiers %v, want %v", got, want)
	}
	if h := accord.GrievanceHandlers(got, 0); !equal(h, []string{"po"}) {
		t.Errorf("level 0 handlers %v, want only the privacy officer", h)
	}
	if h := accord.GrievanceHandlers(got, 1); !equal(h, []string{"po", "lead"}) {
		t.Errorf("level 1 handlers %v, want the privacy officer and the supervisor", h)
	}
	if h := accord.GrievanceHandlers(got, 9); !equal(h, []string{"po", "lead", "admin"}) {
		t.Errorf("level 9 handlers %v, want every tier", h)
	}
	// No privacy officer: the supervisor answers first.
	if got := accord.GrievanceTiers(accord.SectorCivilSociety, clinic[:2]); !equalTiers(got, [][]string{{"lead"}}) {
		t.Errorf("without a privacy officer: %v", got)
	}
	over := []accord.Staff{
		st("auditor", true, accord.RoleAuditor),
		st("deputy", true, accord.RoleAuditor, accord.RoleSupervisor),
		st("po", true, accord.RolePrivacyOfficer),
		st("head", true, accord.RoleSupervisor),
	}
	if got := accord.GrievanceTiers(accord.SectorOversight, over); !equalTiers(got, [][]string{{"auditor", "deputy", "po"}, {"head"}}) {
		t.Errorf("oversight tiers %v", got)
	}
}

func equal(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

func equalTiers(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func TestTrackingCode(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		code := accord.NewTrackingCode()
		if len(code) != 24 || strings.Count(code, "-") != 4 {
			t.Fatalf("code %q: want 5 groups of 4", code)
		}
		canonical, ok := accord.NormalizeTrackingCode(code)
		if !ok || len(canonical) != accord.TrackingCodeLen {
			t.Fatalf("a fresh code %q does not read back", code)
		}
		if seen[canonical] {
			t.Fatalf("code %q repeated", code)
		}
		seen[canonical] = true
	}
	// 20 characters of a 32-letter alphabet: 100 bits.
	if accord.TrackingCodeLen*5 < 80 {
		t.Fatal("tracking codes must carry at least 80 bits")
	}
	want, _ := accord.NormalizeTrackingCode("AB1C-DEF0-GH12-JKMN-PQRS")
	for _, typed := range []string{"ab1c-def0-gh12-jkmn-pqrs", "AB1C DEF0 GH12 JKMN PQRS", "ABIC-DEFO-GHl2-JKMN-PQRS", " AB1CDEF0GH12JKMNPQRS "} {
		if got, ok := accord.NormalizeTrackingCode(typed); !ok || got != want {
			t.Errorf("%q read as %q, %v; want %q", typed, got, ok, want)
		}
	}
	for _, bad := range []string{"", "ABCD", "AB1C-DEF0-GH12-JKMN-PQRS-TVWX", "AB1C-DEF0-GH12-JKMN-PQRU", "ÄB1C-DEF0-GH12-JKMN-PQRS", "AB1C-DEF0-GH12-JKMN-PQR!", strings.Repeat("A", 200)} {
		if _, ok := accord.NormalizeTrackingCode(bad); ok {
			t.Errorf("%q read as a code", bad)
		}
	}
	if string(accord.TrackingCodeHash(want)) == want || len(accord.TrackingCodeHash(want)) != 32 {
		t.Error("the stored form of a code must be its hash")
	}
}

func TestGrievanceValidate(t *testing.T) {
	ok := accord.Grievance{Category: accord.GrievanceOther, Description: "They would not see me without papers.", Anonymous: true}
	for _, tc := range []struct {
		name  string
		edit  func(g *accord.Grievance)
		field string
	}{
		{"valid anonymous", func(g *accord.Grievance) {}, ""},
		{"valid named", func(g *accord.Grievance) { g.Anonymous, g.ReporterName = false, "Samira" }, ""},
		{"no text", func(g *accord.Grievance) { g.Description = "  \n " }, "description"},
		{"text too long", func(g *accord.Grievance) { g.Description = strings.Repeat("x", accord.GrievanceTextMax+1) }, "description"},
		{"control character", func(g *accord.Grievance) { g.Description = "a\x00b" }, "description"},
		{"unknown category", func(g *accord.Grievance) { g.Category = "bad_weather" }, "category"},
		{"neither named nor anonymous", func(g *accord.Grievance) { g.Anonymous = false }, "name"},
		{"anonymous with a name", func(g *accord.Grievance) { g.ReporterName = "Samira" }, "identity"},
		{"bad organisation", func(g *accord.Grievance) { g.OrganizationID = "clinic" }, "organization_id"},
		{"bad case", func(g *accord.Grievance) { g.CaseID = "case 12" }, "case_id"},
		{"name too long", func(g *accord.Grievance) { g.Anonymous, g.ReporterName = false, strings.Repeat("n", 201) }, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := ok
			tc.edit(&g)
			err := g.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if e := accord.AsError(err); e == nil || e.Field != tc.field || e.Code != accord.EINVALID {
				t.Fatalf("Validate = %v, want an error on %s", err, tc.field)
			}
		})
	}
}
