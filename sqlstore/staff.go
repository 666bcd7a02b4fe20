package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/credential"
)

// CreateStaff stores a new staff member. passwordHash may be empty (no
// password sign-in, tokens only).
func (db *DB) CreateStaff(ctx context.Context, actor accord.Actor, s *accord.Staff, passwordHash string) (err error) {
	defer accord.Wrap(&err, "CreateStaff")
	if err := s.Validate(); err != nil {
		return err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := insertStaff(ctx, tx, s, passwordHash); err != nil {
		return err
	}
	tx.record(changeEntry(actor, "staff.create", s.ID, ""))
	return tx.commit(ctx)
}

func insertStaff(ctx context.Context, tx *Tx, s *accord.Staff, passwordHash string) error {
	if _, err := findOrgTx(ctx, tx, s.OrganizationID); err != nil {
		return accord.FieldErrorf("organization_id", "no such organisation")
	}
	if s.ID == "" {
		s.ID = accord.NewID(accord.PrefixStaff, nil)
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = tx.now
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO staff (id, organization_id, username, display_name, roles, languages, active, password_hash, created_at, email)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		s.ID, s.OrganizationID, s.Username, s.DisplayName, jsonValue(s.Roles), jsonValue(s.Languages), s.Active, passwordHash, us(s.CreatedAt), s.Email); err != nil {
		if isUniqueViolation(err) {
			return &accord.Error{Code: accord.ECONFLICT, Field: "username", Format: "that username is taken"}
		}
		return err
	}
	return nil
}

func findOrgTx(ctx context.Context, q querier, id string) (*accord.Organization, error) {
	orgs, err := findOrganizations(ctx, q, "WHERE id = $1", id)
	if err != nil {
		return nil, err
	}
	if len(orgs) == 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "organisation not found")
	}
	return &orgs[0], nil
}

const staffColumns = `id, organization_id, username, display_name, roles, languages, active, created_at, email`

func scanStaff(sc interface{ Scan(...any) error }, s *accord.Staff) error {
	var created int64
	if err := sc.Scan(&s.ID, &s.OrganizationID, &s.Username, &s.DisplayName, asJSON(&s.Roles), asJSON(&s.Languages), &s.Active, &created, &s.Email); err != nil {
		return err
	}
	s.CreatedAt = fromUS(created)
	return nil
}

// FindStaff returns one staff member, or ENOTFOUND.
func (db *DB) FindStaff(ctx context.Context, id string) (*accord.Staff, error) {
	var s accord.Staff
	err := scanStaff(db.read.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = $1`, id), &s)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, accord.Errorf(accord.ENOTFOUND, "staff member not found")
	}
	return &s, err
}

// StaffList returns the staff of one organisation, or of all when orgID is "".
func (db *DB) StaffList(ctx context.Context, orgID string) ([]accord.Staff, error) {
	q := `SELECT ` + staffColumns + ` FROM staff`
	var args []any
	if orgID != "" {
		q += ` WHERE organization_id = $1`
		args = append(args, orgID)
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY organization_id, username`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []accord.Staff
	for rows.Next() {
		var s accord.Staff
		if err := scanStaff(rows, &s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Principal is an authenticated staff member with their organisation.
type Principal struct {
	Staff        accord.Staff
	Organization accord.Organization
	CredentialID string
	// Session reports whether the credential is a sign-in session (not an API token).
	Session bool
}

// Actor returns the principal as a decision-point actor.
func (p *Principal) Actor() accord.Actor {
	return accord.Actor{
		StaffID:        p.Staff.ID,
		OrganizationID: p.Staff.OrganizationID,
		Sector:         p.Organization.Sector,
		Roles:          p.Staff.RoleSet(),
	}
}

// CreateCredential stores a bearer secret (API token or session) for a staff
// member and returns its id. The secret itself is never stored.
func (db *DB) CreateCredential(ctx context.Context, actor accord.Actor, kind, staffID, secret, name string, ttl time.Duration) (id string, err error) {
	defer accord.Wrap(&err, "CreateCredential")
	tx, err := db.begin(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	if id, err = insertCredential(ctx, tx, kind, staffID, secret, name, ttl); err != nil {
		return "", err
	}
	action := "token.create"
	if kind == "session" {
		action = "login.success"
	}
	e := changeEntry(actor, action, id, "")
	if kind == "session" {
		e.Kind = accord.AuditLogin
	}
	tx.record(e)
	return id, tx.commit(ctx)
}

func insertCredential(ctx context.Context, tx *Tx, kind, staffID, secret, name string, ttl time.Duration) (string, error) {
	id := accord.NewID(accord.PrefixToken, nil)
	_, err := tx.ExecContext(ctx, `INSERT INTO credentials (id, kind, secret_hash, staff_id, name, created_at, expires_at, last_used_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $6)`,
		id, kind, credential.SecretHash(secret), staffID, name, us(tx.now), us(tx.now.Add(ttl)))
	if isUniqueViolation(err) {
		return "", accord.Errorf(accord.ECONFLICT, "this credential already exists")
	}
	return id, err
}

// Authenticate returns the principal holding the bearer secret, or
// EUNAUTHENTICATED when it is unknown, expired, revoked or its staff member
// is inactive. Sessions slide: each use extends an idle timeout.
func (db *DB) Authenticate(ctx context.Context, secret string, idle time.Duration) (*Principal, error) {
	var p Principal
	var kind string
	var expires, lastUsed int64
	var revoked sql.NullInt64
	row := db.queryRow(ctx, `SELECT c.id, c.kind, c.expires_at, c.last_used_at, c.revoked_at,
		s.id, s.organization_id, s.username, s.display_name, s.roles, s.languages, s.active, s.created_at,
		o.id, o.name, o.sector, o.country, o.created_at
		FROM credentials c JOIN staff s ON s.id = c.staff_id JOIN organizations o ON o.id = s.organization_id
		WHERE c.secret_hash = $1`, credential.SecretHash(secret))
	var sCreated, oCreated int64
	err := row.Scan(&p.CredentialID, &kind, &expires, &lastUsed, &revoked,
		&p.Staff.ID, &p.Staff.OrganizationID, &p.Staff.Username, &p.Staff.DisplayName, asJSON(&p.Staff.Roles), asJSON(&p.Staff.Languages), &p.Staff.Active, &sCreated,
		&p.Organization.ID, &p.Organization.Name, &p.Organization.Sector, &p.Organization.Country, &oCreated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, accord.Errorf(accord.EUNAUTHENTICATED, "the credentials are not valid")
	}
	if err != nil {
		return nil, err
	}
	p.Staff.CreatedAt, p.Organization.CreatedAt = fromUS(sCreated), fromUS(oCreated)
	p.Session = kind == "session"
	now := db.now()
	switch {
	case revoked.Valid, !p.Staff.Active, now.After(fromUS(expires)), kind == "pending":
		return nil, accord.Errorf(accord.EUNAUTHENTICATED, "the credentials are not valid")
	case kind == "session" && now.Sub(fromUS(lastUsed)) > idle:
		return nil, accord.Errorf(accord.EUNAUTHENTICATED, "the session has ended after a period of inactivity; sign in again")
	}
	if kind == "session" && now.Sub(fromUS(lastUsed)) > time.Minute {
		// Touch at most once a minute: the sliding window needs no finer grain,
		// and reads stay reads.
		if _, err := db.write.ExecContext(ctx, `UPDATE credentials SET last_used_at = $1 WHERE id = $2`, us(now), p.CredentialID); err != nil {
			return nil, err
		}
	}
	return &p, nil
}

// RevokeCredential ends a session or token; only its owner's id may be given.
func (db *DB) RevokeCredential(ctx context.Context, actor accord.Actor, id string) (err error) {
	defer accord.Wrap(&err, "RevokeCredential")
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE credentials SET revoked_at = $1 WHERE id = $2 AND staff_id = $3 AND revoked_at IS NULL`, us(tx.now), id, actor.StaffID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return accord.Errorf(accord.ENOTFOUND, "no such active session or token")
	}
	tx.record(changeEntry(actor, "credential.revoke", id, ""))
	return tx.commit(ctx)
}

// PasswordHash returns a staff member's id and password hash by username,
// or ENOTFOUND.
func (db *DB) PasswordHash(ctx context.Context, username string) (staffID, hash string, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT id, password_hash FROM staff WHERE username = $1 AND active`, username).Scan(&staffID, &hash)
	if errors.Is(err, sql.ErrNoRows) || err == nil && hash == "" {
		return "", "", accord.Errorf(accord.ENOTFOUND, "no such user")
	}
	return staffID, hash, err
}

// RecordLoginFailure appends an audit entry for a failed sign-in. The
// username is not logged (it may be a mistyped password); the staff id is,
// when the username exists.
func (db *DB) RecordLoginFailure(ctx context.Context, staffID string) error {
	id := staffID
	if id == "" {
		id = "unknown"
	}
	return db.AppendAudit(ctx, accord.AuditEntry{Kind: accord.AuditLogin, ActorID: id, Action: "login.failure"})
}
