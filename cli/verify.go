package cli

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/accord-project/accord/auditlog"
	"github.com/accord-project/accord/sqlstore"
)

func runAuditVerify(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "audit verify", "[--db DSN] [--keys DIR] [--checkpoint FILE]")
	dsn := dsnFlag(fs, env, "accord.db")
	keysDir := fs.String("keys", env.Getenv("ACCORD_KEYS_DIR"), "directory holding log.pub, the log's public key (default: next to the database)")
	checkpoint := fs.String("checkpoint", "", "an earlier signed checkpoint you kept; the log must be consistent with it")
	pubkey := fs.String("key", "", "the log's public verifier key, or a file holding it (default: KEYS/log.pub)")
	requireWitness := fs.String("require-witness", "", "a witness's verifier key file (its witness.pub): fail unless the latest checkpoint carries a valid cosignature by that witness")
	if err := parse(fs, args); err != nil {
		return err
	}
	var witness note.Verifier
	if *requireWitness != "" {
		b, err := os.ReadFile(*requireWitness)
		if err != nil {
			return fmt.Errorf("reading the witness's key: %w", err)
		}
		if witness, err = auditlog.NewCosignatureVerifier(string(b)); err != nil {
			return fmt.Errorf("%s: %w", *requireWitness, err)
		}
	}
	if *keysDir == "" {
		*keysDir = defaultKeysDir(*dsn)
	}
	vkey := *pubkey
	switch {
	case vkey == "":
		b, err := os.ReadFile(*keysDir + "/log.pub")
		if err != nil {
			return fmt.Errorf("reading the log's public key (give --key or --keys): %w", err)
		}
		vkey = strings.TrimSpace(string(b))
	case !strings.Contains(vkey, "+"):
		// A verifier key is name+hash+key: anything else names a file.
		b, err := os.ReadFile(vkey)
		if err != nil {
			return fmt.Errorf("reading the log's public key: %w", err)
		}
		vkey = strings.TrimSpace(string(b))
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return fmt.Errorf("the log's public key: %w", err)
	}
	var external []byte
	if *checkpoint != "" {
		if external, err = os.ReadFile(*checkpoint); err != nil {
			return err
		}
	}
	db, err := sqlstore.Open(ctx, *dsn, sqlstore.Options{Logger: newLogger(env.Stderr), Now: env.Now, NoMigrate: true})
	if err != nil {
		return err
	}
	defer db.Close()

	start := time.Now()
	last := time.Time{}
	progress := func(done, total uint64) {
		if time.Since(last) < 500*time.Millisecond && done < total {
			return
		}
		last = time.Now()
		pct := 100.0
		if total > 0 {
			pct = 100 * float64(done) / float64(total)
		}
		fmt.Fprintf(env.Stderr, "\rverifying %d of %d entries (%.0f%%)…", done, total, pct)
	}
	res, err := db.VerifyAudit(ctx, sqlstore.VerifyOptions{Origin: verifier.Name(), Verifiers: note.VerifierList(verifier), External: external, Progress: progress})
	fmt.Fprintln(env.Stderr)
	if err != nil {
		return err
	}
	for _, c := range res.Checkpoints {
		status := "ok"
		if !c.OK {
			status = "FAILED: " + c.Problem
		}
		kind := "stored checkpoint"
		if c.External {
			kind = "your checkpoint"
		}
		if !c.OK || c.External {
			fmt.Fprintf(env.Stdout, "  %s at size %d: %s\n", kind, c.Size, status)
		}
	}
	if !res.OK {
		where := fmt.Sprintf("entry %d does not match", res.FirstBad)
		if res.FirstBad >= 0 && !res.Exact() {
			where = fmt.Sprintf("the first entry that does not match is between %d and %d", res.FirstBad, res.FirstBadEnd-1)
		} else if res.FirstBad < 0 {
			where = "the log does not verify"
		}
		fmt.Fprintf(env.Stdout, "audit log FAILED: %s: %s\n", where, res.Problem)
		return &ExitError{Code: 1, Err: fmt.Errorf("audit log verification failed")}
	}
	witnessed := ""
	if witness != nil {
		w, err := checkWitnessed(ctx, db, verifier, witness)
		if err != nil {
			fmt.Fprintf(env.Stdout, "audit log FAILED: %v\n", err)
			return &ExitError{Code: 1, Err: fmt.Errorf("the latest checkpoint is not cosigned by witness %s", witness.Name())}
		}
		witnessed = ", " + w
	}
	fmt.Fprintf(env.Stdout, "audit log OK: %d entries, root %s, %d signed checkpoints match%s (%s, %.1fs)\n",
		res.Size, base64.StdEncoding.EncodeToString(res.Root), len(res.Checkpoints), witnessed, verifier.Name(), time.Since(start).Seconds())
	return nil
}

// checkWitnessed checks that the latest stored checkpoint carries a valid
// cosignature by witness, and says when it was made; else it returns an
// error saying which checkpoint the witness last cosigned, if any.
func checkWitnessed(ctx context.Context, db *sqlstore.DB, log, witness note.Verifier) (string, error) {
	latest, err := db.LatestCheckpoint(ctx)
	if err != nil {
		return "", err
	}
	c, _, err := auditlog.Open(latest, log.Name(), note.VerifierList(log))
	if err != nil {
		return "", err
	}
	cs, err := db.Cosignatures(ctx, 0, c.Size)
	if err != nil {
		return "", err
	}
	for _, co := range cs { // newest first
		if co.Witness != witness.Name() {
			continue
		}
		stored, err := db.CheckpointAt(ctx, co.Size)
		if err != nil {
			return "", err
		}
		got, err := auditlog.VerifyCosignatures(sqlstore.WithCosignatures(stored, co.Size, []sqlstore.Cosignature{co}), []note.Verifier{witness})
		if err != nil {
			continue
		}
		if co.Size == c.Size {
			return fmt.Sprintf("the latest cosigned by witness %s at %s", witness.Name(), got[0].Time.Format(time.RFC3339)), nil
		}
		return "", fmt.Errorf("the latest checkpoint (%d entries) is not cosigned by witness %s; the latest it cosigned is of %d entries, at %s",
			c.Size, witness.Name(), co.Size, got[0].Time.Format(time.RFC3339))
	}
	return "", fmt.Errorf("the latest checkpoint (%d entries) is not cosigned by witness %s, nor is any earlier one", c.Size, witness.Name())
}
