package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// PortalCodeLive reports whether hash is the client's current portal code
// (not used, not expired, not replaced by a newer one), and until when it
// works.
func (db *DB) PortalCodeLive(ctx context.Context, clientID string, hash []byte) (time.Time, bool, error) {
	var expires int64
	err := db.read.QueryRowContext(ctx, `SELECT expires_at FROM portal_codes WHERE client_id = $1 AND code_hash = $2 AND used_at IS NULL AND expires_at > $3`,
		clientID, hash, us(db.now())).Scan(&expires)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	return fromUS(expires), true, nil
}

// EndPortalSessions signs a client out of every portal session (when they
// are given a new code, the old sessions end).
func (db *DB) EndPortalSessions(ctx context.Context, clientID string) error {
	_, err := db.write.ExecContext(ctx, `UPDATE portal_sessions SET revoked_at = $1 WHERE client_id = $2 AND revoked_at IS NULL`, us(db.now()), clientID)
	return err
}
