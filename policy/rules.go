package policy

import (
	"math"
	"slices"
	"time"

	"github.com/accord-project/accord"
)

// The compiled forms below hold what Decide needs of the domain types and
// nothing else: sets as bitmasks, times as int64 nanoseconds, and the ids
// a Decision names. They are built once per Put, never per decision.

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

// pairEntry is an agreement version as seen from one unordered pair of its
// parties. The pair is keyed by interned organisation numbers, lo < hi;
// prohibitsLo and prohibitsHi say whether the agreement bars the lo or hi
// organisation from receiving, so Decide need not scan a list.
type pairEntry struct {
	*agreementRule
	prohibitsLo, prohibitsHi bool
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

// consentRule is one consent that is active (a revoked consent is dropped
// from the index: it can never decide again).
type consentRule struct {
	id         string
	start, end int64
	provisions []provisionRule
}

// provisionRule is one provision, at the same index as in the consent.
type provisionRule struct {
	deny bool
	// anyRecipient is set for a deny provision naming neither organisations
	// nor sectors: it denies every recipient.
	anyRecipient bool
	sectors      sectorSet
	orgs         []string
	// purposes and categories: an empty list in a deny provision matches
	// anything, so it is compiled to all bits; in a permit provision it
	// matches nothing and stays 0.
	purposes    purposeSet
	categories  accord.CategorySet
	sensitivity accord.SensitivitySet
	start, end  int64
}

func compileConsent(c *accord.Consent) consentRule {
	cr := consentRule{
		id:         c.ID,
		start:      stamp(c.Start),
		end:        stampOr(c.End, math.MaxInt64),
		provisions: make([]provisionRule, len(c.Provisions)),
	}
	for i := range c.Provisions {
		p := &c.Provisions[i]
		pr := provisionRule{
			orgs:        slices.Clone(p.Organizations),
			purposes:    purposeSetOf(p.Purposes),
			categories:  accord.NewCategorySet(p.Categories...),
			sensitivity: accord.NewSensitivitySet(p.Sensitivity...),
			start:       stampOr(p.Start, math.MinInt64),
			end:         stampOr(p.End, math.MaxInt64),
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
		cr.provisions[i] = pr
	}
	return cr
}

// basisRule is one legal basis.
type basisRule struct {
	id             string
	kind           accord.LegalBasisKind
	categories     accord.CategorySet
	purposes       purposeSet
	recipientOrg   string
	recipientStaff string
	from, until    int64
}

func compileBasis(b *accord.LegalBasis) basisRule {
	return basisRule{
		id:             b.ID,
		kind:           b.Kind,
		categories:     accord.NewCategorySet(b.Categories...),
		purposes:       purposeSetOf(b.DefaultPurposes()),
		recipientOrg:   b.RecipientOrganizationID,
		recipientStaff: b.RecipientStaffID,
		from:           stamp(b.ValidFrom),
		until:          stamp(b.ExpiresAt),
	}
}

// covers reports whether the basis names this category, recipient
// organisation and purpose and is in force at now.
func (b *basisRule) covers(cat accord.CategorySet, purpose purposeSet, org string, now int64) bool {
	return b.categories&cat != 0 && b.purposes&purpose != 0 && b.recipientOrg == org &&
		b.from <= now && now < b.until
}

// clientRules is everything Decide knows about one client.
type clientRules struct {
	consents []consentRule
	bases    []basisRule
	team     []string
}

func (c *clientRules) empty() bool {
	return len(c.consents) == 0 && len(c.bases) == 0 && len(c.team) == 0
}
