package screening

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/accord-project/accord"
)

func TestLoadBuiltins(t *testing.T) {
	for _, q := range Builtin() {
		t.Run(q.ID, func(t *testing.T) {
			b, err := json.Marshal(q)
			if err != nil {
				t.Fatal(err)
			}
			again := mustLoad(t, b)
			if diff := cmp.Diff(q, again, cmpopts.IgnoreUnexported(Questionnaire{})); diff != "" {
				t.Errorf("re-encoded questionnaire differs (-builtin +reloaded):\n%s", diff)
			}
			if got, err := Find(q.Canonical()); err != nil || got != q {
				t.Errorf("Find(%q) = %p, %v; want %p", q.Canonical(), got, err, q)
			}
			if got, err := Find(q.URL); err != nil || got != q {
				t.Errorf("Find(%q) = %p, %v; want %p", q.URL, got, err, q)
			}
			if diff := cmp.Diff([]string{"ar", "en", "es", "fr"}, q.Languages()); diff != "" {
				t.Errorf("Languages (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("two", func(t *testing.T) {
		var ids []string
		for _, q := range Builtin() {
			ids = append(ids, q.ID)
		}
		if diff := cmp.Diff([]string{"migrant-health-access", "social-legal-needs"}, ids); diff != "" {
			t.Errorf("Builtin ids (-want +got):\n%s", diff)
		}
	})
	t.Run("find unknown", func(t *testing.T) {
		for _, ref := range []string{"", "https://example.org/q", Builtin()[0].URL + "|9.9.9"} {
			if _, err := Find(ref); accord.ErrorCode(err) != accord.ENOTFOUND {
				t.Errorf("Find(%q) = %v, want not_found", ref, err)
			}
		}
	})
}

func TestLoadRejects(t *testing.T) {
	boolA := it("a", "boolean", "")
	choiceC := it("c", "choice", opts("x", "y"))
	when := func(q, op, answer string) string {
		return `{"question":"` + q + `","operator":"` + op + `"` + answer + `}`
	}
	ew := func(conds ...string) string { return `,"enableWhen":[` + strings.Join(conds, ",") + `]` }
	group := func(linkID, extra string, items ...string) string {
		return it(linkID, "group", extra+`,"item":[`+strings.Join(items, ",")+`]`)
	}
	tests := []struct {
		name string
		json []byte
		want errSummary
	}{
		// Decoding.
		{"not JSON", []byte(`{"resourceType":`), errSummary{accord.EINVALID, "", "the JSON is cut short"}},
		{"syntax", []byte(`{"resourceType" "x"}`), errSummary{accord.EINVALID, "", "the JSON is not valid (at byte 16)"}},
		{"empty", []byte(" "), errSummary{accord.EINVALID, "", "the JSON is empty"}},
		{"trailing value", append(doc([]string{boolA}), "{}"...), errSummary{accord.EINVALID, "", "the JSON holds more than one value"}},
		{"unknown field", []byte(`{"resourceType":"Questionnaire","publisher":"x"}`), errSummary{accord.EINVALID, "publisher", `unknown field "publisher"`}},
		{"field in another case", []byte(`{"ResourceType":"Questionnaire"}`), errSummary{accord.EINVALID, "ResourceType", `unknown field "ResourceType"`}},
		{"field given twice", []byte(`{"url":"https://a.org/q","url":"https://b.org/q"}`), errSummary{accord.EINVALID, "url", `field "url" is given twice`}},
		{"wrong JSON type", doc([]string{it("a", "boolean", `,"required":"yes"`)}), errSummary{accord.EINVALID, "item.required", "item.required must be a JSON boolean"}},
		{"integer out of range", doc([]string{boolA, it("b", "integer", ""), it("c", "boolean", ew(when("b", "=", `,"answerInteger":3000000000`)))}),
			errSummary{accord.EINVALID, "item.enableWhen.answerInteger", "item.enableWhen.answerInteger must be a JSON integer"}},
		{"invalid UTF-8", []byte("{\"id\":\"\xff\"}"), errSummary{accord.EINVALID, "", "the JSON is not valid UTF-8"}},
		{"too large", make([]byte, maxQuestionnaireBytes+1), errSummary{accord.ETOOLARGE, "", "a questionnaire is at most 1048576 bytes"}},

		// The questionnaire.
		{"resourceType", []byte(`{"resourceType":"Patient"}`), errSummary{accord.EINVALID, "resourceType", `resourceType must be "Questionnaire"`}},
		{"url relative", []byte(`{"resourceType":"Questionnaire","url":"q/1","version":"1"}`), errSummary{accord.EINVALID, "url", "url must be an absolute URI without a version or fragment"}},
		{"url with version", []byte(`{"resourceType":"Questionnaire","url":"https://a.org/q|1","version":"1"}`), errSummary{accord.EINVALID, "url", "url must be an absolute URI without a version or fragment"}},
		{"no version", []byte(`{"resourceType":"Questionnaire","url":"https://a.org/q"}`), errSummary{accord.EINVALID, "version", "version is required"}},
		{"status", []byte(`{"resourceType":"Questionnaire","url":"https://a.org/q","version":"1","status":"final"}`),
			errSummary{accord.EINVALID, "status", "status must be one of: draft, active, retired, unknown"}},
		{"title missing a language", []byte(`{"resourceType":"Questionnaire","url":"https://a.org/q","version":"1","status":"draft","title":{"en":"T","es":"T","ar":"T"}}`),
			errSummary{accord.EINVALID, "title", "title has no fr translation"}},
		{"no items", doc(nil), errSummary{accord.EINVALID, "item", "a questionnaire needs at least one item"}},

		// Items.
		{"unknown answer type", doc([]string{boolA, it("slider", "slider", "")}),
			errSummary{accord.EINVALID, "item[slider].type", "item[slider].type must be one of: group, display, boolean, choice, string, text, integer, decimal, date"}},
		{"FHIR type not supported", doc([]string{it("when", "dateTime", "")}),
			errSummary{accord.EINVALID, "item[when].type", "item[when].type must be one of: group, display, boolean, choice, string, text, integer, decimal, date"}},
		{"open-choice refused", doc([]string{it("oc", "open-choice", opts("x"))}),
			errSummary{accord.EINVALID, "item[oc].type", "open-choice items are not supported: use a choice item with an “other” option and a string item"}},
		{"no type", doc([]string{`{"linkId":"a","text":` + tr("a") + `}`}), errSummary{accord.EINVALID, "item[a].type", "type is required"}},
		{"no linkId", doc([]string{boolA, `{"type":"boolean","text":` + tr("a") + `}`}), errSummary{accord.EINVALID, "item[1].linkId", "linkId is required"}},
		{"no linkId in a group", doc([]string{group("g", "", `{"type":"boolean","text":`+tr("a")+`}`)}),
			errSummary{accord.EINVALID, "item[g].item[0].linkId", "linkId is required"}},
		{"duplicate linkId", doc([]string{boolA, group("g", "", it("b", "boolean", ""), it("a", "string", ""))}),
			errSummary{accord.EINVALID, "item[a]", `linkId "a" is used by two items`}},
		{"missing translation", doc([]string{boolA, `{"linkId":"b","type":"boolean","text":{"en":"b","es":"b","fr":"b"}}`}),
			errSummary{accord.EINVALID, "item[b].text", "item[b].text has no ar translation"}},
		{"blank translation", doc([]string{`{"linkId":"b","type":"boolean","text":{"en":"b","es":" ","fr":"b","ar":"b"}}`}),
			errSummary{accord.EINVALID, "item[b].text", "item[b].text has no es translation"}},
		{"language the title lacks", doc([]string{`{"linkId":"b","type":"boolean","text":{"en":"b","es":"b","fr":"b","ar":"b","uk":"b"}}`}),
			errSummary{accord.EINVALID, "item[b].text", "item[b].text has a uk translation that the title lacks"}},
		{"language tag not canonical", doc([]string{`{"linkId":"b","type":"boolean","text":{"en":"b","es":"b","fr":"b","ar":"b","EN-gb":"b"}}`}),
			errSummary{accord.EINVALID, "item[b].text", `"EN-gb" is not a BCP 47 language tag`}},
		{"option missing translation", doc([]string{`{"linkId":"c","type":"choice","text":` + tr("c") + `,"answerOption":[{"valueCoding":{"code":"x","display":` + tr("x") + `}},{"valueCoding":{"code":"y","display":{"en":"y"}}}]}`}),
			errSummary{accord.EINVALID, "item[c].answerOption[1].valueCoding.display", "item[c].answerOption[1].valueCoding.display has no ar translation"}},
		{"choice without options", doc([]string{it("c", "choice", "")}), errSummary{accord.EINVALID, "item[c].answerOption", "a choice item needs at least one answer option"}},
		{"options on a boolean", doc([]string{it("a", "boolean", opts("x"))}), errSummary{accord.EINVALID, "item[a].answerOption", "only choice items have answer options"}},
		{"option code twice", doc([]string{it("c", "choice", opts("x", "x"))}),
			errSummary{accord.EINVALID, "item[c].answerOption[1].valueCoding.code", `answer option code "x" is used twice`}},
		{"option without code", doc([]string{`{"linkId":"c","type":"choice","text":` + tr("c") + `,"answerOption":[{"valueCoding":{"display":` + tr("x") + `}}]}`}),
			errSummary{accord.EINVALID, "item[c].answerOption[0].valueCoding.code", "code is required"}},
		{"empty group", doc([]string{group("g", "")}), errSummary{accord.EINVALID, "item[g].item", "a group needs at least one item"}},
		{"items under a question", doc([]string{it("a", "boolean", `,"item":[`+it("b", "boolean", "")+`]`)}),
			errSummary{accord.EINVALID, "item[a].item", "only groups contain items"}},
		{"required display", doc([]string{it("d", "display", `,"required":true`)}), errSummary{accord.EINVALID, "item[d]", "display items are neither required nor repeated"}},
		{"repeating group", doc([]string{group("g", `,"repeats":true`, boolA)}), errSummary{accord.EINVALID, "item[g].repeats", "repeating groups are not supported"}},
		{"maxLength on an integer", doc([]string{it("i", "integer", `,"maxLength":10`)}), errSummary{accord.EINVALID, "item[i].maxLength", "only string and text items have a maxLength"}},
		{"maxLength too long", doc([]string{it("s", "string", `,"maxLength":20000`)}), errSummary{accord.EINVALID, "item[s].maxLength", "maxLength must be a whole number from 1 to 10000"}},
		{"control character in linkId", doc([]string{it("a\tb", "boolean", "")}), errSummary{accord.EINVALID, "item[a\tb].linkId", "item[a\tb].linkId contains a control character"}},
		{"nested too deep", doc([]string{group("1", "", group("2", "", group("3", "", group("4", "", group("5", "", group("6", "", group("7", "", group("8", "", group("9", "", boolA)))))))))}),
			errSummary{accord.EINVALID, "item[8].item", "items nest at most 8 deep"}},

		// enableWhen.
		{"enableWhen unknown linkId", doc([]string{boolA, it("b", "boolean", ew(when("nope", "=", `,"answerBoolean":true`)))}),
			errSummary{accord.EINVALID, "item[b].enableWhen[0].question", `no item "nope" in this questionnaire`}},
		{"enableWhen on a group", doc([]string{group("g", "", boolA), it("b", "boolean", ew(when("g", "exists", `,"answerBoolean":true`)))}),
			errSummary{accord.EINVALID, "item[b].enableWhen[0].question", `item "g" is a group, not a question`}},
		{"enableWhen on a display", doc([]string{it("d", "display", ""), it("b", "boolean", ew(when("d", "exists", `,"answerBoolean":true`)))}),
			errSummary{accord.EINVALID, "item[b].enableWhen[0].question", `item "d" is a display, not a question`}},
		{"enableWhen without question", doc([]string{boolA, it("b", "boolean", ew(`{"operator":"exists","answerBoolean":true}`))}),
			errSummary{accord.EINVALID, "item[b].enableWhen[0].question", "question is required"}},
		{"unknown operator", doc([]string{boolA, it("b", "boolean", ew(when("a", "~", `,"answerBoolean":true`)))}),
			errSummary{accord.EINVALID, "item[b].enableWhen[0].operator", "item[b].enableWhen[0].operator must be one of: exists, =, !=, >, <, >=, <="}},
		{"no answer value", doc([]string{boolA, it("b", "boolean", ew(when("a", "=", "")))}),
			errSummary{accord.EINVALID, "item[b].enableWhen[0]", "give exactly one answer value"}},
		{"two answer values", doc([]string{boolA, it("b", "boolean", ew(when("a", "=", `,"answerBoolean":true,"answerString":"yes"`)))}),
			errSummary{accord.EINVALID, "item[b].enableWhen[0]", "give exactly one answer value"}},
		{"incompatible answer type", doc([]string{boolA, it("b", "boolean", ew(when("a", "=", `,"answerCoding":{"code":"yes"}`)))}),
			errSummary{accord.EINVALID, "item[b].enableWhen[0]", "a boolean question takes answerBoolean"}},
		{"incompatible answer type (choice)", doc([]string{choiceC, it("b", "boolean", ew(when("c", "=", `,"answerString":"x"`)))}),
			errSummary{accord.EINVALID, "item[b].enableWhen[0]", "a choice question takes answerCoding"}},
		{"exists needs a boolean", doc([]string{it("i", "integer", ""), it("b", "boolean", ew(when("i", "exists", `,"answerInteger":1`)))}),
			errSummary{accord.EINVALID, "item[b].enableWhen[0]", "the exists operator takes answerBoolean"}},
		{"incompatible operator (boolean)", doc([]string{boolA, it("b", "boolean", ew(when("a", ">", `,"answerBoolean":true`)))}),
			errSummary{accord.EINVALID, "item[b].enableWhen[0].operator", "the > operator compares integer, decimal and date questions only"}},
		{"incompatible operator (string)", doc([]string{it("s", "string", ""), it("b", "boolean", ew(when("s", "<=", `,"answerString":"m"`)))}),
			errSummary{accord.EINVALID, "item[b].enableWhen[0].operator", "the <= operator compares integer, decimal and date questions only"}},
		{"code not an option", doc([]string{choiceC, it("b", "boolean", ew(when("c", "=", `,"answerCoding":{"code":"z"}`)))}),
			errSummary{accord.EINVALID, "item[b].enableWhen[0].answerCoding", `code "z" is not an answer option of "c"`}},
		{"not a date", doc([]string{it("d", "date", ""), it("b", "boolean", ew(when("d", ">", `,"answerDate":"2026-02-30"`)))}),
			errSummary{accord.EINVALID, "item[b].enableWhen[0].answerDate", `"2026-02-30" is not a date (YYYY-MM-DD)`}},
		{"two conditions, no behavior", doc([]string{boolA, it("b", "boolean", ew(when("a", "=", `,"answerBoolean":true`), when("a", "exists", `,"answerBoolean":true`)))}),
			errSummary{accord.EINVALID, "item[b].enableBehavior", "with more than one condition, say whether all or any must hold"}},
		{"unknown behavior", doc([]string{boolA, it("b", "boolean", ew(when("a", "=", `,"answerBoolean":true`))+`,"enableBehavior":"most"`)}),
			errSummary{accord.EINVALID, "item[b].enableBehavior", "item[b].enableBehavior must be one of: all, any"}},

		// Cycles.
		{"cycle: itself", doc([]string{boolA, it("b", "boolean", ew(when("b", "exists", `,"answerBoolean":true`)))}),
			errSummary{accord.EINVALID, "item[b].enableWhen[0]", "the enableWhen conditions go round in a circle: b → b"}},
		{"cycle: two items", doc([]string{boolA, it("b", "boolean", ew(when("c", "=", `,"answerCoding":{"code":"x"}`))), it("c", "choice", opts("x", "y")+ew(when("b", "=", `,"answerBoolean":true`)))}),
			errSummary{accord.EINVALID, "item[b].enableWhen[0]", "the enableWhen conditions go round in a circle: b → c → b"}},
		{"cycle: three items, found from the middle", doc([]string{
			it("x", "boolean", ew(when("a", "exists", `,"answerBoolean":true`), when("y", "=", `,"answerBoolean":true`))+`,"enableBehavior":"any"`),
			it("z", "boolean", ew(when("x", "=", `,"answerBoolean":false`))),
			boolA,
			it("y", "boolean", ew(when("z", "exists", `,"answerBoolean":false`))),
		}), errSummary{accord.EINVALID, "item[x].enableWhen[1]", "the enableWhen conditions go round in a circle: x → y → z → x"}},
		{"cycle: group on its own question", doc([]string{boolA, group("g", ew(when("g.1", "=", `,"answerBoolean":true`)), it("g.1", "boolean", ""))}),
			errSummary{accord.EINVALID, "item[g].enableWhen[0]", "the enableWhen conditions go round in a circle: g → g.1 → g"}},
		{"cycle: through a group", doc([]string{
			it("a", "boolean", ew(when("g.1", "=", `,"answerBoolean":true`))),
			group("g", ew(when("a", "=", `,"answerBoolean":true`)), it("g.1", "boolean", "")),
		}), errSummary{accord.EINVALID, "item[a].enableWhen[0]", "the enableWhen conditions go round in a circle: a → g.1 → g → a"}},
		{"cycle: through nested groups", doc([]string{
			group("outer", ew(when("outer.inner.1", "exists", `,"answerBoolean":true`)),
				boolA, group("outer.inner", "", it("outer.inner.1", "boolean", ""))),
		}), errSummary{accord.EINVALID, "item[outer].enableWhen[0]", "the enableWhen conditions go round in a circle: outer → outer.inner.1 → outer.inner → outer"}},

		// Rules.
		{"rule: unknown need", doc([]string{boolA}, rule("transport", "soon", "", when("a", "=", `,"answerBoolean":true`))),
			errSummary{accord.EINVALID, "rules[0].need", `unknown need "transport"`}},
		{"rule: unknown urgency", doc([]string{boolA}, rule("food", "asap", "", when("a", "=", `,"answerBoolean":true`))),
			errSummary{accord.EINVALID, "rules[0].urgency", "rules[0].urgency must be one of: routine, soon, urgent, immediate"}},
		{"rule: unknown item", doc([]string{boolA}, rule("food", "soon", "", when("a", "=", `,"answerBoolean":true`)), rule("food", "urgent", "", when("food.2", "=", `,"answerBoolean":true`))),
			errSummary{accord.EINVALID, "rules[1].when[0].question", `no item "food.2" in this questionnaire`}},
		{"rule: incompatible answer", doc([]string{boolA}, rule("food", "soon", "", when("a", "=", `,"answerInteger":1`))),
			errSummary{accord.EINVALID, "rules[0].when[0]", "a boolean question takes answerBoolean"}},
		{"rule: no condition", doc([]string{boolA}, rule("food", "soon", "")), errSummary{accord.EINVALID, "rules[0].when", "a rule needs at least one condition"}},
		{"rule: no behavior", doc([]string{boolA}, rule("food", "soon", "", when("a", "=", `,"answerBoolean":true`), when("a", "exists", `,"answerBoolean":true`))),
			errSummary{accord.EINVALID, "rules[0].behavior", "with more than one condition, say whether all or any must hold"}},
		{"rule: explanation not translated", doc([]string{boolA}, `{"need":"food","urgency":"soon","when":[`+when("a", "=", `,"answerBoolean":true`)+`],"explanation":{"en":"x"}}`),
			errSummary{accord.EINVALID, "rules[0].explanation", "rules[0].explanation has no ar translation"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Load(tt.json)
			if err == nil {
				t.Fatalf("Load succeeded, want %+v; loaded %d items", tt.want, len(q.order))
			}
			if diff := cmp.Diff(tt.want, summarize(err)); diff != "" {
				t.Errorf("Load error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadAcceptedList(t *testing.T) {
	_, err := Load(doc([]string{it("a", "boolean", "")}, rule("transport", "soon", "", `{"question":"a","operator":"exists","answerBoolean":true}`)))
	e := accord.AsError(err)
	if e == nil {
		t.Fatalf("Load: %v, want an *accord.Error", err)
	}
	var want []string
	for _, n := range Needs {
		want = append(want, string(n))
	}
	if diff := cmp.Diff(want, e.Accepted); diff != "" {
		t.Errorf("Accepted (-want +got):\n%s", diff)
	}
}

func TestLoadAccepts(t *testing.T) {
	tests := []struct {
		name string
		json []byte
	}{
		{"every type", doc([]string{
			it("g", "group", `,"required":true,"item":[`+it("g.b", "boolean", "")+`,`+it("g.c", "choice", opts("x")+`,"repeats":true`)+`]`),
			it("s", "string", `,"maxLength":20`), it("t", "text", ""), it("i", "integer", ""), it("n", "decimal", ""), it("d", "date", ""), it("info", "display", ""),
		})},
		{"extra language everywhere", []byte(`{"resourceType":"Questionnaire","url":"urn:uuid:0f7c","version":"1","status":"draft","title":{"en":"T","es":"T","fr":"T","ar":"T","uk":"T"},` +
			`"item":[{"linkId":"a","type":"boolean","text":{"en":"a","es":"a","fr":"a","ar":"a","uk":"a"}}]}`)},
		{"every operator", doc([]string{
			it("i", "integer", ""), it("n", "decimal", ""), it("d", "date", ""),
			it("x", "boolean", `,"enableBehavior":"all","enableWhen":[`+strings.Join([]string{
				`{"question":"i","operator":">","answerInteger":1}`, `{"question":"i","operator":"<","answerInteger":9}`,
				`{"question":"n","operator":">=","answerDecimal":1.5}`, `{"question":"n","operator":"<=","answerDecimal":2.5}`,
				`{"question":"d","operator":"!=","answerDate":"2026-01-01"}`, `{"question":"d","operator":"exists","answerBoolean":true}`,
				`{"question":"d","operator":"=","answerDate":"2026-01-02"}`,
			}, ",")+`]`),
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := mustLoad(t, tt.json)
			b, err := json.Marshal(q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(q, mustLoad(t, b), cmpopts.IgnoreUnexported(Questionnaire{})); diff != "" {
				t.Errorf("reloaded (-loaded +reloaded):\n%s", diff)
			}
		})
	}
}
