package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// sortFacts puts facts in one order, whatever order they came in.
func sortFacts(fs []accord.IndicatorFact) []accord.IndicatorFact {
	key := func(f accord.IndicatorFact) string {
		var b strings.Builder
		b.WriteString(f.Unit)
		for _, t := range append(f.At[:], f.Deadline) {
			fmt.Fprintf(&b, "|%020d", t.UnixNano())
		}
		for _, d := range f.Dims {
			b.WriteString("|" + d)
		}
		fmt.Fprintf(&b, "|%d", f.Person)
		return b.String()
	}
	slices.SortFunc(fs, func(a, b accord.IndicatorFact) int { return strings.Compare(key(a), key(b)) })
	return fs
}

// sameFacts checks that the stored facts of all time are the facts
// computed from the tables.
func sameFacts(t *testing.T, db *sqlstore.DB, step string) {
	t.Helper()
	ctx := context.Background()
	from, to := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	var stored, tables []accord.IndicatorFact
	if err := db.IndicatorFacts(ctx, from, to, func(f *accord.IndicatorFact) error {
		stored = append(stored, *f)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.IndicatorFactsFromTables(ctx, from, to, func(f *accord.IndicatorFact) error {
		tables = append(tables, *f)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sortFacts(tables), sortFacts(stored)); diff != "" {
		t.Errorf("%s: stored facts (-from the tables +stored):\n%s", step, diff)
	}
}

// TestStoredIndicatorFacts changes a partnership in every way that changes
// facts — clients registered, referred, screened, escalated, disclosed
// about, merged, erased; a complaint; an organisation's sector — and after
// each change checks that the stored facts are exactly the facts computed
// from the tables, and that only the clients changed were computed again.
func TestStoredIndicatorFacts(t *testing.T) {
	forEachEngineFrom(t, day(time.March, 1, 9), func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		nurse := fx.actor()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		check := func(step string, wantFull bool, wantClients int) {
			t.Helper()
			r, err := fx.db.RefreshIndicatorFacts(ctx)
			must(err)
			if r.Full != wantFull || (wantClients >= 0 && r.Clients != wantClients) {
				t.Errorf("%s: refresh %+v, want full %v and %d clients computed", step, r, wantFull, wantClients)
			}
			sameFacts(t, fx.db, step)
		}
		next := func() { fx.now = fx.now.Add(24 * time.Hour) }

		check("nothing yet", true, 0)
		check("nothing changed", false, 0)
		a := fx.client("A")
		next()
		b := fx.client("B")
		check("two clients registered", false, 2)

		next()
		r := &accord.Referral{ClientID: a.ID, FromOrgID: fx.clinic.ID, FromStaffID: fx.nurse.ID, ToOrgID: fx.legal.ID, Purpose: accord.PurposeLegalAid,
			Categories: []accord.Category{accord.CatDemographics}, Reason: "Advice on a housing claim.", Urgency: accord.UrgencyRoutine}
		must(fx.db.CreateReferral(ctx, nurse, r, sqlstore.Effects{}))
		check("a referral", false, 1)
		next()
		advocate := accord.Staff{OrganizationID: fx.legal.ID, Username: "advocate", DisplayName: "A. Dvocate", Roles: []accord.Role{accord.RoleLegalAdvocate}, Active: true}
		must(fx.db.CreateStaff(ctx, fx.admin, &advocate, ""))
		must(fx.db.SetEscalationChain(ctx, fx.admin, fx.legal.ID, []string{advocate.ID}, nil))
		lawyer := accord.Actor{StaffID: advocate.ID, OrganizationID: fx.legal.ID, Sector: accord.SectorLegal, Roles: advocate.RoleSet()}
		_, err := fx.db.SetReferralStatus(ctx, lawyer, r.ID, 0, accord.ReferralAccepted, "", "", sqlstore.Effects{})
		must(err)
		check("the referral accepted: the first legal contact", false, 1)

		next()
		must(fx.db.CreateEscalation(ctx, nurse, &accord.Escalation{ClientID: b.ID, Kind: accord.EscalationEviction, Urgency: accord.UrgencyUrgent,
			OrganizationID: fx.legal.ID, Summary: "Bailiffs on Friday."}, 4*time.Hour))
		must(fx.db.CreateScreening(ctx, nurse, &sqlstore.Screening{ClientID: b.ID, OrganizationID: fx.clinic.ID, Questionnaire: "https://example.org/q|1",
			Response: []byte(`{}`), Needs: []sqlstore.ScreenedNeed{{Code: "housing", Urgency: "soon"}}, Language: "es", InterpreterUsed: true}))
		check("an escalation and a screening", false, 1)

		next()
		k := &accord.Case{ClientID: b.ID, LeadOrganizationID: fx.clinic.ID, Title: "Housing and health", OpenedBy: fx.nurse.ID,
			Participants: []accord.Participant{{OrganizationID: fx.clinic.ID, StaffID: fx.nurse.ID, Responsibility: "Health"}}}
		must(fx.db.CreateCase(ctx, nurse, k))
		check("a case opened", false, 1)
		next()
		k2, err := fx.db.UpdateCase(ctx, nurse, k.ID, k.Version, sqlstore.CaseChange{AddParticipant: &accord.Participant{OrganizationID: fx.legal.ID,
			StaffID: advocate.ID, Responsibility: "Housing claim"}})
		must(err)
		check("legal aid joins the case: a first legal contact", false, 1)
		next()
		_, err = fx.db.UpdateCase(ctx, nurse, k.ID, k2.Version, sqlstore.CaseChange{AddOutcome: &accord.Outcome{Kind: "health", Code: "treatment_started"}})
		must(err)
		check("treatment started", false, 1)

		next()
		gf := newGrievanceFixture(t, fx)
		bg := &accord.LegalBasis{Kind: accord.BasisEmergency, ClientID: a.ID, Categories: []accord.Category{accord.CatClinicalSummary},
			RecipientOrganizationID: fx.clinic.ID, RecipientStaffID: fx.nurse.ID, Reason: "Collapsed in the waiting room.", ExpiresAt: fx.now.Add(time.Hour)}
		must(fx.db.CreateLegalBasis(ctx, nurse, bg))
		check("a break-glass access", false, 1)
		next()
		_, err = fx.db.ReviewLegalBasis(ctx, accord.Actor{StaffID: gf.audit.ID, OrganizationID: gf.over.ID}, bg.ID,
			accord.Review{Decision: accord.ReviewJustified, Reasoning: "A real emergency."})
		must(err)
		check("the break-glass access reviewed", false, 1)

		next()
		decision := func(client, holder string, released bool) accord.AuditEntry {
			return accord.AuditEntry{Time: fx.now, Kind: accord.AuditDecision, ActorID: fx.nurse.ID, ActorOrganizationID: fx.clinic.ID, ClientID: client,
				HolderID: holder, Category: accord.CatLegalMatter, Purpose: accord.PurposeCoordination, Effect: "permit", Released: released}
		}
		must(fx.db.AppendAudit(ctx, decision(a.ID, fx.legal.ID, true)))
		check("a disclosure in the audit log", false, 1)
		must(fx.db.AppendAudit(ctx, decision(a.ID, fx.clinic.ID, true), decision(b.ID, fx.legal.ID, false)))
		check("decisions that disclose nothing", false, 0)

		next()
		must(fx.db.AppendAudit(ctx, decision(b.ID, fx.legal.ID, true)))
		must(fx.db.MergeClients(ctx, nurse, a.ID, b.ID))
		check("B merged into A", false, -1)

		next()
		gf.raise(&accord.Grievance{Category: accord.GrievancePrivacy, Description: "My letter went to a neighbour.", OrganizationID: fx.clinic.ID, Anonymous: true})
		check("a complaint", false, 1)

		next()
		must(fx.db.EraseClient(ctx, nurse, a.ID, accord.ErasureClientRequest))
		check("A erased", false, -1)

		driver := "sqlite"
		if strings.HasPrefix(fx.dsn, "postgres") {
			driver = "pgx"
		}
		raw, err := sql.Open(driver, fx.dsn)
		must(err)
		defer raw.Close()
		_, err = raw.ExecContext(ctx, `UPDATE organizations SET sector = 'health' WHERE id = $1`, fx.legal.ID)
		must(err)
		check("the legal organisation is now a health one", true, -1)
	})
}

func TestFactCodec(t *testing.T) {
	at := func(d int) time.Time { return time.Date(2026, 7, d, 9, 30, 0, 123456789, time.UTC) }
	facts := []accord.IndicatorFact{
		{Unit: "referral", At: [4]time.Time{at(1), at(2), {}, at(9)}, Dims: [7]string{"18-34", "woman", "ar", "needed", "no", "org-legal", "riverside"}},
		{Unit: "escalation", At: [4]time.Time{at(3)}, Deadline: at(3).Add(4 * time.Hour), Dims: [7]string{"", "", "", "", "", "org-clinic", ""}},
		{Unit: "intake", At: [4]time.Time{at(1)}, Dims: [7]string{"65+", "man", "fa", "not_needed", "yes", "org-clinic", "not_recorded"}},
		{Unit: "grievance"},
		{Unit: "need", At: [4]time.Time{time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC), at(1)}, Person: 1 << 63},
		// Years beyond what nanoseconds since 1970 can hold.
		{Unit: "referral", At: [4]time.Time{time.Date(202, 5, 1, 0, 0, 0, 1, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)}},
		{Unit: "referral", At: [4]time.Time{time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)}, Deadline: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	got, err := sqlstore.RoundTripFacts(facts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(facts, got); diff != "" {
		t.Errorf("decoded (-encoded +decoded):\n%s", diff)
	}
}

// FuzzDecodeFacts: whatever the stored bytes, decoding returns facts or an
// error, never panics.
func FuzzDecodeFacts(f *testing.F) {
	enc, err := sqlstore.EncodeFactsForTest([]accord.IndicatorFact{
		{Unit: "referral", At: [4]time.Time{time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}, Dims: [7]string{"a", "b"}},
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(enc)
	f.Add([]byte{1, 0})
	f.Add([]byte{1, 200, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		sqlstore.DecodeFactsForTest(b)
	})
}

// TestStoredIndicatorFactsRace changes a client, and refreshes from another
// process, between a refresh's snapshot and its write: the change is not
// lost (its client stays listed and the next refresh computes it), and a
// refresh overtaken by another is computed again.
func TestStoredIndicatorFactsRace(t *testing.T) {
	forEachEngineFrom(t, day(time.March, 1, 9), func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		t.Cleanup(func() { sqlstore.SetFactRefreshHook(nil) })
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		same := func(step string) {
			t.Helper()
			sameFacts(t, fx.db, step)
		}
		a := fx.client("A")
		_, err := fx.db.RefreshIndicatorFacts(ctx)
		must(err)
		refer := func() {
			t.Helper()
			fx.now = fx.now.Add(time.Hour)
			must(fx.db.CreateReferral(ctx, fx.actor(), &accord.Referral{ClientID: a.ID, FromOrgID: fx.clinic.ID, FromStaffID: fx.nurse.ID,
				ToOrgID: fx.legal.ID, Purpose: accord.PurposeLegalAid, Categories: []accord.Category{accord.CatDemographics},
				Reason: "Advice on a housing claim.", Urgency: accord.UrgencyRoutine}, sqlstore.Effects{}))
		}

		t.Run("a change during a refresh stays listed", func(t *testing.T) {
			refer()
			sqlstore.SetFactRefreshHook(func() {
				sqlstore.SetFactRefreshHook(nil)
				refer() // after the snapshot: not in what is being written
			})
			r, err := fx.db.RefreshIndicatorFacts(ctx)
			must(err)
			if r.Clients != 1 {
				t.Errorf("first refresh computed %d clients, want 1", r.Clients)
			}
			r, err = fx.db.RefreshIndicatorFacts(ctx)
			must(err)
			if r.Clients != 1 {
				t.Errorf("the change made during the first refresh: the next computed %d clients, want A again", r.Clients)
			}
			same("after both refreshes")
		})
		t.Run("a refresh overtaken by another process's is computed again", func(t *testing.T) {
			other, err := sqlstore.Open(ctx, fx.dsn, sqlstore.Options{Keyring: fx.ring, Now: func() time.Time { return fx.now }})
			must(err)
			defer other.Close()
			refer()
			sqlstore.SetFactRefreshHook(func() {
				sqlstore.SetFactRefreshHook(nil)
				refer()
				if _, err := other.RefreshIndicatorFacts(ctx); err != nil { // writes first, from a newer snapshot
					t.Error(err)
				}
			})
			_, err = fx.db.RefreshIndicatorFacts(ctx)
			must(err)
			same("after the overtaken refresh")
		})
	})
}
