package sqlstore

import (
	"context"
	"time"

	"github.com/accord-project/accord"
)

// Screening is one completed questionnaire for a client: the response is
// sealed (it may say a client is unsafe at home); the needs it identified
// are codes.
type Screening struct {
	ID              string         `json:"id"`
	ClientID        string         `json:"client_id"`
	OrganizationID  string         `json:"organization_id"`
	Questionnaire   string         `json:"questionnaire"` // canonical url|version
	Response        []byte         `json:"-"`             // QuestionnaireResponse JSON
	Needs           []ScreenedNeed `json:"needs"`
	Language        string         `json:"language"`
	InterpreterUsed bool           `json:"interpreter_used"`
	RecordedBy      string         `json:"recorded_by"`
	RecordedAt      time.Time      `json:"recorded_at"`
}

// ScreenedNeed is a need code with its urgency.
type ScreenedNeed struct {
	Code    string `json:"code"`
	Urgency string `json:"urgency"`
}

// CreateScreening stores a screening.
func (db *DB) CreateScreening(ctx context.Context, actor accord.Actor, s *Screening) (err error) {
	defer accord.Wrap(&err, "CreateScreening")
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findClientTx(ctx, tx, s.ClientID); err != nil {
		return err
	}
	s.ID, s.RecordedBy, s.RecordedAt = accord.NewID(accord.PrefixScreening, nil), actor.StaffID, tx.now
	resp, err := db.sealText(ctx, tx, s.ClientID, s.OrganizationID, "screening/"+s.ID, string(s.Response))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO screenings (id, client_id, organization_id, questionnaire, response, needs, language, interpreter_used, recorded_by, recorded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, s.ID, s.ClientID, s.OrganizationID, s.Questionnaire, resp, jsonValue(s.Needs), s.Language,
		s.InterpreterUsed, s.RecordedBy, us(tx.now)); err != nil {
		return err
	}
	tx.record(changeEntry(actor, "screening.record", s.ID, s.ClientID))
	return tx.commit(ctx)
}

// Screenings returns a client's screenings held by org (all orgs when ""),
// newest first, with responses opened when open is set.
func (db *DB) Screenings(ctx context.Context, clientID, orgID string, open bool) ([]Screening, error) {
	q := `SELECT id, client_id, organization_id, questionnaire, response, needs, language, interpreter_used, recorded_by, recorded_at FROM screenings WHERE client_id = $1`
	args := []any{clientID}
	if orgID != "" {
		q += ` AND organization_id = $2`
		args = append(args, orgID)
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY recorded_at DESC, id`, args...)
	if err != nil {
		return nil, err
	}
	var out []Screening
	for rows.Next() {
		var s Screening
		var at int64
		if err := rows.Scan(&s.ID, &s.ClientID, &s.OrganizationID, &s.Questionnaire, &s.Response, asJSON(&s.Needs), &s.Language, &s.InterpreterUsed, &s.RecordedBy, &at); err != nil {
			rows.Close()
			return nil, err
		}
		s.RecordedAt = fromUS(at)
		out = append(out, s)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for i := range out {
		if !open {
			out[i].Response = nil
			continue
		}
		text, err := db.openText(ctx, db.read, out[i].ClientID, out[i].OrganizationID, "screening/"+out[i].ID, out[i].Response)
		if err != nil {
			return nil, err
		}
		out[i].Response = []byte(text)
	}
	return out, nil
}
