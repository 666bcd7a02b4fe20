-- Grievances: complaints from anyone, with a tracking code (stored hashed),
-- routing to the named organisation and the oversight body, a deadline
-- armed as a durable timer, and an outcome the person may appeal once.
-- Free text is sealed under the answering organisation's key; who
-- complained is sealed under the oversight body's key.

CREATE TABLE grievances (
	id                   TEXT PRIMARY KEY,
	code_hash            BLOB NOT NULL UNIQUE,
	category             TEXT NOT NULL,
	channel              TEXT NOT NULL,
	organization_id      TEXT NOT NULL, -- named ('' none)
	case_id              TEXT NOT NULL,
	agreement_id         TEXT NOT NULL,
	oversight_only       BOOLEAN NOT NULL,
	anonymous            BOOLEAN NOT NULL,
	handler_org_id       TEXT NOT NULL REFERENCES organizations (id),
	oversight_org_id     TEXT NOT NULL REFERENCES organizations (id),
	oversight            BOOLEAN NOT NULL,
	level                INTEGER NOT NULL, -- deadlines missed: who at the organisation may answer widens with it
	overdue              BOOLEAN NOT NULL, -- the current deadline was missed
	text_key_version     INTEGER NOT NULL, -- the handler's key version sealing the text
	description          BLOB NOT NULL,
	reporter_key_version INTEGER NOT NULL, -- the oversight body's key version sealing the reporter
	reporter             BLOB NOT NULL,    -- sealed JSON: name, contact, client, raised by
	client_ref           TEXT NOT NULL,    -- keyed hash of the portal client's id ('' none)
	status               TEXT NOT NULL,
	received_at          INTEGER NOT NULL,
	due_at               INTEGER NOT NULL,
	acknowledged_at      INTEGER,
	resolved_at          INTEGER,
	outcome              TEXT NOT NULL,
	appealed_at          INTEGER,
	appeal_outcome       TEXT NOT NULL,
	closed_at            INTEGER,
	version              INTEGER NOT NULL
);
CREATE INDEX grievances_handler ON grievances (handler_org_id, status);
CREATE INDEX grievances_oversight ON grievances (oversight, status);
CREATE INDEX grievances_client ON grievances (client_ref) WHERE client_ref <> '';

-- What happened to a grievance, in order: received, acknowledged,
-- messages both ways, missed deadlines, outcome, appeal. Text is sealed.
CREATE TABLE grievance_events (
	id              TEXT PRIMARY KEY,
	grievance_id    TEXT NOT NULL REFERENCES grievances (id),
	seq             INTEGER NOT NULL, -- 1, 2, … per grievance
	at              INTEGER NOT NULL,
	kind            TEXT NOT NULL,
	actor_id        TEXT NOT NULL, -- staff id, 'reporter' or 'system'
	organization_id TEXT NOT NULL, -- the acting staff member's organisation
	outcome         TEXT NOT NULL,
	body            BLOB
);
CREATE UNIQUE INDEX grievance_events_seq ON grievance_events (grievance_id, seq);
