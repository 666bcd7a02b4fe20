package sqlstore

import (
	"context"

	"github.com/accord-project/accord"
)

// CreateArea adds an area to the partnership's list (ECONFLICT when its
// code is taken). Areas are never removed: clients and published releases
// name them.
func (db *DB) CreateArea(ctx context.Context, actor accord.Actor, a *accord.Area) (err error) {
	defer accord.Wrap(&err, "CreateArea")
	if err := a.Validate(); err != nil {
		return err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := insertArea(ctx, tx, a); err != nil {
		return err
	}
	tx.record(changeEntry(actor, "area.create", a.Code, ""))
	return tx.commit(ctx)
}

func insertArea(ctx context.Context, tx *Tx, a *accord.Area) error {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = tx.now
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO areas (code, name, created_at) VALUES ($1, $2, $3)`, a.Code, a.Name, us(a.CreatedAt))
	if isUniqueViolation(err) {
		e := accord.FieldErrorf("code", "there is already an area with code %q", a.Code)
		e.Code = accord.ECONFLICT
		return e
	}
	return err
}

// Areas lists the partnership's areas by name.
func (db *DB) Areas(ctx context.Context) (_ []accord.Area, err error) {
	defer accord.Wrap(&err, "Areas")
	rows, err := db.query(ctx, `SELECT code, name, created_at FROM areas ORDER BY name, code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []accord.Area
	for rows.Next() {
		var a accord.Area
		var created int64
		if err := rows.Scan(&a.Code, &a.Name, &created); err != nil {
			return nil, err
		}
		a.CreatedAt = fromUS(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

// checkArea refuses a client's area that is not on the partnership's list.
func checkArea(ctx context.Context, tx *Tx, code string) error {
	if code == "" {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM areas WHERE code = $1`, code).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return accord.FieldErrorf("area", "area %q is not one of the partnership's areas", code)
	}
	return nil
}
