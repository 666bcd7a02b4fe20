package accord

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Organization is a party to the partnership.
type Organization struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Sector    Sector    `json:"sector"`
	Country   string    `json:"country,omitempty"` // ISO 3166-1 alpha-2
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks an organisation before it is stored.
func (o *Organization) Validate() error {
	if err := checkText("name", o.Name, 200, true); err != nil {
		return err
	}
	if !o.Sector.Valid() {
		return FieldErrorf("sector", "unknown sector %q", string(o.Sector))
	}
	if o.Country != "" && (len(o.Country) != 2 || o.Country[0] < 'A' || o.Country[0] > 'Z' || o.Country[1] < 'A' || o.Country[1] > 'Z') {
		return FieldErrorf("country", "country must be a two-letter ISO 3166 code")
	}
	return nil
}

// Staff is a person working for one organisation.
type Staff struct {
	ID             string   `json:"id"`
	OrganizationID string   `json:"organization_id"`
	Username       string   `json:"username"`
	DisplayName    string   `json:"display_name"`
	Roles          []Role   `json:"roles"`
	Languages      []string `json:"languages,omitempty"` // BCP 47 tags
	// Email receives notifications (urgent escalations, overdue referrals);
	// they never hold personal data, only a link.
	Email     string    `json:"email,omitempty"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

// RoleSet returns the staff member's roles as a set.
func (s *Staff) RoleSet() RoleSet { return NewRoleSet(s.Roles...) }

// Validate checks a staff member before it is stored.
func (s *Staff) Validate() error {
	if !ValidID(PrefixOrganization, s.OrganizationID) {
		return FieldErrorf("organization_id", "organization_id is not a valid organisation id")
	}
	if err := checkUsername(s.Username); err != nil {
		return err
	}
	if err := checkText("display_name", s.DisplayName, 200, true); err != nil {
		return err
	}
	if len(s.Roles) == 0 {
		return FieldErrorf("roles", "a staff member needs at least one role")
	}
	for _, r := range s.Roles {
		if !r.Valid() {
			return FieldErrorf("roles", "unknown role %q", string(r))
		}
	}
	for _, l := range s.Languages {
		if err := checkLanguage("languages", l); err != nil {
			return err
		}
	}
	if s.Email != "" && (!strings.Contains(s.Email, "@") || strings.ContainsAny(s.Email, " \r\n<>,")) {
		return FieldErrorf("email", "email is not an e-mail address")
	}
	return checkText("email", s.Email, 254, false)
}

func checkUsername(u string) error {
	if len(u) < 3 || len(u) > 64 {
		return FieldErrorf("username", "username must be 3 to 64 characters")
	}
	for _, c := range u {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return FieldErrorf("username", "username may hold only lower-case letters, digits, '.', '-' and '_'")
		}
	}
	return nil
}

// CheckText validates a free-text field for packages outside the domain:
// see checkText.
func CheckText(field, s string, max int, required bool) error {
	return checkText(field, s, max, required)
}

// checkText validates a free-text field: valid UTF-8, no control characters
// other than newline and tab, at most max runes, non-blank when required.
func checkText(field, s string, max int, required bool) error {
	if !utf8.ValidString(s) {
		return FieldErrorf(field, "%s is not valid UTF-8", field)
	}
	if required && strings.TrimSpace(s) == "" {
		return FieldErrorf(field, "%s is required", field)
	}
	if utf8.RuneCountInString(s) > max {
		return FieldErrorf(field, "%s is longer than %d characters", field, max)
	}
	for _, c := range s {
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
			return FieldErrorf(field, "%s contains a control character", field)
		}
	}
	return nil
}
