package sqlstore

import (
	"context"
	"slices"
	"time"

	"github.com/accord-project/accord"
)

// CreateAgreement stores version 1 of a new agreement, as a draft (or with
// the status given, for imports and the demo: any signatories must be
// present for an active one).
func (db *DB) CreateAgreement(ctx context.Context, actor accord.Actor, a *accord.Agreement) (err error) {
	defer accord.Wrap(&err, "CreateAgreement")
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if a.ID == "" {
		a.ID = accord.NewID(accord.PrefixAgreement, nil)
	}
	if a.Version == 0 {
		a.Version = 1
	}
	if a.Status == "" {
		a.Status = accord.AgreementDraft
	}
	if err := db.insertAgreement(ctx, tx, actor, a); err != nil {
		return err
	}
	tx.record(agreementEntry(actor, "agreement.create", a))
	return tx.commit(ctx)
}

// AmendAgreement stores a new draft version of an existing agreement. The
// versions before it are untouched until the new one is activated.
func (db *DB) AmendAgreement(ctx context.Context, actor accord.Actor, a *accord.Agreement) (err error) {
	defer accord.Wrap(&err, "AmendAgreement(%s)", a.ID)
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	versions, err := findAgreements(ctx, tx, `WHERE id = $1 ORDER BY version`, a.ID)
	if err != nil {
		return err
	}
	if len(versions) == 0 {
		return accord.Errorf(accord.ENOTFOUND, "agreement not found")
	}
	latest := versions[len(versions)-1]
	if latest.Status == accord.AgreementDraft {
		return accord.Errorf(accord.ECONFLICT, "version %d of this agreement is still a draft: activate or terminate it before drafting another version", latest.Version)
	}
	a.Version = latest.Version + 1
	a.Status = accord.AgreementDraft
	a.Signatories = nil
	a.CreatedAt = time.Time{}
	if err := db.insertAgreement(ctx, tx, actor, a); err != nil {
		return err
	}
	tx.record(agreementEntry(actor, "agreement.amend", a))
	return tx.commit(ctx)
}

func (db *DB) insertAgreement(ctx context.Context, tx *Tx, actor accord.Actor, a *accord.Agreement) error {
	if err := a.Validate(); err != nil {
		return err
	}
	for _, p := range a.Parties {
		if _, err := findOrgTx(ctx, tx, p); err != nil {
			return accord.FieldErrorf("parties", "no organisation %s", p)
		}
	}
	for _, p := range a.ProhibitedRecipients {
		if _, err := findOrgTx(ctx, tx, p); err != nil {
			return accord.FieldErrorf("prohibited_recipients", "no organisation %s", p)
		}
	}
	if a.Status == accord.AgreementActive {
		probe := *a
		probe.Status = accord.AgreementDraft
		if err := probe.CheckTransition(accord.AgreementActive, tx.now); err != nil && a.EffectiveUntil.After(tx.now) {
			return err
		}
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = tx.now
	}
	if a.CreatedBy == "" {
		a.CreatedBy = actor.StaffID
	}
	a.UpdatedAt = a.CreatedAt
	sla := "{}"
	if len(a.EscalationSLA) > 0 {
		sla = jsonValue(a.EscalationSLA)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO agreements (id, version, title, parties, purposes, categories, roles, retention_days, effective_from,
		effective_until, review_date, prohibited_recipients, signatories, status, status_reason, created_by, created_at, updated_at, escalation_sla)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		a.ID, a.Version, a.Title, jsonValue(a.Parties), jsonValue(a.Purposes), jsonValue(a.Categories), jsonValue(a.Roles), a.RetentionDays,
		us(a.EffectiveFrom), us(a.EffectiveUntil), us(a.ReviewDate), jsonValue(a.ProhibitedRecipients), jsonValue(a.Signatories),
		a.Status, a.StatusReason, a.CreatedBy, us(a.CreatedAt), us(a.UpdatedAt), sla)
	if isUniqueViolation(err) {
		return accord.Errorf(accord.ECONFLICT, "this agreement version already exists")
	}
	if err != nil {
		return err
	}
	return tx.policyChanged(ctx, "agreement", a.ID)
}

func agreementEntry(actor accord.Actor, action string, a *accord.Agreement) accord.AuditEntry {
	e := changeEntry(actor, action, a.ID, "")
	e.AgreementID, e.AgreementVersion = a.ID, a.Version
	return e
}

// SignAgreement adds a signatory for the signer's organisation to a draft version.
func (db *DB) SignAgreement(ctx context.Context, actor accord.Actor, id string, version int, s accord.Signatory) (_ *accord.Agreement, err error) {
	defer accord.Wrap(&err, "SignAgreement(%s)", id)
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	a, err := findAgreementVersion(ctx, tx, id, version)
	if err != nil {
		return nil, err
	}
	if a.Status != accord.AgreementDraft {
		return nil, accord.Errorf(accord.ECONFLICT, "only a draft can be signed; this version is %s", string(a.Status))
	}
	if !slices.Contains(a.Parties, s.OrganizationID) {
		return nil, accord.Errorf(accord.EFORBIDDEN, "only a party to the agreement can sign it")
	}
	if slices.ContainsFunc(a.Signatories, func(x accord.Signatory) bool { return x.OrganizationID == s.OrganizationID }) {
		return nil, accord.Errorf(accord.ECONFLICT, "your organisation has already signed this version")
	}
	s.SignedAt = tx.now
	a.Signatories = append(a.Signatories, s)
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE agreements SET signatories = $1, updated_at = $2 WHERE id = $3 AND version = $4`,
		jsonValue(a.Signatories), us(tx.now), id, a.Version); err != nil {
		return nil, err
	}
	a.UpdatedAt = tx.now
	tx.record(agreementEntry(actor, "agreement.sign", a))
	return a, tx.commit(ctx)
}

// SetAgreementStatus moves a version to a new status (activate, suspend,
// terminate). Activating a version supersedes the versions before it.
func (db *DB) SetAgreementStatus(ctx context.Context, actor accord.Actor, id string, version int, to accord.AgreementStatus, reason string) (_ *accord.Agreement, err error) {
	defer accord.Wrap(&err, "SetAgreementStatus(%s)", id)
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	a, err := findAgreementVersion(ctx, tx, id, version)
	if err != nil {
		return nil, err
	}
	if a.EffectiveStatus(tx.now) == accord.AgreementExpired {
		return nil, accord.Errorf(accord.ECONFLICT, "this agreement has passed its sunset date; amend it to make a new version")
	}
	if err := a.CheckTransition(to, tx.now); err != nil {
		return nil, err
	}
	if (to == accord.AgreementSuspended || to == accord.AgreementTerminated) && reason == "" {
		return nil, accord.FieldErrorf("reason", "say why the agreement is being %s", string(to))
	}
	if to == accord.AgreementActive {
		if _, err := tx.ExecContext(ctx, `UPDATE agreements SET status = $1, updated_at = $2 WHERE id = $3 AND version < $4 AND status IN ('active', 'suspended', 'draft')`,
			accord.AgreementSuperseded, us(tx.now), id, a.Version); err != nil {
			return nil, err
		}
	}
	a.Status, a.StatusReason, a.UpdatedAt = to, reason, tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE agreements SET status = $1, status_reason = $2, updated_at = $3 WHERE id = $4 AND version = $5`,
		to, reason, us(tx.now), id, a.Version); err != nil {
		return nil, err
	}
	if err := tx.policyChanged(ctx, "agreement", id); err != nil {
		return nil, err
	}
	tx.record(agreementEntry(actor, "agreement."+string(to), a))
	return a, tx.commit(ctx)
}

// ExpireAgreements records as expired every active or suspended version
// past its sunset date, and returns how many there were.
func (db *DB) ExpireAgreements(ctx context.Context) (n int, err error) {
	defer accord.Wrap(&err, "ExpireAgreements")
	tx, err := db.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	due, err := findAgreements(ctx, tx, `WHERE status IN ('active', 'suspended') AND effective_until <= $1`, us(tx.now))
	if err != nil || len(due) == 0 {
		return 0, err
	}
	for i := range due {
		a := &due[i]
		if _, err := tx.ExecContext(ctx, `UPDATE agreements SET status = 'expired', updated_at = $1 WHERE id = $2 AND version = $3`, us(tx.now), a.ID, a.Version); err != nil {
			return 0, err
		}
		if err := tx.policyChanged(ctx, "agreement", a.ID); err != nil {
			return 0, err
		}
		a.Status = accord.AgreementExpired
		tx.record(agreementEntry(accord.Actor{}, "agreement.expired", a))
	}
	return len(due), tx.commit(ctx)
}

// FindAgreement returns every version of an agreement, oldest first, or ENOTFOUND.
func (db *DB) FindAgreement(ctx context.Context, id string) ([]accord.Agreement, error) {
	as, err := findAgreements(ctx, db.read, `WHERE id = $1 ORDER BY version`, id)
	if err == nil && len(as) == 0 {
		err = accord.Errorf(accord.ENOTFOUND, "agreement not found")
	}
	return as, err
}

// Agreements returns the latest version of every agreement, by title.
func (db *DB) Agreements(ctx context.Context) ([]accord.Agreement, error) {
	return findAgreements(ctx, db.read, `a WHERE version = (SELECT max(version) FROM agreements b WHERE b.id = a.id) ORDER BY title, id`)
}

func findAgreementVersion(ctx context.Context, q querier, id string, version int) (*accord.Agreement, error) {
	as, err := findAgreements(ctx, q, `WHERE id = $1 AND version = $2`, id, version)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "agreement version not found")
	}
	return &as[0], nil
}

func findAgreements(ctx context.Context, q querier, where string, args ...any) ([]accord.Agreement, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, version, title, parties, purposes, categories, roles, retention_days, effective_from, effective_until,
		review_date, prohibited_recipients, signatories, status, status_reason, created_by, created_at, updated_at, escalation_sla FROM agreements `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []accord.Agreement
	for rows.Next() {
		var a accord.Agreement
		var from, until, review, created, updated int64
		if err := rows.Scan(&a.ID, &a.Version, &a.Title, asJSON(&a.Parties), asJSON(&a.Purposes), asJSON(&a.Categories), asJSON(&a.Roles),
			&a.RetentionDays, &from, &until, &review, asJSON(&a.ProhibitedRecipients), asJSON(&a.Signatories), &a.Status, &a.StatusReason,
			&a.CreatedBy, &created, &updated, asJSON(&a.EscalationSLA)); err != nil {
			return nil, err
		}
		if len(a.EscalationSLA) == 0 {
			a.EscalationSLA = nil
		}
		a.EffectiveFrom, a.EffectiveUntil, a.ReviewDate = fromUS(from), fromUS(until), fromUS(review)
		a.CreatedAt, a.UpdatedAt = fromUS(created), fromUS(updated)
		out = append(out, a)
	}
	return out, rows.Err()
}
