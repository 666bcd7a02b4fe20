package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/credential"
	"github.com/accord-project/accord/demo"
	"github.com/accord-project/accord/sqlstore"
)

// Demo API tokens live a year: long enough for any demo, short enough to
// never be mistaken for production credentials.
const demoTokenTTL = 365 * 24 * time.Hour

func runDemo(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "demo", "[--addr HOST:PORT] [--db PATH] [--credentials FILE] [--seed N]")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	dsn := dsnFlag(fs, env, "accord-demo.db")
	keysDir := fs.String("keys", env.Getenv("ACCORD_KEYS_DIR"), "directory of keys kept outside the database (default: next to the database)")
	credFile := fs.String("credentials", "", "write the demo logins, API tokens and scenarios to this JSON file")
	seed := fs.Int64("seed", 1, "seed of the generated partnership (same seed, same data)")
	clients := fs.Int("clients", demo.DefaultClients, "number of synthetic clients (at least 500)")
	witnessKeys := witnessKeysFlag(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	witnesses, err := readWitnessKeys(*witnessKeys)
	if err != nil {
		return err
	}
	seedSet := false
	fs.Visit(func(f *flag.Flag) { seedSet = seedSet || f.Name == "seed" })

	a, err := open(ctx, env, *dsn, *keysDir, "accord.local/demo-audit")
	if err != nil {
		return err
	}
	defer a.Close()
	a.witnesses = witnesses
	p, err := a.seedDemo(ctx, *seed, seedSet, *clients)
	if err != nil {
		return err
	}
	if *credFile != "" {
		if err := writeCredentials(*credFile, p); err != nil {
			return err
		}
	}
	portal, err := a.demoPortalCode(ctx, p)
	if err != nil {
		return err
	}
	breach, err := a.demoBreach(ctx, p)
	if err != nil {
		return err
	}
	report, err := a.publishDemoReport(ctx, p)
	if err != nil {
		return err
	}
	compliance, err := a.demoCompliance(ctx, p)
	if err != nil {
		return err
	}
	witness, err := a.demoWitness(ctx)
	if err != nil {
		return err
	}
	retention, err := a.demoRetention(ctx, p)
	if err != nil {
		return err
	}
	alerts, err := a.demoAnomalies(ctx)
	if err != nil {
		return err
	}
	return a.serve(ctx, *addr, func(url string) {
		printDemo(env.Stdout, url, *dsn, a.keys.Dir, *credFile, p)
		printDemoPortal(env.Stdout, url, portal)
		printDemoBreach(env.Stdout, url, breach)
		printDemoReport(env.Stdout, url, report)
		printDemoCompliance(env.Stdout, url, compliance)
		printDemoWitness(env.Stdout, url, witness)
		printDemoRetention(env.Stdout, url, retention)
		printDemoAnomalies(env.Stdout, url, alerts)
	})
}

// seedDemo loads the demo partnership into an empty database, or, when the
// database was seeded before, regenerates the same partnership from the
// stored seed (to print its logins) without loading anything.
func (a *app) seedDemo(ctx context.Context, seed int64, seedSet bool, clients int) (*demo.Partnership, error) {
	stored, err := a.db.Meta(ctx, "demo_seed")
	if err != nil {
		return nil, err
	}
	if stored != "" {
		var s int64
		var n int
		var nowText string
		fmt.Sscanf(stored, "%d %d %s", &s, &n, &nowText)
		if seedSet && s != seed {
			return nil, fmt.Errorf("this database holds the demo partnership of seed %d; use another --db for seed %d", s, seed)
		}
		now, err := time.Parse(time.RFC3339, nowText)
		if err != nil {
			return nil, fmt.Errorf("reading the stored demo seed: %w", err)
		}
		return demo.Generate(demo.Options{Seed: s, Clients: n, Now: now})
	}
	if n, err := a.db.AuditSize(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, fmt.Errorf("this database already holds a partnership that is not the demo; use another --db")
	}
	now := a.env.Now().UTC().Truncate(time.Second)
	p, err := demo.Generate(demo.Options{Seed: seed, Clients: clients, Now: now})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(a.env.Stderr, "accord: seeding the demo partnership (seed %d, %d clients)…\n", seed, len(p.Clients))
	system := accord.Actor{StaffID: "system"}
	err = a.db.Import(ctx, system, "demo.load", func(im *sqlstore.Importer) error {
		if err := p.Load(im, credential.HashPassword, demoTokenTTL); err != nil {
			return err
		}
		return im.SetMeta("demo_seed", fmt.Sprintf("%d %d %s", seed, len(p.Clients), now.Format(time.RFC3339)))
	})
	if err != nil {
		return nil, err
	}
	// Imported legal bases have no review deadline yet: arm them, so that
	// those already overdue escalate to the oversight body once serving.
	if _, err := a.db.ArmReviewDeadlines(ctx); err != nil {
		return nil, err
	}
	if err := a.svc.Sync(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// credentialsFile is what --credentials writes.
type credentialsFile struct {
	Logins    []credentialLogin `json:"logins"`
	Scenarios []demo.Scenario   `json:"scenarios"`
}

type credentialLogin struct {
	Username     string        `json:"username"`
	Password     string        `json:"password"`
	Token        string        `json:"token"`
	TokenVar     string        `json:"token_var"`
	StaffID      string        `json:"staff_id"`
	Organization string        `json:"organization"`
	Roles        []accord.Role `json:"roles"`
	Note         string        `json:"note"`
}

func logins(p *demo.Partnership) []credentialLogin {
	orgs := map[string]string{}
	for _, o := range p.Organizations {
		orgs[o.ID] = o.Name
	}
	var out []credentialLogin
	for _, l := range p.Staff {
		if !l.Active {
			continue
		}
		out = append(out, credentialLogin{Username: l.Username, Password: l.Password, Token: l.Token, TokenVar: demo.TokenVar(l.Username),
			StaffID: l.ID, Organization: orgs[l.OrganizationID], Roles: l.Roles, Note: l.Note})
	}
	return out
}

func writeCredentials(path string, p *demo.Partnership) error {
	b, err := json.MarshalIndent(credentialsFile{Logins: logins(p), Scenarios: p.Scenarios}, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'), 0o600)
}

func printDemo(w io.Writer, url, dsn, keysDir, credFile string, p *demo.Partnership) {
	fmt.Fprintf(w, "\nAccord demo partnership is running at %s\n", url)
	fmt.Fprintf(w, "  In a browser, sign in at %s/signin — for example:\n", url)
	for _, who := range []struct{ user, what string }{
		{"amina.navigator", "clinic navigator: intake, screening, cases, referrals, escalations"},
		{"f.rahimi", "legal aid advocate: receives the clinic's referrals"},
		{"r.mensah", "partnership administrator: organisations, staff, agreements"},
		{"c.achebe", "the ombudsperson's auditor: audit log, complaints"},
	} {
		for _, l := range p.Staff {
			if l.Username == who.user {
				fmt.Fprintf(w, "    %-16s password %-24s %s\n", l.Username, l.Password, who.what)
			}
		}
	}
	fmt.Fprintf(w, "  API description: %s/api/v1/openapi.json\n", url)
	fmt.Fprintf(w, "  database: %s   keys: %s\n", dsn, keysDir)
	if credFile != "" {
		fmt.Fprintf(w, "  logins, tokens and scenarios written to %s\n", credFile)
	}
	fmt.Fprintf(w, "\nDemo logins (synthetic people; every password and token is for this demo only):\n\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ORGANISATION\tUSERNAME\tROLES\tPASSWORD\tAPI TOKEN")
	for _, l := range logins(p) {
		roles := make([]string, len(l.Roles))
		for i, r := range l.Roles {
			roles[i] = string(r)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", l.Organization, l.Username, strings.Join(roles, ","), l.Password, l.Token)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nTry it in a shell:\n\n  export %s=%s\n", demo.BaseURLVar, url)
	for _, l := range logins(p) {
		fmt.Fprintf(w, "  export %s=%s\n", l.TokenVar, l.Token)
	}
	if len(p.Scenarios) > 0 {
		fmt.Fprintf(w, "  CLIENT=%s\n", p.Scenarios[0].ClientID)
	}
	for i, s := range p.Scenarios {
		if i == 4 {
			fmt.Fprintf(w, "\n  … %d more scenarios in the credentials file (--credentials FILE).\n", len(p.Scenarios)-i)
			break
		}
		fmt.Fprintf(w, "\n  # %s\n  # %s\n", s.Name, s.Description)
		for _, step := range s.Steps {
			fmt.Fprintf(w, "  %s\n", step)
		}
	}
	fmt.Fprintf(w, "\nVerify the audit log at any time:  accord audit verify --db %s\n", dsn)
	fmt.Fprintf(w, "Stop with Ctrl-C.\n\n")
}
