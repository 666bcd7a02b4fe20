package accord

import (
	"cmp"
	"slices"
	"time"
	_ "time/tzdata" // the partnership's time zone must load on any host
)

// Access anomaly alerts. Each day (in the partnership's time zone) the audit
// log is read for patterns of access that deserve a second look: a staff
// member reading many clients outside their caseload, many clients of one
// organisation, far more than their own usual, many after hours, being
// refused again and again, or breaking the glass often. Each pattern past
// its threshold is an alert naming the rule, the staff member and the
// measured value beside the threshold and the person's baseline; the
// oversight body reviews alerts as it reviews break-glass accesses
// (justified, not justified, referred on, with its reasoning).

// PrefixAnomaly is the prefix of alert ids.
const PrefixAnomaly = "anm"

// AnomalyRule names what an alert measured.
type AnomalyRule string

const (
	// AnomalyOutsideCaseload: distinct clients read with whom the staff
	// member has no relationship (care team, case, referral).
	AnomalyOutsideCaseload AnomalyRule = "outside_caseload"
	// AnomalyOrganizationBulk: distinct clients of one holding organisation
	// read in the day.
	AnomalyOrganizationBulk AnomalyRule = "organization_bulk"
	// AnomalyVolume: distinct clients read in the day against the person's
	// own daily average over the baseline period.
	AnomalyVolume AnomalyRule = "volume"
	// AnomalyAfterHours: distinct clients read outside working hours.
	AnomalyAfterHours AnomalyRule = "after_hours"
	// AnomalyDenials: access requests refused in the day.
	AnomalyDenials AnomalyRule = "repeated_denials"
	// AnomalyBreakGlass: emergency accesses recorded for the person over
	// the break-glass period ending with the day.
	AnomalyBreakGlass AnomalyRule = "break_glass"
)

// AnomalyRules lists the rules in the order pages show them.
var AnomalyRules = []AnomalyRule{AnomalyOutsideCaseload, AnomalyOrganizationBulk, AnomalyVolume, AnomalyAfterHours, AnomalyDenials, AnomalyBreakGlass}

// AnomalyBaselineMinDays is how many detected days the baseline needs
// before the volume rule compares against it: fewer days say too little
// about what is usual.
const AnomalyBaselineMinDays = 7

// AnomalyThresholds are the oversight body's settings for detection.
type AnomalyThresholds struct {
	// OutsideCaseload: clients read outside the caseload in a day.
	OutsideCaseload int `json:"outside_caseload"`
	// OrganizationBulk: clients of one organisation read in a day.
	OrganizationBulk int `json:"organization_bulk"`
	// VolumeFactor: a day's clients at least this many times the usual …
	VolumeFactor int `json:"volume_factor"`
	// VolumeMinimum: … and at least this many (so 3 against a usual 1 is
	// not an alert).
	VolumeMinimum int `json:"volume_minimum"`
	// BaselineDays: the trailing days the usual is averaged over.
	BaselineDays int `json:"baseline_days"`
	// AfterHoursFrom and AfterHoursTo: the hours (0–23, the partnership's
	// time) outside working hours, from AfterHoursFrom:00 to AfterHoursTo:00
	// (crossing midnight when From > To).
	AfterHoursFrom int `json:"after_hours_from"`
	AfterHoursTo   int `json:"after_hours_to"`
	// AfterHours: clients read after hours in a day.
	AfterHours int `json:"after_hours"`
	// Denials: refused requests in a day.
	Denials int `json:"denials"`
	// BreakGlass: emergency accesses in BreakGlassDays days.
	BreakGlass     int `json:"break_glass"`
	BreakGlassDays int `json:"break_glass_days"`
	// TimeZone is the partnership's IANA time zone ("Europe/Madrid"): days
	// and working hours are in it.
	TimeZone string `json:"time_zone"`
}

// DefaultAnomalyThresholds are the thresholds until the oversight body sets
// its own (docs/ARCHITECTURE.md gives the reasons for each).
func DefaultAnomalyThresholds() AnomalyThresholds {
	return AnomalyThresholds{OutsideCaseload: 10, OrganizationBulk: 50, VolumeFactor: 3, VolumeMinimum: 20, BaselineDays: 28,
		AfterHoursFrom: 20, AfterHoursTo: 7, AfterHours: 20, Denials: 10, BreakGlass: 3, BreakGlassDays: 7, TimeZone: "UTC"}
}

// Location returns the partnership's time zone (UTC when it does not load).
func (t *AnomalyThresholds) Location() *time.Location {
	if loc, err := time.LoadLocation(t.TimeZone); err == nil && t.TimeZone != "" && t.TimeZone != "Local" {
		return loc
	}
	return time.UTC
}

// AfterHoursAt reports whether at is outside working hours.
func (t *AnomalyThresholds) AfterHoursAt(at time.Time) bool {
	h := at.In(t.Location()).Hour()
	if t.AfterHoursFrom > t.AfterHoursTo {
		return h >= t.AfterHoursFrom || h < t.AfterHoursTo
	}
	return h >= t.AfterHoursFrom && h < t.AfterHoursTo
}

// Validate checks thresholds before they are stored; the first field out
// of range is named.
func (t *AnomalyThresholds) Validate() error {
	for _, f := range []struct {
		name      string
		v, lo, hi int
	}{
		{"outside_caseload", t.OutsideCaseload, 1, 100000},
		{"organization_bulk", t.OrganizationBulk, 1, 100000},
		{"volume_factor", t.VolumeFactor, 2, 100},
		{"volume_minimum", t.VolumeMinimum, 1, 100000},
		{"baseline_days", t.BaselineDays, AnomalyBaselineMinDays, 90},
		{"after_hours_from", t.AfterHoursFrom, 0, 23},
		{"after_hours_to", t.AfterHoursTo, 0, 23},
		{"after_hours", t.AfterHours, 1, 100000},
		{"denials", t.Denials, 1, 100000},
		{"break_glass", t.BreakGlass, 1, 1000},
		{"break_glass_days", t.BreakGlassDays, 1, 90},
	} {
		if f.v < f.lo || f.v > f.hi {
			return FieldErrorf(f.name, "must be a whole number from %d to %d", f.lo, f.hi)
		}
	}
	if t.AfterHoursFrom == t.AfterHoursTo {
		return FieldErrorf("after_hours_to", "working hours must end at another hour than they start")
	}
	if _, err := time.LoadLocation(t.TimeZone); err != nil || t.TimeZone == "" || t.TimeZone == "Local" {
		return FieldErrorf("time_zone", "not a known time zone; use a name such as Europe/Madrid or UTC")
	}
	return nil
}

// AnomalyDay returns the window of the day (YYYY-MM-DD) in loc, or a field
// error naming field.
func AnomalyDay(field, day string, loc *time.Location) (from, to time.Time, err error) {
	d, perr := time.ParseInLocation(time.DateOnly, day, loc)
	if perr != nil {
		return from, to, FieldErrorf(field, "must be a date such as 2026-03-14")
	}
	return d, d.AddDate(0, 0, 1), nil
}

// Anomaly is one alert.
type Anomaly struct {
	ID   string      `json:"id"`
	Rule AnomalyRule `json:"rule"`
	// StaffID is whose access it is about, OrganizationID their organisation.
	StaffID        string `json:"staff_id"`
	OrganizationID string `json:"organization_id"`
	// HolderID is the organisation whose clients were read in bulk
	// (organization_bulk only).
	HolderID string `json:"holder_id,omitempty"`
	// Day is the day detected (the partnership's time), WindowStart and
	// WindowEnd its bounds.
	Day         string    `json:"day"`
	WindowStart time.Time `json:"window_start"`
	WindowEnd   time.Time `json:"window_end"`
	// Value is what was measured, Threshold the threshold it reached.
	Value     int `json:"value"`
	Threshold int `json:"threshold"`
	// Baseline is the person's usual value a day over BaselineDays detected
	// days (volume and after-hours; BaselineDays 0: no baseline yet).
	Baseline     float64 `json:"baseline"`
	BaselineDays int     `json:"baseline_days"`
	// AfterHoursFrom and AfterHoursTo are the hours in force (after_hours).
	AfterHoursFrom int `json:"after_hours_from"`
	AfterHoursTo   int `json:"after_hours_to"`
	// Period is the days counted (break_glass).
	Period int `json:"period_days,omitempty"`

	DetectedAt   time.Time    `json:"detected_at"`
	ReviewStatus ReviewStatus `json:"review_status"`
	ReviewedBy   string       `json:"reviewed_by,omitempty"`
	ReviewedAt   *time.Time   `json:"reviewed_at,omitempty"`
	ReviewNote   string       `json:"review_note,omitempty"`
	Escalations  int          `json:"escalations"`
}

// ReviewDueAt returns when the oversight review of a is due.
func (a *Anomaly) ReviewDueAt() time.Time { return a.DetectedAt.Add(ReviewDeadline) }

// ReviewOverdue reports whether a still waits for review at now, past its
// deadline.
func (a *Anomaly) ReviewOverdue(now time.Time) bool {
	return a.ReviewStatus == ReviewPending && !now.Before(a.ReviewDueAt())
}

// AnomalyScan adds up one window of the audit log, staff member by staff
// member: the clients each read (a permitted decision they asked for
// themselves, BreachDisclosure), by holding organisation and after hours,
// and the requests refused to them. Each read is kept as one packed
// integer (staff member, client, holder, after hours) and the day's reads
// are sorted once when counted: a million reads cost a sort rather than
// millions of set insertions.
type AnomalyScan struct {
	thr     *AnomalyThresholds
	loc     *time.Location
	clients map[string]int32
	names   []string // client ids by index
	holders map[string]uint16
	hnames  []string
	staff   map[string]int32
	acts    []*StaffActivity
	reads   []uint64
	counted bool
}

// StaffActivity is one staff member's activity in a window.
type StaffActivity struct {
	StaffID        string
	OrganizationID string
	// Clients is how many distinct clients they read; ByHolder by holding
	// organisation; AfterHours outside working hours.
	Clients    int
	ByHolder   map[string]int
	AfterHours int
	Denials    int
	clients    []int32 // the distinct clients read, once counted
}

// Limits of the packed reads: staff members and holders seen in one
// window, and clients.
const (
	scanStaffBits  = 20
	scanClientBits = 26
	scanHolderBits = 16
)

// NewAnomalyScan starts a scan under thresholds t.
func NewAnomalyScan(t *AnomalyThresholds) *AnomalyScan {
	return &AnomalyScan{thr: t, loc: t.Location(), clients: map[string]int32{}, holders: map[string]uint16{}, staff: map[string]int32{}}
}

// Add counts one decision entry; others are ignored. The system and
// unnamed actors are not staff and are not counted.
func (s *AnomalyScan) Add(e *AuditEntry) { s.AddClient(e, []byte(e.ClientID)) }

// AddClient is Add with the client id given as bytes (e.ClientID is not
// read): a reader of the log's leaves need not make a string of each.
func (s *AnomalyScan) AddClient(e *AuditEntry, client []byte) {
	if e.Kind != AuditDecision || e.ActorID == "" || e.ActorID == "system" || len(client) == 0 || e.ObjectID != "" || e.Action == "explain" {
		return
	}
	ai, ok := s.staff[e.ActorID]
	if !ok {
		if len(s.acts) >= 1<<scanStaffBits {
			return // more staff than any partnership has: counted no further
		}
		ai = int32(len(s.acts))
		s.staff[e.ActorID] = ai
		s.acts = append(s.acts, &StaffActivity{StaffID: e.ActorID, OrganizationID: e.ActorOrganizationID})
	}
	if e.Effect != Permit.String() {
		s.acts[ai].Denials++
		return
	}
	c, ok := s.clients[string(client)]
	if !ok {
		if len(s.names) >= 1<<scanClientBits {
			return
		}
		id := string(client)
		c = int32(len(s.names))
		s.clients[id] = c
		s.names = append(s.names, id)
	}
	h, ok := s.holders[e.HolderID]
	if !ok {
		if len(s.hnames) >= 1<<scanHolderBits-1 {
			return
		}
		h = uint16(len(s.hnames))
		s.holders[e.HolderID] = h
		s.hnames = append(s.hnames, e.HolderID)
	}
	var after uint64
	if s.afterHours(e.Time) {
		after = 1
	}
	s.reads = append(s.reads, uint64(ai)<<(scanClientBits+scanHolderBits+1)|uint64(c)<<(scanHolderBits+1)|uint64(h)<<1|after)
	s.counted = false
}

// afterHours is AfterHoursAt with the time zone loaded once.
func (s *AnomalyScan) afterHours(at time.Time) bool {
	h := at.In(s.loc).Hour()
	if s.thr.AfterHoursFrom > s.thr.AfterHoursTo {
		return h >= s.thr.AfterHoursFrom || h < s.thr.AfterHoursTo
	}
	return h >= s.thr.AfterHoursFrom && h < s.thr.AfterHoursTo
}

// count sorts the reads and counts, for each staff member, the distinct
// clients, by holder and after hours.
func (s *AnomalyScan) count() {
	if s.counted {
		return
	}
	s.counted = true
	slices.Sort(s.reads)
	s.reads = slices.Compact(s.reads)
	for _, a := range s.acts {
		a.Clients, a.AfterHours, a.ByHolder, a.clients = 0, 0, map[string]int{}, a.clients[:0]
	}
	const clientMask = 1<<scanClientBits - 1
	var seen []uint16 // holders of the current (staff member, client)
	for i := 0; i < len(s.reads); {
		key := s.reads[i] >> (scanHolderBits + 1) // staff member and client
		a := s.acts[key>>scanClientBits]
		a.Clients++
		a.clients = append(a.clients, int32(key&clientMask))
		after := false
		seen = seen[:0]
		for ; i < len(s.reads) && s.reads[i]>>(scanHolderBits+1) == key; i++ {
			h := uint16(s.reads[i] >> 1 & (1<<scanHolderBits - 1))
			if !slices.Contains(seen, h) {
				seen = append(seen, h)
				a.ByHolder[s.hnames[h]]++
			}
			after = after || s.reads[i]&1 == 1
		}
		if after {
			a.AfterHours++
		}
	}
}

// Staff returns the activity of every staff member seen, by id.
func (s *AnomalyScan) Staff() []*StaffActivity {
	s.count()
	out := slices.Clone(s.acts)
	slices.SortFunc(out, func(a, b *StaffActivity) int { return cmp.Compare(a.StaffID, b.StaffID) })
	return out
}

// ClientIDs returns the ids of the clients a staff member read.
func (s *AnomalyScan) ClientIDs(a *StaffActivity) []string {
	s.count()
	out := make([]string, 0, len(a.clients))
	for _, c := range a.clients {
		out = append(out, s.names[c])
	}
	slices.Sort(out)
	return out
}

// AnomalyBaseline is one staff member's usual, a day.
type AnomalyBaseline struct {
	Clients    float64 // clients read a day
	AfterHours float64 // clients read after hours a day
	Days       int     // the detected days it averages
}

// AnomalyFacts is what detection needs besides the scan: for each staff
// member, how many clients they read outside their caseload (only those
// who read at least the threshold are looked up), their baseline, and the
// emergency accesses recorded for them over the break-glass period.
type AnomalyFacts struct {
	OutsideCaseload map[string]int
	Baselines       map[string]AnomalyBaseline
	BreakGlass      map[string]int
	// BreakGlassOrgs are the organisations of staff members who broke the
	// glass but did not appear in the scan.
	BreakGlassOrgs map[string]string
}

// Detect returns the alerts of day [from, to) under thresholds t, in a
// stable order (staff member, then rule, then holder). Alerts have no id,
// detection time or review yet.
func (s *AnomalyScan) Detect(day string, from, to time.Time, f AnomalyFacts) []Anomaly {
	t := s.thr
	var out []Anomaly
	add := func(a *StaffActivity, rule AnomalyRule, value, threshold int) *Anomaly {
		out = append(out, Anomaly{Rule: rule, StaffID: a.StaffID, OrganizationID: a.OrganizationID, Day: day, WindowStart: from.UTC(), WindowEnd: to.UTC(),
			Value: value, Threshold: threshold, ReviewStatus: ReviewPending})
		return &out[len(out)-1]
	}
	acts := s.Staff()
	for id, n := range f.BreakGlass {
		if _, ok := s.staff[id]; !ok && n > 0 {
			acts = append(acts, &StaffActivity{StaffID: id, OrganizationID: f.BreakGlassOrgs[id]})
		}
	}
	slices.SortFunc(acts, func(a, b *StaffActivity) int { return cmp.Compare(a.StaffID, b.StaffID) })
	for _, a := range acts {
		base := f.Baselines[a.StaffID]
		if n := f.OutsideCaseload[a.StaffID]; n >= t.OutsideCaseload {
			add(a, AnomalyOutsideCaseload, n, t.OutsideCaseload)
		}
		holders := make([]string, 0, len(a.ByHolder))
		for h := range a.ByHolder {
			if h != "" {
				holders = append(holders, h)
			}
		}
		slices.Sort(holders)
		for _, h := range holders {
			if n := a.ByHolder[h]; n >= t.OrganizationBulk {
				add(a, AnomalyOrganizationBulk, n, t.OrganizationBulk).HolderID = h
			}
		}
		if base.Days >= AnomalyBaselineMinDays {
			threshold := max(t.VolumeMinimum, int(ceil(base.Clients*float64(t.VolumeFactor))))
			if n := a.Clients; n >= threshold {
				x := add(a, AnomalyVolume, n, threshold)
				x.Baseline, x.BaselineDays = base.Clients, base.Days
			}
		}
		if n := a.AfterHours; n >= t.AfterHours {
			x := add(a, AnomalyAfterHours, n, t.AfterHours)
			x.Baseline, x.BaselineDays = base.AfterHours, base.Days
			x.AfterHoursFrom, x.AfterHoursTo = t.AfterHoursFrom, t.AfterHoursTo
		}
		if a.Denials >= t.Denials {
			add(a, AnomalyDenials, a.Denials, t.Denials)
		}
		if n := f.BreakGlass[a.StaffID]; n >= t.BreakGlass {
			add(a, AnomalyBreakGlass, n, t.BreakGlass).Period = t.BreakGlassDays
		}
	}
	return out
}

func ceil(x float64) float64 {
	i := float64(int64(x))
	if i < x {
		return i + 1
	}
	return i
}
