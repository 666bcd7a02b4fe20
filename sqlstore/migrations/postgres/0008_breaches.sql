-- Breach incidents: a compromised staff account, API token, session or
-- data key; the clients affected, worked out from the audit log (and kept
-- so the page and the notices need not search the log again; they can be
-- recomputed); the 72-hour clock to tell the supervisory authority, armed
-- as a durable timer; remedies and the closing summary. Free text is
-- sealed under the key of the organisation named in key_org_id (the
-- oversight body's), with its version.

CREATE TABLE breaches (
	id               TEXT PRIMARY KEY,
	organization_id  TEXT NOT NULL REFERENCES organizations (id), -- whose staff member, credential or key
	subject          TEXT NOT NULL,    -- staff, credential or org_key
	staff_id         TEXT NOT NULL,    -- the staff member or the credential's owner ('' for a key)
	credential_id    TEXT NOT NULL,    -- '' unless a credential
	key_version      BIGINT NOT NULL, -- 0 unless a data key
	discovered_at    BIGINT NOT NULL,
	window_start     BIGINT NOT NULL,
	window_end       BIGINT NOT NULL,
	recorded_by      TEXT NOT NULL,
	recorded_at      BIGINT NOT NULL,
	notify_by        BIGINT NOT NULL, -- discovered_at + 72 hours
	notified_at      BIGINT,          -- when the supervisory authority was told
	level            BIGINT NOT NULL, -- times the deadline passed with the authority not told
	status           TEXT NOT NULL,
	closed_at        BIGINT,
	key_org_id       TEXT NOT NULL REFERENCES organizations (id),
	text_key_version BIGINT NOT NULL,
	body             BYTEA NOT NULL,    -- sealed JSON: description, authority reference, summary
	impact_at        BIGINT NOT NULL, -- when the impact was computed
	impact_from      BIGINT NOT NULL, -- the window searched
	impact_to        BIGINT NOT NULL,
	disclosures      BIGINT NOT NULL,
	version          BIGINT NOT NULL
);
CREATE INDEX breaches_org ON breaches (organization_id, status);

-- The clients an incident affected: ids and codes only, like the audit log
-- they come from.
CREATE TABLE breach_clients (
	breach_id   TEXT NOT NULL REFERENCES breaches (id),
	client_id   TEXT NOT NULL,
	categories  TEXT NOT NULL, -- JSON [{category, count}]
	holders     TEXT NOT NULL, -- JSON [organisation id]
	disclosures BIGINT NOT NULL,
	first_at    BIGINT NOT NULL,
	last_at     BIGINT NOT NULL,
	PRIMARY KEY (breach_id, client_id)
);
CREATE INDEX breach_clients_client ON breach_clients (client_id);

-- What happened to an incident, in order. Text (remedies, the summary, the
-- authority's reference) is sealed.
CREATE TABLE breach_events (
	breach_id TEXT NOT NULL REFERENCES breaches (id),
	seq       BIGINT NOT NULL, -- 1, 2, … per incident
	at        BIGINT NOT NULL,
	kind      TEXT NOT NULL,
	actor_id  TEXT NOT NULL,    -- staff id or 'system'
	count     BIGINT NOT NULL,
	body      BYTEA,
	PRIMARY KEY (breach_id, seq)
);

-- Working out an incident's impact reads one actor's audit entries in a
-- time window: without this index it would read every entry of the actor
-- since the log began.
CREATE INDEX audit_entries_actor_time ON audit_entries (actor_id, time);
