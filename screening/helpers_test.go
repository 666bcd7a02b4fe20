package screening

import (
	"fmt"
	"strings"
	"testing"

	"github.com/accord-project/accord"
)

// tr returns the JSON of a text translated (well, copied) into the four
// required languages.
func tr(s string) string {
	return fmt.Sprintf(`{"en":%q,"es":%q,"fr":%q,"ar":%q}`, s, s, s, s)
}

// it returns the JSON of an item; extra is more fields, each with a leading
// comma.
func it(linkID, typ, extra string) string {
	return fmt.Sprintf(`{"linkId":%q,"type":%q,"text":%s%s}`, linkID, typ, tr(linkID), extra)
}

// opts returns the answerOption field for the codes.
func opts(codes ...string) string {
	var o []string
	for _, c := range codes {
		o = append(o, fmt.Sprintf(`{"valueCoding":{"code":%q,"display":%s}}`, c, tr(c)))
	}
	return `,"answerOption":[` + strings.Join(o, ",") + `]`
}

// doc returns a questionnaire's JSON with the items and, when not empty, the rules.
func doc(items []string, rules ...string) []byte {
	s := `{"resourceType":"Questionnaire","url":"https://example.org/q","version":"1","status":"active","title":` +
		tr("Test") + `,"item":[` + strings.Join(items, ",") + `]`
	if len(rules) > 0 {
		s += `,"rules":[` + strings.Join(rules, ",") + `]`
	}
	return []byte(s + "}")
}

// rule returns a rule's JSON; when is the conditions' JSON.
func rule(need, urgency, behavior string, when ...string) string {
	b := ""
	if behavior != "" {
		b = fmt.Sprintf(`,"behavior":%q`, behavior)
	}
	return fmt.Sprintf(`{"need":%q,"urgency":%q,"when":[%s]%s,"explanation":%s}`, need, urgency, strings.Join(when, ","), b, tr("why"))
}

func mustLoad(t testing.TB, b []byte) *Questionnaire {
	t.Helper()
	q, err := Load(b)
	if err != nil {
		t.Fatalf("Load: %v\n%s", err, b)
	}
	return q
}

// errSummary is what the tests expect of an error.
type errSummary struct {
	Code, Field, Message string
}

func summarize(err error) errSummary {
	if err == nil {
		return errSummary{}
	}
	e := accord.AsError(err)
	if e == nil {
		return errSummary{Code: accord.EINTERNAL, Message: err.Error()}
	}
	return errSummary{Code: e.Code, Field: e.Field, Message: e.Message()}
}

// resp builds a response to q.
func resp(q *Questionnaire, status string, items ...ResponseItem) *Response {
	return &Response{Questionnaire: q.Canonical(), Status: status, Item: items}
}

// ans is a response item with answers.
func ans(linkID string, answers ...Answer) ResponseItem {
	return ResponseItem{LinkID: linkID, Answer: answers}
}

// grp is a response item for a group.
func grp(linkID string, items ...ResponseItem) ResponseItem {
	return ResponseItem{LinkID: linkID, Item: items}
}
