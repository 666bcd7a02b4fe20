package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/accord-project/accord"
)

// CreateClient stores a new client registered by the actor's organisation
// and puts the actor on the client's care team.
func (db *DB) CreateClient(ctx context.Context, actor accord.Actor, c *accord.Client) (err error) {
	defer accord.Wrap(&err, "CreateClient")
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if c.ID == "" {
		c.ID = accord.NewID(accord.PrefixClient, nil)
	}
	if c.HomeOrganizationID == "" {
		c.HomeOrganizationID = actor.OrganizationID
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = tx.now
	}
	c.UpdatedAt, c.Version = c.CreatedAt, 1
	if err := c.Validate(tx.now); err != nil {
		return err
	}
	if err := insertClient(ctx, tx, c); err != nil {
		return err
	}
	if actor.StaffID != "" {
		if err := addCareTeam(ctx, tx, c.ID, actor.StaffID); err != nil {
			return err
		}
	}
	tx.record(changeEntry(actor, "client.create", c.ID, c.ID))
	return tx.commit(ctx)
}

// UpdateClient changes a client's details: change is given the client as
// stored, at version, and edits it in place; the id, the registering
// organisation and the creation time stay as they were. The stored version
// must be version, else EPRECONDITION (someone changed the client since it
// was read); an erased or merged client is ENOTFOUND. The search keys of
// the new details replace the client's own (those inherited from merged
// duplicates are kept) and the change is audited.
func (db *DB) UpdateClient(ctx context.Context, actor accord.Actor, id string, version int, change func(*accord.Client) error) (_ *accord.Client, err error) {
	defer accord.Wrap(&err, "UpdateClient(%s)", id)
	if !accord.ValidID(accord.PrefixClient, id) {
		return nil, accord.Errorf(accord.ENOTFOUND, "client not found")
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// Lock the row first (PostgreSQL; SQLite has one writer), as erasures
	// and merges do, so the search keys written below belong to a client
	// that is still there.
	if _, err := tx.ExecContext(ctx, `UPDATE clients SET version = version WHERE id = $1`, id); err != nil {
		return nil, err
	}
	old, err := findClientTx(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if old.Version != version {
		return nil, errStale("client")
	}
	c := *old
	c.Languages, c.Disabilities, c.Identifiers = slices.Clone(old.Languages), slices.Clone(old.Disabilities), slices.Clone(old.Identifiers)
	if err := change(&c); err != nil {
		return nil, err
	}
	c.ID, c.HomeOrganizationID, c.CreatedAt = old.ID, old.HomeOrganizationID, old.CreatedAt
	if sameClient(&c, old) {
		// Nothing to change (a form saved as it was): no new version, so
		// the caller's ETag stays good, and nothing to audit.
		return old, nil
	}
	c.UpdatedAt, c.Version = tx.now, old.Version+1
	if err := c.Validate(tx.now); err != nil {
		return nil, err
	}
	if err := checkArea(ctx, tx, c.Area); err != nil {
		return nil, err
	}
	// The row is locked: the version read above is still the stored one.
	if _, err := tx.ExecContext(ctx, `UPDATE clients SET given_name = $1, family_name = $2, search_name = $3, birth_date = $4, gender = $5,
		gender_text = $6, preferred_language = $7, languages = $8, interpreter_needed = $9, interpreter_used = $10, disabilities = $11,
		identifiers = $12, phone = $13, email = $14, address = $15, area = $16, updated_at = $17, version = $18
		WHERE id = $19`,
		c.GivenName, c.FamilyName, FoldName(c.GivenName+" "+c.FamilyName), c.BirthDate, c.Gender,
		c.GenderText, c.PreferredLanguage, jsonValue(c.Languages), c.InterpreterNeeded, c.InterpreterUsed, jsonValue(c.Disabilities),
		jsonValue(c.Identifiers), c.Phone, c.Email, c.Address, c.Area, us(c.UpdatedAt), c.Version,
		id); err != nil {
		return nil, err
	}
	if err := db.indexClient(ctx, tx, &c); err != nil {
		return nil, err
	}
	tx.record(changeEntry(actor, "client.update", c.ID, c.ID))
	return &c, tx.commit(ctx)
}

// sameClient reports whether a and b hold the same details, an empty list
// the same as none. A field added to accord.Client is compared too (a
// change to it is never taken for none).
func sameClient(a, b *accord.Client) bool {
	x, y := *a, *b
	for _, c := range []*accord.Client{&x, &y} {
		if len(c.Languages) == 0 {
			c.Languages = nil
		}
		if len(c.Disabilities) == 0 {
			c.Disabilities = nil
		}
		if len(c.Identifiers) == 0 {
			c.Identifiers = nil
		}
	}
	return reflect.DeepEqual(x, y)
}

func insertClient(ctx context.Context, tx *Tx, c *accord.Client) error {
	if err := insertClientRow(ctx, tx, c); err != nil {
		return err
	}
	return tx.db.indexClient(ctx, tx, c)
}

func insertClientRow(ctx context.Context, tx *Tx, c *accord.Client) error {
	if err := checkArea(ctx, tx, c.Area); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO clients (id, home_organization_id, given_name, family_name, search_name, birth_date, gender, gender_text,
		preferred_language, languages, interpreter_needed, disabilities, identifiers, phone, email, address, created_at, updated_at, version, interpreter_used, area)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
		c.ID, c.HomeOrganizationID, c.GivenName, c.FamilyName, FoldName(c.GivenName+" "+c.FamilyName), c.BirthDate, c.Gender, c.GenderText,
		c.PreferredLanguage, jsonValue(c.Languages), c.InterpreterNeeded, jsonValue(c.Disabilities), jsonValue(c.Identifiers),
		c.Phone, c.Email, c.Address, us(c.CreatedAt), us(c.UpdatedAt), c.Version, c.InterpreterUsed, c.Area)
	if isUniqueViolation(err) {
		return accord.Errorf(accord.ECONFLICT, "a client with this id already exists")
	}
	return err
}

// AddCareTeam puts a staff member on a client's care team (idempotent).
func (db *DB) AddCareTeam(ctx context.Context, actor accord.Actor, clientID, staffID string) (err error) {
	defer accord.Wrap(&err, "AddCareTeam")
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := addCareTeam(ctx, tx, clientID, staffID); err != nil {
		return err
	}
	tx.record(changeEntry(actor, "care_team.add", staffID, clientID))
	return tx.commit(ctx)
}

func addCareTeam(ctx context.Context, tx *Tx, clientID, staffID string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO care_team (client_id, staff_id, added_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, clientID, staffID, us(tx.now)); err != nil {
		return err
	}
	return tx.policyChanged(ctx, "care_team", clientID)
}

const clientColumns = `id, home_organization_id, given_name, family_name, birth_date, gender, gender_text, preferred_language, languages,
	interpreter_needed, disabilities, identifiers, phone, email, address, created_at, updated_at, version, interpreter_used, area`

func scanClient(sc interface{ Scan(...any) error }, c *accord.Client) error {
	var created, updated int64
	if err := sc.Scan(&c.ID, &c.HomeOrganizationID, &c.GivenName, &c.FamilyName, &c.BirthDate, &c.Gender, &c.GenderText, &c.PreferredLanguage,
		asJSON(&c.Languages), &c.InterpreterNeeded, asJSON(&c.Disabilities), asJSON(&c.Identifiers), &c.Phone, &c.Email, &c.Address,
		&created, &updated, &c.Version, &c.InterpreterUsed, &c.Area); err != nil {
		return err
	}
	c.CreatedAt, c.UpdatedAt = fromUS(created), fromUS(updated)
	return nil
}

// FindClient returns a client, or ENOTFOUND (also for an erased client).
// It is storage only: callers must ask the decision point before showing it.
func (db *DB) FindClient(ctx context.Context, id string) (*accord.Client, error) {
	if !accord.ValidID(accord.PrefixClient, id) {
		return nil, accord.Errorf(accord.ENOTFOUND, "client not found")
	}
	var c accord.Client
	err := scanClient(db.queryRow(ctx, `SELECT `+clientColumns+` FROM clients WHERE id = $1 AND erased_at IS NULL AND merged_into = ''`, id), &c)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, accord.Errorf(accord.ENOTFOUND, "client not found")
	}
	return &c, err
}

// SearchClients returns up to limit clients whose folded name contains the
// folded query, by name. Storage only: the caller filters by decision.
func (db *DB) SearchClients(ctx context.Context, query string, limit int) ([]accord.Client, error) {
	q := FoldName(query)
	if q == "" {
		return nil, accord.FieldErrorf("q", "give at least one letter of a name to search for")
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+clientColumns+` FROM clients
		WHERE erased_at IS NULL AND merged_into = '' AND search_name LIKE $1 ESCAPE '\' ORDER BY search_name, id LIMIT $2`, "%"+escapeLike(q)+"%", limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []accord.Client
	for rows.Next() {
		var c accord.Client
		if err := scanClient(rows, &c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FoldName returns a name folded for matching: lower case, accents removed,
// runs of space collapsed ("José  Núñez" → "jose nunez").
func FoldName(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, s)
	if err != nil {
		folded = s
	}
	return strings.Join(strings.Fields(strings.ToLower(folded)), " ")
}

// EraseClient crypto-shreds a client: their keys are destroyed (so sealed
// records can never be opened), records, consents, legal bases and care
// team rows are deleted, and the client row keeps only its id and the
// erasure time. The audit log is untouched: it never held personal data.
func (db *DB) EraseClient(ctx context.Context, actor accord.Actor, clientID string, reason accord.ErasureReason) (err error) {
	defer accord.Wrap(&err, "EraseClient")
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM clients WHERE id = $1 AND erased_at IS NULL`, clientID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return accord.Errorf(accord.ENOTFOUND, "client not found")
	}
	e := changeEntry(actor, "client.erase."+string(reason), clientID, clientID)
	if err := eraseClient(ctx, tx, e); err != nil {
		return err
	}
	return tx.commit(ctx)
}

// The statements of an erasure, prepared once: a retention purge runs
// them for thousands of clients.
var (
	qEraseClient = []string{
		hot(`DELETE FROM client_keys WHERE client_id = $1`),
		hot(`DELETE FROM client_match_keys WHERE client_id = $1`),
		hot(`DELETE FROM records WHERE client_id = $1`),
		hot(`DELETE FROM consents WHERE client_id = $1`),
		hot(`DELETE FROM legal_bases WHERE client_id = $1`),
		hot(`DELETE FROM care_team WHERE client_id = $1`),
	}
	qEraseClientRow = hot(`UPDATE clients SET given_name = '', family_name = '', search_name = '', birth_date = '', gender = 'not_stated',
		gender_text = '', preferred_language = 'und', languages = '[]', interpreter_needed = FALSE, disabilities = '[]', identifiers = '[]',
		phone = '', email = '', address = '', area = '', erased_at = $1, updated_at = $1, version = version + 1 WHERE id = $2`)
)

// eraseClient erases e.ClientID inside tx and queues e, as an erasure
// entry, to be appended with it.
func eraseClient(ctx context.Context, tx *Tx, e accord.AuditEntry) error {
	clientID := e.ClientID
	// The row first: on PostgreSQL that locks it before anything of the
	// client's is deleted, so that a concurrent refresh of search keys
	// (RefreshMatchKeys, which reads clients FOR SHARE) either finishes
	// before the erasure deletes its keys or sees the client erased.
	if _, err := tx.ExecContext(ctx, qEraseClientRow, us(tx.now), clientID); err != nil {
		return err
	}
	for _, q := range qEraseClient {
		if _, err := tx.ExecContext(ctx, q, clientID); err != nil {
			return err
		}
	}
	if err := tx.policyChanged(ctx, "client_erased", clientID); err != nil {
		return err
	}
	e.Kind = accord.AuditErasure
	tx.record(e)
	return nil
}
