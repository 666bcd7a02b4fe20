package screening

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
)

// checkQ is a questionnaire with a required question, a required group, a
// follow-up and one question of each type.
var checkQ = doc([]string{
	it("a", "boolean", `,"required":true`),
	it("a.more", "string", `,"required":true,"maxLength":10,"enableWhen":[{"question":"a","operator":"=","answerBoolean":true}]`),
	it("info", "display", ""),
	it("g", "group", `,"required":true,"item":[`+it("g.1", "boolean", "")+`,`+it("g.2", "integer", "")+`]`),
	it("h", "group", `,"enableWhen":[{"question":"a","operator":"=","answerBoolean":true}],"item":[`+it("h.1", "boolean", `,"required":true`)+`]`),
	it("c", "choice", opts("x", "y")),
	it("many", "choice", opts("x", "y", "z")+`,"repeats":true`),
	it("d", "date", ""),
	it("t", "text", ""),
	it("n", "decimal", ""),
})

func TestCheck(t *testing.T) {
	q := mustLoad(t, checkQ)
	done := func(items ...ResponseItem) *Response {
		return resp(q, StatusCompleted, append([]ResponseItem{ans("a", Bool(false)), grp("g", ans("g.1", Bool(true)))}, items...)...)
	}
	tests := []struct {
		name string
		r    *Response
		want errSummary
	}{
		{"valid, minimal", done(), errSummary{}},
		{"valid, everything", resp(q, StatusCompleted,
			ans("a", Bool(true)), ans("a.more", String("café ☕")), ResponseItem{LinkID: "info"},
			grp("g", ans("g.2", Int(-3))), grp("h", ans("h.1", Bool(false))),
			ans("c", Answer{ValueCoding: &Coding{Code: "y", Display: "Y"}}), ans("many", Code("z"), Code("x")),
			ans("d", Date("2024-02-29")), ans("t", String("line one\nline two\ttabbed")), ans("n", Decimal(-0.5)),
		), errSummary{}},
		{"valid, canonical without version", func() *Response { r := done(); r.Questionnaire = q.URL; return r }(), errSummary{}},
		{"valid, with resourceType, id and authored", func() *Response {
			r := done()
			r.ResourceType, r.ID, r.Authored = "QuestionnaireResponse", "qr-1", "2026-03-01T10:00:00+01:00"
			return r
		}(), errSummary{}},
		{"in progress may leave required questions", resp(q, StatusInProgress, ans("a", Bool(true))), errSummary{}},
		{"empty items are allowed", done(ResponseItem{LinkID: "c"}, grp("h")), errSummary{}},

		{"nil", nil, errSummary{accord.EINVALID, "", "questionnaire response is required"}},
		{"another questionnaire", func() *Response { r := done(); r.Questionnaire = q.URL + "|2"; return r }(),
			errSummary{accord.EINVALID, "questionnaire", `the response is to "https://example.org/q|2", not to this questionnaire (https://example.org/q|1)`}},
		{"resourceType", func() *Response { r := done(); r.ResourceType = "Questionnaire"; return r }(),
			errSummary{accord.EINVALID, "resourceType", `resourceType must be "QuestionnaireResponse"`}},
		{"status", func() *Response { r := done(); r.Status = "amended"; return r }(),
			errSummary{accord.EINVALID, "status", "status must be one of: completed, in-progress"}},
		{"no status", func() *Response { r := done(); r.Status = ""; return r }(), errSummary{accord.EINVALID, "status", "status is required"}},
		{"authored", func() *Response { r := done(); r.Authored = "yesterday"; return r }(),
			errSummary{accord.EINVALID, "authored", "authored must be a date and time in RFC 3339 form (2026-01-31T09:00:00Z)"}},
		{"id", func() *Response { r := done(); r.ID = "qr 1"; return r }(), errSummary{accord.EINVALID, "id", "id must be 1 to 64 letters, digits, '-' and '.'"}},

		{"unknown item", done(ans("zz", Bool(true))), errSummary{accord.EINVALID, "item[zz]", `no item "zz" in this questionnaire`}},
		{"item out of its group", done(ans("g.2", Int(1))), errSummary{accord.EINVALID, "item[g.2]", `item "g.2" is not where the questionnaire puts it`}},
		{"item in the wrong group", done(grp("h", ans("g.2", Int(1)))), errSummary{accord.EINVALID, "item[g.2]", `item "g.2" is not where the questionnaire puts it`}},
		{"item twice", done(ans("c", Code("x")), ans("c", Code("y"))), errSummary{accord.EINVALID, "item[c]", `item "c" appears twice`}},
		{"group twice", done(grp("g", ans("g.2", Int(1)))), errSummary{accord.EINVALID, "item[g]", `item "g" appears twice`}},
		{"answer to a group", done(ResponseItem{LinkID: "h", Answer: []Answer{Bool(true)}}), errSummary{accord.EINVALID, "item[h].answer", "a group item takes no answers"}},
		{"answer to a display", done(ans("info", String("ok"))), errSummary{accord.EINVALID, "item[info].answer", "a display item takes no answers"}},
		{"items under a question", done(ResponseItem{LinkID: "c", Item: []ResponseItem{ans("d", Date("2026-01-01"))}}), errSummary{accord.EINVALID, "item[c].item", "only groups contain items"}},

		{"answer to a disabled question", done(ans("a.more", String("x"))),
			errSummary{accord.EINVALID, "item[a.more]", `question "a.more" is not asked given the other answers, so it takes no answer`}},
		{"answer inside a disabled group", done(grp("h", ans("h.1", Bool(true)))),
			errSummary{accord.EINVALID, "item[h.1]", `question "h.1" is not asked given the other answers, so it takes no answer`}},
		{"two answers, no repeats", done(ans("c", Code("x"), Code("y"))), errSummary{accord.EINVALID, "item[c].answer", `question "c" takes one answer`}},
		{"same answer twice", done(ans("many", Code("x"), Code("y"), Code("x"))), errSummary{accord.EINVALID, "item[many].answer[2]", "the same answer is given twice"}},
		{"wrong type", done(ans("d", String("2026-01-01"))), errSummary{accord.EINVALID, "item[d].answer[0]", "a date question takes valueDate"}},
		{"wrong type (integer for decimal)", done(ans("n", Int(1))), errSummary{accord.EINVALID, "item[n].answer[0]", "a decimal question takes valueDecimal"}},
		{"empty answer", done(ans("c", Answer{})), errSummary{accord.EINVALID, "item[c].answer[0]", "give exactly one answer value"}},
		{"two values", done(ans("c", Answer{ValueCoding: &Coding{Code: "x"}, ValueString: new("x")})), errSummary{accord.EINVALID, "item[c].answer[0]", "give exactly one answer value"}},
		{"unknown code", done(ans("c", Code("q"))), errSummary{accord.EINVALID, "item[c].answer[0].valueCoding", `code "q" is not an answer option of "c"`}},
		{"code of another system", done(ans("c", Answer{ValueCoding: &Coding{System: "urn:x", Code: "x"}})), errSummary{accord.EINVALID, "item[c].answer[0].valueCoding", `code "x" is not an answer option of "c"`}},
		{"not a real date", done(ans("d", Date("2026-02-29"))), errSummary{accord.EINVALID, "item[d].answer[0].valueDate", `"2026-02-29" is not a date (YYYY-MM-DD)`}},
		{"partial date", done(ans("d", Date("2026-02"))), errSummary{accord.EINVALID, "item[d].answer[0].valueDate", `"2026-02" is not a date (YYYY-MM-DD)`}},
		{"date and time", done(ans("d", Date("2026-02-01T10:00:00Z"))), errSummary{accord.EINVALID, "item[d].answer[0].valueDate", `"2026-02-01T10:00:00Z" is not a date (YYYY-MM-DD)`}},
		{"string over maxLength", resp(q, StatusCompleted, ans("a", Bool(true)), ans("a.more", String("eleven char")), grp("g", ans("g.1", Bool(true)))),
			errSummary{accord.EINVALID, "item[a.more].answer[0].valueString", "item[a.more].answer[0].valueString is longer than 10 characters"}},
		{"text over the default bound", done(ans("t", String(strings.Repeat("a", defaultTextLength+1)))),
			errSummary{accord.EINVALID, "item[t].answer[0].valueString", "item[t].answer[0].valueString is longer than 4000 characters"}},
		{"blank string", done(ans("t", String(" \n "))), errSummary{accord.EINVALID, "item[t].answer[0].valueString", "an answer cannot be empty"}},
		{"control character", done(ans("t", String("a\x00b"))), errSummary{accord.EINVALID, "item[t].answer[0].valueString", "item[t].answer[0].valueString contains a control character"}},
		{"line break in a string", resp(q, StatusCompleted, ans("a", Bool(true)), ans("a.more", String("a\nb")), grp("g", ans("g.1", Bool(true)))),
			errSummary{accord.EINVALID, "item[a.more].answer[0].valueString", "item[a.more].answer[0].valueString contains a control character"}},
		{"invalid UTF-8", done(ans("t", String("a\xffb"))), errSummary{accord.EINVALID, "item[t].answer[0].valueString", "item[t].answer[0].valueString is not valid UTF-8"}},

		{"required question unanswered", resp(q, StatusCompleted, grp("g", ans("g.1", Bool(true)))), errSummary{accord.EINVALID, "item[a]", `question "a" must be answered`}},
		{"required follow-up unanswered", resp(q, StatusCompleted, ans("a", Bool(true)), grp("g", ans("g.1", Bool(true))), grp("h", ans("h.1", Bool(true)))),
			errSummary{accord.EINVALID, "item[a.more]", `question "a.more" must be answered`}},
		{"required question in an enabled group", resp(q, StatusCompleted, ans("a", Bool(true)), ans("a.more", String("x")), grp("g", ans("g.1", Bool(true)))),
			errSummary{accord.EINVALID, "item[h.1]", `question "h.1" must be answered`}},
		{"required group empty", resp(q, StatusCompleted, ans("a", Bool(false)), grp("g")), errSummary{accord.EINVALID, "item[g]", `answer at least one question in group "g"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, summarize(q.Check(tt.r))); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseResponse(t *testing.T) {
	q := Builtin()[1]
	tests := []struct {
		name string
		json string
		want errSummary
	}{
		{"valid", `{"resourceType":"QuestionnaireResponse","questionnaire":"` + q.Canonical() + `","status":"completed","authored":"2026-03-01T10:00:00Z",
			"item":[{"linkId":"income","item":[{"linkId":"income.1","answer":[{"valueBoolean":false}]}]},
			{"linkId":"food","item":[{"linkId":"food.1","answer":[{"valueBoolean":false}]}]},
			{"linkId":"housing","item":[{"linkId":"housing.1","answer":[{"valueCoding":{"code":"stable","display":"I have a steady place to live"}}]}]}]}`, errSummary{}},
		{"unknown field", `{"questionnaire":"x","subject":{"reference":"Patient/1"}}`, errSummary{accord.EINVALID, "subject", `unknown field "subject"`}},
		{"nested answer items refused", `{"item":[{"linkId":"a","answer":[{"valueBoolean":true,"item":[]}]}]}`, errSummary{accord.EINVALID, "item", `unknown field "item"`}},
		{"field in another case", `{"item":[{"linkID":"a"}]}`, errSummary{accord.EINVALID, "linkID", `unknown field "linkID"`}},
		{"field twice", `{"item":[{"linkId":"a","answer":[{"valueBoolean":true,"valueBoolean":false}]}]}`, errSummary{accord.EINVALID, "valueBoolean", `field "valueBoolean" is given twice`}},
		{"wrong type", `{"item":[{"linkId":"a","answer":[{"valueInteger":1.5}]}]}`, errSummary{accord.EINVALID, "item.answer.valueInteger", "item.answer.valueInteger must be a JSON integer"}},
		{"too large", `{"id":"` + strings.Repeat("x", maxResponseBytes) + `"}`, errSummary{accord.ETOOLARGE, "", "a questionnaire response is at most 262144 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseResponse([]byte(tt.json))
			if diff := cmp.Diff(tt.want, summarize(err)); diff != "" {
				t.Fatalf("ParseResponse (-want +got):\n%s", diff)
			}
			if err == nil {
				if err := q.Check(r); err != nil {
					t.Errorf("Check: %v", err)
				}
			}
		})
	}
}
