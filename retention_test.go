package accord_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
)

func TestPlanRetention(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	ago := func(days int) time.Time { return now.AddDate(0, 0, -days) }
	agr := func(id string, days int, status accord.AgreementStatus, parties ...string) accord.Agreement {
		return accord.Agreement{ID: id, Version: 1, Parties: parties, RetentionDays: days, Status: status}
	}
	agreements := []accord.Agreement{
		agr("agr_short", 365, accord.AgreementExpired, "clinic", "legal"),
		agr("agr_long", 1000, accord.AgreementActive, "clinic", "social"),
		agr("agr_draft", 10, accord.AgreementDraft, "legal", "ngo"),
	}
	holding := func(org string, last time.Time, holds ...accord.RetentionHold) accord.HoldingFacts {
		return accord.HoldingFacts{OrganizationID: org, LastActivity: last, Purgeable: true, Holds: holds,
			Counts: map[accord.RetentionKind]int{accord.RetentionRecords: 1}}
	}
	type got struct {
		Org    string
		Action accord.RetentionAction
		Agr    string
		Holds  []accord.RetentionHold
	}
	for _, tc := range []struct {
		name      string
		client    accord.ClientFacts
		due, held []got
	}{
		{"everything past the period: the client is erased in one item",
			accord.ClientFacts{HomeOrganizationID: "clinic", Holdings: []accord.HoldingFacts{holding("clinic", ago(400)), holding("legal", ago(380))}},
			[]got{{"clinic", accord.RetentionEraseClient, "agr_short", nil}}, nil},
		{"the partner's part past the period, the home's not: the partner's is purged",
			accord.ClientFacts{HomeOrganizationID: "clinic", Holdings: []accord.HoldingFacts{holding("clinic", ago(10)), holding("legal", ago(380))}},
			[]got{{"legal", accord.RetentionPurgeHolding, "agr_short", nil}}, nil},
		{"the home's part past the period, the partner's not: kept, and said why",
			accord.ClientFacts{HomeOrganizationID: "clinic", Holdings: []accord.HoldingFacts{holding("clinic", ago(400)), holding("legal", ago(10))}},
			nil, []got{{"clinic", accord.RetentionEraseClient, "agr_short", []accord.RetentionHold{accord.HoldOtherHolding}}}},
		{"each part is governed by the longest period of the agreements linking it to the other holders",
			accord.ClientFacts{HomeOrganizationID: "clinic", Holdings: []accord.HoldingFacts{holding("clinic", ago(400)), holding("legal", ago(400)), holding("social", ago(400))}},
			[]got{{"legal", accord.RetentionPurgeHolding, "agr_short", nil}}, nil},
		{"an open referral holds the partner's part",
			accord.ClientFacts{HomeOrganizationID: "clinic", Holdings: []accord.HoldingFacts{holding("clinic", ago(10)), holding("legal", ago(380), accord.HoldOpenReferral)}},
			nil, []got{{"legal", accord.RetentionPurgeHolding, "agr_short", []accord.RetentionHold{accord.HoldOpenReferral}}}},
		{"a legal hold on the client holds every part",
			accord.ClientFacts{HomeOrganizationID: "clinic", Holds: []accord.RetentionHold{accord.HoldLegalBasis, accord.HoldBreach},
				Holdings: []accord.HoldingFacts{holding("clinic", ago(400)), holding("legal", ago(400))}},
			nil, []got{{"clinic", accord.RetentionEraseClient, "agr_short", []accord.RetentionHold{accord.HoldLegalBasis, accord.HoldBreach}},
				{"legal", accord.RetentionPurgeHolding, "agr_short", []accord.RetentionHold{accord.HoldLegalBasis, accord.HoldBreach}}}},
		{"a draft agreement sets no period; another signed agreement of the organisation does",
			accord.ClientFacts{HomeOrganizationID: "ngo", Holdings: []accord.HoldingFacts{holding("ngo", ago(4000)), holding("legal", ago(400))}},
			[]got{{"legal", accord.RetentionPurgeHolding, "agr_short", nil}},
			[]got{{"ngo", accord.RetentionEraseClient, "", []accord.RetentionHold{accord.HoldNoAgreement}}}},
		{"an organisation's part already purged is not listed again",
			accord.ClientFacts{HomeOrganizationID: "clinic", Holdings: []accord.HoldingFacts{holding("clinic", ago(10)),
				{OrganizationID: "legal", LastActivity: ago(400), Counts: map[accord.RetentionKind]int{accord.RetentionReferrals: 1}}}},
			nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.client.ClientID = "cli_x"
			plan := accord.PlanRetention([]accord.ClientFacts{tc.client}, agreements, now)
			summary := func(its []accord.RetentionItem) []got {
				var out []got
				for _, it := range its {
					out = append(out, got{it.OrganizationID, it.Action, it.AgreementID, it.Holds})
				}
				return out
			}
			if diff := cmp.Diff(tc.due, summary(plan.Due)); diff != "" {
				t.Errorf("due (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.held, summary(plan.Held)); diff != "" {
				t.Errorf("held (-want +got):\n%s", diff)
			}
		})
	}
}
