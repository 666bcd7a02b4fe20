package accord

import (
	"slices"
	"sort"
	"time"
)

// PrefixRetentionRun is the id prefix of a retention purge run.
const PrefixRetentionRun = "ret"

// RetentionKind is a kind of data an organisation holds about a client,
// as counted by a retention plan.
type RetentionKind string

const (
	RetentionRecords     RetentionKind = "records"     // records outside any case
	RetentionNotes       RetentionKind = "notes"       // case notes the organisation wrote
	RetentionScreenings  RetentionKind = "screenings"  // screening responses it recorded
	RetentionCases       RetentionKind = "cases"       // cases it leads or takes part in
	RetentionReferrals   RetentionKind = "referrals"   // referrals it sent or received
	RetentionEscalations RetentionKind = "escalations" // escalations raised to it
	RetentionConsents    RetentionKind = "consents"    // consents it collected
)

// RetentionKinds lists the kinds in the order reports show them.
var RetentionKinds = []RetentionKind{RetentionRecords, RetentionNotes, RetentionScreenings, RetentionCases, RetentionReferrals,
	RetentionEscalations, RetentionConsents}

// RetentionAction is what purging a due item does.
type RetentionAction string

const (
	// RetentionPurgeHolding destroys one organisation's key for the client
	// and deletes the records and screenings it sealed under it; the
	// client stays, with the other organisations' data.
	RetentionPurgeHolding RetentionAction = "purge_holding"
	// RetentionEraseClient erases the client (reason retention_ended):
	// every key destroyed, personal fields and records deleted.
	RetentionEraseClient RetentionAction = "erase_client"
)

// RetentionHold is why data past its retention period is kept anyway.
type RetentionHold string

const (
	HoldOpenCase       RetentionHold = "open_case"       // a case the organisation leads or takes part in is open
	HoldCaseRecord     RetentionHold = "case_record"     // a closed joint case: it is erased with the client, not piecemeal
	HoldOpenReferral   RetentionHold = "open_referral"   // a referral to or from the organisation is not finished
	HoldOpenEscalation RetentionHold = "open_escalation" // an escalation to the organisation is open or acknowledged
	HoldLegalBasis     RetentionHold = "legal_basis"     // a court order, duty or emergency access is in force or awaits review
	HoldGrievance      RetentionHold = "open_grievance"  // an open complaint names one of the client's cases
	HoldBreach         RetentionHold = "open_breach"     // an open breach incident affected the client
	HoldNoAgreement    RetentionHold = "no_agreement"    // no agreement sets a retention period for this data
	HoldOtherHolding   RetentionHold = "other_holding"   // the client is erased only when every organisation's data is due
	HoldNotDue         RetentionHold = "not_due"         // (internal) the period has not ended
	holdNone           RetentionHold = ""                //
)

// RetentionHolds lists the holds a plan can report.
var RetentionHolds = []RetentionHold{HoldOpenCase, HoldCaseRecord, HoldOpenReferral, HoldOpenEscalation, HoldLegalBasis, HoldGrievance,
	HoldBreach, HoldNoAgreement, HoldOtherHolding}

// HoldingFacts is what one organisation holds about one client, as storage
// finds it: ids, counts, times and hold codes, never content.
type HoldingFacts struct {
	OrganizationID string
	// LastActivity is the latest time the organisation recorded, changed or
	// exchanged anything about the client.
	LastActivity time.Time
	Counts       map[RetentionKind]int
	// Purgeable is whether the organisation still holds sealed data of its
	// own about the client (a key, records, screenings).
	Purgeable bool
	Holds     []RetentionHold
}

// ClientFacts is everything the retention plan needs about one client.
type ClientFacts struct {
	ClientID           string
	HomeOrganizationID string
	// Holdings has one entry per organisation holding anything about the
	// client; the home organisation's is always there.
	Holdings []HoldingFacts
	// Holds are legal holds on the whole client.
	Holds []RetentionHold
}

// RetentionItem is one organisation's data about one client, as the plan
// judges it: due (Holds empty) or held back.
type RetentionItem struct {
	ClientID         string                `json:"client_id"`
	OrganizationID   string                `json:"organization_id"`
	Action           RetentionAction       `json:"action"`
	AgreementID      string                `json:"agreement_id,omitempty"`
	AgreementVersion int                   `json:"agreement_version,omitempty"`
	RetentionDays    int                   `json:"retention_days,omitempty"`
	LastActivity     time.Time             `json:"last_activity"`
	DueSince         time.Time             `json:"due_since,omitzero"`
	Counts           map[RetentionKind]int `json:"counts"`
	Holds            []RetentionHold       `json:"holds,omitempty"`
}

// Due reports whether the item would be purged now.
func (it *RetentionItem) Due() bool { return len(it.Holds) == 0 }

// RetentionPlan is what a purge would do now: the due items and the items
// past their period that something holds back.
type RetentionPlan struct {
	At   time.Time       `json:"at"`
	Due  []RetentionItem `json:"due"`
	Held []RetentionItem `json:"held"`
}

// governing returns the agreement that sets how long org may keep what it
// holds about a client whose data the organisations in holders hold: of
// every agreement that was ever signed (not a draft) naming org and another
// of the holders, the one with the longest retention period (the latest
// version on a tie). When no agreement links org to another holder (the
// client is org's alone, or the others hold the client under agreements
// among themselves), the longest of every signed agreement naming org: the
// client's data is in the partnership's system under those. Nil when org
// is party to no signed agreement at all.
func governing(org string, holders []string, agreements []Agreement) *Agreement {
	pick := func(linked bool) *Agreement {
		var best *Agreement
		for i := range agreements {
			a := &agreements[i]
			if a.Status == AgreementDraft || !slices.Contains(a.Parties, org) {
				continue
			}
			if linked && !slices.ContainsFunc(a.Parties, func(p string) bool { return p != org && slices.Contains(holders, p) }) {
				continue
			}
			if best == nil || a.RetentionDays > best.RetentionDays ||
				a.RetentionDays == best.RetentionDays && (a.ID > best.ID || a.ID == best.ID && a.Version > best.Version) {
				best = a
			}
		}
		return best
	}
	if a := pick(true); a != nil {
		return a
	}
	return pick(false)
}

// PlanRetention judges every client's holdings at now. An organisation's
// data about a client is past retention RetentionDays after its last
// activity with the client, RetentionDays being the governing agreement's
// (see governing). Past retention and held by nothing, another
// organisation's holding is purged on its own; the home organisation's
// holding is the client, erased only when every holding is due and
// nothing holds any. Items not yet past retention are not listed.
func PlanRetention(clients []ClientFacts, agreements []Agreement, now time.Time) *RetentionPlan {
	plan := &RetentionPlan{At: now}
	for _, c := range clients {
		holders := make([]string, len(c.Holdings))
		for i, h := range c.Holdings {
			holders[i] = h.OrganizationID
		}
		items := make([]RetentionItem, len(c.Holdings))
		allDue, home := true, -1
		for i, h := range c.Holdings {
			it := RetentionItem{ClientID: c.ClientID, OrganizationID: h.OrganizationID, Action: RetentionPurgeHolding,
				LastActivity: h.LastActivity, Counts: h.Counts}
			if h.OrganizationID == c.HomeOrganizationID {
				it.Action, home = RetentionEraseClient, i
			}
			a := governing(h.OrganizationID, holders, agreements)
			switch {
			case a == nil:
				it.Holds = []RetentionHold{HoldNoAgreement}
			default:
				it.AgreementID, it.AgreementVersion, it.RetentionDays = a.ID, a.Version, a.RetentionDays
				it.DueSince = h.LastActivity.AddDate(0, 0, a.RetentionDays)
				if now.Before(it.DueSince) {
					it.Holds = []RetentionHold{HoldNotDue}
				}
			}
			if len(it.Holds) == 0 {
				it.Holds = appendHolds(append(slices.Clone(c.Holds), h.Holds...))
			}
			if len(it.Holds) > 0 {
				allDue = false
			}
			items[i] = it
		}
		if home < 0 {
			continue // storage always reports the home holding
		}
		if allDue {
			// The client goes, and every holding with it, in one item.
			it := items[home]
			it.Counts = map[RetentionKind]int{}
			for _, h := range c.Holdings {
				for k, n := range h.Counts {
					it.Counts[k] += n
				}
			}
			plan.Due = append(plan.Due, it)
			continue
		}
		for i, it := range items {
			if slices.Contains(it.Holds, HoldNotDue) {
				continue
			}
			if i == home {
				if len(it.Holds) == 0 {
					it.Holds = []RetentionHold{HoldOtherHolding}
				}
				plan.Held = append(plan.Held, it)
				continue
			}
			if !c.Holdings[i].Purgeable {
				continue // purged before: only workflow rows with codes remain
			}
			if len(it.Holds) == 0 {
				plan.Due = append(plan.Due, it)
			} else {
				plan.Held = append(plan.Held, it)
			}
		}
	}
	order := func(s []RetentionItem) {
		sort.Slice(s, func(i, j int) bool {
			if s[i].OrganizationID != s[j].OrganizationID {
				return s[i].OrganizationID < s[j].OrganizationID
			}
			return s[i].ClientID < s[j].ClientID
		})
	}
	order(plan.Due)
	order(plan.Held)
	return plan
}

func appendHolds(hs []RetentionHold) []RetentionHold {
	slices.Sort(hs)
	return slices.Compact(hs)
}
