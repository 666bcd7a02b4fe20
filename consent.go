package accord

import (
	"slices"
	"time"
)

// ConsentStatus is where a consent is in its life.
type ConsentStatus string

const (
	ConsentActive  ConsentStatus = "active"
	ConsentRevoked ConsentStatus = "revoked"
)

// ConsentMethod is how a consent was collected.
type ConsentMethod string

const (
	MethodWritten             ConsentMethod = "written"
	MethodVerbal              ConsentMethod = "verbal"
	MethodVerbalInterpreter   ConsentMethod = "verbal_interpreter"
	MethodElectronicSignature ConsentMethod = "e_signature"
)

// ConsentMethods lists the collection methods.
var ConsentMethods = []ConsentMethod{MethodWritten, MethodVerbal, MethodVerbalInterpreter, MethodElectronicSignature}

// ProvisionType is permit or deny.
type ProvisionType string

const (
	ProvisionPermit ProvisionType = "permit"
	ProvisionDeny   ProvisionType = "deny"
)

// Provision is one rule of a consent, after FHIR Consent.provision: it
// matches a disclosure when the recipient, purpose and category all match
// (an empty list matches anything, for deny provisions only) and the time is
// within its period.
type Provision struct {
	Type ProvisionType `json:"type"`
	// Recipients: organisations or whole sectors.
	Organizations []string   `json:"organizations,omitempty"`
	Sectors       []Sector   `json:"sectors,omitempty"`
	Purposes      []Purpose  `json:"purposes,omitempty"`
	Categories    []Category `json:"categories,omitempty"`
	// Sensitivity labels the client explicitly agrees to share (permit only).
	Sensitivity []Sensitivity `json:"sensitivity,omitempty"`
	Start       *time.Time    `json:"start,omitempty"`
	End         *time.Time    `json:"end,omitempty"`
}

// Guardian is the person who consented for a minor or a person without capacity.
type Guardian struct {
	Name         string `json:"name"`
	Relationship string `json:"relationship"`
}

// Consent is a client's consent to share their data, after FHIR Consent with
// a base policy of deny: nothing is shared unless a permit provision allows
// it, and a deny provision always wins over a permit.
type Consent struct {
	ID       string        `json:"id"`
	ClientID string        `json:"client_id"`
	Status   ConsentStatus `json:"status"`
	// Start is inclusive, End exclusive; a zero End means until revoked.
	Start      time.Time   `json:"start"`
	End        *time.Time  `json:"end,omitempty"`
	Provisions []Provision `json:"provisions"`

	CollectedBy    string        `json:"collected_by"`    // staff id
	OrganizationID string        `json:"organization_id"` // the collector's organisation
	Method         ConsentMethod `json:"method"`
	Language       string        `json:"language"`                 // BCP 47: the language the client was informed in
	InterpreterID  string        `json:"interpreter_id,omitempty"` // staff id of the interpreter, when one was used
	Guardian       *Guardian     `json:"guardian,omitempty"`
	CreatedAt      time.Time     `json:"created_at"`

	RevokedAt        *time.Time `json:"revoked_at,omitempty"`
	RevokedBy        string     `json:"revoked_by,omitempty"`
	RevocationReason string     `json:"revocation_reason,omitempty"`
}

// Validate checks a consent's content before it is stored. age is the
// client's age when known (ageKnown); a minor's consent needs a guardian.
func (c *Consent) Validate(age int, ageKnown bool) error {
	if !c.Method.valid() {
		return FieldErrorf("method", "method must be one of written, verbal, verbal_interpreter, e_signature")
	}
	if err := checkLanguage("language", c.Language); err != nil {
		return err
	}
	if c.Method == MethodVerbalInterpreter && c.InterpreterID == "" {
		return FieldErrorf("interpreter_id", "a consent given through an interpreter must name the interpreter")
	}
	if c.InterpreterID != "" && !ValidID(PrefixStaff, c.InterpreterID) {
		return FieldErrorf("interpreter_id", "interpreter_id is not a staff id")
	}
	if c.End != nil && !c.End.After(c.Start) {
		return FieldErrorf("end", "end must be after start")
	}
	if c.Guardian != nil {
		if err := checkText("guardian.name", c.Guardian.Name, 200, true); err != nil {
			return err
		}
		if err := checkText("guardian.relationship", c.Guardian.Relationship, 100, true); err != nil {
			return err
		}
	} else if ageKnown && age < 18 {
		return FieldErrorf("guardian", "the client is a minor: a guardian must give consent for them")
	}
	if len(c.Provisions) == 0 {
		return FieldErrorf("provisions", "a consent needs at least one provision")
	}
	if len(c.Provisions) > 100 {
		return FieldErrorf("provisions", "a consent may have at most 100 provisions")
	}
	for i := range c.Provisions {
		if err := c.Provisions[i].validate(); err != nil {
			if e := AsError(err); e != nil {
				e.Field = "provisions." + e.Field
			}
			return err
		}
	}
	return nil
}

func (m ConsentMethod) valid() bool { return slices.Contains(ConsentMethods, m) }

func (p *Provision) validate() error {
	switch p.Type {
	case ProvisionPermit:
		// A permit must say to whom, what for and what: no blanket consents.
		if len(p.Organizations) == 0 && len(p.Sectors) == 0 {
			return FieldErrorf("organizations", "a permit provision must name a recipient organisation or sector")
		}
		if len(p.Purposes) == 0 {
			return FieldErrorf("purposes", "a permit provision must name at least one purpose")
		}
		if len(p.Categories) == 0 {
			return FieldErrorf("categories", "a permit provision must name at least one data category")
		}
	case ProvisionDeny:
		if len(p.Sensitivity) > 0 {
			return FieldErrorf("sensitivity", "sensitivity labels belong on permit provisions")
		}
	default:
		return FieldErrorf("type", "provision type must be permit or deny")
	}
	for _, o := range p.Organizations {
		if !ValidID(PrefixOrganization, o) {
			return FieldErrorf("organizations", "%q is not an organisation id", o)
		}
	}
	for _, s := range p.Sectors {
		if !s.Valid() {
			return FieldErrorf("sectors", "unknown sector %q", string(s))
		}
	}
	for _, x := range p.Purposes {
		if !x.Valid() {
			return PurposeError("purposes", x)
		}
	}
	for _, x := range p.Categories {
		if !x.Valid() {
			return FieldErrorf("categories", "unknown category %q", string(x))
		}
		if x == CatLegalPrivilegedNote && p.Type == ProvisionPermit {
			return FieldErrorf("categories", "privileged legal notes never leave the legal team and cannot be shared by consent")
		}
	}
	for _, x := range p.Sensitivity {
		if !x.Valid() {
			return FieldErrorf("sensitivity", "unknown sensitivity label %q", string(x))
		}
	}
	if p.Start != nil && p.End != nil && !p.End.After(*p.Start) {
		return FieldErrorf("end", "end must be after start")
	}
	return nil
}

// InForce reports whether the consent is active and within its period at t.
func (c *Consent) InForce(t time.Time) bool {
	return c.Status == ConsentActive && !t.Before(c.Start) && (c.End == nil || t.Before(*c.End))
}

// CheckRevoke reports whether the consent can be revoked.
func (c *Consent) CheckRevoke() error {
	if c.Status == ConsentRevoked {
		return Errorf(ECONFLICT, "this consent has already been revoked")
	}
	return nil
}
