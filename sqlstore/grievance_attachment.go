package sqlstore

import (
	"context"
	"time"

	"github.com/accord-project/accord"
)

// Grievance attachments are stored like a grievance's text: name and
// bytes sealed under the answering organisation's data key, at the key
// version of the grievance's text, with an AAD naming the grievance and the
// attachment so that sealed bytes cannot be moved to another row. Only
// their type, size and time are in the clear. They are written in the
// transaction that stores the grievance or the added information, so a
// refused submission leaves nothing behind.

func attachmentAAD(grievanceID, id, part string) string {
	return "grievance/" + grievanceID + "/attachment/" + id + "/" + part
}

// addGrievanceAttachments seals and stores files sent with grievance g at
// time at (eventID "" for the grievance itself, else the info event).
func (db *DB) addGrievanceAttachments(ctx context.Context, tx *Tx, g *grievanceRow, eventID string, at time.Time, as []accord.GrievanceAttachment) error {
	if len(as) == 0 {
		return nil
	}
	key, _, err := db.orgKey(ctx, tx, g.HandlerOrgID, g.textKeyVersion)
	if err != nil {
		return err
	}
	var seq int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(seq), 0) FROM grievance_attachments WHERE grievance_id = $1`, g.ID).Scan(&seq); err != nil {
		return err
	}
	for i := range as {
		a := &as[i]
		seq++
		a.ID, a.GrievanceID, a.EventID, a.Seq, a.CreatedAt, a.Size = accord.NewID(accord.PrefixGrievanceAttachment, nil), g.ID, eventID, seq, at, len(a.Data)
		name, err := sealSeal(key, []byte(a.Name), attachmentAAD(g.ID, a.ID, "name"))
		if err != nil {
			return err
		}
		body, err := sealSeal(key, a.Data, attachmentAAD(g.ID, a.ID, "body"))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO grievance_attachments (id, grievance_id, event_id, seq, content_type, size, key_version, name, body, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			a.ID, g.ID, eventID, a.Seq, a.ContentType, a.Size, g.textKeyVersion, name, body, us(a.CreatedAt)); err != nil {
			return err
		}
	}
	return nil
}

// GrievanceAttachments lists the files attached to grievance id, in the
// order they came, with their names but not their bytes.
func (db *DB) GrievanceAttachments(ctx context.Context, id string) ([]accord.GrievanceAttachment, error) {
	return db.grievanceAttachments(ctx, id, "", false)
}

// GrievanceAttachment returns one file of grievance id with its bytes, or
// ENOTFOUND (also when it belongs to another grievance).
func (db *DB) GrievanceAttachment(ctx context.Context, id, attachmentID string) (*accord.GrievanceAttachment, error) {
	if !accord.ValidID(accord.PrefixGrievanceAttachment, attachmentID) {
		return nil, errNoAttachment()
	}
	as, err := db.grievanceAttachments(ctx, id, attachmentID, true)
	if err != nil {
		return nil, err
	}
	if len(as) != 1 {
		return nil, errNoAttachment()
	}
	return &as[0], nil
}

func errNoAttachment() error { return accord.Errorf(accord.ENOTFOUND, "attachment not found") }

func (db *DB) grievanceAttachments(ctx context.Context, id, only string, withData bool) ([]accord.GrievanceAttachment, error) {
	g, err := db.findGrievance(ctx, db.read, id)
	if err != nil {
		return nil, err
	}
	body := "NULL"
	if withData {
		body = "body"
	}
	q, args := `SELECT id, event_id, seq, content_type, size, key_version, name, `+body+`, created_at FROM grievance_attachments WHERE grievance_id = $1`, []any{id}
	if only != "" {
		q, args = q+` AND id = $2`, append(args, only)
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY seq`, args...)
	if err != nil {
		return nil, err
	}
	type sealed struct {
		version    int
		name, body []byte
	}
	var out []accord.GrievanceAttachment
	var seals []sealed
	for rows.Next() {
		a := accord.GrievanceAttachment{GrievanceID: id}
		var s sealed
		var at int64
		if err := rows.Scan(&a.ID, &a.EventID, &a.Seq, &a.ContentType, &a.Size, &s.version, &s.name, &s.body, &at); err != nil {
			rows.Close()
			return nil, err
		}
		a.CreatedAt = fromUS(at)
		out, seals = append(out, a), append(seals, s)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	keys := map[int][]byte{}
	for i := range out {
		key, ok := keys[seals[i].version]
		if !ok {
			if key, _, err = db.orgKey(ctx, db.read, g.HandlerOrgID, seals[i].version); err != nil {
				return nil, err
			}
			keys[seals[i].version] = key
		}
		name, err := sealOpen(key, seals[i].name, attachmentAAD(id, out[i].ID, "name"))
		if err != nil {
			return nil, err
		}
		out[i].Name = string(name)
		if withData {
			if out[i].Data, err = sealOpen(key, seals[i].body, attachmentAAD(id, out[i].ID, "body")); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
