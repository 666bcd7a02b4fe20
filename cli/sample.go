package cli

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/sqlstore"
)

// ErrUntied is returned when a consent-compliance sample
// holds a disclosure that cannot be tied to what permitted it (exit status 1).
var ErrUntied = errors.New("some sampled disclosures are not tied to an agreement and consent or a legal basis")

// runAuditSample draws a consent-compliance sample from the database: n
// disclosures of the period at random, reproducibly from the seed and the
// log size, each checked against the agreement and consent or legal basis
// its audit entry names. The run is recorded in the audit log as the
// system's.
func runAuditSample(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "audit sample", "[--n 50] [--seed N] [--from DATE] [--to DATE] [--size N] [--json] [--db DSN]")
	dsn := dsnFlag(fs, env, "accord.db")
	n := fs.Int("n", 50, "how many disclosures to sample (1 to 1000)")
	seed := fs.Uint64("seed", 0, "seed of the sample (default: a random one, printed)")
	from := fs.String("from", "", "start of the period, a date (2026-11-01) or RFC 3339 time (default: 30 days ago)")
	to := fs.String("to", "", "end of the period, a date (included) or RFC 3339 time (excluded) (default: today)")
	size := fs.Uint64("size", 0, "sample from the first N entries of the log, to draw an earlier sample again (default: all)")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if err := parse(fs, args); err != nil {
		return err
	}
	seedSet := false
	fs.Visit(func(f *flag.Flag) { seedSet = seedSet || f.Name == "seed" })
	if !seedSet {
		var b [4]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		*seed = uint64(binary.BigEndian.Uint32(b[:]) % 1_000_000)
	}
	req, err := sampleRequest(env.Now(), *n, *seed, *from, *to, *size)
	if err != nil {
		return err
	}
	db, err := sqlstore.Open(ctx, *dsn, sqlstore.Options{Logger: newLogger(env.Stderr), Now: env.Now, NoMigrate: true})
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := enforce.New(ctx, enforce.Config{DB: db, Now: env.Now, Logger: newLogger(env.Stderr)})
	if err != nil {
		return err
	}
	cs, err := svc.SystemComplianceSample(ctx, req)
	if e := accord.AsError(err); e != nil && e.Code == accord.EINVALID {
		return fmt.Errorf("--%s: %s", e.Field, e.Message())
	}
	if err != nil {
		return err
	}
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	if *asJSON {
		err = writeSampleJSON(env.Stdout, cat.Printer(cat.Match("en")), cs)
	} else {
		err = writeSampleTable(env.Stdout, cat.Printer(cat.Match("en")), cs)
	}
	if err != nil {
		return err
	}
	if cs.Untied > 0 {
		return &ExitError{Code: 1, Err: ErrUntied}
	}
	return nil
}

// sampleRequest reads the flags: dates are whole days, to included.
func sampleRequest(now time.Time, n int, seed uint64, from, to string, size uint64) (sqlstore.SampleRequest, error) {
	day := now.UTC().Truncate(24 * time.Hour)
	r := sqlstore.SampleRequest{N: n, Seed: seed, Size: size, From: day.AddDate(0, 0, -30), To: day.AddDate(0, 0, 1)}
	for _, f := range []struct {
		name, text string
		dst        *time.Time
		end        bool
	}{{"from", from, &r.From, false}, {"to", to, &r.To, true}} {
		if f.text == "" {
			continue
		}
		if t, err := time.Parse(time.DateOnly, f.text); err == nil {
			if f.end {
				t = t.AddDate(0, 0, 1)
			}
			*f.dst = t
		} else if t, err := time.Parse(time.RFC3339, f.text); err == nil {
			*f.dst = t.UTC()
		} else {
			return r, fmt.Errorf("--%s: %q is not a date (2026-11-22) or an RFC 3339 time", f.name, f.text)
		}
	}
	return r, nil
}

func writeSampleTable(w io.Writer, p *i18n.Printer, cs *enforce.ComplianceSample) error {
	fmt.Fprintf(w, "Consent-compliance sample: seed %d, log size %d, period %s to %s\n", cs.Seed, cs.Size,
		cs.From.Format(time.RFC3339), cs.To.Format(time.RFC3339))
	fmt.Fprintf(w, "Disclosures in the period: %d; sampled: %d; tied: %d; not tied: %d; client erased since: %d\n\n",
		cs.Population, len(cs.Items), cs.Tied, cs.Untied, cs.Erased)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENTRY\tTIME\tHOLDER → RECIPIENT\tCATEGORY\tPURPOSE\tPERMITTED BY\tTIED")
	for _, it := range cs.Items {
		e := it.Entry
		by := string(e.Reason)
		switch {
		case e.AgreementID != "" && e.Provision != nil:
			by = fmt.Sprintf("%s v%d + %s #%d", e.AgreementID, e.AgreementVersion, e.ConsentID, *e.Provision+1)
		case e.LegalBasisID != "":
			by = e.LegalBasisID
			if it.Basis != nil {
				by = fmt.Sprintf("%s %s (review: %s)", it.Basis.Kind, e.LegalBasisID, it.Basis.ReviewStatus)
			}
		}
		tied := "yes"
		switch {
		case it.Tie.Basis == accord.TieErased:
			tied = "erased"
		case it.Tie.Untied():
			tied = "NOT TIED"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s → %s\t%s\t%s\t%s\t%s\n", e.Index, e.Time.Format(time.RFC3339), cs.Names[e.HolderID], cs.Names[e.ActorOrganizationID],
			e.Category, e.Purpose, by, tied)
		for i, m := range it.Problems {
			fmt.Fprintf(tw, "\t\t  ! %s: %s\t\t\t\t\n", it.Tie.Problems[i], p.Render(m))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if cs.Untied > 0 {
		fmt.Fprintf(w, "\nNOT TIED: %d sampled disclosures cannot be tied to what permitted them. Investigate them now.\n", cs.Untied)
	} else if len(cs.Items) > 0 {
		fmt.Fprintln(w, "\nEvery sampled disclosure is tied to what permitted it.")
	}
	fmt.Fprintf(w, "Draw it again with: accord audit sample --n %d --seed %d --from %s --to %s --size %d\n",
		cs.Sample, cs.Seed, cs.From.Format(time.RFC3339), cs.To.Format(time.RFC3339), cs.Size)
	return nil
}

type sampleLineJSON struct {
	Index    int64             `json:"index"`
	Entry    accord.AuditEntry `json:"entry"`
	TiedTo   accord.TieBasis   `json:"tied_to"`
	Tied     bool              `json:"tied"`
	Problems []string          `json:"problems"`
}

func writeSampleJSON(w io.Writer, p *i18n.Printer, cs *enforce.ComplianceSample) error {
	out := struct {
		Seed        uint64           `json:"seed"`
		Size        uint64           `json:"size"`
		N           int              `json:"n"`
		From        time.Time        `json:"from"`
		To          time.Time        `json:"to"`
		Population  int              `json:"population"`
		Tied        int              `json:"tied"`
		Untied      int              `json:"untied"`
		Erased      int              `json:"erased"`
		Disclosures []sampleLineJSON `json:"disclosures"`
	}{cs.Seed, cs.Size, cs.Sample, cs.From, cs.To, cs.Population, cs.Tied, cs.Untied, cs.Erased, []sampleLineJSON{}}
	for _, it := range cs.Items {
		l := sampleLineJSON{Index: it.Entry.Index, Entry: it.Entry, TiedTo: it.Tie.Basis, Tied: it.Tie.Tied(), Problems: []string{}}
		for i, m := range it.Problems {
			l.Problems = append(l.Problems, string(it.Tie.Problems[i])+": "+p.Render(m))
		}
		out.Disclosures = append(out.Disclosures, l)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
