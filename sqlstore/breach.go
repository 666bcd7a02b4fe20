package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/accord-project/accord"
)

// Breach incidents are stored with their free text (what happened, the
// authority's reference, remedies, the closing summary) sealed under the
// oversight body's data key, and the clients affected as ids and codes,
// like the audit log entries they were computed from. Every step commits
// with its audit entry (breach.record, breach.recompute, breach.notify,
// breach.remedy, breach.close; breach.overdue by the system), which names
// the incident and never its text.

// TimerBreachNotify fires when an incident's 72 hours to tell the
// supervisory authority have passed (and every BreachReminder after).
const TimerBreachNotify = "breach.notify"

// breachBody is the sealed text of an incident.
type breachBody struct {
	Description string `json:"description"`
	Reference   string `json:"reference,omitempty"`
	Summary     string `json:"summary,omitempty"`
}

type breachRow struct {
	accord.Breach
	keyOrgID       string
	textKeyVersion int
	body           []byte
}

// Credential is a stored API token or sign-in session, without its secret.
type Credential struct {
	ID        string
	Kind      string // "token" or "session"
	StaffID   string
	Name      string // what its owner called it (tokens)
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// Until is when the credential stopped working: revoked, or expired.
func (c *Credential) Until() time.Time {
	if c.RevokedAt != nil && c.RevokedAt.Before(c.ExpiresAt) {
		return *c.RevokedAt
	}
	return c.ExpiresAt
}

// FindCredential returns an API token or session by id, or ENOTFOUND.
func (db *DB) FindCredential(ctx context.Context, id string) (*Credential, error) {
	var c Credential
	var created, expires int64
	var revoked nullUSCol
	err := db.read.QueryRowContext(ctx, `SELECT id, kind, staff_id, name, created_at, expires_at, revoked_at FROM credentials
		WHERE id = $1 AND kind IN ('token', 'session')`, id).Scan(&c.ID, &c.Kind, &c.StaffID, &c.Name, &created, &expires, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, accord.Errorf(accord.ENOTFOUND, "no such API token or session")
	}
	if err != nil {
		return nil, err
	}
	c.CreatedAt, c.ExpiresAt, c.RevokedAt = fromUS(created), fromUS(expires), revoked.ptr()
	return &c, nil
}

// Credentials returns the API tokens of an organisation's staff (” every
// organisation's), and their sign-in sessions started since, newest first:
// what a breach form offers. At most 500.
func (db *DB) Credentials(ctx context.Context, orgID string, since time.Time) ([]Credential, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT c.id, c.kind, c.staff_id, c.name, c.created_at, c.expires_at, c.revoked_at
		FROM credentials c JOIN staff s ON s.id = c.staff_id
		WHERE c.kind IN ('token', 'session') AND (s.organization_id = $1 OR $1 = '') AND (c.kind = 'token' OR c.created_at >= $2)
		ORDER BY c.created_at DESC, c.id LIMIT 500`, orgID, us(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Credential
	for rows.Next() {
		var c Credential
		var created, expires int64
		var revoked nullUSCol
		if err := rows.Scan(&c.ID, &c.Kind, &c.StaffID, &c.Name, &created, &expires, &revoked); err != nil {
			return nil, err
		}
		c.CreatedAt, c.ExpiresAt, c.RevokedAt = fromUS(created), fromUS(expires), revoked.ptr()
		out = append(out, c)
	}
	return out, rows.Err()
}

// OrgKeyExists reports whether an organisation has a data key of version.
func (db *DB) OrgKeyExists(ctx context.Context, orgID string, version int) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM org_keys WHERE organization_id = $1 AND version = $2`, orgID, version).Scan(&n)
	return n > 0, err
}

// AddDisclosures adds to b every disclosure to actorID recorded in the
// audit log from from to to, both included (accord.BreachDisclosure), and
// returns how many decision entries it read. It reads the actor's decision
// entries in the window through the index on (actor_id, time) and takes
// what it needs from each stored leaf: the leaf is what was hashed, so the
// impact rests on the verifiable log, not on columns (accord audit verify
// checks the leaves themselves).
func (db *DB) AddDisclosures(ctx context.Context, b *accord.ImpactBuilder, actorID string, from, to time.Time) (scanned int, err error) {
	defer accord.Wrap(&err, "AddDisclosures(%s)", actorID)
	rows, err := db.read.QueryContext(ctx, `SELECT idx, leaf FROM audit_entries WHERE actor_id = $1 AND time >= $2 AND time <= $3 AND kind = $4`,
		actorID, us(from), us(to), string(accord.AuditDecision))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var leaf sql.RawBytes // valid until the next row
	for rows.Next() {
		var idx int64
		if err := rows.Scan(&idx, &leaf); err != nil {
			return scanned, err
		}
		var d disclosureLeaf
		if err := json.Unmarshal(leaf, &d); err != nil {
			return scanned, fmt.Errorf("audit entry %d: %w", idx, err)
		}
		scanned++
		b.Add(&accord.AuditEntry{Time: d.Time, Kind: d.Kind, ClientID: d.ClientID, HolderID: d.HolderID, Category: d.Category,
			Effect: d.Effect, Action: d.Action, ObjectID: d.ObjectID})
	}
	return scanned, rows.Err()
}

// disclosureLeaf is the part of an audit leaf (accord.AuditEntry's JSON)
// that says whether it is a disclosure, of what, when: decoding only this
// is several times cheaper than the whole entry.
type disclosureLeaf struct {
	Time     time.Time        `json:"time"`
	Kind     accord.AuditKind `json:"kind"`
	ClientID string           `json:"client"`
	HolderID string           `json:"holder"`
	Category accord.Category  `json:"category"`
	Effect   string           `json:"effect"`
	Action   string           `json:"action"`
	ObjectID string           `json:"object"`
}

// AddKeyDisclosures adds to b every record that an organisation's data key
// of version seals: each client whose key it wraps, with the categories of
// the records the organisation holds about them. A stolen data key opens
// them whenever the ciphertext is had, so the time of each is when it was
// recorded, not a time of access.
func (db *DB) AddKeyDisclosures(ctx context.Context, b *accord.ImpactBuilder, orgID string, version int) (err error) {
	defer accord.Wrap(&err, "AddKeyDisclosures(%s v%d)", orgID, version)
	rows, err := db.read.QueryContext(ctx, `SELECT r.client_id, r.category, r.recorded_at FROM records r
		JOIN client_keys k ON k.client_id = r.client_id AND k.organization_id = r.organization_id
		WHERE r.organization_id = $1 AND k.org_key_version = $2 ORDER BY r.client_id, r.recorded_at`, orgID, version)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var client string
		var cat accord.Category
		var at int64
		if err := rows.Scan(&client, &cat, &at); err != nil {
			return err
		}
		b.AddDisclosure(client, orgID, cat, fromUS(at))
	}
	return rows.Err()
}

// BreachClient is what the notices need to know of an affected client.
type BreachClient struct {
	ID                string
	HomeOrganization  string
	PreferredLanguage string
	Erased            bool
	MergedInto        string // the record this one was merged into ('' none)
}

// BreachClients returns what the notices need of each client id given
// (unknown ids are left out).
func (db *DB) BreachClients(ctx context.Context, ids []string) (map[string]BreachClient, error) {
	out := make(map[string]BreachClient, len(ids))
	for _, part := range chunks(ids, 500) {
		args := make([]any, len(part))
		ph := make([]string, len(part))
		for i, id := range part {
			args[i], ph[i] = id, placeholder(i+1)
		}
		rows, err := db.read.QueryContext(ctx, `SELECT id, home_organization_id, preferred_language, erased_at IS NOT NULL, merged_into FROM clients
			WHERE id IN (`+joinComma(ph)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var c BreachClient
			if err := rows.Scan(&c.ID, &c.HomeOrganization, &c.PreferredLanguage, &c.Erased, &c.MergedInto); err != nil {
				rows.Close()
				return nil, err
			}
			out[c.ID] = c
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// breachTextKey returns the organisation whose data key seals incident
// text (the oversight body, else the incident's own organisation) and the
// key with its version.
func (db *DB) breachTextKey(ctx context.Context, tx *Tx, orgID string) (string, []byte, int, error) {
	keyOrg, err := oversightOrg(ctx, tx)
	if accord.ErrorCode(err) == accord.ENOTFOUND {
		keyOrg, err = orgID, nil
	}
	if err != nil {
		return "", nil, 0, err
	}
	key, v, err := db.orgKey(ctx, tx, keyOrg, 0)
	return keyOrg, key, v, err
}

func (db *DB) sealBreachBody(ctx context.Context, q querier, b *breachRow) error {
	key, _, err := db.orgKey(ctx, q, b.keyOrgID, b.textKeyVersion)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(breachBody{Description: b.Description, Reference: b.AuthorityReference, Summary: b.Summary})
	b.body, err = sealSeal(key, body, "breach/"+b.ID+"/body")
	return err
}

// BreachAnswerers returns who handles an organisation's incidents at
// level: its privacy officers, then (one tier more each time the
// authority's deadline passes) its supervisors and administrators; and
// the oversight body's auditors and privacy officers. These are the tiers
// grievances climb (accord.GrievanceTiers).
func (db *DB) BreachAnswerers(ctx context.Context, orgID string, level int) ([]string, error) {
	return breachAnswerers(ctx, db.read, orgID, level)
}

func breachAnswerers(ctx context.Context, q querier, orgID string, level int) ([]string, error) {
	tiers, err := grievanceTiers(ctx, q, orgID)
	if err != nil {
		return nil, err
	}
	out := accord.GrievanceHandlers(tiers, level)
	over, err := oversightOrg(ctx, q)
	if accord.ErrorCode(err) == accord.ENOTFOUND || over == orgID {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	ot, err := grievanceTiers(ctx, q, over)
	if err != nil {
		return nil, err
	}
	for _, s := range accord.GrievanceHandlers(ot, 0) {
		if !containsAll(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// CreateBreach stores a new incident with its computed impact (b.Impact),
// arms the clock to tell the supervisory authority and tells those who
// handle it. The caller has validated b and resolved its subject.
func (db *DB) CreateBreach(ctx context.Context, actor accord.Actor, b *accord.Breach) (err error) {
	defer accord.Wrap(&err, "CreateBreach")
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findOrgTx(ctx, tx, b.OrganizationID); err != nil {
		return accord.FieldErrorf("organization_id", "no such organisation")
	}
	b.ID = accord.NewID(accord.PrefixBreach, nil)
	b.RecordedBy, b.RecordedAt = actor.StaffID, tx.now
	b.DiscoveredAt, b.WindowStart, b.WindowEnd = b.DiscoveredAt.UTC(), b.WindowStart.UTC(), b.WindowEnd.UTC()
	b.NotifyBy = b.DiscoveredAt.Add(accord.BreachNotifyWithin)
	b.Status, b.Level, b.Version, b.AuthorityNotifiedAt, b.AuthorityReference, b.ClosedAt, b.Summary = accord.BreachOpen, 0, 1, nil, "", nil, ""
	row := &breachRow{Breach: *b}
	if row.keyOrgID, _, row.textKeyVersion, err = db.breachTextKey(ctx, tx, b.OrganizationID); err != nil {
		return err
	}
	if err := db.sealBreachBody(ctx, tx, row); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO breaches (id, organization_id, subject, staff_id, credential_id, key_version, discovered_at,
		window_start, window_end, recorded_by, recorded_at, notify_by, level, status, key_org_id, text_key_version, body, impact_at, impact_from,
		impact_to, disclosures, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`,
		b.ID, b.OrganizationID, string(b.Subject), b.StaffID, b.CredentialID, b.KeyVersion, us(b.DiscoveredAt), us(b.WindowStart), us(b.WindowEnd),
		b.RecordedBy, us(b.RecordedAt), us(b.NotifyBy), b.Level, string(b.Status), row.keyOrgID, row.textKeyVersion, row.body,
		us(b.Impact.ComputedAt), us(b.Impact.From), us(b.Impact.To), b.Impact.Disclosures, b.Version); err != nil {
		return err
	}
	if err := insertBreachClients(ctx, tx, b.ID, b.Impact.Clients); err != nil {
		return err
	}
	if err := db.addBreachEvent(ctx, tx, row, &accord.BreachEvent{Kind: accord.BreachEventRecorded, ActorID: actor.StaffID, Count: len(b.Impact.Clients)}); err != nil {
		return err
	}
	notify, err := breachAnswerers(ctx, tx, b.OrganizationID, 0)
	if err != nil {
		return err
	}
	fx := Effects{
		Timers: []Timer{{Kind: TimerBreachNotify, SubjectID: b.ID, DueAt: b.NotifyBy}},
		Hooks:  []Hook{{OrganizationID: b.OrganizationID, Kind: "breach.recorded", SubjectID: b.ID}},
	}
	for _, s := range notify {
		if s != actor.StaffID {
			fx.Notices = append(fx.Notices, Notice{StaffID: s, Kind: "breach.recorded", SubjectID: b.ID})
		}
	}
	if err := db.applyEffects(ctx, tx, fx); err != nil {
		return err
	}
	e := changeEntry(actor, "breach.record", b.ID, "")
	e.Count = len(b.Impact.Clients)
	tx.record(e)
	return tx.commit(ctx)
}

func insertBreachClients(ctx context.Context, tx *Tx, id string, cs []accord.AffectedClient) error {
	for _, c := range cs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO breach_clients (breach_id, client_id, categories, holders, disclosures, first_at, last_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, c.ClientID, jsonValue(c.Categories), jsonValue(c.Holders), c.Disclosures, us(c.First), us(c.Last)); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) addBreachEvent(ctx context.Context, tx *Tx, b *breachRow, e *accord.BreachEvent) error {
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(seq), 0) + 1 FROM breach_events WHERE breach_id = $1`, b.ID).Scan(&e.Seq); err != nil {
		return err
	}
	e.At = tx.now
	var body []byte
	if e.Text != "" {
		key, _, err := db.orgKey(ctx, tx, b.keyOrgID, b.textKeyVersion)
		if err != nil {
			return err
		}
		if body, err = sealSeal(key, []byte(e.Text), fmt.Sprintf("breach/%s/event/%d", b.ID, e.Seq)); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO breach_events (breach_id, seq, at, kind, actor_id, count, body) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		b.ID, e.Seq, us(e.At), e.Kind, e.ActorID, e.Count, body)
	return err
}

const breachSelect = `SELECT id, organization_id, subject, staff_id, credential_id, key_version, discovered_at, window_start, window_end,
	recorded_by, recorded_at, notify_by, notified_at, level, status, closed_at, key_org_id, text_key_version, body, impact_at, impact_from,
	impact_to, disclosures, version FROM breaches `

func scanBreaches(rows *sql.Rows) ([]breachRow, error) {
	defer rows.Close()
	var out []breachRow
	for rows.Next() {
		var b breachRow
		var discovered, start, end, recorded, notifyBy, impactAt, impactFrom, impactTo int64
		var notified, closed nullUSCol
		if err := rows.Scan(&b.ID, &b.OrganizationID, &b.Subject, &b.StaffID, &b.CredentialID, &b.KeyVersion, &discovered, &start, &end,
			&b.RecordedBy, &recorded, &notifyBy, &notified, &b.Level, &b.Status, &closed, &b.keyOrgID, &b.textKeyVersion, &b.body,
			&impactAt, &impactFrom, &impactTo, &b.Impact.Disclosures, &b.Version); err != nil {
			return nil, err
		}
		b.DiscoveredAt, b.WindowStart, b.WindowEnd, b.RecordedAt, b.NotifyBy = fromUS(discovered), fromUS(start), fromUS(end), fromUS(recorded), fromUS(notifyBy)
		b.AuthorityNotifiedAt, b.ClosedAt = notified.ptr(), closed.ptr()
		b.Impact.ComputedAt, b.Impact.From, b.Impact.To = fromUS(impactAt), fromUS(impactFrom), fromUS(impactTo)
		out = append(out, b)
	}
	return out, rows.Err()
}

func (db *DB) findBreach(ctx context.Context, q querier, id string) (*breachRow, error) {
	if !accord.ValidID(accord.PrefixBreach, id) {
		return nil, accord.Errorf(accord.ENOTFOUND, "breach incident not found")
	}
	rows, err := q.QueryContext(ctx, breachSelect+`WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	bs, err := scanBreaches(rows)
	if err != nil {
		return nil, err
	}
	if len(bs) == 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "breach incident not found")
	}
	return &bs[0], nil
}

// openBreach opens the sealed text and loads the affected clients.
func (db *DB) openBreach(ctx context.Context, q querier, b *breachRow) error {
	key, _, err := db.orgKey(ctx, q, b.keyOrgID, b.textKeyVersion)
	if err != nil {
		return err
	}
	plain, err := sealOpen(key, b.body, "breach/"+b.ID+"/body")
	if err != nil {
		return err
	}
	var body breachBody
	if err := json.Unmarshal(plain, &body); err != nil {
		return err
	}
	b.Description, b.AuthorityReference, b.Summary = body.Description, body.Reference, body.Summary
	rows, err := q.QueryContext(ctx, `SELECT client_id, categories, holders, disclosures, first_at, last_at FROM breach_clients
		WHERE breach_id = $1 ORDER BY client_id`, b.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	b.Impact.Clients = []accord.AffectedClient{}
	for rows.Next() {
		var c accord.AffectedClient
		var first, last int64
		if err := rows.Scan(&c.ClientID, asJSON(&c.Categories), asJSON(&c.Holders), &c.Disclosures, &first, &last); err != nil {
			return err
		}
		c.First, c.Last = fromUS(first), fromUS(last)
		if c.Holders == nil {
			c.Holders = []string{}
		}
		b.Impact.Clients = append(b.Impact.Clients, c)
	}
	return rows.Err()
}

// FindBreach returns an incident with its text and the clients it
// affected, or ENOTFOUND.
func (db *DB) FindBreach(ctx context.Context, id string) (*accord.Breach, error) {
	b, err := db.findBreach(ctx, db.read, id)
	if err != nil {
		return nil, err
	}
	if err := db.openBreach(ctx, db.read, b); err != nil {
		return nil, err
	}
	return &b.Breach, nil
}

// BreachFilter selects incidents.
type BreachFilter struct {
	OrganizationID string // of this organisation ('' every one)
	Open           bool   // open ones only
}

// Breaches returns the incidents matching f, open first, then by the
// deadline to tell the authority; at most 500.
func (db *DB) Breaches(ctx context.Context, f BreachFilter) ([]accord.Breach, error) {
	where, args := "WHERE 1 = 1", []any{}
	if f.OrganizationID != "" {
		args = append(args, f.OrganizationID)
		where += " AND organization_id = " + placeholder(len(args))
	}
	if f.Open {
		where += " AND status = 'open'"
	}
	rows, err := db.read.QueryContext(ctx, breachSelect+where+` ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, notify_by DESC, id LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	bs, err := scanBreaches(rows)
	if err != nil {
		return nil, err
	}
	out := make([]accord.Breach, len(bs))
	for i := range bs {
		if err := db.openBreach(ctx, db.read, &bs[i]); err != nil {
			return nil, err
		}
		out[i] = bs[i].Breach
	}
	return out, nil
}

// BreachEvents returns what happened to an incident, in order, text opened.
func (db *DB) BreachEvents(ctx context.Context, id string) ([]accord.BreachEvent, error) {
	b, err := db.findBreach(ctx, db.read, id)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT seq, at, kind, actor_id, count, body FROM breach_events WHERE breach_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	var out []accord.BreachEvent
	var bodies [][]byte
	for rows.Next() {
		var e accord.BreachEvent
		var at int64
		var body []byte
		if err := rows.Scan(&e.Seq, &at, &e.Kind, &e.ActorID, &e.Count, &body); err != nil {
			rows.Close()
			return nil, err
		}
		e.At = fromUS(at)
		out, bodies = append(out, e), append(bodies, body)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	var key []byte
	for i := range out {
		if len(bodies[i]) == 0 {
			continue
		}
		if key == nil {
			if key, _, err = db.orgKey(ctx, db.read, b.keyOrgID, b.textKeyVersion); err != nil {
				return nil, err
			}
		}
		plain, err := sealOpen(key, bodies[i], fmt.Sprintf("breach/%s/event/%d", id, out[i].Seq))
		if err != nil {
			return nil, err
		}
		out[i].Text = string(plain)
	}
	return out, nil
}

// BreachChange is one step on an incident: Kind is the event it records
// (accord.BreachEvent…: impact, notified, remedy, closed).
type BreachChange struct {
	Kind string
	// Impact replaces the incident's impact (impact).
	Impact *accord.BreachImpact
	// At is when the authority was told (notified).
	At time.Time
	// Text is the authority's reference (notified), the remedy (remedy)
	// or the closing summary (closed).
	Text string
}

func errBreachStale() error {
	return accord.Errorf(accord.EPRECONDITION, "the breach incident was changed by someone else since you loaded it; reload it and try again")
}

// UpdateBreach records one step on incident id at version (0: any). The
// state rules are here, in the transaction: a closed incident is
// read-only, the authority is told once and not before the breach was
// discovered nor in the future. Telling the authority, or closing, stops
// the clock. Who may take a step is the enforcement layer's to decide.
func (db *DB) UpdateBreach(ctx context.Context, actor accord.Actor, id string, version int, ch BreachChange) (_ *accord.Breach, err error) {
	defer accord.Wrap(&err, "UpdateBreach(%s)", id)
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	b, err := db.findBreach(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if version != 0 && b.Version != version {
		return nil, errBreachStale()
	}
	if b.Status == accord.BreachClosed {
		return nil, accord.Errorf(accord.ECONFLICT, "this breach incident is closed; it can no longer be changed")
	}
	if err := db.openBreach(ctx, tx, b); err != nil {
		return nil, err
	}
	ev := &accord.BreachEvent{Kind: ch.Kind, ActorID: actor.StaffID}
	var fx Effects
	action := ""
	switch ch.Kind {
	case accord.BreachEventImpact:
		if ch.Impact == nil {
			return nil, errors.New("UpdateBreach: no impact given")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM breach_clients WHERE breach_id = $1`, b.ID); err != nil {
			return nil, err
		}
		if err := insertBreachClients(ctx, tx, b.ID, ch.Impact.Clients); err != nil {
			return nil, err
		}
		b.Impact = *ch.Impact
		ev.Count, action = len(ch.Impact.Clients), "breach.recompute"
	case accord.BreachEventNotified:
		at := ch.At.UTC()
		switch {
		case b.AuthorityNotifiedAt != nil:
			return nil, accord.Errorf(accord.ECONFLICT, "the supervisory authority was already recorded as told on %s", b.AuthorityNotifiedAt.Format(time.RFC3339))
		case at.IsZero():
			return nil, accord.FieldErrorf("notified_at", "say when the supervisory authority was told")
		case at.After(tx.now.Add(accord.BreachClockSkew)):
			return nil, accord.FieldErrorf("notified_at", "the supervisory authority cannot be told in the future")
		case at.Before(b.DiscoveredAt):
			return nil, accord.FieldErrorf("notified_at", "the supervisory authority cannot be told before the breach was discovered")
		}
		if err := accord.CheckBreachText("reference", ch.Text, accord.BreachReferenceMax); err != nil {
			return nil, err
		}
		b.AuthorityNotifiedAt, b.AuthorityReference = &at, ch.Text
		ev.Text, action = ch.Text, "breach.notify"
		fx.Disarm = []string{b.ID}
	case accord.BreachEventRemedy:
		if err := accord.CheckBreachText("remedy", ch.Text, accord.BreachTextMax); err != nil {
			return nil, err
		}
		ev.Text, action = ch.Text, "breach.remedy"
	case accord.BreachEventClosed:
		if err := accord.CheckBreachText("summary", ch.Text, accord.BreachTextMax); err != nil {
			return nil, err
		}
		now := tx.now
		b.Status, b.ClosedAt, b.Summary = accord.BreachClosed, &now, ch.Text
		ev.Text, action = ch.Text, "breach.close"
		fx.Disarm = []string{b.ID}
	default:
		return nil, accord.Errorf(accord.EINVALID, "nothing to change")
	}
	if err := db.saveBreach(ctx, tx, b); err != nil {
		return nil, err
	}
	if err := db.addBreachEvent(ctx, tx, b, ev); err != nil {
		return nil, err
	}
	if err := db.applyEffects(ctx, tx, fx); err != nil {
		return nil, err
	}
	e := changeEntry(actor, action, b.ID, "")
	e.Count = ev.Count
	tx.record(e)
	if err := tx.commit(ctx); err != nil {
		return nil, err
	}
	return &b.Breach, nil
}

func (db *DB) saveBreach(ctx context.Context, tx *Tx, b *breachRow) error {
	if err := db.sealBreachBody(ctx, tx, b); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE breaches SET notified_at = $1, level = $2, status = $3, closed_at = $4, body = $5, impact_at = $6,
		impact_from = $7, impact_to = $8, disclosures = $9, version = version + 1 WHERE id = $10 AND version = $11`,
		nullUS(b.AuthorityNotifiedAt), b.Level, string(b.Status), nullUS(b.ClosedAt), b.body, us(b.Impact.ComputedAt), us(b.Impact.From),
		us(b.Impact.To), b.Impact.Disclosures, b.ID, b.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errBreachStale()
	}
	b.Version++
	return nil
}

// fireBreach climbs an open incident whose deadline to tell the
// supervisory authority passed with the authority not told: its level
// rises, the next tier of the organisation (privacy officers → supervisors
// → administrators) and the oversight body's officers are told, and the
// timer is armed again BreachReminder on.
func (db *DB) fireBreach(ctx context.Context, tx *Tx, t Timer) error {
	b, err := db.findBreach(ctx, tx, t.SubjectID)
	if accord.ErrorCode(err) == accord.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if b.Status != accord.BreachOpen || b.AuthorityNotifiedAt != nil {
		return nil // told, or closed, since
	}
	if err := db.openBreach(ctx, tx, b); err != nil {
		return err
	}
	b.Level++
	notify, err := breachAnswerers(ctx, tx, b.OrganizationID, b.Level)
	if err != nil {
		return err
	}
	if err := db.saveBreach(ctx, tx, b); err != nil {
		return err
	}
	if err := db.addBreachEvent(ctx, tx, b, &accord.BreachEvent{Kind: accord.BreachEventOverdue, ActorID: "system", Count: b.Level}); err != nil {
		return err
	}
	fx := Effects{
		Timers: []Timer{{Kind: TimerBreachNotify, SubjectID: b.ID, DueAt: tx.now.Add(accord.BreachReminder)}},
		Hooks:  []Hook{{OrganizationID: b.OrganizationID, Kind: "breach.overdue", SubjectID: b.ID}},
	}
	for _, s := range notify {
		fx.Notices = append(fx.Notices, Notice{StaffID: s, Kind: "breach.overdue", SubjectID: b.ID})
	}
	if err := db.applyEffects(ctx, tx, fx); err != nil {
		return fmt.Errorf("breach %s: %w", b.ID, err)
	}
	ent := changeEntry(system, "breach.overdue", b.ID, "")
	ent.Count = b.Level
	tx.record(ent)
	return nil
}
