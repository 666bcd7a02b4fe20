package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	accordhttp "github.com/accord-project/accord/http"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/sqlstore"
)

func runReport(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "build" {
		fmt.Fprintln(env.Stderr, "Usage: accord report build --period 2026-Q3 --out DIR [--db DSN] [--profile standard|round5|dp [--epsilon E]] [--lang en,es,fr,ar]")
		return ErrUsage
	}
	return runReportBuild(ctx, env, args[1:])
}

// runReportBuild writes a quarter's report into a directory: the release
// (release.json, as it would be published), its figures (release.csv) and
// the public report page in each language asked for (report-LANG.html,
// standalone with its stylesheet). A published quarter is written as it
// was published; any other is built from the records as they are now and
// says it is a preview.
func runReportBuild(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "report build", "--period 2026-Q3 --out DIR [--db DSN] [--profile standard|round5|dp [--epsilon E]] [--lang en,es,fr,ar]")
	dsn := dsnFlag(fs, env, "accord.db")
	periodText := fs.String("period", "", "the quarter, such as 2026-Q3 (default: the last full quarter)")
	out := fs.String("out", "", "directory to write release.json, release.csv and report-LANG.html into (created if missing)")
	profile := fs.String("profile", "standard", "disclosure control: standard (counts 1 to 10 hidden), round5 (also rounded to 5) or dp (differential privacy: noise added, then counts 1 to 10 hidden)")
	epsilon := fs.Float64("epsilon", 0, "the privacy budget of a dp release, from 0.1 to 20: smaller adds more noise and protects more")
	langs := fs.String("lang", "en,es,fr,ar", "languages of the report pages, comma-separated")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(env.Stderr, "accord report build: --out is required")
		fs.Usage()
		return ErrUsage
	}
	period := accord.PeriodOf(env.Now()).Prev()
	if *periodText != "" {
		p, err := accord.ParsePeriod(*periodText)
		if err != nil {
			return fmt.Errorf("--period: %q is not a quarter such as 2026-Q3", *periodText)
		}
		period = p
	}
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	tags, err := reportLanguages(*langs)
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

	rep, err := svc.PublicReport(ctx, period)
	published := err == nil
	var content []byte
	switch {
	case published:
		if rep.Release.Profile.Name != *profile {
			fmt.Fprintf(env.Stderr, "accord: %s was published with the %s profile; writing it as published\n", period, rep.Release.Profile.Name)
		}
		content = rep.Published.Content
	case accord.ErrorCode(err) == accord.ENOTFOUND:
		rep, err = svc.BuildRelease(ctx, period, enforce.ReleaseOptions{Profile: *profile, Epsilon: *epsilon}, progressBar(env, "reading facts"))
		if err != nil {
			if e := accord.AsError(err); e != nil && e.Code == accord.EINVALID {
				return fmt.Errorf("--%s: %s", e.Field, e.Message())
			}
			return err
		}
		if content, err = json.Marshal(rep.Release); err != nil {
			return err
		}
	default:
		return err
	}

	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	files := []string{"release.json", "release.csv"}
	if err := writeFileAtomic(filepath.Join(*out, "release.json"), append(content, '\n'), 0o644); err != nil {
		return err
	}
	var csv bytes.Buffer
	named := rep.NamedRelease()
	if err := named.WriteCSV(&csv); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(*out, "release.csv"), csv.Bytes(), 0o644); err != nil {
		return err
	}
	for _, lang := range tags {
		var page bytes.Buffer
		if err := accordhttp.WriteReport(&page, cat, svc, rep, accordhttp.ReportOptions{Lang: lang, Now: env.Now()}); err != nil {
			return err
		}
		name := "report-" + lang + ".html"
		if err := writeFileAtomic(filepath.Join(*out, name), page.Bytes(), 0o644); err != nil {
			return err
		}
		files = append(files, name)
	}

	state := "preview, not published"
	if published {
		state = "published " + rep.Published.PublishedAt.UTC().Format(time.DateOnly) + ", sha256 " + rep.Published.SHA256
	}
	prof := rep.Release.Profile.Name + " profile"
	if rep.Release.Profile.Private() {
		prof += fmt.Sprintf(", epsilon %g over %d noisy tables", rep.Release.Profile.Epsilon, rep.Release.NoisyTables)
	}
	fmt.Fprintf(env.Stdout, "report for %s (%s; %s): %d indicators, %d below target", period, prof, state,
		len(rep.Release.Indicators), len(rep.Release.Missed()))
	if len(rep.Missing) > 0 {
		ids := make([]string, len(rep.Missing))
		for i, m := range rep.Missing {
			ids[i] = m.ID
		}
		fmt.Fprintf(env.Stdout, ", without an action plan: %s", strings.Join(ids, ", "))
	}
	fmt.Fprintf(env.Stdout, "\nwrote %s in %s\n", strings.Join(files, ", "), *out)
	return nil
}

// reportLanguages reads --lang: supported languages only.
func reportLanguages(list string) ([]string, error) {
	var supported, out []string
	for _, t := range i18n.Supported {
		supported = append(supported, t.String())
	}
	for _, l := range strings.Split(list, ",") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if !slices.Contains(supported, l) {
			return nil, fmt.Errorf("--lang: %q is not one of %s", l, strings.Join(supported, ", "))
		}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--lang: name at least one of %s", strings.Join(supported, ", "))
	}
	return out, nil
}

// progressBar draws a progress bar on stderr, at most ten times a second,
// and ends its line when done.
func progressBar(env Env, what string) func(enforce.FactProgress) {
	const width = 30
	var last time.Time
	return func(p enforce.FactProgress) {
		if p.Done < 1 && time.Since(last) < 100*time.Millisecond {
			return
		}
		last = time.Now()
		filled := int(p.Done * width)
		fmt.Fprintf(env.Stderr, "\r%s [%s%s] %3.0f%%  %d read", what, strings.Repeat("#", filled), strings.Repeat(".", width-filled), 100*p.Done, p.Facts)
		if p.Done >= 1 {
			fmt.Fprintln(env.Stderr)
		}
	}
}
