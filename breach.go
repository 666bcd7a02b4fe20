package accord

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Breach incidents. When a staff member's account, one of their API tokens
// or sign-in sessions, or an organisation's data key is compromised, the
// oversight body or the organisation's privacy officer records an incident:
// what happened, when it was discovered, what was compromised and the time
// window of the compromise. Accord works out from the audit log who was
// affected — every client whose data was disclosed to the compromised
// actor in the window, with the kinds of data and how often — starts the
// 72-hour clock to tell the supervisory authority (GDPR Art. 33), and
// writes a notice to each affected client in their language (Art. 34).

// PrefixBreach is the prefix of breach incident ids.
const PrefixBreach = "brc"

// BreachSubject is what was compromised.
type BreachSubject string

const (
	BreachStaff      BreachSubject = "staff"      // a staff member's account: everything done as them
	BreachCredential BreachSubject = "credential" // one API token or sign-in session of a staff member
	BreachKey        BreachSubject = "org_key"    // one version of an organisation's data key
)

// BreachSubjects lists them, in the order a form offers them.
var BreachSubjects = []BreachSubject{BreachStaff, BreachCredential, BreachKey}

// Valid reports whether s is known.
func (s BreachSubject) Valid() bool { return slices.Contains(BreachSubjects, s) }

// BreachStatus is where an incident is.
type BreachStatus string

const (
	BreachOpen   BreachStatus = "open"   // being handled
	BreachClosed BreachStatus = "closed" // closed with a summary; read-only
)

// Breach deadlines and limits.
const (
	// BreachNotifyWithin is how long after discovery the supervisory
	// authority must be told (GDPR Art. 33(1): without undue delay and,
	// where feasible, not later than 72 hours).
	BreachNotifyWithin = 72 * time.Hour
	// BreachReminder is how often an incident past its deadline without
	// the authority told climbs again.
	BreachReminder = 24 * time.Hour
	// BreachClockSkew is how far in the future a time may be given, for
	// clocks a little ahead of the server's.
	BreachClockSkew = 5 * time.Minute

	BreachTextMax      = 8000 // what happened, a remedy, the closing summary
	BreachReferenceMax = 200  // the authority's reference
)

// Breach is a breach incident.
type Breach struct {
	ID string `json:"id"`
	// OrganizationID is the organisation whose staff member, credential
	// or key was compromised: its privacy officers handle the incident
	// with the oversight body.
	OrganizationID string        `json:"organization_id"`
	Description    string        `json:"description"` // sealed
	DiscoveredAt   time.Time     `json:"discovered_at"`
	Subject        BreachSubject `json:"subject"`
	StaffID        string        `json:"staff_id,omitempty"`      // the staff member, or the credential's owner
	CredentialID   string        `json:"credential_id,omitempty"` // the API token or session
	KeyVersion     int           `json:"key_version,omitempty"`   // the data key's version
	WindowStart    time.Time     `json:"window_start"`
	WindowEnd      time.Time     `json:"window_end"`
	RecordedBy     string        `json:"recorded_by"`
	RecordedAt     time.Time     `json:"recorded_at"`

	// NotifyBy is when the supervisory authority must have been told:
	// DiscoveredAt + 72 hours.
	NotifyBy            time.Time  `json:"notify_by"`
	AuthorityNotifiedAt *time.Time `json:"authority_notified_at,omitempty"`
	AuthorityReference  string     `json:"authority_reference,omitempty"` // sealed
	// Level counts how many times the deadline passed with the authority
	// not told: each time more people are told.
	Level int `json:"level"`

	Status   BreachStatus `json:"status"`
	ClosedAt *time.Time   `json:"closed_at,omitempty"`
	Summary  string       `json:"summary,omitempty"` // sealed

	Impact  BreachImpact `json:"impact"`
	Version int          `json:"version"`
}

// Notified reports whether the supervisory authority was told.
func (b *Breach) Notified() bool { return b.AuthorityNotifiedAt != nil }

// Overdue reports whether the authority should have been told by now and
// was not.
func (b *Breach) Overdue(now time.Time) bool {
	return b.AuthorityNotifiedAt == nil && b.Status == BreachOpen && now.After(b.NotifyBy)
}

// BreachImpact is who an incident affected, worked out from the audit log
// (or, for a data key, from what the key seals). It can be recomputed.
type BreachImpact struct {
	ComputedAt time.Time `json:"computed_at"`
	// From and To are the window searched: the incident's window, narrowed
	// to the life of the credential when one was compromised.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Disclosures counts the permitted accesses found (for a data key,
	// the records it seals).
	Disclosures int              `json:"disclosures"`
	Clients     []AffectedClient `json:"clients"`
}

// AffectedClient is one client an incident affected.
type AffectedClient struct {
	ClientID   string          `json:"client_id"`
	Categories []CategoryCount `json:"categories"` // in vocabulary order
	// Holders are the organisations whose data about the client was
	// disclosed.
	Holders     []string  `json:"holders"`
	Disclosures int       `json:"disclosures"`
	First       time.Time `json:"first"`
	Last        time.Time `json:"last"`
}

// CategoryCount is how often one kind of a client's data was disclosed.
type CategoryCount struct {
	Category Category `json:"category"`
	Count    int      `json:"count"`
}

// CategoryList returns the categories, in vocabulary order.
func (a *AffectedClient) CategoryList() []Category {
	out := make([]Category, len(a.Categories))
	for i, c := range a.Categories {
		out[i] = c.Category
	}
	return out
}

// Validate checks a new incident at time now: what happened is said, the
// subject names what was compromised, and the discovery and the window are
// real times in order and not in the future.
func (b *Breach) Validate(now time.Time) error {
	if err := checkText("description", b.Description, BreachTextMax, true); err != nil {
		return err
	}
	switch b.Subject {
	case BreachStaff:
		if !ValidID(PrefixStaff, b.StaffID) {
			return FieldErrorf("staff_id", "name the staff member whose account was compromised (a staff id, stf_…)")
		}
	case BreachCredential:
		if !ValidID(PrefixToken, b.CredentialID) {
			return FieldErrorf("credential_id", "name the API token or session that was compromised (its id, tok_…)")
		}
	case BreachKey:
		if !ValidID(PrefixOrganization, b.OrganizationID) {
			return FieldErrorf("organization_id", "name the organisation whose data key was compromised")
		}
		if b.KeyVersion < 1 {
			return FieldErrorf("key_version", "name the version of the data key that was compromised (1 or more)")
		}
	default:
		return &Error{Code: EINVALID, Field: "subject", Format: "say what was compromised: a staff member's account, one of their API tokens or sessions, or a data key",
			Accepted: breachSubjectNames()}
	}
	latest := now.Add(BreachClockSkew)
	switch {
	case b.DiscoveredAt.IsZero():
		return FieldErrorf("discovered_at", "say when the breach was discovered")
	case b.DiscoveredAt.After(latest):
		return FieldErrorf("discovered_at", "the breach cannot be discovered in the future")
	case b.WindowStart.IsZero():
		return FieldErrorf("window_start", "say when the compromise began (the start of the window)")
	case b.WindowEnd.IsZero():
		return FieldErrorf("window_end", "say when the compromise ended (the end of the window), or give the time it was stopped")
	case b.WindowEnd.Before(b.WindowStart):
		return FieldErrorf("window_end", "the window ends before it starts")
	case b.WindowStart.After(latest):
		return FieldErrorf("window_start", "the window cannot start in the future")
	case b.WindowEnd.After(latest):
		return FieldErrorf("window_end", "the window cannot end in the future; if the compromise is not stopped yet, give the time now and recompute later")
	case b.WindowStart.After(b.DiscoveredAt):
		return FieldErrorf("window_start", "the window starts after the breach was discovered")
	}
	return nil
}

func breachSubjectNames() []string {
	out := make([]string, len(BreachSubjects))
	for i, s := range BreachSubjects {
		out[i] = string(s)
	}
	return out
}

// CheckBreachText checks a remedy, a closing summary or an authority's
// reference: required, at most max characters, no control characters.
func CheckBreachText(field, s string, max int) error {
	return checkText(field, s, max, true)
}

// BreachDisclosure reports whether an audit entry records client data
// disclosed to its actor: a permitted access decision the actor asked for
// themselves. A question asked about another staff member (ObjectID names
// them) or only to explain a rule ("explain") discloses nothing to the
// actor; a refusal discloses nothing at all.
func BreachDisclosure(e *AuditEntry) bool {
	return e.Kind == AuditDecision && e.Effect == Permit.String() && e.ClientID != "" && e.ObjectID == "" && e.Action != "explain"
}

// ImpactBuilder adds up disclosures client by client.
type ImpactBuilder struct {
	clients map[string]*impactClient
	n       int
}

type impactClient struct {
	AffectedClient
	cats    map[Category]int
	holders map[string]bool
}

// Add counts e when it is a disclosure (BreachDisclosure), and reports
// whether it was.
func (b *ImpactBuilder) Add(e *AuditEntry) bool {
	if !BreachDisclosure(e) {
		return false
	}
	b.AddDisclosure(e.ClientID, e.HolderID, e.Category, e.Time)
	return true
}

// AddDisclosure counts one disclosure of a client's data of category,
// held by holder, at t.
func (b *ImpactBuilder) AddDisclosure(clientID, holder string, cat Category, t time.Time) {
	if b.clients == nil {
		b.clients = map[string]*impactClient{}
	}
	c := b.clients[clientID]
	if c == nil {
		c = &impactClient{AffectedClient: AffectedClient{ClientID: clientID, First: t, Last: t}, cats: map[Category]int{}, holders: map[string]bool{}}
		b.clients[clientID] = c
	}
	c.cats[cat]++
	if holder != "" {
		c.holders[holder] = true
	}
	c.Disclosures++
	if t.Before(c.First) {
		c.First = t
	}
	if t.After(c.Last) {
		c.Last = t
	}
	b.n++
}

// Impact returns what was added: clients by id, their categories in
// vocabulary order, holders by id.
func (b *ImpactBuilder) Impact(computedAt, from, to time.Time) BreachImpact {
	out := BreachImpact{ComputedAt: computedAt.UTC(), From: from.UTC(), To: to.UTC(), Disclosures: b.n, Clients: []AffectedClient{}}
	for _, c := range b.clients {
		a := c.AffectedClient
		a.First, a.Last = a.First.UTC(), a.Last.UTC()
		for cat, n := range c.cats {
			a.Categories = append(a.Categories, CategoryCount{Category: cat, Count: n})
		}
		slices.SortFunc(a.Categories, func(x, y CategoryCount) int {
			return cmp.Or(cmp.Compare(categoryRank(x.Category), categoryRank(y.Category)), strings.Compare(string(x.Category), string(y.Category)))
		})
		a.Holders = []string{}
		for h := range c.holders {
			a.Holders = append(a.Holders, h)
		}
		slices.Sort(a.Holders)
		out.Clients = append(out.Clients, a)
	}
	slices.SortFunc(out.Clients, func(x, y AffectedClient) int { return strings.Compare(x.ClientID, y.ClientID) })
	return out
}

func categoryRank(c Category) int {
	if i := slices.Index(Categories, c); i >= 0 {
		return i
	}
	return len(Categories)
}

// Breach event kinds: what happened to an incident, in order.
const (
	BreachEventRecorded   = "recorded"
	BreachEventImpact     = "impact"   // the impact was recomputed
	BreachEventNotified   = "notified" // the supervisory authority was told
	BreachEventRemedy     = "remedy"   // what is being done about it
	BreachEventOverdue    = "overdue"  // the 72 hours passed with the authority not told
	BreachEventNoticesOut = "notices"  // the client notices were produced
	BreachEventClosed     = "closed"
)

// BreachEvent is one step of an incident. ActorID is a staff id or
// "system".
type BreachEvent struct {
	Seq     int       `json:"seq"`
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"`
	ActorID string    `json:"actor_id"`
	Count   int       `json:"count,omitempty"` // clients affected (impact), level (overdue), notices produced
	Text    string    `json:"text,omitempty"`  // sealed: a remedy, the summary, the authority's reference
}
