package screening

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/accord-project/accord"
)

// Limits on a questionnaire, so that one from outside cannot make the engine
// slow or a form unusable.
const (
	maxQuestionnaireBytes = 1 << 20
	maxItems              = 1000
	maxDepth              = 8
	maxRules              = 1000
	maxConditions         = 50
	maxOptions            = 100
	maxLinkID             = 255 // as FHIR
	maxText               = 2000
	maxCanonical          = 1000
	// Answers to string and text questions are bounded by maxLength, or by
	// these when it is not set; maxLength itself at most maxTextAnswer.
	defaultStringLength = 500
	defaultTextLength   = 4000
	maxTextAnswer       = 10000
)

// RequiredLanguages are the languages every text of a questionnaire must have.
var RequiredLanguages = []string{"en", "es", "fr", "ar"}

// ItemType is the type of a questionnaire item (FHIR Questionnaire.item.type).
type ItemType string

// The supported item types. FHIR's other types (open-choice, dateTime, time,
// url, attachment, reference, quantity) are refused.
const (
	TypeGroup   ItemType = "group"
	TypeDisplay ItemType = "display"
	TypeBoolean ItemType = "boolean"
	TypeChoice  ItemType = "choice"
	TypeString  ItemType = "string"
	TypeText    ItemType = "text"
	TypeInteger ItemType = "integer"
	TypeDecimal ItemType = "decimal"
	TypeDate    ItemType = "date"
)

// ItemTypes lists the supported item types.
var ItemTypes = []ItemType{TypeGroup, TypeDisplay, TypeBoolean, TypeChoice, TypeString, TypeText, TypeInteger, TypeDecimal, TypeDate}

// Question reports whether items of this type take answers.
func (t ItemType) Question() bool {
	return t != TypeGroup && t != TypeDisplay && slices.Contains(ItemTypes, t)
}

// Operator compares a question's answers with a condition's value.
type Operator string

// The operators of FHIR's questionnaire-enable-operator code system.
const (
	OpExists       Operator = "exists"
	OpEqual        Operator = "="
	OpNotEqual     Operator = "!="
	OpGreater      Operator = ">"
	OpLess         Operator = "<"
	OpGreaterEqual Operator = ">="
	OpLessEqual    Operator = "<="
)

// Operators lists the operators.
var Operators = []Operator{OpExists, OpEqual, OpNotEqual, OpGreater, OpLess, OpGreaterEqual, OpLessEqual}

// ordering reports whether op compares order rather than equality.
func (op Operator) ordering() bool {
	return op == OpGreater || op == OpLess || op == OpGreaterEqual || op == OpLessEqual
}

// Behavior says how several conditions combine.
type Behavior string

const (
	BehaviorAll Behavior = "all" // every condition holds
	BehaviorAny Behavior = "any" // at least one holds
)

// Translations maps a BCP 47 language tag to a text in that language.
type Translations map[string]string

// In returns the text in lang: the exact tag, else its base language
// ("es" for "es-MX"), else English.
func (t Translations) In(lang string) string {
	if s, ok := t[lang]; ok {
		return s
	}
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		if s, ok := t[strings.ToLower(lang[:i])]; ok {
			return s
		}
	}
	if s, ok := t[strings.ToLower(lang)]; ok {
		return s
	}
	return t["en"]
}

// Questionnaire is a FHIR R4 Questionnaire with Accord's rules. Get one from
// Load, Builtin or Find, and do not change it afterwards: Load builds an
// index of the items that the methods rely on.
type Questionnaire struct {
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id,omitempty"`
	URL          string       `json:"url"`
	Version      string       `json:"version"`
	Title        Translations `json:"title"`
	Status       string       `json:"status"`
	Item         []Item       `json:"item"`
	Rules        []Rule       `json:"rules,omitempty"`

	items  map[string]*Item // by linkId
	parent map[string]*Item // the group an item is in; absent at the top level
	order  []*Item          // every item, depth first in document order
	langs  []string         // the languages of every text, sorted
}

// Item is a group, a display text or a question (FHIR Questionnaire.item).
type Item struct {
	LinkID         string         `json:"linkId"`
	Text           Translations   `json:"text"`
	Type           ItemType       `json:"type"`
	Required       bool           `json:"required,omitempty"`
	Repeats        bool           `json:"repeats,omitempty"`
	MaxLength      int            `json:"maxLength,omitempty"`
	AnswerOption   []AnswerOption `json:"answerOption,omitempty"`
	EnableWhen     []Condition    `json:"enableWhen,omitempty"`
	EnableBehavior Behavior       `json:"enableBehavior,omitempty"`
	Item           []Item         `json:"item,omitempty"`
}

// AnswerOption is one permitted answer of a choice question.
type AnswerOption struct {
	ValueCoding Option `json:"valueCoding"`
}

// Option is the coding of an answer option. Unlike a FHIR Coding, its
// display is translated.
type Option struct {
	System  string       `json:"system,omitempty"`
	Code    string       `json:"code"`
	Display Translations `json:"display"`
}

// Coding is a FHIR Coding: a code, from a system when one is given.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

// Condition is a FHIR enableWhen: it holds when the question's answers
// compare with the one answer[x] value as the operator says (see the package
// documentation). Rules use the same shape.
type Condition struct {
	Question      string   `json:"question"`
	Operator      Operator `json:"operator"`
	AnswerBoolean *bool    `json:"answerBoolean,omitempty"`
	AnswerDecimal *float64 `json:"answerDecimal,omitempty"`
	AnswerInteger *int32   `json:"answerInteger,omitempty"`
	AnswerDate    *string  `json:"answerDate,omitempty"`
	AnswerString  *string  `json:"answerString,omitempty"`
	AnswerCoding  *Coding  `json:"answerCoding,omitempty"`
}

// Rule is the Accord extension: when its conditions hold, the person has the
// need, with the urgency.
type Rule struct {
	Need        NeedCode     `json:"need"`
	Urgency     Urgency      `json:"urgency"`
	When        []Condition  `json:"when"`
	Behavior    Behavior     `json:"behavior,omitempty"`
	Explanation Translations `json:"explanation"`
}

// Canonical returns the questionnaire's canonical reference, url|version,
// as a response's questionnaire element holds it.
func (q *Questionnaire) Canonical() string { return q.URL + "|" + q.Version }

// Lookup returns the item with the given linkId, or nil.
func (q *Questionnaire) Lookup(linkID string) *Item { return q.items[linkID] }

// Languages returns the languages the questionnaire is written in, sorted.
func (q *Questionnaire) Languages() []string { return slices.Clone(q.langs) }

// Load decodes and validates a questionnaire. Decoding is strict: unknown
// fields, fields in another case, a field given twice and trailing data are
// refused. Errors are ETOOLARGE over 1 MiB, else EINVALID with Field naming
// the element at fault: "item[housing.2].enableWhen[0]", "rules[3].need".
func Load(b []byte) (*Questionnaire, error) {
	if len(b) > maxQuestionnaireBytes {
		return nil, accord.Errorf(accord.ETOOLARGE, "a questionnaire is at most %d bytes", maxQuestionnaireBytes)
	}
	q := new(Questionnaire)
	if err := decodeStrict(b, q); err != nil {
		return nil, err
	}
	if err := q.validate(); err != nil {
		return nil, err
	}
	return q, nil
}

// validate checks q and builds its index.
func (q *Questionnaire) validate() error {
	if q.ResourceType != "Questionnaire" {
		return accord.FieldErrorf("resourceType", "resourceType must be %q", "Questionnaire")
	}
	if q.ID != "" && !fhirID.MatchString(q.ID) {
		return accord.FieldErrorf("id", "id must be 1 to 64 letters, digits, '-' and '.'")
	}
	if err := checkCanonical(q.URL, q.Version); err != nil {
		return err
	}
	if !slices.Contains([]string{"draft", "active", "retired", "unknown"}, q.Status) {
		return oneOf("status", q.Status, "draft", "active", "retired", "unknown")
	}
	if err := q.checkLanguages("title", q.Title); err != nil {
		return err
	}
	if len(q.Item) == 0 {
		return accord.FieldErrorf("item", "a questionnaire needs at least one item")
	}
	q.items = map[string]*Item{}
	q.parent = map[string]*Item{}
	q.order = nil
	if err := q.index(q.Item, nil, "item", 1); err != nil {
		return err
	}
	for _, it := range q.order {
		if err := q.checkItem(it); err != nil {
			return err
		}
	}
	if err := q.checkCycles(); err != nil {
		return err
	}
	if len(q.Rules) > maxRules {
		return accord.FieldErrorf("rules", "a questionnaire has at most %d rules", maxRules)
	}
	for i := range q.Rules {
		if err := q.checkRule(i); err != nil {
			return err
		}
	}
	q.normalize()
	return nil
}

var fhirID = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

func checkCanonical(u, version string) error {
	switch {
	case u == "":
		return accord.FieldErrorf("url", "%s is required", "url")
	case len(u) > maxCanonical:
		return accord.FieldErrorf("url", "%s is longer than %d characters", "url", maxCanonical)
	case strings.ContainsAny(u, "|# \t\r\n"):
		return accord.FieldErrorf("url", "url must be an absolute URI without a version or fragment")
	}
	if p, err := url.Parse(u); err != nil || !p.IsAbs() {
		return accord.FieldErrorf("url", "url must be an absolute URI without a version or fragment")
	}
	switch {
	case version == "":
		return accord.FieldErrorf("version", "%s is required", "version")
	case len(version) > 64:
		return accord.FieldErrorf("version", "%s is longer than %d characters", "version", 64)
	case strings.ContainsFunc(version, func(r rune) bool { return r == '|' || unicode.IsSpace(r) || unicode.IsControl(r) }):
		return accord.FieldErrorf("version", "version must not contain “|”, spaces or control characters")
	}
	return nil
}

// index walks items depth first, recording each in q.order, q.items and
// q.parent, and checks the structure: linkIds, nesting, counts.
func (q *Questionnaire) index(items []Item, parent *Item, path string, depth int) error {
	if depth > maxDepth {
		return accord.FieldErrorf(path, "items nest at most %d deep", maxDepth)
	}
	for i := range items {
		it := &items[i]
		if it.LinkID == "" {
			return accord.FieldErrorf(fmt.Sprintf("%s[%d].linkId", path, i), "%s is required", "linkId")
		}
		f := itemField(it.LinkID)
		if err := checkString(f+".linkId", it.LinkID, maxLinkID, false); err != nil {
			return err
		}
		if _, dup := q.items[it.LinkID]; dup {
			return accord.FieldErrorf(f, "linkId %q is used by two items", it.LinkID)
		}
		if len(q.order) == maxItems {
			return accord.FieldErrorf(f, "a questionnaire has at most %d items", maxItems)
		}
		q.items[it.LinkID] = it
		q.order = append(q.order, it)
		if parent != nil {
			q.parent[it.LinkID] = parent
		}
		if it.Type == TypeGroup {
			if err := q.index(it.Item, it, f+".item", depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// itemField names an item in an error's Field.
func itemField(linkID string) string { return "item[" + linkID + "]" }

// checkItem checks one item on its own and its conditions against the index.
func (q *Questionnaire) checkItem(it *Item) error {
	f := itemField(it.LinkID)
	switch it.Type {
	case "":
		return accord.FieldErrorf(f+".type", "%s is required", "type")
	case "open-choice":
		return accord.FieldErrorf(f+".type", "open-choice items are not supported: use a choice item with an “other” option and a string item")
	}
	if !slices.Contains(ItemTypes, it.Type) {
		accepted := make([]string, len(ItemTypes))
		for i, t := range ItemTypes {
			accepted[i] = string(t)
		}
		return oneOf(f+".type", string(it.Type), accepted...)
	}
	if err := q.checkLanguages(f+".text", it.Text); err != nil {
		return err
	}
	switch {
	case it.Type == TypeGroup && len(it.Item) == 0:
		return accord.FieldErrorf(f+".item", "a group needs at least one item")
	case it.Type != TypeGroup && len(it.Item) > 0:
		return accord.FieldErrorf(f+".item", "only groups contain items")
	case it.Type == TypeDisplay && (it.Required || it.Repeats):
		return accord.FieldErrorf(f, "display items are neither required nor repeated")
	case it.Type == TypeGroup && it.Repeats:
		return accord.FieldErrorf(f+".repeats", "repeating groups are not supported")
	case it.Type == TypeChoice && len(it.AnswerOption) == 0:
		return accord.FieldErrorf(f+".answerOption", "a choice item needs at least one answer option")
	case it.Type != TypeChoice && len(it.AnswerOption) > 0:
		return accord.FieldErrorf(f+".answerOption", "only choice items have answer options")
	case len(it.AnswerOption) > maxOptions:
		return accord.FieldErrorf(f+".answerOption", "an item has at most %d answer options", maxOptions)
	case it.MaxLength != 0 && it.Type != TypeString && it.Type != TypeText:
		return accord.FieldErrorf(f+".maxLength", "only string and text items have a maxLength")
	case it.MaxLength < 0 || it.MaxLength > maxTextAnswer:
		return accord.FieldErrorf(f+".maxLength", "%s must be a whole number from %d to %d", "maxLength", 1, maxTextAnswer)
	}
	codes := map[string]bool{}
	for i, o := range it.AnswerOption {
		of := fmt.Sprintf("%s.answerOption[%d].valueCoding", f, i)
		if o.ValueCoding.Code == "" {
			return accord.FieldErrorf(of+".code", "%s is required", "code")
		}
		if err := checkString(of+".code", o.ValueCoding.Code, 255, false); err != nil {
			return err
		}
		if err := checkString(of+".system", o.ValueCoding.System, maxCanonical, false); err != nil {
			return err
		}
		if codes[o.ValueCoding.Code] {
			return accord.FieldErrorf(of+".code", "answer option code %q is used twice", o.ValueCoding.Code)
		}
		codes[o.ValueCoding.Code] = true
		if err := q.checkLanguages(of+".display", o.ValueCoding.Display); err != nil {
			return err
		}
	}
	return q.checkConditions(f+".enableWhen", f+".enableBehavior", it.EnableWhen, it.EnableBehavior)
}

func (q *Questionnaire) checkRule(i int) error {
	r := &q.Rules[i]
	f := fmt.Sprintf("rules[%d]", i)
	if !r.Need.Valid() {
		e := accord.FieldErrorf(f+".need", "unknown need %q", string(r.Need))
		for _, n := range Needs {
			e.Accepted = append(e.Accepted, string(n))
		}
		return e
	}
	if !r.Urgency.Valid() {
		accepted := make([]string, len(Urgencies))
		for i, u := range Urgencies {
			accepted[i] = string(u)
		}
		return oneOf(f+".urgency", string(r.Urgency), accepted...)
	}
	if len(r.When) == 0 {
		return accord.FieldErrorf(f+".when", "a rule needs at least one condition")
	}
	if err := q.checkConditions(f+".when", f+".behavior", r.When, r.Behavior); err != nil {
		return err
	}
	return q.checkLanguages(f+".explanation", r.Explanation)
}

// checkConditions checks enableWhen or a rule's when, and its behavior.
func (q *Questionnaire) checkConditions(field, behaviorField string, cs []Condition, b Behavior) error {
	if len(cs) > maxConditions {
		return accord.FieldErrorf(field, "at most %d conditions", maxConditions)
	}
	for i := range cs {
		if err := q.checkCondition(fmt.Sprintf("%s[%d]", field, i), &cs[i]); err != nil {
			return err
		}
	}
	switch {
	case b != "" && b != BehaviorAll && b != BehaviorAny:
		return oneOf(behaviorField, string(b), string(BehaviorAll), string(BehaviorAny))
	case b == "" && len(cs) > 1:
		return accord.FieldErrorf(behaviorField, "with more than one condition, say whether all or any must hold")
	}
	return nil
}

func (q *Questionnaire) checkCondition(f string, c *Condition) error {
	if c.Question == "" {
		return accord.FieldErrorf(f+".question", "%s is required", "question")
	}
	target := q.items[c.Question]
	if target == nil {
		return accord.FieldErrorf(f+".question", "no item %q in this questionnaire", c.Question)
	}
	if !target.Type.Question() {
		return accord.FieldErrorf(f+".question", "item %q is a %s, not a question", c.Question, string(target.Type))
	}
	if !slices.Contains(Operators, c.Operator) {
		accepted := make([]string, len(Operators))
		for i, o := range Operators {
			accepted[i] = string(o)
		}
		return oneOf(f+".operator", string(c.Operator), accepted...)
	}
	n, kind := c.value()
	if n != 1 {
		return accord.FieldErrorf(f, "give exactly one answer value")
	}
	if c.Operator == OpExists {
		if c.AnswerBoolean == nil {
			return accord.FieldErrorf(f, "the exists operator takes answerBoolean")
		}
		return nil
	}
	if want := answerKind(target.Type); kind != want {
		return accord.FieldErrorf(f, "a %s question takes %s", string(target.Type), "answer"+want)
	}
	if c.Operator.ordering() && target.Type != TypeInteger && target.Type != TypeDecimal && target.Type != TypeDate {
		return accord.FieldErrorf(f+".operator", "the %s operator compares integer, decimal and date questions only", string(c.Operator))
	}
	switch {
	case c.AnswerDate != nil:
		if !validDate(*c.AnswerDate) {
			return accord.FieldErrorf(f+".answerDate", "%q is not a date (YYYY-MM-DD)", *c.AnswerDate)
		}
	case c.AnswerCoding != nil:
		if !target.hasOption(*c.AnswerCoding) {
			return accord.FieldErrorf(f+".answerCoding", "code %q is not an answer option of %q", c.AnswerCoding.Code, target.LinkID)
		}
	case c.AnswerString != nil:
		if err := checkString(f+".answerString", *c.AnswerString, maxTextAnswer, true); err != nil {
			return err
		}
	}
	return nil
}

// value returns how many answer[x] c has and, when one, which
// ("Boolean", "Coding", …).
func (c *Condition) value() (n int, kind string) {
	for k, set := range map[string]bool{
		"Boolean": c.AnswerBoolean != nil, "Decimal": c.AnswerDecimal != nil,
		"Integer": c.AnswerInteger != nil, "Date": c.AnswerDate != nil,
		"String": c.AnswerString != nil, "Coding": c.AnswerCoding != nil,
	} {
		if set {
			n, kind = n+1, k
		}
	}
	return n, kind
}

// answerKind returns the value[x] suffix that answers a question of type t.
func answerKind(t ItemType) string {
	switch t {
	case TypeBoolean:
		return "Boolean"
	case TypeChoice:
		return "Coding"
	case TypeString, TypeText:
		return "String"
	case TypeInteger:
		return "Integer"
	case TypeDecimal:
		return "Decimal"
	case TypeDate:
		return "Date"
	}
	return ""
}

// hasOption reports whether c is one of it's answer options: the same code,
// and the same system when c names one.
func (it *Item) hasOption(c Coding) bool {
	return it.option(c) != nil
}

func (it *Item) option(c Coding) *Option {
	for i := range it.AnswerOption {
		o := &it.AnswerOption[i].ValueCoding
		if o.Code == c.Code && (c.System == "" || c.System == o.System) {
			return o
		}
	}
	return nil
}

// checkLanguages checks a translated text: the required languages and the
// same languages as every other text of the questionnaire (the title's,
// checked first), each non-empty and bounded.
func (q *Questionnaire) checkLanguages(field string, t Translations) error {
	for _, tag := range slices.Sorted(maps.Keys(t)) {
		if p, err := language.Parse(tag); err != nil || p.String() != tag {
			return accord.FieldErrorf(field, "%q is not a BCP 47 language tag", tag)
		}
		if err := checkString(field+"."+tag, t[tag], maxText, true); err != nil {
			return err
		}
		if strings.TrimSpace(t[tag]) == "" {
			return accord.FieldErrorf(field, "%s has no %s translation", field, tag)
		}
	}
	if q.langs == nil {
		for _, l := range RequiredLanguages {
			if _, ok := t[l]; !ok {
				return accord.FieldErrorf(field, "%s has no %s translation", field, l)
			}
		}
		q.langs = slices.Sorted(maps.Keys(t))
		return nil
	}
	for _, l := range q.langs {
		if _, ok := t[l]; !ok {
			return accord.FieldErrorf(field, "%s has no %s translation", field, l)
		}
	}
	for l := range t {
		if !slices.Contains(q.langs, l) {
			return accord.FieldErrorf(field, "%s has a %s translation that the title lacks", field, l)
		}
	}
	return nil
}

// checkString refuses invalid UTF-8, control characters (but for line
// breaks and tabs when multiline) and more than max characters.
func checkString(field, s string, max int, multiline bool) error {
	if !utf8.ValidString(s) {
		return accord.FieldErrorf(field, "%s is not valid UTF-8", field)
	}
	if strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t'))
	}) {
		return accord.FieldErrorf(field, "%s contains a control character", field)
	}
	if utf8.RuneCountInString(s) > max {
		return accord.FieldErrorf(field, "%s is longer than %d characters", field, max)
	}
	return nil
}

// oneOf returns the error for a value outside a closed set.
func oneOf(field, got string, accepted ...string) *accord.Error {
	e := accord.FieldErrorf(field, "%s must be one of: %s", field, strings.Join(accepted, ", "))
	if got == "" {
		e = accord.FieldErrorf(field, "%s is required", field)
	}
	e.Accepted = accepted
	return e
}

// normalize turns empty lists into nil, so that a questionnaire re-encodes
// and reloads to an equal value.
func (q *Questionnaire) normalize() {
	if len(q.Rules) == 0 {
		q.Rules = nil
	}
	for _, it := range q.order {
		if len(it.AnswerOption) == 0 {
			it.AnswerOption = nil
		}
		if len(it.EnableWhen) == 0 {
			it.EnableWhen = nil
		}
	}
}

// checkCycles refuses conditions that depend on themselves. An item depends
// on the questions its enableWhen names and on the group it is in, since a
// disabled group disables it. The error names the item on the cycle that
// comes first in the questionnaire, and its condition that leads round.
func (q *Questionnaire) checkCycles() error {
	const (
		unvisited = iota
		onPath
		done
	)
	state := make(map[*Item]int, len(q.order))
	var path, cycle []*Item
	var visit func(it *Item) bool
	visit = func(it *Item) bool {
		state[it] = onPath
		path = append(path, it)
		deps := make([]*Item, 0, 1+len(it.EnableWhen))
		if p := q.parent[it.LinkID]; p != nil {
			deps = append(deps, p)
		}
		for _, c := range it.EnableWhen {
			deps = append(deps, q.items[c.Question])
		}
		for _, d := range deps {
			switch state[d] {
			case onPath:
				cycle = slices.Clone(path[slices.Index(path, d):])
				return true
			case unvisited:
				if visit(d) {
					return true
				}
			}
		}
		path = path[:len(path)-1]
		state[it] = done
		return false
	}
	for _, it := range q.order {
		if state[it] == unvisited && visit(it) {
			break
		}
	}
	if cycle == nil {
		return nil
	}
	pos := make(map[*Item]int, len(q.order))
	for i, it := range q.order {
		pos[it] = i
	}
	start := 0
	for i, it := range cycle {
		if pos[it] < pos[cycle[start]] {
			start = i
		}
	}
	cycle = append(cycle[start:], cycle[:start]...)
	first, next := cycle[0], cycle[1%len(cycle)]
	field := itemField(first.LinkID)
	for i, c := range first.EnableWhen {
		if c.Question == next.LinkID {
			field = fmt.Sprintf("%s.enableWhen[%d]", field, i)
			break
		}
	}
	names := make([]string, 0, len(cycle)+1)
	for _, it := range append(cycle, first) {
		names = append(names, it.LinkID)
	}
	return accord.FieldErrorf(field, "the enableWhen conditions go round in a circle: %s", strings.Join(names, " → "))
}
