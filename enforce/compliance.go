package enforce

import (
	"context"
	"fmt"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/sqlstore"
)

// The consent-compliance audit: the oversight body draws a reproducible
// random sample of the disclosures of a period from the audit log and, for
// each, checks again — from the stored agreement version, consent and
// legal basis the entry names, not by asking the decision point — that it
// was permitted by what the entry says permitted it. Any that cannot be
// tied is flagged. Each run is recorded in the audit log.

// SampledDisclosure is one disclosure of a sample and its check.
type SampledDisclosure struct {
	Entry accord.AuditEntry
	Tie   accord.Tie
	// Problems say in words why it is not tied, one per Tie.Problems.
	Problems []i18n.Msg
	// Agreement is the version named, when stored; Basis the legal basis.
	Agreement *accord.Agreement
	Basis     *accord.LegalBasis
}

// ComplianceSample is one run of the consent-compliance audit.
type ComplianceSample struct {
	sqlstore.DisclosureSample
	Items                []SampledDisclosure
	Tied, Untied, Erased int
	GeneratedAt          time.Time
	Names                map[string]string // organisations and staff the items name
	AgreementTitle       map[string]string // by agreement id
	RunBy, RunByOrg      string            // who ran it: staff and organisation ids, "system" from the command line
	Sample               int               // the sample size asked for
}

// ComplianceSample draws and checks a sample of disclosures. For the
// oversight body's auditors and privacy officers (else EFORBIDDEN); bad
// input is EINVALID with the field named. The run is recorded.
func (s *Service) ComplianceSample(ctx context.Context, c *Caller, r sqlstore.SampleRequest) (_ *ComplianceSample, err error) {
	defer accord.Wrap(&err, "ComplianceSample")
	if err := c.requireReviewer(); err != nil {
		return nil, err
	}
	return s.complianceSample(ctx, c.Staff.ID, c.Staff.OrganizationID, c.RequestID, r)
}

// SystemComplianceSample is ComplianceSample for the command line, run by
// whoever holds the database: it is recorded with the actor "system".
func (s *Service) SystemComplianceSample(ctx context.Context, r sqlstore.SampleRequest) (_ *ComplianceSample, err error) {
	defer accord.Wrap(&err, "SystemComplianceSample")
	return s.complianceSample(ctx, "system", "", "", r)
}

func (s *Service) complianceSample(ctx context.Context, actor, org, request string, r sqlstore.SampleRequest) (*ComplianceSample, error) {
	ds, err := s.db.SampleDisclosures(ctx, r)
	if err != nil {
		return nil, err
	}
	out := &ComplianceSample{DisclosureSample: *ds, GeneratedAt: s.now().UTC(), Names: map[string]string{}, AgreementTitle: map[string]string{},
		RunBy: actor, RunByOrg: org, Sample: r.N}
	n := newNames(s.db, &s.orgs)
	load := s.db.NewEvidenceLoader()
	for _, e := range ds.Entries {
		ev, err := load.Load(ctx, &e)
		if err != nil {
			return nil, fmt.Errorf("audit entry %d: %w", e.Index, err)
		}
		it := SampledDisclosure{Entry: e, Tie: accord.CheckTie(&e, ev), Agreement: ev.Agreement, Basis: ev.Basis}
		for _, p := range it.Tie.Problems {
			it.Problems = append(it.Problems, tieProblemText(p, e.Reason))
		}
		switch {
		case it.Tie.Basis == accord.TieErased:
			out.Erased++
		case it.Tie.Untied():
			out.Untied++
		default:
			out.Tied++
		}
		for _, id := range []string{e.HolderID, e.ActorOrganizationID} {
			if _, ok := out.Names[id]; !ok {
				out.Names[id] = n.org(ctx, id)
			}
		}
		if _, ok := out.Names[e.ActorID]; !ok {
			out.Names[e.ActorID] = e.ActorID
			if st, err := s.db.FindStaff(ctx, e.ActorID); err == nil {
				out.Names[e.ActorID] = st.DisplayName
			}
		}
		if e.AgreementID != "" {
			out.AgreementTitle[e.AgreementID] = n.agreement(ctx, e.AgreementID)
		}
		out.Items = append(out.Items, it)
	}
	entry := accord.AuditEntry{Kind: accord.AuditExport, ActorID: actor, ActorOrganizationID: org, Action: "compliance.sample", Count: len(out.Items),
		ObjectID:  fmt.Sprintf("seed=%d size=%d from=%s to=%s untied=%d", ds.Seed, ds.Size, ds.From.Format(time.RFC3339), ds.To.Format(time.RFC3339), out.Untied),
		RequestID: request}
	if err := s.db.AppendAudit(ctx, entry); err != nil {
		return nil, err
	}
	if out.Untied > 0 {
		s.logger.Warn("consent-compliance audit: disclosures not tied to what permitted them", "untied", out.Untied, "sampled", len(out.Items),
			"seed", ds.Seed, "size", ds.Size, "staff", actor)
	}
	return out, nil
}

// tieProblemText says in words why a disclosure is not tied. Every format
// string here is a message catalogue key.
func tieProblemText(p accord.TieProblem, reason accord.Reason) i18n.Msg {
	switch p {
	case accord.ProblemUnknownReason:
		return i18n.M("The entry's reason (%s) is not one that permits a disclosure.", string(reason))
	case accord.ProblemNoAgreement:
		return i18n.M("The entry names no agreement.")
	case accord.ProblemAgreementMissing:
		return i18n.M("The agreement version it names is not stored.")
	case accord.ProblemAgreementNotInForce:
		return i18n.M("The agreement was not in force at the time.")
	case accord.ProblemAgreementParties:
		return i18n.M("The agreement is not between the organisation that disclosed and the one that received.")
	case accord.ProblemAgreementProhibits:
		return i18n.M("The agreement prohibits sharing with the organisation that received.")
	case accord.ProblemAgreementCategory:
		return i18n.M("The agreement does not cover this kind of information.")
	case accord.ProblemAgreementPurpose:
		return i18n.M("The agreement does not cover this purpose.")
	case accord.ProblemNoConsent:
		return i18n.M("The entry names no consent provision.")
	case accord.ProblemConsentMissing:
		return i18n.M("The consent it names is not stored.")
	case accord.ProblemConsentClient:
		return i18n.M("The consent it names is another client's.")
	case accord.ProblemConsentNotInForce:
		return i18n.M("The consent was not in force at the time: not yet given, ended or withdrawn.")
	case accord.ProblemProvisionMissing:
		return i18n.M("The consent has no such provision.")
	case accord.ProblemProvisionNotPermit:
		return i18n.M("The provision it names refuses sharing; it does not permit it.")
	case accord.ProblemProvisionNotInForce:
		return i18n.M("The provision was not in force at the time.")
	case accord.ProblemProvisionRecipient:
		return i18n.M("The provision names neither the organisation that received nor its sector.")
	case accord.ProblemProvisionCategory:
		return i18n.M("The provision does not cover this kind of information.")
	case accord.ProblemProvisionPurpose:
		return i18n.M("The provision does not cover this purpose.")
	case accord.ProblemConsentDenies:
		return i18n.M("A refusal in the client's consents in force at the time covered this disclosure.")
	case accord.ProblemNoBasis:
		return i18n.M("The entry names no legal basis.")
	case accord.ProblemBasisMissing:
		return i18n.M("The legal basis it names is not stored.")
	case accord.ProblemBasisKind:
		return i18n.M("The legal basis is not of the kind the entry says.")
	case accord.ProblemBasisClient:
		return i18n.M("The legal basis is another client's.")
	case accord.ProblemBasisNotInForce:
		return i18n.M("The legal basis was not in force at the time.")
	case accord.ProblemBasisCategory:
		return i18n.M("The legal basis does not cover this kind of information.")
	case accord.ProblemBasisPurpose:
		return i18n.M("The legal basis does not serve this purpose.")
	case accord.ProblemBasisRecipient:
		return i18n.M("The legal basis does not name the organisation that received.")
	case accord.ProblemBasisHolder:
		return i18n.M("The legal basis does not bind the organisation that disclosed.")
	case accord.ProblemBasisStaff:
		return i18n.M("The emergency access was recorded for someone else.")
	case accord.ProblemFirewall:
		return i18n.M("Health, legal or immigration information reached an immigration authority or the police without a court order.")
	case accord.ProblemPrivileged:
		return i18n.M("A privileged legal note left the legal team's organisation.")
	case accord.ProblemEmergencyByConsent:
		return i18n.M("Emergency treatment was recorded under an agreement; it is break-glass access only.")
	}
	return i18n.M("Another problem (%s).", string(p))
}
