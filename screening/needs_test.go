package screening

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func builtin(t *testing.T, id string) *Questionnaire {
	t.Helper()
	for _, q := range Builtin() {
		if q.ID == id {
			return q
		}
	}
	t.Fatalf("no built-in questionnaire %q", id)
	return nil
}

// ruleIndex returns the index of the rule of q that gives need at urgency
// and names question in its first condition.
func ruleIndex(t *testing.T, q *Questionnaire, need NeedCode, urgency Urgency, question string) int {
	t.Helper()
	for i, r := range q.Rules {
		if r.Need == need && r.Urgency == urgency && r.When[0].Question == question {
			return i
		}
	}
	t.Fatalf("no rule %s/%s on %s", need, urgency, question)
	return -1
}

type needSummary struct {
	Code    NeedCode
	Urgency Urgency
}

func summarizeNeeds(needs []Need) []needSummary {
	var out []needSummary
	for _, n := range needs {
		out = append(out, needSummary{n.Code, n.Urgency})
	}
	return out
}

func TestEvaluateSocialLegal(t *testing.T) {
	q := builtin(t, "social-legal-needs")
	// base answers the required questions with no need.
	base := func(items ...ResponseItem) *Response {
		items = append(items, ans("income.1", Bool(false)), ans("food.1", Bool(false)), ans("housing.1", Code("stable")))
		groups := map[string][]ResponseItem{}
		seen := map[string]bool{}
		var top []ResponseItem
		for _, it := range items {
			if seen[it.LinkID] {
				continue // answered by the test: the default does not apply
			}
			seen[it.LinkID] = true
			if g := q.parent[it.LinkID]; g != nil {
				groups[g.LinkID] = append(groups[g.LinkID], it)
			} else {
				top = append(top, it)
			}
		}
		for _, g := range []string{"income", "food", "housing", "education", "legal", "literacy", "safety", "medication"} {
			if len(groups[g]) > 0 {
				top = append(top, grp(g, groups[g]...))
			}
		}
		return resp(q, StatusCompleted, top...)
	}
	tests := []struct {
		name string
		r    *Response
		want []needSummary
	}{
		{"no needs", base(ans("housing.2", Bool(false)), ans("safety.1", Bool(true)), ans("legal.1", Bool(false))), nil},
		{"eviction in 3 days", base(ans("housing.1", Code("worried")), ans("housing.2", Bool(true)), ans("housing.3", Code("within_3_days")), ans("housing.4", Date("2026-03-04"))),
			[]needSummary{{NeedEviction, UrgencyImmediate}, {NeedHousing, UrgencySoon}}},
		{"eviction in 4 to 14 days", base(ans("housing.2", Bool(true)), ans("housing.3", Code("within_14_days"))),
			[]needSummary{{NeedEviction, UrgencyUrgent}}},
		{"eviction date unknown", base(ans("housing.2", Bool(true)), ans("housing.3", Code("unknown"))),
			[]needSummary{{NeedEviction, UrgencyUrgent}}},
		{"eviction date not given", base(ans("housing.2", Bool(true))),
			[]needSummary{{NeedEviction, UrgencyUrgent}}},
		{"eviction later", base(ans("housing.2", Bool(true)), ans("housing.3", Code("later"))),
			[]needSummary{{NeedEviction, UrgencySoon}}},
		{"no safe place tonight", base(ans("housing.1", Code("none"))), []needSummary{{NeedHousing, UrgencyImmediate}}},
		{"unsafe at home", base(ans("safety.1", Bool(false)), ans("safety.2", Bool(false))),
			[]needSummary{{NeedDomesticViolence, UrgencyUrgent}}},
		{"unsafe at home and threatened now", base(ans("safety.1", Bool(false)), ans("safety.2", Bool(true))),
			[]needSummary{{NeedDomesticViolence, UrgencyImmediate}}},
		{"hurt in the past year, still reachable", base(ans("safety.1", Bool(true)), ans("safety.3", Bool(true)), ans("safety.4", Bool(true))),
			[]needSummary{{NeedPersonalSafety, UrgencyUrgent}}},
		{"deportation notice", base(ans("legal.1", Bool(true)), ans("legal.2", Bool(true)), ans("legal.3", Bool(true))),
			[]needSummary{{NeedImmigrationLegalStatus, UrgencyImmediate}}},
		{"immigration worries only", base(ans("legal.1", Bool(true)), ans("legal.2", Bool(false)), ans("legal.3", Bool(false))),
			[]needSummary{{NeedImmigrationLegalStatus, UrgencyRoutine}}},
		{"many needs, sorted", base(
			ans("income.1", Bool(true)), ans("income.2", Bool(true)),
			ans("food.1", Bool(true)), ans("food.2", Bool(true)),
			ans("housing.1", Code("temporary")), ans("housing.5", Bool(true)), ans("housing.6", Bool(true)), ans("housing.7", Bool(true)),
			ans("education.1", Bool(true)), ans("education.2", Bool(false)), ans("education.3", Bool(true)),
			ans("legal.4", Bool(true)),
			ans("literacy.1", Code("often")),
			ans("medication.1", Bool(true)), ans("medication.2", Bool(false)),
			ans("anything_else", String("Help with a letter from the school, please.")),
		), []needSummary{
			{NeedFood, UrgencyUrgent}, {NeedHousing, UrgencyUrgent}, {NeedUtilities, UrgencyUrgent},
			{NeedIncomeBenefits, UrgencySoon}, {NeedMedicationAccess, UrgencySoon},
			{NeedEducation, UrgencyRoutine}, {NeedLiteracy, UrgencyRoutine}, {NeedOther, UrgencyRoutine},
		}},
		{"literacy: rarely is not a need", base(ans("literacy.1", Code("rarely"))), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := q.Check(tt.r); err != nil {
				t.Fatalf("Check: %v", err)
			}
			if diff := cmp.Diff(tt.want, summarizeNeeds(q.Evaluate(tt.r))); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("the winning rule and its explanation", func(t *testing.T) {
		r := base(ans("housing.1", Code("worried")), ans("housing.2", Bool(true)), ans("housing.3", Code("within_3_days")))
		notice := ruleIndex(t, q, NeedEviction, UrgencySoon, "housing.2")
		days3 := ruleIndex(t, q, NeedEviction, UrgencyImmediate, "housing.3")
		worried := ruleIndex(t, q, NeedHousing, UrgencySoon, "housing.1")
		want := []Need{
			{Code: NeedEviction, Urgency: UrgencyImmediate, Rule: days3, Fired: []int{notice, days3}, Explanation: q.Rules[days3].Explanation},
			{Code: NeedHousing, Urgency: UrgencySoon, Rule: worried, Fired: []int{worried}, Explanation: q.Rules[worried].Explanation},
		}
		got := q.Evaluate(r)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Evaluate (-want +got):\n%s", diff)
		}
		got[0].Explanation["en"] = "changed"
		if q.Rules[days3].Explanation["en"] == "changed" {
			t.Error("Evaluate returned the questionnaire's own explanation map")
		}
	})

	t.Run("answers to disabled questions are not counted", func(t *testing.T) {
		// As if a form kept the old answer when housing.1 changed: Check
		// refuses it, and Evaluate ignores it.
		r := base(ans("housing.1", Code("none")), ans("housing.2", Bool(true)), ans("housing.3", Code("within_3_days")))
		if err := q.Check(r); err == nil {
			t.Error("Check accepted an answer to a disabled question")
		}
		if diff := cmp.Diff([]needSummary{{NeedHousing, UrgencyImmediate}}, summarizeNeeds(q.Evaluate(r))); diff != "" {
			t.Errorf("Evaluate (-want +got):\n%s", diff)
		}
	})
}

func TestEvaluateMigrantHealth(t *testing.T) {
	q := builtin(t, "migrant-health-access")
	base := func(extra map[string][]ResponseItem) *Response {
		groups := map[string][]ResponseItem{
			"care":      {ans("care.1", Bool(false))},
			"language":  {ans("language.1", Bool(false))},
			"medicines": {ans("medicines.1", Bool(false))},
		}
		for g, items := range extra {
			groups[g] = items
		}
		var top []ResponseItem
		for _, g := range []string{"care", "language", "medicines", "disability", "pregnancy", "mood"} {
			if len(groups[g]) > 0 {
				top = append(top, grp(g, groups[g]...))
			}
		}
		return resp(q, StatusCompleted, top...)
	}
	meds := func(days int32, hard bool) map[string][]ResponseItem {
		return map[string][]ResponseItem{"medicines": {ans("medicines.1", Bool(true)), ans("medicines.2", Int(days)), ans("medicines.3", Bool(hard))}}
	}
	pregnant := func(care bool, weeks int32) map[string][]ResponseItem {
		return map[string][]ResponseItem{"pregnancy": {ans("pregnancy.1", Code("yes")), ans("pregnancy.2", Bool(care)), ans("pregnancy.3", Int(weeks))}}
	}
	tests := []struct {
		name string
		r    *Response
		want []needSummary
	}{
		{"no needs", base(nil), nil},
		{"medicine runs out in 2 days", base(meds(2, false)), []needSummary{{NeedMedicationAccess, UrgencyUrgent}}},
		{"medicine runs out in 3 days", base(meds(3, false)), []needSummary{{NeedMedicationAccess, UrgencyUrgent}}},
		{"medicine already run out", base(meds(0, true)), []needSummary{{NeedMedicationAccess, UrgencyUrgent}}},
		{"medicine for 5 days", base(meds(5, false)), []needSummary{{NeedMedicationAccess, UrgencySoon}}},
		{"medicine for 30 days", base(meds(30, false)), nil},
		{"medicine for 30 days but hard to get", base(meds(30, true)), []needSummary{{NeedMedicationAccess, UrgencySoon}}},
		{"barriers", base(map[string][]ResponseItem{
			"care":     {ans("care.1", Bool(true)), ans("care.2", Code("fear"), Code("documents"), Code("cost")), ans("care.3", Bool(true))},
			"language": {ans("language.1", Bool(true)), ans("language.2", String("Tigrinya")), ans("language.3", Code("woman"))},
		}), []needSummary{{NeedOther, UrgencySoon}, {NeedImmigrationLegalStatus, UrgencyRoutine}, {NeedIncomeBenefits, UrgencyRoutine}}},
		{"fear alone", base(map[string][]ResponseItem{"care": {ans("care.1", Bool(false)), ans("care.3", Bool(true))}}),
			[]needSummary{{NeedImmigrationLegalStatus, UrgencyRoutine}}},
		{"late pregnancy without care", base(pregnant(false, 30)), []needSummary{{NeedOther, UrgencyUrgent}}},
		{"early pregnancy without care", base(pregnant(false, 12)), []needSummary{{NeedOther, UrgencySoon}}},
		{"pregnancy with care", base(pregnant(true, 30)), nil},
		{"disability", base(map[string][]ResponseItem{"disability": {ans("disability.1", Bool(true)), ans("disability.2", Bool(true))}}),
			[]needSummary{{NeedDisabilityAccommodation, UrgencySoon}}},
		{"distress", base(map[string][]ResponseItem{"mood": {ans("mood.1", Code("nearly_every_day")), ans("mood.2", Code("several_days")), ans("mood.3", Bool(true)), ans("mood.4", Bool(false))}}),
			[]needSummary{{NeedOther, UrgencySoon}}},
		{"thoughts of self-harm", base(map[string][]ResponseItem{"mood": {ans("mood.1", Code("more_than_half")), ans("mood.4", Bool(true))}}),
			[]needSummary{{NeedPersonalSafety, UrgencyImmediate}, {NeedOther, UrgencySoon}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := q.Check(tt.r); err != nil {
				t.Fatalf("Check: %v", err)
			}
			if diff := cmp.Diff(tt.want, summarizeNeeds(q.Evaluate(tt.r))); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateTies(t *testing.T) {
	q := mustLoad(t, doc([]string{it("a", "boolean", ""), it("b", "boolean", "")},
		rule("food", "soon", "", `{"question":"a","operator":"=","answerBoolean":true}`),
		rule("food", "soon", "", `{"question":"b","operator":"=","answerBoolean":true}`),
		rule("food", "routine", "", `{"question":"b","operator":"=","answerBoolean":true}`),
		rule("housing", "urgent", "all", `{"question":"a","operator":"=","answerBoolean":true}`, `{"question":"b","operator":"=","answerBoolean":true}`),
	))
	got := q.Evaluate(resp(q, StatusCompleted, ans("a", Bool(true)), ans("b", Bool(true))))
	want := []Need{
		{Code: NeedHousing, Urgency: UrgencyUrgent, Rule: 3, Fired: []int{3}},
		{Code: NeedFood, Urgency: UrgencySoon, Rule: 0, Fired: []int{0, 1, 2}},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Need{}, "Explanation")); diff != "" {
		t.Errorf("Evaluate (-want +got):\n%s", diff)
	}
	if got := q.Evaluate(nil); len(got) != 0 {
		t.Errorf("Evaluate(nil) = %v, want none", got)
	}
}

func TestCompare(t *testing.T) {
	n := func(code NeedCode, u Urgency) Need { return Need{Code: code, Urgency: u} }
	tests := []struct {
		name       string
		prev, next []Need
		want       Change
	}{
		{"nothing", nil, nil, Change{}},
		{"same", []Need{n(NeedFood, UrgencySoon)}, []Need{n(NeedFood, UrgencySoon)}, Change{}},
		{"first screening", nil, []Need{n(NeedEviction, UrgencyImmediate), n(NeedFood, UrgencySoon)},
			Change{New: []Need{n(NeedEviction, UrgencyImmediate), n(NeedFood, UrgencySoon)}}},
		{"all resolved", []Need{n(NeedFood, UrgencySoon), n(NeedLiteracy, UrgencyRoutine)}, nil,
			Change{Resolved: []Need{n(NeedFood, UrgencySoon), n(NeedLiteracy, UrgencyRoutine)}}},
		{"every kind of change",
			[]Need{n(NeedEviction, UrgencySoon), n(NeedFood, UrgencyUrgent), n(NeedHousing, UrgencySoon), n(NeedLiteracy, UrgencyRoutine), n(NeedUtilities, UrgencyUrgent)},
			[]Need{n(NeedEviction, UrgencyImmediate), n(NeedDomesticViolence, UrgencyUrgent), n(NeedFood, UrgencyRoutine), n(NeedHousing, UrgencySoon), n(NeedUtilities, UrgencyImmediate)},
			Change{
				New:      []Need{n(NeedDomesticViolence, UrgencyUrgent)},
				Resolved: []Need{n(NeedLiteracy, UrgencyRoutine)},
				Up: []UrgencyChange{
					{Code: NeedEviction, From: UrgencySoon, To: UrgencyImmediate},
					{Code: NeedUtilities, From: UrgencyUrgent, To: UrgencyImmediate},
				},
				Down: []UrgencyChange{{Code: NeedFood, From: UrgencyUrgent, To: UrgencyRoutine}},
			}},
		{"a code twice counts at its most urgent", []Need{n(NeedFood, UrgencyRoutine), n(NeedFood, UrgencyUrgent)}, []Need{n(NeedFood, UrgencySoon)},
			Change{Down: []UrgencyChange{{Code: NeedFood, From: UrgencyUrgent, To: UrgencySoon}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Compare(tt.prev, tt.next)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Compare (-want +got):\n%s", diff)
			}
			if got.Empty() != (tt.want.New == nil && tt.want.Resolved == nil && tt.want.Up == nil && tt.want.Down == nil) {
				t.Errorf("Empty() = %v", got.Empty())
			}
		})
	}

	t.Run("re-screening", func(t *testing.T) {
		q := builtin(t, "social-legal-needs")
		first := resp(q, StatusCompleted,
			grp("income", ans("income.1", Bool(false))), grp("food", ans("food.1", Bool(true))),
			grp("housing", ans("housing.1", Code("worried")), ans("housing.2", Bool(true)), ans("housing.3", Code("later"))))
		second := resp(q, StatusCompleted,
			grp("income", ans("income.1", Bool(false))), grp("food", ans("food.1", Bool(false))),
			grp("housing", ans("housing.1", Code("worried")), ans("housing.2", Bool(true)), ans("housing.3", Code("within_14_days"))),
			grp("safety", ans("safety.1", Bool(false))))
		for _, r := range []*Response{first, second} {
			if err := q.Check(r); err != nil {
				t.Fatalf("Check: %v", err)
			}
		}
		got := Compare(q.Evaluate(first), q.Evaluate(second))
		want := Change{
			New:      []Need{n(NeedDomesticViolence, UrgencyUrgent)},
			Resolved: []Need{n(NeedFood, UrgencySoon)},
			Up:       []UrgencyChange{{Code: NeedEviction, From: UrgencySoon, To: UrgencyUrgent}},
		}
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Need{}, "Rule", "Fired", "Explanation")); diff != "" {
			t.Errorf("Compare (-want +got):\n%s", diff)
		}
	})
}
