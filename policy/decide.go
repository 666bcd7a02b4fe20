package policy

import (
	"slices"

	"github.com/accord-project/accord"
)

const (
	obligeReview       = accord.ObligeAudit | accord.ObligeReview
	obligeReviewNotify = accord.ObligeAudit | accord.ObligeReview | accord.ObligeNotify
)

// Decide returns the decision on r. It never fails: anything it cannot make
// sense of is denied with ReasonDefaultDeny. Every decision carries
// ObligeAudit, and Provision is -1 unless a consent provision decided.
//
// The actor's sector is taken from the snapshot (PutOrganization), not from
// the request: a request whose Actor.Sector is set and disagrees is denied
// by default, as a stale or forged session would be.
func (s *Snapshot) Decide(r *accord.Request) accord.Decision {
	p := s.part.Load()
	d := s.decide(p, r)
	if d.Effect == accord.Permit && p.local != nil {
		if id, forbidden := p.local.forbids(r, p, d.Reason); forbidden {
			return accord.Decision{
				Effect: accord.Deny, Reason: accord.ReasonLocalPolicy,
				Obligations: accord.ObligeAudit, Provision: -1, PolicyID: string(id),
			}
		}
	}
	return d
}

func deny(reason accord.Reason) accord.Decision {
	return accord.Decision{Effect: accord.Deny, Reason: reason, Obligations: accord.ObligeAudit, Provision: -1}
}

func permit(reason accord.Reason, o accord.Obligations) accord.Decision {
	return accord.Decision{Effect: accord.Permit, Reason: reason, Obligations: o, Provision: -1}
}

func (s *Snapshot) decide(p *partnership, r *accord.Request) accord.Decision {
	// Rule 1: default deny.
	cat, purpose := categoryBit(r.Category), purposeBit(r.Purpose)
	if cat == 0 || purpose == 0 || r.ClientID == "" || r.Actor.StaffID == "" ||
		r.Sensitivity&^allSensitivities != 0 {
		return deny(accord.ReasonDefaultDeny)
	}
	actor, ok := p.orgs[r.Actor.OrganizationID]
	if !ok || !actor.known || r.Actor.Sector != "" && r.Actor.Sector != actor.sector {
		return deny(accord.ReasonDefaultDeny)
	}
	now := stamp(r.Time)
	roles := r.Actor.Roles & roleMask

	if r.Actor.OrganizationID == r.HolderID {
		return s.decideWithin(r, actor.handle, cat, purpose, roles, now)
	}

	holder, ok := p.orgs[r.HolderID]
	if !ok || !holder.known {
		return deny(accord.ReasonDefaultDeny)
	}
	// Rule 3a: privileged legal notes never cross a boundary, whatever
	// basis anyone holds.
	if cat == privilegedCat {
		return deny(accord.ReasonPrivileged)
	}
	sh, h := s.locate(r.ClientID)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	bases := sh.bases[r.ClientID]
	org := actor.handle

	// Rule 3b: the firewall. Only a court order opens it; nothing below
	// (statutory duty, break-glass, agreement, consent) is even looked at.
	if actor.sector.Enforcement() && cat&firewallCats != 0 {
		for i := range bases {
			if b := &bases[i]; b.kind == accord.BasisCourtOrder && b.covers(cat, purpose, org, holder.handle, now) {
				d := permit(accord.ReasonCourtOrder, obligeReviewNotify)
				d.LegalBasisID = b.id
				return d
			}
		}
		return deny(accord.ReasonFirewall)
	}

	// Rule 3c: a court order or statutory duty naming this disclosure.
	for i := range bases {
		b := &bases[i]
		var reason accord.Reason
		switch b.kind {
		case accord.BasisCourtOrder:
			reason = accord.ReasonCourtOrder
		case accord.BasisStatutoryDuty:
			reason = accord.ReasonStatutoryDuty
		default:
			continue
		}
		if b.covers(cat, purpose, org, holder.handle, now) {
			d := permit(reason, obligeReview)
			d.LegalBasisID = b.id
			return d
		}
	}

	// Rule 3d: emergency treatment is break-glass or nothing; agreements
	// cannot name ETREAT.
	if purpose == purposeETREAT {
		if d, ok := breakGlass(bases, r, org, holder.handle, cat, roles, now); ok {
			return d
		}
		return deny(accord.ReasonBreakGlassRequired)
	}

	// Rule 3e: an agreement in force between the two organisations …
	key, actorIsLo := pairKey(actor.num, holder.num)
	bucket := p.pairs[key]
	var agreement, barred *pairEntry
	for i := range bucket {
		e := &bucket[i]
		if e.purposes&purpose == 0 || e.categories&cat == 0 || e.roles&roles == 0 || now < e.from || now >= e.until {
			continue
		}
		if actorIsLo && e.prohibitsLo || !actorIsLo && e.prohibitsHi {
			if barred == nil {
				barred = e
			}
			continue
		}
		agreement = e
		break
	}
	if agreement == nil {
		if barred != nil {
			d := deny(accord.ReasonProhibitedRecipient)
			d.AgreementID, d.AgreementVersion = barred.id, barred.version
			return d
		}
		return deny(accord.ReasonNoAgreement)
	}

	// … and the client's consent: any matching deny provision wins, across
	// all of the client's consents; else the first matching permit.
	var found, short *provisionRule
	// This is the one read that, with a million consents, misses the cache.
	provisions := sh.lookup(h, r.ClientID).provisions()
	for i := range provisions {
		pv := &provisions[i]
		if pv.purposes&purpose == 0 || pv.categories&cat == 0 || now < pv.from || now >= pv.until ||
			!pv.names(org, actor.bit) {
			continue
		}
		switch {
		case pv.deny:
			d := deny(accord.ReasonConsentDenies)
			d.ConsentID, d.Provision = pv.consent, int(pv.index)
			return d
		case found != nil:
		case pv.sensitivity.Covers(r.Sensitivity):
			found = pv
		case short == nil:
			short = pv
		}
	}
	switch {
	case found != nil:
		return accord.Decision{
			Effect: accord.Permit, Reason: accord.ReasonAgreementConsent, Obligations: accord.ObligeAudit,
			AgreementID: agreement.id, AgreementVersion: agreement.version,
			ConsentID: found.consent, Provision: int(found.index),
		}
	case short != nil:
		// A consent covers the disclosure but not the record's sensitivity
		// labels: say so, since the client could be asked to consent to them.
		d := deny(accord.ReasonSensitivity)
		d.ConsentID, d.Provision = short.consent, int(short.index)
		return d
	}
	return deny(accord.ReasonNoConsent)
}

// decideWithin applies rule 3 of the architecture: the holder's own staff,
// by role and care team, with break-glass for clinical data.
func (s *Snapshot) decideWithin(r *accord.Request, org orgHandle, cat accord.CategorySet, purpose purposeSet, roles accord.RoleSet, now int64) accord.Decision {
	var reason accord.Reason
	switch {
	case cat == privilegedCat && roles&roleLegalAdvocate == 0:
		reason = accord.ReasonPrivileged
	case roleGrants[roles]&cat == 0:
		reason = accord.ReasonRoleNotPermitted
	case cat&careTeamCats == 0:
		return permit(accord.ReasonSameOrgRole, accord.ObligeAudit)
	}
	breakGlassPossible := purpose == purposeETREAT && cat&clinicalCats != 0 && roles&roleClinician != 0
	if reason != "" && !breakGlassPossible {
		return deny(reason)
	}

	sh, h := s.locate(r.ClientID)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	if reason == "" {
		if slices.Contains(sh.lookup(h, r.ClientID).team(), r.Actor.StaffID) {
			return permit(accord.ReasonSameOrgCareTeam, accord.ObligeAudit)
		}
		reason = accord.ReasonNotOnCareTeam
	}
	if breakGlassPossible {
		if d, ok := breakGlass(sh.bases[r.ClientID], r, org, org, cat, roles, now); ok {
			return d
		}
		// A clinician asking for emergency treatment is told what would let
		// them in, rather than why they are not in.
		return deny(accord.ReasonBreakGlassRequired)
	}
	return deny(reason)
}

// breakGlass returns the break-glass permit of rule 5 and true when the
// actor is a clinician holding an emergency basis, in force, for this
// client and category.
func breakGlass(bases []basisRule, r *accord.Request, org, holder orgHandle, cat accord.CategorySet, roles accord.RoleSet, now int64) (accord.Decision, bool) {
	if roles&roleClinician == 0 || cat&clinicalCats == 0 {
		return accord.Decision{}, false
	}
	for i := range bases {
		b := &bases[i]
		if b.kind == accord.BasisEmergency && b.recipientStaff == r.Actor.StaffID &&
			b.covers(cat, purposeETREAT, org, holder, now) {
			d := permit(accord.ReasonBreakGlass, obligeReviewNotify)
			d.LegalBasisID = b.id
			return d, true
		}
	}
	return accord.Decision{}, false
}
