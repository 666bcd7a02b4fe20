package accord

import (
	"regexp"
	"time"
)

// An Area is one of the places the partnership predeclares for counting
// where its clients live — a district, a municipality, a neighbourhood —
// never an address. It is the geography of indicators: a client's area is
// recorded at intake, from the partnership's list only, so that figures
// can be broken down by it and small areas suppressed like any cell.
type Area struct {
	Code      string    `json:"code"` // stable, lower case: it names the area in releases and CSV
	Name      string    `json:"name"` // as people there call it; a proper name, not translated
	CreatedAt time.Time `json:"created_at"`
}

var areaCodeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// ValidAreaCode reports whether code has the shape of an area code.
func ValidAreaCode(code string) bool { return areaCodeRE.MatchString(code) }

// Validate checks an area before it is stored (EINVALID naming the field).
func (a *Area) Validate() error {
	if !ValidAreaCode(a.Code) {
		return FieldErrorf("code", "code must be 1 to 40 lower-case letters, digits, hyphens or underscores, starting with a letter or digit")
	}
	if a.Code == NotRecorded {
		return FieldErrorf("code", "code %q is reserved for clients whose area is not recorded", a.Code)
	}
	return checkText("name", a.Name, 100, true)
}
