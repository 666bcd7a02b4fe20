package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/accord-project/accord"
)

// Access anomaly alerts (accord.Anomaly). Detection reads one day of the
// audit log (found by bisecting entry indexes by time, as the indicators
// do), decodes from each decision's leaf — the hashed bytes, not the
// columns — who asked about which client of which holder and what was
// decided, and adds it up staff member by staff member (accord.AnomalyScan).
// Caseloads, baselines and emergency accesses are then looked up only for
// the staff members who could reach a threshold, and the day's counts,
// alerts, their review deadlines (durable timers) and audit entries are
// written in one transaction. An alert is unique per rule, staff member,
// holder and day: detecting a day again adds only what is new.

// TimerAnomalyReview fires when an alert has waited too long for review.
const TimerAnomalyReview = "anomaly.review"

// DefaultThresholdsVersion is the version of the default thresholds, in
// force until the oversight body sets its own (versions start at 1, as
// every object's do).
const DefaultThresholdsVersion = 1

// AnomalyThresholds returns the oversight body's thresholds (the defaults
// until it sets its own) and their version (DefaultThresholdsVersion: the
// defaults).
func (db *DB) AnomalyThresholds(ctx context.Context) (accord.AnomalyThresholds, int, error) {
	return anomalyThresholds(ctx, db.read)
}

func anomalyThresholds(ctx context.Context, q querier) (accord.AnomalyThresholds, int, error) {
	t := accord.DefaultAnomalyThresholds()
	var text string
	var version int
	err := q.QueryRowContext(ctx, `SELECT thresholds, version FROM anomaly_settings WHERE id = 1`).Scan(&text, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return t, DefaultThresholdsVersion, nil
	}
	if err != nil {
		return t, 0, err
	}
	if err := json.Unmarshal([]byte(text), &t); err != nil {
		return t, 0, fmt.Errorf("anomaly thresholds: %w", err)
	}
	return t, version, nil
}

// SetAnomalyThresholds stores new thresholds with an audit entry
// ("anomaly.thresholds") in the same transaction. version is the version
// the caller read (1: the defaults): if someone changed them since, it is
// ECONFLICT and nothing changes. Errors: EINVALID (the field named),
// ECONFLICT.
func (db *DB) SetAnomalyThresholds(ctx context.Context, actor accord.Actor, t accord.AnomalyThresholds, version int) (err error) {
	defer accord.Wrap(&err, "SetAnomalyThresholds")
	if err := t.Validate(); err != nil {
		return err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// The write itself checks the version (a read first would let two
	// changes from the same version both pass on PostgreSQL, the second
	// overwriting the first): the defaults are replaced only while no row
	// is stored, a stored version only while it is the one read.
	text, _ := json.Marshal(t)
	var res sql.Result
	if version == DefaultThresholdsVersion {
		res, err = tx.ExecContext(ctx, `INSERT INTO anomaly_settings (id, thresholds, updated_by, updated_at, version) VALUES (1, $1, $2, $3, $4)
			ON CONFLICT (id) DO NOTHING`, string(text), actor.StaffID, us(tx.now), version+1)
	} else {
		res, err = tx.ExecContext(ctx, `UPDATE anomaly_settings SET thresholds = $1, updated_by = $2, updated_at = $3, version = $4
			WHERE id = 1 AND version = $5`, string(text), actor.StaffID, us(tx.now), version+1, version)
	}
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return accord.Errorf(accord.ECONFLICT, "someone else changed the thresholds since you opened them; look at them again")
	}
	e := changeEntry(actor, "anomaly.thresholds", "", "")
	e.Count = version + 1
	tx.record(e)
	return tx.commit(ctx)
}

// AnomalyRun is one detection of a day.
type AnomalyRun struct {
	Day         string
	WindowStart time.Time
	WindowEnd   time.Time
	FinishedAt  *time.Time
	// Entries is how many decision entries the last run read; Alerts how
	// many alerts it added (those found before are not counted again).
	Entries int
	Alerts  int
}

// AnomalyRuns returns the latest days detected, newest first, at most limit.
func (db *DB) AnomalyRuns(ctx context.Context, limit int) ([]AnomalyRun, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT day, window_start, window_end, finished_at, entries, alerts FROM anomaly_runs
		ORDER BY day DESC LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AnomalyRun
	for rows.Next() {
		var r AnomalyRun
		var from, to int64
		var fin nullUSCol
		if err := rows.Scan(&r.Day, &from, &to, &fin, &r.Entries, &r.Alerts); err != nil {
			return nil, err
		}
		r.WindowStart, r.WindowEnd, r.FinishedAt = fromUS(from), fromUS(to), fin.ptr()
		out = append(out, r)
	}
	return out, rows.Err()
}

// anomalySettle is how long after a day ends its detection waits, so
// that entries committed together around midnight are in the log.
const anomalySettle = 5 * time.Minute

// ClaimAnomalyDay claims day [from, to) for worker to detect, for lease,
// and reports whether it got it: it does when the day has not been
// detected since it ended (never, or only part of it, on demand) and no
// other worker holds it. A worker that dies loses the claim when the lease
// ends. Call only for a day that has ended.
func (db *DB) ClaimAnomalyDay(ctx context.Context, worker, day string, from, to time.Time, lease time.Duration) (bool, error) {
	now := db.now()
	res, err := db.write.ExecContext(ctx, `INSERT INTO anomaly_runs (day, window_start, window_end, claimed_by, claimed_until, finished_at, entries, alerts)
		VALUES ($1, $2, $3, $4, $5, NULL, 0, 0)
		ON CONFLICT (day) DO UPDATE SET claimed_by = $4, claimed_until = $5
		WHERE anomaly_runs.claimed_until < $6 AND (anomaly_runs.finished_at IS NULL OR anomaly_runs.finished_at < anomaly_runs.window_end + $7)`,
		day, us(from), us(to), worker, us(now.Add(lease)), us(now), int64(anomalySettle/time.Microsecond))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// anomalyLeaf is the part of an audit leaf detection reads.
type anomalyLeaf struct {
	Kind     accord.AuditKind `json:"kind"`
	ActorID  string           `json:"actor"`
	ActorOrg string           `json:"actor_org"`
	ClientID string           `json:"client"`
	HolderID string           `json:"holder"`
	Effect   string           `json:"effect"`
	Action   string           `json:"action"`
	ObjectID string           `json:"object"`
	// client is the client id's bytes in the leaf when scan read it
	// (ClientID is then ""), valid until the next row.
	client []byte
}

// clientID returns the client id's bytes.
func (l *anomalyLeaf) clientID() []byte {
	if l.client != nil {
		return l.client
	}
	return []byte(l.ClientID)
}

// interner turns the bytes of a leaf's value into a string, allocating
// only the first time it sees them: a day's leaves repeat a few hundred
// staff ids, a few organisations and codes. (Client ids, many and each
// seen a few times, are left as bytes: AnomalyScan looks them up once.)
type interner map[string]string

func (in interner) get(b []byte) string {
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// scan reads l from leaf in one pass, without reflection, and reports
// whether it could: leaves are canonical JSON (auditlog.EncodeLeaf), an
// object of keys and values with no spaces, whose strings are ids and
// codes. A string with an escape is left to encoding/json (false).
func (l *anomalyLeaf) scan(b []byte, in interner) bool {
	*l = anomalyLeaf{}
	if len(b) < 2 || b[0] != '{' {
		return false
	}
	i := 1
	for i < len(b) && b[i] != '}' {
		if b[i] != '"' {
			return false
		}
		k := bytes.IndexByte(b[i+1:], '"')
		if k < 0 || i+k+2 >= len(b) || b[i+k+2] != ':' {
			return false
		}
		key := b[i+1 : i+1+k]
		for _, c := range key {
			if (c < 'a' || c > 'z') && c != '_' {
				return false // encoding/json would match keys in any case
			}
		}
		i += k + 3
		if i >= len(b) {
			return false
		}
		if b[i] == '"' {
			n := bytes.IndexByte(b[i+1:], '"')
			if n < 0 {
				return false
			}
			v := b[i+1 : i+1+n]
			if !plainBytes(v) {
				return false
			}
			switch string(key) {
			case "kind":
				l.Kind = accord.AuditKind(in.get(v))
			case "actor":
				l.ActorID = in.get(v)
			case "actor_org":
				l.ActorOrg = in.get(v)
			case "client":
				l.client = v
			case "holder":
				l.HolderID = in.get(v)
			case "effect":
				l.Effect = in.get(v)
			case "action":
				l.Action = in.get(v)
			case "object":
				l.ObjectID = in.get(v)
			}
			i += n + 2
		} else {
			// A number, true/false, or a list of codes: skip to the comma
			// or brace that ends it.
			depth := 0
			for ; i < len(b); i++ {
				c := b[i]
				if c == '"' {
					n := bytes.IndexByte(b[i+1:], '"')
					if n < 0 {
						return false
					}
					i += n + 1
				} else if c == '[' || c == '{' {
					depth++
				} else if c == ']' || c == '}' {
					if depth == 0 {
						break
					}
					depth--
				} else if c == ',' && depth == 0 {
					break
				}
			}
		}
		if i < len(b) && b[i] == ',' {
			i++
		}
	}
	return i == len(b)-1
}

// plainBytes reports whether b is printable ASCII without escapes: what
// ids, codes and keys are, and what decodes to itself.
func plainBytes(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// ScanAnomalies adds to s every decision entry of [from, to) and returns
// how many it read.
func (db *DB) ScanAnomalies(ctx context.Context, s *accord.AnomalyScan, from, to time.Time) (scanned int, err error) {
	defer accord.Wrap(&err, "ScanAnomalies")
	lo, hi, err := db.auditWindow(ctx, from, to)
	if err != nil {
		return 0, err
	}
	if hi < 0 {
		hi = 1 << 62
	}
	rows, err := db.read.QueryContext(ctx, `SELECT idx, time, leaf FROM audit_entries WHERE idx >= $1 AND idx < $2 AND kind = $3 AND time >= $4 AND time < $5`,
		lo, hi, string(accord.AuditDecision), us(from), us(to))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var leaf sql.RawBytes
	var e accord.AuditEntry
	var l anomalyLeaf
	in := interner{}
	for rows.Next() {
		var idx, at int64
		if err := rows.Scan(&idx, &at, &leaf); err != nil {
			return scanned, err
		}
		if !l.scan(leaf, in) {
			// Not in the shape the log writes (an escape, say): decode it.
			l = anomalyLeaf{}
			if err := json.Unmarshal(leaf, &l); err != nil {
				return scanned, fmt.Errorf("audit entry %d: %w", idx, err)
			}
		}
		scanned++
		e = accord.AuditEntry{Time: fromUS(at), Kind: l.Kind, ActorID: l.ActorID, ActorOrganizationID: l.ActorOrg,
			HolderID: l.HolderID, Effect: l.Effect, Action: l.Action, ObjectID: l.ObjectID}
		s.AddClient(&e, l.clientID())
	}
	return scanned, rows.Err()
}

// Caseload returns the clients a staff member has a relationship with:
// on the client's care team, opening or taking part in one of the client's
// cases, sending or assigned one of the client's referrals. A relationship
// counts whenever it began: a read that led to a referral the same day is
// within the caseload.
func (db *DB) Caseload(ctx context.Context, staffID string) (map[string]bool, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT client_id FROM care_team WHERE staff_id = $1
		UNION SELECT k.client_id FROM case_participants p JOIN cases k ON k.id = p.case_id WHERE p.staff_id = $1
		UNION SELECT client_id FROM cases WHERE opened_by = $1
		UNION SELECT client_id FROM referrals WHERE from_staff_id = $1
		UNION SELECT client_id FROM referrals WHERE assigned_to = $1`, staffID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// AnomalyFacts looks up what detection of day [from, to) needs besides the
// scan: caseloads (only for staff who read at least the threshold's worth
// of clients), each staff member's baseline over the detected days of the
// baseline period before the day, and the emergency accesses recorded for
// staff members over the break-glass period ending with the day (only for
// those with one on the day itself, so a busy week is one alert a day
// with a new access, not one a day after).
func (db *DB) AnomalyFacts(ctx context.Context, s *accord.AnomalyScan, t *accord.AnomalyThresholds, from, to time.Time) (f accord.AnomalyFacts, err error) {
	defer accord.Wrap(&err, "AnomalyFacts")
	f = accord.AnomalyFacts{OutsideCaseload: map[string]int{}, Baselines: map[string]accord.AnomalyBaseline{}, BreakGlass: map[string]int{},
		BreakGlassOrgs: map[string]string{}}
	for _, a := range s.Staff() {
		if a.Clients < t.OutsideCaseload {
			continue
		}
		mine, err := db.Caseload(ctx, a.StaffID)
		if err != nil {
			return f, err
		}
		n := 0
		for _, c := range s.ClientIDs(a) {
			if !mine[c] {
				n++
			}
		}
		f.OutsideCaseload[a.StaffID] = n
	}
	loc := t.Location()
	day := from.In(loc)
	first := day.AddDate(0, 0, -t.BaselineDays).Format(time.DateOnly)
	last := day.Format(time.DateOnly)
	var days int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM anomaly_runs WHERE day >= $1 AND day < $2 AND finished_at IS NOT NULL`, first, last).Scan(&days); err != nil {
		return f, err
	}
	if days > 0 {
		rows, err := db.read.QueryContext(ctx, `SELECT staff_id, sum(clients), sum(after_hours) FROM anomaly_stats
			WHERE day >= $1 AND day < $2 AND day IN (SELECT day FROM anomaly_runs WHERE finished_at IS NOT NULL) GROUP BY staff_id`, first, last)
		if err != nil {
			return f, err
		}
		for rows.Next() {
			var id string
			var clients, after int64
			if err := rows.Scan(&id, &clients, &after); err != nil {
				rows.Close()
				return f, err
			}
			f.Baselines[id] = accord.AnomalyBaseline{Clients: float64(clients) / float64(days), AfterHours: float64(after) / float64(days), Days: days}
		}
		if err := rows.Close(); err != nil {
			return f, err
		}
		for _, a := range s.Staff() {
			if _, ok := f.Baselines[a.StaffID]; !ok {
				f.Baselines[a.StaffID] = accord.AnomalyBaseline{Days: days} // read nothing on those days
			}
		}
	}
	period := day.AddDate(0, 0, 1-t.BreakGlassDays)
	rows, err := db.read.QueryContext(ctx, `SELECT b.recipient_staff_id, s.organization_id, count(*), sum(CASE WHEN b.recorded_at >= $1 THEN 1 ELSE 0 END)
		FROM legal_bases b JOIN staff s ON s.id = b.recipient_staff_id
		WHERE b.kind = $2 AND b.recorded_at >= $3 AND b.recorded_at < $4 GROUP BY b.recipient_staff_id, s.organization_id`,
		us(from), string(accord.BasisEmergency), us(period), us(to))
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, org string
		var n, today int64
		if err := rows.Scan(&id, &org, &n, &today); err != nil {
			return f, err
		}
		if today > 0 {
			f.BreakGlass[id], f.BreakGlassOrgs[id] = int(n), org
		}
	}
	return f, rows.Err()
}

// DetectAnomalies detects day (YYYY-MM-DD, the window [from, to)) under
// thresholds t and stores what it found: the day's counts per staff member
// (the next days' baseline), each new alert with its review deadline and an
// audit entry ("anomaly.raise", naming the alert), and the run
// ("anomaly.detect", counting the new alerts). Alerts found by an earlier
// run of the same day are kept and not added again. It returns the run and
// the alerts it added.
func (db *DB) DetectAnomalies(ctx context.Context, actor accord.Actor, day string, from, to time.Time, t accord.AnomalyThresholds) (_ *AnomalyRun, _ []accord.Anomaly, err error) {
	defer accord.Wrap(&err, "DetectAnomalies(%s)", day)
	if err := t.Validate(); err != nil {
		return nil, nil, err
	}
	s := accord.NewAnomalyScan(&t)
	scanned, err := db.ScanAnomalies(ctx, s, from, to)
	if err != nil {
		return nil, nil, err
	}
	facts, err := db.AnomalyFacts(ctx, s, &t, from, to)
	if err != nil {
		return nil, nil, err
	}
	found := s.Detect(day, from, to, facts)

	tx, err := db.begin(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM anomaly_stats WHERE day = $1`, day); err != nil {
		return nil, nil, err
	}
	for _, a := range s.Staff() {
		if _, err := tx.ExecContext(ctx, `INSERT INTO anomaly_stats (day, staff_id, clients, after_hours, denials) VALUES ($1, $2, $3, $4, $5)`,
			day, a.StaffID, a.Clients, a.AfterHours, a.Denials); err != nil {
			return nil, nil, err
		}
	}
	var added []accord.Anomaly
	var fx Effects
	for _, a := range found {
		a.ID, a.DetectedAt = accord.NewID(accord.PrefixAnomaly, nil), tx.now
		res, err := tx.ExecContext(ctx, `INSERT INTO anomalies (id, rule, staff_id, organization_id, holder_id, day, window_start, window_end, value, threshold,
			baseline, baseline_days, after_hours_from, after_hours_to, period_days, detected_at, review_status, reviewed_by, reviewed_at, review_note, escalations)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, '', NULL, '', 0)
			ON CONFLICT (rule, staff_id, holder_id, day) DO NOTHING`,
			a.ID, string(a.Rule), a.StaffID, a.OrganizationID, a.HolderID, a.Day, us(a.WindowStart), us(a.WindowEnd), a.Value, a.Threshold,
			a.Baseline, a.BaselineDays, a.AfterHoursFrom, a.AfterHoursTo, a.Period, us(a.DetectedAt), string(accord.ReviewPending))
		if err != nil {
			return nil, nil, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			continue // found before
		}
		added = append(added, a)
		fx.Timers = append(fx.Timers, Timer{Kind: TimerAnomalyReview, SubjectID: a.ID, DueAt: a.ReviewDueAt()})
		e := changeEntry(actor, "anomaly.raise", a.ID, "")
		e.Count = a.Value
		tx.record(e)
	}
	if err := db.applyEffects(ctx, tx, fx); err != nil {
		return nil, nil, err
	}
	run := &AnomalyRun{Day: day, WindowStart: from.UTC(), WindowEnd: to.UTC(), FinishedAt: &tx.now, Entries: scanned, Alerts: len(added)}
	if _, err := tx.ExecContext(ctx, `INSERT INTO anomaly_runs (day, window_start, window_end, claimed_by, claimed_until, finished_at, entries, alerts)
		VALUES ($1, $2, $3, '', 0, $4, $5, $6)
		ON CONFLICT (day) DO UPDATE SET window_start = $2, window_end = $3, claimed_by = '', claimed_until = 0, finished_at = $4, entries = $5, alerts = $6`,
		day, us(from), us(to), us(tx.now), scanned, len(added)); err != nil {
		return nil, nil, err
	}
	e := changeEntry(actor, "anomaly.detect", day, "")
	e.Count = len(added)
	tx.record(e)
	if err := tx.commit(ctx); err != nil {
		return nil, nil, err
	}
	return run, added, nil
}

const anomalyColumns = `id, rule, staff_id, organization_id, holder_id, day, window_start, window_end, value, threshold, baseline, baseline_days,
	after_hours_from, after_hours_to, period_days, detected_at, review_status, reviewed_by, reviewed_at, review_note, escalations`

func findAnomalies(ctx context.Context, q querier, where string, args ...any) ([]accord.Anomaly, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+anomalyColumns+` FROM anomalies `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []accord.Anomaly
	for rows.Next() {
		var a accord.Anomaly
		var from, to, detected int64
		var reviewed nullUSCol
		if err := rows.Scan(&a.ID, &a.Rule, &a.StaffID, &a.OrganizationID, &a.HolderID, &a.Day, &from, &to, &a.Value, &a.Threshold, &a.Baseline,
			&a.BaselineDays, &a.AfterHoursFrom, &a.AfterHoursTo, &a.Period, &detected, &a.ReviewStatus, &a.ReviewedBy, &reviewed, &a.ReviewNote,
			&a.Escalations); err != nil {
			return nil, err
		}
		a.WindowStart, a.WindowEnd, a.DetectedAt, a.ReviewedAt = fromUS(from), fromUS(to), fromUS(detected), reviewed.ptr()
		out = append(out, a)
	}
	return out, rows.Err()
}

// AnomalyQueue returns the alerts waiting for review, the longest waiting
// first, at most limit (1 to 1000).
func (db *DB) AnomalyQueue(ctx context.Context, limit int) ([]accord.Anomaly, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return findAnomalies(ctx, db.read, `WHERE review_status = $1 ORDER BY detected_at, day, staff_id, rule, id LIMIT $2`, string(accord.ReviewPending), limit)
}

// RecentAnomalyReviews returns the latest alerts reviewed, newest first, at
// most limit (1 to 1000).
func (db *DB) RecentAnomalyReviews(ctx context.Context, limit int) ([]accord.Anomaly, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return findAnomalies(ctx, db.read, `WHERE review_status <> $1 AND reviewed_at IS NOT NULL ORDER BY reviewed_at DESC, id LIMIT $2`,
		string(accord.ReviewPending), limit)
}

// FindAnomaly returns one alert, or ENOTFOUND.
func (db *DB) FindAnomaly(ctx context.Context, id string) (*accord.Anomaly, error) {
	return findAnomaly(ctx, db.read, id)
}

func findAnomaly(ctx context.Context, q querier, id string) (*accord.Anomaly, error) {
	if !accord.ValidID(accord.PrefixAnomaly, id) {
		return nil, accord.Errorf(accord.ENOTFOUND, "alert not found")
	}
	as, err := findAnomalies(ctx, q, `WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "alert not found")
	}
	return &as[0], nil
}

// ReviewAnomaly records the oversight body's review of alert id, once: a
// second review is ECONFLICT and changes nothing, also when two reviewers
// submit at the same moment. The review is an audit event
// ("anomaly.review.<decision>") and disarms the alert's review deadline.
// Who may review is the enforcement layer's to decide. Errors: ENOTFOUND,
// EINVALID (the review), ECONFLICT.
func (db *DB) ReviewAnomaly(ctx context.Context, actor accord.Actor, id string, rv accord.Review) (_ *accord.Anomaly, err error) {
	defer accord.Wrap(&err, "ReviewAnomaly(%s)", id)
	if err := rv.Validate(); err != nil {
		return nil, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	a, err := findAnomaly(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if a.ReviewStatus != accord.ReviewPending {
		return nil, errAnomalyReviewed()
	}
	now := tx.now
	res, err := tx.ExecContext(ctx, `UPDATE anomalies SET review_status = $1, reviewed_by = $2, reviewed_at = $3, review_note = $4
		WHERE id = $5 AND review_status = $6`, string(rv.Decision), actor.StaffID, us(now), rv.Reasoning, a.ID, string(accord.ReviewPending))
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, errAnomalyReviewed()
	}
	a.ReviewStatus, a.ReviewedBy, a.ReviewedAt, a.ReviewNote = rv.Decision, actor.StaffID, &now, rv.Reasoning
	if err := db.applyEffects(ctx, tx, Effects{Disarm: []string{a.ID}}); err != nil {
		return nil, err
	}
	tx.record(changeEntry(actor, "anomaly.review."+string(rv.Decision), a.ID, ""))
	if err := tx.commit(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

func errAnomalyReviewed() error {
	return accord.Errorf(accord.ECONFLICT, "this alert has already been reviewed; a review is recorded once")
}

// fireAnomaly escalates an alert still waiting for review when its
// deadline passed, as fireReview does a legal basis: the oversight body's
// escalation chain is told (its auditors and privacy officers when it has
// none), the escalation is an audit event, and the timer is armed again.
func (db *DB) fireAnomaly(ctx context.Context, tx *Tx, t Timer) error {
	a, err := findAnomaly(ctx, tx, t.SubjectID)
	if accord.ErrorCode(err) == accord.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if a.ReviewStatus != accord.ReviewPending {
		return nil
	}
	over, tell, err := oversightRecipients(ctx, tx)
	if err != nil || over == "" {
		return err // no oversight body to tell: nothing to remind
	}
	if _, err := tx.ExecContext(ctx, `UPDATE anomalies SET escalations = escalations + 1 WHERE id = $1`, a.ID); err != nil {
		return err
	}
	fx := Effects{
		Timers: []Timer{{Kind: TimerAnomalyReview, SubjectID: a.ID, DueAt: tx.now.Add(accord.ReviewReminder)}},
		Hooks:  []Hook{{OrganizationID: over, Kind: "anomaly.review_overdue", SubjectID: a.ID}},
	}
	for _, s := range tell {
		fx.Notices = append(fx.Notices, Notice{StaffID: s, Kind: "anomaly.review_overdue", SubjectID: a.ID})
	}
	if err := db.applyEffects(ctx, tx, fx); err != nil {
		return fmt.Errorf("alert %s: %w", a.ID, err)
	}
	e := changeEntry(system, "anomaly.review_overdue", a.ID, "")
	e.Count = a.Escalations + 1
	tx.record(e)
	return nil
}
