package i18n_test

import (
	"encoding/json"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/language"

	"github.com/accord-project/accord/i18n"
)

var update = flag.Bool("update", false, "rewrite locales/en.json from the messages found in the code")

// messages returns every message format string the code shows to a
// person: the format arguments of accord.Errorf, FieldErrorf and i18n.M,
// Format fields of accord.Error literals, p.Sprintf calls, the t calls of
// templates, the vocabulary terms and the month names. Non-constant
// formats are reported as problems: a message must be a catalogue key.
func messages(t *testing.T) []string {
	t.Helper()
	root := ".."
	set := map[string]bool{}
	var problems []string
	fset := token.NewFileSet()
	tmplRE := regexp.MustCompile(`(?:\{\{|\()\s*-?\s*t\s+\$?\.P\s+("(?:[^"\\]|\\.)*")`)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && strings.HasPrefix(name, ".") || name == "testdata" || name == "internal" || name == "demo" {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".html") {
			b, _ := os.ReadFile(path)
			for _, m := range tmplRE.FindAllStringSubmatch(string(b), -1) {
				s, err := strconv.Unquote(m[1])
				if err != nil {
					problems = append(problems, path+": bad template string "+m[1])
					continue
				}
				set[s] = true
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		// The values of notice tables (var notices = map[string]string{…}
		// and registerNotices(map[string]string{…})) are messages.
		noticeTable := func(e ast.Expr) {
			if cl, ok := e.(*ast.CompositeLit); ok {
				for _, el := range cl.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if s, ok := stringLit(kv.Value); ok {
							set[s] = true
						}
					}
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				if len(n.Names) == 1 && n.Names[0].Name == "notices" && len(n.Values) == 1 {
					noticeTable(n.Values[0])
				}
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "registerNotices" && len(n.Args) == 1 {
					noticeTable(n.Args[0])
				}
				name, argi := callName(n.Fun)
				if argi < 0 || name == "" {
					return true
				}
				if len(n.Args) <= argi {
					return true
				}
				if s, ok := stringLit(n.Args[argi]); ok {
					set[s] = true
				} else if name != "Printer.Sprintf" { // Sprintf passes rendered messages through
					problems = append(problems, fset.Position(n.Pos()).String()+": "+name+" with a non-constant format")
				}
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Format" {
					if s, ok := stringLit(n.Value); ok {
						set[s] = true
					}
				}
			case *ast.AssignStmt:
				for i, l := range n.Lhs {
					if sel, ok := l.(*ast.SelectorExpr); ok && sel.Sel.Name == "Format" && i < len(n.Rhs) {
						if s, ok := stringLit(n.Rhs[i]); ok {
							set[s] = true
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, term := range i18n.Terms() {
		set[string(term)] = true
	}
	for m := time.January; m <= time.December; m++ {
		set[m.String()] = true
	}
	set[", "] = true
	set["%[1]d %[2]s %[3]s"] = true
	if len(problems) > 0 {
		t.Errorf("messages that cannot be translated:\n%s", strings.Join(problems, "\n"))
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// callName recognises the calls whose argument argi is a message format.
func callName(fun ast.Expr) (string, int) {
	switch f := fun.(type) {
	case *ast.SelectorExpr:
		switch f.Sel.Name {
		case "Errorf":
			if x, ok := f.X.(*ast.Ident); ok && x.Name == "accord" {
				return "accord.Errorf", 1
			}
		case "FieldErrorf":
			return "FieldErrorf", 1
		case "M":
			if x, ok := f.X.(*ast.Ident); ok && x.Name == "i18n" {
				return "i18n.M", 0
			}
		case "Sprintf":
			if x, ok := f.X.(*ast.Ident); ok && (x.Name == "p" || x.Name == "P") {
				return "Printer.Sprintf", 0
			}
			if x, ok := f.X.(*ast.SelectorExpr); ok && x.Sel.Name == "P" { // v.P.Sprintf
				return "Printer.Sprintf", 0
			}
		}
	case *ast.Ident:
		switch f.Name {
		case "Errorf":
			return "Errorf", 1
		case "FieldErrorf":
			return "FieldErrorf", 1
		case "M":
			return "M", 0
		}
	}
	return "", -1
}

func stringLit(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			a, ok1 := stringLit(e.X)
			b, ok2 := stringLit(e.Y)
			return a + b, ok1 && ok2
		}
	}
	return "", false
}

func readLocale(t *testing.T, tag string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("locales", tag+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s.json: %v", tag, err)
	}
	// A value is a string or an object of plural forms; the "other" form
	// stands for it here.
	m := make(map[string]string, len(raw))
	for k, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			var forms map[string]string
			if err := json.Unmarshal(v, &forms); err != nil {
				t.Fatalf("%s.json key %q: %v", tag, k, err)
			}
			s = forms["other"]
		}
		m[k] = s
	}
	return m
}

// TestEnglishCatalogueMatchesCode fails when the code shows a message that
// en.json lacks, or en.json holds one the code no longer shows. Run with
// -update to rewrite en.json; then translate the new keys.
func TestEnglishCatalogueMatchesCode(t *testing.T) {
	msgs := messages(t)
	if *update {
		// Keep plural forms already written for English.
		var old map[string]json.RawMessage
		if b, err := os.ReadFile(filepath.Join("locales", "en.json")); err == nil {
			json.Unmarshal(b, &old)
		}
		m := map[string]json.RawMessage{}
		for _, k := range msgs {
			m[k] = json.RawMessage(`""`)
			if v, ok := old[k]; ok && len(v) > 0 && v[0] == '{' {
				m[k] = v
			}
		}
		b, _ := json.MarshalIndent(m, "", "  ")
		if err := os.WriteFile(filepath.Join("locales", "en.json"), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	en := readLocale(t, "en")
	var have []string
	for k := range en {
		have = append(have, k)
	}
	slices.Sort(have)
	if diff := cmp.Diff(msgs, have); diff != "" {
		t.Errorf("locales/en.json is out of step with the code (-code +en.json); run go test ./i18n -run TestEnglish -update:\n%s", diff)
	}
}

var verbRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// TestCataloguesComplete fails when any catalogue lacks a key another has,
// leaves one untranslated, or changes the verbs (arguments) of a message.
func TestCataloguesComplete(t *testing.T) {
	en := readLocale(t, "en")
	for _, tag := range []string{"es", "fr", "ar"} {
		t.Run(tag, func(t *testing.T) {
			m := readLocale(t, tag)
			var missing, extra, untranslated, badVerbs []string
			for k := range en {
				v, ok := m[k]
				switch {
				case !ok:
					missing = append(missing, k)
				case strings.TrimSpace(v) == "":
					untranslated = append(untranslated, k)
				case !sameVerbs(k, v):
					badVerbs = append(badVerbs, k+" → "+v)
				}
			}
			for k := range m {
				if _, ok := en[k]; !ok {
					extra = append(extra, k)
				}
			}
			for name, list := range map[string][]string{"missing": missing, "not in en.json": extra, "untranslated": untranslated, "with other verbs than the English": badVerbs} {
				if len(list) > 0 {
					slices.Sort(list)
					t.Errorf("%d keys %s:\n  %s", len(list), name, strings.Join(list, "\n  "))
				}
			}
		})
	}
}

// sameVerbs reports whether a translation uses the same arguments, each
// with the same verb letter, as the English (order may differ with
// positional verbs).
func sameVerbs(en, tr string) bool {
	norm := func(s string) []string {
		var out []string
		next := 1
		for _, v := range verbRE.FindAllStringSubmatch(s, -1) {
			if v[0] == "%%" {
				continue
			}
			n := next
			if v[1] != "" {
				n, _ = strconv.Atoi(strings.Trim(v[1], "[]"))
			}
			next = n + 1
			out = append(out, strconv.Itoa(n)+v[0][len(v[0])-1:])
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(norm(en), norm(tr))
}

func TestRendering(t *testing.T) {
	c := i18n.MustLoad()
	tests := []struct {
		accept string
		want   language.Tag
		dir    string
	}{
		{"ar-EG,ar;q=0.9", language.Arabic, "rtl"},
		{"es-MX", language.Spanish, "ltr"},
		{"fr-CA, en;q=0.5", language.French, "ltr"},
		{"uk", language.English, "ltr"},
		{"", language.English, "ltr"},
		{"garbage;;q=x", language.English, "ltr"},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			got := c.Match(tt.accept)
			if got != tt.want || i18n.Dir(got) != tt.dir {
				t.Errorf("Match(%q) = %v (%s), want %v (%s)", tt.accept, got, i18n.Dir(got), tt.want, tt.dir)
			}
		})
	}
}

func TestDate(t *testing.T) {
	c := i18n.MustLoad()
	d := time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC)
	if got := c.Printer(language.English).Date(d); got != "5 March 2026" {
		t.Errorf("English date = %q, want 5 March 2026 (a year is never grouped)", got)
	}
}

// TestPlurals checks that a catalogue value of plural forms picks the
// form by the CLDR rules of the language (Arabic: two is its own form).
func TestPlurals(t *testing.T) {
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "1 overdue"},
		{"en", 3, "3 overdue"},
		{"ar", 2, "متأخرتان"},
		{"ar", 0, "لا شيء متأخر"},
	} {
		t.Run(tc.lang+"/"+strconv.Itoa(tc.n), func(t *testing.T) {
			c := i18n.MustLoad()
			got := c.Printer(language.Make(tc.lang)).Sprintf("%d overdue", tc.n)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestPluralFormsKeepTheirArguments renders every plural message in every
// language with counts that select each form: a form that spells out its
// number ("two days") must still place the message's other arguments, by
// explicit index, or the reader sees "%!s(int=2)" or loses a date.
func TestPluralFormsKeepTheirArguments(t *testing.T) {
	c := i18n.MustLoad()
	verb := regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*\d*(?:\.\d+)?([a-zA-Z%])`)
	for _, lang := range []string{"es", "fr", "ar"} {
		raw, err := os.ReadFile(filepath.Join("locales", lang+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var cat map[string]any
		if err := json.Unmarshal(raw, &cat); err != nil {
			t.Fatal(err)
		}
		p := c.Printer(language.Make(lang))
		for key, v := range cat {
			if _, plural := v.(map[string]any); !plural {
				continue
			}
			// Arguments as the English message numbers them.
			var kinds []byte
			next := 0
			for _, m := range verb.FindAllStringSubmatch(key, -1) {
				if m[2] == "%" {
					continue
				}
				i := next
				if m[1] != "" {
					i, _ = strconv.Atoi(m[1])
					i--
				}
				for len(kinds) <= i {
					kinds = append(kinds, 0)
				}
				kinds[i] = m[2][0]
				next = i + 1
			}
			for _, n := range []int{0, 1, 2, 3, 11, 100} {
				args := make([]any, len(kinds))
				var want []string
				for i, k := range kinds {
					switch {
					case i == 0:
						args[i] = n
					case k == 'd':
						args[i] = 7000 + i
					default:
						s := "ARG" + strconv.Itoa(i)
						args[i] = s
						want = append(want, s)
					}
				}
				got := p.Sprintf(key, args...)
				if strings.Contains(got, "%!") {
					t.Errorf("%s %q with %d: %q", lang, key, n, got)
				}
				for _, w := range want {
					if !strings.Contains(got, w) {
						t.Errorf("%s %q with %d lost an argument: %q", lang, key, n, got)
					}
				}
			}
		}
	}
}

// TestDateDigits: a date is written in one digit system, the language's.
func TestDateDigits(t *testing.T) {
	c := i18n.MustLoad()
	d := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ lang, want string }{
		{"en", "22 November 2026"},
		{"ar", "٢٢ " + c.Printer(language.Arabic).Sprintf("November") + " ٢٠٢٦"},
	} {
		if got := c.Printer(language.Make(tc.lang)).Date(d); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.lang, got, tc.want)
		}
	}
}
