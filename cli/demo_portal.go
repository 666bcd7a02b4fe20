package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/demo"
	"github.com/accord-project/accord/enforce"
)

// demoPortal is a client portal sign-in code made for the demo's
// Arabic-speaking featured client at each start, so a newcomer can see the
// portal (who saw my information) as a client.
type demoPortal struct {
	clientID, code string
}

func (a *app) demoPortalCode(ctx context.Context, p *demo.Partnership) (*demoPortal, error) {
	for _, s := range p.Scenarios {
		if s.ID != "advocate-reads-clinical-summary" {
			continue
		}
		code := enforce.NewPortalCode()
		if err := a.db.CreatePortalCode(ctx, accord.Actor{StaffID: "system"}, s.ClientID, enforce.PortalCodeHash(code), enforce.PortalCodeTTL); err != nil {
			return nil, err
		}
		return &demoPortal{clientID: s.ClientID, code: code}, nil
	}
	return nil, nil
}

func printDemoPortal(w io.Writer, url string, dp *demoPortal) {
	if dp == nil {
		return
	}
	fmt.Fprintf(w, "Client portal: sign in at %s/my/signin with the code %s\n", url, strings.Join(enforce.FormatPortalCode(dp.code), " "))
	fmt.Fprintf(w, "  (client %s, who reads Arabic; the code works once, for 24 hours; a new one is made at each start)\n\n", dp.clientID)
}
