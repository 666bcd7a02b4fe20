package sqlstore

import (
	"context"
	"database/sql"

	"github.com/accord-project/accord"
)

// CreateConsent stores a consent for an existing client. The consent is
// validated against the client's age: a minor's needs a guardian.
func (db *DB) CreateConsent(ctx context.Context, actor accord.Actor, c *accord.Consent) (err error) {
	defer accord.Wrap(&err, "CreateConsent")
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := insertConsent(ctx, tx, actor, c); err != nil {
		return err
	}
	e := changeEntry(actor, "consent.create", c.ID, c.ClientID)
	e.ConsentID = c.ID
	tx.record(e)
	return tx.commit(ctx)
}

func insertConsent(ctx context.Context, tx *Tx, actor accord.Actor, c *accord.Consent) error {
	client, err := findClientTx(ctx, tx, c.ClientID)
	if err != nil {
		return err
	}
	if c.ID == "" {
		c.ID = accord.NewID(accord.PrefixConsent, nil)
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = tx.now
	}
	if c.Start.IsZero() {
		c.Start = tx.now
	}
	if c.Status == "" {
		c.Status = accord.ConsentActive
	}
	if c.CollectedBy == "" {
		c.CollectedBy = actor.StaffID
	}
	if c.OrganizationID == "" {
		c.OrganizationID = actor.OrganizationID
	}
	age, known := client.AgeAt(c.Start)
	if err := c.Validate(age, known); err != nil {
		return err
	}
	for _, p := range c.Provisions {
		for _, o := range p.Organizations {
			if _, err := findOrgTx(ctx, tx, o); err != nil {
				return accord.FieldErrorf("provisions.organizations", "no organisation %s", o)
			}
		}
	}
	if c.InterpreterID != "" {
		if err := requireStaffTx(ctx, tx, c.InterpreterID); err != nil {
			return accord.FieldErrorf("interpreter_id", "no staff member %s", c.InterpreterID)
		}
	}
	guardian := ""
	if c.Guardian != nil {
		guardian = jsonValue(c.Guardian)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO consents (id, client_id, status, start_at, end_at, provisions, collected_by, organization_id, method,
		language, interpreter_id, guardian, created_at, revoked_at, revoked_by, revocation_reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		c.ID, c.ClientID, c.Status, us(c.Start), nullUS(c.End), jsonValue(c.Provisions), c.CollectedBy, c.OrganizationID, c.Method,
		c.Language, c.InterpreterID, guardian, us(c.CreatedAt), nullUS(c.RevokedAt), c.RevokedBy, c.RevocationReason); err != nil {
		if isUniqueViolation(err) {
			return accord.Errorf(accord.ECONFLICT, "a consent with this id already exists")
		}
		return err
	}
	if err := tx.policyChanged(ctx, "consent", c.ID); err != nil {
		return err
	}
	return nil
}

// RevokeConsent revokes a consent. It takes effect on the very next decision.
func (db *DB) RevokeConsent(ctx context.Context, actor accord.Actor, id, reason string) (_ *accord.Consent, err error) {
	defer accord.Wrap(&err, "RevokeConsent(%s)", id)
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := findConsent(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := c.CheckRevoke(); err != nil {
		return nil, err
	}
	now := tx.now
	c.Status, c.RevokedAt, c.RevokedBy, c.RevocationReason = accord.ConsentRevoked, &now, actor.StaffID, reason
	if _, err := tx.ExecContext(ctx, `UPDATE consents SET status = $1, revoked_at = $2, revoked_by = $3, revocation_reason = $4 WHERE id = $5 AND status = 'active'`,
		c.Status, us(now), c.RevokedBy, reason, id); err != nil {
		return nil, err
	}
	if err := tx.policyChanged(ctx, "consent", id); err != nil {
		return nil, err
	}
	e := changeEntry(actor, "consent.revoke", id, c.ClientID)
	e.ConsentID = id
	tx.record(e)
	return c, tx.commit(ctx)
}

// FindConsent returns a consent, or ENOTFOUND.
func (db *DB) FindConsent(ctx context.Context, id string) (*accord.Consent, error) {
	return findConsent(ctx, db.read, id)
}

// ClientConsents returns every consent of a client, newest first.
func (db *DB) ClientConsents(ctx context.Context, clientID string) ([]accord.Consent, error) {
	return findConsents(ctx, db.read, `WHERE client_id = $1 ORDER BY created_at DESC, id`, clientID)
}

func findConsent(ctx context.Context, q querier, id string) (*accord.Consent, error) {
	if !accord.ValidID(accord.PrefixConsent, id) {
		return nil, accord.Errorf(accord.ENOTFOUND, "consent not found")
	}
	cs, err := findConsents(ctx, q, `WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "consent not found")
	}
	return &cs[0], nil
}

func findConsents(ctx context.Context, q querier, where string, args ...any) ([]accord.Consent, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, client_id, status, start_at, end_at, provisions, collected_by, organization_id, method, language,
		interpreter_id, guardian, created_at, revoked_at, revoked_by, revocation_reason FROM consents `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []accord.Consent
	for rows.Next() {
		var c accord.Consent
		var start, created int64
		var end, revoked sql.NullInt64
		var guardian string
		if err := rows.Scan(&c.ID, &c.ClientID, &c.Status, &start, &end, asJSON(&c.Provisions), &c.CollectedBy, &c.OrganizationID, &c.Method,
			&c.Language, &c.InterpreterID, &guardian, &created, &revoked, &c.RevokedBy, &c.RevocationReason); err != nil {
			return nil, err
		}
		if guardian != "" {
			c.Guardian = new(accord.Guardian)
			if err := asJSON(c.Guardian).Scan(guardian); err != nil {
				return nil, err
			}
		}
		c.Start, c.End, c.CreatedAt, c.RevokedAt = fromUS(start), fromNullUS(end), fromUS(created), fromNullUS(revoked)
		out = append(out, c)
	}
	return out, rows.Err()
}

func findClientTx(ctx context.Context, q querier, id string) (*accord.Client, error) {
	var c accord.Client
	err := scanClient(q.QueryRowContext(ctx, `SELECT `+clientColumns+` FROM clients WHERE id = $1 AND erased_at IS NULL AND merged_into = ''`, id), &c)
	if err == sql.ErrNoRows {
		return nil, accord.Errorf(accord.ENOTFOUND, "client not found")
	}
	return &c, err
}

func requireStaffTx(ctx context.Context, q querier, id string) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM staff WHERE id = $1`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return accord.Errorf(accord.ENOTFOUND, "staff member not found")
	}
	return nil
}
