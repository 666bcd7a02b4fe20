package enforce

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// AuditEntries returns audit entries to the oversight body. The entries
// hold ids and codes only, but together they show who holds what about
// whom, so no one else reads them in bulk; a client's own entries reach
// them through the access report.
func (s *Service) AuditEntries(ctx context.Context, c *Caller, f sqlstore.AuditFilter) ([]accord.AuditEntry, error) {
	if err := c.requireOversight(); err != nil {
		return nil, err
	}
	return s.db.AuditEntries(ctx, f)
}

// CanReadAuditLeaves reports whether the caller may see raw audit entries.
func (c *Caller) CanReadAuditLeaves() bool { return c.oversight() }

// AccessLine is one line of a client's access report.
type AccessLine struct {
	Entry            accord.AuditEntry
	ActorName        string
	OrganizationName string
	HolderName       string
	Explanation      Decided
	HasDecision      bool
}

// AccessReport is a client's accounting of disclosures (GDPR Art. 15,
// HIPAA §164.528): every decision about their data — who asked, from which
// organisation, for what category and purpose, when, and whether it was
// permitted and why — and every change to their consents.
type AccessReport struct {
	ClientID    string
	Language    string
	GeneratedAt time.Time
	Lines       []AccessLine
	Truncated   bool
}

// maxReportLines bounds one report; older lines are reached by the audit API.
const maxReportLines = 10000

// CanProduceAccessReport reports whether the caller may produce the access
// report of a client whose home organisation is home: its navigators,
// supervisors and privacy officers, or the oversight body.
func (c *Caller) CanProduceAccessReport(home string) bool {
	if c.oversight() {
		return true
	}
	return c.requireGovernance(accord.RoleNavigator, accord.RolePrivacyOfficer, accord.RoleSupervisor) == nil && c.Staff.OrganizationID == home
}

// AccessReport builds a client's access report. Staff of the client's home
// organisation in client-facing or privacy roles may produce it (on the
// client's request), as may the oversight body's auditors and privacy
// officers. Producing it is itself recorded (an export).
func (s *Service) AccessReport(ctx context.Context, c *Caller, clientID string) (_ *AccessReport, err error) {
	defer accord.Wrap(&err, "AccessReport(%s)", clientID)
	if !c.oversight() {
		if err := c.requireGovernance(accord.RoleNavigator, accord.RolePrivacyOfficer, accord.RoleSupervisor); err != nil {
			return nil, err
		}
	}
	client, err := s.db.FindClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if !c.CanProduceAccessReport(client.HomeOrganizationID) {
		return nil, accord.Errorf(accord.EFORBIDDEN, "an access report is produced by the client's home organisation (navigator, supervisor or privacy officer) or by the oversight body")
	}
	// A client's history includes that of the records merged into theirs.
	ids, err := s.db.MergedInto(ctx, client.ID)
	if err != nil {
		return nil, err
	}
	var entries []accord.AuditEntry
	for _, id := range append([]string{client.ID}, ids...) {
		es, err := s.db.AuditEntries(ctx, sqlstore.AuditFilter{ClientID: id, After: -1, Limit: maxReportLines + 1, Newest: true})
		if err != nil {
			return nil, err
		}
		entries = append(entries, es...)
	}
	slices.SortFunc(entries, func(a, b accord.AuditEntry) int { return cmp.Compare(b.Index, a.Index) })
	rep := &AccessReport{ClientID: client.ID, Language: client.PreferredLanguage, GeneratedAt: s.now().UTC()}
	if len(entries) > maxReportLines {
		entries, rep.Truncated = entries[:maxReportLines], true
	}
	n := newNames(s.db, &s.orgs)
	staff := map[string]string{}
	staffName := func(id string) string {
		if name, ok := staff[id]; ok {
			return name
		}
		name := id
		if st, err := s.db.FindStaff(ctx, id); err == nil {
			name = st.DisplayName
		}
		staff[id] = name
		return name
	}
	for _, e := range entries {
		line := AccessLine{Entry: e, ActorName: staffName(e.ActorID), OrganizationName: n.org(ctx, e.ActorOrganizationID)}
		if e.Kind == accord.AuditDecision {
			line.HolderName = n.org(ctx, e.HolderID)
			r := accord.Request{ClientID: e.ClientID, HolderID: e.HolderID, Category: e.Category, Purpose: e.Purpose, Time: e.Time,
				Actor: accord.Actor{StaffID: e.ActorID, OrganizationID: e.ActorOrganizationID}}
			if st, err := s.db.FindStaff(ctx, e.ActorID); err == nil {
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
		rep.Lines = append(rep.Lines, line)
	}
	ex := accord.AuditEntry{Kind: accord.AuditExport, ActorID: c.Staff.ID, ActorOrganizationID: c.Staff.OrganizationID,
		ClientID: client.ID, Action: "access_report", Count: len(rep.Lines), RequestID: c.RequestID}
	if err := s.db.AppendAudit(ctx, ex); err != nil {
		return nil, err
	}
	return rep, nil
}
