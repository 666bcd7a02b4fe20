package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/accord-project/accord"
)

// Importer loads many objects in one transaction: the demo partnership, or
// data migrated from another system. Each object is validated as by its
// Create method; one audit entry records the import with its counts.
type Importer struct {
	db     *DB
	tx     *Tx
	ctx    context.Context
	actor  accord.Actor
	counts int
	// keys holds the client keys the import opened or created, by client
	// and organisation (import_casework.go).
	keys map[[2]string][]byte
}

// Import runs load in one transaction and commits it if load returns nil.
// action names the import in the audit log ("demo.load").
func (db *DB) Import(ctx context.Context, actor accord.Actor, action string, load func(im *Importer) error) (err error) {
	defer accord.Wrap(&err, "Import(%s)", action)
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if db.engine == SQLite {
		tx.prepared = map[string]*sql.Stmt{} // pgx caches statements itself
	}
	im := &Importer{db: db, tx: tx, ctx: ctx, actor: actor}
	if err := load(im); err != nil {
		return err
	}
	e := changeEntry(actor, action, "", "")
	e.Count = im.counts
	tx.record(e)
	return tx.commit(ctx)
}

// Now returns the time of the import transaction.
func (im *Importer) Now() time.Time { return im.tx.now }

// Organization imports an organisation (and creates its data key).
func (im *Importer) Organization(o *accord.Organization) error {
	if err := o.Validate(); err != nil {
		return err
	}
	im.counts++
	return im.db.insertOrganization(im.ctx, im.tx, o)
}

// Staff imports a staff member with a password hash (may be empty).
func (im *Importer) Staff(s *accord.Staff, passwordHash string) error {
	if err := s.Validate(); err != nil {
		return err
	}
	im.counts++
	return insertStaff(im.ctx, im.tx, s, passwordHash)
}

// Token imports an API token for a staff member.
func (im *Importer) Token(staffID, secret, name string, ttl time.Duration) error {
	_, err := insertCredential(im.ctx, im.tx, "token", staffID, secret, name, ttl)
	return err
}

// Client imports a client.
func (im *Importer) Client(c *accord.Client) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = im.tx.now
	}
	c.UpdatedAt, c.Version = c.CreatedAt, 1
	if err := c.Validate(im.tx.now); err != nil {
		return err
	}
	im.counts++
	return insertClient(im.ctx, im.tx, c)
}

// Area adds one of the partnership's areas.
func (im *Importer) Area(a *accord.Area) error {
	if err := a.Validate(); err != nil {
		return err
	}
	im.counts++
	return insertArea(im.ctx, im.tx, a)
}

// CareTeam puts staff on a client's care team.
func (im *Importer) CareTeam(clientID string, staffIDs ...string) error {
	for _, s := range staffIDs {
		if err := addCareTeam(im.ctx, im.tx, clientID, s); err != nil {
			return err
		}
	}
	return nil
}

// Record imports a record, sealing it.
func (im *Importer) Record(r *accord.Record) error {
	if err := r.Validate(); err != nil {
		return err
	}
	im.counts++
	return im.db.insertRecord(im.ctx, im.tx, r)
}

// Agreement imports an agreement version with its status.
func (im *Importer) Agreement(a *accord.Agreement) error {
	im.counts++
	return im.db.insertAgreement(im.ctx, im.tx, im.actor, a)
}

// Consent imports a consent (active, expired or revoked).
func (im *Importer) Consent(c *accord.Consent) error {
	im.counts++
	return insertConsent(im.ctx, im.tx, im.actor, c)
}

// LegalBasis imports a legal basis.
func (im *Importer) LegalBasis(b *accord.LegalBasis) error {
	im.counts++
	return insertLegalBasis(im.ctx, im.tx, im.actor, b)
}

// EscalationChain imports an organisation's escalation contacts.
func (im *Importer) EscalationChain(orgID string, staffIDs []string) error {
	for i, s := range staffIDs {
		if _, err := im.tx.ExecContext(im.ctx, `INSERT INTO escalation_contacts (organization_id, level, staff_id) VALUES ($1, $2, $3)`, orgID, i, s); err != nil {
			return err
		}
	}
	return nil
}

// Service imports a directory entry.
func (im *Importer) Service(s *accord.Service) error {
	if err := s.Validate(); err != nil {
		return err
	}
	im.counts++
	_, err := im.tx.ExecContext(im.ctx, `INSERT INTO services (id, organization_id, name, description, eligibility, languages, address, email, phone, categories, status)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, s.ID, s.OrganizationID, s.Name, s.Description, s.Eligibility, jsonValue(s.Languages),
		s.Address, s.Email, s.Phone, jsonValue(s.Categories), s.Status)
	return err
}

// SetMeta stores a key/value pair about the database ("demo_seed").
func (im *Importer) SetMeta(key, value string) error {
	_, err := im.tx.ExecContext(im.ctx, `INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// Meta returns a stored key/value, or "" when unset.
func (db *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// AuditHistory imports past audit log entries (the demo's history of
// staff reading clients). They must be in time order, before the import
// and after every entry already in the log, since the log is kept in time
// order; they are appended with the import's own entry.
func (im *Importer) AuditHistory(es []accord.AuditEntry) error {
	var last nullUSCol
	if err := im.tx.QueryRowContext(im.ctx, `SELECT max(time) FROM audit_entries`).Scan(&last); err != nil {
		return err
	}
	prev := atUS(last)
	for _, e := range es {
		if len(im.tx.audit) > 0 {
			prev = im.tx.audit[len(im.tx.audit)-1].Time
		}
		if e.Time.Before(prev) || !e.Time.Before(im.tx.now) {
			return accord.Errorf(accord.EINVALID, "audit history must be in time order, after the log's last entry and before now")
		}
		im.tx.record(e)
	}
	im.counts += len(es)
	return nil
}
