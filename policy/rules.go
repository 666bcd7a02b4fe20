package policy

import (
	"math"
	"slices"
	"time"
	"unique"

	"github.com/accord-project/accord"
)

// The compiled forms below hold what Decide needs of the domain types and
// nothing else: sets as bitmasks, times as int64 nanoseconds, organisations
// as unique handles (compared as pointers), and the ids a Decision names.
// They are built once per Put, never per decision, and laid out so that a
// decision about one client reads a few adjacent cache lines: with a
// million consents almost every one of them is a cache miss.

// stamp returns t as Unix nanoseconds. UnixNano is exact between the years
// 1678 and 2262; outside that range it is clamped, which only makes times
// before 1678 (or after 2262) equal to one another — zero times and open
// ends, in practice, which stay on the right side of every real time.
func stamp(t time.Time) int64 {
	const minSec, maxSec = math.MinInt64/1_000_000_000 + 1, math.MaxInt64/1_000_000_000 - 1
	switch sec := t.Unix(); {
	case sec < minSec:
		return math.MinInt64
	case sec > maxSec:
		return math.MaxInt64
	}
	return t.UnixNano()
}

// stampOr returns stamp(*t), or def when t is nil (an open end).
func stampOr(t *time.Time, def int64) int64 {
	if t == nil {
		return def
	}
	return stamp(*t)
}

type orgHandle = unique.Handle[string]

func handles(ids []string) []orgHandle {
	if len(ids) == 0 {
		return nil
	}
	hs := make([]orgHandle, len(ids))
	for i, id := range ids {
		hs[i] = unique.Make(id)
	}
	return hs
}

// agreementRule is one agreement version.
type agreementRule struct {
	id         string
	version    int
	active     bool
	from       int64 // inclusive
	until      int64 // exclusive
	purposes   purposeSet
	categories accord.CategorySet
	roles      accord.RoleSet
	parties    []string
	prohibited []string
}

func compileAgreement(a *accord.Agreement) *agreementRule {
	return &agreementRule{
		id:         a.ID,
		version:    a.Version,
		active:     a.Status == accord.AgreementActive,
		from:       stamp(a.EffectiveFrom),
		until:      stamp(a.EffectiveUntil),
		purposes:   purposeSetOf(a.Purposes),
		categories: accord.NewCategorySet(a.Categories...),
		roles:      accord.NewRoleSet(a.Roles...),
		parties:    slices.Clone(a.Parties),
		prohibited: slices.Clone(a.ProhibitedRecipients),
	}
}

// pairEntry is an active agreement version as seen from one unordered pair
// of its parties, with what Decide tests copied in so that it need not
// follow a pointer. The pair is keyed by organisation numbers, lo < hi;
// prohibitsLo and prohibitsHi say whether the agreement bars the lo or hi
// organisation from receiving.
type pairEntry struct {
	from, until              int64
	id                       string
	version                  int
	categories               accord.CategorySet
	roles                    accord.RoleSet
	purposes                 purposeSet
	prohibitsLo, prohibitsHi bool
	rule                     *agreementRule // to find the entry again
}

// pairKey returns the key of the unordered pair {a, b} and whether a is the lower.
func pairKey(a, b uint32) (key uint64, aIsLo bool) {
	if a < b {
		return uint64(a)<<32 | uint64(b), true
	}
	return uint64(b)<<32 | uint64(a), false
}

// comparePairEntries orders a pair's agreements by id, then newest version
// first, so that the agreement a Decision names does not depend on the order
// of Puts.
func comparePairEntries(x, y pairEntry) int {
	if c := cmpString(x.id, y.id); c != 0 {
		return c
	}
	return y.version - x.version
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// provisionRule is one provision of one active consent, in one cache line.
// A client's provisions, of all their consents, are kept in one slice,
// consent by consent in the order the consents were first put; a revoked
// consent's are dropped, since it can never decide again.
type provisionRule struct {
	// from and until are the provision's period within its consent's.
	from, until int64
	consent     string
	index       int32 // into the consent's Provisions
	// purposes and categories: an empty list in a deny provision matches
	// anything, so it is compiled to all bits; in a permit provision it
	// matches nothing and stays 0.
	categories  accord.CategorySet
	purposes    purposeSet
	sensitivity accord.SensitivitySet
	sectors     sectorSet
	deny        bool
	// anyRecipient is set for a deny provision naming neither organisations
	// nor sectors: it denies every recipient.
	anyRecipient bool
	// org is the first organisation named, more the rest.
	org  orgHandle
	more *[]orgHandle
}

// names reports whether the provision names the organisation or its sector.
func (p *provisionRule) names(org orgHandle, sector sectorSet) bool {
	return p.anyRecipient || p.sectors&sector != 0 || p.org == org ||
		p.more != nil && slices.Contains(*p.more, org)
}

// compileConsent returns the provisions of an active consent. A consent
// with none gets one that matches nothing, to hold its place.
func compileConsent(c *accord.Consent) []provisionRule {
	start, end := stamp(c.Start), stampOr(c.End, math.MaxInt64)
	if len(c.Provisions) == 0 {
		return []provisionRule{{consent: c.ID, index: -1}}
	}
	out := make([]provisionRule, len(c.Provisions))
	for i := range c.Provisions {
		p := &c.Provisions[i]
		pr := provisionRule{
			from:        max(start, stampOr(p.Start, math.MinInt64)),
			until:       min(end, stampOr(p.End, math.MaxInt64)),
			consent:     c.ID,
			index:       int32(i),
			purposes:    purposeSetOf(p.Purposes),
			categories:  accord.NewCategorySet(p.Categories...),
			sensitivity: accord.NewSensitivitySet(p.Sensitivity...),
		}
		if orgs := handles(p.Organizations); len(orgs) > 0 {
			pr.org = orgs[0]
			if more := orgs[1:]; len(more) > 0 {
				pr.more = &more
			}
		}
		for _, s := range p.Sectors {
			pr.sectors |= sectorBit(s)
		}
		switch p.Type {
		case accord.ProvisionDeny:
			pr.deny = true
			pr.anyRecipient = len(p.Organizations) == 0 && len(p.Sectors) == 0
			if len(p.Purposes) == 0 {
				pr.purposes = ^purposeSet(0)
			}
			if len(p.Categories) == 0 {
				pr.categories = ^accord.CategorySet(0)
			}
		case accord.ProvisionPermit:
		default:
			// A provision of unknown type can neither permit nor deny.
			pr.purposes, pr.categories = 0, 0
		}
		out[i] = pr
	}
	return out
}

// basisRule is one legal basis.
type basisRule struct {
	id             string
	kind           accord.LegalBasisKind
	categories     accord.CategorySet
	purposes       purposeSet
	recipientOrg   orgHandle
	holderOrg      orgHandle // zero: any holder (emergency access)
	recipientStaff string
	from, until    int64
}

func compileBasis(b *accord.LegalBasis) basisRule {
	return basisRule{
		id:             b.ID,
		kind:           b.Kind,
		categories:     accord.NewCategorySet(b.Categories...),
		purposes:       purposeSetOf(b.DefaultPurposes()),
		recipientOrg:   unique.Make(b.RecipientOrganizationID),
		holderOrg:      holderHandle(b.HolderOrganizationID),
		recipientStaff: b.RecipientStaffID,
		from:           stamp(b.ValidFrom),
		until:          stamp(b.ExpiresAt),
	}
}

func holderHandle(id string) orgHandle {
	if id == "" {
		return orgHandle{}
	}
	return unique.Make(id)
}

// covers reports whether the basis names this category, recipient
// organisation and purpose, binds this holder, and is in force at now.
func (b *basisRule) covers(cat accord.CategorySet, purpose purposeSet, org, holder orgHandle, now int64) bool {
	return b.categories&cat != 0 && b.purposes&purpose != 0 && b.recipientOrg == org &&
		(b.holderOrg == orgHandle{} || b.holderOrg == holder) && b.from <= now && now < b.until
}

// clientRules is everything Decide knows about one client.
type clientRules struct {
	provisions []provisionRule
	bases      []basisRule
	team       []string
}

func (c *clientRules) empty() bool {
	return len(c.provisions) == 0 && len(c.bases) == 0 && len(c.team) == 0
}

// putConsent replaces the provisions of the consent with c's id, in place,
// or appends them; a consent that is not active loses its provisions.
func (c *clientRules) putConsent(consent *accord.Consent) {
	i := slices.IndexFunc(c.provisions, func(p provisionRule) bool { return p.consent == consent.ID })
	j := i
	for j >= 0 && j < len(c.provisions) && c.provisions[j].consent == consent.ID {
		j++
	}
	var rules []provisionRule
	if consent.Status == accord.ConsentActive {
		rules = compileConsent(consent)
	}
	if i < 0 {
		i, j = len(c.provisions), len(c.provisions)
	}
	c.provisions = slices.Clip(slices.Replace(c.provisions, i, j, rules...))
}

// clientKey is a client id as a map key that compares without following a
// pointer: ids of up to 31 bytes (Accord's are 30) are held in the key
// itself. Longer ids go to a map keyed by string.
type clientKey struct {
	n  uint8
	id [31]byte
}

func keyOf(id string) (clientKey, bool) {
	var k clientKey
	if len(id) > len(k.id) {
		return k, false
	}
	k.n = uint8(len(id))
	copy(k.id[:], id)
	return k, true
}
