-- Casework: joint cases, tasks, conferences, referrals, escalations with
-- durable timers, notifications, the service directory, screenings and the
-- duplicate-matching index. Free text about a client is sealed (BYTEA).

CREATE TABLE cases (
	id                   TEXT PRIMARY KEY,
	client_id            TEXT NOT NULL REFERENCES clients (id),
	lead_organization_id TEXT NOT NULL REFERENCES organizations (id),
	title                BYTEA NOT NULL,
	status               TEXT NOT NULL,
	opened_by            TEXT NOT NULL,
	opened_at            BIGINT NOT NULL,
	closed_at            BIGINT,
	close_reason         BYTEA,
	goals                BYTEA NOT NULL, -- sealed JSON
	outcomes             TEXT NOT NULL, -- JSON codes
	version              BIGINT NOT NULL
);
CREATE INDEX cases_client ON cases (client_id);

CREATE TABLE case_participants (
	case_id         TEXT NOT NULL REFERENCES cases (id),
	organization_id TEXT NOT NULL REFERENCES organizations (id),
	staff_id        TEXT NOT NULL REFERENCES staff (id),
	responsibility  BYTEA NOT NULL,
	added_at        BIGINT NOT NULL,
	PRIMARY KEY (case_id, organization_id)
);
CREATE INDEX case_participants_org ON case_participants (organization_id, case_id);

CREATE TABLE case_events (
	seq       BIGSERIAL PRIMARY KEY,
	case_id   TEXT NOT NULL REFERENCES cases (id),
	at        BIGINT NOT NULL,
	kind      TEXT NOT NULL,
	actor_id  TEXT NOT NULL,
	object_id TEXT NOT NULL,
	category  TEXT NOT NULL,
	detail    TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, seq);

CREATE TABLE tasks (
	id              TEXT PRIMARY KEY,
	case_id         TEXT NOT NULL REFERENCES cases (id),
	client_id       TEXT NOT NULL,
	title           BYTEA NOT NULL,
	owner_id        TEXT NOT NULL REFERENCES staff (id),
	owner_org_id    TEXT NOT NULL,
	due_at          BIGINT NOT NULL,
	status          TEXT NOT NULL,
	created_by      TEXT NOT NULL,
	created_at      BIGINT NOT NULL,
	completed_at    BIGINT,
	version         BIGINT NOT NULL
);
CREATE INDEX tasks_case ON tasks (case_id);
CREATE INDEX tasks_owner ON tasks (owner_id, status, due_at);

CREATE TABLE conferences (
	id          TEXT PRIMARY KEY,
	case_id     TEXT NOT NULL REFERENCES cases (id),
	kind        TEXT NOT NULL,
	held_at     BIGINT NOT NULL,
	attendees   TEXT NOT NULL,
	body        BYTEA NOT NULL, -- sealed JSON {decisions, actions, lessons}
	recorded_by TEXT NOT NULL,
	recorded_at BIGINT NOT NULL
);
CREATE INDEX conferences_case ON conferences (case_id);

-- Case notes are records (table records) with a case id.
ALTER TABLE records ADD COLUMN case_id TEXT NOT NULL DEFAULT '';

CREATE TABLE services (
	id              TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL REFERENCES organizations (id),
	name            TEXT NOT NULL,
	description     TEXT NOT NULL,
	eligibility     TEXT NOT NULL,
	languages       TEXT NOT NULL,
	address         TEXT NOT NULL,
	email           TEXT NOT NULL,
	phone           TEXT NOT NULL,
	categories      TEXT NOT NULL,
	status          TEXT NOT NULL
);

CREATE TABLE referrals (
	id              TEXT PRIMARY KEY,
	client_id       TEXT NOT NULL REFERENCES clients (id),
	case_id         TEXT NOT NULL,
	from_org_id     TEXT NOT NULL,
	from_staff_id   TEXT NOT NULL,
	to_org_id       TEXT NOT NULL,
	service_id      TEXT NOT NULL,
	purpose         TEXT NOT NULL,
	categories      TEXT NOT NULL,
	reason          BYTEA NOT NULL,
	urgency         TEXT NOT NULL,
	status          TEXT NOT NULL,
	status_reason   BYTEA,
	assigned_to     TEXT NOT NULL,
	respond_by      BIGINT NOT NULL,
	sent_at         BIGINT NOT NULL,
	updated_at      BIGINT NOT NULL,
	version         BIGINT NOT NULL
);
CREATE INDEX referrals_to ON referrals (to_org_id, status);
CREATE INDEX referrals_from ON referrals (from_org_id, status);
CREATE INDEX referrals_client ON referrals (client_id);

CREATE TABLE escalation_contacts (
	organization_id TEXT NOT NULL REFERENCES organizations (id),
	level           BIGINT NOT NULL,
	staff_id        TEXT NOT NULL REFERENCES staff (id),
	PRIMARY KEY (organization_id, level)
);

CREATE TABLE escalations (
	id              TEXT PRIMARY KEY,
	client_id       TEXT NOT NULL REFERENCES clients (id),
	case_id         TEXT NOT NULL,
	kind            TEXT NOT NULL,
	urgency         TEXT NOT NULL,
	summary         BYTEA NOT NULL,
	organization_id TEXT NOT NULL,
	raised_by       TEXT NOT NULL,
	raised_at       BIGINT NOT NULL,
	level           BIGINT NOT NULL,
	contact_id      TEXT NOT NULL,
	due_at          BIGINT NOT NULL,
	sla_seconds     BIGINT NOT NULL,
	status          TEXT NOT NULL,
	owner_id        TEXT NOT NULL,
	acknowledged_at BIGINT,
	resolved_at     BIGINT,
	resolution      BYTEA,
	exhausted       BOOLEAN NOT NULL,
	version         BIGINT NOT NULL
);
CREATE INDEX escalations_contact ON escalations (contact_id, status);
CREATE INDEX escalations_org ON escalations (organization_id, status);

-- Durable timers: escalation clocks, referral response deadlines. A timer
-- fires exactly once: firing and marking it fired commit together; a
-- process claims due timers for a while so that several processes do not
-- work the same ones.
CREATE TABLE timers (
	id            TEXT PRIMARY KEY,
	kind          TEXT NOT NULL,
	subject_id    TEXT NOT NULL,
	due_at        BIGINT NOT NULL,
	fired_at      BIGINT,
	claimed_by    TEXT NOT NULL DEFAULT '',
	claimed_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX timers_due ON timers (due_at) WHERE fired_at IS NULL;

-- In-app notifications.
CREATE TABLE notifications (
	id         TEXT PRIMARY KEY,
	staff_id   TEXT NOT NULL REFERENCES staff (id),
	kind       TEXT NOT NULL,
	subject_id TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	read_at    BIGINT
);
CREATE INDEX notifications_staff ON notifications (staff_id, created_at);

-- Outgoing e-mail and webhooks, written in the transaction that causes
-- them and delivered (at least once, with an idempotency key) by a worker.
CREATE TABLE outbox (
	id           TEXT PRIMARY KEY,
	channel      TEXT NOT NULL, -- 'email' or 'webhook'
	target       TEXT NOT NULL, -- address or URL
	payload      BYTEA NOT NULL,
	created_at   BIGINT NOT NULL,
	attempts     BIGINT NOT NULL DEFAULT 0,
	next_attempt BIGINT NOT NULL,
	sent_at      BIGINT,
	last_error   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (next_attempt) WHERE sent_at IS NULL;

CREATE TABLE webhooks (
	organization_id TEXT PRIMARY KEY REFERENCES organizations (id),
	url             TEXT NOT NULL,
	secret          BYTEA NOT NULL -- sealed under the organisation's data key
);

CREATE TABLE screenings (
	id               TEXT PRIMARY KEY,
	client_id        TEXT NOT NULL REFERENCES clients (id),
	organization_id  TEXT NOT NULL,
	questionnaire    TEXT NOT NULL, -- canonical url|version
	response         BYTEA NOT NULL, -- sealed QuestionnaireResponse JSON
	needs            TEXT NOT NULL, -- JSON need codes and urgencies (no free text)
	language         TEXT NOT NULL,
	interpreter_used BOOLEAN NOT NULL,
	recorded_by      TEXT NOT NULL,
	recorded_at      BIGINT NOT NULL
);
CREATE INDEX screenings_client ON screenings (client_id, recorded_at);

-- Blocking keys for duplicate detection at intake (package match).
CREATE TABLE client_match_keys (
	key       TEXT NOT NULL,
	client_id TEXT NOT NULL REFERENCES clients (id),
	PRIMARY KEY (key, client_id)
);
CREATE INDEX client_match_keys_client ON client_match_keys (client_id);

-- Clients merged into another keep their row, pointing at the survivor.
ALTER TABLE clients ADD COLUMN merged_into TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN interpreter_used BOOLEAN NOT NULL DEFAULT FALSE;

-- Escalation and referral response times per urgency, in minutes (JSON
-- object), for agreements and organisations; empty means the defaults.
ALTER TABLE agreements ADD COLUMN escalation_sla TEXT NOT NULL DEFAULT '{}';
ALTER TABLE organizations ADD COLUMN escalation_sla TEXT NOT NULL DEFAULT '{}';

-- Where e-mail notifications go (optional).
ALTER TABLE staff ADD COLUMN email TEXT NOT NULL DEFAULT '';
