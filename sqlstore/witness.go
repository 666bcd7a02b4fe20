package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/accord-project/accord"
)

// Cosignature is a witness's cosignature of a stored signed checkpoint.
type Cosignature struct {
	Size       uint64
	Witness    string    // the witness key's name
	Line       []byte    // the note signature line, "— name base64…\n"
	SignedAt   time.Time // the cosignature's own time, by the witness's clock
	ReceivedAt time.Time // set by AddCosignature
}

// CheckpointAt returns the stored signed checkpoint of size entries, or
// ENOTFOUND.
func (db *DB) CheckpointAt(ctx context.Context, size uint64) ([]byte, error) {
	var text string
	err := db.queryRow(ctx, `SELECT note FROM audit_checkpoints WHERE size = $1`, int64(size)).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, accord.Errorf(accord.ENOTFOUND, "no checkpoint of %d entries has been signed", size)
	}
	return []byte(text), err
}

// AddCosignature stores c, a cosignature of the stored checkpoint of
// c.Size entries. When the witness already cosigned that checkpoint, the
// later of the two cosignatures is kept. It does not check the signature:
// the caller verifies it against the stored checkpoint first. It returns
// ENOTFOUND when no checkpoint of that size is stored.
func (db *DB) AddCosignature(ctx context.Context, c Cosignature) (err error) {
	defer accord.Wrap(&err, "AddCosignature(%d, %s)", c.Size, c.Witness)
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_checkpoints WHERE size = $1`, int64(c.Size)).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return accord.Errorf(accord.ENOTFOUND, "no checkpoint of %d entries has been signed", c.Size)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_cosignatures (size, witness, signature, signed_at, received_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (size, witness) DO UPDATE SET signature = excluded.signature, signed_at = excluded.signed_at, received_at = excluded.received_at
		WHERE excluded.signed_at > audit_cosignatures.signed_at`,
		int64(c.Size), c.Witness, string(c.Line), us(c.SignedAt), us(tx.now)); err != nil {
		return err
	}
	return tx.Commit()
}

// Cosignatures returns the stored cosignatures of the checkpoints of from
// to to entries (inclusive), largest checkpoint first, then by witness.
func (db *DB) Cosignatures(ctx context.Context, from, to uint64) ([]Cosignature, error) {
	rows, err := db.query(ctx, `SELECT size, witness, signature, signed_at, received_at FROM audit_cosignatures
		WHERE size >= $1 AND size <= $2 ORDER BY size DESC, witness`, int64(from), int64(min(to, 1<<62)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Cosignature
	for rows.Next() {
		var c Cosignature
		var size, signed, received int64
		var line string
		if err := rows.Scan(&size, &c.Witness, &line, &signed, &received); err != nil {
			return nil, err
		}
		c.Size, c.Line, c.SignedAt, c.ReceivedAt = uint64(size), []byte(line), fromUS(signed), fromUS(received)
		out = append(out, c)
	}
	return out, rows.Err()
}

// WithCosignatures returns the signed checkpoint note with the
// cosignature lines of cs that are of its size appended: the checkpoint as
// witnesses vouch for it (C2SP tlog-cosignature).
func WithCosignatures(note []byte, size uint64, cs []Cosignature) []byte {
	out := note
	for _, c := range cs {
		if c.Size == size {
			if len(out) == len(note) {
				out = append([]byte(nil), note...)
			}
			out = append(out, c.Line...)
		}
	}
	return out
}
