package accord

import (
	"regexp"
	"slices"
	"strconv"
	"time"

	"golang.org/x/text/language"
)

// Gender is how a client describes their gender. Not stated is a valid answer.
type Gender string

const (
	GenderWoman         Gender = "woman"
	GenderMan           Gender = "man"
	GenderNonBinary     Gender = "non_binary"
	GenderSelfDescribed Gender = "self_described" // with GenderText
	GenderNotStated     Gender = "not_stated"
)

// Genders lists the gender answers.
var Genders = []Gender{GenderWoman, GenderMan, GenderNonBinary, GenderSelfDescribed, GenderNotStated}

// Disability is a self-reported functional difficulty (Washington Group domains).
type Disability string

const (
	DisabilitySeeing        Disability = "seeing"
	DisabilityHearing       Disability = "hearing"
	DisabilityMobility      Disability = "mobility"
	DisabilityCognition     Disability = "cognition"
	DisabilitySelfCare      Disability = "self_care"
	DisabilityCommunication Disability = "communication"
	DisabilityPsychosocial  Disability = "psychosocial"
)

// Disabilities lists the disability domains.
var Disabilities = []Disability{
	DisabilitySeeing, DisabilityHearing, DisabilityMobility, DisabilityCognition,
	DisabilitySelfCare, DisabilityCommunication, DisabilityPsychosocial,
}

// Identifier is an identifier a client is known by elsewhere (a clinic's
// medical record number, a court case number). System names the issuer.
type Identifier struct {
	System string `json:"system"`
	Value  string `json:"value"`
}

// Client is a person served by the partnership. Demographic fields are
// category demographics, contact fields category contact; everything else
// about a client is a Record.
type Client struct {
	ID string `json:"id"`
	// HomeOrganizationID is the organisation that registered the client and
	// holds their demographics and contact details.
	HomeOrganizationID string `json:"home_organization_id"`

	// Demographics.
	GivenName         string   `json:"given_name"`
	FamilyName        string   `json:"family_name"`
	BirthDate         string   `json:"birth_date,omitempty"` // YYYY, YYYY-MM or YYYY-MM-DD
	Gender            Gender   `json:"gender"`
	GenderText        string   `json:"gender_text,omitempty"`
	PreferredLanguage string   `json:"preferred_language"` // BCP 47
	Languages         []string `json:"languages,omitempty"`
	InterpreterNeeded bool     `json:"interpreter_needed"`
	// InterpreterUsed records whether an interpreter was used at intake.
	InterpreterUsed bool         `json:"interpreter_used"`
	Disabilities    []Disability `json:"disabilities,omitempty"`
	Identifiers     []Identifier `json:"identifiers,omitempty"`
	// Area is the code of the partnership's area the client lives in
	// (Area), empty when not recorded. Storage checks it names one.
	Area string `json:"area,omitempty"`

	// Contact.
	Phone   string `json:"phone,omitempty"`
	Email   string `json:"email,omitempty"`
	Address string `json:"address,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version counts changes, for optimistic concurrency (ETag).
	Version int `json:"version"`
}

var birthDateRE = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)

// Validate checks a client before it is stored. now bounds the birth date.
func (c *Client) Validate(now time.Time) error {
	if err := checkText("given_name", c.GivenName, 100, true); err != nil {
		return err
	}
	if err := checkText("family_name", c.FamilyName, 100, false); err != nil {
		return err
	}
	if c.BirthDate != "" {
		if !birthDateRE.MatchString(c.BirthDate) {
			return FieldErrorf("birth_date", "birth_date must be YYYY, YYYY-MM or YYYY-MM-DD")
		}
		layout := []string{"2006", "2006-01", "2006-01-02"}[len(c.BirthDate)/3-1]
		t, err := time.Parse(layout, c.BirthDate)
		if err != nil {
			return FieldErrorf("birth_date", "birth_date is not a real date")
		}
		if t.After(now) || t.Year() < 1900 {
			return FieldErrorf("birth_date", "birth_date must be between 1900 and today")
		}
	}
	if !slices.Contains(Genders, c.Gender) {
		return FieldErrorf("gender", "gender must be one of woman, man, non_binary, self_described, not_stated")
	}
	if c.Gender == GenderSelfDescribed {
		if err := checkText("gender_text", c.GenderText, 100, true); err != nil {
			return err
		}
	} else if c.GenderText != "" {
		return FieldErrorf("gender_text", "gender_text is only for gender self_described")
	}
	if err := checkLanguage("preferred_language", c.PreferredLanguage); err != nil {
		return err
	}
	for _, l := range c.Languages {
		if err := checkLanguage("languages", l); err != nil {
			return err
		}
	}
	for _, d := range c.Disabilities {
		if !slices.Contains(Disabilities, d) {
			return FieldErrorf("disabilities", "unknown disability %q", string(d))
		}
	}
	for _, id := range c.Identifiers {
		if err := checkText("identifiers.system", id.System, 100, true); err != nil {
			return err
		}
		if err := checkText("identifiers.value", id.Value, 100, true); err != nil {
			return err
		}
	}
	if n := c.matchBytes(); n > MaxMatchBytes {
		return FieldErrorf("identifiers", "the client's names, date of birth, phone and identifiers take %d bytes together, more than %d: record fewer identifiers", n, MaxMatchBytes)
	}
	if c.Area != "" && !ValidAreaCode(c.Area) {
		return FieldErrorf("area", "area %q is not an area code", c.Area)
	}
	if err := checkText("phone", c.Phone, 40, false); err != nil {
		return err
	}
	if err := checkText("email", c.Email, 254, false); err != nil {
		return err
	}
	return checkText("address", c.Address, 500, false)
}

// MaxMatchBytes bounds the fields duplicate search compares, together:
// storage keeps them in one index entry (PostgreSQL's are at most 2,704
// bytes), and no real person comes near it.
const MaxMatchBytes = 2000

// matchBytes is the size of the fields duplicate search compares, with
// the identifiers as stored (JSON).
func (c *Client) matchBytes() int {
	n := len(c.GivenName) + len(c.FamilyName) + len(c.BirthDate) + len(c.Phone) + 2
	for _, id := range c.Identifiers {
		n += len(id.System) + len(id.Value) + len(`{"system":"","value":""},`) + 8 // room for JSON escapes
	}
	return n
}

// AgeAt returns the client's age in whole years at t, and false when the
// birth date is unknown. With a partial date the youngest possible age is
// returned, so that a possible minor is treated as one.
func (c *Client) AgeAt(t time.Time) (int, bool) {
	if len(c.BirthDate) < 4 {
		return 0, false
	}
	y, _ := strconv.Atoi(c.BirthDate[:4])
	m, d := 12, 31
	if len(c.BirthDate) >= 7 {
		m, _ = strconv.Atoi(c.BirthDate[5:7])
	}
	if len(c.BirthDate) == 10 {
		d, _ = strconv.Atoi(c.BirthDate[8:10])
	} else if len(c.BirthDate) == 7 {
		d = time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	}
	age := t.Year() - y
	if int(t.Month()) < m || int(t.Month()) == m && t.Day() < d {
		age--
	}
	return age, true
}

// CheckLanguage validates a BCP 47 language tag in field.
func CheckLanguage(field, tag string) error { return checkLanguage(field, tag) }

func checkLanguage(field, tag string) error {
	if tag == "" {
		return FieldErrorf(field, "%s is required", field)
	}
	if _, err := language.Parse(tag); err != nil || len(tag) > 35 {
		return FieldErrorf(field, "%q is not a BCP 47 language tag", tag)
	}
	return nil
}

// ErasureReason says why a client was erased. It is a code, not free text,
// because it is recorded in the audit log, which never holds personal data.
type ErasureReason string

const (
	ErasureClientRequest   ErasureReason = "client_request"   // the client asked (GDPR Art. 17)
	ErasureRetentionEnded  ErasureReason = "retention_ended"  // no agreement's retention period still covers the data
	ErasureDuplicate       ErasureReason = "duplicate"        // the record duplicated another client's
	ErasureLegalObligation ErasureReason = "legal_obligation" // a court or regulator required it
)

// ErasureReasons lists the reasons.
var ErasureReasons = []ErasureReason{ErasureClientRequest, ErasureRetentionEnded, ErasureDuplicate, ErasureLegalObligation}

// Valid reports whether r is a known reason.
func (r ErasureReason) Valid() bool { return slices.Contains(ErasureReasons, r) }

// Record is one piece of client data held by one organisation. Its content
// and note are sealed at rest under the client's key with that organisation.
type Record struct {
	ID              string          `json:"id"`
	ClientID        string          `json:"client_id"`
	CaseID          string          `json:"case_id,omitempty"` // a case note
	OrganizationID  string          `json:"organization_id"`   // the holder
	Category        Category        `json:"category"`
	Confidentiality Confidentiality `json:"confidentiality"`
	Sensitivity     []Sensitivity   `json:"sensitivity,omitempty"`
	Content         string          `json:"content"`
	Note            string          `json:"note,omitempty"`
	RecordedBy      string          `json:"recorded_by"`
	RecordedAt      time.Time       `json:"recorded_at"`
}

// Validate checks a record before it is stored.
func (r *Record) Validate() error {
	if !r.Category.Valid() {
		return FieldErrorf("category", "unknown category %q", string(r.Category))
	}
	if r.Confidentiality == "" {
		r.Confidentiality = ConfNormal
	}
	if !r.Confidentiality.Valid() {
		return FieldErrorf("confidentiality", "confidentiality must be N, R or V")
	}
	for _, s := range r.Sensitivity {
		if !s.Valid() {
			return FieldErrorf("sensitivity", "unknown sensitivity label %q", string(s))
		}
	}
	if err := checkText("content", r.Content, 20000, true); err != nil {
		return err
	}
	return checkText("note", r.Note, 20000, false)
}
