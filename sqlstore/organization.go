package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/accord-project/accord"
)

// CreateOrganization stores a new organisation and gives it a data key.
// The audit entry records actorID as the one who made the change.
func (db *DB) CreateOrganization(ctx context.Context, actor accord.Actor, o *accord.Organization) (err error) {
	defer accord.Wrap(&err, "CreateOrganization")
	if err := o.Validate(); err != nil {
		return err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.insertOrganization(ctx, tx, o); err != nil {
		return err
	}
	tx.record(changeEntry(actor, "organization.create", o.ID, ""))
	return tx.commit(ctx)
}

func (db *DB) insertOrganization(ctx context.Context, tx *Tx, o *accord.Organization) error {
	if o.ID == "" {
		o.ID = accord.NewID(accord.PrefixOrganization, nil)
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = tx.now
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO organizations (id, name, sector, country, created_at) VALUES ($1, $2, $3, $4, $5)`,
		o.ID, o.Name, o.Sector, o.Country, us(o.CreatedAt)); err != nil {
		if isUniqueViolation(err) {
			return accord.Errorf(accord.ECONFLICT, "an organisation with this id already exists")
		}
		return err
	}
	if err := db.createOrgKey(ctx, tx, o.ID, 1); err != nil {
		return err
	}
	return tx.policyChanged(ctx, "organization", o.ID)
}

// FindOrganization returns one organisation, or ENOTFOUND.
func (db *DB) FindOrganization(ctx context.Context, id string) (*accord.Organization, error) {
	orgs, err := findOrganizations(ctx, db.read, "WHERE id = $1", id)
	if err != nil {
		return nil, err
	}
	if len(orgs) == 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "organisation not found")
	}
	return &orgs[0], nil
}

// Organizations returns every organisation, by name.
func (db *DB) Organizations(ctx context.Context) ([]accord.Organization, error) {
	rows, err := db.query(ctx, `SELECT id, name, sector, country, created_at FROM organizations ORDER BY name`)
	if err != nil {
		return nil, err
	}
	return scanOrganizations(rows)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func findOrganizations(ctx context.Context, q querier, where string, args ...any) ([]accord.Organization, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, sector, country, created_at FROM organizations `+where, args...)
	if err != nil {
		return nil, err
	}
	return scanOrganizations(rows)
}

func scanOrganizations(rows *sql.Rows) ([]accord.Organization, error) {
	defer rows.Close()
	var out []accord.Organization
	for rows.Next() {
		var o accord.Organization
		var created int64
		if err := rows.Scan(&o.ID, &o.Name, &o.Sector, &o.Country, &created); err != nil {
			return nil, err
		}
		o.CreatedAt = fromUS(created)
		out = append(out, o)
	}
	return out, rows.Err()
}

// changeEntry is the audit entry for a change to an object.
func changeEntry(actor accord.Actor, action, objectID, clientID string) accord.AuditEntry {
	id := actor.StaffID
	if id == "" {
		id = "system"
	}
	return accord.AuditEntry{
		Kind:                accord.AuditChange,
		ActorID:             id,
		ActorOrganizationID: actor.OrganizationID,
		ClientID:            clientID,
		Action:              action,
		ObjectID:            objectID,
	}
}

// isUniqueViolation reports whether err is a unique or primary key violation
// in either engine.
func isUniqueViolation(err error) bool {
	var coder interface{ SQLState() string }
	if errors.As(err, &coder) {
		return coder.SQLState() == "23505"
	}
	var sqliteErr interface{ Code() int }
	if errors.As(err, &sqliteErr) {
		// SQLITE_CONSTRAINT_UNIQUE (2067) and SQLITE_CONSTRAINT_PRIMARYKEY (1555).
		return sqliteErr.Code() == 2067 || sqliteErr.Code() == 1555
	}
	return false
}
