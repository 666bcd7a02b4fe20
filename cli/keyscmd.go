package cli

import (
	"context"
	"fmt"

	"github.com/accord-project/accord/sqlstore"
)

func runKeys(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "rotate" {
		fmt.Fprintln(env.Stderr, "Usage: accord keys rotate [--db DSN] [--keys DIR] [--data-keys]")
		return ErrUsage
	}
	fs := flags(env, "keys rotate", "[--db DSN] [--keys DIR] [--data-keys]")
	dsn := dsnFlag(fs, env, "accord.db")
	keysDir := fs.String("keys", env.Getenv("ACCORD_KEYS_DIR"), "directory of keys kept outside the database (default: next to the database)")
	dataKeys := fs.Bool("data-keys", false, "also give every organisation a new data key and re-wrap every client key under it")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *keysDir == "" {
		*keysDir = defaultKeysDir(*dsn)
	}
	if env.Getenv("ACCORD_KEK") != "" {
		return fmt.Errorf("the key-encryption key comes from ACCORD_KEK: rotate it where it is kept, then run this with the new keyring text in ACCORD_KEK holding both versions")
	}
	keys, err := loadKeys(*keysDir, env.Getenv, false, "")
	if err != nil {
		return err
	}
	// 1. Save the keyring with a new version first: a crash after this
	//    leaves both versions available, so nothing becomes unreadable.
	v := keys.Keyring.Rotate()
	if err := writeFileAtomic(keys.Dir+"/kek", keys.Keyring.Marshal(), 0o600); err != nil {
		return err
	}
	db, err := sqlstore.Open(ctx, *dsn, sqlstore.Options{Keyring: keys.Keyring, Logger: newLogger(env.Stderr), Now: env.Now})
	if err != nil {
		return err
	}
	defer db.Close()
	// 2. Re-wrap every organisation key under the new version, in one transaction.
	orgKeys, clientKeys, err := db.RotateKeys(ctx, *dataKeys)
	if err != nil {
		return err
	}
	// 3. Only now retire the old versions.
	keys.Keyring.Retire(v)
	if err := writeFileAtomic(keys.Dir+"/kek", keys.Keyring.Marshal(), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "key-encryption key rotated to version %d; %d organisation keys re-wrapped", v, orgKeys)
	if *dataKeys {
		fmt.Fprintf(env.Stdout, ", %d client keys re-wrapped under new organisation keys", clientKeys)
	}
	fmt.Fprintln(env.Stdout)
	return nil
}
