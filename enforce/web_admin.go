package enforce

import (
	"context"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
	"github.com/accord-project/accord/sqlstore"
)

// Use cases of the partnership administration and audit pages of the web
// interface. The rules are those of the JSON API; these add the checks a
// page needs before it shows anything (so that a page refused is explained
// in words, not half-drawn) and the audit reads the pages make.

// RequireGovernance returns nil when the caller holds one of roles and is
// not staff of an immigration authority or law enforcement body (who take
// no part in the partnership's governance), else the error that explains
// why not.
func (c *Caller) RequireGovernance(roles ...accord.Role) error { return c.requireGovernance(roles...) }

// Oversight reports whether the caller is an auditor or privacy officer of
// the oversight body: they alone read the audit log's entries and the
// register of legal bases in bulk.
func (c *Caller) Oversight() bool { return c.oversight() }

// RequireOversight returns nil for the oversight body's auditors and
// privacy officers (who post its witness's cosignatures, say), else the
// EFORBIDDEN error that says so.
func (c *Caller) RequireOversight() error { return c.requireOversight() }

// RequireAuditView allows the audit log's state (its size, signed
// checkpoints, proofs and verification — ids and hashes, no entries) to
// privacy officers, auditors and partnership administrators, and to the
// oversight body's staff.
func (c *Caller) RequireAuditView() error {
	if c.Organization.Sector == accord.SectorOversight {
		return nil
	}
	return c.requireGovernance(accord.RolePrivacyOfficer, accord.RoleAuditor, accord.RolePartnershipAdmin)
}

// SearchAudit searches the audit log for the oversight body.
func (s *Service) SearchAudit(ctx context.Context, c *Caller, q sqlstore.AuditQuery) (*sqlstore.AuditPage, error) {
	if err := c.requireOversight(); err != nil {
		return nil, err
	}
	return s.db.SearchAudit(ctx, q)
}

// DescribeAuditEntries names the people and organisations of entries and
// explains each decision in plain language, as the access report does; for
// the oversight body.
func (s *Service) DescribeAuditEntries(ctx context.Context, c *Caller, es []accord.AuditEntry) ([]AccessLine, error) {
	if err := c.requireOversight(); err != nil {
		return nil, err
	}
	n := newNames(s.db, &s.orgs)
	staff := map[string]*accord.Staff{}
	find := func(id string) *accord.Staff {
		if st, ok := staff[id]; ok {
			return st
		}
		st, err := s.db.FindStaff(ctx, id)
		if err != nil {
			st = nil
		}
		staff[id] = st
		return st
	}
	out := make([]AccessLine, 0, len(es))
	for _, e := range es {
		line := AccessLine{Entry: e, ActorName: e.ActorID, OrganizationName: n.org(ctx, e.ActorOrganizationID)}
		st := find(e.ActorID)
		if st != nil {
			line.ActorName = st.DisplayName
		}
		if e.Kind == accord.AuditDecision {
			line.HolderName = n.org(ctx, e.HolderID)
			r := accord.Request{ClientID: e.ClientID, HolderID: e.HolderID, Category: e.Category, Purpose: e.Purpose, Time: e.Time,
				Actor: accord.Actor{StaffID: e.ActorID, OrganizationID: e.ActorOrganizationID}}
			if st != nil {
				r.Actor.Roles = st.RoleSet()
			}
			d := accord.Decision{Reason: e.Reason, AgreementID: e.AgreementID, AgreementVersion: e.AgreementVersion,
				ConsentID: e.ConsentID, LegalBasisID: e.LegalBasisID, PolicyID: e.PolicyID, Provision: -1}
			if e.Effect == "permit" {
				d.Effect = accord.Permit
			}
			if e.Provision != nil {
				d.Provision = *e.Provision
			}
			line.Explanation = Decided{Request: r, Decision: d, Explanation: explain(ctx, n, &r, d)}
			line.HasDecision = true
		}
		out = append(out, line)
	}
	return out, nil
}

// AuditEntry returns one entry of the log, for the oversight body.
func (s *Service) AuditEntry(ctx context.Context, c *Caller, index int64) (*accord.AuditEntry, error) {
	if err := c.requireOversight(); err != nil {
		return nil, err
	}
	es, err := s.db.AuditEntries(ctx, sqlstore.AuditFilter{After: index - 1, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(es) == 0 || es[0].Index != index {
		return nil, accord.Errorf(accord.ENOTFOUND, "no audit entry %d", index)
	}
	return &es[0], nil
}

// AuditProof returns the stored leaf of entry index and the proof that it
// is in the tree of size entries. The leaf is used to check the proof; only
// the oversight body is shown its content.
func (s *Service) AuditProof(ctx context.Context, c *Caller, index int64, size uint64) (leaf []byte, proof [][]byte, err error) {
	if err := c.RequireAuditView(); err != nil {
		return nil, nil, err
	}
	if index < 0 || uint64(index) >= size {
		return nil, nil, accord.Errorf(accord.ENOTFOUND, "no audit entry %d", index)
	}
	if leaf, err = s.db.AuditLeaf(ctx, index); err != nil {
		return nil, nil, err
	}
	proof, err = s.db.InclusionProof(ctx, uint64(index), size)
	return leaf, proof, err
}

// AuditCheckpoints returns the signed checkpoints of size < before (0: the
// newest), newest first, and the log's current size.
func (s *Service) AuditCheckpoints(ctx context.Context, c *Caller, before uint64, limit int) ([]sqlstore.StoredCheckpoint, uint64, error) {
	if err := c.RequireAuditView(); err != nil {
		return nil, 0, err
	}
	cps, err := s.db.CheckpointHistory(ctx, before, limit)
	if err != nil {
		return nil, 0, err
	}
	size, err := s.db.AuditSize(ctx)
	return cps, size, err
}

// VerifyAudit recomputes the audit log from storage and checks it against
// its tiles and every signed checkpoint, as `accord audit verify` does.
func (s *Service) VerifyAudit(ctx context.Context, c *Caller, opts sqlstore.VerifyOptions) (*auditlog.VerifyResult, time.Duration, error) {
	if err := c.RequireAuditView(); err != nil {
		return nil, 0, err
	}
	start := time.Now()
	res, err := s.db.VerifyAudit(ctx, opts)
	return res, time.Since(start), err
}
