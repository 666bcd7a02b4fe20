-- The web interface: second factors, session details, the client portal.

-- TOTP second factor: the secret is sealed under the staff member's
-- organisation key; recovery codes are stored hashed.
ALTER TABLE staff ADD COLUMN totp_secret BLOB;
ALTER TABLE staff ADD COLUMN totp_enabled BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE recovery_codes (
	staff_id  TEXT NOT NULL REFERENCES staff (id),
	code_hash BLOB NOT NULL,
	used_at   INTEGER,
	PRIMARY KEY (staff_id, code_hash)
);

-- What a person sees of their own sessions.
ALTER TABLE credentials ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';

-- The client portal: one-time sign-in codes (hashed, short-lived, limited
-- attempts) and client sessions.
CREATE TABLE portal_codes (
	id         TEXT PRIMARY KEY,
	client_id  TEXT NOT NULL REFERENCES clients (id),
	code_hash  BLOB NOT NULL,
	created_by TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	used_at    INTEGER
);
CREATE INDEX portal_codes_client ON portal_codes (client_id);
CREATE TABLE portal_sessions (
	id           TEXT PRIMARY KEY,
	secret_hash  BLOB NOT NULL UNIQUE,
	client_id    TEXT NOT NULL REFERENCES clients (id),
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	last_used_at INTEGER NOT NULL,
	revoked_at   INTEGER
);

-- Forms submitted once: a second submission of the same form (a double
-- click, a reload) finds its token used and is sent to the first result.
CREATE TABLE form_tokens (
	token      TEXT PRIMARY KEY,
	staff_id   TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	result     TEXT NOT NULL DEFAULT ''
);
