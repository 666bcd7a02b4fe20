package sqlstore

import (
	"context"
	"slices"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sealing"
)

func recordAAD(recordID, field string) []byte {
	return []byte("accord/record/" + recordID + "/" + field)
}

// CreateRecord stores a record, sealing its content and note under the
// client's key with the holding organisation.
func (db *DB) CreateRecord(ctx context.Context, actor accord.Actor, r *accord.Record) (err error) {
	defer accord.Wrap(&err, "CreateRecord")
	if err := r.Validate(); err != nil {
		return err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.insertRecord(ctx, tx, r); err != nil {
		return err
	}
	if r.CaseID != "" {
		if err := addCaseEvent(ctx, tx, r.CaseID, "note.added", actor.StaffID, r.ID, r.Category, r.OrganizationID); err != nil {
			return err
		}
	}
	tx.record(changeEntry(actor, "record.create", r.ID, r.ClientID))
	return tx.commit(ctx)
}

func (db *DB) insertRecord(ctx context.Context, tx *Tx, r *accord.Record) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM clients WHERE id = $1 AND erased_at IS NULL`, r.ClientID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return accord.Errorf(accord.ENOTFOUND, "client not found")
	}
	if r.ID == "" {
		r.ID = accord.NewID(accord.PrefixRecord, nil)
	}
	if r.RecordedAt.IsZero() {
		r.RecordedAt = tx.now
	}
	key, err := db.clientKey(ctx, tx, r.ClientID, r.OrganizationID, true)
	if err != nil {
		return err
	}
	content, err := sealing.Seal(key, []byte(r.Content), recordAAD(r.ID, "content"))
	if err != nil {
		return err
	}
	var note []byte
	if r.Note != "" {
		if note, err = sealing.Seal(key, []byte(r.Note), recordAAD(r.ID, "note")); err != nil {
			return err
		}
	}
	sens := slices.Clone(r.Sensitivity)
	slices.Sort(sens)
	if _, err := tx.ExecContext(ctx, `INSERT INTO records (id, client_id, organization_id, category, confidentiality, sensitivity, content, note, recorded_by, recorded_at, case_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		r.ID, r.ClientID, r.OrganizationID, r.Category, r.Confidentiality, jsonValue(sens), content, note, r.RecordedBy, us(r.RecordedAt), r.CaseID); err != nil {
		return err
	}
	return nil
}

// RecordGroup is the records of one client and category held by one
// organisation with one set of sensitivity labels: the unit the decision
// point decides on.
type RecordGroup struct {
	HolderID    string
	Category    accord.Category
	Sensitivity []accord.Sensitivity
	RecordIDs   []string
}

// RecordGroups returns, without opening anything, how a client's records
// of the given categories (all when none) divide into decision groups.
func (db *DB) RecordGroups(ctx context.Context, clientID string, categories ...accord.Category) ([]RecordGroup, error) {
	return db.recordGroups(ctx, `client_id = $1`, clientID, categories)
}

// CaseRecordGroups is RecordGroups for the notes of one case.
func (db *DB) CaseRecordGroups(ctx context.Context, caseID string, categories ...accord.Category) ([]RecordGroup, error) {
	return db.recordGroups(ctx, `case_id = $1`, caseID, categories)
}

func (db *DB) recordGroups(ctx context.Context, where, arg string, categories []accord.Category) ([]RecordGroup, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, organization_id, category, sensitivity FROM records WHERE `+where+` ORDER BY category, organization_id, recorded_at, id`, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RecordGroup
	index := map[string]int{}
	for rows.Next() {
		var id, holder, sensText string
		var cat accord.Category
		if err := rows.Scan(&id, &holder, &cat, &sensText); err != nil {
			return nil, err
		}
		if len(categories) > 0 && !slices.Contains(categories, cat) {
			continue
		}
		k := string(cat) + "|" + holder + "|" + sensText
		i, ok := index[k]
		if !ok {
			var sens []accord.Sensitivity
			if err := asJSON(&sens).Scan(sensText); err != nil {
				return nil, err
			}
			i = len(out)
			index[k] = i
			out = append(out, RecordGroup{HolderID: holder, Category: cat, Sensitivity: sens})
		}
		out[i].RecordIDs = append(out[i].RecordIDs, id)
	}
	return out, rows.Err()
}

// OpenRecords returns the records with the given ids, unsealed. Storage
// only: call it after the decision point permitted them and their audit
// entries are durable.
func (db *DB) OpenRecords(ctx context.Context, clientID string, ids []string) ([]accord.Record, error) {
	keys := map[string][]byte{}
	var out []accord.Record
	for _, chunk := range chunks(ids, 200) {
		args := []any{clientID}
		ph := make([]string, len(chunk))
		for i, id := range chunk {
			args = append(args, id)
			ph[i] = placeholder(i + 2)
		}
		rows, err := db.read.QueryContext(ctx, `SELECT id, client_id, organization_id, category, confidentiality, sensitivity, content, note, recorded_by, recorded_at, case_id
			FROM records WHERE client_id = $1 AND id IN (`+joinComma(ph)+`) ORDER BY recorded_at, id`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var r accord.Record
			var content, note []byte
			var recorded int64
			if err := rows.Scan(&r.ID, &r.ClientID, &r.OrganizationID, &r.Category, &r.Confidentiality, asJSON(&r.Sensitivity), &content, &note, &r.RecordedBy, &recorded, &r.CaseID); err != nil {
				rows.Close()
				return nil, err
			}
			r.RecordedAt = fromUS(recorded)
			key, ok := keys[r.OrganizationID]
			if !ok {
				if key, err = db.clientKey(ctx, db.read, r.ClientID, r.OrganizationID, false); err != nil {
					rows.Close()
					return nil, err
				}
				keys[r.OrganizationID] = key
			}
			pt, err := sealing.Open(key, content, recordAAD(r.ID, "content"))
			if err != nil {
				rows.Close()
				return nil, err
			}
			r.Content = string(pt)
			if note != nil {
				if pt, err = sealing.Open(key, note, recordAAD(r.ID, "note")); err != nil {
					rows.Close()
					return nil, err
				}
				r.Note = string(pt)
			}
			out = append(out, r)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
