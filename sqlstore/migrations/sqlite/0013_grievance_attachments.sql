-- Files a person attaches to a grievance as evidence (a letter, a photo, a
-- PDF): when raising it, or later with added information (event_id names
-- that event; '' for the grievance's first submission). The bytes are
-- sealed under the answering organisation's key like the grievance's text
-- (JPEG and PNG re-encoded first, which drops their metadata); the name is
-- only a sanitised display name, sealed with them.
CREATE TABLE grievance_attachments (
	id           TEXT PRIMARY KEY,
	grievance_id TEXT NOT NULL REFERENCES grievances (id),
	event_id     TEXT NOT NULL, -- the 'info' event it came with ('' the first submission)
	seq          INTEGER NOT NULL, -- 1, 2, … per grievance
	content_type TEXT NOT NULL, -- application/pdf, image/jpeg or image/png: detected from the bytes
	size         INTEGER NOT NULL, -- bytes stored (after re-encoding)
	key_version  INTEGER NOT NULL, -- the handler's key version sealing name and body
	name         BLOB NOT NULL,    -- sealed display name
	body         BLOB NOT NULL,    -- sealed bytes
	created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX grievance_attachments_seq ON grievance_attachments (grievance_id, seq);
