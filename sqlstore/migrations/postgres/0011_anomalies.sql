-- Access anomaly alerts. Detection reads one day of the audit log at a time
-- (the partnership's day); each day detected is a row of anomaly_runs, so
-- the daily run survives restarts and runs once whichever process claims
-- it. What each staff member did that day is kept as counts
-- (anomaly_stats): the baseline of the volume rule is the average of the
-- trailing days' counts, read in one query rather than weeks of the log.
-- Alerts are reviewed like legal bases: once, with the reviewer's reasoning;
-- an unreviewed alert escalates after 72 hours (a durable timer). An alert
-- is unique per rule, staff member, holding organisation and day, so
-- detecting a day again adds no duplicate.

CREATE TABLE anomaly_settings (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	thresholds TEXT NOT NULL,    -- JSON accord.AnomalyThresholds
	updated_by TEXT NOT NULL,
	updated_at BIGINT NOT NULL,
	version    BIGINT NOT NULL
);

CREATE TABLE anomaly_runs (
	day           TEXT PRIMARY KEY, -- YYYY-MM-DD in the partnership's time zone
	window_start  BIGINT NOT NULL,
	window_end    BIGINT NOT NULL,
	claimed_by    TEXT NOT NULL,    -- the worker running it ('' once done)
	claimed_until BIGINT NOT NULL,
	finished_at   BIGINT,          -- NULL until detection finished
	entries       BIGINT NOT NULL, -- decision entries read
	alerts        BIGINT NOT NULL  -- alerts the last run added
);

CREATE TABLE anomaly_stats (
	day         TEXT NOT NULL,
	staff_id    TEXT NOT NULL,
	clients     BIGINT NOT NULL, -- distinct clients read
	after_hours BIGINT NOT NULL, -- distinct clients read after hours
	denials     BIGINT NOT NULL,
	PRIMARY KEY (day, staff_id)
);

CREATE TABLE anomalies (
	id               TEXT PRIMARY KEY,
	rule             TEXT NOT NULL,
	staff_id         TEXT NOT NULL,
	organization_id  TEXT NOT NULL,
	holder_id        TEXT NOT NULL, -- '' unless organization_bulk
	day              TEXT NOT NULL,
	window_start     BIGINT NOT NULL,
	window_end       BIGINT NOT NULL,
	value            BIGINT NOT NULL,
	threshold        BIGINT NOT NULL,
	baseline         DOUBLE PRECISION NOT NULL,
	baseline_days    BIGINT NOT NULL,
	after_hours_from BIGINT NOT NULL,
	after_hours_to   BIGINT NOT NULL,
	period_days      BIGINT NOT NULL,
	detected_at      BIGINT NOT NULL,
	review_status    TEXT NOT NULL,
	reviewed_by      TEXT NOT NULL,
	reviewed_at      BIGINT,
	review_note      TEXT NOT NULL,
	escalations      BIGINT NOT NULL
);
CREATE UNIQUE INDEX anomalies_once ON anomalies (rule, staff_id, holder_id, day);
CREATE INDEX anomalies_review ON anomalies (review_status, detected_at);

-- What a staff member's caseload is: the clients whose care team they are
-- on, whose cases they opened or take part in, whose referrals they sent or
-- were assigned. These look the relationships up by staff member.
CREATE INDEX care_team_staff ON care_team (staff_id, client_id);
CREATE INDEX case_participants_staff ON case_participants (staff_id, case_id);
CREATE INDEX cases_opened_by ON cases (opened_by, client_id);
CREATE INDEX referrals_from_staff ON referrals (from_staff_id, client_id);
CREATE INDEX referrals_assigned ON referrals (assigned_to, client_id);
-- Break-glass frequency counts emergency accesses in a period.
CREATE INDEX legal_bases_kind_time ON legal_bases (kind, recorded_at);
