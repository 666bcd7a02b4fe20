package sqlstore

import (
	"context"
	"database/sql"

	"github.com/accord-project/accord"
)

// CreateLegalBasis records a court order, statutory duty or emergency
// (break-glass) access. It is queued for oversight review.
func (db *DB) CreateLegalBasis(ctx context.Context, actor accord.Actor, b *accord.LegalBasis) (err error) {
	defer accord.Wrap(&err, "CreateLegalBasis")
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := insertLegalBasis(ctx, tx, actor, b); err != nil {
		return err
	}
	e := changeEntry(actor, "legal_basis.create."+string(b.Kind), b.ID, b.ClientID)
	e.LegalBasisID = b.ID
	e.Obligations = []string{"review"}
	tx.record(e)
	if b.ReviewStatus == accord.ReviewPending {
		if err := db.applyEffects(ctx, tx, reviewDeadline(b)); err != nil {
			return err
		}
	}
	return tx.commit(ctx)
}

func insertLegalBasis(ctx context.Context, tx *Tx, actor accord.Actor, b *accord.LegalBasis) error {
	if b.ID == "" {
		b.ID = accord.NewID(accord.PrefixLegalBasis, nil)
	}
	if b.RecordedAt.IsZero() {
		b.RecordedAt = tx.now
	}
	if b.RecordedBy == "" {
		b.RecordedBy = actor.StaffID
	}
	if b.ValidFrom.IsZero() {
		b.ValidFrom = tx.now
	}
	if b.ReviewStatus == "" {
		b.ReviewStatus = accord.ReviewPending
	}
	if err := b.Validate(); err != nil {
		return err
	}
	if _, err := findClientTx(ctx, tx, b.ClientID); err != nil {
		return accord.FieldErrorf("client_id", "no such client")
	}
	if _, err := findOrgTx(ctx, tx, b.RecipientOrganizationID); err != nil {
		return accord.FieldErrorf("recipient_organization_id", "no such organisation")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO legal_bases (id, kind, client_id, categories, recipient_organization_id, holder_organization_id,
		recipient_staff_id, purposes, reference, issuer, reason, valid_from, expires_at, recorded_by, recorded_at, review_status, reviewed_by,
		reviewed_at, review_note)
		VALUES ($1, $2, $3, $4, $5, $19, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		b.ID, b.Kind, b.ClientID, jsonValue(b.Categories), b.RecipientOrganizationID, b.RecipientStaffID, jsonValue(b.Purposes),
		b.Reference, b.Issuer, b.Reason, us(b.ValidFrom), us(b.ExpiresAt), b.RecordedBy, us(b.RecordedAt), b.ReviewStatus,
		b.ReviewedBy, nullUS(b.ReviewedAt), b.ReviewNote, b.HolderOrganizationID); err != nil {
		if isUniqueViolation(err) {
			return accord.Errorf(accord.ECONFLICT, "a legal basis with this id already exists")
		}
		return err
	}
	if err := tx.policyChanged(ctx, "legal_basis", b.ID); err != nil {
		return err
	}
	return nil
}

// FindLegalBasis returns one legal basis, or ENOTFOUND.
func (db *DB) FindLegalBasis(ctx context.Context, id string) (*accord.LegalBasis, error) {
	bs, err := findLegalBases(ctx, db.read, `WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(bs) == 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "legal basis not found")
	}
	return &bs[0], nil
}

// LegalBases returns the legal bases of one client, or all when clientID is
// "", newest first.
func (db *DB) LegalBases(ctx context.Context, clientID string) ([]accord.LegalBasis, error) {
	if clientID != "" {
		return findLegalBases(ctx, db.read, `WHERE client_id = $1 ORDER BY recorded_at DESC, id`, clientID)
	}
	return findLegalBases(ctx, db.read, `ORDER BY recorded_at DESC, id`)
}

const legalBasisColumns = `id, kind, client_id, categories, recipient_organization_id, holder_organization_id, recipient_staff_id, purposes, reference,
	issuer, reason, valid_from, expires_at, recorded_by, recorded_at, review_status, reviewed_by, reviewed_at, review_note`

func findLegalBases(ctx context.Context, q querier, where string, args ...any) ([]accord.LegalBasis, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+legalBasisColumns+` FROM legal_bases `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []accord.LegalBasis
	for rows.Next() {
		var b accord.LegalBasis
		if err := scanLegalBasis(rows, &b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// scanLegalBasis scans the legalBasisColumns of a row, then extra.
func scanLegalBasis(rows *sql.Rows, b *accord.LegalBasis, extra ...any) error {
	var from, expires, recorded int64
	var reviewed sql.NullInt64
	dest := []any{&b.ID, &b.Kind, &b.ClientID, asJSON(&b.Categories), &b.RecipientOrganizationID, &b.HolderOrganizationID, &b.RecipientStaffID, asJSON(&b.Purposes),
		&b.Reference, &b.Issuer, &b.Reason, &from, &expires, &b.RecordedBy, &recorded, &b.ReviewStatus, &b.ReviewedBy, &reviewed, &b.ReviewNote}
	if err := rows.Scan(append(dest, extra...)...); err != nil {
		return err
	}
	b.ValidFrom, b.ExpiresAt, b.RecordedAt, b.ReviewedAt = fromUS(from), fromUS(expires), fromUS(recorded), fromNullUS(reviewed)
	return nil
}
