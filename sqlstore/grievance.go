package sqlstore

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/accord-project/accord"
)

// Grievances are stored with their tracking code hashed; their free text
// (what happened, messages, findings, remedies) sealed under the answering
// organisation's data key; and who complained (name, contact, the portal
// client, the staff member who raised it for them) sealed under the
// oversight body's data key, so that the answering organisation's key
// cannot open it. The key version of each is kept with the row, so both
// still open after a data-key rotation. Audit entries of grievances carry
// the grievance's id and the acting staff member only.

// TimerGrievanceDue fires when a grievance's deadline (an outcome, or the
// decision on an appeal) passes.
const TimerGrievanceDue = "grievance.due"

// grievanceReporter is the sealed identity of who complained.
type grievanceReporter struct {
	Name     string `json:"name,omitempty"`
	Contact  string `json:"contact,omitempty"`
	ClientID string `json:"client_id,omitempty"`
	RaisedBy string `json:"raised_by,omitempty"`
}

// grievanceRow is a grievance with what it takes to open its sealed parts.
type grievanceRow struct {
	accord.Grievance
	textKeyVersion, reporterKeyVersion int
	description, reporter              []byte
}

// OversightOrganization returns the partnership's oversight body: the
// oldest organisation of sector oversight, or ENOTFOUND.
func (db *DB) OversightOrganization(ctx context.Context) (string, error) {
	return oversightOrg(ctx, db.read)
}

func oversightOrg(ctx context.Context, q querier) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM organizations WHERE sector = $1 ORDER BY created_at, id LIMIT 1`, string(accord.SectorOversight)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", accord.Errorf(accord.ENOTFOUND, "the partnership has no oversight body")
	}
	return id, err
}

// GrievanceTiers returns who at an organisation answers its grievances,
// tier by tier (accord.GrievanceTiers).
func (db *DB) GrievanceTiers(ctx context.Context, orgID string) ([][]string, error) {
	return grievanceTiers(ctx, db.read, orgID)
}

func grievanceTiers(ctx context.Context, q querier, orgID string) ([][]string, error) {
	org, err := findOrgTx(ctx, q, orgID)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE organization_id = $1 AND active ORDER BY username`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var staff []accord.Staff
	for rows.Next() {
		var s accord.Staff
		if err := scanStaff(rows, &s); err != nil {
			return nil, err
		}
		staff = append(staff, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return accord.GrievanceTiers(org.Sector, staff), nil
}

// grievanceClientRef is how a grievance remembers the portal client who
// raised it: a keyed hash (the duplicate-matching index key), so that the
// table does not link clients to complaints in the clear, while the portal
// can still list a client's own.
func grievanceClientRef(key []byte, clientID string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("accord/grievance-client/" + clientID))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

func grievanceRefExists(ctx context.Context, q querier, table, id string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE id = $1`, id).Scan(&n)
	return n > 0, err
}

// CreateGrievance stores a new grievance with the hash of its tracking
// code, routes it (accord.Grievance.Route), arms its deadline and tells
// whoever must answer. g.ClientID, when set, is the portal client raising
// it; g.RaisedBy the staff member raising it for someone.
func (db *DB) CreateGrievance(ctx context.Context, actor accord.Actor, g *accord.Grievance, codeHash []byte) (err error) {
	defer accord.Wrap(&err, "CreateGrievance")
	if err := g.Validate(); err != nil {
		return err
	}
	if err := accord.CheckGrievanceAttachments(g.Attachments); err != nil {
		return err
	}
	if len(codeHash) != sha256.Size {
		return errors.New("a grievance needs the hash of its tracking code")
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	over, err := oversightOrg(ctx, tx)
	if err != nil {
		return err
	}
	var named [][]string
	if g.OrganizationID != "" {
		if _, err := findOrgTx(ctx, tx, g.OrganizationID); err != nil {
			return accord.FieldErrorf("organization_id", "Choose an organisation from the list.")
		}
		if named, err = grievanceTiers(ctx, tx, g.OrganizationID); err != nil {
			return err
		}
	}
	if g.CaseID != "" {
		if ok, err := grievanceRefExists(ctx, tx, "cases", g.CaseID); err != nil || !ok {
			return errors.Join(err, accord.FieldErrorf("case_id", "There is no case with this number."))
		}
	}
	if g.AgreementID != "" {
		if ok, err := grievanceRefExists(ctx, tx, "agreements", g.AgreementID); err != nil || !ok {
			return errors.Join(err, accord.FieldErrorf("agreement_id", "Choose an agreement from the list."))
		}
	}
	clientRef := ""
	if g.ClientID != "" {
		if _, err := findClientTx(ctx, tx, g.ClientID); err != nil {
			return err
		}
		key, err := db.matchKey(ctx, tx)
		if err != nil {
			return err
		}
		clientRef = grievanceClientRef(key, g.ClientID)
	}
	g.Route(over, len(named) > 0)
	tiers := named
	if g.HandlerOrgID == over {
		if tiers, err = grievanceTiers(ctx, tx, over); err != nil {
			return err
		}
	}
	g.ID = accord.NewID(accord.PrefixGrievance, nil)
	g.Status, g.ReceivedAt, g.DueAt, g.Level, g.Overdue, g.Version = accord.GrievanceReceived, tx.now, accord.AddWorkingDays(tx.now, g.Category.ResponseDays()), 0, false, 1
	if g.Channel == "" {
		g.Channel = accord.ChannelPublic
	}

	row := &grievanceRow{Grievance: *g}
	tkey, tv, err := db.orgKey(ctx, tx, g.HandlerOrgID, 0)
	if err != nil {
		return err
	}
	row.textKeyVersion = tv
	if row.description, err = sealSeal(tkey, []byte(g.Description), "grievance/"+g.ID+"/description"); err != nil {
		return err
	}
	rkey, rv, err := db.orgKey(ctx, tx, over, 0)
	if err != nil {
		return err
	}
	row.reporterKeyVersion = rv
	who, _ := json.Marshal(grievanceReporter{Name: g.ReporterName, Contact: g.ReporterContact, ClientID: g.ClientID, RaisedBy: g.RaisedBy})
	if row.reporter, err = sealSeal(rkey, who, "grievance/"+g.ID+"/reporter"); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO grievances (id, code_hash, category, channel, organization_id, case_id, agreement_id, oversight_only, anonymous,
		handler_org_id, oversight_org_id, oversight, level, overdue, text_key_version, description, reporter_key_version, reporter, client_ref, status,
		received_at, due_at, outcome, appeal_outcome, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, '', '', $23)`,
		g.ID, codeHash, string(g.Category), g.Channel, g.OrganizationID, g.CaseID, g.AgreementID, g.OversightOnly, g.Anonymous,
		g.HandlerOrgID, g.OversightOrgID, g.Oversight, g.Level, g.Overdue, row.textKeyVersion, row.description, row.reporterKeyVersion, row.reporter,
		clientRef, string(g.Status), us(g.ReceivedAt), us(g.DueAt), g.Version); err != nil {
		return err
	}
	// The person raised it, whoever typed it in: the event names no one.
	if err := db.addGrievanceEvent(ctx, tx, row, &accord.GrievanceEvent{Kind: accord.GrievanceEventReceived, ActorID: "reporter"}); err != nil {
		return err
	}
	if err := db.addGrievanceAttachments(ctx, tx, row, "", tx.now, g.Attachments); err != nil {
		return err
	}
	fx := Effects{
		Timers: []Timer{{Kind: TimerGrievanceDue, SubjectID: g.ID, DueAt: g.DueAt}},
		Hooks:  []Hook{{OrganizationID: g.HandlerOrgID, Kind: "grievance.received", SubjectID: g.ID}},
	}
	notify := accord.GrievanceHandlers(tiers, 0)
	if g.Oversight && g.HandlerOrgID != over {
		ot, err := grievanceTiers(ctx, tx, over)
		if err != nil {
			return err
		}
		notify = append(notify, accord.GrievanceHandlers(ot, 0)...)
	}
	for _, s := range notify {
		fx.Notices = append(fx.Notices, Notice{StaffID: s, Kind: "grievance.received", SubjectID: g.ID})
	}
	if err := db.applyEffects(ctx, tx, fx); err != nil {
		return err
	}
	tx.record(changeEntry(actor, "grievance.raise", g.ID, ""))
	return tx.commit(ctx)
}

// addGrievanceEvent appends an event to a grievance, sealing its text.
func (db *DB) addGrievanceEvent(ctx context.Context, tx *Tx, g *grievanceRow, e *accord.GrievanceEvent) error {
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(seq), 0) + 1 FROM grievance_events WHERE grievance_id = $1`, g.ID).Scan(&e.Seq); err != nil {
		return err
	}
	if e.ID == "" {
		e.ID = accord.NewID("gev", nil)
	}
	if e.At.IsZero() { // imported events carry their time
		e.At = tx.now
	}
	var body []byte
	if e.Text != "" || e.Remedy != "" {
		key, _, err := db.orgKey(ctx, tx, g.HandlerOrgID, g.textKeyVersion)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(grievanceEventBody{Text: e.Text, Remedy: e.Remedy})
		if body, err = sealSeal(key, b, "grievance/"+g.ID+"/event/"+e.ID); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO grievance_events (id, grievance_id, seq, at, kind, actor_id, organization_id, outcome, body)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, e.ID, g.ID, e.Seq, us(e.At), e.Kind, e.ActorID, e.OrganizationID, string(e.Outcome), body)
	return err
}

type grievanceEventBody struct {
	Text   string `json:"text,omitempty"`
	Remedy string `json:"remedy,omitempty"`
}

const grievanceSelect = `SELECT id, category, channel, organization_id, case_id, agreement_id, oversight_only, anonymous, handler_org_id, oversight_org_id,
	oversight, level, overdue, text_key_version, description, reporter_key_version, reporter, status, received_at, due_at, acknowledged_at, resolved_at,
	outcome, appealed_at, appeal_outcome, closed_at, version, code_hash FROM grievances `

func scanGrievances(rows *sql.Rows) ([]grievanceRow, [][]byte, error) {
	defer rows.Close()
	var out []grievanceRow
	var hashes [][]byte
	for rows.Next() {
		var g grievanceRow
		var received, due int64
		var acked, resolved, appealed, closed nullUSCol
		var hash []byte
		if err := rows.Scan(&g.ID, &g.Category, &g.Channel, &g.OrganizationID, &g.CaseID, &g.AgreementID, &g.OversightOnly, &g.Anonymous,
			&g.HandlerOrgID, &g.OversightOrgID, &g.Oversight, &g.Level, &g.Overdue, &g.textKeyVersion, &g.description, &g.reporterKeyVersion,
			&g.reporter, &g.Status, &received, &due, &acked, &resolved, &g.Outcome, &appealed, &g.AppealOutcome, &closed, &g.Version, &hash); err != nil {
			return nil, nil, err
		}
		g.ReceivedAt, g.DueAt = fromUS(received), fromUS(due)
		g.AcknowledgedAt, g.ResolvedAt, g.AppealedAt, g.ClosedAt = acked.ptr(), resolved.ptr(), appealed.ptr(), closed.ptr()
		out, hashes = append(out, g), append(hashes, hash)
	}
	return out, hashes, rows.Err()
}

// findGrievance returns a grievance row (text still sealed), or ENOTFOUND.
func (db *DB) findGrievance(ctx context.Context, q querier, id string) (*grievanceRow, error) {
	rows, err := q.QueryContext(ctx, grievanceSelect+`WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	gs, _, err := scanGrievances(rows)
	if err != nil {
		return nil, err
	}
	if len(gs) == 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "complaint not found")
	}
	return &gs[0], nil
}

// openDescription opens what happened.
func (db *DB) openDescription(ctx context.Context, q querier, g *grievanceRow) error {
	key, _, err := db.orgKey(ctx, q, g.HandlerOrgID, g.textKeyVersion)
	if err != nil {
		return err
	}
	b, err := sealOpen(key, g.description, "grievance/"+g.ID+"/description")
	g.Description = string(b)
	return err
}

// FindGrievance returns a grievance with what happened, but not who
// complained (OpenGrievanceReporter), or ENOTFOUND.
func (db *DB) FindGrievance(ctx context.Context, id string) (*accord.Grievance, error) {
	if !accord.ValidID(accord.PrefixGrievance, id) {
		return nil, accord.Errorf(accord.ENOTFOUND, "complaint not found")
	}
	g, err := db.findGrievance(ctx, db.read, id)
	if err != nil {
		return nil, err
	}
	if err := db.openDescription(ctx, db.read, g); err != nil {
		return nil, err
	}
	return &g.Grievance, nil
}

// FindGrievanceByCode returns the grievance whose tracking code hashes to
// codeHash, or ENOTFOUND. The stored hash is compared in constant time;
// the lookup itself is an index probe on a hash of a 100-bit secret, which
// tells a timing observer nothing useful.
func (db *DB) FindGrievanceByCode(ctx context.Context, codeHash []byte) (*accord.Grievance, error) {
	rows, err := db.read.QueryContext(ctx, grievanceSelect+`WHERE code_hash = $1`, codeHash)
	if err != nil {
		return nil, err
	}
	gs, hashes, err := scanGrievances(rows)
	if err != nil {
		return nil, err
	}
	if len(gs) != 1 || subtle.ConstantTimeCompare(hashes[0], codeHash) != 1 {
		return nil, accord.Errorf(accord.ENOTFOUND, "complaint not found")
	}
	if err := db.openDescription(ctx, db.read, &gs[0]); err != nil {
		return nil, err
	}
	return &gs[0].Grievance, nil
}

// OpenGrievanceReporter fills in who complained: their name and contact,
// the portal client, the staff member who raised it. Only the oversight
// body may be shown these; the enforcement layer decides.
func (db *DB) OpenGrievanceReporter(ctx context.Context, g *accord.Grievance) error {
	row, err := db.findGrievance(ctx, db.read, g.ID)
	if err != nil {
		return err
	}
	key, _, err := db.orgKey(ctx, db.read, row.OversightOrgID, row.reporterKeyVersion)
	if err != nil {
		return err
	}
	b, err := sealOpen(key, row.reporter, "grievance/"+g.ID+"/reporter")
	if err != nil {
		return err
	}
	var who grievanceReporter
	if err := json.Unmarshal(b, &who); err != nil {
		return err
	}
	g.ReporterName, g.ReporterContact, g.ClientID, g.RaisedBy, g.Channel = who.Name, who.Contact, who.ClientID, who.RaisedBy, row.Channel
	return nil
}

// GrievanceEvents returns what happened to a grievance, in order, with its
// text opened.
func (db *DB) GrievanceEvents(ctx context.Context, id string) ([]accord.GrievanceEvent, error) {
	g, err := db.findGrievance(ctx, db.read, id)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, seq, at, kind, actor_id, organization_id, outcome, body FROM grievance_events
		WHERE grievance_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	var out []accord.GrievanceEvent
	var bodies [][]byte
	for rows.Next() {
		var e accord.GrievanceEvent
		var at int64
		var body []byte
		if err := rows.Scan(&e.ID, &e.Seq, &at, &e.Kind, &e.ActorID, &e.OrganizationID, &e.Outcome, &body); err != nil {
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
			if key, _, err = db.orgKey(ctx, db.read, g.HandlerOrgID, g.textKeyVersion); err != nil {
				return nil, err
			}
		}
		b, err := sealOpen(key, bodies[i], "grievance/"+id+"/event/"+out[i].ID)
		if err != nil {
			return nil, err
		}
		var body grievanceEventBody
		if err := json.Unmarshal(b, &body); err != nil {
			return nil, err
		}
		out[i].Text, out[i].Remedy = body.Text, body.Remedy
	}
	return out, nil
}

// GrievanceFilter selects grievances.
type GrievanceFilter struct {
	HandlerOrgID string // answered by this organisation
	ClientID     string // raised by this portal client
	Open         bool   // someone still owes the person an answer
}

// Grievances returns grievances matching f (without their text), soonest
// due first.
func (db *DB) Grievances(ctx context.Context, f GrievanceFilter) ([]accord.Grievance, error) {
	where, args := "WHERE 1 = 1", []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where += " AND " + cond + placeholder(len(args))
	}
	if f.HandlerOrgID != "" {
		add("handler_org_id = ", f.HandlerOrgID)
	}
	if f.ClientID != "" {
		key, err := db.matchKey(ctx, db.write)
		if err != nil {
			return nil, err
		}
		add("client_ref = ", grievanceClientRef(key, f.ClientID))
	}
	if f.Open {
		where += " AND status IN ('received', 'acknowledged', 'appealed')"
	}
	rows, err := db.read.QueryContext(ctx, grievanceSelect+where+" ORDER BY due_at, id LIMIT 500", args...)
	if err != nil {
		return nil, err
	}
	gs, _, err := scanGrievances(rows)
	if err != nil {
		return nil, err
	}
	out := make([]accord.Grievance, len(gs))
	for i := range gs {
		out[i] = gs[i].Grievance
	}
	return out, nil
}

// GrievanceOfClient reports whether a portal client raised grievance id.
func (db *DB) GrievanceOfClient(ctx context.Context, id, clientID string) (bool, error) {
	key, err := db.matchKey(ctx, db.write)
	if err != nil {
		return false, err
	}
	var ref string
	err = db.read.QueryRowContext(ctx, `SELECT client_ref FROM grievances WHERE id = $1`, id).Scan(&ref)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	want := grievanceClientRef(key, clientID)
	return err == nil && ref != "" && subtle.ConstantTimeCompare([]byte(ref), []byte(want)) == 1, err
}

// GrievanceChange is one step on a grievance: Kind is the event it
// records (accord.GrievanceEvent…: acknowledged, message, info, outcome,
// appeal, appeal_outcome).
type GrievanceChange struct {
	Kind    string
	Text    string // the message, information, findings or reasons for appealing
	Remedy  string
	Outcome accord.GrievanceOutcome
	// Attachments come with added information (kind info) only; with
	// them, the text may be empty.
	Attachments []accord.GrievanceAttachment
}

func errGrievanceStale() error {
	return accord.Errorf(accord.ECONFLICT, "someone else changed this complaint since you opened it; here is the current version")
}

// UpdateGrievance records one step on grievance id at version (0: any).
// The state rules are here, in the transaction: an outcome only while the
// grievance is open, an appeal only once and only after an outcome, the
// appeal decided by the oversight body. Who may take each step is the
// enforcement layer's to decide.
func (db *DB) UpdateGrievance(ctx context.Context, actor accord.Actor, id string, version int, ch GrievanceChange) (_ *accord.Grievance, err error) {
	defer accord.Wrap(&err, "UpdateGrievance(%s)", id)
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	g, err := db.findGrievance(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if version != 0 && g.Version != version {
		return nil, errGrievanceStale()
	}
	now := tx.now
	ev := &accord.GrievanceEvent{Kind: ch.Kind, ActorID: actor.StaffID, OrganizationID: actor.OrganizationID}
	var fx Effects
	action := ""
	switch ch.Kind {
	case accord.GrievanceEventAcknowledged:
		if g.Status != accord.GrievanceReceived {
			return nil, accord.Errorf(accord.ECONFLICT, "this complaint was already acknowledged")
		}
		g.Status, g.AcknowledgedAt, action = accord.GrievanceAcknowledged, &now, "grievance.acknowledge"
	case accord.GrievanceEventMessage, accord.GrievanceEventInfo:
		if g.Status == accord.GrievanceClosed {
			return nil, accord.Errorf(accord.ECONFLICT, "This complaint is closed. Nothing more can be added.")
		}
		if err := accord.CheckGrievanceText("text", ch.Text, accord.GrievanceMessageMax, len(ch.Attachments) == 0); err != nil {
			return nil, err
		}
		ev.Text, action = ch.Text, "grievance.message"
		if ch.Kind == accord.GrievanceEventInfo {
			ev.ActorID, ev.OrganizationID, action = "reporter", "", "grievance.info"
			notify, err := grievanceAnswerers(ctx, tx, &g.Grievance)
			if err != nil {
				return nil, err
			}
			for _, s := range notify {
				fx.Notices = append(fx.Notices, Notice{StaffID: s, Kind: "grievance.info", SubjectID: g.ID})
			}
		}
	case accord.GrievanceEventOutcome, accord.GrievanceEventAppealOutcome:
		appeal := ch.Kind == accord.GrievanceEventAppealOutcome
		switch {
		case appeal && g.Status != accord.GrievanceAppealed:
			return nil, accord.Errorf(accord.ECONFLICT, "this complaint is not under appeal")
		case !appeal && g.Status == accord.GrievanceAppealed:
			return nil, accord.Errorf(accord.ECONFLICT, "this complaint is under appeal; the oversight body decides it")
		case !appeal && g.Status != accord.GrievanceReceived && g.Status != accord.GrievanceAcknowledged:
			return nil, accord.Errorf(accord.ECONFLICT, "this complaint already has an outcome")
		}
		if !ch.Outcome.Valid() {
			return nil, accord.FieldErrorf("outcome", "choose an outcome: upheld, partly upheld or not upheld")
		}
		if err := accord.CheckGrievanceText("findings", ch.Text, accord.GrievanceMessageMax, true); err != nil {
			return nil, err
		}
		if ch.Outcome != accord.OutcomeNotUpheld && ch.Remedy == "" {
			return nil, accord.FieldErrorf("remedy", "say what will be done to put things right")
		}
		if err := accord.CheckGrievanceText("remedy", ch.Remedy, accord.GrievanceRemedyMax, false); err != nil {
			return nil, err
		}
		ev.Outcome, ev.Text, ev.Remedy = ch.Outcome, ch.Text, ch.Remedy
		fx.Disarm = []string{g.ID}
		g.Overdue = false
		if appeal {
			g.Status, g.AppealOutcome, g.ClosedAt, action = accord.GrievanceClosed, ch.Outcome, &now, "grievance.appeal_decide"
		} else {
			g.Status, g.Outcome, g.ResolvedAt, action = accord.GrievanceResolved, ch.Outcome, &now, "grievance.outcome"
			if g.AcknowledgedAt == nil {
				g.AcknowledgedAt = &now
			}
		}
	case accord.GrievanceEventAppeal:
		switch {
		case g.AppealedAt != nil:
			return nil, accord.Errorf(accord.ECONFLICT, "You have already appealed. A complaint can be appealed only once.")
		case g.Status != accord.GrievanceResolved:
			return nil, accord.Errorf(accord.ECONFLICT, "You can appeal once there is an outcome.")
		}
		if err := accord.CheckGrievanceText("reason", ch.Text, accord.GrievanceMessageMax, true); err != nil {
			return nil, err
		}
		ev.ActorID, ev.OrganizationID, ev.Text = "reporter", "", ch.Text
		g.Status, g.AppealedAt, g.Oversight, g.Overdue, action = accord.GrievanceAppealed, &now, true, false, "grievance.appeal"
		g.DueAt = accord.AddWorkingDays(now, accord.GrievanceAppealDays)
		ot, err := grievanceTiers(ctx, tx, g.OversightOrgID)
		if err != nil {
			return nil, err
		}
		fx.Timers = []Timer{{Kind: TimerGrievanceDue, SubjectID: g.ID, DueAt: g.DueAt}}
		for _, s := range accord.GrievanceHandlers(ot, 0) {
			fx.Notices = append(fx.Notices, Notice{StaffID: s, Kind: "grievance.appealed", SubjectID: g.ID})
		}
		fx.Hooks = []Hook{{OrganizationID: g.OversightOrgID, Kind: "grievance.appealed", SubjectID: g.ID}}
	default:
		return nil, accord.Errorf(accord.EINVALID, "nothing to change")
	}
	if len(ch.Attachments) > 0 && ch.Kind != accord.GrievanceEventInfo {
		return nil, accord.FieldErrorf("attachments", "Files can be attached only to a complaint or to information added to it.")
	}
	if err := accord.CheckGrievanceAttachments(ch.Attachments); err != nil {
		return nil, err
	}
	if err := db.saveGrievance(ctx, tx, g); err != nil {
		return nil, err
	}
	if err := db.addGrievanceEvent(ctx, tx, g, ev); err != nil {
		return nil, err
	}
	if err := db.addGrievanceAttachments(ctx, tx, g, ev.ID, tx.now, ch.Attachments); err != nil {
		return nil, err
	}
	if err := db.applyEffects(ctx, tx, fx); err != nil {
		return nil, err
	}
	tx.record(changeEntry(actor, action, g.ID, ""))
	if err := tx.commit(ctx); err != nil {
		return nil, err
	}
	return &g.Grievance, nil
}

// grievanceAnswerers is who must answer a grievance now: the handling
// organisation's staff up to its level (or, under appeal, the oversight
// body's), and the oversight body's officers when it is involved.
func grievanceAnswerers(ctx context.Context, q querier, g *accord.Grievance) ([]string, error) {
	ot, err := grievanceTiers(ctx, q, g.OversightOrgID)
	if err != nil {
		return nil, err
	}
	if g.Status == accord.GrievanceAppealed {
		return accord.GrievanceHandlers(ot, g.Level), nil
	}
	ht := ot
	if g.HandlerOrgID != g.OversightOrgID {
		if ht, err = grievanceTiers(ctx, q, g.HandlerOrgID); err != nil {
			return nil, err
		}
	}
	out := accord.GrievanceHandlers(ht, g.Level)
	if g.Oversight && g.HandlerOrgID != g.OversightOrgID {
		for _, s := range accord.GrievanceHandlers(ot, 0) {
			if !containsAll(out, s) {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

func (db *DB) saveGrievance(ctx context.Context, tx *Tx, g *grievanceRow) error {
	res, err := tx.ExecContext(ctx, `UPDATE grievances SET status = $1, oversight = $2, level = $3, overdue = $4, due_at = $5, acknowledged_at = $6,
		resolved_at = $7, outcome = $8, appealed_at = $9, appeal_outcome = $10, closed_at = $11, version = version + 1 WHERE id = $12 AND version = $13`,
		string(g.Status), g.Oversight, g.Level, g.Overdue, us(g.DueAt), nullUS(g.AcknowledgedAt), nullUS(g.ResolvedAt), string(g.Outcome),
		nullUS(g.AppealedAt), string(g.AppealOutcome), nullUS(g.ClosedAt), g.ID, g.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errGrievanceStale()
	}
	g.Version++
	return nil
}

// fireGrievance climbs a grievance whose deadline passed without an
// outcome (or appeal decision): its level rises, so the next tier of the
// handling organisation (privacy officer → supervisors → administrators)
// may answer and is told; the oversight body is brought in and told; and a
// new deadline is armed, GrievanceReminderDays working days on, to climb
// again if still unanswered. Under appeal it is the oversight body's own
// tiers that are told.
func (db *DB) fireGrievance(ctx context.Context, tx *Tx, t Timer) error {
	g, err := db.findGrievance(ctx, tx, t.SubjectID)
	if accord.ErrorCode(err) == accord.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if !g.Status.Open() || !g.DueAt.Equal(t.DueAt) {
		return nil // answered, or re-armed since
	}
	g.Level++
	g.Overdue, g.Oversight = true, true
	g.DueAt = accord.AddWorkingDays(tx.now, accord.GrievanceReminderDays)
	notify, err := grievanceAnswerers(ctx, tx, &g.Grievance)
	if err != nil {
		return err
	}
	if err := db.saveGrievance(ctx, tx, g); err != nil {
		return err
	}
	if err := db.addGrievanceEvent(ctx, tx, g, &accord.GrievanceEvent{Kind: accord.GrievanceEventOverdue, ActorID: "system"}); err != nil {
		return err
	}
	fx := Effects{
		Timers: []Timer{{Kind: TimerGrievanceDue, SubjectID: g.ID, DueAt: g.DueAt}},
		Hooks:  []Hook{{OrganizationID: g.HandlerOrgID, Kind: "grievance.overdue", SubjectID: g.ID}},
	}
	for _, s := range notify {
		fx.Notices = append(fx.Notices, Notice{StaffID: s, Kind: "grievance.overdue", SubjectID: g.ID})
	}
	if err := db.applyEffects(ctx, tx, fx); err != nil {
		return fmt.Errorf("grievance %s: %w", g.ID, err)
	}
	ent := changeEntry(system, "grievance.overdue", g.ID, "")
	ent.Count = g.Level
	tx.record(ent)
	return nil
}
