package enforce

import (
	"context"
	"sync"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/sqlstore"
)

// names looks up the names an explanation needs, once per call.
type names struct {
	db     *sqlstore.DB
	orgs   *orgNames
	agrees map[string]string
	bases  map[string]*accord.LegalBasis
}

func newNames(db *sqlstore.DB, orgs *orgNames) *names {
	return &names{db: db, orgs: orgs, agrees: map[string]string{}, bases: map[string]*accord.LegalBasis{}}
}

// orgNames caches organisation names for the life of the process:
// organisations are added but never renamed, so a miss reloads them all.
type orgNames struct {
	mu sync.RWMutex
	m  map[string]string
}

func (n *names) org(ctx context.Context, id string) string {
	c := n.orgs
	c.mu.RLock()
	name, ok := c.m[id]
	c.mu.RUnlock()
	if ok {
		return name
	}
	orgs, err := n.db.Organizations(ctx)
	if err != nil {
		return id
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = make(map[string]string, len(orgs))
	for _, o := range orgs {
		c.m[o.ID] = o.Name
	}
	if name, ok := c.m[id]; ok {
		return name
	}
	return id
}

func (n *names) agreement(ctx context.Context, id string) string {
	if t, ok := n.agrees[id]; ok {
		return t
	}
	t := id
	if vs, err := n.db.FindAgreement(ctx, id); err == nil {
		t = vs[len(vs)-1].Title
	}
	n.agrees[id] = t
	return t
}

func (n *names) basis(ctx context.Context, id string) *accord.LegalBasis {
	if b, ok := n.bases[id]; ok {
		return b
	}
	b, err := n.db.FindLegalBasis(ctx, id)
	if err != nil {
		b = &accord.LegalBasis{ID: id, Reference: id}
	}
	n.bases[id] = b
	return b
}

// explain says in plain language why the decision went the way it did.
// Every format string here is a message catalogue key.
func explain(ctx context.Context, n *names, r *accord.Request, d accord.Decision) i18n.Msg {
	cat := i18n.Category(r.Category)
	purpose := i18n.Purpose(r.Purpose)
	switch d.Reason {
	case accord.ReasonSameOrgRole:
		return i18n.M("Shared: %[1]s holds this information and the role of the person asking (%[2]s) may see %[3]s there.",
			n.org(ctx, r.HolderID), i18n.Roles(r.Actor.Roles.List()), cat)
	case accord.ReasonSameOrgCareTeam:
		return i18n.M("Shared: %[1]s holds this information and the person asking is on the client's care team there, in a role that may see %[2]s.",
			n.org(ctx, r.HolderID), cat)
	case accord.ReasonAgreementConsent:
		return i18n.M("Shared: the agreement “%[1]s” (version %[2]d) lets %[3]s share %[4]s with %[5]s for %[6]s, and provision %[7]d of the client's consent allows it.",
			n.agreement(ctx, d.AgreementID), d.AgreementVersion, n.org(ctx, r.HolderID), cat, n.org(ctx, r.Actor.OrganizationID), purpose, d.Provision+1)
	case accord.ReasonCourtOrder:
		b := n.basis(ctx, d.LegalBasisID)
		return i18n.M("Shared under court order %[1]s (%[2]s), which names this client, %[3]s and %[4]s, in force until %[5]s. Oversight will review this disclosure.",
			b.Reference, b.Issuer, cat, n.org(ctx, r.Actor.OrganizationID), b.ExpiresAt)
	case accord.ReasonStatutoryDuty:
		b := n.basis(ctx, d.LegalBasisID)
		return i18n.M("Shared under a statutory duty (%[1]s) recorded for this client, in force until %[2]s. Oversight will review this disclosure.",
			b.Reference, b.ExpiresAt)
	case accord.ReasonBreakGlass:
		b := n.basis(ctx, d.LegalBasisID)
		return i18n.M("Shared through emergency (break-glass) access, until %[1]s. It is recorded and oversight will review it.", clock(b.ExpiresAt))
	case accord.ReasonFirewall:
		return i18n.M("Not shared: %[1]s are never shared with an immigration authority or the police unless a court order names this client and this information.", cat)
	case accord.ReasonRoleNotPermitted:
		return i18n.M("Not shared: the role of the person asking (%[1]s) does not include %[2]s.", i18n.Roles(r.Actor.Roles.List()), cat)
	case accord.ReasonNotOnCareTeam:
		return i18n.M("Not shared: only the client's care team may see %[1]s.", cat)
	case accord.ReasonPrivileged:
		return i18n.M("Not shared: privileged legal notes are seen only by the client's legal team.")
	case accord.ReasonNoAgreement:
		return i18n.M("Not shared: no agreement in force between %[1]s and %[2]s covers %[3]s for %[4]s in this role.",
			n.org(ctx, r.HolderID), n.org(ctx, r.Actor.OrganizationID), cat, purpose)
	case accord.ReasonProhibitedRecipient:
		return i18n.M("Not shared: the agreement with %[1]s prohibits sharing with %[2]s.", n.org(ctx, r.HolderID), n.org(ctx, r.Actor.OrganizationID))
	case accord.ReasonNoConsent:
		return i18n.M("Not shared: the client's consent does not cover %[1]s going to %[2]s for %[3]s.", cat, n.org(ctx, r.Actor.OrganizationID), purpose)
	case accord.ReasonConsentDenies:
		return i18n.M("Not shared: the client's consent refuses this (provision %[1]d).", d.Provision+1)
	case accord.ReasonSensitivity:
		return i18n.M("Not shared: this information carries a sensitivity label that the client's consent does not explicitly allow to be shared.")
	case accord.ReasonLocalPolicy:
		return i18n.M("Not shared: the partnership's local policy “%[1]s” forbids this.", d.PolicyID)
	case accord.ReasonBreakGlassRequired:
		return i18n.M("Not shared: emergency treatment access needs a recorded break-glass reason first.")
	default:
		return i18n.M("Not shared: nothing allows this access.")
	}
}

// outsiderExplanation explains a refusal to someone who may not see the
// client, without naming the organisations that hold the client's data.
func outsiderExplanation(r *accord.Request, d accord.Decision) i18n.Msg {
	cat := i18n.Category(r.Category)
	switch d.Reason {
	case accord.ReasonFirewall:
		return i18n.M("Not shared: %[1]s are never shared with an immigration authority or the police unless a court order names this client and this information.", cat)
	case accord.ReasonPrivileged:
		return i18n.M("Not shared: privileged legal notes are seen only by the client's legal team.")
	case accord.ReasonBreakGlassRequired:
		return i18n.M("Not shared: emergency treatment access needs a recorded break-glass reason first.")
	case accord.ReasonRoleNotPermitted:
		return i18n.M("Not shared: the role of the person asking (%[1]s) does not include %[2]s.", i18n.Roles(r.Actor.Roles.List()), cat)
	case accord.ReasonNoConsent, accord.ReasonConsentDenies, accord.ReasonSensitivity:
		return i18n.M("Not shared: the client's consent does not allow your organisation to see this for %[1]s.", i18n.Purpose(r.Purpose))
	default:
		return i18n.M("Not shared: no agreement in force and no consent of the client allows your organisation to see this client's information for %[1]s.", i18n.Purpose(r.Purpose))
	}
}

// clock is a time shown to the minute, in UTC.
type clock time.Time

func (c clock) String() string { return time.Time(c).UTC().Format("2006-01-02 15:04 UTC") }
