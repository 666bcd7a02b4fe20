package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/accord-project/accord/internal/servertune"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/accord-project/accord/auditlog"
	"github.com/accord-project/accord/enforce"
	accordhttp "github.com/accord-project/accord/http"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/sqlstore"
)

func runServe(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "serve", "[--addr HOST:PORT] [--db DSN] [--keys DIR] [--witness-keys FILE]")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	dsn := dsnFlag(fs, env, "accord.db")
	keysDir := fs.String("keys", env.Getenv("ACCORD_KEYS_DIR"), "directory of keys kept outside the database (default: next to the database)")
	origin := fs.String("origin", "", "name of a new audit log in its checkpoints (default: generated)")
	witnessKeys := witnessKeysFlag(fs, env)
	retention := fs.Duration("retention-every", 24*time.Hour, "how often a retention purge run starts on its own (0: never; runs started on the page or with accord retention purge are still worked)")
	if err := parse(fs, args); err != nil {
		return err
	}
	warnPassword(env, *dsn)
	witnesses, err := readWitnessKeys(*witnessKeys)
	if err != nil {
		return err
	}
	app, err := open(ctx, env, *dsn, *keysDir, *origin)
	if err != nil {
		return err
	}
	defer app.Close()
	app.witnesses = witnesses
	app.retentionEvery = *retention
	return app.serve(ctx, *addr, nil)
}

func witnessKeysFlag(fs *flag.FlagSet, env Env) *string {
	return fs.String("witness-keys", env.Getenv("ACCORD_WITNESS_KEYS"),
		"a file of witness verifier keys, one a line: the witnesses whose cosignatures of checkpoints the server takes (env ACCORD_WITNESS_KEYS)")
}

// readWitnessKeys reads the file of trusted witness keys; none when path
// is empty.
func readWitnessKeys(path string) ([]note.Verifier, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the witness keys: %w", err)
	}
	vs, err := auditlog.ParseWitnessVerifiers(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return vs, nil
}

// warnPassword warns when a database password was given on the command line,
// where other users of the machine can read it.
func warnPassword(env Env, dsn string) {
	if u, err := url.Parse(dsn); err == nil && sqlstore.IsPostgresDSN(dsn) && u.User != nil {
		if _, ok := u.User.Password(); ok {
			fmt.Fprintln(env.Stderr, "accord: warning: the database URL holds a password; prefer ACCORD_DB, PGPASSWORD or ~/.pgpass")
		}
	}
}

// app is an open database with its keys and services.
type app struct {
	env  Env
	db   *sqlstore.DB
	keys *Keys
	svc  *enforce.Service
	// witnesses are the witnesses whose cosignatures the server takes.
	witnesses []note.Verifier
	// retentionEvery is how often the runner starts a purge run itself.
	retentionEvery time.Duration
}

// open opens the database (migrating it) and its keys, creating missing
// keys on first start, and loads the decision point.
func open(ctx context.Context, env Env, dsn, keysDir, origin string) (*app, error) {
	if keysDir == "" {
		keysDir = defaultKeysDir(dsn)
	}
	keys, err := loadKeys(keysDir, env.Getenv, true, origin)
	if err != nil {
		return nil, err
	}
	logger := newLogger(env.Stderr)
	// ACCORD_PRIVACY_BUDGET caps the epsilon the partnership's published
	// releases may spend in all (differential privacy); unset: no cap.
	var budget float64
	if v := env.Getenv("ACCORD_PRIVACY_BUDGET"); v != "" {
		b, err := strconv.ParseFloat(v, 64)
		if err != nil || !(b > 0) || math.IsInf(b, 0) {
			return nil, fmt.Errorf("ACCORD_PRIVACY_BUDGET: %q is not a positive number", v)
		}
		budget = b
	}
	db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Keyring: keys.Keyring, Logger: logger, Now: env.Now, Email: env.Getenv("ACCORD_SMTP_ADDR") != ""})
	if err != nil {
		return nil, err
	}
	svc, err := enforce.New(ctx, enforce.Config{DB: db, Logger: logger, Now: env.Now,
		Receipts: enforce.NewReceiptSigner(keys.Receipt, "", ""), PrivacyBudget: budget})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &app{env: env, db: db, keys: keys, svc: svc}, nil
}

func (a *app) Close() error { return a.db.Close() }

// serve listens on addr and serves until ctx ends, then shuts down
// gracefully: in-flight requests finish, a final checkpoint is signed.
// announce, when set, is called with the URL once listening.
func (a *app) serve(ctx context.Context, addr string, announce func(url string)) error {
	logger := newLogger(a.env.Stderr)
	gcPercent, memLimit := servertune.Apply(a.env.Getenv)
	logger.Info("garbage collector", "gogc", gcPercent, "gomemlimit", memLimit)
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	srv := accordhttp.New(accordhttp.Config{Service: a.svc, DB: a.db, Catalogue: cat, Logger: logger, Now: a.env.Now, Version: Version(),
		AuditVerifier: a.keys.Verifier, Witnesses: a.witnesses})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	url := "http://" + ln.Addr().String()
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go a.background(ctx)
	runner := &enforce.Runner{DB: a.db, Catalogue: cat, Logger: logger, PublicURL: a.env.Getenv("ACCORD_PUBLIC_URL"),
		RetentionEvery: a.retentionEvery}
	if runner.PublicURL == "" {
		runner.PublicURL = url
	}
	if addr := a.env.Getenv("ACCORD_SMTP_ADDR"); addr != "" {
		// Credentials come from the environment, never from flags.
		runner.Mailer = &enforce.SMTPMailer{Addr: addr, From: a.env.Getenv("ACCORD_SMTP_FROM"),
			Username: a.env.Getenv("ACCORD_SMTP_USERNAME"), Password: a.env.Getenv("ACCORD_SMTP_PASSWORD")}
	}
	// Client portal sign-in codes go out by e-mail through the same SMTP
	// server; no text-message provider is built in.
	srv.SetPortalSender(&enforce.PortalMessages{Mailer: runner.Mailer, Catalogue: cat, SignInURL: strings.TrimRight(runner.PublicURL, "/") + "/my/signin"})
	runnerDone := make(chan struct{})
	go func() {
		defer close(runnerDone)
		runner.Run(ctx)
	}()
	defer func() { cancel(); <-runnerDone }()

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	logger.Info("listening", "url", url, "engine", a.db.Engine(), "audit_origin", a.keys.Origin)
	if announce != nil {
		announce(url)
	}
	if a.env.Ready != nil {
		a.env.Ready(url)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, done := context.WithTimeout(context.Background(), 15*time.Second)
	defer done()
	err = hs.Shutdown(shutdown)
	if _, cerr := a.db.SignCheckpoint(shutdown, a.keys.Origin, a.keys.Signer); cerr != nil {
		logger.Error("final checkpoint", "err", cerr)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	logger.Info("stopped")
	return err
}

// background runs the server's periodic work until ctx ends: signing
// checkpoints, keeping the decision point in step with other servers, and
// recording agreements that have passed their sunset date.
func (a *app) background(ctx context.Context) {
	logger := newLogger(a.env.Stderr)
	checkpoint := time.NewTicker(2 * time.Second)
	sync := time.NewTicker(time.Second)
	expire := time.NewTicker(time.Minute)
	defer checkpoint.Stop()
	defer sync.Stop()
	defer expire.Stop()
	if n, err := a.db.ExpireAgreements(ctx); err != nil {
		logger.Error("expiring agreements", "err", err)
	} else if n > 0 {
		logger.Info("agreements expired", "count", n)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-checkpoint.C:
			if _, err := a.db.SignCheckpoint(ctx, a.keys.Origin, a.keys.Signer); err != nil && ctx.Err() == nil {
				logger.Error("signing checkpoint", "err", err)
			}
		case <-sync.C:
			if err := a.svc.Sync(ctx); err != nil && ctx.Err() == nil {
				logger.Error("syncing decision point", "err", err)
			}
		case <-expire.C:
			if _, err := a.db.ExpireAgreements(ctx); err != nil && ctx.Err() == nil {
				logger.Error("expiring agreements", "err", err)
			}
		}
	}
}

func runMigrate(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "migrate", "[--db DSN]")
	dsn := dsnFlag(fs, env, "accord.db")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := sqlstore.Open(ctx, *dsn, sqlstore.Options{Logger: newLogger(env.Stderr), Now: env.Now})
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "migrations applied")
	return db.Close()
}
