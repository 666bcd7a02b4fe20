package accord

import (
	"crypto/rand"
	"crypto/sha256"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Grievances: anyone — a client, a community member, a staff member — may
// complain, by name or anonymously, from a public page (no account), the
// client portal or through staff. A grievance goes to the named
// organisation's responsible officer and, for the categories that touch
// people's rights most (discrimination, care refused because of papers,
// coercion, retaliation), always to the independent oversight body too. It
// has a response deadline by category, climbs when the deadline passes, and
// ends in an outcome and remedy the person may appeal once to the oversight
// body. Who complained is sealed so that only the oversight body can read it.

// PrefixGrievance is the prefix of grievance ids.
const PrefixGrievance = "grv"

// GrievanceCategory is what a grievance is about.
type GrievanceCategory string

const (
	GrievanceDiscrimination GrievanceCategory = "discrimination"
	GrievanceStatusDenial   GrievanceCategory = "status_denial"   // care denied or delayed because of documentation status
	GrievancePrivacy        GrievanceCategory = "privacy_breach"  // privacy or confidentiality breach
	GrievanceCoercion       GrievanceCategory = "coercion"        // consent not respected, or coercion
	GrievanceLanguage       GrievanceCategory = "language_access" // no interpreter, no translation
	GrievanceRetaliation    GrievanceCategory = "retaliation"     // treated worse for complaining or asserting a right
	GrievanceOther          GrievanceCategory = "other"
)

// GrievanceCategories lists them, in the order a form offers them.
var GrievanceCategories = []GrievanceCategory{
	GrievanceDiscrimination, GrievanceStatusDenial, GrievancePrivacy, GrievanceCoercion,
	GrievanceLanguage, GrievanceRetaliation, GrievanceOther,
}

// Valid reports whether c is known.
func (c GrievanceCategory) Valid() bool { return slices.Contains(GrievanceCategories, c) }

// NeedsOversight reports whether grievances of this category always go to
// the oversight body as well as to the organisation: discrimination,
// status-based denial of care, coercion and retaliation. An organisation
// should not be the only judge of these.
func (c GrievanceCategory) NeedsOversight() bool {
	return c == GrievanceDiscrimination || c == GrievanceStatusDenial || c == GrievanceCoercion || c == GrievanceRetaliation
}

// ResponseDays is how many working days the handler has to record an
// outcome: 2 for retaliation and coercion (the person may be in danger of
// more of it now), 5 for discrimination, status-based denial and privacy
// breaches (a breach may need notifying within 72 hours), 10 otherwise.
func (c GrievanceCategory) ResponseDays() int {
	switch c {
	case GrievanceRetaliation, GrievanceCoercion:
		return 2
	case GrievanceDiscrimination, GrievanceStatusDenial, GrievancePrivacy:
		return 5
	}
	return 10
}

// Grievance deadlines beyond the first response.
const (
	// GrievanceReminderDays is how long after a missed deadline the
	// grievance climbs again while it has no outcome.
	GrievanceReminderDays = 2
	// GrievanceAppealDays is how long the oversight body has to decide an
	// appeal.
	GrievanceAppealDays = 10
)

// AddWorkingDays returns t moved forward n working days (Monday to
// Friday, UTC), keeping the time of day. Public holidays are not known to
// Accord; a partnership that needs them counts them in its deadlines.
func AddWorkingDays(t time.Time, n int) time.Time {
	t = t.UTC()
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

// GrievanceStatus is where a grievance is.
type GrievanceStatus string

const (
	GrievanceReceived     GrievanceStatus = "received"     // waiting for the handler to acknowledge it
	GrievanceAcknowledged GrievanceStatus = "acknowledged" // the handler is looking into it
	GrievanceResolved     GrievanceStatus = "resolved"     // outcome recorded; the person may appeal once
	GrievanceAppealed     GrievanceStatus = "appealed"     // with the oversight body
	GrievanceClosed       GrievanceStatus = "closed"       // the appeal is decided: final
)

// Open reports whether the grievance's clock is running: someone owes the
// person an answer.
func (s GrievanceStatus) Open() bool {
	return s == GrievanceReceived || s == GrievanceAcknowledged || s == GrievanceAppealed
}

// GrievanceOutcome is what the handler found.
type GrievanceOutcome string

const (
	OutcomeUpheld       GrievanceOutcome = "upheld"        // the complaint is right
	OutcomePartlyUpheld GrievanceOutcome = "partly_upheld" // partly right
	OutcomeNotUpheld    GrievanceOutcome = "not_upheld"    // the handler found no fault
)

// GrievanceOutcomes lists them.
var GrievanceOutcomes = []GrievanceOutcome{OutcomeUpheld, OutcomePartlyUpheld, OutcomeNotUpheld}

// Valid reports whether o is known.
func (o GrievanceOutcome) Valid() bool { return slices.Contains(GrievanceOutcomes, o) }

// Grievance channels: how it came in.
const (
	ChannelPublic = "public" // the public page, no account
	ChannelPortal = "portal" // the client portal, linked to the client
	ChannelStaff  = "staff"  // raised by staff on the person's behalf
)

// Text limits of grievances.
const (
	GrievanceTextMax    = 8000 // what happened
	GrievanceMessageMax = 4000 // a message, added information, findings, an appeal
	GrievanceRemedyMax  = 2000
	GrievanceNameMax    = 200
	GrievanceContactMax = 300
)

// Grievance is a complaint and what became of it.
type Grievance struct {
	ID          string            `json:"id"`
	Category    GrievanceCategory `json:"category"`
	Description string            `json:"description"` // sealed
	// OrganizationID is the organisation the grievance names ("" none).
	OrganizationID string `json:"organization_id,omitempty"`
	CaseID         string `json:"case_id,omitempty"`
	AgreementID    string `json:"agreement_id,omitempty"`
	// OversightOnly: the person asked that only the oversight body see it
	// (for fear of retaliation, say); the named organisation is not told.
	OversightOnly bool `json:"oversight_only"`
	Anonymous     bool `json:"anonymous"`

	// Who complained: sealed under the oversight body's key and shown to
	// its staff only. Never in an audit entry.
	ReporterName    string `json:"-"`
	ReporterContact string `json:"-"`
	Channel         string `json:"-"`
	ClientID        string `json:"-"` // the portal client who raised it
	RaisedBy        string `json:"-"` // the staff member who raised it for the person

	// Routing.
	HandlerOrgID   string `json:"handler_organization_id"`   // who answers: the named organisation, else the oversight body
	OversightOrgID string `json:"oversight_organization_id"` // the oversight body
	Oversight      bool   `json:"oversight"`                 // the oversight body is involved (by category, by a missed deadline, by appeal)
	Level          int    `json:"level"`                     // how many times a deadline was missed
	Overdue        bool   `json:"overdue"`                   // the current deadline was missed

	Status         GrievanceStatus  `json:"status"`
	ReceivedAt     time.Time        `json:"received_at"`
	DueAt          time.Time        `json:"due_at"` // outcome due (or appeal decision due)
	AcknowledgedAt *time.Time       `json:"acknowledged_at,omitempty"`
	ResolvedAt     *time.Time       `json:"resolved_at,omitempty"`
	Outcome        GrievanceOutcome `json:"outcome,omitempty"`
	AppealedAt     *time.Time       `json:"appealed_at,omitempty"`
	AppealOutcome  GrievanceOutcome `json:"appeal_outcome,omitempty"`
	ClosedAt       *time.Time       `json:"closed_at,omitempty"`
	Version        int              `json:"version"`

	// Attachments are the files sent with a new grievance
	// (PrepareGrievanceAttachment). Not part of the API's JSON.
	Attachments []GrievanceAttachment `json:"-"`
}

// Validate checks a new grievance. Its messages are for the person who
// complains, in plain words.
func (g *Grievance) Validate() error {
	if !g.Category.Valid() {
		return FieldErrorf("category", "Choose what your complaint is about.")
	}
	if err := grievanceText("description", g.Description, GrievanceTextMax, true); err != nil {
		return err
	}
	if g.OrganizationID != "" && !ValidID(PrefixOrganization, g.OrganizationID) {
		return FieldErrorf("organization_id", "Choose an organisation from the list.")
	}
	if g.CaseID != "" && !ValidID(PrefixCase, g.CaseID) {
		return FieldErrorf("case_id", "A case number starts with cas_ and has 26 more letters and digits.")
	}
	if g.AgreementID != "" && !ValidID(PrefixAgreement, g.AgreementID) {
		return FieldErrorf("agreement_id", "Choose an agreement from the list.")
	}
	if g.Anonymous {
		if g.ReporterName != "" || g.ReporterContact != "" {
			return FieldErrorf("identity", "You chose to stay anonymous, so leave your name and contact details empty.")
		}
	} else if g.ClientID == "" && strings.TrimSpace(g.ReporterName) == "" && strings.TrimSpace(g.ReporterContact) == "" {
		return FieldErrorf("name", "Give your name or a way to reach you, or choose to stay anonymous.")
	}
	if err := grievanceText("name", g.ReporterName, GrievanceNameMax, false); err != nil {
		return err
	}
	return grievanceText("contact", g.ReporterContact, GrievanceContactMax, false)
}

// CheckGrievanceText checks a message, added information, findings or an
// appeal: required, at most max characters.
func CheckGrievanceText(field, s string, max int, required bool) error {
	return grievanceText(field, s, max, required)
}

// grievanceText is checkText with messages a person who is not staff
// understands.
func grievanceText(field, s string, max int, required bool) error {
	if !utf8.ValidString(s) {
		return FieldErrorf(field, "The text has characters that cannot be read. Please type it again.")
	}
	if required && strings.TrimSpace(s) == "" {
		return FieldErrorf(field, "Please write something here.")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return FieldErrorf(field, "This is too long: %d characters. The most is %d. Please make it shorter.", n, max)
	}
	for _, c := range s {
		if c < 0x20 && c != '\n' && c != '\t' && c != '\r' || c == 0x7f {
			return FieldErrorf(field, "The text has characters that cannot be read. Please type it again.")
		}
	}
	return nil
}

// Route decides who answers a new grievance. The named organisation
// answers, unless no organisation is named, the person asked for the
// oversight body only, the organisation named is the oversight body, or it
// has no one who can answer (hasOfficers false): then the oversight body
// answers. The oversight body is involved from the start when it answers
// and, whoever answers, for the categories that need it.
func (g *Grievance) Route(oversightOrgID string, hasOfficers bool) {
	g.OversightOrgID = oversightOrgID
	g.HandlerOrgID = g.OrganizationID
	if g.OrganizationID == "" || g.OversightOnly || g.OrganizationID == oversightOrgID || !hasOfficers {
		g.HandlerOrgID = oversightOrgID
	}
	g.Oversight = g.HandlerOrgID == oversightOrgID || g.Category.NeedsOversight()
}

// GrievanceTiers returns who at an organisation answers its grievances, in
// the order a missed deadline climbs: its privacy officers, then its
// supervisors, then its partnership administrators (each tier only those
// not already in an earlier one; empty tiers left out). At the oversight
// body the first tier is its auditors and privacy officers, then its
// supervisors. Only active staff count.
func GrievanceTiers(sector Sector, staff []Staff) [][]string {
	var order [][]Role
	if sector == SectorOversight {
		order = [][]Role{{RoleAuditor, RolePrivacyOfficer}, {RoleSupervisor}}
	} else {
		order = [][]Role{{RolePrivacyOfficer}, {RoleSupervisor}, {RolePartnershipAdmin}}
	}
	seen := map[string]bool{}
	var out [][]string
	for _, roles := range order {
		var tier []string
		for _, s := range staff {
			if s.Active && !seen[s.ID] && s.RoleSet().Any(NewRoleSet(roles...)) {
				tier = append(tier, s.ID)
				seen[s.ID] = true
			}
		}
		if len(tier) > 0 {
			out = append(out, tier)
		}
	}
	return out
}

// GrievanceHandlers returns the staff of tiers who may answer a grievance
// that has climbed level times: the first level+1 tiers.
func GrievanceHandlers(tiers [][]string, level int) []string {
	var out []string
	for i := 0; i < len(tiers) && i <= level; i++ {
		out = append(out, tiers[i]...)
	}
	return out
}

// Tracking codes: 20 characters of Crockford's base32 (100 random bits),
// shown in groups of four. Crockford's alphabet leaves out I, L, O and U,
// and reading it back forgives the usual confusions (O for 0, I and L for
// 1), lower case, spaces and dashes: codes are copied by hand from paper.

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// TrackingCodeLen is the number of characters in a tracking code.
const TrackingCodeLen = 20

// NewTrackingCode returns a fresh tracking code, formatted for people
// ("ABCD-EFGH-…").
func NewTrackingCode() string {
	var b [TrackingCodeLen]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("accord: reading random bytes: " + err.Error())
	}
	var sb strings.Builder
	for i, x := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(crockford[x&31]) // 256 is a multiple of 32: uniform
	}
	return sb.String()
}

// NormalizeTrackingCode returns a typed code in canonical form, and false
// when it cannot be a tracking code.
func NormalizeTrackingCode(s string) (string, bool) {
	if len(s) > 80 {
		return "", false
	}
	var sb strings.Builder
	for _, c := range strings.ToUpper(s) {
		switch {
		case c == ' ' || c == '-' || c == '\t':
			continue
		case c == 'O':
			c = '0'
		case c == 'I' || c == 'L':
			c = '1'
		}
		if c > 127 || !strings.ContainsRune(crockford, c) {
			return "", false
		}
		sb.WriteRune(c)
	}
	if sb.Len() != TrackingCodeLen {
		return "", false
	}
	return sb.String(), true
}

// TrackingCodeHash is how a tracking code is stored: its SHA-256 (the
// code is random and long, so a slow hash adds nothing). code must be
// canonical (NormalizeTrackingCode).
func TrackingCodeHash(code string) []byte {
	h := sha256.Sum256([]byte("accord/grievance-code/" + code))
	return h[:]
}

// Grievance event kinds: what happened, in order.
const (
	GrievanceEventReceived      = "received"
	GrievanceEventAcknowledged  = "acknowledged"
	GrievanceEventMessage       = "message" // from a handler to the person
	GrievanceEventInfo          = "info"    // the person added information
	GrievanceEventOverdue       = "overdue" // a deadline was missed: it climbed
	GrievanceEventOutcome       = "outcome"
	GrievanceEventAppeal        = "appeal"
	GrievanceEventAppealOutcome = "appeal_outcome"
)

// GrievanceEvent is one step of a grievance. ActorID is a staff id,
// "reporter" or "system"; the person sees only the organisation.
type GrievanceEvent struct {
	ID             string           `json:"id"`
	Seq            int              `json:"seq"`
	At             time.Time        `json:"at"`
	Kind           string           `json:"kind"`
	ActorID        string           `json:"actor_id"`
	OrganizationID string           `json:"organization_id,omitempty"`
	Outcome        GrievanceOutcome `json:"outcome,omitempty"`
	Text           string           `json:"text,omitempty"`   // sealed
	Remedy         string           `json:"remedy,omitempty"` // sealed
}
