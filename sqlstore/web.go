package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/credential"
)

// SetTOTP enables a staff member's TOTP second factor with secret (sealed
// under their organisation's key) and the hashes of their recovery codes,
// replacing any before.
func (db *DB) SetTOTP(ctx context.Context, actor accord.Actor, staffID string, secret []byte, recovery [][]byte) (err error) {
	defer accord.Wrap(&err, "SetTOTP")
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := findStaffTx(ctx, tx, staffID)
	if err != nil {
		return err
	}
	key, _, err := db.orgKey(ctx, tx, st.OrganizationID, 0)
	if err != nil {
		return err
	}
	sealed, err := sealSeal(key, secret, "totp/"+staffID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE staff SET totp_secret = $1, totp_enabled = TRUE WHERE id = $2`, sealed, staffID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE staff_id = $1`, staffID); err != nil {
		return err
	}
	for _, h := range recovery {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (staff_id, code_hash) VALUES ($1, $2)`, staffID, h); err != nil {
			return err
		}
	}
	tx.record(changeEntry(actor, "totp.enable", staffID, ""))
	return tx.commit(ctx)
}

// DisableTOTP turns a staff member's second factor off.
func (db *DB) DisableTOTP(ctx context.Context, actor accord.Actor, staffID string) (err error) {
	defer accord.Wrap(&err, "DisableTOTP")
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE staff SET totp_secret = NULL, totp_enabled = FALSE WHERE id = $1`, staffID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE staff_id = $1`, staffID); err != nil {
		return err
	}
	tx.record(changeEntry(actor, "totp.disable", staffID, ""))
	return tx.commit(ctx)
}

// TOTP returns a staff member's TOTP secret and whether it is enabled.
func (db *DB) TOTP(ctx context.Context, staffID string) ([]byte, bool, error) {
	var sealed []byte
	var enabled bool
	var org string
	err := db.read.QueryRowContext(ctx, `SELECT totp_secret, totp_enabled, organization_id FROM staff WHERE id = $1`, staffID).Scan(&sealed, &enabled, &org)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, accord.Errorf(accord.ENOTFOUND, "staff member not found")
	}
	if err != nil || !enabled {
		return nil, false, err
	}
	key, _, err := db.orgKey(ctx, db.read, org, 0)
	if err != nil {
		return nil, false, err
	}
	secret, err := sealOpen(key, sealed, "totp/"+staffID)
	return secret, true, err
}

// UseRecoveryCode consumes a recovery code (by hash) and reports whether it
// was valid and unused.
func (db *DB) UseRecoveryCode(ctx context.Context, staffID string, hash []byte) (bool, error) {
	res, err := db.write.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $1 WHERE staff_id = $2 AND code_hash = $3 AND used_at IS NULL`, us(db.now()), staffID, hash)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func findStaffTx(ctx context.Context, q querier, id string) (*accord.Staff, error) {
	var s accord.Staff
	err := scanStaff(q.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = $1`, id), &s)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, accord.Errorf(accord.ENOTFOUND, "staff member not found")
	}
	return &s, err
}

// CreateSession stores a sign-in session (kind "session") or a pending
// second-factor step (kind "pending", which authenticates nothing else),
// noting the browser it came from.
func (db *DB) CreateSession(ctx context.Context, actor accord.Actor, kind, staffID, secret, userAgent string, ttl time.Duration) (id string, err error) {
	defer accord.Wrap(&err, "CreateSession")
	tx, err := db.begin(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	if id, err = insertCredential(ctx, tx, kind, staffID, secret, "sign-in", ttl); err != nil {
		return "", err
	}
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	if _, err := tx.ExecContext(ctx, `UPDATE credentials SET user_agent = $1 WHERE id = $2`, userAgent, id); err != nil {
		return "", err
	}
	if kind == "session" {
		e := changeEntry(actor, "login.success", id, "")
		e.Kind = accord.AuditLogin
		tx.record(e)
	}
	return id, tx.commit(ctx)
}

// Pending returns the staff id of a pending second-factor step, or
// EUNAUTHENTICATED.
func (db *DB) Pending(ctx context.Context, secret string) (string, error) {
	var staffID string
	var expires int64
	var revoked sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT staff_id, expires_at, revoked_at FROM credentials WHERE secret_hash = $1 AND kind = 'pending'`,
		credential.SecretHash(secret)).Scan(&staffID, &expires, &revoked)
	if err != nil || revoked.Valid || db.now().After(fromUS(expires)) {
		return "", accord.Errorf(accord.EUNAUTHENTICATED, "the sign-in has expired; start again")
	}
	return staffID, nil
}

// EndPending revokes a pending second-factor step.
func (db *DB) EndPending(ctx context.Context, secret string) error {
	_, err := db.write.ExecContext(ctx, `UPDATE credentials SET revoked_at = $1 WHERE secret_hash = $2 AND kind = 'pending'`, us(db.now()), credential.SecretHash(secret))
	return err
}

// SessionInfo is one of a staff member's sessions or tokens, as they see it.
type SessionInfo struct {
	ID         string
	Kind       string
	Name       string
	UserAgent  string
	CreatedAt  time.Time
	LastUsedAt time.Time
	ExpiresAt  time.Time
}

// Sessions returns a staff member's live sessions and tokens, newest first.
func (db *DB) Sessions(ctx context.Context, staffID string) ([]SessionInfo, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, kind, name, user_agent, created_at, last_used_at, expires_at FROM credentials
		WHERE staff_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND kind IN ('session', 'token') ORDER BY created_at DESC, id`, staffID, us(db.now()))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SessionInfo
	for rows.Next() {
		var s SessionInfo
		var c, l, e int64
		if err := rows.Scan(&s.ID, &s.Kind, &s.Name, &s.UserAgent, &c, &l, &e); err != nil {
			return nil, err
		}
		s.CreatedAt, s.LastUsedAt, s.ExpiresAt = fromUS(c), fromUS(l), fromUS(e)
		out = append(out, s)
	}
	return out, rows.Err()
}

// CreatePortalCode stores a one-time portal sign-in code (by hash) for a
// client, valid for ttl. Earlier unused codes of the client stop working.
func (db *DB) CreatePortalCode(ctx context.Context, actor accord.Actor, clientID string, codeHash []byte, ttl time.Duration) (err error) {
	defer accord.Wrap(&err, "CreatePortalCode")
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findClientTx(ctx, tx, clientID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE portal_codes SET expires_at = $1 WHERE client_id = $2 AND used_at IS NULL AND expires_at > $1`, us(tx.now), clientID); err != nil {
		return err
	}
	id := accord.NewID("pcd", nil)
	if _, err := tx.ExecContext(ctx, `INSERT INTO portal_codes (id, client_id, code_hash, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, clientID, codeHash, actor.StaffID, us(tx.now), us(tx.now.Add(ttl))); err != nil {
		return err
	}
	tx.record(changeEntry(actor, "portal.code", id, clientID))
	return tx.commit(ctx)
}

// RedeemPortalCode consumes a portal code (by hash) and returns its client,
// or EUNAUTHENTICATED for an unknown, used or expired code. The same error
// whatever the reason: it reveals nothing about which codes exist.
func (db *DB) RedeemPortalCode(ctx context.Context, codeHash []byte) (clientID string, err error) {
	defer accord.Wrap(&err, "RedeemPortalCode")
	tx, err := db.begin(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	var id string
	var expires int64
	var used sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT id, client_id, expires_at, used_at FROM portal_codes WHERE code_hash = $1`, codeHash).Scan(&id, &clientID, &expires, &used)
	if err != nil || used.Valid || !tx.now.Before(fromUS(expires)) {
		return "", accord.Errorf(accord.EUNAUTHENTICATED, "that code is not valid; ask for a new one")
	}
	// Only an unused code: two redemptions at once (on PostgreSQL, where
	// both may read it unused) cannot both succeed.
	res, err := tx.ExecContext(ctx, `UPDATE portal_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL`, us(tx.now), id)
	if err != nil {
		return "", err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return "", accord.Errorf(accord.EUNAUTHENTICATED, "that code is not valid; ask for a new one")
	}
	e := accord.AuditEntry{Kind: accord.AuditLogin, ActorID: "client:" + clientID, ClientID: clientID, Action: "portal.login", ObjectID: id}
	tx.record(e)
	return clientID, tx.commit(ctx)
}

// CreatePortalSession stores a client's portal session.
func (db *DB) CreatePortalSession(ctx context.Context, clientID, secret string, ttl time.Duration) error {
	now := db.now()
	_, err := db.write.ExecContext(ctx, `INSERT INTO portal_sessions (id, secret_hash, client_id, created_at, expires_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $4)`,
		accord.NewID("pss", nil), credential.SecretHash(secret), clientID, us(now), us(now.Add(ttl)))
	return err
}

// AuthenticatePortal returns the client of a portal session, or
// EUNAUTHENTICATED. Sessions end after idle without use.
func (db *DB) AuthenticatePortal(ctx context.Context, secret string, idle time.Duration) (string, error) {
	var id, clientID string
	var expires, last int64
	var revoked sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT id, client_id, expires_at, last_used_at, revoked_at FROM portal_sessions WHERE secret_hash = $1`,
		credential.SecretHash(secret)).Scan(&id, &clientID, &expires, &last, &revoked)
	now := db.now()
	if err != nil || revoked.Valid || now.After(fromUS(expires)) || now.Sub(fromUS(last)) > idle {
		return "", accord.Errorf(accord.EUNAUTHENTICATED, "your session has ended; sign in again")
	}
	if _, err := db.FindClient(ctx, clientID); err != nil {
		return "", accord.Errorf(accord.EUNAUTHENTICATED, "your session has ended; sign in again")
	}
	if now.Sub(fromUS(last)) > time.Minute {
		db.write.ExecContext(ctx, `UPDATE portal_sessions SET last_used_at = $1 WHERE id = $2`, us(now), id)
	}
	return clientID, nil
}

// EndPortalSession signs a client out.
func (db *DB) EndPortalSession(ctx context.Context, secret string) error {
	_, err := db.write.ExecContext(ctx, `UPDATE portal_sessions SET revoked_at = $1 WHERE secret_hash = $2`, us(db.now()), credential.SecretHash(secret))
	return err
}

// UseFormToken records that a form was submitted. It returns false and
// the first submission's result when the token was used before (a double
// click, a reload), so the second does nothing.
func (db *DB) UseFormToken(ctx context.Context, token, staffID string) (first bool, result string, err error) {
	if len(token) < 16 || len(token) > 64 {
		return false, "", accord.Errorf(accord.EINVALID, "the form is out of date; open it again")
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO form_tokens (token, staff_id, created_at) VALUES ($1, $2, $3)`, token, staffID, us(db.now()))
	if err == nil {
		return true, "", nil
	}
	if !isUniqueViolation(err) {
		return false, "", err
	}
	err = db.read.QueryRowContext(ctx, `SELECT result FROM form_tokens WHERE token = $1 AND staff_id = $2`, token, staffID).Scan(&result)
	return false, result, err
}

// SetFormResult records where a submitted form led (the page to show a
// second submission).
func (db *DB) SetFormResult(ctx context.Context, token, result string) error {
	_, err := db.write.ExecContext(ctx, `UPDATE form_tokens SET result = $1 WHERE token = $2`, result, token)
	return err
}

// ReleaseFormToken forgets a form token whose submission failed, so the
// corrected form can be sent again.
func (db *DB) ReleaseFormToken(ctx context.Context, token, staffID string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM form_tokens WHERE token = $1 AND staff_id = $2 AND result = ''`, token, staffID)
	return err
}
