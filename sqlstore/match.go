package sqlstore

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/match"
	"github.com/accord-project/accord/sealing"
)

// The duplicate-matching index stores a keyed hash of each blocking key
// (match.Keys), never the key itself: keys hold phone digits and birth
// dates. The hashing key is random, stored in meta wrapped by the KEK, and
// re-wrapped when the KEK rotates.

const matchKeyMeta = "match_index_key"

func (db *DB) matchKey(ctx context.Context, q querier) ([]byte, error) {
	db.keys.mu.Lock()
	k := db.keys.match
	db.keys.mu.Unlock()
	if k != nil {
		return k, nil
	}
	if err := db.requireKeyring(); err != nil {
		return nil, err
	}
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = $1`, matchKeyMeta).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		key := sealing.NewKey()
		w, kv, err := db.keyring.Wrap(key, "accord/"+matchKeyMeta)
		if err != nil {
			return nil, err
		}
		v = strconv.Itoa(kv) + ":" + base64.StdEncoding.EncodeToString(w)
		if _, err := q.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, matchKeyMeta, v); err != nil {
			return nil, err
		}
		if err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = $1`, matchKeyMeta).Scan(&v); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	key, err := db.unwrapMeta(v, matchKeyMeta)
	if err != nil {
		return nil, err
	}
	db.keys.mu.Lock()
	db.keys.match = key
	db.keys.mu.Unlock()
	return key, nil
}

func (db *DB) unwrapMeta(v, name string) ([]byte, error) {
	vs, b64, ok := strings.Cut(v, ":")
	kv, err := strconv.Atoi(vs)
	if !ok || err != nil {
		return nil, fmt.Errorf("meta %s is malformed", name)
	}
	w, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("meta %s is malformed", name)
	}
	return db.keyring.Unwrap(w, kv, "accord/"+name)
}

// hashKeys returns the stored form of blocking keys.
func hashKeys(key []byte, keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(k))
		out[i] = hex.EncodeToString(m.Sum(nil)[:16])
	}
	return out
}

// indexClient replaces c's own blocking keys with those of its current
// fields, keeping the keys it inherited from duplicates merged into it.
func (db *DB) indexClient(ctx context.Context, tx *Tx, c *accord.Client) error {
	key, err := db.matchKey(ctx, tx)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM client_match_keys WHERE client_id = $1 AND NOT inherited`, c.ID); err != nil {
		return err
	}
	return addMatchKeys(ctx, tx, key, c)
}

// addMatchKeys stores c's blocking keys, hashed with key, beside any it has.
func addMatchKeys(ctx context.Context, tx *Tx, key []byte, c *accord.Client) error {
	for _, k := range hashKeys(key, match.Keys(match.FromClient(c))) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO client_match_keys (key, client_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, k, c.ID); err != nil {
			return err
		}
	}
	return nil
}

// matchKeysMeta is the meta row holding the match.KeysVersion the stored
// blocking keys were computed with; absent, version 1 (the only version
// before it was recorded).
const matchKeysMeta = "match_keys_version"

// RefreshMatchKeys adds to every client the blocking keys of the current
// match.KeysVersion, when the stored keys were computed by another version,
// and returns how many clients it went through (0 when they were current).
// It works in transactions of 1,000 clients, so intake goes on meanwhile
// (a client not yet reached is found by its old keys), and records the
// version last: a refresh cut short starts again at the next start.
//
// Keys are added, never replaced: a survivor of a merge holds the keys of
// the duplicates merged into it, whose names and birth dates were wiped at
// the merge and cannot be recomputed, so a search by the spelling they were
// registered under finds the survivor only through those. Old keys that no
// query of the new version produces cost a little space and nothing else.
func (db *DB) RefreshMatchKeys(ctx context.Context) (n int, err error) {
	defer accord.Wrap(&err, "RefreshMatchKeys")
	stored := 1
	var v string
	switch err := db.read.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = $1`, matchKeysMeta).Scan(&v); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return 0, err
	default:
		if stored, err = strconv.Atoi(v); err != nil {
			stored = 0 // not a version this code wrote: recompute
		}
	}
	if stored == match.KeysVersion {
		return 0, nil
	}
	key, err := db.matchKey(ctx, db.write)
	if err != nil {
		return 0, err
	}
	const batch = 1000
	for after := ""; ; {
		tx, err := db.begin(ctx)
		if err != nil {
			return n, err
		}
		var clients []accord.Client
		err = func() error {
			q := `SELECT ` + clientColumns + ` FROM clients WHERE id > $1 AND erased_at IS NULL AND merged_into = '' ORDER BY id LIMIT $2`
			if db.engine == Postgres {
				// Erasures and merges lock the row first: no key is added
				// for a client erased or merged meanwhile.
				q += ` FOR SHARE`
			}
			rows, err := tx.QueryContext(ctx, q, after, batch)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var c accord.Client
				if err := scanClient(rows, &c); err != nil {
					return err
				}
				clients = append(clients, c)
			}
			return rows.Err()
		}()
		for i := 0; err == nil && i < len(clients); i++ {
			err = addMatchKeys(ctx, tx, key, &clients[i])
		}
		if err == nil {
			err = tx.commit(ctx)
		}
		if err != nil {
			tx.Rollback()
			return n, err
		}
		n += len(clients)
		if len(clients) < batch {
			break
		}
		after = clients[len(clients)-1].ID
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
		matchKeysMeta, strconv.Itoa(match.KeysVersion))
	return n, err
}

// MatchCandidates returns the clients sharing a blocking key with p (not
// erased, not merged), at most limit, as match candidates: the id and the
// fields compared, read from the clients_match index alone (ClientsByID
// reads the records of the few shown). Those sharing the most keys come
// first (ties by id), so that where a common name's key is shared by more
// clients than the limit, the person who also shares the birth date or the
// phone is kept and a namesake sharing only the name is dropped.
func (db *DB) MatchCandidates(ctx context.Context, p match.Person, limit int) ([]match.Candidate, error) {
	return db.MatchCandidatesOf(ctx, p, "", limit)
}

// MatchCandidatesOf is MatchCandidates among the clients registered by
// organisation home ("": all): a merge stays within one organisation, and
// ranking against other organisations' clients would share the probability
// with records that are not the caller's to merge.
func (db *DB) MatchCandidatesOf(ctx context.Context, p match.Person, home string, limit int) ([]match.Candidate, error) {
	keys := match.Keys(p)
	if len(keys) == 0 {
		return nil, nil
	}
	key, err := db.matchKey(ctx, db.write)
	if err != nil {
		return nil, err
	}
	hashed := hashKeys(key, keys)
	args := make([]any, 0, len(hashed)+1)
	ph := make([]string, len(hashed))
	for i, h := range hashed {
		args = append(args, h)
		ph[i] = placeholder(i + 1)
	}
	args = append(args, home, limit)
	// The limit applies to the keys, before the join: only the clients
	// kept are read (with the limit outside, a key shared by 5,000
	// clients read all 5,000 to keep 2,000). Erasing and merging delete a
	// client's keys in the same transaction; the filter, which is the
	// index's, lets the planner read the index alone.
	// SQLite's planner would take the id's unique index and then the row
	// (see migration 0017).
	indexed := ""
	if db.engine == SQLite {
		indexed = " INDEXED BY clients_match"
	}
	rows, err := db.read.QueryContext(ctx, `SELECT c.id, c.given_name, c.family_name, c.birth_date, c.phone, c.identifiers FROM clients c`+indexed+` JOIN
		(SELECT client_id, count(*) AS shared FROM client_match_keys WHERE key IN (`+joinComma(ph)+`)
		 GROUP BY client_id ORDER BY shared DESC, client_id LIMIT `+placeholder(len(args))+`) k ON k.client_id = c.id
		WHERE c.erased_at IS NULL AND c.merged_into = '' AND (`+placeholder(len(args)-1)+` = '' OR c.home_organization_id = `+placeholder(len(args)-1)+`)
		ORDER BY k.shared DESC, c.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []match.Candidate
	for rows.Next() {
		var c match.Candidate
		if err := rows.Scan(&c.ID, &c.Person.GivenName, &c.Person.FamilyName, &c.Person.BirthDate, &c.Person.Phone,
			asJSON(&c.Person.Identifiers)); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ClientsByID returns the clients with the given ids that are neither
// erased nor merged, in the order of ids (at most 100). Storage only: the
// caller asks the decision point before showing any.
func (db *DB) ClientsByID(ctx context.Context, ids []string) ([]accord.Client, error) {
	if len(ids) > 100 {
		return nil, accord.Errorf(accord.EINVALID, "at most 100 clients at a time")
	}
	args := make([]any, 0, len(ids))
	ph := make([]string, 0, len(ids))
	for _, id := range ids {
		if accord.ValidID(accord.PrefixClient, id) {
			args = append(args, id)
			ph = append(ph, placeholder(len(args)))
		}
	}
	if len(args) == 0 {
		return nil, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+clientColumns+` FROM clients
		WHERE id IN (`+joinComma(ph)+`) AND erased_at IS NULL AND merged_into = ''`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byID := map[string]accord.Client{}
	for rows.Next() {
		var c accord.Client
		if err := scanClient(rows, &c); err != nil {
			return nil, err
		}
		byID[c.ID] = c
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]accord.Client, 0, len(byID))
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			out = append(out, c)
			delete(byID, id) // an id given twice is returned once
		}
	}
	return out, nil
}
