package screening

import (
	"cmp"
	"maps"
	"slices"
)

// NeedCode is an identified social or legal need.
type NeedCode string

const (
	NeedHousing                 NeedCode = "housing"
	NeedEviction                NeedCode = "eviction"
	NeedIncomeBenefits          NeedCode = "income_benefits"
	NeedImmigrationLegalStatus  NeedCode = "immigration_legal_status"
	NeedEducation               NeedCode = "education"
	NeedPersonalSafety          NeedCode = "personal_safety"
	NeedDomesticViolence        NeedCode = "domestic_violence"
	NeedUtilities               NeedCode = "utilities"
	NeedFood                    NeedCode = "food"
	NeedMedicationAccess        NeedCode = "medication_access"
	NeedDisabilityAccommodation NeedCode = "disability_accommodation"
	NeedLiteracy                NeedCode = "literacy"
	NeedOther                   NeedCode = "other"
)

// Needs lists every need code. The list is append-only: needs are stored.
var Needs = []NeedCode{
	NeedHousing, NeedEviction, NeedIncomeBenefits, NeedImmigrationLegalStatus, NeedEducation,
	NeedPersonalSafety, NeedDomesticViolence, NeedUtilities, NeedFood, NeedMedicationAccess,
	NeedDisabilityAccommodation, NeedLiteracy, NeedOther,
}

// Valid reports whether n is a known need.
func (n NeedCode) Valid() bool { return slices.Contains(Needs, n) }

// Urgency is how soon a need should be acted on.
type Urgency string

const (
	UrgencyRoutine   Urgency = "routine"   // at the next regular contact
	UrgencySoon      Urgency = "soon"      // within days
	UrgencyUrgent    Urgency = "urgent"    // today or tomorrow
	UrgencyImmediate Urgency = "immediate" // before the person leaves
)

// Urgencies lists the urgencies from least to most urgent.
var Urgencies = []Urgency{UrgencyRoutine, UrgencySoon, UrgencyUrgent, UrgencyImmediate}

// Valid reports whether u is a known urgency.
func (u Urgency) Valid() bool { return slices.Contains(Urgencies, u) }

// Rank orders urgencies: 0 for routine up to 3 for immediate, -1 for an
// unknown one.
func (u Urgency) Rank() int { return slices.Index(Urgencies, u) }

// Need is a need identified by a questionnaire's rules.
type Need struct {
	Code    NeedCode
	Urgency Urgency
	// Rule is the index in Questionnaire.Rules of the rule that gave the
	// urgency: the first of the most urgent that fired.
	Rule int
	// Fired lists every rule that gave this need, in order.
	Fired []int
	// Explanation is Rule's explanation, for the person who follows up.
	Explanation Translations
}

// Evaluate returns the needs that q's rules find in r, one per need code,
// the most urgent first and then by code. Call it on a response that passed
// Check: on one that did not, the result is safe but means little. Answers
// to disabled questions are not counted, as Enabled says.
func (q *Questionnaire) Evaluate(r *Response) []Need {
	e := q.newEval(r)
	byCode := map[NeedCode]*Need{}
	var out []*Need
	for i := range q.Rules {
		rule := &q.Rules[i]
		if !e.holds(rule.When, rule.Behavior) {
			continue
		}
		n := byCode[rule.Need]
		if n == nil {
			n = &Need{Code: rule.Need, Urgency: rule.Urgency, Rule: i}
			byCode[rule.Need] = n
			out = append(out, n)
		} else if rule.Urgency.Rank() > n.Urgency.Rank() {
			n.Urgency, n.Rule = rule.Urgency, i
		}
		n.Fired = append(n.Fired, i)
	}
	needs := make([]Need, len(out))
	for i, n := range out {
		n.Explanation = maps.Clone(q.Rules[n.Rule].Explanation)
		needs[i] = *n
	}
	sortNeeds(needs)
	return needs
}

// sortNeeds sorts the most urgent first, then by code.
func sortNeeds(needs []Need) {
	slices.SortStableFunc(needs, func(a, b Need) int {
		if c := cmp.Compare(b.Urgency.Rank(), a.Urgency.Rank()); c != 0 {
			return c
		}
		return cmp.Compare(a.Code, b.Code)
	})
}

// Change is what re-screening changed between two lists of needs.
type Change struct {
	New      []Need          // needs in next that were not in prev
	Resolved []Need          // needs in prev that are not in next (as they were in prev)
	Up       []UrgencyChange // needs that became more urgent
	Down     []UrgencyChange // needs that became less urgent
}

// UrgencyChange is one need whose urgency changed.
type UrgencyChange struct {
	Code NeedCode `json:"code"`
	From Urgency  `json:"from"`
	To   Urgency  `json:"to"`
}

// Empty reports whether nothing changed.
func (c Change) Empty() bool {
	return len(c.New) == 0 && len(c.Resolved) == 0 && len(c.Up) == 0 && len(c.Down) == 0
}

// Compare returns what changed from prev to next, each list as Evaluate
// returns them (should a code appear twice, its most urgent entry counts).
// Each part of the Change is sorted as Evaluate sorts, New and Up by the new
// urgency, Resolved and Down by the old.
func Compare(prev, next []Need) Change {
	p, n := byCode(prev), byCode(next)
	var c Change
	for code, nn := range n {
		pn, ok := p[code]
		switch {
		case !ok:
			c.New = append(c.New, nn)
		case nn.Urgency.Rank() > pn.Urgency.Rank():
			c.Up = append(c.Up, UrgencyChange{Code: code, From: pn.Urgency, To: nn.Urgency})
		case nn.Urgency.Rank() < pn.Urgency.Rank():
			c.Down = append(c.Down, UrgencyChange{Code: code, From: pn.Urgency, To: nn.Urgency})
		}
	}
	for code, pn := range p {
		if _, ok := n[code]; !ok {
			c.Resolved = append(c.Resolved, pn)
		}
	}
	sortNeeds(c.New)
	sortNeeds(c.Resolved)
	sortChanges := func(cs []UrgencyChange, urgency func(UrgencyChange) Urgency) {
		slices.SortFunc(cs, func(a, b UrgencyChange) int {
			if d := cmp.Compare(urgency(b).Rank(), urgency(a).Rank()); d != 0 {
				return d
			}
			return cmp.Compare(a.Code, b.Code)
		})
	}
	sortChanges(c.Up, func(u UrgencyChange) Urgency { return u.To })
	sortChanges(c.Down, func(u UrgencyChange) Urgency { return u.From })
	return c
}

func byCode(needs []Need) map[NeedCode]Need {
	m := make(map[NeedCode]Need, len(needs))
	for _, n := range needs {
		if old, ok := m[n.Code]; !ok || n.Urgency.Rank() > old.Urgency.Rank() {
			m[n.Code] = n
		}
	}
	return m
}
