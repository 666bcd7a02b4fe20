package screening

import "slices"

// ItemView is one item of a questionnaire as a form shows it, in one
// language.
type ItemView struct {
	LinkID   string
	Type     ItemType
	Depth    int    // 0 at the top level, 1 inside a group, …
	Parent   string // the linkId of the group it is in; "" at the top level
	Text     string
	Required bool
	Repeats  bool
	// MaxLength is the longest answer a string or text question takes.
	MaxLength int
	// Enabled reports whether the item is asked given the answers so far.
	// A form hides or greys out the others, and sends no answer to them.
	Enabled bool
	Options []OptionView
	// Answers are the response's answers to the question, even when it is
	// disabled (a form may keep them in case it is enabled again).
	Answers []Answer
}

// OptionView is one answer option of a choice question, in one language.
type OptionView struct {
	Code    string `json:"code"`
	Display string `json:"display"`
}

// Items returns every item of q depth first in document order, with texts
// in lang (falling back to its base language, then English) and with
// Enabled and Answers given the response so far (nil for an empty one).
func (q *Questionnaire) Items(lang string, r *Response) []ItemView {
	e := q.newEval(r)
	depth := map[string]int{}
	out := make([]ItemView, 0, len(q.order))
	for _, it := range q.order {
		v := ItemView{
			LinkID:   it.LinkID,
			Type:     it.Type,
			Text:     it.Text.In(lang),
			Required: it.Required,
			Repeats:  it.Repeats,
			Enabled:  e.enabled(it),
			Answers:  slices.Clone(e.answers[it.LinkID]),
		}
		if p := q.parent[it.LinkID]; p != nil {
			v.Parent, v.Depth = p.LinkID, depth[p.LinkID]+1
		}
		depth[it.LinkID] = v.Depth
		if it.Type == TypeString || it.Type == TypeText {
			v.MaxLength = it.maxLength()
		}
		for _, o := range it.AnswerOption {
			v.Options = append(v.Options, OptionView{Code: o.ValueCoding.Code, Display: o.ValueCoding.Display.In(lang)})
		}
		out = append(out, v)
	}
	return out
}
