package demo

import (
	"fmt"
	"time"

	"github.com/accord-project/accord/sqlstore"
)

// Load stores the partnership through im, in dependency order. hash turns
// a demo password into the stored hash; tokens live for tokenTTL.
func (p *Partnership) Load(im *sqlstore.Importer, hash func(string) string, tokenTTL time.Duration) error {
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
	return nil
}
