// Package demo generates a demo partnership as data: seven organisations,
// their staff with sign-in credentials, several hundred clients with records,
// care teams, consents, agreements (current, superseded, expired, suspended
// and draft), legal bases, named scenarios that walk through the
// decision point over the JSON API, and the last quarters' casework for the
// indicators (History).
//
// Every person, number and address is synthetic. Phone numbers come from
// Ofcom's drama ranges (+44 7700 900xxx), e-mail addresses use the reserved
// example.org, example.com and example.net domains, and postcodes use the
// unallocated "RV" area.
//
// Generate is pure: it does no I/O and reads no clock or global randomness,
// so the same Options give byte-identical output. Storing the data is the
// loader's job.
package demo

import (
	"encoding/base32"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/accord-project/accord"
)

// DefaultClients is the number of clients Generate makes when Options.Clients is zero.
const DefaultClients = 600

// MinClients is the fewest clients Generate will make: below it the
// distributions (minors, revoked consents, languages …) get too thin to show.
const MinClients = 500

// maxClients bounds a request so that a typo cannot exhaust memory.
const maxClients = 200_000

// Options says which partnership to generate.
type Options struct {
	// Seed selects the partnership; the same seed and Now give the same data.
	Seed int64
	// Clients is how many clients to make: DefaultClients when zero, at least MinClients.
	Clients int
	// Now is "today" for the data. Every date is relative to it, so that
	// agreements are in force, consents current and a court order valid
	// whenever the demo is loaded. It is required.
	Now time.Time
}

// Partnership is a generated demo partnership.
type Partnership struct {
	Organizations []accord.Organization `json:"organizations"`
	Staff         []Login               `json:"staff"`
	Clients       []accord.Client       `json:"clients"`
	// CareTeams maps a client id to the ids of the staff who serve the
	// client at the organisations holding the client's data.
	CareTeams map[string][]string `json:"care_teams"`
	Records   []accord.Record     `json:"records"`
	// Agreements holds every version, oldest first within an agreement;
	// versions of one agreement share its ID.
	Agreements []accord.Agreement  `json:"agreements"`
	Consents   []accord.Consent    `json:"consents"`
	LegalBases []accord.LegalBasis `json:"legal_bases"`
	Scenarios  []Scenario          `json:"scenarios"`
	// Chains are the organisations' escalation contacts, level 0 first.
	Chains []Chain `json:"escalation_chains"`
	// Services is the partnership's service directory.
	Services []accord.Service `json:"services"`
	// History is the casework of the last quarters, for the indicators.
	History History `json:"history"`
	// Areas are the places the partnership counts where clients live.
	Areas []accord.Area `json:"areas"`
	// Access is the last AccessDays days of staff reading clients, as
	// audit log entries in time order, for access anomaly detection.
	Access []accord.AuditEntry `json:"access"`
}

// Chain is one organisation's escalation contacts.
type Chain struct {
	OrganizationID string   `json:"organization_id"`
	StaffIDs       []string `json:"staff_ids"`
}

// Login is a staff member with the demo credentials to sign in as them.
type Login struct {
	accord.Staff
	// Password is the plaintext demo password ("demo-<word>-<word>-<nn>").
	Password string `json:"password"`
	// Token is the plaintext API token ("acc_" and 32 base32 characters).
	Token string `json:"token"`
	// Note says what this login is good for in the demo.
	Note string `json:"note"`
}

// Generate returns the demo partnership for opts. It returns an EINVALID
// error when Now is missing or Clients is out of range.
func Generate(opts Options) (*Partnership, error) {
	if opts.Now.IsZero() {
		return nil, accord.Errorf(accord.EINVALID, "demo: Options.Now is required")
	}
	n := opts.Clients
	if n == 0 {
		n = DefaultClients
	}
	if n < MinClients || n > maxClients {
		return nil, accord.Errorf(accord.EINVALID, "demo: the number of clients must be between %d and %d", MinClients, maxClients)
	}
	g := newGen(opts)
	g.organizations()
	g.staff()
	g.agreements()
	g.featuredClients()
	for len(g.p.Clients) < n {
		g.randomClient()
	}
	g.legalBases()
	g.scenarios()
	g.casework()
	g.history()
	g.access()
	g.areas()
	return g.p, nil
}

// gen holds the state of one generation. All randomness comes from r, in a
// fixed order; nothing ranges over a map.
type gen struct {
	r   *rand.Rand
	ids io.Reader // r as a byte stream, for accord.NewID
	now time.Time
	// today is midnight (UTC) of now, the anchor for whole-day dates.
	today time.Time
	p     *Partnership

	orgIDs   [numOrgs]string
	staffIdx map[string]int // username -> index in p.Staff
	feat     featured
}

func newGen(opts Options) *gen {
	seed := uint64(opts.Seed)
	// The second PCG word is a fixed odd constant mixed with the seed, so
	// that nearby seeds give unrelated streams.
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	now := opts.Now.UTC() // drops the monotonic reading and any zone
	return &gen{
		r:        r,
		ids:      rngReader{r},
		now:      now,
		today:    time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC),
		p:        &Partnership{CareTeams: map[string][]string{}},
		staffIdx: map[string]int{},
	}
}

// rngReader turns the seeded generator into an io.Reader for accord.NewID.
type rngReader struct{ r *rand.Rand }

func (rr rngReader) Read(b []byte) (int, error) {
	for i := 0; i < len(b); i += 8 {
		v := rr.r.Uint64()
		for j := 0; j < 8 && i+j < len(b); j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return len(b), nil
}

func (g *gen) id(prefix string) string { return accord.NewID(prefix, g.ids) }

var tokenEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// token returns "acc_" and 32 lower-case base32 characters (160 bits).
func (g *gen) token() string {
	var b [20]byte
	g.ids.Read(b[:])
	return "acc_" + strings.ToLower(tokenEncoding.EncodeToString(b[:]))
}

// password returns a readable demo password such as "demo-otter-lantern-42".
func (g *gen) password() string {
	return fmt.Sprintf("demo-%s-%s-%02d", pick(g.r, passwordWords), pick(g.r, passwordWords), 10+g.r.IntN(90))
}

var passwordWords = []string{
	"acorn", "amber", "anchor", "aspen", "badger", "beacon", "birch", "bramble", "breeze", "canal",
	"cedar", "clover", "comet", "copper", "coral", "delta", "ember", "falcon", "fern", "fjord",
	"garnet", "harbour", "hazel", "heron", "indigo", "island", "juniper", "kestrel", "lantern", "lark",
	"linden", "maple", "meadow", "meteor", "willow", "nectar", "oak", "orchid", "otter", "pebble",
	"pepper", "plover", "quartz", "quill", "raven", "reed", "ridge", "river", "robin", "saffron",
	"sparrow", "spruce", "summit", "thistle", "tide", "tulip", "valley", "walnut", "wren", "yarrow",
}

// TokenVar returns the shell variable the scenarios use for username's API
// token: "TOKEN_" and the username with '.' and '-' turned into '_'
// ("j.okafor" -> "TOKEN_j_okafor"), since shell names cannot hold dots.
func TokenVar(username string) string {
	return "TOKEN_" + strings.NewReplacer(".", "_", "-", "_").Replace(username)
}

// TokenExports returns one "export TOKEN_x=acc_…" line per active login, to
// paste into a shell before running the scenarios.
func (p *Partnership) TokenExports() string {
	var b strings.Builder
	for _, l := range p.Staff {
		if l.Active {
			fmt.Fprintf(&b, "export %s=%s\n", TokenVar(l.Username), l.Token)
		}
	}
	return b.String()
}

// Random helpers.

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// weighted is a choice with a weight.
type weighted[T any] struct {
	v T
	w int
}

func pickWeighted[T any](r *rand.Rand, choices []weighted[T]) T {
	total := 0
	for _, c := range choices {
		total += c.w
	}
	n := r.IntN(total)
	for _, c := range choices {
		if n < c.w {
			return c.v
		}
		n -= c.w
	}
	panic("unreachable")
}

// workTime returns a time during working hours (09:00-17:00 UTC) daysAgo
// days before today, never later than now.
func (g *gen) workTime(daysAgo int) time.Time {
	t := g.today.AddDate(0, 0, -daysAgo).Add(9*time.Hour + time.Duration(g.r.IntN(8*60))*time.Minute)
	for !t.Before(g.now) {
		t = t.AddDate(0, 0, -1)
	}
	return t
}

// between returns a working-hours time at a random day in [from, now).
func (g *gen) between(from time.Time) time.Time {
	days := int(g.now.Sub(from).Hours() / 24)
	if days < 1 {
		days = 1
	}
	t := g.workTime(g.r.IntN(days))
	if t.Before(from) {
		t = from.Add(time.Duration(1+g.r.IntN(120)) * time.Minute)
		if !t.Before(g.now) {
			t = from
		}
	}
	return t
}

func ptr[T any](v T) *T { return &v }
