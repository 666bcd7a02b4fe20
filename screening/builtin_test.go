package screening

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

// texts returns every translated text of q by where it is.
func texts(q *Questionnaire) map[string]Translations {
	out := map[string]Translations{"title": q.Title}
	for _, it := range q.order {
		out[itemField(it.LinkID)+".text"] = it.Text
		for i, o := range it.AnswerOption {
			out[fmt.Sprintf("%s.answerOption[%d]", itemField(it.LinkID), i)] = o.ValueCoding.Display
		}
	}
	for i, r := range q.Rules {
		out[fmt.Sprintf("rules[%d].explanation", i)] = r.Explanation
	}
	return out
}

// TestTranslationsComplete fails when any text of a built-in questionnaire
// misses a language another text has, or a translation looks wrong: the
// same as the English, numbers that differ, a question not punctuated as
// one in its language, Arabic that is not in Arabic script.
func TestTranslationsComplete(t *testing.T) {
	// Words that are the same in English and another language.
	same := map[string]bool{"No": true}
	digits := regexp.MustCompile(`\d+`)
	latin := regexp.MustCompile(`[A-Za-z]+`)
	for _, q := range Builtin() {
		t.Run(q.ID, func(t *testing.T) {
			all := texts(q)
			langs := map[string]bool{}
			for _, tr := range all {
				for l := range tr {
					langs[l] = true
				}
			}
			if want := []string{"ar", "en", "es", "fr"}; !slices.Equal(slices.Sorted(maps.Keys(langs)), want) {
				t.Errorf("languages %v, want %v", slices.Sorted(maps.Keys(langs)), want)
			}
			for _, where := range slices.Sorted(maps.Keys(all)) {
				tr := all[where]
				en := tr["en"]
				for l := range langs {
					s, ok := tr[l]
					switch {
					case !ok || strings.TrimSpace(s) == "":
						t.Errorf("%s: no %s translation", where, l)
						continue
					case s != strings.TrimSpace(s) || strings.Contains(s, "  "):
						t.Errorf("%s (%s): stray spaces in %q", where, l, s)
					case l != "en" && s == en && !same[en]:
						t.Errorf("%s (%s): not translated: %q", where, l, s)
					}
					if l == "es" || l == "fr" {
						if got, want := digits.FindAllString(s, -1), digits.FindAllString(en, -1); !slices.Equal(got, want) {
							t.Errorf("%s (%s): numbers %v, the English has %v: %q", where, l, got, want, s)
						}
					}
				}
				if strings.HasSuffix(en, "?") {
					if es := tr["es"]; !strings.Contains(es, "¿") || !strings.HasSuffix(es, "?") {
						t.Errorf("%s (es): a question needs ¿…?: %q", where, es)
					}
					if fr := tr["fr"]; !strings.HasSuffix(fr, "\u00a0?") {
						t.Errorf("%s (fr): a question ends with a no-break space and ?: %q", where, fr)
					}
					if ar := tr["ar"]; !strings.HasSuffix(ar, "؟") {
						t.Errorf("%s (ar): a question ends with ؟: %q", where, ar)
					}
				}
				if strings.Contains(tr["fr"], " ?") || strings.Contains(tr["fr"], " :") || strings.Contains(tr["fr"], " ;") {
					t.Errorf("%s (fr): use a no-break space before ? : ;: %q", where, tr["fr"])
				}
				ar := tr["ar"]
				if !strings.ContainsFunc(ar, func(r rune) bool { return unicode.Is(unicode.Arabic, r) }) {
					t.Errorf("%s (ar): not in Arabic script: %q", where, ar)
				}
				for _, w := range latin.FindAllString(ar, -1) {
					if w != "IHELLP" {
						t.Errorf("%s (ar): Latin word %q in %q", where, w, ar)
					}
				}
			}
		})
	}
}

// TestBuiltinsAskCarefully holds the built-in questionnaires to the
// partnership's rules for sensitive questions.
func TestBuiltinsAskCarefully(t *testing.T) {
	for _, q := range Builtin() {
		t.Run(q.ID, func(t *testing.T) {
			for _, it := range q.order {
				en := strings.ToLower(it.Text["en"])
				// Never ask for the immigration status itself.
				if it.Type.Question() && regexp.MustCompile(`what is your (immigration|legal|visa|residence) status|are you (undocumented|legal|illegal)`).MatchString(en) {
					t.Errorf("item %s asks for the status itself: %q", it.LinkID, it.Text["en"])
				}
				if strings.Contains(en, "illegal") {
					t.Errorf("item %s says “illegal”: %q", it.LinkID, it.Text["en"])
				}
				// Sensitive questions may be skipped.
				if it.Required && regexp.MustCompile(`immigration|safe|hurt|pregnan|dead|threat`).MatchString(en) {
					t.Errorf("item %s is sensitive and required: %q", it.LinkID, it.Text["en"])
				}
			}
			for i, r := range q.Rules {
				if r.Urgency == UrgencyImmediate && !strings.Contains(r.Explanation["en"], "before they leave") {
					t.Errorf("rules[%d] is immediate but does not say to act before the person leaves: %q", i, r.Explanation["en"])
				}
			}
		})
	}
}

func TestItems(t *testing.T) {
	q := builtin(t, "social-legal-needs")
	r := resp(q, StatusInProgress, grp("housing", ans("housing.1", Code("worried"))))
	type view struct {
		LinkID, Parent, Text string
		Depth                int
		Enabled              bool
		Options              []OptionView
		Answers              []Answer
	}
	pick := func(vs []ItemView, ids ...string) []view {
		var out []view
		for _, v := range vs {
			if slices.Contains(ids, v.LinkID) {
				out = append(out, view{v.LinkID, v.Parent, v.Text, v.Depth, v.Enabled, v.Options, v.Answers})
			}
		}
		return out
	}
	tests := []struct {
		lang string
		want []view
	}{
		{"ar", []view{
			{"housing", "", "السكن", 0, true, nil, nil},
			{"housing.1", "housing", "أيّ مما يلي يصف مكان سكنك الحالي بشكل أفضل؟", 1, true, []OptionView{
				{"stable", "لديّ مكان ثابت أعيش فيه"}, {"worried", "لديّ مكان أعيش فيه، لكنني قلق من أن أفقده"},
				{"temporary", "أقيم مؤقتًا عند أشخاص آخرين أو في مأوى أو في فندق"}, {"none", "ليس لديّ مكان آمن أنام فيه الليلة"},
			}, []Answer{Code("worried")}},
			{"housing.2", "housing", "هل تسلّمت رسالة أو ورقة من المحكمة تطلب منك مغادرة منزلك (إشعار إخلاء)؟", 1, true, nil, nil},
			{"housing.3", "housing", "متى يجب أن تغادر، أو ما موعد الجلسة في المحكمة؟", 1, false, []OptionView{
				{"within_3_days", "خلال الأيام الثلاثة القادمة"}, {"within_14_days", "خلال 4 إلى 14 يومًا"}, {"later", "بعد أكثر من 14 يومًا"}, {"unknown", "لا أعرف"},
			}, nil},
		}},
		{"es-MX", []view{
			{"housing", "", "Vivienda", 0, true, nil, nil},
		}},
		{"uk", []view{
			{"housing", "", "Housing", 0, true, nil, nil},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			vs := q.Items(tt.lang, r)
			if len(vs) != len(q.order) {
				t.Errorf("%d items, want %d", len(vs), len(q.order))
			}
			ids := make([]string, len(tt.want))
			for i, w := range tt.want {
				ids[i] = w.LinkID
			}
			if diff := cmp.Diff(tt.want, pick(vs, ids...)); diff != "" {
				t.Errorf("Items (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("every language, every text", func(t *testing.T) {
		for _, q := range Builtin() {
			for _, lang := range q.Languages() {
				for _, v := range q.Items(lang, nil) {
					if v.Text == "" || v.Text != q.Lookup(v.LinkID).Text[lang] {
						t.Errorf("%s %s (%s): text %q", q.ID, v.LinkID, lang, v.Text)
					}
				}
			}
		}
	})
	t.Run("string bounds", func(t *testing.T) {
		q := builtin(t, "migrant-health-access")
		for _, v := range q.Items("en", nil) {
			if v.LinkID == "language.2" && v.MaxLength != 100 {
				t.Errorf("language.2 MaxLength = %d, want 100", v.MaxLength)
			}
		}
	})
}
