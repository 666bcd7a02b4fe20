// Package i18n renders every string a person reads in their language.
//
// Messages are keyed by their English text, gettext style: code writes
// i18n.M("Not shared: nothing allows this access.") or
// accord.Errorf(code, "%s is required", field), and the catalogue for each
// other language maps that English format string to a translation with
// the same verbs (positional verbs like %[2]s allow reordering). Arguments
// that are themselves messages or terms are translated first.
//
// Catalogues are JSON files in locales/, embedded in the binary. A test
// fails when any catalogue misses a key another has, or when a message used
// in the code is missing from a catalogue.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
	"golang.org/x/text/number"
)

//go:embed locales/*.json
var locales embed.FS

// Msg is a message to be shown to a person: an English format string (the
// catalogue key) and its arguments.
type Msg struct {
	Format string
	Args   []any
}

// M returns a message.
func M(format string, args ...any) Msg { return Msg{Format: format, Args: args} }

// Term is a word or phrase from the vocabulary (a category, purpose, role
// or sector label) that is translated where it appears as an argument.
type Term string

// Supported lists the languages with complete catalogues; the first is the
// fallback.
var Supported = []language.Tag{language.English, language.Spanish, language.French, language.Arabic}

// pluralMessage selects among CLDR plural forms (zero, one, two, few,
// many, other) by the message's first argument, a count: Arabic has six
// forms, English two. A key's value in a catalogue is then an object:
// {"one": "%d task", "other": "%d tasks"}.
func pluralMessage(forms map[string]string) catalog.Message {
	var cases []any
	for _, f := range []string{"zero", "one", "two", "few", "many", "other"} {
		if v, ok := forms[f]; ok {
			cases = append(cases, f, v)
		}
	}
	return plural.Selectf(1, "%d", cases...)
}

// Catalogue holds the translations.
type Catalogue struct {
	cat     *catalog.Builder
	matcher language.Matcher
	keys    map[language.Tag]map[string]string
}

// Load reads the embedded catalogues.
func Load() (*Catalogue, error) {
	c := &Catalogue{
		cat:     catalog.NewBuilder(catalog.Fallback(language.English)),
		matcher: language.NewMatcher(Supported),
		keys:    map[language.Tag]map[string]string{},
	}
	for _, tag := range Supported {
		b, err := locales.ReadFile(path.Join("locales", tag.String()+".json"))
		if err != nil {
			return nil, fmt.Errorf("i18n: catalogue %s: %w", tag, err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("i18n: catalogue %s: %w", tag, err)
		}
		c.keys[tag] = map[string]string{}
		for k, raw := range m {
			var v string
			var forms map[string]string
			if err := json.Unmarshal(raw, &v); err == nil {
				if v == "" {
					v = k
				}
				c.keys[tag][k] = v
				if err := c.cat.SetString(tag, k, v); err != nil {
					return nil, fmt.Errorf("i18n: catalogue %s key %q: %w", tag, k, err)
				}
			} else if err := json.Unmarshal(raw, &forms); err == nil && forms["other"] != "" {
				if err := c.cat.Set(tag, k, pluralMessage(forms)); err != nil {
					return nil, fmt.Errorf("i18n: catalogue %s key %q: %w", tag, k, err)
				}
				c.keys[tag][k] = forms["other"]
			} else {
				return nil, fmt.Errorf("i18n: catalogue %s key %q: a translation is a string, or an object of CLDR plural forms with \"other\"", tag, k)
			}
		}
	}
	return c, nil
}

// MustLoad is Load for main and tests: the catalogues are embedded, so an
// error is a build mistake.
func MustLoad() *Catalogue {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Keys returns the keys of one language's catalogue, sorted.
func (c *Catalogue) Keys(tag language.Tag) []string {
	out := make([]string, 0, len(c.keys[tag]))
	for k := range c.keys[tag] {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Has reports whether the catalogue of tag has key.
func (c *Catalogue) Has(tag language.Tag, key string) bool {
	_, ok := c.keys[tag][key]
	return ok
}

// Match returns the supported language best matching an Accept-Language
// header or a BCP 47 tag, English when nothing matches.
func (c *Catalogue) Match(prefs ...string) language.Tag {
	var tags []language.Tag
	for _, p := range prefs {
		if p == "" {
			continue
		}
		t, _, err := language.ParseAcceptLanguage(p)
		if err == nil {
			tags = append(tags, t...)
		}
	}
	_, i, _ := c.matcher.Match(tags...)
	return Supported[i]
}

// Printer renders messages in one language.
type Printer struct {
	Tag language.Tag
	p   *message.Printer
}

// Printer returns a printer for tag (one of Supported).
func (c *Catalogue) Printer(tag language.Tag) *Printer {
	return &Printer{Tag: tag, p: message.NewPrinter(tag, message.Catalog(c.cat))}
}

// Sprintf renders a format string and arguments; arguments of type Msg,
// Term, []Term and time.Time are rendered in the printer's language first.
func (p *Printer) Sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return p.p.Sprintf(format)
	}
	out := make([]any, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case Msg:
			out[i] = p.Sprintf(a.Format, a.Args...)
		case Term:
			out[i] = p.p.Sprintf(string(a))
		case []Term:
			s := make([]string, len(a))
			for j, t := range a {
				s[j] = p.p.Sprintf(string(t))
			}
			out[i] = strings.Join(s, p.p.Sprintf(", "))
		case time.Time:
			out[i] = p.Date(a)
		default:
			out[i] = a
		}
	}
	return p.p.Sprintf(format, out...)
}

// Render renders a message.
func (p *Printer) Render(m Msg) string { return p.Sprintf(m.Format, m.Args...) }

// Date renders a date in the printer's language (day, month name, year).
func (p *Printer) Date(t time.Time) string {
	t = t.UTC()
	// The year is a number without grouping ("2026", not "2,026"), in
	// the language's own digits like the day.
	year := p.p.Sprint(number.Decimal(t.Year(), number.NoSeparator()))
	return p.p.Sprintf("%[1]d %[2]s %[3]s", t.Day(), p.p.Sprintf(t.Month().String()), year)
}

// Dir returns "rtl" for right-to-left languages, else "ltr".
func Dir(tag language.Tag) string {
	if base, _ := tag.Base(); base.String() == "ar" {
		return "rtl"
	}
	return "ltr"
}
