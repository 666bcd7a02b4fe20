package cli

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/accord-project/accord/sqlstore"
)

func runAudit(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, "Usage: accord audit verify|checkpoint|prove|sample [flags]")
		return ErrUsage
	}
	switch args[0] {
	case "verify":
		return runAuditVerify(ctx, env, args[1:])
	case "checkpoint":
		return runAuditCheckpoint(ctx, env, args[1:])
	case "prove":
		return runAuditProve(ctx, env, args[1:])
	case "sample":
		return runAuditSample(ctx, env, args[1:])
	}
	fmt.Fprintf(env.Stderr, "accord audit: unknown command %q; want verify, checkpoint, prove or sample\n", args[0])
	return ErrUsage
}

func runAuditCheckpoint(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "audit checkpoint", "[--db DSN] [--keys DIR]")
	dsn := dsnFlag(fs, env, "accord.db")
	keysDir := fs.String("keys", env.Getenv("ACCORD_KEYS_DIR"), "directory of keys kept outside the database (default: next to the database)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *keysDir == "" {
		*keysDir = defaultKeysDir(*dsn)
	}
	keys, err := loadKeys(*keysDir, env.Getenv, false, "")
	if err != nil {
		return err
	}
	db, err := sqlstore.Open(ctx, *dsn, sqlstore.Options{Keyring: keys.Keyring, Logger: newLogger(env.Stderr), Now: env.Now, NoMigrate: true})
	if err != nil {
		return err
	}
	defer db.Close()
	note, err := db.SignCheckpoint(ctx, keys.Origin, keys.Signer)
	if err != nil {
		return err
	}
	_, err = env.Stdout.Write(note)
	return err
}

func runAuditProve(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "audit prove", "--index N [--size M] [--db DSN]")
	dsn := dsnFlag(fs, env, "accord.db")
	index := fs.Int64("index", -1, "index of the entry to prove")
	size := fs.Int64("size", 0, "tree size to prove against (default: the current size)")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := sqlstore.Open(ctx, *dsn, sqlstore.Options{Logger: newLogger(env.Stderr), Now: env.Now, NoMigrate: true})
	if err != nil {
		return err
	}
	defer db.Close()
	if *size == 0 {
		n, err := db.AuditSize(ctx)
		if err != nil {
			return err
		}
		*size = int64(n)
	}
	if *index < 0 || *index >= *size {
		return fmt.Errorf("--index must be from 0 to %d", *size-1)
	}
	proof, err := db.InclusionProof(ctx, uint64(*index), uint64(*size))
	if err != nil {
		return err
	}
	leaf, err := db.AuditLeaf(ctx, *index)
	if err != nil {
		return err
	}
	root, err := db.RootAt(ctx, uint64(*size))
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "entry %d of %d\nleaf %s\nroot %s\n", *index, *size, leaf, base64.StdEncoding.EncodeToString(root))
	for _, h := range proof {
		fmt.Fprintln(env.Stdout, base64.StdEncoding.EncodeToString(h))
	}
	return nil
}
