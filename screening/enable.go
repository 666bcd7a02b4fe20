package screening

import (
	"cmp"
	"strings"
)

// Enabled returns, for every item of q by linkId, whether it is enabled
// given the answers in r (nil for none), following FHIR: an item is enabled
// when the group it is in is enabled and its enableWhen conditions hold.
// Answers to disabled questions count as absent.
func (q *Questionnaire) Enabled(r *Response) map[string]bool {
	e := q.newEval(r)
	m := make(map[string]bool, len(q.order))
	for _, it := range q.order {
		m[it.LinkID] = e.enabled(it)
	}
	return m
}

// eval evaluates conditions against the answers of one response, memoising
// which items are enabled.
type eval struct {
	q       *Questionnaire
	answers map[string][]Answer
	state   map[*Item]enableState
}

type enableState uint8

const (
	stateUnknown enableState = iota
	stateVisiting
	stateOn
	stateOff
)

func (q *Questionnaire) newEval(r *Response) *eval {
	e := &eval{q: q, answers: map[string][]Answer{}, state: map[*Item]enableState{}}
	if r != nil {
		e.collect(r.Item)
	}
	return e
}

// collect gathers the answers by linkId, wherever the response puts them:
// Check is what insists on the structure.
func (e *eval) collect(items []ResponseItem) {
	for i := range items {
		if _, ok := e.q.items[items[i].LinkID]; ok && len(items[i].Answer) > 0 {
			e.answers[items[i].LinkID] = append(e.answers[items[i].LinkID], items[i].Answer...)
		}
		e.collect(items[i].Item)
	}
}

func (e *eval) enabled(it *Item) bool {
	switch e.state[it] {
	case stateOn:
		return true
	case stateOff, stateVisiting:
		// Visiting means a cycle, which Load refuses; a questionnaire
		// changed after Load still gets an answer rather than a hang.
		return false
	}
	e.state[it] = stateVisiting
	on := true
	if p := e.q.parent[it.LinkID]; p != nil {
		on = e.enabled(p)
	}
	if on && len(it.EnableWhen) > 0 {
		on = e.holds(it.EnableWhen, it.EnableBehavior)
	}
	e.state[it] = stateOff
	if on {
		e.state[it] = stateOn
	}
	return on
}

// holds reports whether the conditions hold together: all of them, or any
// with BehaviorAny.
func (e *eval) holds(cs []Condition, b Behavior) bool {
	if b == BehaviorAny {
		for i := range cs {
			if e.cond(&cs[i]) {
				return true
			}
		}
		return false
	}
	for i := range cs {
		if !e.cond(&cs[i]) {
			return false
		}
	}
	return true
}

// answersOf returns the answers of an enabled question; none if it is
// disabled.
func (e *eval) answersOf(linkID string) []Answer {
	it := e.q.items[linkID]
	if it == nil || !e.enabled(it) {
		return nil
	}
	return e.answers[linkID]
}

func (e *eval) cond(c *Condition) bool {
	ans := e.answersOf(c.Question)
	switch c.Operator {
	case OpExists:
		has := false
		for i := range ans {
			if n, _ := ans[i].value(); n > 0 {
				has = true
			}
		}
		return c.AnswerBoolean != nil && has == *c.AnswerBoolean
	case OpNotEqual:
		for i := range ans {
			if d, ok := compare(&ans[i], c); ok && d == 0 {
				return false
			}
		}
		return true
	}
	for i := range ans {
		d, ok := compare(&ans[i], c)
		if !ok {
			continue
		}
		switch c.Operator {
		case OpEqual:
			ok = d == 0
		case OpGreater:
			ok = d > 0
		case OpLess:
			ok = d < 0
		case OpGreaterEqual:
			ok = d >= 0
		case OpLessEqual:
			ok = d <= 0
		default:
			ok = false
		}
		if ok {
			return true
		}
	}
	return false
}

// compare compares an answer with a condition's value: <0, 0 or >0, and
// false when they are not of the same type. Booleans, codings and strings
// are only equal (0) or not (1).
func compare(a *Answer, c *Condition) (int, bool) {
	ne := func(eq bool) int {
		if eq {
			return 0
		}
		return 1
	}
	switch {
	case a.ValueBoolean != nil && c.AnswerBoolean != nil:
		return ne(*a.ValueBoolean == *c.AnswerBoolean), true
	case a.ValueCoding != nil && c.AnswerCoding != nil:
		x, y := a.ValueCoding, c.AnswerCoding
		return ne(x.Code == y.Code && (x.System == "" || y.System == "" || x.System == y.System)), true
	case a.ValueString != nil && c.AnswerString != nil:
		return ne(*a.ValueString == *c.AnswerString), true
	case a.ValueInteger != nil && c.AnswerInteger != nil:
		return cmp.Compare(*a.ValueInteger, *c.AnswerInteger), true
	case a.ValueDecimal != nil && c.AnswerDecimal != nil:
		return cmp.Compare(*a.ValueDecimal, *c.AnswerDecimal), true
	case a.ValueDate != nil && c.AnswerDate != nil:
		if !validDate(*a.ValueDate) || !validDate(*c.AnswerDate) {
			return 0, false
		}
		// YYYY-MM-DD sorts as it runs.
		return strings.Compare(*a.ValueDate, *c.AnswerDate), true
	}
	return 0, false
}
