-- Accord schema, SQLite. Times are INTEGER microseconds since the Unix epoch
-- (UTC): they sort and compare the same way in both engines. Lists are JSON
-- text. Sealed fields are BLOBs opened only by package sealing.

CREATE TABLE organizations (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	sector     TEXT NOT NULL,
	country    TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
);

CREATE TABLE staff (
	id              TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL REFERENCES organizations (id),
	username        TEXT NOT NULL UNIQUE,
	display_name    TEXT NOT NULL,
	roles           TEXT NOT NULL,
	languages       TEXT NOT NULL,
	active          BOOLEAN NOT NULL,
	password_hash   TEXT NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL
);
CREATE INDEX staff_organization ON staff (organization_id);

-- Bearer credentials: API tokens and sign-in sessions. Only a SHA-256 of the
-- secret is stored.
CREATE TABLE credentials (
	id           TEXT PRIMARY KEY,
	kind         TEXT NOT NULL, -- 'token' or 'session'
	secret_hash  BLOB NOT NULL UNIQUE,
	staff_id     TEXT NOT NULL REFERENCES staff (id),
	name         TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	last_used_at INTEGER NOT NULL,
	revoked_at   INTEGER
);
CREATE INDEX credentials_staff ON credentials (staff_id);

CREATE TABLE clients (
	id                   TEXT PRIMARY KEY,
	home_organization_id TEXT NOT NULL REFERENCES organizations (id),
	given_name           TEXT NOT NULL,
	family_name          TEXT NOT NULL,
	search_name          TEXT NOT NULL, -- folded "given family" for search
	birth_date           TEXT NOT NULL,
	gender               TEXT NOT NULL,
	gender_text          TEXT NOT NULL,
	preferred_language   TEXT NOT NULL,
	languages            TEXT NOT NULL,
	interpreter_needed   BOOLEAN NOT NULL,
	disabilities         TEXT NOT NULL,
	identifiers          TEXT NOT NULL,
	phone                TEXT NOT NULL,
	email                TEXT NOT NULL,
	address              TEXT NOT NULL,
	created_at           INTEGER NOT NULL,
	updated_at           INTEGER NOT NULL,
	version              INTEGER NOT NULL,
	erased_at            INTEGER
);
CREATE INDEX clients_search ON clients (search_name);
CREATE INDEX clients_home ON clients (home_organization_id);

CREATE TABLE care_team (
	client_id TEXT NOT NULL REFERENCES clients (id),
	staff_id  TEXT NOT NULL REFERENCES staff (id),
	added_at  INTEGER NOT NULL,
	PRIMARY KEY (client_id, staff_id)
);

CREATE TABLE records (
	id              TEXT PRIMARY KEY,
	client_id       TEXT NOT NULL REFERENCES clients (id),
	organization_id TEXT NOT NULL REFERENCES organizations (id),
	category        TEXT NOT NULL,
	confidentiality TEXT NOT NULL,
	sensitivity     TEXT NOT NULL,
	content         BLOB NOT NULL,
	note            BLOB,
	recorded_by     TEXT NOT NULL,
	recorded_at     INTEGER NOT NULL
);
CREATE INDEX records_client ON records (client_id, category, organization_id);

CREATE TABLE agreements (
	id                    TEXT NOT NULL,
	version               INTEGER NOT NULL,
	title                 TEXT NOT NULL,
	parties               TEXT NOT NULL,
	purposes              TEXT NOT NULL,
	categories            TEXT NOT NULL,
	roles                 TEXT NOT NULL,
	retention_days        INTEGER NOT NULL,
	effective_from        INTEGER NOT NULL,
	effective_until       INTEGER NOT NULL,
	review_date           INTEGER NOT NULL,
	prohibited_recipients TEXT NOT NULL,
	signatories           TEXT NOT NULL,
	status                TEXT NOT NULL,
	status_reason         TEXT NOT NULL,
	created_by            TEXT NOT NULL,
	created_at            INTEGER NOT NULL,
	updated_at            INTEGER NOT NULL,
	PRIMARY KEY (id, version)
);

CREATE TABLE consents (
	id                TEXT PRIMARY KEY,
	client_id         TEXT NOT NULL REFERENCES clients (id),
	status            TEXT NOT NULL,
	start_at          INTEGER NOT NULL,
	end_at            INTEGER,
	provisions        TEXT NOT NULL,
	collected_by      TEXT NOT NULL,
	organization_id   TEXT NOT NULL,
	method            TEXT NOT NULL,
	language          TEXT NOT NULL,
	interpreter_id    TEXT NOT NULL,
	guardian          TEXT NOT NULL, -- JSON or ''
	created_at        INTEGER NOT NULL,
	revoked_at        INTEGER,
	revoked_by        TEXT NOT NULL,
	revocation_reason TEXT NOT NULL
);
CREATE INDEX consents_client ON consents (client_id);

CREATE TABLE legal_bases (
	id                        TEXT PRIMARY KEY,
	kind                      TEXT NOT NULL,
	client_id                 TEXT NOT NULL REFERENCES clients (id),
	categories                TEXT NOT NULL,
	recipient_organization_id TEXT NOT NULL,
	holder_organization_id    TEXT NOT NULL, -- '' for emergency access: any holder
	recipient_staff_id        TEXT NOT NULL,
	purposes                  TEXT NOT NULL,
	reference                 TEXT NOT NULL,
	issuer                    TEXT NOT NULL,
	reason                    TEXT NOT NULL,
	valid_from                INTEGER NOT NULL,
	expires_at                INTEGER NOT NULL,
	recorded_by               TEXT NOT NULL,
	recorded_at               INTEGER NOT NULL,
	review_status             TEXT NOT NULL,
	reviewed_by               TEXT NOT NULL,
	reviewed_at               INTEGER,
	review_note               TEXT NOT NULL
);
CREATE INDEX legal_bases_client ON legal_bases (client_id);

-- Local Cedar forbid policies (rule 6). One row: the whole policy set.
CREATE TABLE local_policies (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	text       TEXT NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at INTEGER NOT NULL
);

-- Every change to what the decision point reads appends a row here; each
-- server process applies the rows it has not seen to its in-memory snapshot.
CREATE TABLE policy_changes (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	kind      TEXT NOT NULL,
	object_id TEXT NOT NULL
);

-- Data keys: organisation keys wrapped by the KEK, client keys wrapped by
-- the organisation key. Deleting a client's rows here is crypto-shredding.
CREATE TABLE org_keys (
	organization_id TEXT NOT NULL REFERENCES organizations (id),
	version         INTEGER NOT NULL,
	wrapped         BLOB NOT NULL,
	kek_version     INTEGER NOT NULL,
	created_at      INTEGER NOT NULL,
	PRIMARY KEY (organization_id, version)
);

CREATE TABLE client_keys (
	client_id       TEXT NOT NULL,
	organization_id TEXT NOT NULL,
	wrapped         BLOB NOT NULL,
	org_key_version INTEGER NOT NULL,
	PRIMARY KEY (client_id, organization_id)
);

-- The audit log. leaf holds the exact bytes that were hashed; the other
-- columns are derived from it for queries and are cross-checked by
-- `accord audit verify`.
CREATE TABLE audit_entries (
	idx       INTEGER PRIMARY KEY,
	time      INTEGER NOT NULL,
	kind      TEXT NOT NULL,
	actor_id  TEXT NOT NULL,
	client_id TEXT NOT NULL,
	leaf      BLOB NOT NULL
);
CREATE INDEX audit_entries_client ON audit_entries (client_id, idx);
CREATE INDEX audit_entries_actor ON audit_entries (actor_id, idx);

-- Merkle tree tiles (C2SP tlog-tiles layout, height 8).
CREATE TABLE audit_tiles (
	level  INTEGER NOT NULL,
	idx    INTEGER NOT NULL,
	hashes BLOB NOT NULL,
	PRIMARY KEY (level, idx)
);

-- The tree size, locked by every append so that several processes take
-- turns.
CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	size INTEGER NOT NULL
);
INSERT INTO audit_head (id, size) VALUES (1, 0);

-- Signed checkpoints (C2SP tlog-checkpoint notes), the latest and history.
CREATE TABLE audit_checkpoints (
	size       INTEGER PRIMARY KEY,
	note       TEXT NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
