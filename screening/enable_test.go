package screening

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// enableQ has one question of each type and an item enabled by each
// operator, and groups to show that a disabled group disables its children.
var enableQ = doc([]string{
	it("b", "boolean", ""),
	it("c", "choice", `,"repeats":true,"answerOption":[{"valueCoding":{"system":"urn:s","code":"x","display":`+tr("x")+`}},`+
		`{"valueCoding":{"code":"y","display":`+tr("y")+`}},{"valueCoding":{"code":"z","display":`+tr("z")+`}}]`),
	it("i", "integer", ""),
	it("n", "decimal", ""),
	it("d", "date", ""),
	it("s", "string", ""),

	it("b.exists", "display", `,"enableWhen":[{"question":"b","operator":"exists","answerBoolean":true}]`),
	it("b.missing", "display", `,"enableWhen":[{"question":"b","operator":"exists","answerBoolean":false}]`),
	it("b.true", "display", `,"enableWhen":[{"question":"b","operator":"=","answerBoolean":true}]`),
	it("b.not-true", "display", `,"enableWhen":[{"question":"b","operator":"!=","answerBoolean":true}]`),
	it("c.x", "display", `,"enableWhen":[{"question":"c","operator":"=","answerCoding":{"code":"x"}}]`),
	it("c.not-x", "display", `,"enableWhen":[{"question":"c","operator":"!=","answerCoding":{"code":"x"}}]`),
	it("c.x-system", "display", `,"enableWhen":[{"question":"c","operator":"=","answerCoding":{"system":"urn:s","code":"x"}}]`),
	it("i.gt5", "display", `,"enableWhen":[{"question":"i","operator":">","answerInteger":5}]`),
	it("i.lt5", "display", `,"enableWhen":[{"question":"i","operator":"<","answerInteger":5}]`),
	it("i.ge5", "display", `,"enableWhen":[{"question":"i","operator":">=","answerInteger":5}]`),
	it("i.le5", "display", `,"enableWhen":[{"question":"i","operator":"<=","answerInteger":5}]`),
	it("i.eq5", "display", `,"enableWhen":[{"question":"i","operator":"=","answerInteger":5}]`),
	it("n.gt", "display", `,"enableWhen":[{"question":"n","operator":">","answerDecimal":2.5}]`),
	it("d.before", "display", `,"enableWhen":[{"question":"d","operator":"<","answerDate":"2026-03-01"}]`),
	it("s.eq", "display", `,"enableWhen":[{"question":"s","operator":"=","answerString":"yes"}]`),
	it("all", "display", `,"enableBehavior":"all","enableWhen":[{"question":"b","operator":"=","answerBoolean":true},{"question":"i","operator":">","answerInteger":5}]`),
	it("any", "display", `,"enableBehavior":"any","enableWhen":[{"question":"b","operator":"=","answerBoolean":true},{"question":"i","operator":">","answerInteger":5}]`),

	// A chain: chain.2 is asked when chain.1 is yes; chain.3 when chain.2 is yes.
	it("chain.1", "boolean", ""),
	it("chain.2", "boolean", `,"enableWhen":[{"question":"chain.1","operator":"=","answerBoolean":true}]`),
	it("chain.3", "boolean", `,"enableWhen":[{"question":"chain.2","operator":"=","answerBoolean":true}]`),
	it("chain.2-missing", "display", `,"enableWhen":[{"question":"chain.2","operator":"exists","answerBoolean":false}]`),

	// Groups: g is asked when b is yes; its children follow it.
	it("g", "group", `,"enableWhen":[{"question":"b","operator":"=","answerBoolean":true}],"item":[`+
		it("g.q", "boolean", "")+`,`+
		it("g.free", "display", `,"enableWhen":[{"question":"i","operator":"exists","answerBoolean":true}]`)+`,`+
		it("g.inner", "group", `,"item":[`+it("g.inner.q", "integer", "")+`]`)+`]`),
	it("after-g", "display", `,"enableWhen":[{"question":"g.inner.q","operator":"exists","answerBoolean":true}]`),
})

func TestEnabled(t *testing.T) {
	q := mustLoad(t, enableQ)
	all := func(want map[string]bool) map[string]bool {
		// Items not named are expected disabled unless they have no enableWhen.
		out := map[string]bool{}
		for _, it := range q.order {
			out[it.LinkID] = len(it.EnableWhen) == 0 && q.parent[it.LinkID] == nil
		}
		// "!=" holds when nothing equals, so these are on with no answers.
		out["b.not-true"], out["c.not-x"], out["b.missing"], out["chain.2-missing"] = true, true, true, true
		for k, v := range want {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name  string
		items []ResponseItem
		want  map[string]bool
	}{
		{"no answers", nil, all(nil)},
		{"boolean yes", []ResponseItem{ans("b", Bool(true))}, all(map[string]bool{
			"b.exists": true, "b.missing": false, "b.true": true, "b.not-true": false, "any": true,
			"g": true, "g.q": true, "g.inner": true, "g.inner.q": true,
		})},
		{"boolean no", []ResponseItem{ans("b", Bool(false))}, all(map[string]bool{
			"b.exists": true, "b.missing": false, "b.true": false, "b.not-true": true,
		})},
		{"choice, several answers", []ResponseItem{ans("c", Code("y"), Code("x"))}, all(map[string]bool{
			"c.x": true, "c.not-x": false, "c.x-system": true, // no system in the answer: the code decides
		})},
		{"choice, other system", []ResponseItem{ans("c", Answer{ValueCoding: &Coding{System: "urn:other", Code: "x"}})}, all(map[string]bool{
			"c.x": true, "c.not-x": false, "c.x-system": false,
		})},
		{"choice, not x", []ResponseItem{ans("c", Code("z"))}, all(nil)},
		{"integer below", []ResponseItem{ans("i", Int(4))}, all(map[string]bool{"i.lt5": true, "i.le5": true})},
		{"integer equal", []ResponseItem{ans("i", Int(5))}, all(map[string]bool{"i.ge5": true, "i.le5": true, "i.eq5": true})},
		{"integer above", []ResponseItem{ans("i", Int(6))}, all(map[string]bool{"i.gt5": true, "i.ge5": true, "any": true})},
		{"decimal", []ResponseItem{ans("n", Decimal(2.51))}, all(map[string]bool{"n.gt": true})},
		{"decimal equal is not greater", []ResponseItem{ans("n", Decimal(2.5))}, all(nil)},
		{"date before", []ResponseItem{ans("d", Date("2026-02-28"))}, all(map[string]bool{"d.before": true})},
		{"date on the day", []ResponseItem{ans("d", Date("2026-03-01"))}, all(nil)},
		{"string equal", []ResponseItem{ans("s", String("yes"))}, all(map[string]bool{"s.eq": true})},
		{"string is case-sensitive", []ResponseItem{ans("s", String("Yes"))}, all(nil)},
		{"answer of the wrong type compares false", []ResponseItem{ans("i", String("6"))}, all(nil)},
		{"all: both", []ResponseItem{ans("b", Bool(true)), ans("i", Int(6))}, all(map[string]bool{
			"b.exists": true, "b.missing": false, "b.true": true, "b.not-true": false, "i.gt5": true, "i.ge5": true,
			"all": true, "any": true, "g": true, "g.q": true, "g.free": true, "g.inner": true, "g.inner.q": true,
		})},
		{"chain on", []ResponseItem{ans("chain.1", Bool(true)), ans("chain.2", Bool(true))}, all(map[string]bool{
			"chain.2": true, "chain.3": true, "chain.2-missing": false,
		})},
		{"chain: a disabled question counts as unanswered", []ResponseItem{ans("chain.1", Bool(false)), ans("chain.2", Bool(true))}, all(map[string]bool{
			"chain.2": false, "chain.3": false, "chain.2-missing": true,
		})},
		{"group off: children off, answers inside ignored", []ResponseItem{ans("b", Bool(false)), ans("i", Int(1)),
			grp("g", grp("g.inner", ans("g.inner.q", Int(3))))}, all(map[string]bool{
			"b.exists": true, "b.missing": false, "b.not-true": true, "i.lt5": true, "i.le5": true,
			"g": false, "g.free": false, "g.inner": false, "g.inner.q": false, "after-g": false,
		})},
		{"group on: nested answer counts", []ResponseItem{ans("b", Bool(true)), grp("g", grp("g.inner", ans("g.inner.q", Int(3))))}, all(map[string]bool{
			"b.exists": true, "b.missing": false, "b.true": true, "b.not-true": false, "any": true,
			"g": true, "g.q": true, "g.inner": true, "g.inner.q": true, "after-g": true,
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := q.Enabled(resp(q, StatusInProgress, tt.items...))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Enabled (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEnabledSurvivesChangedQuestionnaire shows that a questionnaire broken
// after Load (a cycle added by hand) gives answers rather than a hang.
func TestEnabledSurvivesChangedQuestionnaire(t *testing.T) {
	q := mustLoad(t, doc([]string{it("a", "boolean", ""), it("b", "boolean", `,"enableWhen":[{"question":"a","operator":"exists","answerBoolean":false}]`)}))
	q.items["a"].EnableWhen = []Condition{{Question: "b", Operator: OpExists, AnswerBoolean: new(false)}}
	got := q.Enabled(nil)
	if diff := cmp.Diff(map[string]bool{"a": true, "b": true}, got); diff != "" {
		t.Errorf("Enabled (-want +got):\n%s", diff)
	}
}
