// Package cli is the accord command: one file per subcommand. main calls
// Run; tests call it too, in-process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"time"
)

// Env is what a command may use of the world outside it.
type Env struct {
	Args   []string // without the program name
	Getenv func(string) string
	Stdout io.Writer
	Stderr io.Writer
	// Now is the clock (tests set it); nil means time.Now.
	Now func() time.Time
	// Ready, when set, receives the URL once a server is listening.
	Ready func(url string)
}

// ExitError carries an exit status other than 1.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// ErrUsage is returned after usage has been printed.
var ErrUsage = &ExitError{Code: 2, Err: errors.New("usage")}

const usage = `accord — the shared system of a health, legal and social partnership

Usage:
  accord serve   [--addr HOST:PORT] [--db DSN] [--keys DIR] [--witness-keys FILE]
                                                           run the server
  accord demo    [--addr HOST:PORT] [--db PATH] [--credentials FILE] [--seed N]
                                                           seed and serve a demo partnership
  accord migrate [--db DSN]                                 apply database migrations
  accord audit verify [--db DSN] [--checkpoint FILE] [--require-witness FILE]
                                                           recompute and check the audit log
  accord audit checkpoint [--db DSN]                        sign and print the latest checkpoint
  accord audit prove --index N [--size M] [--db DSN]        print an inclusion proof
  accord audit sample [--n 50] [--seed N] [--from D] [--to D] [--size M] [--json] [--db DSN]
                                                           consent-compliance audit: check a random sample of disclosures
  accord witness init --state DIR --name NAME --log-key FILE
                                                           create a witness of a server's audit log
  accord witness --server URL --state DIR [--once | --interval D]
                                                           check and cosign the log's checkpoints
                                                           (token in ACCORD_TOKEN or --token-file;
                                                           exit status 3 when it refuses one)
  accord report build --period 2026-Q3 --out DIR [--db DSN] [--profile standard|round5|dp [--epsilon E]] [--lang en,es,fr,ar]
                                                           write a quarter's indicator report (JSON, CSV, HTML)
  accord retention plan [--db DSN] [--json]                 what a purge would do now (a dry run)
  accord retention purge [--db DSN]                         purge what is past retention (resumes an
                                                           interrupted run)
  accord keys rotate [--db DSN] [--data-keys]               rotate the key-encryption key
  accord version

DSN is a SQLite file path (default accord.db) or a postgres:// URL; it may
also come from ACCORD_DB. Keep database passwords in PGPASSWORD or
~/.pgpass, not on the command line.
`

// Run runs the accord command.
func Run(ctx context.Context, env Env) (err error) {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if len(env.Args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return ErrUsage
	}
	cmd, args := env.Args[0], env.Args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, env, args)
	case "demo":
		return runDemo(ctx, env, args)
	case "migrate":
		return runMigrate(ctx, env, args)
	case "audit":
		return runAudit(ctx, env, args)
	case "keys":
		return runKeys(ctx, env, args)
	case "witness":
		return runWitness(ctx, env, args)
	case "report":
		return runReport(ctx, env, args)
	case "retention":
		return runRetention(ctx, env, args)
	case "version", "--version":
		fmt.Fprintln(env.Stdout, "accord", Version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return nil
	default:
		fmt.Fprintf(env.Stderr, "accord: unknown command %q\n\n%s", cmd, usage)
		return ErrUsage
	}
}

// Version returns the module version and VCS revision the binary was built from.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}

// flags returns a flag set that reports errors to env.Stderr.
func flags(env Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("accord "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: accord %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, turning -h and bad flags into ErrUsage and refusing
// stray arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return &ExitError{Code: 0, Err: err}
		}
		return ErrUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return ErrUsage
	}
	return nil
}

func dsnFlag(fs *flag.FlagSet, env Env, def string) *string {
	if v := env.Getenv("ACCORD_DB"); v != "" {
		def = v
	}
	return fs.String("db", def, "SQLite file path or postgres:// URL (env ACCORD_DB)")
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
