package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// complianceFixture is a client with an active agreement between the
// clinic and legal aid and a consent to share clinical summaries with legal
// aid, and an audit log with 31 such disclosures a minute apart from t0,
// among same-organisation reads that are not disclosures.
type complianceFixture struct {
	*fixture
	client      *accord.Client
	agreement   *accord.Agreement
	consent     *accord.Consent
	disclosures []int64 // indexes
}

func newComplianceFixture(t *testing.T, fx *fixture) *complianceFixture {
	ctx := context.Background()
	cf := &complianceFixture{fixture: fx, client: fx.client("Amal")}
	cf.agreement = fx.agreement()
	cf.agreement.Status = accord.AgreementActive
	cf.agreement.Signatories = []accord.Signatory{{OrganizationID: fx.clinic.ID, Name: "A"}, {OrganizationID: fx.legal.ID, Name: "B"}}
	if err := fx.db.CreateAgreement(ctx, fx.admin, cf.agreement); err != nil {
		t.Fatal(err)
	}
	cf.consent = &accord.Consent{ClientID: cf.client.ID, Method: accord.MethodWritten, Language: "es", Start: t0.Add(-time.Hour), Provisions: []accord.Provision{{
		Type: accord.ProvisionPermit, Organizations: []string{fx.legal.ID}, Purposes: []accord.Purpose{accord.PurposeLegalAid},
		Categories: []accord.Category{accord.CatClinicalSummary},
	}}}
	if err := fx.db.CreateConsent(ctx, fx.actor(), cf.consent); err != nil {
		t.Fatal(err)
	}
	size, err := fx.db.AuditSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var es []accord.AuditEntry
	for i := range 40 {
		e := cf.disclosure(t0.Add(time.Duration(i) * time.Minute))
		if i%4 == 3 { // the clinic's own nurse: not a disclosure
			e.ActorID, e.ActorOrganizationID, e.Reason, e.AgreementID, e.AgreementVersion, e.ConsentID, e.Provision =
				fx.nurse.ID, fx.clinic.ID, accord.ReasonSameOrgCareTeam, "", 0, "", nil
		} else {
			cf.disclosures = append(cf.disclosures, int64(size)+int64(i))
		}
		es = append(es, e)
	}
	es = append(es, accord.AuditEntry{Time: t0.Add(50 * time.Minute), Kind: accord.AuditDecision, ActorID: fx.nurse.ID, ActorOrganizationID: fx.clinic.ID,
		ClientID: cf.client.ID, HolderID: fx.legal.ID, Category: accord.CatLegalMatter, Purpose: accord.PurposeTreatment, Effect: "deny", Reason: accord.ReasonNoAgreement})
	if err := fx.db.AppendAudit(ctx, es...); err != nil {
		t.Fatal(err)
	}
	return cf
}

// disclosure is a legal aid advocate's read of the clinic's clinical
// summary under the agreement and provision 0 of the consent.
func (cf *complianceFixture) disclosure(at time.Time) accord.AuditEntry {
	zero := 0
	return accord.AuditEntry{Time: at, Kind: accord.AuditDecision, ActorID: "stf_advocate", ActorOrganizationID: cf.legal.ID, ClientID: cf.client.ID,
		HolderID: cf.clinic.ID, Category: accord.CatClinicalSummary, Purpose: accord.PurposeLegalAid, Effect: "permit",
		Reason: accord.ReasonAgreementConsent, Released: true, AgreementID: cf.agreement.ID, AgreementVersion: 1, ConsentID: cf.consent.ID, Provision: &zero}
}

func sampled(s *sqlstore.DisclosureSample) []int64 {
	var out []int64
	for _, e := range s.Entries {
		out = append(out, e.Index)
	}
	return out
}

// TestSampleDisclosures draws samples of disclosures: the same seed and log
// size give the same sample even after the log grew, every disclosure can
// be drawn, only disclosures are, and bad requests name their field.
func TestSampleDisclosures(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		cf := newComplianceFixture(t, fx)
		draw := func(r sqlstore.SampleRequest) *sqlstore.DisclosureSample {
			t.Helper()
			s, err := fx.db.SampleDisclosures(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		day := sqlstore.SampleRequest{N: 5, Seed: 7, From: t0, To: t0.Add(24 * time.Hour)}
		first := draw(day)
		if first.Population != len(cf.disclosures) || len(first.Entries) != 5 {
			t.Fatalf("population %d, sampled %d; want %d and 5", first.Population, len(first.Entries), len(cf.disclosures))
		}
		for _, e := range first.Entries {
			if !slices.Contains(cf.disclosures, e.Index) {
				t.Errorf("entry %d is not a disclosure", e.Index)
			}
		}
		if !slices.IsSorted(sampled(first)) {
			t.Errorf("the sample is not in log order: %v", sampled(first))
		}

		t.Run("same seed and size, same sample, after the log grew", func(t *testing.T) {
			var more []accord.AuditEntry
			for i := range 20 {
				more = append(more, cf.disclosure(t0.Add(time.Duration(60+i)*time.Minute)))
			}
			if err := fx.db.AppendAudit(ctx, more...); err != nil {
				t.Fatal(err)
			}
			again := day
			again.Size = first.Size
			if diff := cmp.Diff(sampled(first), sampled(draw(again))); diff != "" {
				t.Errorf("reproduced sample (-first +again):\n%s", diff)
			}
			now := draw(day)
			if now.Population != len(cf.disclosures)+20 || now.Size != first.Size+20 {
				t.Errorf("grown log: population %d, size %d", now.Population, now.Size)
			}
			other := day
			other.Seed, other.Size = 8, first.Size
			if slices.Equal(sampled(first), sampled(draw(other))) {
				t.Error("another seed drew the same sample")
			}
		})
		t.Run("a sample larger than the period holds takes all", func(t *testing.T) {
			r := day
			r.N, r.Size = 100, first.Size
			if diff := cmp.Diff(cf.disclosures, sampled(draw(r))); diff != "" {
				t.Errorf("(-disclosures +sample):\n%s", diff)
			}
		})
		t.Run("the period bounds the population", func(t *testing.T) {
			r := sqlstore.SampleRequest{N: 100, Seed: 1, From: t0.Add(10 * time.Minute), To: t0.Add(20 * time.Minute), Size: first.Size}
			var want []int64
			for _, i := range cf.disclosures {
				if m := i - cf.disclosures[0]; m >= 10 && m < 20 {
					want = append(want, i)
				}
			}
			if diff := cmp.Diff(want, sampled(draw(r))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
		t.Run("every disclosure can be drawn", func(t *testing.T) {
			seen := map[int64]bool{}
			for seed := range uint64(600) {
				r := sqlstore.SampleRequest{N: 1, Seed: seed, From: t0, To: t0.Add(time.Hour), Size: first.Size}
				seen[draw(r).Entries[0].Index] = true
			}
			for _, i := range cf.disclosures {
				if !seen[i] {
					t.Errorf("disclosure %d never drawn in 600 seeds", i)
				}
			}
		})
		t.Run("bad requests", func(t *testing.T) {
			for _, tc := range []struct {
				name  string
				r     sqlstore.SampleRequest
				field string
			}{
				{"no sample", sqlstore.SampleRequest{N: 0, From: t0, To: t0.Add(time.Hour)}, "n"},
				{"too large a sample", sqlstore.SampleRequest{N: sqlstore.MaxSample + 1, From: t0, To: t0.Add(time.Hour)}, "n"},
				{"no period", sqlstore.SampleRequest{N: 5}, "from"},
				{"a period ending before it starts", sqlstore.SampleRequest{N: 5, From: t0, To: t0.Add(-time.Hour)}, "to"},
				{"a log larger than it is", sqlstore.SampleRequest{N: 5, From: t0, To: t0.Add(time.Hour), Size: 1 << 40}, "size"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, err := fx.db.SampleDisclosures(ctx, tc.r)
					if e := accord.AsError(err); e == nil || e.Code != accord.EINVALID || e.Field != tc.field {
						t.Errorf("err = %v, want invalid %s", err, tc.field)
					}
				})
			}
		})
	})
}

// TestEvidenceLoader loads what each disclosure names, as stored: a
// faithful disclosure is tied, one fabricated with a category the consent
// does not cover is flagged, as is one naming an agreement version that
// does not exist.
func TestEvidenceLoader(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		cf := newComplianceFixture(t, fx)
		load := fx.db.NewEvidenceLoader()
		for _, tc := range []struct {
			name   string
			change func(e *accord.AuditEntry)
			want   accord.Tie
		}{
			{"faithful", func(*accord.AuditEntry) {}, accord.Tie{Basis: accord.TieAgreementConsent}},
			{"a category the consent does not cover", func(e *accord.AuditEntry) { e.Category = accord.CatImmigrationStatus },
				accord.Tie{Basis: accord.TieAgreementConsent, Problems: []accord.TieProblem{accord.ProblemAgreementCategory, accord.ProblemProvisionCategory}}},
			{"an agreement version that does not exist", func(e *accord.AuditEntry) { e.AgreementVersion = 9 },
				accord.Tie{Basis: accord.TieAgreementConsent, Problems: []accord.TieProblem{accord.ProblemAgreementMissing}}},
			{"a consent that does not exist", func(e *accord.AuditEntry) { e.ConsentID = accord.NewID(accord.PrefixConsent, nil) },
				accord.Tie{Basis: accord.TieAgreementConsent, Problems: []accord.TieProblem{accord.ProblemConsentMissing}}},
			{"a court order that does not exist", func(e *accord.AuditEntry) {
				e.Reason, e.LegalBasisID = accord.ReasonCourtOrder, accord.NewID(accord.PrefixLegalBasis, nil)
			}, accord.Tie{Basis: accord.TieLegalBasis, Problems: []accord.TieProblem{accord.ProblemBasisMissing}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := cf.disclosure(t0.Add(time.Minute))
				tc.change(&e)
				ev, err := load.Load(ctx, &e)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, accord.CheckTie(&e, ev), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
		t.Run("an erased client's disclosures cannot be checked", func(t *testing.T) {
			if err := fx.db.EraseClient(ctx, fx.admin, cf.client.ID, accord.ErasureClientRequest); err != nil {
				t.Fatal(err)
			}
			e := cf.disclosure(t0.Add(time.Minute))
			ev, err := fx.db.NewEvidenceLoader().Load(ctx, &e)
			if err != nil {
				t.Fatal(err)
			}
			if got := accord.CheckTie(&e, ev); got.Basis != accord.TieErased || got.Untied() {
				t.Errorf("got %+v", got)
			}
		})
	})
}
