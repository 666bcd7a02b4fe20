package demo

import (
	"fmt"
	"time"

	"github.com/accord-project/accord/sqlstore"
)

// Load stores the partnership through im, in dependency order. hash turns
// a demo password into the stored hash; tokens live for tokenTTL.
func (p *Partnership) Load(im *sqlstore.Importer, hash func(string) string, tokenTTL time.Duration) error {
	// The access history first: the log is in time order, and the import's
	// own entry comes after it.
	if err := im.AuditHistory(p.Access); err != nil {
		return fmt.Errorf("access history: %w", err)
	}
	for i := range p.Organizations {
		if err := im.Organization(&p.Organizations[i]); err != nil {
			return fmt.Errorf("organisation %s: %w", p.Organizations[i].Name, err)
		}
	}
	for i := range p.Staff {
		l := &p.Staff[i]
		if err := im.Staff(&l.Staff, hash(l.Password)); err != nil {
			return fmt.Errorf("staff %s: %w", l.Username, err)
		}
		if l.Token != "" {
			if err := im.Token(l.ID, l.Token, "demo token", tokenTTL); err != nil {
				return err
			}
		}
	}
	for i := range p.Agreements {
		if err := im.Agreement(&p.Agreements[i]); err != nil {
			return fmt.Errorf("agreement %s v%d: %w", p.Agreements[i].Title, p.Agreements[i].Version, err)
		}
	}
	for i := range p.Areas {
		if err := im.Area(&p.Areas[i]); err != nil {
			return fmt.Errorf("area %s: %w", p.Areas[i].Code, err)
		}
	}
	for i := range p.Clients {
		if err := im.Client(&p.Clients[i]); err != nil {
			return fmt.Errorf("client %s: %w", p.Clients[i].ID, err)
		}
	}
	for i := range p.Clients {
		if err := im.CareTeam(p.Clients[i].ID, p.CareTeams[p.Clients[i].ID]...); err != nil {
			return err
		}
	}
	for i := range p.Records {
		if err := im.Record(&p.Records[i]); err != nil {
			return fmt.Errorf("record %s: %w", p.Records[i].ID, err)
		}
	}
	for i := range p.Consents {
		if err := im.Consent(&p.Consents[i]); err != nil {
			return fmt.Errorf("consent %s: %w", p.Consents[i].ID, err)
		}
	}
	for i := range p.LegalBases {
		if err := im.LegalBasis(&p.LegalBases[i]); err != nil {
			return fmt.Errorf("legal basis %s: %w", p.LegalBases[i].ID, err)
		}
	}
	for _, c := range p.Chains {
		if err := im.EscalationChain(c.OrganizationID, c.StaffIDs); err != nil {
			return err
		}
	}
	for i := range p.Services {
		if err := im.Service(&p.Services[i]); err != nil {
			return fmt.Errorf("service %s: %w", p.Services[i].Name, err)
		}
	}
	return p.History.load(im)
}

// load stores the history through im.
func (h *History) load(im *sqlstore.Importer) error {
	for i := range h.Screenings {
		if err := im.Screening(&h.Screenings[i]); err != nil {
			return fmt.Errorf("screening %s: %w", h.Screenings[i].ID, err)
		}
	}
	for i := range h.Referrals {
		r := &h.Referrals[i]
		if err := im.Referral(&r.Referral, r.AcceptedAt, r.CompletedAt); err != nil {
			return fmt.Errorf("referral %s: %w", r.ID, err)
		}
	}
	for i := range h.Escalations {
		if err := im.Escalation(&h.Escalations[i]); err != nil {
			return fmt.Errorf("escalation %s: %w", h.Escalations[i].ID, err)
		}
	}
	for i := range h.Grievances {
		g := &h.Grievances[i]
		if err := im.Grievance(&g.Grievance, g.CodeHash, g.Events); err != nil {
			return fmt.Errorf("complaint %s: %w", g.ID, err)
		}
	}
	return nil
}
