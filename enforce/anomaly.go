package enforce

import (
	"context"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// Access anomaly alerts in the oversight body's workspace: the alerts
// waiting for review, one alert, its review, detection of a chosen day on
// demand, and the thresholds. Only the oversight body's auditors and
// privacy officers use them (staff of immigration authorities and law
// enforcement bodies never); reading alerts is recorded in the audit log as
// an export. Alerts hold ids, codes, counts and times: no client data, so,
// as with breach impact, no decision is needed to read them.

// AnomalyQueue is what waits for review, what was reviewed lately, and the
// latest days detected.
type AnomalyQueue struct {
	Waiting  []accord.Anomaly
	Reviewed []accord.Anomaly
	Runs     []sqlstore.AnomalyRun
	// Names are the names of the staff and organisations the alerts name.
	Names map[string]string
}

// AnomalyAlerts returns the alerts waiting for review, the longest waiting
// first, the latest recent reviews (0: none) and detection runs. For the
// oversight body's auditors and privacy officers (else EFORBIDDEN); reading
// it is recorded.
func (s *Service) AnomalyAlerts(ctx context.Context, c *Caller, recent int) (_ *AnomalyQueue, err error) {
	defer accord.Wrap(&err, "AnomalyAlerts")
	if err := c.requireReviewer(); err != nil {
		return nil, err
	}
	q := &AnomalyQueue{}
	if q.Waiting, err = s.db.AnomalyQueue(ctx, maxQueue); err != nil {
		return nil, err
	}
	if recent > 0 {
		if q.Reviewed, err = s.db.RecentAnomalyReviews(ctx, recent); err != nil {
			return nil, err
		}
		if q.Runs, err = s.db.AnomalyRuns(ctx, 14); err != nil {
			return nil, err
		}
	}
	q.Names = s.anomalyNames(ctx, append(append([]accord.Anomaly(nil), q.Waiting...), q.Reviewed...))
	e := accord.AuditEntry{Kind: accord.AuditExport, ActorID: c.Staff.ID, ActorOrganizationID: c.Staff.OrganizationID,
		Action: "anomalies.list", Count: len(q.Waiting) + len(q.Reviewed), RequestID: c.RequestID}
	return q, s.db.AppendAudit(ctx, e)
}

// AnomalyEntry is one alert for review.
type AnomalyEntry struct {
	Alert accord.Anomaly
	Names map[string]string
	// CanReview is nil when the caller may record the review (once it
	// waits for one), else why not.
	CanReview error
}

// AnomalyAlert returns alert id. For the oversight body's auditors and
// privacy officers; reading it is recorded.
func (s *Service) AnomalyAlert(ctx context.Context, c *Caller, id string) (_ *AnomalyEntry, err error) {
	defer accord.Wrap(&err, "AnomalyAlert(%s)", id)
	if err := c.requireReviewer(); err != nil {
		return nil, err
	}
	a, err := s.db.FindAnomaly(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &AnomalyEntry{Alert: *a, Names: s.anomalyNames(ctx, []accord.Anomaly{*a}), CanReview: c.CanReviewAnomaly(a)}
	e := accord.AuditEntry{Kind: accord.AuditExport, ActorID: c.Staff.ID, ActorOrganizationID: c.Staff.OrganizationID,
		Action: "anomalies.view", ObjectID: a.ID, Count: 1, RequestID: c.RequestID}
	return out, s.db.AppendAudit(ctx, e)
}

// CanReviewAnomaly returns nil when the caller may review alert a, else
// the error ReviewAnomaly would return: only the oversight body's auditors
// and privacy officers review, and never an alert about themselves or a
// colleague of their own organisation.
func (c *Caller) CanReviewAnomaly(a *accord.Anomaly) error {
	if err := c.requireReviewer(); err != nil {
		return err
	}
	if c.Staff.ID == a.StaffID || c.Staff.OrganizationID == a.OrganizationID {
		return accord.Errorf(accord.EFORBIDDEN, "you cannot review an alert about yourself or a colleague of your own organisation; another member of the oversight body must review it")
	}
	return nil
}

// ReviewAnomaly records the oversight body's review of alert id: justified,
// not justified or referred on, with the reviewer's reasoning. A review is
// recorded once, as an audit event, and stops the alert's review deadline.
// Errors: EFORBIDDEN, EINVALID (decision, reasoning), ENOTFOUND, ECONFLICT
// (already reviewed). Nothing changes on an error.
func (s *Service) ReviewAnomaly(ctx context.Context, c *Caller, id string, rv accord.Review) (_ *accord.Anomaly, err error) {
	defer accord.Wrap(&err, "ReviewAnomaly(%s)", id)
	if err := c.requireReviewer(); err != nil {
		return nil, err
	}
	if err := rv.Validate(); err != nil {
		return nil, err
	}
	a, err := s.db.FindAnomaly(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := c.CanReviewAnomaly(a); err != nil {
		return nil, err
	}
	if a, err = s.db.ReviewAnomaly(ctx, c.Actor(), id, rv); err != nil {
		return nil, err
	}
	s.logger.Info("anomaly alert reviewed", "alert", a.ID, "decision", string(a.ReviewStatus), "staff", c.Staff.ID)
	return a, nil
}

// AnomalyDetection is the result of detecting one day.
type AnomalyDetection struct {
	Run   sqlstore.AnomalyRun
	Added []accord.Anomaly
}

// DetectAnomalies detects day ("YYYY-MM-DD", the partnership's time zone)
// now, for the oversight body's auditors and privacy officers. A day not
// over yet is detected as far as it has gone, and again in full by the
// daily run once it ends; alerts found before are not added again.
// Errors: EFORBIDDEN, EINVALID (field "day": not a date, or in the future).
func (s *Service) DetectAnomalies(ctx context.Context, c *Caller, day string) (_ *AnomalyDetection, err error) {
	defer accord.Wrap(&err, "DetectAnomalies")
	if err := c.requireReviewer(); err != nil {
		return nil, err
	}
	t, _, err := s.db.AnomalyThresholds(ctx)
	if err != nil {
		return nil, err
	}
	from, to, err := accord.AnomalyDay("day", day, t.Location())
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !from.Before(now) {
		return nil, accord.FieldErrorf("day", "that day has not begun yet")
	}
	if from.Before(now.AddDate(-2, 0, 0)) {
		return nil, accord.FieldErrorf("day", "detection reaches back two years at most")
	}
	run, added, err := s.db.DetectAnomalies(ctx, c.Actor(), day, from, to, t)
	if err != nil {
		return nil, err
	}
	s.logger.Info("anomaly detection", "day", day, "entries", run.Entries, "alerts", len(added), "staff", c.Staff.ID)
	return &AnomalyDetection{Run: *run, Added: added}, nil
}

// AnomalyThresholds returns the thresholds in force and their version (1:
// the defaults), for the oversight body's auditors and privacy officers.
func (s *Service) AnomalyThresholds(ctx context.Context, c *Caller) (accord.AnomalyThresholds, int, error) {
	if err := c.requireReviewer(); err != nil {
		return accord.AnomalyThresholds{}, 0, err
	}
	return s.db.AnomalyThresholds(ctx)
}

// SetAnomalyThresholds changes the thresholds (version: the version the
// caller read), with an audit entry. Errors: EFORBIDDEN, EINVALID (the
// field named), ECONFLICT (changed meanwhile).
func (s *Service) SetAnomalyThresholds(ctx context.Context, c *Caller, t accord.AnomalyThresholds, version int) error {
	if err := c.requireReviewer(); err != nil {
		return err
	}
	if err := s.db.SetAnomalyThresholds(ctx, c.Actor(), t, version); err != nil {
		return err
	}
	s.logger.Info("anomaly thresholds changed", "version", version+1, "staff", c.Staff.ID)
	return nil
}

// anomalyNames names the staff and organisations that alerts refer to.
func (s *Service) anomalyNames(ctx context.Context, as []accord.Anomaly) map[string]string {
	n := newNames(s.db, &s.orgs)
	out := map[string]string{}
	org := func(id string) {
		if _, ok := out[id]; id != "" && !ok {
			out[id] = n.org(ctx, id)
		}
	}
	staff := func(id string) {
		if _, ok := out[id]; id == "" || ok {
			return
		}
		out[id] = id
		if st, err := s.db.FindStaff(ctx, id); err == nil {
			out[id] = st.DisplayName
		}
	}
	for _, a := range as {
		org(a.OrganizationID)
		org(a.HolderID)
		staff(a.StaffID)
		staff(a.ReviewedBy)
	}
	return out
}

// anomalyCatchUp is how many past days the daily run detects when it finds
// them not detected (the server was down): enough for a long weekend.
const anomalyCatchUp = 7

// DetectDaily detects each of the last days that has ended and was not
// detected since it ended, oldest first (each day's counts are the next
// days' baseline), and returns how many days it detected. The claim on a
// day is a row, so the work survives restarts and two processes never
// detect the same day at once.
func (r *Runner) DetectDaily(ctx context.Context) (int, error) {
	t, _, err := r.DB.AnomalyThresholds(ctx)
	if err != nil {
		return 0, err
	}
	loc := t.Location()
	now := r.now()
	today := now.In(loc)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	n := 0
	for back := anomalyCatchUp; back >= 1; back-- {
		from := today.AddDate(0, 0, -back)
		to := from.AddDate(0, 0, 1)
		if now.Before(to.Add(5 * time.Minute)) {
			continue // let entries committed around midnight land
		}
		day := from.Format(time.DateOnly)
		ok, err := r.DB.ClaimAnomalyDay(ctx, r.worker, day, from, to, 15*time.Minute)
		if err != nil {
			return n, err
		}
		if !ok {
			continue
		}
		run, added, err := r.DB.DetectAnomalies(ctx, accord.Actor{StaffID: "system"}, day, from, to, t)
		if err != nil {
			return n, err
		}
		r.logger().Info("anomaly detection", "day", day, "entries", run.Entries, "alerts", len(added))
		n++
	}
	return n, nil
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
