package screening

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"github.com/accord-project/accord"
)

//go:embed questionnaires/*.json
var builtinFS embed.FS

// builtins loads the embedded questionnaires once. They are tested, so a
// failure here is a broken build, not an input error.
var builtins = sync.OnceValue(func() []*Questionnaire {
	names, err := fs.Glob(builtinFS, "questionnaires/*.json")
	if err != nil {
		panic(err)
	}
	var qs []*Questionnaire
	for _, name := range names {
		b, err := builtinFS.ReadFile(name)
		if err != nil {
			panic(err)
		}
		q, err := Load(b)
		if err != nil {
			panic(fmt.Sprintf("screening: built-in %s: %v", name, err))
		}
		qs = append(qs, q)
	}
	return qs
})

// Builtin returns the questionnaires that ship with Accord, in file name
// order, each in English, Spanish, French and Arabic:
//
//   - migrant-health-access: barriers to health care (fear of immigration
//     enforcement, cost, documents asked for at registration, interpreters),
//     medicines running out, disability accommodation, pregnancy care and
//     distress;
//   - social-legal-needs: an IHELLP-based screener (income, housing with
//     utilities and eviction, education, legal status, literacy, personal
//     safety and domestic violence) with food and medicines.
//
// They are shared: do not change them.
func Builtin() []*Questionnaire {
	return append([]*Questionnaire(nil), builtins()...)
}

// Find returns the built-in questionnaire with the canonical reference ref:
// its url, or url|version as a response's questionnaire element holds it.
// It returns ENOTFOUND for any other.
func Find(ref string) (*Questionnaire, error) {
	u, version, versioned := strings.Cut(ref, "|")
	for _, q := range builtins() {
		if q.URL == u && (!versioned || q.Version == version) {
			return q, nil
		}
	}
	return nil, accord.Errorf(accord.ENOTFOUND, "questionnaire not found")
}
