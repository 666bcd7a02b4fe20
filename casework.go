package accord

import (
	"slices"
	"time"
)

// Ids of casework objects.
const (
	PrefixCase       = "cas"
	PrefixTask       = "tsk"
	PrefixReferral   = "ref"
	PrefixEscalation = "esc"
	PrefixService    = "svc"
	PrefixConference = "cnf"
	PrefixGoal       = "gol"
	PrefixScreening  = "scr"
)

// CaseStatus is open or closed.
type CaseStatus string

const (
	CaseOpen   CaseStatus = "open"
	CaseClosed CaseStatus = "closed"
)

// Participant is an organisation (and its lead staff member) working a
// joint case, with what it has taken on.
type Participant struct {
	OrganizationID string    `json:"organization_id"`
	StaffID        string    `json:"staff_id"`
	Responsibility string    `json:"responsibility"`
	AddedAt        time.Time `json:"added_at"`
}

// GoalStatus is where a client goal is.
type GoalStatus string

const (
	GoalOpen     GoalStatus = "open"
	GoalAchieved GoalStatus = "achieved"
	GoalDropped  GoalStatus = "dropped"
)

// Goal is something the client wants from the case, in their words.
type Goal struct {
	ID        string     `json:"id"`
	Text      string     `json:"text"`
	Status    GoalStatus `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
}

// Outcome codes record what the case achieved, for the partnership's
// indicators. Health and legal outcomes are separate lists.
var (
	HealthOutcomes = []string{"care_accessed", "treatment_started", "medication_secured", "condition_stabilised", "registered_with_gp", "referred_specialist", "no_change", "declined_care"}
	LegalOutcomes  = []string{"eviction_prevented", "eviction_delayed", "benefits_secured", "status_regularised", "application_submitted", "detention_avoided", "protection_order", "case_lost", "advice_only", "no_change"}
)

// Outcome is one recorded outcome of a case.
type Outcome struct {
	Kind       string    `json:"kind"` // "health" or "legal"
	Code       string    `json:"code"`
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Validate checks an outcome code against its list.
func (o *Outcome) Validate() error {
	switch o.Kind {
	case "health":
		if !slices.Contains(HealthOutcomes, o.Code) {
			return FieldErrorf("code", "unknown health outcome %q", o.Code)
		}
	case "legal":
		if !slices.Contains(LegalOutcomes, o.Code) {
			return FieldErrorf("code", "unknown legal outcome %q", o.Code)
		}
	default:
		return FieldErrorf("kind", "kind must be health or legal")
	}
	return nil
}

// Case is a joint case: a client's matter worked by several organisations.
// Its free text (title, goals, conference notes, closure reason) is sealed
// under the client's key with the lead organisation.
type Case struct {
	ID                 string        `json:"id"`
	ClientID           string        `json:"client_id"`
	LeadOrganizationID string        `json:"lead_organization_id"`
	Title              string        `json:"title"`
	Status             CaseStatus    `json:"status"`
	OpenedBy           string        `json:"opened_by"`
	OpenedAt           time.Time     `json:"opened_at"`
	ClosedAt           *time.Time    `json:"closed_at,omitempty"`
	CloseReason        string        `json:"close_reason,omitempty"`
	Participants       []Participant `json:"participants"`
	Goals              []Goal        `json:"goals"`
	Outcomes           []Outcome     `json:"outcomes"`
	// Version counts changes, for optimistic concurrency (ETag / If-Match).
	Version int `json:"version"`
}

// Validate checks a new case.
func (c *Case) Validate() error {
	if !ValidID(PrefixClient, c.ClientID) {
		return FieldErrorf("client_id", "client_id is not a client id")
	}
	return checkText("title", c.Title, 200, true)
}

// Participates reports whether an organisation works the case.
func (c *Case) Participates(orgID string) bool {
	return c.LeadOrganizationID == orgID || slices.ContainsFunc(c.Participants, func(p Participant) bool { return p.OrganizationID == orgID })
}

// TaskStatus is where a task is.
type TaskStatus string

const (
	TaskOpen       TaskStatus = "open"
	TaskInProgress TaskStatus = "in_progress"
	TaskDone       TaskStatus = "done"
	TaskCancelled  TaskStatus = "cancelled"
)

var taskTransitions = map[TaskStatus][]TaskStatus{
	TaskOpen:       {TaskInProgress, TaskDone, TaskCancelled},
	TaskInProgress: {TaskOpen, TaskDone, TaskCancelled},
}

// Task is a piece of work on a case, with an owner and a due date.
type Task struct {
	ID          string     `json:"id"`
	CaseID      string     `json:"case_id"`
	ClientID    string     `json:"client_id"`
	Title       string     `json:"title"`
	OwnerID     string     `json:"owner_id"`
	OwnerOrgID  string     `json:"owner_organization_id"`
	DueAt       time.Time  `json:"due_at"`
	Status      TaskStatus `json:"status"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	Version     int        `json:"version"`
}

// Validate checks a new task; a task may not be due in the past.
func (t *Task) Validate(now time.Time) error {
	if err := checkText("title", t.Title, 200, true); err != nil {
		return err
	}
	if !ValidID(PrefixStaff, t.OwnerID) {
		return FieldErrorf("owner_id", "owner_id is not a staff id")
	}
	if t.DueAt.IsZero() {
		return FieldErrorf("due_at", "a task needs a due date")
	}
	if t.DueAt.Before(now.Add(-time.Minute)) {
		return FieldErrorf("due_at", "a new task cannot be due in the past")
	}
	return nil
}

// CheckTransition reports whether the task may move to status to.
func (t *Task) CheckTransition(to TaskStatus) error {
	if !slices.Contains(taskTransitions[t.Status], to) {
		return Errorf(ECONFLICT, "a task cannot go from %s to %s", string(t.Status), string(to))
	}
	return nil
}

// Conference is a case conference or, after a complex case, a debrief:
// who attended, what was decided, what must happen next.
type Conference struct {
	ID        string    `json:"id"`
	CaseID    string    `json:"case_id"`
	Kind      string    `json:"kind"` // "conference" or "debrief"
	HeldAt    time.Time `json:"held_at"`
	Attendees []string  `json:"attendees"` // staff ids
	Decisions string    `json:"decisions"`
	Actions   string    `json:"actions"`
	// Lessons is what the partnership learnt (debriefs).
	Lessons    string    `json:"lessons,omitempty"`
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Validate checks a conference record.
func (c *Conference) Validate(now time.Time) error {
	if c.Kind != "conference" && c.Kind != "debrief" {
		return FieldErrorf("kind", "kind must be conference or debrief")
	}
	if c.HeldAt.IsZero() || c.HeldAt.After(now.Add(time.Hour)) {
		return FieldErrorf("held_at", "held_at must be a time that has passed")
	}
	if len(c.Attendees) == 0 {
		return FieldErrorf("attendees", "name who attended")
	}
	for _, a := range c.Attendees {
		if !ValidID(PrefixStaff, a) {
			return FieldErrorf("attendees", "%q is not a staff id", a)
		}
	}
	if err := checkText("decisions", c.Decisions, 10000, true); err != nil {
		return err
	}
	if err := checkText("actions", c.Actions, 10000, false); err != nil {
		return err
	}
	return checkText("lessons", c.Lessons, 10000, false)
}

// CaseEvent is one line of a case's timeline.
type CaseEvent struct {
	Seq      int64     `json:"seq"`
	CaseID   string    `json:"case_id"`
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"` // "case.opened", "task.created", "note.added", "referral.accepted" …
	ActorID  string    `json:"actor_id"`
	ObjectID string    `json:"object_id,omitempty"`
	// Category is the data category of a note event: the timeline says a
	// note was added, and the decision point decides whether its reader
	// may open it.
	Category Category `json:"category,omitempty"`
	Detail   string   `json:"detail,omitempty"` // a code, never free text
}
