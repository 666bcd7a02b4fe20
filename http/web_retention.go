package http

import (
	"net/http"
	"strings"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// Retention (/retention): the dry run — what a purge would do now, per
// organisation and agreement, each item with its pseudonymous client id,
// why it is due and what holds the rest back — and the purge runs, which a
// privacy officer may start here (the server's runner works them).

func init() {
	registerNotices(map[string]string{
		"retention-started": "The purge has started. Accord works through it in the background; reload this page to follow it.",
		"retention-running": "A purge is already under way; it was not started again.",
	})
}

func (s *Server) retentionRoutes() []route {
	return []route{
		{"GET", "/retention", s.page(s.retentionPage)},
		{"POST", "/retention", s.page(s.retentionStart)},
	}
}

type retentionGroupRow struct {
	enforce.RetentionGroup
	OrgName, Agreement string
	Data               string
}

type retentionItemRow struct {
	accord.RetentionItem
	OrgName, Agreement, Action, Data, Holds string
}

type retentionData struct {
	Nav       []adminLink
	Scope     string
	Groups    []retentionGroupRow
	Due, Held []retentionItemRow
	Runs      []retentionRunRow
	MayPurge  bool
	Form      *form
}

type retentionRunRow struct {
	ID, Short, StartedBy, Status string
	StartedAt                    string
	Planned, Done, Skipped       int
}

func retentionActionLabel(p *i18n.Printer, a accord.RetentionAction) string {
	if a == accord.RetentionEraseClient {
		return p.Sprintf("Erase the client")
	}
	return p.Sprintf("Purge this organisation's data")
}

func retentionKindLabel(p *i18n.Printer, k accord.RetentionKind) string {
	switch k {
	case accord.RetentionRecords:
		return p.Sprintf("records")
	case accord.RetentionNotes:
		return p.Sprintf("case notes")
	case accord.RetentionScreenings:
		return p.Sprintf("screenings")
	case accord.RetentionCases:
		return p.Sprintf("cases")
	case accord.RetentionReferrals:
		return p.Sprintf("referrals")
	case accord.RetentionEscalations:
		return p.Sprintf("escalations")
	case accord.RetentionConsents:
		return p.Sprintf("consents")
	}
	return string(k)
}

func retentionHoldLabel(p *i18n.Printer, h accord.RetentionHold) string {
	switch h {
	case accord.HoldOpenCase:
		return p.Sprintf("an open case")
	case accord.HoldCaseRecord:
		return p.Sprintf("a joint case, erased with the client")
	case accord.HoldOpenReferral:
		return p.Sprintf("an unfinished referral")
	case accord.HoldOpenEscalation:
		return p.Sprintf("an open escalation")
	case accord.HoldLegalBasis:
		return p.Sprintf("a court order, duty in law or emergency access in force or awaiting review")
	case accord.HoldGrievance:
		return p.Sprintf("an open complaint about one of the client's cases")
	case accord.HoldBreach:
		return p.Sprintf("an open breach incident")
	case accord.HoldNoAgreement:
		return p.Sprintf("no agreement sets a retention period")
	case accord.HoldOtherHolding:
		return p.Sprintf("another organisation's data about the client is still kept")
	}
	return string(h)
}

func retentionCounts(p *i18n.Printer, m map[accord.RetentionKind]int) string {
	var parts []string
	for _, k := range accord.RetentionKinds {
		if n := m[k]; n > 0 {
			parts = append(parts, p.Sprintf("%[1]s: %[2]d", retentionKindLabel(p, k), n))
		}
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, ", ")
}

func (s *Server) retentionGate(w http.ResponseWriter, r *http.Request, c *enforce.Caller) (bool, error) {
	if c.ReadsRetention() {
		return true, nil
	}
	p := s.pagePrinter(r)
	return false, s.adminDenied(w, r, c, accord.Errorf(accord.EFORBIDDEN, "only privacy officers, the partnership administrator and the oversight body see what retention would purge"),
		p.Sprintf("This page shows what Accord would purge now because the agreements' retention periods have ended, what holds the rest back, and the purge runs."),
		p.Sprintf("Privacy officers see their own organisation's part; the partnership administrator and the oversight body's auditors and privacy officers see the whole partnership. Privacy officers may start a purge."))
}

func (s *Server) retentionPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.retentionGate(w, r, c); !ok {
		return err
	}
	return s.renderRetention(w, r, c, newForm(), http.StatusOK)
}

func (s *Server) renderRetention(w http.ResponseWriter, r *http.Request, c *enforce.Caller, f *form, status int) error {
	v := s.newView(r, c, "audit", "Retention", nil)
	rep, err := s.svc.RetentionReport(r.Context(), c)
	if err != nil {
		return err
	}
	p := v.P
	d := &retentionData{Nav: auditNav(p, c, "/retention"), Scope: rep.Names[rep.Scope], MayPurge: c.MayStartPurge(), Form: f}
	agreement := func(id string, version int) string {
		if id == "" {
			return "—"
		}
		return p.Sprintf("%[1]s (version %[2]d)", rep.Names[id], version)
	}
	for _, g := range rep.Groups {
		d.Groups = append(d.Groups, retentionGroupRow{RetentionGroup: g, OrgName: rep.Names[g.OrganizationID],
			Agreement: agreement(g.AgreementID, g.AgreementVersion), Data: retentionCounts(p, g.Counts)})
	}
	row := func(it accord.RetentionItem) retentionItemRow {
		holds := make([]string, len(it.Holds))
		for i, h := range it.Holds {
			holds[i] = retentionHoldLabel(p, h)
		}
		return retentionItemRow{RetentionItem: it, OrgName: rep.Names[it.OrganizationID], Agreement: agreement(it.AgreementID, it.AgreementVersion),
			Action: retentionActionLabel(p, it.Action), Data: retentionCounts(p, it.Counts), Holds: strings.Join(holds, "; ")}
	}
	for _, it := range rep.Plan.Due {
		d.Due = append(d.Due, row(it))
	}
	for _, it := range rep.Plan.Held {
		d.Held = append(d.Held, row(it))
	}
	for _, run := range rep.Runs {
		by := p.Sprintf("Accord (automatic)")
		if n, ok := rep.Names[run.StartedBy]; ok {
			by = n
		}
		d.Runs = append(d.Runs, retentionRunRow{ID: run.ID, Short: shortID(run.ID), StartedBy: by, Status: run.Status,
			StartedAt: p.Date(run.StartedAt) + " " + run.StartedAt.UTC().Format("15:04") + " UTC", Planned: run.Planned, Done: run.Done, Skipped: run.Skipped})
	}
	v.Data = d
	return s.render(w, status, "retention", v)
}

func (s *Server) retentionStart(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.retentionGate(w, r, c); !ok {
		return err
	}
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		_, started, err := s.svc.StartRetentionPurge(r.Context(), c)
		if err != nil {
			return "", err
		}
		if !started {
			return "/retention?notice=retention-running", nil
		}
		return "/retention?notice=retention-started", nil
	})
	if done {
		return nil
	}
	return err
}
