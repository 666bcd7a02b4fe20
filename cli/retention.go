package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/sqlstore"
)

func runRetention(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "plan" && args[0] != "purge" {
		fmt.Fprintln(env.Stderr, "Usage: accord retention plan [--db DSN] [--json]\n       accord retention purge [--db DSN]")
		return ErrUsage
	}
	if args[0] == "plan" {
		return runRetentionPlan(ctx, env, args[1:])
	}
	return runRetentionPurge(ctx, env, args[1:])
}

func openRetentionDB(ctx context.Context, env Env, dsn string) (*sqlstore.DB, error) {
	return sqlstore.Open(ctx, dsn, sqlstore.Options{Logger: newLogger(env.Stderr), Now: env.Now})
}

// runRetentionPlan prints the dry run: what a purge would do now, per
// organisation and agreement, then each item with its pseudonymous client
// id, why it is due or what holds it. Nothing personal is printed.
func runRetentionPlan(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "retention plan", "[--db DSN] [--json]")
	dsn := dsnFlag(fs, env, "accord.db")
	asJSON := fs.Bool("json", false, "print the plan as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openRetentionDB(ctx, env, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	plan, err := db.RetentionPlan(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(plan)
	}
	names := map[string]string{}
	orgs, err := db.Organizations(ctx)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "Retention plan at %s: %d items due, %d past retention but held.\n\n", plan.At.Format(time.RFC3339), len(plan.Due), len(plan.Held))
	fmt.Fprintln(w, "ORGANISATION\tAGREEMENT\tDAYS\tERASE CLIENTS\tPURGE HOLDINGS\tHELD\tDATA")
	for _, g := range enforce.GroupRetention(plan) {
		agr := g.AgreementID
		if agr == "" {
			agr = "-"
		} else {
			agr = fmt.Sprintf("%s v%d", agr, g.AgreementVersion)
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t%d\t%s\n", names[g.OrganizationID], agr, g.RetentionDays, g.Erasures, g.Purges, g.Held, countsText(g.Counts))
	}
	w.Flush()
	for _, part := range []struct {
		title string
		items []accord.RetentionItem
	}{{"Due", plan.Due}, {"Held", plan.Held}} {
		if len(part.items) == 0 {
			continue
		}
		fmt.Fprintf(env.Stdout, "\n%s:\n", part.title)
		w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "CLIENT\tORGANISATION\tACTION\tAGREEMENT\tDAYS\tLAST ACTIVITY\tDUE SINCE\tDATA\tHELD BY")
		for _, it := range part.items {
			holds := make([]string, len(it.Holds))
			for i, h := range it.Holds {
				holds[i] = string(h)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s v%d\t%d\t%s\t%s\t%s\t%s\n", it.ClientID, it.OrganizationID, it.Action, it.AgreementID, it.AgreementVersion,
				it.RetentionDays, it.LastActivity.Format("2006-01-02"), it.DueSince.Format("2006-01-02"), countsText(it.Counts), strings.Join(holds, ","))
		}
		w.Flush()
	}
	return nil
}

func countsText(m map[accord.RetentionKind]int) string {
	var parts []string
	for _, k := range accord.RetentionKinds {
		if n := m[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", k, n))
		}
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}

// runRetentionPurge starts a purge run (or resumes the one an earlier
// call or a server left unfinished) and works it here, one client per
// transaction, with progress on standard error.
func runRetentionPurge(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "retention purge", "[--db DSN]")
	dsn := dsnFlag(fs, env, "accord.db")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openRetentionDB(ctx, env, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	run, started, err := db.StartRetentionRun(ctx, accord.Actor{StaffID: "system"})
	if err != nil {
		return err
	}
	if started {
		fmt.Fprintf(env.Stderr, "Started purge run %s: %d items due.\n", run.ID, run.Planned)
	} else {
		fmt.Fprintf(env.Stderr, "Resuming purge run %s started %s: %d of %d items done, %d skipped.\n", run.ID,
			run.StartedAt.Format(time.RFC3339), run.Done, run.Planned, run.Skipped)
	}
	w := enforce.NewRetentionWorker(db)
	w.Lease = 30 * time.Second
	last := time.Now()
	w.Progress = func(p enforce.RetentionProgress) {
		if time.Since(last) >= time.Second || p.Done+p.Skipped == p.Planned {
			last = time.Now()
			fmt.Fprintf(env.Stderr, "  %d/%d done, %d skipped\n", p.Done, p.Planned, p.Skipped)
		}
	}
	done, err := w.Work(ctx)
	if err != nil {
		return err
	}
	if done == nil {
		id, worker, until, err := db.RetentionRunHolder(ctx)
		if err != nil {
			return err
		}
		return fmt.Errorf("purge run %s is being worked by %s until %s; try again then", id, worker, until.Format(time.RFC3339))
	}
	fmt.Fprintf(env.Stdout, "Purge run %s %s: %d items purged, %d skipped (no longer due or held since planned).\n", done.ID, done.Status, done.Done, done.Skipped)
	return nil
}
