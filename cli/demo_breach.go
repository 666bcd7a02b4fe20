package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/demo"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/sqlstore"
)

// demoBreach is the simulated breach the demo shows: the clinic GP's API
// token was pushed to a public code repository and used to read some of
// his patients' records; the clinic's privacy officer recorded it. It is
// made once, the first time the demo starts on a database.
type demoBreach struct {
	id      string
	clients int
	langs   []string
}

// demoBreachReads is how many of the GP's patients the leaked token reads:
// one for each language among them first, so the notices show several.
const demoBreachReads = 8

func (a *app) demoBreach(ctx context.Context, p *demo.Partnership) (*demoBreach, error) {
	gp, officer := a.demoCaller(ctx, p, "j.okafor"), a.demoCaller(ctx, p, "p.nowak")
	if gp == nil || officer == nil {
		return nil, nil // not the usual demo partnership
	}
	if bs, err := a.svc.Breaches(ctx, officer, true); err != nil || len(bs) > 0 {
		if err != nil {
			return nil, err
		}
		return &demoBreach{id: bs[0].ID, clients: len(bs[0].Impact.Clients)}, nil
	}
	sessions, err := a.db.Sessions(ctx, gp.Staff.ID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(sessions, func(s sqlstore.SessionInfo) bool { return s.Kind == "token" })
	if i < 0 {
		return nil, nil
	}
	gp.CredentialID = sessions[i].ID
	start := a.env.Now().UTC()

	// The leaked token reads the GP's patients: a first one in each
	// language, then others, up to demoBreachReads.
	var mine []accord.Client
	for _, c := range p.Clients {
		if c.HomeOrganizationID == gp.Staff.OrganizationID && slices.Contains(p.CareTeams[c.ID], gp.Staff.ID) {
			mine = append(mine, c)
		}
	}
	var order []accord.Client
	seen := map[string]bool{}
	for _, c := range mine {
		if !seen[c.PreferredLanguage] {
			seen[c.PreferredLanguage] = true
			order = append(order, c)
		}
	}
	for _, c := range mine {
		if !slices.ContainsFunc(order, func(o accord.Client) bool { return o.ID == c.ID }) {
			order = append(order, c)
		}
	}
	out := &demoBreach{}
	for _, c := range order[:min(demoBreachReads, len(order))] {
		if _, err := a.svc.ReadClient(ctx, gp, c.ID, accord.PurposeTreatment); err != nil {
			continue
		}
		if _, err := a.svc.ClientRecords(ctx, gp, c.ID, []accord.Category{accord.CatClinicalSummary, accord.CatClinicalNote}, accord.PurposeTreatment); err != nil &&
			accord.ErrorCode(err) != accord.EDENIED {
			return nil, err
		}
		if !slices.Contains(out.langs, c.PreferredLanguage) {
			out.langs = append(out.langs, c.PreferredLanguage)
		}
	}
	now := a.env.Now().UTC()
	b := &accord.Breach{
		Description: "Dr Okafor's API token was in a script he pushed to a public code repository. " +
			"Someone used it within minutes to read his patients' records. (A simulated breach: this is the demo.)",
		Subject: accord.BreachCredential, CredentialID: gp.CredentialID,
		DiscoveredAt: now, WindowStart: start.Add(-5 * time.Minute), WindowEnd: now,
	}
	if err := a.svc.RecordBreach(ctx, officer, b); err != nil {
		return nil, err
	}
	out.id, out.clients = b.ID, len(b.Impact.Clients)
	return out, nil
}

// demoCaller returns the demo staff member username as a caller, or nil.
func (a *app) demoCaller(ctx context.Context, p *demo.Partnership, username string) *enforce.Caller {
	for _, l := range p.Staff {
		if l.Username != username {
			continue
		}
		org, err := a.db.FindOrganization(ctx, l.OrganizationID)
		if err != nil {
			return nil
		}
		return &enforce.Caller{Principal: &sqlstore.Principal{Staff: l.Staff, Organization: *org}}
	}
	return nil
}

func printDemoBreach(w io.Writer, url string, db *demoBreach) {
	if db == nil || db.id == "" {
		return
	}
	fmt.Fprintf(w, "A simulated breach: the clinic GP's API token leaked and read %d patients' records.\n", db.clients)
	fmt.Fprintf(w, "  Sign in as p.nowak (the clinic's privacy officer) or c.achebe and open %s/breaches/%s\n", url, db.id)
	if len(db.langs) > 0 {
		fmt.Fprintf(w, "  for the affected clients, the 72-hour clock and the notices in their languages (%s).\n\n", strings.Join(db.langs, ", "))
	} else {
		fmt.Fprintf(w, "  for the affected clients, the 72-hour clock and the notices in their languages.\n\n")
	}
}
