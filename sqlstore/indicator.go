package sqlstore

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
)

// Indicator facts are read straight from the tables that record the work:
// one query per unit, each selecting the units whose first event falls in
// the window, in the order of that event. Nothing is copied into a table
// of its own, so the facts cannot drift from the records; the person
// dimensions are the client's as recorded now (the age band at the unit's
// first event).
//
// The clients' dimensions are read once, into memory, before the units:
// joining each unit to its client costs a descent of the clients' B-tree
// per unit, which at a million clients was most of the time (see
// docs/BENCHMARKS.md). Rows are visited in the statement (visit), not
// returned one by one.

// factUnits are the units IndicatorFacts streams, in order: every key of
// accord.IndicatorUnits, each with the method that streams it.
var factUnits = []struct {
	unit   string
	stream func(*factStream, context.Context) error
}{
	{"referral", (*factStream).referrals},
	{"escalation", (*factStream).escalations},
	{"grievance", (*factStream).grievances},
	{"intake", (*factStream).intakes},
	{"disclosure", (*factStream).disclosures},
	{"break_glass", (*factStream).breakGlass},
	{"interpreter", (*factStream).interpreters},
	{"treatment", (*factStream).treatments},
	{"need", (*factStream).needs},
}

// Positions in accord.IndicatorFact.Dims (accord.IndicatorDimensions order).
const (
	dimAgeBand = iota
	dimGender
	dimLanguage
	dimInterpreter
	dimDisability
	dimOrganization
	dimGeography
)

// IndicatorFactsFromTables calls fn with every unit counted by
// indicators whose first event (At[0]) is in [from, to), computed from the
// tables that record the work: referrals, escalations, grievances,
// intakes, disclosures across organisations, break-glass accesses, clients
// needing an interpreter, cases and screened needs, unit by unit in a fixed
// order, each unit's facts by the time of that event. IndicatorFacts
// returns the same facts from the stored ones; this is what they are
// checked against. The fact passed to fn is reused: fn must copy what it
// keeps. An error from fn stops the stream and is returned.
//
// All units are read in one read transaction, so that on PostgreSQL they
// come from one snapshot of the database.
func (db *DB) IndicatorFactsFromTables(ctx context.Context, from, to time.Time, fn func(*accord.IndicatorFact) error) (err error) {
	defer accord.Wrap(&err, "IndicatorFactsFromTables")
	if !from.Before(to) {
		return nil
	}
	// The audit log is searched by index: find the window's indexes first,
	// outside the transaction (the log only grows).
	lo, hi, err := db.auditWindow(ctx, from, to)
	if err != nil {
		return err
	}
	tx, err := db.snapshot(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	s := &factStream{db: db, tx: tx, from: us(from), to: us(to), auditLo: lo, auditHi: hi,
		fn: func(_ string, f *accord.IndicatorFact) error { return fn(f) }}
	return s.run(ctx)
}

// snapshot begins a read transaction that sees one snapshot of the
// database (on SQLite, a read transaction does).
func (db *DB) snapshot(ctx context.Context) (*sql.Tx, error) {
	var opts *sql.TxOptions
	if db.engine == Postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	return db.read.BeginTx(ctx, opts)
}

// run streams the facts.
func (s *factStream) run(ctx context.Context) error {
	s.strs = map[string]string{}
	if err := s.loadPeople(ctx); err != nil {
		return fmt.Errorf("clients: %w", err)
	}
	for _, u := range factUnits {
		if s.only != nil && !s.only[u.unit] {
			continue
		}
		if err := u.stream(s, ctx); err != nil {
			return fmt.Errorf("%s: %w", u.unit, err)
		}
	}
	return nil
}

// factStream is one IndicatorFacts call.
type factStream struct {
	db               *DB
	tx               *sql.Tx
	from, to         int64 // microseconds
	auditLo, auditHi int64 // audit indexes holding the window (hi < 0: to the end)
	f                accord.IndicatorFact
	// fn receives each fact and the client it is kept under: the client
	// of the row it comes from ("" for grievances, which have none).
	fn     func(client string, f *accord.IndicatorFact) error
	client string
	// clients, when not nil, limits the facts to these clients' (a JSON
	// array); only, when not nil, to these units.
	clients []byte
	only    map[string]bool

	// people holds every client's dimensions; merged maps a merged
	// duplicate to the client it was merged into.
	people *personTable
	merged map[string]string
	// values[k] names the values of personDims[k]; 0 is not recorded.
	values [len(personDims)][]string
	ids    [len(personDims)]map[string]uint16
	// strs interns the other strings facts hold (organisation ids): row
	// values are valid only during a visit.
	strs map[string]string
	// registered are the clients registered in the window (merged
	// duplicates aside), for intakes and interpreters.
	registered []registration
}

// registration is a client registered in the window.
type registration struct {
	created                            int64
	id, home                           string
	interpreterNeeded, interpreterUsed bool
}

// personDims are the fact dimensions a person record holds, besides the
// age band.
var personDims = [...]int{dimGender, dimLanguage, dimInterpreter, dimDisability, dimGeography}

// person is one client's dimensions: the birth date's parts (year 0: not
// recorded) and, for each of personDims, the index of the value.
type person struct {
	year       int16
	month, day int8
	dims       [len(personDims)]uint16
}

// loadPeople reads every client's dimensions. An erased client's are not
// recorded.
func (s *factStream) loadPeople(ctx context.Context) error {
	s.people, s.merged = newPersonTable(), map[string]string{}
	for k := range personDims {
		s.values[k] = []string{accord.NotRecorded}
		s.ids[k] = map[string]uint16{accord.NotRecorded: 0}
	}
	// Limited to some clients: theirs, and those they were merged into.
	w := &factWhere{}
	if s.clients != nil {
		w.add("("+s.clientsIn("id")+" OR id IN (SELECT merged_into FROM clients WHERE "+s.clientsIn("id")+"))", string(s.clients), string(s.clients))
	}
	return s.db.visit(ctx, s.tx, []string{"id", "birth_date", "gender", "preferred_language", "interpreter_needed", "disabilities <> '[]'", "area",
		"erased_at IS NOT NULL", "merged_into", "created_at", "home_organization_id", "interpreter_used"}, `FROM clients `+w.String(), w.args, func(c []driver.Value) error {
		id := colStr(c[0])
		into := colStr(c[8])
		if into != "" {
			s.merged[strings.Clone(id)] = strings.Clone(into)
		}
		if created, _ := colInt(c[9]); created >= s.from && created < s.to && into == "" {
			s.registered = append(s.registered, registration{created: created, id: strings.Clone(id), home: s.str(colStr(c[10])),
				interpreterNeeded: colBool(c[4]) && !colBool(c[7]), interpreterUsed: colBool(c[11])})
		}
		if colBool(c[7]) { // erased: nothing recorded, as for a client not found
			return nil
		}
		var p person
		if y, m, d, ok := accord.BirthParts(colStr(c[1])); ok && y < 1<<15 {
			p.year, p.month, p.day = int16(y), int8(m), int8(d)
		}
		interpreter, disability := "not_needed", "no"
		if colBool(c[4]) {
			interpreter = "needed"
		}
		if colBool(c[5]) {
			disability = "yes"
		}
		for k, value := range [len(personDims)]string{colStr(c[2]), primaryLanguage(colStr(c[3])), interpreter, disability, colStr(c[6])} {
			v, err := s.valueID(k, value)
			if err != nil {
				return err
			}
			p.dims[k] = v
		}
		s.people.put(id, p)
		return nil
	})
}

// valueID interns value v of personDims[k].
func (s *factStream) valueID(k int, v string) (uint16, error) {
	if v == "" {
		return 0, nil
	}
	if id, ok := s.ids[k][v]; ok {
		return id, nil
	}
	if len(s.values[k]) >= 1<<16 {
		return 0, fmt.Errorf("more than %d values of dimension %s", 1<<16, accord.IndicatorDimensions[personDims[k]])
	}
	v = strings.Clone(v)
	id := uint16(len(s.values[k]))
	s.ids[k][v] = id
	s.values[k] = append(s.values[k], v)
	return id, nil
}

// str interns a string of a row.
func (s *factStream) str(v string) string {
	if x, ok := s.strs[v]; ok {
		return x
	}
	v = strings.Clone(v)
	s.strs[v] = v
	return v
}

// start resets the fact for a new unit.
func (s *factStream) start(unit string) *accord.IndicatorFact {
	s.f = accord.IndicatorFact{Unit: unit}
	return &s.f
}

// person sets the person dimensions of the client, the age band at the
// unit's first event; a client not found has none recorded.
func (s *factStream) person(clientID string) {
	f := &s.f
	s.client = clientID
	f.Person = personKey(clientID)
	p, ok := s.people.get(clientID)
	if !ok {
		s.anonymous()
		s.client = clientID // kept under the client, with nothing recorded
		return
	}
	f.Dims[dimAgeBand] = accord.NotRecorded
	if p.year != 0 {
		f.Dims[dimAgeBand] = accord.AgeBandOf(int(p.year), int(p.month), int(p.day), f.At[0])
	}
	for k, dim := range personDims {
		f.Dims[dim] = s.values[k][p.dims[k]]
	}
}

// anonymous sets the person dimensions to not recorded.
func (s *factStream) anonymous() {
	s.client = ""
	s.f.Dims[dimAgeBand] = accord.NotRecorded
	for _, dim := range personDims {
		s.f.Dims[dim] = accord.NotRecorded
	}
}

// primaryLanguage is the primary subtag of a language tag, lower case
// ("fa-AF" → "fa"); "und" and "" are not recorded.
func primaryLanguage(tag string) string {
	if i := strings.IndexByte(tag, '-'); i >= 0 {
		tag = tag[:i]
	}
	if tag == "" || tag == "und" {
		return accord.NotRecorded
	}
	for i := 0; i < len(tag); i++ {
		if c := tag[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(tag)
		}
	}
	return tag
}

// colTime is a time column (microseconds), zero when NULL.
func colTime(v driver.Value) time.Time {
	n, ok := colInt(v)
	if !ok {
		return time.Time{}
	}
	return fromUS(n)
}

// where is a query's WHERE clause: its own conditions (with ? for
// arguments), the window on the unit's first event (timeCol) and, when the
// stream is limited to some clients, the client (clientCol).
func (s *factStream) where(timeCol, clientCol string, conds ...string) *factWhere {
	w := &factWhere{}
	for _, c := range conds {
		w.add(c)
	}
	return s.whereMore(w, timeCol, clientCol)
}

// whereMore adds the window and the clients to w.
func (s *factStream) whereMore(w *factWhere, timeCol, clientCol string) *factWhere {
	if timeCol != "" && (s.from != math.MinInt64 || s.to != math.MaxInt64) {
		w.add(timeCol+" >= ? AND "+timeCol+" < ?", s.from, s.to)
	}
	if clientCol != "" && s.clients != nil {
		w.add(s.clientsIn(clientCol), string(s.clients))
	}
	return w
}

// clientsIn is the condition that col is one of the stream's clients, the
// JSON array being its one argument.
func (s *factStream) clientsIn(col string) string {
	if s.db.engine == Postgres {
		return col + " IN (SELECT jsonb_array_elements_text(?::jsonb))"
	}
	return col + " IN (SELECT value FROM json_each(?))"
}

// factWhere builds a WHERE clause and its arguments.
type factWhere struct {
	sql  strings.Builder
	args []any
}

// add adds a condition; its ? are the arguments, in order.
func (w *factWhere) add(cond string, args ...any) *factWhere {
	if w.sql.Len() == 0 {
		w.sql.WriteString("WHERE ")
	} else {
		w.sql.WriteString(" AND ")
	}
	for _, part := range strings.SplitAfter(cond, "?") {
		if p, ok := strings.CutSuffix(part, "?"); ok {
			w.args = append(w.args, args[0])
			args = args[1:]
			fmt.Fprintf(&w.sql, "%s$%d", p, len(w.args))
		} else {
			w.sql.WriteString(part)
		}
	}
	return w
}

// String is the clause.
func (w *factWhere) String() string { return w.sql.String() }

// referrals: sent, accepted, completed, declined (a final state: its time
// is the last change); the organisation is the receiving one.
func (s *factStream) referrals(ctx context.Context) error {
	w := s.where("r.sent_at", "r.client_id")
	return s.db.visit(ctx, s.tx, []string{"r.sent_at", "r.accepted_at", "r.completed_at", "CASE WHEN r.status = 'declined' THEN r.updated_at END",
		"r.to_org_id", "r.client_id"},
		`FROM referrals r `+w.String()+` ORDER BY r.sent_at, r.id`, w.args, func(c []driver.Value) error {
			f := s.start("referral")
			f.At[0], f.At[1], f.At[2], f.At[3] = colTime(c[0]), colTime(c[1]), colTime(c[2]), colTime(c[3])
			f.Dims[dimOrganization] = s.str(colStr(c[4]))
			s.person(colStr(c[5]))
			return s.fn(s.client, f)
		})
}

// escalations: raised, acknowledged, resolved (not cancelled); the
// deadline is the acknowledgement clock agreed when it was raised; the
// organisation is the responsible one.
func (s *factStream) escalations(ctx context.Context) error {
	w := s.where("e.raised_at", "e.client_id")
	return s.db.visit(ctx, s.tx, []string{"e.raised_at", "e.sla_seconds", "e.acknowledged_at", "CASE WHEN e.status = 'resolved' THEN e.resolved_at END",
		"e.organization_id", "e.client_id"},
		`FROM escalations e `+w.String()+` ORDER BY e.raised_at, e.id`, w.args, func(c []driver.Value) error {
			f := s.start("escalation")
			f.At[0], f.At[1], f.At[2] = colTime(c[0]), colTime(c[2]), colTime(c[3])
			sla, _ := colInt(c[1])
			f.Deadline = f.At[0].Add(time.Duration(sla) * time.Second)
			f.Dims[dimOrganization] = s.str(colStr(c[4]))
			s.person(colStr(c[5]))
			return s.fn(s.client, f)
		})
}

// grievances: received, resolved (the first outcome); the deadline is the
// first one, by category; no person dimensions (a grievance may be
// anonymous, and who complained is sealed for the oversight body); the
// organisation is the one it is about, else the one that answers it.
func (s *factStream) grievances(ctx context.Context) error {
	w := s.where("received_at", "")
	return s.db.visit(ctx, s.tx, []string{"received_at", "resolved_at", "category", "CASE WHEN organization_id <> '' THEN organization_id ELSE handler_org_id END",
		"client_ref"},
		`FROM grievances `+w.String()+` ORDER BY received_at, id`, w.args, func(c []driver.Value) error {
			f := s.start("grievance")
			f.At[0], f.At[1] = colTime(c[0]), colTime(c[1])
			f.Deadline = accord.AddWorkingDays(f.At[0], accord.GrievanceCategory(colStr(c[2])).ResponseDays())
			s.anonymous()
			f.Dims[dimOrganization] = s.str(colStr(c[3]))
			// A complaint made through the portal names its client by a
			// keyed hash: that bounds one person's complaints under
			// differential privacy. One made without it is a person of
			// its own.
			if ref := colStr(c[4]); ref != "" {
				f.Person = personKey("grievance:" + ref)
			}
			return s.fn(s.client, f)
		})
}

// intakes: a client registered, and the first legal contact: the earliest
// acceptance of a referral to a legal organisation, or a legal
// organisation opening or joining one of the client's cases. Merged
// duplicates are not counted (their survivor is); the organisation is the
// client's home.
func (s *factStream) intakes(ctx context.Context) error {
	slices.SortFunc(s.registered, func(a, b registration) int {
		if a.created != b.created {
			return cmp.Compare(a.created, b.created)
		}
		return strings.Compare(a.id, b.id)
	})
	// First legal contacts, in three grouped passes rather than three
	// look-ups per client.
	first := map[string]time.Time{}
	const legal = `SELECT id FROM organizations WHERE sector = 'legal'`
	for _, q := range []struct{ client, at, from, cond string }{
		{"r.client_id", "min(r.accepted_at)", `FROM referrals r`, "r.accepted_at IS NOT NULL AND r.to_org_id IN (" + legal + ")"},
		{"k.client_id", "min(p.added_at)", `FROM cases k JOIN case_participants p ON p.case_id = k.id`, "p.organization_id IN (" + legal + ")"},
		{"k.client_id", "min(k.opened_at)", `FROM cases k`, "k.lead_organization_id IN (" + legal + ")"},
	} {
		w := s.where("", q.client, q.cond)
		err := s.db.visit(ctx, s.tx, []string{q.client, q.at}, q.from+" "+w.String()+" GROUP BY "+q.client, w.args, func(c []driver.Value) error {
			at := colTime(c[1])
			if at.IsZero() {
				return nil
			}
			id := colStr(c[0])
			if cur, ok := first[id]; !ok || at.Before(cur) {
				first[strings.Clone(id)] = at
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, r := range s.registered {
		f := s.start("intake")
		f.At[0], f.At[1] = fromUS(r.created), first[r.id]
		f.Dims[dimOrganization] = r.home
		s.person(r.id)
		if err := s.fn(s.client, f); err != nil {
			return err
		}
	}
	return nil
}

// disclosures: every access decision in the audit log that permitted and
// released a client's data held by one organisation to a member of
// another; documented consent when the decision names a consent. The
// organisation is the holder. A merged duplicate's entries count with the
// survivor's dimensions.
func (s *factStream) disclosures(ctx context.Context) error {
	w := &factWhere{}
	if s.clients == nil { // by index: the window's part of the log
		w.add("a.idx >= ?", s.auditLo)
	}
	w.add("a.kind = ? AND a.client_id <> ''", string(accord.AuditDecision))
	if s.auditHi >= 0 {
		w.add("a.idx < ?", s.auditHi)
	}
	w = s.whereMore(w, "a.time", "a.client_id")
	return s.db.visit(ctx, s.tx, []string{"a.idx", "a.leaf", "a.client_id"}, `FROM audit_entries a `+w.String()+` ORDER BY a.idx`, w.args, func(c []driver.Value) error {
		var leaf []byte
		switch v := c[1].(type) {
		case []byte:
			leaf = v
		case string:
			leaf = []byte(v)
		}
		e, err := auditlog.DecodeLeaf(leaf)
		if err != nil {
			idx, _ := colInt(c[0])
			return fmt.Errorf("audit entry %d: %w", idx, err)
		}
		if e.Effect != accord.Permit.String() || !e.Released || e.HolderID == "" || e.ActorOrganizationID == "" || e.HolderID == e.ActorOrganizationID {
			return nil
		}
		f := s.start("disclosure")
		f.At[0] = e.Time.UTC()
		if e.ConsentID != "" {
			f.At[1] = f.At[0]
		}
		f.Dims[dimOrganization] = s.str(e.HolderID)
		client := colStr(c[2])
		if into, ok := s.merged[client]; ok {
			s.person(into)
			s.client = client // kept under the client of the entry
		} else {
			s.person(client)
		}
		return s.fn(s.client, f)
	})
}

// auditSlack widens the search of the audit log by index: entries are in
// time order, but those committed together may be out of order by a
// little.
const auditSlack = time.Minute

// auditWindow returns the audit indexes that hold [from, to), with some
// slack; hi is -1 when the window reaches the end of the log.
func (db *DB) auditWindow(ctx context.Context, from, to time.Time) (lo, hi int64, err error) {
	size, err := db.AuditSize(ctx)
	if err != nil {
		return 0, 0, err
	}
	if lo, err = db.auditIndexAt(ctx, from.Add(-auditSlack), size); err != nil {
		return 0, 0, err
	}
	if hi, err = db.auditIndexAt(ctx, to.Add(auditSlack), size); err != nil {
		return 0, 0, err
	}
	if hi >= int64(size) {
		hi = -1
	}
	return lo, hi, nil
}

// breakGlass: emergency legal bases, recorded and reviewed; the
// organisation is the one whose staff member used it.
func (s *factStream) breakGlass(ctx context.Context) error {
	w := s.whereMore((&factWhere{}).add("b.kind = ?", string(accord.BasisEmergency)), "b.recorded_at", "b.client_id")
	return s.db.visit(ctx, s.tx, []string{"b.recorded_at", "b.reviewed_at", "b.recipient_organization_id", "b.client_id"},
		`FROM legal_bases b `+w.String()+` ORDER BY b.recorded_at, b.id`, w.args, func(c []driver.Value) error {
			f := s.start("break_glass")
			f.At[0], f.At[1] = colTime(c[0]), colTime(c[1])
			f.Dims[dimOrganization] = s.str(colStr(c[2]))
			s.person(colStr(c[3]))
			return s.fn(s.client, f)
		})
}

// interpreters: clients who need an interpreter, from registration, and
// the first time one was used: at intake (the registration itself) or at a
// screening. The organisation is the client's home. Erased clients are not
// counted.
func (s *factStream) interpreters(ctx context.Context) error {
	screened := map[string]time.Time{}
	w := s.where("", "client_id", "interpreter_used")
	err := s.db.visit(ctx, s.tx, []string{"client_id", "min(recorded_at)"}, `FROM screenings `+w.String()+` GROUP BY client_id`, w.args,
		func(c []driver.Value) error {
			screened[strings.Clone(colStr(c[0]))] = colTime(c[1])
			return nil
		})
	if err != nil {
		return err
	}
	for _, r := range s.registered { // sorted by intakes
		if !r.interpreterNeeded {
			continue
		}
		f := s.start("interpreter")
		f.At[0] = fromUS(r.created)
		if r.interpreterUsed {
			f.At[1] = f.At[0]
		} else {
			f.At[1] = screened[r.id]
		}
		f.Dims[dimOrganization] = r.home
		s.person(r.id)
		if err := s.fn(s.client, f); err != nil {
			return err
		}
	}
	return nil
}

// treatmentStarted is the health outcome that marks treatment started.
const treatmentStarted = "treatment_started"

// treatments: cases opened, and treatment started: the earliest
// treatment_started outcome, at the time recorded with it or else its
// event on the case timeline. The organisation is the case's lead.
func (s *factStream) treatments(ctx context.Context) error {
	w := s.where("k.opened_at", "k.client_id")
	var list []accord.Outcome
	return s.db.visit(ctx, s.tx, []string{"k.opened_at", "k.outcomes",
		"(SELECT min(e.at) FROM case_events e WHERE e.case_id = k.id AND e.kind = 'outcome.health' AND e.object_id = '" + treatmentStarted + "')",
		"k.lead_organization_id", "k.client_id"},
		`FROM cases k `+w.String()+` ORDER BY k.opened_at, k.id`, w.args, func(c []driver.Value) error {
			f := s.start("treatment")
			f.At[0] = colTime(c[0])
			clear(list[:cap(list)]) // decoding into a reused element keeps fields the JSON lacks
			list = list[:0]
			if outcomes := colStr(c[1]); outcomes != "" && outcomes != "[]" {
				if err := json.Unmarshal([]byte(outcomes), &list); err != nil {
					return err
				}
			}
			for _, o := range list {
				if o.Kind != "health" || o.Code != treatmentStarted {
					continue
				}
				at := o.RecordedAt.UTC()
				if at.IsZero() {
					at = colTime(c[2])
				}
				if !at.IsZero() && (f.At[1].IsZero() || at.Before(f.At[1])) {
					f.At[1] = at
				}
			}
			f.Dims[dimOrganization] = s.str(colStr(c[3]))
			s.person(colStr(c[4]))
			return s.fn(s.client, f)
		})
}

// needs: each need a screening identified, rescreened when the client
// next answered the same questionnaire (at any organisation), resolved
// when that screening no longer found it. The organisation is the one that
// screened. Needs of one screening come in the order it stored them.
func (s *factStream) needs(ctx context.Context) error {
	w := s.where("s.recorded_at", "s.client_id", "s.needs <> '[]'")
	var found, later []ScreenedNeed
	return s.db.visit(ctx, s.tx, []string{"s.recorded_at", "s.needs", "s.organization_id", "n.recorded_at", "COALESCE(n.needs, '[]')", "s.client_id"},
		`FROM screenings s
		LEFT JOIN screenings n ON n.id = (SELECT m.id FROM screenings m WHERE m.client_id = s.client_id AND m.questionnaire = s.questionnaire
			AND (m.recorded_at > s.recorded_at OR m.recorded_at = s.recorded_at AND m.id > s.id) ORDER BY m.recorded_at, m.id LIMIT 1)
		`+w.String()+` ORDER BY s.recorded_at, s.id`, w.args, func(c []driver.Value) error {
			clear(found[:cap(found)])
			clear(later[:cap(later)])
			found, later = found[:0], later[:0]
			if err := json.Unmarshal([]byte(colStr(c[1])), &found); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(colStr(c[4])), &later); err != nil {
				return err
			}
			next := colTime(c[3])
			org, client := s.str(colStr(c[2])), colStr(c[5])
			for i, n := range found {
				if slices.ContainsFunc(found[:i], func(m ScreenedNeed) bool { return m.Code == n.Code }) {
					continue
				}
				f := s.start("need")
				f.At[0] = colTime(c[0])
				if !next.IsZero() {
					f.At[1] = next
					if !slices.ContainsFunc(later, func(m ScreenedNeed) bool { return m.Code == n.Code }) {
						f.At[2] = f.At[1]
					}
				}
				f.Dims[dimOrganization] = org
				s.person(client)
				if err := s.fn(s.client, f); err != nil {
					return err
				}
			}
			return nil
		})
}

// Action plans.

func errActionPlanNotFound() error { return accord.Errorf(accord.ENOTFOUND, "action plan not found") }

// CreateActionPlan stores a new action plan (open unless p.Status says
// otherwise) recorded by the actor. It returns EINVALID naming the field at
// fault, or ECONFLICT when the indicator already has a plan for the
// quarter.
func (db *DB) CreateActionPlan(ctx context.Context, actor accord.Actor, p *accord.ActionPlan) (err error) {
	defer accord.Wrap(&err, "CreateActionPlan")
	if p.Status == "" {
		p.Status = "open"
	}
	if err := p.Validate(); err != nil {
		return err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	p.ID, p.RecordedBy, p.UpdatedAt, p.Version = accord.NewID(accord.PrefixActionPlan, nil), actor.StaffID, tx.now, 1
	p.Deadline = p.Deadline.UTC()
	if _, err := tx.ExecContext(ctx, `INSERT INTO action_plans (id, indicator_id, period, owner, actions, deadline, progress, status, recorded_by, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, p.ID, p.IndicatorID, p.Period, p.Owner, p.Actions, us(p.Deadline), p.Progress, p.Status,
		p.RecordedBy, us(p.UpdatedAt), p.Version); err != nil {
		if isUniqueViolation(err) {
			return accord.Errorf(accord.ECONFLICT, "an action plan for this indicator and quarter already exists; change it instead")
		}
		return err
	}
	tx.record(changeEntry(actor, "action_plan.create", p.ID, ""))
	return tx.commit(ctx)
}

// UpdateActionPlan replaces the owner, actions, deadline, progress and
// status of plan p.ID, which the caller saw at p.Version; the indicator
// and quarter stay. It returns EPRECONDITION when the plan changed since,
// ENOTFOUND, or EINVALID. On success p holds the stored plan.
func (db *DB) UpdateActionPlan(ctx context.Context, actor accord.Actor, p *accord.ActionPlan) (err error) {
	defer accord.Wrap(&err, "UpdateActionPlan(%s)", p.ID)
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	cur, err := findActionPlan(ctx, tx, p.ID)
	if err != nil {
		return err
	}
	if cur.Version != p.Version {
		return errStale("action_plan")
	}
	p.IndicatorID, p.Period = cur.IndicatorID, cur.Period
	if err := p.Validate(); err != nil {
		return err
	}
	p.Deadline, p.RecordedBy, p.UpdatedAt = p.Deadline.UTC(), actor.StaffID, tx.now
	res, err := tx.ExecContext(ctx, `UPDATE action_plans SET owner = $1, actions = $2, deadline = $3, progress = $4, status = $5, recorded_by = $6,
		updated_at = $7, version = version + 1 WHERE id = $8 AND version = $9`,
		p.Owner, p.Actions, us(p.Deadline), p.Progress, p.Status, p.RecordedBy, us(p.UpdatedAt), p.ID, p.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errStale("action_plan")
	}
	p.Version++
	tx.record(changeEntry(actor, "action_plan.update", p.ID, ""))
	return tx.commit(ctx)
}

// FindActionPlan returns a plan, or ENOTFOUND.
func (db *DB) FindActionPlan(ctx context.Context, id string) (*accord.ActionPlan, error) {
	if !accord.ValidID(accord.PrefixActionPlan, id) {
		return nil, errActionPlanNotFound()
	}
	return findActionPlan(ctx, db.read, id)
}

// ActionPlans returns the plans for a quarter ("2026-Q3"), by indicator.
func (db *DB) ActionPlans(ctx context.Context, period string) ([]accord.ActionPlan, error) {
	return findActionPlans(ctx, db.read, `WHERE period = $1 ORDER BY indicator_id, id`, period)
}

const actionPlanSelect = `SELECT id, indicator_id, period, owner, actions, deadline, progress, status, recorded_by, updated_at, version FROM action_plans `

func findActionPlan(ctx context.Context, q querier, id string) (*accord.ActionPlan, error) {
	ps, err := findActionPlans(ctx, q, `WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, errActionPlanNotFound()
	}
	return &ps[0], nil
}

func findActionPlans(ctx context.Context, q querier, where string, args ...any) ([]accord.ActionPlan, error) {
	rows, err := q.QueryContext(ctx, actionPlanSelect+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []accord.ActionPlan{}
	for rows.Next() {
		var p accord.ActionPlan
		var deadline, updated int64
		if err := rows.Scan(&p.ID, &p.IndicatorID, &p.Period, &p.Owner, &p.Actions, &deadline, &p.Progress, &p.Status, &p.RecordedBy,
			&updated, &p.Version); err != nil {
			return nil, err
		}
		p.Deadline, p.UpdatedAt = fromUS(deadline), fromUS(updated)
		out = append(out, p)
	}
	return out, rows.Err()
}

// Releases.

// IndicatorRelease is a published release of a quarter's indicators: the
// protected figures exactly as published (JSON), with their SHA-256.
type IndicatorRelease struct {
	Period  string `json:"period"`  // "2026-Q3"
	Profile string `json:"profile"` // the disclosure-control profile applied
	// Epsilon is the differential-privacy budget the release spent (0:
	// none, a profile without noise).
	Epsilon     float64   `json:"epsilon,omitempty"`
	PublishedAt time.Time `json:"published_at"`
	PublishedBy string    `json:"published_by"`
	Content     []byte    `json:"-"`
	SHA256      string    `json:"sha256"` // hex SHA-256 of Content
	// BudgetCap, when above 0, is the most the partnership's releases may
	// spend in all (Epsilon summed): PublishRelease refuses one that would
	// go over it. It is not stored.
	BudgetCap float64 `json:"-"`
}

// PublishRelease stores a release, published now by the actor, and sets
// r.PublishedAt, r.PublishedBy and r.SHA256. A quarter is published once:
// a second release for it is ECONFLICT. EINVALID when the period is not a
// quarter, the profile is missing or the content is not JSON, naming
// "epsilon" when it is negative or not finite. The epsilon is recorded in
// the audit entry; a release that would take the partnership's spent
// budget over r.BudgetCap is ECONFLICT naming "epsilon".
func (db *DB) PublishRelease(ctx context.Context, actor accord.Actor, r *IndicatorRelease) (err error) {
	defer accord.Wrap(&err, "PublishRelease(%s)", r.Period)
	p, err := accord.ParsePeriod(r.Period)
	if err != nil {
		return err
	}
	r.Period = p.String()
	if strings.TrimSpace(r.Profile) == "" {
		return accord.FieldErrorf("profile", "%s is required", "profile")
	}
	if !json.Valid(r.Content) {
		return accord.FieldErrorf("content", "the release content must be JSON")
	}
	if math.IsNaN(r.Epsilon) || math.IsInf(r.Epsilon, 0) || r.Epsilon < 0 {
		return accord.FieldErrorf("epsilon", "epsilon must be a number, 0 or more")
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if r.BudgetCap > 0 && r.Epsilon > 0 {
		// Two publications at once must not both fit under the cap: on
		// PostgreSQL they take turns (SQLite has one writer anyway).
		if tx.db.engine == Postgres {
			if _, err := tx.ExecContext(ctx, `LOCK TABLE indicator_releases IN EXCLUSIVE MODE`); err != nil {
				return err
			}
		}
		spent, err := privacySpent(ctx, tx)
		if err != nil {
			return err
		}
		if spent+r.Epsilon > r.BudgetCap+1e-9 {
			e := accord.Errorf(accord.ECONFLICT, "This release would spend %[1]v of the partnership's privacy budget (epsilon); %[2]v of %[3]v is left.", r.Epsilon, max(r.BudgetCap-spent, 0), r.BudgetCap)
			e.Field = "epsilon"
			return e
		}
	}
	sum := sha256.Sum256(r.Content)
	r.PublishedAt, r.PublishedBy, r.SHA256 = tx.now, actor.StaffID, hex.EncodeToString(sum[:])
	res, err := tx.ExecContext(ctx, `INSERT INTO indicator_releases (period, profile, published_at, published_by, content, content_sha256, epsilon)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (period) DO NOTHING`, r.Period, r.Profile, us(r.PublishedAt), r.PublishedBy, r.Content, r.SHA256, r.Epsilon)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return accord.Errorf(accord.ECONFLICT, "the release for %s is already published; a release cannot be changed", r.Period)
	}
	e := changeEntry(actor, "indicators.publish", r.Period, "")
	e.Epsilon = r.Epsilon
	tx.record(e)
	return tx.commit(ctx)
}

// FindRelease returns the release of a quarter with its content, or
// ENOTFOUND. Content that no longer matches its hash is an internal error.
func (db *DB) FindRelease(ctx context.Context, period string) (*IndicatorRelease, error) {
	rs, err := db.findReleases(ctx, true, `WHERE period = $1`, period)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "release not found")
	}
	r := &rs[0]
	if sum := sha256.Sum256(r.Content); hex.EncodeToString(sum[:]) != r.SHA256 {
		return nil, fmt.Errorf("release %s: its content does not match the hash recorded when it was published", r.Period)
	}
	return r, nil
}

// Releases returns every published release without its content, newest
// quarter first ("YYYY-Qn" sorts as text).
func (db *DB) Releases(ctx context.Context) ([]IndicatorRelease, error) {
	return db.findReleases(ctx, false, `ORDER BY period DESC`)
}

func (db *DB) findReleases(ctx context.Context, withContent bool, where string, args ...any) ([]IndicatorRelease, error) {
	cols := `period, profile, published_at, published_by, content_sha256, epsilon`
	if withContent {
		cols += `, content`
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+cols+` FROM indicator_releases `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []IndicatorRelease{}
	for rows.Next() {
		var r IndicatorRelease
		var at int64
		dest := []any{&r.Period, &r.Profile, &at, &r.PublishedBy, &r.SHA256, &r.Epsilon}
		if withContent {
			dest = append(dest, &r.Content)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		r.PublishedAt = fromUS(at)
		out = append(out, r)
	}
	return out, rows.Err()
}
