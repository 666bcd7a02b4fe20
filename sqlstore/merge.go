package sqlstore

import (
	"context"
	"fmt"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sealing"
)

// sealedColumn is one column holding data sealed under a client's key with
// one organisation: how to find the rows of a client, the organisation
// whose key sealed each, and the AAD each was sealed with.
type sealedColumn struct {
	// query selects (row key, organisation, sealed value) for client $1.
	query string
	// update sets the re-sealed value ($1) of the row with key $2.
	update string
	aad    func(rowKey string) string
}

// sealedColumns lists every column sealed under a client key. A new sealed
// column must be added here, or merging would lose it.
var sealedColumns = []sealedColumn{
	{`SELECT id, organization_id, content FROM records WHERE client_id = $1`, `UPDATE records SET content = $1 WHERE id = $2`,
		func(id string) string { return string(recordAAD(id, "content")) }},
	{`SELECT id, organization_id, note FROM records WHERE client_id = $1 AND note IS NOT NULL`, `UPDATE records SET note = $1 WHERE id = $2`,
		func(id string) string { return string(recordAAD(id, "note")) }},
	{`SELECT id, lead_organization_id, title FROM cases WHERE client_id = $1`, `UPDATE cases SET title = $1 WHERE id = $2`,
		func(id string) string { return "accord/case/" + id + "/title" }},
	{`SELECT id, lead_organization_id, goals FROM cases WHERE client_id = $1`, `UPDATE cases SET goals = $1 WHERE id = $2`,
		func(id string) string { return "accord/case/" + id + "/goals" }},
	{`SELECT id, lead_organization_id, close_reason FROM cases WHERE client_id = $1 AND close_reason IS NOT NULL`, `UPDATE cases SET close_reason = $1 WHERE id = $2`,
		func(id string) string { return "accord/case/" + id + "/close_reason" }},
	{`SELECT p.case_id || '/' || p.organization_id, c.lead_organization_id, p.responsibility FROM case_participants p JOIN cases c ON c.id = p.case_id WHERE c.client_id = $1`,
		`UPDATE case_participants SET responsibility = $1 WHERE case_id || '/' || organization_id = $2`,
		func(k string) string {
			return "accord/case/" + k[:len(accord.PrefixCase)+27] + "/participant/" + k[len(accord.PrefixCase)+28:]
		}},
	{`SELECT t.id, c.lead_organization_id, t.title FROM tasks t JOIN cases c ON c.id = t.case_id WHERE t.client_id = $1`, `UPDATE tasks SET title = $1 WHERE id = $2`,
		func(id string) string { return "accord/task/" + id + "/title" }},
	{`SELECT f.id, c.lead_organization_id, f.body FROM conferences f JOIN cases c ON c.id = f.case_id WHERE c.client_id = $1`, `UPDATE conferences SET body = $1 WHERE id = $2`,
		func(id string) string { return "accord/conference/" + id }},
	{`SELECT id, from_org_id, reason FROM referrals WHERE client_id = $1`, `UPDATE referrals SET reason = $1 WHERE id = $2`,
		func(id string) string { return "accord/referral/" + id + "/reason" }},
	{`SELECT id, to_org_id, status_reason FROM referrals WHERE client_id = $1 AND status_reason IS NOT NULL`, `UPDATE referrals SET status_reason = $1 WHERE id = $2`,
		func(id string) string { return "accord/referral/" + id + "/status_reason" }},
	{`SELECT id, organization_id, summary FROM escalations WHERE client_id = $1`, `UPDATE escalations SET summary = $1 WHERE id = $2`,
		func(id string) string { return "accord/escalation/" + id + "/summary" }},
	{`SELECT id, organization_id, resolution FROM escalations WHERE client_id = $1 AND resolution IS NOT NULL`, `UPDATE escalations SET resolution = $1 WHERE id = $2`,
		func(id string) string { return "accord/escalation/" + id + "/resolution" }},
	{`SELECT id, organization_id, response FROM screenings WHERE client_id = $1`, `UPDATE screenings SET response = $1 WHERE id = $2`,
		func(id string) string { return "accord/screening/" + id }},
}

// MergeClients merges duplicate into survivor: everything recorded about
// the duplicate — records, consents, legal bases, care team, cases, tasks,
// referrals, escalations, screenings — now belongs to the survivor, re-sealed
// under the survivor's keys. The duplicate's row stays, empty, pointing at
// the survivor, and its audit history stays under its own id (the access
// report of the survivor includes it): both histories are kept.
func (db *DB) MergeClients(ctx context.Context, actor accord.Actor, survivor, duplicate string) (err error) {
	defer accord.Wrap(&err, "MergeClients(%s, %s)", survivor, duplicate)
	if survivor == duplicate {
		return accord.FieldErrorf("duplicate_id", "a client cannot be merged into itself")
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Lock both rows before anything moves (on PostgreSQL; SQLite has one
	// writer): a concurrent refresh of search keys reads clients FOR
	// SHARE, so it either finishes before the duplicate's keys move to the
	// survivor or sees the duplicate merged.
	if _, err := tx.ExecContext(ctx, `UPDATE clients SET version = version WHERE id IN ($1, $2)`, survivor, duplicate); err != nil {
		return err
	}
	if _, err := findClientTx(ctx, tx, survivor); err != nil {
		return err
	}
	if _, err := findClientTx(ctx, tx, duplicate); err != nil {
		return accord.FieldErrorf("duplicate_id", "no such client")
	}
	// Re-seal everything sealed under the duplicate's keys with the
	// survivor's (creating the survivor's key for an organisation as needed).
	keys := map[string][2][]byte{} // org → (duplicate key, survivor key)
	for _, col := range sealedColumns {
		type row struct {
			key, org string
			sealed   []byte
		}
		var rows []row
		rs, err := tx.QueryContext(ctx, col.query, duplicate)
		if err != nil {
			return err
		}
		for rs.Next() {
			var r row
			if err := rs.Scan(&r.key, &r.org, &r.sealed); err != nil {
				rs.Close()
				return err
			}
			rows = append(rows, r)
		}
		if err := rs.Close(); err != nil {
			return err
		}
		for _, r := range rows {
			if len(r.sealed) == 0 {
				continue
			}
			k, ok := keys[r.org]
			if !ok {
				if k[0], err = db.clientKey(ctx, tx, duplicate, r.org, false); err != nil {
					return fmt.Errorf("duplicate's key with %s: %w", r.org, err)
				}
				if k[1], err = db.clientKey(ctx, tx, survivor, r.org, true); err != nil {
					return err
				}
				keys[r.org] = k
			}
			pt, err := sealing.Open(k[0], r.sealed, []byte(col.aad(r.key)))
			if err != nil {
				return fmt.Errorf("re-sealing %s: %w", r.key, err)
			}
			resealed, err := sealing.Seal(k[1], pt, []byte(col.aad(r.key)))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, col.update, resealed, r.key); err != nil {
				return err
			}
		}
	}
	var consents, bases []string
	for _, q := range []struct {
		ids  *[]string
		stmt string
	}{{&consents, `SELECT id FROM consents WHERE client_id = $1`}, {&bases, `SELECT id FROM legal_bases WHERE client_id = $1`}} {
		rs, err := tx.QueryContext(ctx, q.stmt, duplicate)
		if err != nil {
			return err
		}
		for rs.Next() {
			var id string
			if err := rs.Scan(&id); err != nil {
				rs.Close()
				return err
			}
			*q.ids = append(*q.ids, id)
		}
		if err := rs.Close(); err != nil {
			return err
		}
	}
	for _, stmt := range []string{
		`UPDATE records SET client_id = $1 WHERE client_id = $2`,
		`UPDATE consents SET client_id = $1 WHERE client_id = $2`,
		`UPDATE legal_bases SET client_id = $1 WHERE client_id = $2`,
		`UPDATE cases SET client_id = $1 WHERE client_id = $2`,
		`UPDATE tasks SET client_id = $1 WHERE client_id = $2`,
		`UPDATE referrals SET client_id = $1 WHERE client_id = $2`,
		`UPDATE escalations SET client_id = $1 WHERE client_id = $2`,
		`UPDATE screenings SET client_id = $1 WHERE client_id = $2`,
		`INSERT INTO care_team (client_id, staff_id, added_at) SELECT $1, staff_id, added_at FROM care_team WHERE client_id = $2 ON CONFLICT DO NOTHING`,
		`DELETE FROM care_team WHERE client_id = $2 AND $1 <> ''`,
		`INSERT INTO client_match_keys (key, client_id, inherited) SELECT key, $1, TRUE FROM client_match_keys WHERE client_id = $2
			ON CONFLICT (key, client_id) DO UPDATE SET inherited = TRUE`,
		`DELETE FROM client_match_keys WHERE client_id = $2 AND $1 <> ''`,
		`DELETE FROM client_keys WHERE client_id = $2 AND $1 <> ''`,
	} {
		if _, err := tx.ExecContext(ctx, stmt, survivor, duplicate); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE clients SET version = version + 1, updated_at = $1 WHERE id = $2`, us(tx.now), survivor); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE clients SET merged_into = $1, given_name = '', family_name = '', search_name = '', birth_date = '', phone = '',
		email = '', address = '', identifiers = '[]', updated_at = $2, version = version + 1 WHERE id = $3`, survivor, us(tx.now), duplicate); err != nil {
		return err
	}
	for _, id := range consents {
		if err := tx.policyChanged(ctx, "consent", id); err != nil {
			return err
		}
	}
	for _, id := range bases {
		if err := tx.policyChanged(ctx, "legal_basis", id); err != nil {
			return err
		}
	}
	if err := tx.policyChanged(ctx, "care_team", survivor); err != nil {
		return err
	}
	if err := tx.policyChanged(ctx, "client_erased", duplicate); err != nil {
		return err
	}
	e := changeEntry(actor, "client.merge", duplicate, survivor)
	tx.record(e)
	return tx.commit(ctx)
}

// MergedInto returns the ids of the clients merged into id.
func (db *DB) MergedInto(ctx context.Context, id string) ([]string, error) {
	rs, err := db.read.QueryContext(ctx, `SELECT id FROM clients WHERE merged_into = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var s string
		if err := rs.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rs.Err()
}
