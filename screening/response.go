package screening

import (
	"fmt"
	"strings"
	"time"

	"github.com/accord-project/accord"
)

const (
	maxResponseBytes = 256 << 10
	maxAnswers       = 100 // to one question
)

// Response status codes (FHIR QuestionnaireResponse.status); the others
// FHIR has (amended, entered-in-error, stopped) are refused.
const (
	StatusInProgress = "in-progress"
	StatusCompleted  = "completed"
)

// Response is a FHIR R4 QuestionnaireResponse: the answers of one person to
// one questionnaire.
type Response struct {
	ResourceType  string         `json:"resourceType,omitempty"`
	ID            string         `json:"id,omitempty"`
	Questionnaire string         `json:"questionnaire"`
	Status        string         `json:"status"`
	Authored      string         `json:"authored,omitempty"`
	Item          []ResponseItem `json:"item,omitempty"`
}

// ResponseItem holds the answers to one question, or the items of one group.
type ResponseItem struct {
	LinkID string         `json:"linkId"`
	Text   string         `json:"text,omitempty"`
	Answer []Answer       `json:"answer,omitempty"`
	Item   []ResponseItem `json:"item,omitempty"`
}

// Answer is one answer: exactly one of the values, of the question's type.
type Answer struct {
	ValueBoolean *bool    `json:"valueBoolean,omitempty"`
	ValueDecimal *float64 `json:"valueDecimal,omitempty"`
	ValueInteger *int32   `json:"valueInteger,omitempty"`
	ValueDate    *string  `json:"valueDate,omitempty"`
	ValueString  *string  `json:"valueString,omitempty"`
	ValueCoding  *Coding  `json:"valueCoding,omitempty"`
}

// Bool returns a boolean answer.
func Bool(v bool) Answer { return Answer{ValueBoolean: &v} }

// Code returns the answer to a choice question that picks the option with
// this code.
func Code(code string) Answer { return Answer{ValueCoding: &Coding{Code: code}} }

// Int returns an integer answer.
func Int(v int32) Answer { return Answer{ValueInteger: &v} }

// Decimal returns a decimal answer.
func Decimal(v float64) Answer { return Answer{ValueDecimal: &v} }

// Date returns a date answer; v is YYYY-MM-DD.
func Date(v string) Answer { return Answer{ValueDate: &v} }

// String returns an answer to a string or text question.
func String(v string) Answer { return Answer{ValueString: &v} }

// value returns how many value[x] a has and, when one, which ("Boolean", …).
func (a *Answer) value() (n int, kind string) {
	for _, v := range []struct {
		set  bool
		kind string
	}{
		{a.ValueBoolean != nil, "Boolean"}, {a.ValueDecimal != nil, "Decimal"},
		{a.ValueInteger != nil, "Integer"}, {a.ValueDate != nil, "Date"},
		{a.ValueString != nil, "String"}, {a.ValueCoding != nil, "Coding"},
	} {
		if v.set {
			n, kind = n+1, v.kind
		}
	}
	return n, kind
}

// ParseResponse decodes a response as strictly as Load decodes a
// questionnaire. It does not check the answers: that is Check. Errors are
// ETOOLARGE over 256 KiB, else EINVALID.
func ParseResponse(b []byte) (*Response, error) {
	if len(b) > maxResponseBytes {
		return nil, accord.Errorf(accord.ETOOLARGE, "a questionnaire response is at most %d bytes", maxResponseBytes)
	}
	r := new(Response)
	if err := decodeStrict(b, r); err != nil {
		return nil, err
	}
	return r, nil
}

// Check reports whether r is a valid response to q. It returns EINVALID with
// Field naming the item at fault ("item[housing.2].answer[0]") when r is for
// another questionnaire, an item is not q's or not where q puts it, a
// disabled question is answered, an answer has the wrong type, an unknown
// option code, a date that is not YYYY-MM-DD or an empty, overlong or
// control-character string, a question that does not repeat has several
// answers, or — when r is completed — a required enabled question (or a
// required group's every question) is unanswered.
func (q *Questionnaire) Check(r *Response) error {
	if r == nil {
		return accord.Errorf(accord.EINVALID, "%s is required", "questionnaire response")
	}
	if r.ResourceType != "" && r.ResourceType != "QuestionnaireResponse" {
		return accord.FieldErrorf("resourceType", "resourceType must be %q", "QuestionnaireResponse")
	}
	if r.Questionnaire != q.URL && r.Questionnaire != q.Canonical() {
		return accord.FieldErrorf("questionnaire", "the response is to %q, not to this questionnaire (%s)", r.Questionnaire, q.Canonical())
	}
	if r.Status != StatusCompleted && r.Status != StatusInProgress {
		return oneOf("status", r.Status, StatusCompleted, StatusInProgress)
	}
	if r.ID != "" && !fhirID.MatchString(r.ID) {
		return accord.FieldErrorf("id", "id must be 1 to 64 letters, digits, '-' and '.'")
	}
	if r.Authored != "" {
		if _, err := time.Parse(time.RFC3339, r.Authored); err != nil {
			return accord.FieldErrorf("authored", "authored must be a date and time in RFC 3339 form (2026-01-31T09:00:00Z)")
		}
	}
	e := q.newEval(r)
	seen := map[string]bool{}
	if err := q.checkResponseItems(e, r.Item, nil, seen); err != nil {
		return err
	}
	if r.Status != StatusCompleted {
		return nil
	}
	for _, it := range q.order {
		if !it.Required || !e.enabled(it) {
			continue
		}
		if it.Type == TypeGroup {
			if !q.anyAnswered(e, it) {
				return accord.FieldErrorf(itemField(it.LinkID), "answer at least one question in group %q", it.LinkID)
			}
		} else if len(e.answers[it.LinkID]) == 0 {
			return accord.FieldErrorf(itemField(it.LinkID), "question %q must be answered", it.LinkID)
		}
	}
	return nil
}

// anyAnswered reports whether a question inside group g is answered.
func (q *Questionnaire) anyAnswered(e *eval, g *Item) bool {
	for i := range g.Item {
		c := &g.Item[i]
		if c.Type == TypeGroup && q.anyAnswered(e, c) || len(e.answersOf(c.LinkID)) > 0 {
			return true
		}
	}
	return false
}

// checkResponseItems checks the response items at one level, whose
// questionnaire items must have parent as their group (nil: top level).
func (q *Questionnaire) checkResponseItems(e *eval, items []ResponseItem, parent *Item, seen map[string]bool) error {
	for i := range items {
		ri := &items[i]
		f := itemField(ri.LinkID)
		it := q.items[ri.LinkID]
		if it == nil {
			return accord.FieldErrorf(f, "no item %q in this questionnaire", ri.LinkID)
		}
		if q.parent[ri.LinkID] != parent {
			return accord.FieldErrorf(f, "item %q is not where the questionnaire puts it", ri.LinkID)
		}
		if seen[ri.LinkID] {
			return accord.FieldErrorf(f, "item %q appears twice", ri.LinkID)
		}
		seen[ri.LinkID] = true
		if err := checkString(f+".text", ri.Text, maxText, true); err != nil {
			return err
		}
		if len(ri.Item) > 0 && it.Type != TypeGroup {
			return accord.FieldErrorf(f+".item", "only groups contain items")
		}
		if !it.Type.Question() {
			if len(ri.Answer) > 0 {
				return accord.FieldErrorf(f+".answer", "a %s item takes no answers", string(it.Type))
			}
			if err := q.checkResponseItems(e, ri.Item, it, seen); err != nil {
				return err
			}
			continue
		}
		if len(ri.Answer) == 0 {
			continue
		}
		if !e.enabled(it) {
			return accord.FieldErrorf(f, "question %q is not asked given the other answers, so it takes no answer", ri.LinkID)
		}
		if len(ri.Answer) > 1 && !it.Repeats {
			return accord.FieldErrorf(f+".answer", "question %q takes one answer", ri.LinkID)
		}
		if len(ri.Answer) > maxAnswers {
			return accord.FieldErrorf(f+".answer", "a question takes at most %d answers", maxAnswers)
		}
		for j := range ri.Answer {
			af := fmt.Sprintf("%s.answer[%d]", f, j)
			if err := checkAnswer(af, it, &ri.Answer[j]); err != nil {
				return err
			}
			for k := range j {
				if sameAnswer(&ri.Answer[k], &ri.Answer[j]) {
					return accord.FieldErrorf(af, "the same answer is given twice")
				}
			}
		}
	}
	return nil
}

func checkAnswer(f string, it *Item, a *Answer) error {
	n, kind := a.value()
	if n != 1 {
		return accord.FieldErrorf(f, "give exactly one answer value")
	}
	if want := answerKind(it.Type); kind != want {
		return accord.FieldErrorf(f, "a %s question takes %s", string(it.Type), "value"+want)
	}
	switch it.Type {
	case TypeChoice:
		if it.option(*a.ValueCoding) == nil {
			return accord.FieldErrorf(f+".valueCoding", "code %q is not an answer option of %q", a.ValueCoding.Code, it.LinkID)
		}
		if err := checkString(f+".valueCoding.display", a.ValueCoding.Display, maxText, false); err != nil {
			return err
		}
	case TypeDate:
		if !validDate(*a.ValueDate) {
			return accord.FieldErrorf(f+".valueDate", "%q is not a date (YYYY-MM-DD)", *a.ValueDate)
		}
	case TypeString, TypeText:
		s := *a.ValueString
		if strings.TrimSpace(s) == "" {
			return accord.FieldErrorf(f+".valueString", "an answer cannot be empty")
		}
		if err := checkString(f+".valueString", s, it.maxLength(), it.Type == TypeText); err != nil {
			return err
		}
	}
	return nil
}

// maxLength returns the longest answer a string or text question takes.
func (it *Item) maxLength() int {
	switch {
	case it.MaxLength > 0:
		return it.MaxLength
	case it.Type == TypeText:
		return defaultTextLength
	}
	return defaultStringLength
}

func sameAnswer(a, b *Answer) bool {
	_, kind := b.value()
	c := Condition{AnswerBoolean: b.ValueBoolean, AnswerDecimal: b.ValueDecimal, AnswerInteger: b.ValueInteger,
		AnswerDate: b.ValueDate, AnswerString: b.ValueString, AnswerCoding: b.ValueCoding}
	d, ok := compare(a, &c)
	return ok && d == 0 && kind != ""
}

// validDate reports whether s is a real date written YYYY-MM-DD.
func validDate(s string) bool {
	if len(s) != len("2006-01-02") {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}
