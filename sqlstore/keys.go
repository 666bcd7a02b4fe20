package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sealing"
)

// keyCache holds unwrapped organisation keys; there are few and they are
// used on every sealed read.
type keyCache struct {
	mu    sync.Mutex
	orgs  map[string][]byte // "org_…/v1" → key
	match []byte            // the duplicate-matching index key
}

func orgKeyAAD(orgID string, version int) string {
	return fmt.Sprintf("accord/org-key/%s/v%d", orgID, version)
}

func clientKeyAAD(clientID, orgID string) string {
	return "accord/client-key/" + clientID + "/" + orgID
}

func (db *DB) requireKeyring() error {
	if db.keyring == nil {
		return errors.New("no key-encryption key is configured")
	}
	return nil
}

func (db *DB) createOrgKey(ctx context.Context, tx *Tx, orgID string, version int) error {
	if err := db.requireKeyring(); err != nil {
		return err
	}
	wrapped, kekVersion, err := db.keyring.Wrap(sealing.NewKey(), orgKeyAAD(orgID, version))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO org_keys (organization_id, version, wrapped, kek_version, created_at) VALUES ($1, $2, $3, $4, $5)`,
		orgID, version, wrapped, kekVersion, us(tx.now))
	return err
}

// orgKey returns an organisation's data key of the given version, or of the
// newest version when version is 0, with the version.
func (db *DB) orgKey(ctx context.Context, q querier, orgID string, version int) ([]byte, int, error) {
	if err := db.requireKeyring(); err != nil {
		return nil, 0, err
	}
	var wrapped []byte
	var kekVersion int
	var err error
	if version == 0 {
		err = q.QueryRowContext(ctx, `SELECT version, wrapped, kek_version FROM org_keys WHERE organization_id = $1 ORDER BY version DESC LIMIT 1`, orgID).Scan(&version, &wrapped, &kekVersion)
	} else {
		name := fmt.Sprintf("%s/v%d", orgID, version)
		db.keys.mu.Lock()
		k, ok := db.keys.orgs[name]
		db.keys.mu.Unlock()
		if ok {
			return k, version, nil
		}
		err = q.QueryRowContext(ctx, `SELECT wrapped, kek_version FROM org_keys WHERE organization_id = $1 AND version = $2`, orgID, version).Scan(&wrapped, &kekVersion)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("organisation key %s v%d: %w", orgID, version, err)
	}
	key, err := db.keyring.Unwrap(wrapped, kekVersion, orgKeyAAD(orgID, version))
	if err != nil {
		return nil, 0, fmt.Errorf("organisation key %s v%d: %w", orgID, version, err)
	}
	db.keys.mu.Lock()
	if db.keys.orgs == nil {
		db.keys.orgs = map[string][]byte{}
	}
	db.keys.orgs[fmt.Sprintf("%s/v%d", orgID, version)] = key
	db.keys.mu.Unlock()
	return key, version, nil
}

// clientKey returns the key sealing one client's data held by one
// organisation, creating it when create is set. Without create, a missing
// key (the client was erased) is ENOTFOUND.
func (db *DB) clientKey(ctx context.Context, q querier, clientID, orgID string, create bool) ([]byte, error) {
	var wrapped []byte
	var orgVersion int
	err := q.QueryRowContext(ctx, `SELECT wrapped, org_key_version FROM client_keys WHERE client_id = $1 AND organization_id = $2`, clientID, orgID).Scan(&wrapped, &orgVersion)
	if errors.Is(err, sql.ErrNoRows) {
		if !create {
			return nil, accord.Errorf(accord.ENOTFOUND, "client not found")
		}
		okey, v, err := db.orgKey(ctx, q, orgID, 0)
		if err != nil {
			return nil, err
		}
		key := sealing.NewKey()
		w, err := sealing.Seal(okey, key, []byte(clientKeyAAD(clientID, orgID)))
		if err != nil {
			return nil, err
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO client_keys (client_id, organization_id, wrapped, org_key_version) VALUES ($1, $2, $3, $4)`, clientID, orgID, w, v); err != nil {
			return nil, err
		}
		return key, nil
	}
	if err != nil {
		return nil, err
	}
	okey, _, err := db.orgKey(ctx, q, orgID, orgVersion)
	if err != nil {
		return nil, err
	}
	return sealing.Open(okey, wrapped, []byte(clientKeyAAD(clientID, orgID)))
}

// RotateKeys re-wraps every organisation key under the keyring's current
// KEK version (call it after ring.Rotate() has been saved). With dataKeys,
// it also gives every organisation a new data key version and re-wraps every
// client key under it. It returns how many keys were re-wrapped.
func (db *DB) RotateKeys(ctx context.Context, dataKeys bool) (orgKeys, clientKeys int, err error) {
	defer accord.Wrap(&err, "RotateKeys")
	if err := db.requireKeyring(); err != nil {
		return 0, 0, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	type row struct {
		org     string
		version int
		wrapped []byte
		kek     int
	}
	var rows []row
	rs, err := tx.QueryContext(ctx, `SELECT organization_id, version, wrapped, kek_version FROM org_keys ORDER BY organization_id, version`)
	if err != nil {
		return 0, 0, err
	}
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.org, &r.version, &r.wrapped, &r.kek); err != nil {
			rs.Close()
			return 0, 0, err
		}
		rows = append(rows, r)
	}
	rs.Close()
	latest := map[string]int{}
	for _, r := range rows {
		key, err := db.keyring.Unwrap(r.wrapped, r.kek, orgKeyAAD(r.org, r.version))
		if err != nil {
			return 0, 0, fmt.Errorf("organisation key %s v%d: %w", r.org, r.version, err)
		}
		w, v, err := db.keyring.Wrap(key, orgKeyAAD(r.org, r.version))
		if err != nil {
			return 0, 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE org_keys SET wrapped = $1, kek_version = $2 WHERE organization_id = $3 AND version = $4`, w, v, r.org, r.version); err != nil {
			return 0, 0, err
		}
		orgKeys++
		latest[r.org] = max(latest[r.org], r.version)
	}
	if dataKeys {
		for org, v := range latest {
			if err := db.createOrgKey(ctx, tx, org, v+1); err != nil {
				return 0, 0, err
			}
			orgKeys++
		}
		type ck struct {
			client, org string
		}
		var cks []ck
		rs, err := tx.QueryContext(ctx, `SELECT client_id, organization_id FROM client_keys`)
		if err != nil {
			return 0, 0, err
		}
		for rs.Next() {
			var c ck
			if err := rs.Scan(&c.client, &c.org); err != nil {
				rs.Close()
				return 0, 0, err
			}
			cks = append(cks, c)
		}
		rs.Close()
		for _, c := range cks {
			key, err := db.clientKey(ctx, tx, c.client, c.org, false)
			if err != nil {
				return 0, 0, err
			}
			okey, v, err := db.orgKey(ctx, tx, c.org, 0)
			if err != nil {
				return 0, 0, err
			}
			w, err := sealing.Seal(okey, key, []byte(clientKeyAAD(c.client, c.org)))
			if err != nil {
				return 0, 0, err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE client_keys SET wrapped = $1, org_key_version = $2 WHERE client_id = $3 AND organization_id = $4`, w, v, c.client, c.org); err != nil {
				return 0, 0, err
			}
			clientKeys++
		}
	}
	var mv string
	if err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = $1`, matchKeyMeta).Scan(&mv); err == nil {
		key, err := db.unwrapMeta(mv, matchKeyMeta)
		if err != nil {
			return 0, 0, err
		}
		w, kv, err := db.keyring.Wrap(key, "accord/"+matchKeyMeta)
		if err != nil {
			return 0, 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meta SET value = $1 WHERE key = $2`, strconv.Itoa(kv)+":"+base64.StdEncoding.EncodeToString(w), matchKeyMeta); err != nil {
			return 0, 0, err
		}
	}
	tx.record(accord.AuditEntry{Kind: accord.AuditChange, ActorID: "system", Action: "keys.rotate", Count: orgKeys + clientKeys})
	if err := tx.commit(ctx); err != nil {
		return 0, 0, err
	}
	db.keys.mu.Lock()
	db.keys.orgs = nil
	db.keys.mu.Unlock()
	return orgKeys, clientKeys, nil
}
