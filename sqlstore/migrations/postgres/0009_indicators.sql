-- Indicators: when a referral was first accepted and completed, windows on
-- the time each unit counted by indicators starts, the action plans the
-- partnership commits to when an indicator misses its target, and
-- releases, written once per quarter.

ALTER TABLE referrals ADD COLUMN accepted_at BIGINT;
ALTER TABLE referrals ADD COLUMN completed_at BIGINT;
-- Referrals accepted before this migration: from the case timeline where
-- there is one; a referral still at accepted, or completed (a final state),
-- was last changed when it got there.
UPDATE referrals SET accepted_at = (SELECT min(e.at) FROM case_events e
	WHERE e.case_id = referrals.case_id AND e.kind = 'referral.accepted' AND e.object_id = referrals.id)
	WHERE case_id <> '' AND status IN ('accepted', 'in_progress', 'completed', 'cancelled');
UPDATE referrals SET accepted_at = updated_at WHERE accepted_at IS NULL AND status = 'accepted';
UPDATE referrals SET completed_at = updated_at WHERE status = 'completed';

-- Indicator facts are read by the time a unit's first event happened.
-- Referrals are the most numerous unit: their index holds every column
-- the facts read, so the window is read from the index alone; and the
-- first legal contact of each client is the earliest acceptance among
-- the client's accepted referrals, found in the second.
CREATE INDEX referrals_sent ON referrals (sent_at, id, client_id, to_org_id, status, updated_at, accepted_at, completed_at);
CREATE INDEX referrals_client_accepted ON referrals (client_id, to_org_id, accepted_at) WHERE accepted_at IS NOT NULL;
CREATE INDEX escalations_raised ON escalations (raised_at);
CREATE INDEX grievances_received ON grievances (received_at);
CREATE INDEX clients_created ON clients (created_at);
CREATE INDEX cases_opened ON cases (opened_at);
CREATE INDEX screenings_recorded ON screenings (recorded_at);

-- What the partnership commits to when an indicator misses its target in
-- a quarter: one plan per indicator and quarter, updated as it progresses.
-- Owners are roles or teams; nothing here is about a client.
CREATE TABLE action_plans (
	id           TEXT PRIMARY KEY,
	indicator_id TEXT NOT NULL,
	period       TEXT NOT NULL, -- "2026-Q3"
	owner        TEXT NOT NULL,
	actions      TEXT NOT NULL,
	deadline     BIGINT NOT NULL,
	progress     TEXT NOT NULL,
	status       TEXT NOT NULL,
	recorded_by  TEXT NOT NULL,
	updated_at   BIGINT NOT NULL,
	version      BIGINT NOT NULL,
	UNIQUE (period, indicator_id)
);

-- Published releases: the protected figures exactly as published, with
-- their SHA-256, once per quarter. Nothing may change or remove one.
CREATE TABLE indicator_releases (
	period         TEXT PRIMARY KEY, -- "2026-Q3"
	profile        TEXT NOT NULL,    -- the disclosure-control profile applied
	published_at   BIGINT NOT NULL,
	published_by   TEXT NOT NULL,
	content        BYTEA NOT NULL,   -- JSON
	content_sha256 TEXT NOT NULL     -- hex
);
CREATE FUNCTION indicator_releases_written_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'indicator releases are written once';
END;
$$;
CREATE TRIGGER indicator_releases_no_change BEFORE UPDATE OR DELETE ON indicator_releases
	FOR EACH ROW EXECUTE FUNCTION indicator_releases_written_once();
