package sqlstore

import (
	"context"
	"strings"

	"github.com/accord-project/accord"
)

// CreateService adds a service to the directory.
func (db *DB) CreateService(ctx context.Context, actor accord.Actor, s *accord.Service) (err error) {
	defer accord.Wrap(&err, "CreateService")
	if s.Status == "" {
		s.Status = "active"
	}
	if err := s.Validate(); err != nil {
		return err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findOrgTx(ctx, tx, s.OrganizationID); err != nil {
		return accord.FieldErrorf("organization_id", "no such organisation")
	}
	if s.ID == "" {
		s.ID = accord.NewID(accord.PrefixService, nil)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO services (id, organization_id, name, description, eligibility, languages, address, email, phone, categories, status)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, s.ID, s.OrganizationID, s.Name, s.Description, s.Eligibility, jsonValue(s.Languages),
		s.Address, s.Email, s.Phone, jsonValue(s.Categories), s.Status); err != nil {
		return err
	}
	tx.record(changeEntry(actor, "service.create", s.ID, ""))
	return tx.commit(ctx)
}

// Services returns active directory entries whose name, description or
// categories contain q (all when q is empty), offered in language lang when
// given.
func (db *DB) Services(ctx context.Context, q, lang string) ([]accord.Service, error) {
	all, err := findServices(ctx, db.read, `WHERE status = 'active' ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	q = strings.ToLower(strings.TrimSpace(q))
	var out []accord.Service
	for _, s := range all {
		if q != "" && !strings.Contains(strings.ToLower(s.Name+" "+s.Description+" "+strings.Join(s.Categories, " ")), q) {
			continue
		}
		if lang != "" && !speaks(s.Languages, lang) {
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

func speaks(langs []string, lang string) bool {
	base := strings.SplitN(lang, "-", 2)[0]
	for _, l := range langs {
		if l == lang || strings.SplitN(l, "-", 2)[0] == base {
			return true
		}
	}
	return false
}

// FindService returns one directory entry, or ENOTFOUND.
func (db *DB) FindService(ctx context.Context, id string) (*accord.Service, error) {
	return findService(ctx, db.read, id)
}

func findService(ctx context.Context, q querier, id string) (*accord.Service, error) {
	ss, err := findServices(ctx, q, `WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ss) == 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "service not found")
	}
	return &ss[0], nil
}

func findServices(ctx context.Context, q querier, where string, args ...any) ([]accord.Service, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, organization_id, name, description, eligibility, languages, address, email, phone, categories, status FROM services `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []accord.Service
	for rows.Next() {
		var s accord.Service
		if err := rows.Scan(&s.ID, &s.OrganizationID, &s.Name, &s.Description, &s.Eligibility, asJSON(&s.Languages), &s.Address, &s.Email, &s.Phone,
			asJSON(&s.Categories), &s.Status); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
