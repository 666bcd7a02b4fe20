package screening

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/accord-project/accord"
)

// FuzzLoad checks that Load never panics nor fails other than with invalid
// or too_large, and that a questionnaire that loads re-encodes and reloads
// to an equal one, whose methods do not panic either.
//
// Run it with: go test -run '^$' -fuzz FuzzLoad -fuzztime 60s ./screening/
func FuzzLoad(f *testing.F) {
	// Small seeds: the fuzzer minimises every new interesting input, which
	// takes long on one the size of a built-in questionnaire (those are
	// round-tripped by TestLoadBuiltins).
	f.Add(enableQ)
	f.Add(checkQ)
	f.Add(doc([]string{it("a", "boolean", ""), it("b", "boolean", `,"enableWhen":[{"question":"a","operator":"=","answerBoolean":true}]`)},
		rule("food", "soon", "", `{"question":"b","operator":"exists","answerBoolean":true}`)))
	f.Add([]byte(`{"resourceType":"Questionnaire","url":"https://a.org/q","version":"1","status":"draft","title":{"en":"T","es":"T","fr":"T","ar":"T"},` +
		`"item":[{"linkId":"n","type":"decimal","text":{"en":"n","es":"n","fr":"n","ar":"n"}},` +
		`{"linkId":"x","type":"display","text":{"en":"x","es":"x","fr":"x","ar":"x"},"enableWhen":[{"question":"n","operator":">=","answerDecimal":-0}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := Load(data)
		if err != nil {
			if code := accord.ErrorCode(err); code != accord.EINVALID && code != accord.ETOOLARGE {
				t.Fatalf("Load: %v (code %s)", err, code)
			}
			return
		}
		b, err := json.Marshal(q)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		again, err := Load(b)
		if err != nil {
			t.Fatalf("reloading the re-encoded questionnaire: %v\n%s", err, b)
		}
		if diff := cmp.Diff(q, again, cmpopts.IgnoreUnexported(Questionnaire{})); diff != "" {
			t.Fatalf("reloaded questionnaire differs (-loaded +reloaded):\n%s", diff)
		}
		if b2, _ := json.Marshal(again); !bytes.Equal(b, b2) {
			t.Fatalf("re-encoding is not stable:\n%s\n%s", b, b2)
		}
		r := &Response{Questionnaire: q.Canonical(), Status: StatusCompleted}
		_ = q.Check(r)
		_ = q.Evaluate(r)
		_ = q.Items("ar", r)
	})
}

// FuzzCheck checks responses to the built-in questionnaires, parsed from
// the fuzzer's bytes or built from them item by item: Check never panics
// and fails only with invalid; on a response that passes, Evaluate gives
// needs that follow from the rules, sorted, one per code, and every answered
// question is enabled.
//
// Run it with: go test -run '^$' -fuzz FuzzCheck -fuzztime 60s ./screening/
func FuzzCheck(f *testing.F) {
	for i, q := range Builtin() {
		full := resp(q, StatusCompleted)
		for _, it := range q.order {
			if it.Type.Question() {
				full.Item = append(full.Item, ans(it.LinkID, Bool(true)))
			}
		}
		b, _ := json.Marshal(full)
		f.Add(uint8(i), b)
		f.Add(uint8(i)|0x80, []byte{})
		f.Add(uint8(i)|0x80, bytes.Repeat([]byte{0x5a, 0x01, 0xff, 0x00, 0x13, 0x37}, 40))
	}
	f.Add(uint8(1), []byte(`{"questionnaire":"https://accord-project.org/fhir/Questionnaire/social-legal-needs|1.0.0","status":"completed",`+
		`"item":[{"linkId":"income","item":[{"linkId":"income.1","answer":[{"valueBoolean":true}]}]},{"linkId":"food","item":[{"linkId":"food.1","answer":[{"valueBoolean":true}]}]},`+
		`{"linkId":"housing","item":[{"linkId":"housing.1","answer":[{"valueCoding":{"code":"worried"}}]},{"linkId":"housing.2","answer":[{"valueBoolean":true}]},`+
		`{"linkId":"housing.3","answer":[{"valueCoding":{"code":"within_3_days"}}]}]}]}`))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		qs := Builtin()
		q := qs[int(which&0x7f)%len(qs)]
		var r *Response
		if which&0x80 == 0 {
			var err error
			if r, err = ParseResponse(data); err != nil {
				return
			}
		} else {
			r = genResponse(q, data)
		}
		if err := q.Check(r); err != nil {
			if code := accord.ErrorCode(err); code != accord.EINVALID {
				t.Fatalf("Check: %v (code %s)", err, code)
			}
			_ = q.Items("en", r) // a form shows a response being corrected
			return
		}
		enabled := q.Enabled(r)
		var walk func(items []ResponseItem)
		walk = func(items []ResponseItem) {
			for _, ri := range items {
				if len(ri.Answer) > 0 && !enabled[ri.LinkID] {
					t.Errorf("Check passed an answer to disabled %s", ri.LinkID)
				}
				walk(ri.Item)
			}
		}
		walk(r.Item)

		needs := q.Evaluate(r)
		checkNeeds(t, q, needs)
		if diff := cmp.Diff(needs, q.Evaluate(r)); diff != "" {
			t.Errorf("Evaluate is not deterministic:\n%s", diff)
		}
		if c := Compare(needs, needs); !c.Empty() {
			t.Errorf("Compare(needs, needs) = %+v, want no change", c)
		}
		if c := Compare(nil, needs); len(c.New) != len(needs) || !c.Empty() != (len(needs) > 0) {
			t.Errorf("Compare(nil, needs) = %+v, want every need new", c)
		}
		_ = q.Items("ar", r)
	})
}

// checkNeeds checks Evaluate's result against q's rules.
func checkNeeds(t *testing.T, q *Questionnaire, needs []Need) {
	t.Helper()
	seen := map[NeedCode]bool{}
	for i, n := range needs {
		if seen[n.Code] {
			t.Errorf("need %s twice", n.Code)
		}
		seen[n.Code] = true
		if i > 0 {
			p := needs[i-1]
			if p.Urgency.Rank() < n.Urgency.Rank() || p.Urgency == n.Urgency && p.Code > n.Code {
				t.Errorf("needs out of order: %s/%s before %s/%s", p.Code, p.Urgency, n.Code, n.Urgency)
			}
		}
		if n.Rule < 0 || n.Rule >= len(q.Rules) || !slices.Contains(n.Fired, n.Rule) {
			t.Fatalf("need %s: rule %d, fired %v", n.Code, n.Rule, n.Fired)
		}
		if r := q.Rules[n.Rule]; r.Need != n.Code || r.Urgency != n.Urgency {
			t.Errorf("need %s/%s from rule %d, which gives %s/%s", n.Code, n.Urgency, n.Rule, r.Need, r.Urgency)
		}
		for _, f := range n.Fired {
			if r := q.Rules[f]; r.Need != n.Code || r.Urgency.Rank() > n.Urgency.Rank() || r.Urgency == n.Urgency && f < n.Rule {
				t.Errorf("need %s/%s (rule %d) but rule %d gives %s/%s", n.Code, n.Urgency, n.Rule, f, r.Need, r.Urgency)
			}
		}
	}
}

// genResponse builds a response to q from the fuzzer's bytes: mostly well
// formed answers, placed where q puts them and only to enabled questions
// unless the bytes say otherwise, so that many pass Check.
func genResponse(q *Questionnaire, data []byte) *Response {
	in := &fuzzBytes{data: data}
	status := StatusCompleted
	if in.byte()&1 == 1 {
		status = StatusInProgress
	}
	careless := in.byte()%8 == 0 // answers disabled questions and misplaces items
	answers := map[string][]Answer{}
	for _, it := range q.order {
		if !it.Type.Question() || in.byte()%3 == 0 {
			continue
		}
		n := 1
		if it.Repeats {
			n = 1 + int(in.byte()%3)
		}
		for range n {
			answers[it.LinkID] = append(answers[it.LinkID], genAnswer(in, it))
		}
	}
	build := func() *Response {
		r := &Response{Questionnaire: q.Canonical(), Status: status}
		var level func(items []Item) []ResponseItem
		level = func(items []Item) []ResponseItem {
			var out []ResponseItem
			for i := range items {
				it := &items[i]
				if it.Type == TypeGroup {
					if kids := level(it.Item); len(kids) > 0 {
						out = append(out, ResponseItem{LinkID: it.LinkID, Item: kids})
					}
				} else if a := answers[it.LinkID]; len(a) > 0 {
					out = append(out, ResponseItem{LinkID: it.LinkID, Answer: a})
				}
			}
			return out
		}
		r.Item = level(q.Item)
		return r
	}
	if careless {
		r := build()
		if len(r.Item) > 0 && len(r.Item[len(r.Item)-1].Item) > 0 {
			last := &r.Item[len(r.Item)-1]
			r.Item = append(r.Item, last.Item[0]) // out of its group, and twice
		}
		return r
	}
	// Drop answers to disabled questions until none is left.
	for range len(q.order) {
		enabled := q.Enabled(build())
		changed := false
		for id := range answers {
			if !enabled[id] {
				delete(answers, id)
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	return build()
}

func genAnswer(in *fuzzBytes, it *Item) Answer {
	b := in.byte()
	if b == 0xff {
		return String("wrong type")
	}
	switch it.Type {
	case TypeBoolean:
		return Bool(b&1 == 1)
	case TypeChoice:
		if b == 0xfe {
			return Code("not-an-option")
		}
		return Code(it.AnswerOption[int(b)%len(it.AnswerOption)].ValueCoding.Code)
	case TypeInteger:
		return Int(int32(int8(b)))
	case TypeDecimal:
		return Decimal(float64(int8(b)) / 4)
	case TypeDate:
		return Date([]string{"2026-03-01", "2026-02-29", "2024-02-29", "01/03/2026"}[b%4])
	case TypeString, TypeText:
		return String(strings.Repeat("ab ", int(b)%200))
	}
	return Answer{}
}

// fuzzBytes hands out the fuzzer's bytes one at a time, then zeros.
type fuzzBytes struct {
	data []byte
	i    int
}

func (f *fuzzBytes) byte() byte {
	if f.i >= len(f.data) {
		return 0
	}
	f.i++
	return f.data[f.i-1]
}

// TestGenResponse keeps FuzzCheck honest: many responses it builds pass
// Check, so that Evaluate is exercised, and the careless ones fail.
func TestGenResponse(t *testing.T) {
	for _, q := range Builtin() {
		t.Run(q.ID, func(t *testing.T) {
			passed, needs := 0, 0
			for seed := range 200 {
				data := make([]byte, 64)
				for i := range data {
					data[i] = byte((seed*7919 + i*104729 + i*i*31) >> 3)
				}
				data[1] |= 1 // not careless
				r := genResponse(q, data)
				if q.Check(r) == nil {
					passed++
					needs += len(q.Evaluate(r))
				}
			}
			if passed < 50 || needs == 0 {
				t.Errorf("%d of 200 generated responses passed Check, with %d needs in all", passed, needs)
			}
		})
	}
}
