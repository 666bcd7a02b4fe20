package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/accord-project/accord/auditlog"
	"github.com/accord-project/accord/sealing"
	"github.com/accord-project/accord/sqlstore"
)

// Keys are the secrets Accord keeps outside its database, in a directory
// (mode 0700) or the environment:
//
//	kek           ACCORD_KEK          key-encryption keys (sealing.Keyring text form)
//	log.key       ACCORD_LOG_KEY      the audit log's checkpoint signing key (note signer key)
//	log.pub       -                   its public verifier key, to hand to witnesses and auditors
//	receipt.key   ACCORD_RECEIPT_KEY  Ed25519 seed (base64) signing consent receipts
//
// Missing files are created on first start. Losing the directory means
// losing every sealed field: back it up apart from the database.
type Keys struct {
	Dir      string
	Keyring  *sealing.Keyring
	Signer   note.Signer
	Verifier note.Verifier
	Origin   string
	Receipt  ed25519.PrivateKey
}

// defaultKeysDir returns the keys directory next to a SQLite database
// ("accord.db" → "accord.db.keys"), or "accord-keys" for PostgreSQL.
func defaultKeysDir(dsn string) string {
	if sqlstore.IsPostgresDSN(dsn) {
		return "accord-keys"
	}
	path := strings.TrimPrefix(dsn, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return path + ".keys"
}

// loadKeys reads the keys, creating missing ones when create is set (first
// start). origin names a new audit log; it is ignored when the log key exists.
func loadKeys(dir string, getenv func(string) string, create bool, origin string) (*Keys, error) {
	k := &Keys{Dir: dir}
	if create {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("creating keys directory: %w", err)
		}
	}

	kekText, err := secret(dir, "kek", "ACCORD_KEK", getenv, create, func() ([]byte, error) {
		return sealing.GenerateKeyring().Marshal(), nil
	})
	if err != nil {
		return nil, err
	}
	if k.Keyring, err = sealing.ParseKeyring(kekText); err != nil {
		return nil, err
	}

	logKey, err := secret(dir, "log.key", "ACCORD_LOG_KEY", getenv, create, func() ([]byte, error) {
		if origin == "" {
			var b [6]byte
			rand.Read(b[:])
			origin = "accord.local/audit/" + hex.EncodeToString(b[:])
		}
		skey, vkey, err := auditlog.GenerateKey(origin)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "log.pub"), []byte(vkey+"\n"), 0o644); err != nil {
			return nil, err
		}
		return []byte(skey + "\n"), nil
	})
	if err != nil {
		return nil, err
	}
	if k.Signer, err = note.NewSigner(strings.TrimSpace(string(logKey))); err != nil {
		return nil, fmt.Errorf("audit log signing key: %w", err)
	}
	k.Origin = k.Signer.Name()
	if vkey, err := os.ReadFile(filepath.Join(dir, "log.pub")); err == nil {
		if k.Verifier, err = note.NewVerifier(strings.TrimSpace(string(vkey))); err != nil {
			return nil, fmt.Errorf("audit log verifier key: %w", err)
		}
	}

	seed, err := secret(dir, "receipt.key", "ACCORD_RECEIPT_KEY", getenv, create, func() ([]byte, error) {
		s := make([]byte, ed25519.SeedSize)
		rand.Read(s)
		return []byte(base64.StdEncoding.EncodeToString(s) + "\n"), nil
	})
	if err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(seed)))
	if err != nil || len(raw) != ed25519.SeedSize {
		return nil, errors.New("receipt signing key: want a base64 Ed25519 seed of 32 bytes")
	}
	k.Receipt = ed25519.NewKeyFromSeed(raw)
	return k, nil
}

// secret returns a secret from the environment variable env, else from
// dir/name, else (when create) generates and saves it with mode 0600.
func secret(dir, name, env string, getenv func(string) string, create bool, gen func() ([]byte, error)) ([]byte, error) {
	if v := getenv(env); v != "" {
		return []byte(v), nil
	}
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	if err == nil {
		return b, nil
	}
	if !errors.Is(err, fs.ErrNotExist) || !create {
		return nil, fmt.Errorf("reading %s (or set %s): %w", path, env, err)
	}
	if b, err = gen(); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(path, b, 0o600); err != nil {
		return nil, err
	}
	return b, nil
}

// writeFileAtomic writes a file by renaming a synced temporary file over
// it, so a crash leaves the old or the new contents, never a mix.
func writeFileAtomic(path string, data []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
